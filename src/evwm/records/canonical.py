"""Canonical text for records: one field order, one quoting rule, one wrapping rule.

``evwm fmt`` writes it, ``evwm new`` starts from it, and it keeps pull-request diffs small. It is
emitted from the validated model (not from the raw YAML), so formatting can never change meaning.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

import yaml

try:  # the C loader is several times faster; fall back to pure Python where libyaml is absent
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from evwm.records.bib import Citation
from evwm.records.bibtex import write_record
from evwm.records.models import Entry, TaxonomyNode

WIDTH = 96
PROSE = {"summary", "mechanism", "description"}
_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/+()@,'%&=?~:#-]*$")
# Characters YAML would refuse, read as a line break (NEL, U+2028, U+2029), drop (a BOM) or that
# no reader should meet raw (bidirectional controls): written as \uXXXX escapes, never raw.
_UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
    r"\ud800-\udfff\ufeff\ufffe\uffff]"
)


def schema_header(kind: str, depth: int) -> str:
    """The comment that points editors at the JSON Schema, relative to the file."""
    name = "entry.schema.json" if kind == "entry" else "taxonomy-node.schema.json"
    return f"# yaml-language-server: $schema={'../' * depth}schemas/{name}\n"


def scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value + 0.0)  # -0.0 + 0.0 is 0.0: "-0" would read back as the integer 0
        if text.endswith(".0"):
            return text[:-2]
        return text if "e" not in text or "." in text else text.replace("e", ".0e")
    text = str(value)
    # Plain only when YAML would read the very same string back; JSON strings are valid YAML.
    plain = _PLAIN.match(text) and not text.endswith(" ") and ": " not in text and " #" not in text
    if plain and _plain_reads_back(text):
        return text
    return quoted(text)


def _plain_reads_back(text: str) -> bool:
    try:  # '2024-02-30' looks like a date to YAML, and is not one
        return bool(yaml.load(text, Loader=_SafeLoader) == text)
    except (yaml.YAMLError, ValueError, OverflowError):
        return False


def quoted(text: str) -> str:
    """A double-quoted scalar that YAML reads back as exactly ``text``, whatever it holds.

    JSON strings are valid YAML; the characters JSON leaves raw but YAML treats specially
    (line separators, C1 controls, a BOM, lone surrogates) are escaped as well.
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", json.dumps(text, ensure_ascii=False))


def _reads_back(block: str, key: str, text: str) -> bool:
    try:
        data = yaml.load(block, Loader=_SafeLoader)
    except (yaml.YAMLError, ValueError, OverflowError):
        return False
    return isinstance(data, dict) and data.get(key) == text


def prose(key: str, text: str, indent: str) -> str:
    """Wrapped folded block when that reads back identically; literal block for paragraphs;
    otherwise (odd spacing, control characters, line separators) one escaped quoted line."""
    block = ""
    if _UNSAFE.search(text) or "\r" in text or not text.strip():
        pass
    elif text == " ".join(text.split()):
        lines = textwrap.wrap(text, WIDTH - len(indent) - 2, break_long_words=False, break_on_hyphens=False)
        block = f"{indent}{key}: >-\n" + "".join(f"{indent}  {line}\n" for line in lines)
    elif all(line == line.rstrip() and not line.startswith((" ", "\t")) for line in text.split("\n")):
        body = "".join(f"{indent}  {line}\n" if line else "\n" for line in text.split("\n"))
        block = f"{indent}{key}: |-\n{body}"
    # Block scalars have corner cases (a first line that looks like an indentation indicator,
    # trailing blank lines, ...); checking is cheaper than proving each one away.
    if block and _reads_back(textwrap.dedent(block), key, text):
        return block
    return f"{indent}{key}: {quoted(text)}\n"


def mapping(data: dict[str, Any], indent: str = "") -> str:
    out = []
    for key, value in data.items():
        if value is None or value == []:
            continue
        if key in PROSE and isinstance(value, str):
            out.append(prose(key, value, indent))
        elif isinstance(value, dict):
            inner = mapping(value, indent + "  ")
            if inner:  # a mapping whose fields are all empty is left out, like an empty list
                out.append(f"{indent}{key}:\n" + inner)
        elif isinstance(value, list):
            out.append(f"{indent}{key}:\n")
            for item in value:
                if isinstance(item, dict):
                    first, *rest = mapping(item, indent + "    ").splitlines(keepends=True)
                    out.append(f"{indent}  - {first.lstrip()}" + "".join(rest))
                else:
                    out.append(f"{indent}  - {scalar(item)}\n")
        else:
            out.append(f"{indent}{key}: {scalar(value)}\n")
    return "".join(out)


def dump_entry(entry: Entry, depth: int = 2) -> str:
    return schema_header("entry", depth) + mapping(entry.model_dump(mode="json"))


def dump_node(node: TaxonomyNode, depth: int) -> str:
    return schema_header("node", depth) + mapping(node.model_dump(mode="json"))


def dump_bib(citations: list[Citation]) -> str:
    """Records sorted by key, fields in a fixed order, values as written (UTF-8 kept), one per line."""
    return "\n".join(write_record(c.entry_type, c.key, c.fields) for c in sorted(citations, key=lambda c: c.key))
