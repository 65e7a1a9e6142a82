"""Safe YAML loading that remembers the line of every key, so errors can point at it."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evwm.records.markup import bad_character, character_kind
from evwm.records.problems import field_path

try:  # the C loader is several times faster; fall back to pure Python where libyaml is absent
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

# A record is a few KB; anything far larger is a mistake or an attack.
MAX_FILE_BYTES = 256 * 1024

Loc = tuple[object, ...]


class YamlError(Exception):
    def __init__(self, message: str, line: int = 0, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.line = line
        self.hint = hint


class EncodingError(YamlError):
    """The file is not UTF-8: its bytes are all there, so the rest of it may still be read."""


@dataclass
class YamlDoc:
    data: Any
    lines: dict[Loc, int] | None = field(default_factory=dict)
    # Where to read the lines again when ``lines`` is None: a record kept between runs (see
    # records.cache) stores no line map, since lines are wanted only to point at a problem.
    source: str | None = None

    def line_of(self, loc: Loc) -> int:
        """Line of the deepest known ancestor of ``loc`` (1-based; 1 if nothing matches)."""
        if self.lines is None:
            self.lines = _lines_of(self.source)
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return self.lines.get((), 1)


def _lines_of(source: str | None) -> dict[Loc, int]:
    try:
        return parse_yaml(read_text(Path(source))).lines or {} if source else {}
    except (OSError, YamlError):
        return {}  # the file changed or went away since: point at its first line


def read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    # never more than the limit in memory, whatever the file's size
    with path.open("rb") as fh:
        raw = fh.read(limit + 1)
        if len(raw) > limit:
            size = os.fstat(fh.fileno()).st_size
            raise YamlError(
                f"file is {size:,} bytes, larger than the {limit:,} allowed", 1, "split it or shorten its text"
            )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise EncodingError(f"byte 0x{raw[exc.start]:02x} is not valid UTF-8", line, "save the file as UTF-8") from None


_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_TAG + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")}
_MAX_DIGITS = 30  # no value here needs more; Python refuses to read ints past 4,300 digits anyway


class _Loader(SafeLoader):
    """Safe loading, with dates kept as the text written: 2024-02-30 is a typo to report, not a crash."""

    tags_possible = True

    def resolve(self, kind: Any, value: str, implicit: tuple[bool, bool]) -> str:
        # The composer asks this for every node; without path resolvers (none are registered) the
        # answer depends on the value alone, and most values repeat, so it is looked up once.
        if kind is yaml.ScalarNode:
            return _plain_tag(value) if implicit[0] else _STR
        return _MAP if kind is yaml.MappingNode else _SEQ


def _as_text(loader: Any, node: Any) -> str:
    return str(loader.construct_scalar(node))


_Loader.add_constructor(_TAG + "timestamp", _as_text)


_STR, _INT, _FLOAT = _TAG + "str", _TAG + "int", _TAG + "float"
_MAP, _SEQ = _TAG + "map", _TAG + "seq"
_KEY_KINDS = {_INT: "a number", _FLOAT: "a number", _TAG + "bool": "true/false", _TAG + "null": "an empty value"}


@functools.lru_cache(maxsize=4096)
def _plain_tag(value: str) -> str:
    return _implicit_tag(_Loader, value)


def _implicit_tag(loader: Any, value: str) -> str:
    """The tag a plain scalar resolves to: ``Resolver.resolve`` for a plain scalar, without its generality."""
    table = loader.yaml_implicit_resolvers
    for tag, regexp in table.get(value[0] if value else "", ()):
        if regexp.match(value):
            return str(tag)
    for tag, regexp in table.get(None, ()):
        if regexp.match(value):
            return str(tag)
    return str(loader.DEFAULT_SCALAR_TAG)


def _field(loc: Loc) -> str:
    where = field_path(loc)
    return f"{where}: " if where else ""  # the field, in the place Problem.format puts it


def _check_scalar(loader: Any, node: yaml.ScalarNode, loc: Loc = (), tags: bool = True) -> None:
    """Refuse a scalar with a bad character, an explicit tag or an absurdly long number.

    ``tags`` is False when the file holds no ``!``: then no node can carry an explicit tag.
    """
    value = node.value
    # Escapes ("\x07", "\u202e", "\ud800") reach characters the file itself may not hold raw.
    if not value.isascii() or not value.isprintable():
        problem = bad_character(value)
        if problem:
            raise YamlError(_field(loc) + problem, node.start_mark.line + 1)
    tag = node.tag
    if tags:
        plain = node.style is None or node.style == ""
        expected = _plain_tag(value) if plain else _STR
        if tag not in _ALLOWED_TAGS or tag != expected:
            raise YamlError(
                _field(loc) + "explicit YAML tags (such as !!float or !!python/...) are not allowed",
                node.start_mark.line + 1,
                "write the plain value; quote it if it should stay text",
            )
    if tag in (_INT, _FLOAT) and sum(c.isdigit() for c in value) > _MAX_DIGITS:
        raise YamlError(
            f"{_field(loc)}the number has more than {_MAX_DIGITS} digits",
            node.start_mark.line + 1,
            "write a shorter number",
        )


# Characters a file may not hold raw: YAML reads NEL, U+2028 and U+2029 as line breaks (so every
# later line number would be off), refuses other controls with its own wording, and shows
# bidirectional controls to nobody. Found before parsing, with the line an editor shows.
_RAW_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff]")


def _raw_character(text: str) -> None:
    match = _RAW_BAD.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        char = match.group(0)
        raise YamlError(
            f"holds the {character_kind(char)} U+{ord(char):04X}, which editors do not show",
            line,
            "delete it, or replace it with a space",
        )


def _build(node: yaml.Node, loc: Loc, lines: dict[Loc, int], seen: set[int], loader: Any, late: list[Exception]) -> Any:
    """Check a node (as ``_check_scalar`` and the rules below say), note its lines, and construct its value.

    One pass over the tree does what checking and ``construct_document`` did in two. A value a
    constructor cannot read is kept in ``late`` and raised after the whole tree passed its checks,
    so a file with several faults reports the same one as before.
    """
    # A node met twice is an alias. Aliases are never needed in this data and can expand
    # without bound ("billion laughs"), so they are refused outright.
    if id(node) in seen:
        raise YamlError(
            "YAML anchors and aliases (&name / *name) are not allowed",
            node.start_mark.line + 1,
            "write the value out in full",
        )
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        return _scalar(loader, node, loc, late)
    if node.tag not in _ALLOWED_TAGS or not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        raise YamlError(
            "explicit YAML tags (such as !!python/object) are not allowed",
            node.start_mark.line + 1,
            "write plain YAML: mappings, lists and values",
        )
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise YamlError(
                "explicit YAML tags (such as !!python/object) are not allowed",
                node.start_mark.line + 1,
                "write plain YAML: mappings, lists and values",
            )
        mapping: dict[Any, Any] = {}
        keys: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError("mapping keys must be plain names", key_node.start_mark.line + 1)
            key = key_node.value
            if key_node.tag != _STR and (key_node.style is None or key_node.style == ""):
                # `1:`, `yes:` or `null:` would reach the models as a number, true or None
                raise YamlError(
                    f"{_field(loc)}the key '{key}' is read as {_KEY_KINDS.get(key_node.tag, 'a value')}, not a name",
                    key_node.start_mark.line + 1,
                    "field names are words such as 'name' or 'summary'; see docs/data-format.md",
                )
            if key in keys:  # PyYAML would silently keep the last value
                raise YamlError(f"'{key}' is given twice", key_node.start_mark.line + 1, "keep one of them")
            keys.add(key)
            here: Loc = loc + (key,)  # noqa: RUF005 - mypy reads (*loc, key) as 3.11 syntax
            lines[here] = key_node.start_mark.line + 1
            seen.add(id(key_node))
            mapping[_scalar(loader, key_node, here, late)] = _build(value_node, here, lines, seen, loader, late)
        return mapping
    if node.tag != _SEQ:
        raise YamlError(
            "explicit YAML tags (such as !!python/object) are not allowed",
            node.start_mark.line + 1,
            "write plain YAML: mappings, lists and values",
        )
    items = []
    for i, item in enumerate(node.value):
        here = loc + (i,)  # noqa: RUF005
        lines[here] = item.start_mark.line + 1
        items.append(_build(item, here, lines, seen, loader, late))
    return items


def _scalar(loader: Any, node: yaml.ScalarNode, loc: Loc, late: list[Exception]) -> Any:
    _check_scalar(loader, node, loc, loader.tags_possible)
    if node.tag == _STR:
        return node.value
    try:
        return loader.yaml_constructors[node.tag](loader, node)
    except (ValueError, OverflowError, TypeError, yaml.YAMLError) as exc:
        late.append(exc)
        return None


MAX_DEPTH = 32


def _too_deep(text: str) -> int:
    """Line of the first place where flow brackets nest deeper than any record needs, else 0.

    Checked before parsing, because the parsers' own limits differ between PyYAML builds.
    Brackets inside quotes count too: a false alarm needs 32 brackets in a row in one value.
    """
    depth = 0
    line = 1
    for ch in text:
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line
        elif ch in "]}":
            depth = max(depth - 1, 0)
        elif ch == "\n":
            line += 1
    return 0


# PyYAML's syntax errors, said in the contributor's terms: (words of PyYAML's message, ours, hint).
_SYNTAX = (
    ("tab character", "a tab is used for indentation", "indent with spaces only"),
    (
        "mapping values are not allowed",
        "a ': ' where no new field can start",
        "quote text that holds ': ' (name: \"A: B\"), or check the indentation",
    ),
    (
        "unexpected end of stream",
        "the file ends inside a quote or a bracket",
        "close the quote or bracket opened above",
    ),
    ("expected ',' or ']'", "a [list] is not closed", "close it with ], and separate the items with commas"),
    ("expected ',' or '}'", "a {mapping} is not closed", "close it with }, and separate the pairs with commas"),
    (
        "could not find expected ':'",
        "a line is neither 'field: value' nor a list item",
        "add the ':' after the field's name, or indent the line to continue the text above it",
    ),
    (
        "cannot start any token",
        "a value starts with a character YAML reserves (@, ` or %)",
        "put the value in quotes",
    ),
    ("expected key", "a line's indentation does not match the lines above", "indent fields of one level alike"),
    ("expected <block end>", "a line's indentation does not match the lines above", "indent fields of one level alike"),
    (
        "another document",
        "a second document ('---') in one file",
        "one record per file: move what follows the '---' to a file of its own",
    ),
    ("undefined alias", "YAML anchors and aliases (&name / *name) are not allowed", "write the value out in full"),
    (
        "escape",  # "\\ud800", "\\q" in double quotes
        "an unknown escape (a backslash) inside double quotes",
        "inside double quotes a backslash starts an escape: write \\\\ for one, or use single quotes",
    ),
)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n")
    return lines[line][column : column + 1] if 0 <= line < len(lines) else ""


def _syntax_error(problem: str) -> tuple[str, str]:
    for words, message, hint in _SYNTAX:
        if words in problem:
            return message, hint
    return problem, "only plain YAML is accepted" if "tag" in problem else "check indentation and quoting"


def parse_yaml(text: str) -> YamlDoc:
    _raw_character(text)
    deep = _too_deep(text) if ("[" * 8 in text or "{" * 8 in text or text.count("[") > MAX_DEPTH) else 0
    if deep:
        raise YamlError("invalid YAML: nested too deeply", deep, "records are at most a few levels deep")
    loader = _Loader(text)
    loader.tags_possible = "!" in text  # every explicit tag is written with one
    try:
        node = loader.get_single_node()
        if node is None:
            raise YamlError("file is empty", 1, "see docs/data-format.md for the fields")
        lines: dict[Loc, int] = {(): node.start_mark.line + 1}
        late: list[Exception] = []
        data = _build(node, (), lines, set(), loader, late)
        if late:
            raise late[0]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        problem = exc.problem or str(exc)
        if mark and "cannot start any token" in problem and _char_at(text, mark.line, mark.column) == "\t":
            problem = "tab character"  # PyYAML names a tab only where it breaks the indentation
        message, hint = _syntax_error(problem)
        raise YamlError(f"invalid YAML: {message}", line, hint) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}", 0) from None
    except (ValueError, OverflowError, TypeError) as exc:  # a value the constructors cannot read
        raise YamlError(f"invalid value: {str(exc).splitlines()[0][:120]}", 0, "check the values' types") from None
    except RecursionError:
        raise YamlError("invalid YAML: nested too deeply", 1, "records are at most a few levels deep") from None
    finally:
        loader.dispose()
    return YamlDoc(data, lines)


def load_yaml(path: Path) -> YamlDoc:
    return parse_yaml(read_text(path))
