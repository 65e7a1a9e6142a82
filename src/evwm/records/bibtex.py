"""The one BibTeX writer: field order, alignment and brace-delimited values for every record we write.

``evwm fmt`` and ``evwm new`` write source records with it (values as stored, UTF-8 kept); the
exporters write bibliographies with it (values encoded for classic bibtex by the caller).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

# Field order in every record we write; anything else follows alphabetically.
FIELD_ORDER = [
    "title",
    "author",
    "editor",
    "booktitle",
    "journal",
    "journaltitle",
    "volume",
    "number",
    "pages",
    "year",
    "date",
    "month",
    "publisher",
    "institution",
    "school",
    "doi",
    "eprint",
    "archiveprefix",
    "eprinttype",
    "primaryclass",
    "eprintclass",
    "url",
    "note",
]


def field_order(fields: Mapping[str, str]) -> list[str]:
    known = [f for f in FIELD_ORDER if f in fields]
    return known + sorted(f for f in fields if f not in FIELD_ORDER)


def write_record(
    entry_type: str, key: str, fields: Mapping[str, str], encode: Callable[[str], str] = lambda v: v
) -> str:
    """One ``@type{key, field = {value}, ...}`` record; white space inside values is folded."""
    names = field_order(fields)
    width = max((len(n) for n in names), default=0)
    body = ",\n".join(f"  {n.ljust(width)} = {{{encode(' '.join(fields[n].split()))}}}" for n in names)
    return f"@{entry_type}{{{key},\n{body}\n}}\n"
