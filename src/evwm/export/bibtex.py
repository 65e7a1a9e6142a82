"""Canonical BibTeX (and BibLaTeX) text for citations."""

from __future__ import annotations

import re
from typing import Any

from evwm.records.bib import SAFE_COMMANDS, Citation, balanced_braces
from evwm.records.bibtex import protect_title, write_record


def _latex_safe(value: str) -> str:
    """Non-ASCII characters as LaTeX commands, so classic bibtex (8-bit, no UTF-8) copes."""
    return value if value.isascii() else str(_encoder().unicode_to_latex(value))


_ENCODER: Any = None


def _encoder() -> Any:
    global _ENCODER
    if _ENCODER is None:
        from pylatexenc.latexencode import UnicodeToLatexEncoder

        # Brace every conversion ({\"u}) so bibtex sorts and abbreviates names correctly.
        _ENCODER = UnicodeToLatexEncoder(
            non_ascii_only=True, replacement_latex_protection="braces-all", unknown_char_policy="keep"
        )
    return _ENCODER


def encode_value(value: str) -> str:
    """A value as safe BibTeX: no command outside the safe list, braces balanced, ASCII only.

    Validation refuses such values in the data already; this makes every export safe even so
    (a hand-edited record, a test fixture), so no field can close its record or run LaTeX.
    BibTeX counts every brace, escaped or not, so stray braces become brace-free commands.
    """
    value = " ".join(value.split())
    value = _COMMAND_RE.sub(
        lambda m: m.group(0) if m.group(1) in SAFE_COMMANDS else "\\textbackslash{}" + m.group(1), value
    )
    if value.endswith("\\"):
        value = value[:-1] + "\\textbackslash{}"
    if not balanced_braces(value):
        value = value.replace("{", "\x00").replace("}", "\x01")
        value = value.replace("\x00", "\\textbraceleft{}").replace("\x01", "\\textbraceright{}")
    return _latex_safe(value)


_COMMAND_RE = re.compile(r"\\([A-Za-z@]+|.)")


def format_entry(cit: Citation, dialect: str = "bibtex") -> str:
    """One record for a reader's bibliography: case protected, URL and arXiv id kept, values encoded."""
    fields = dict(cit.fields)
    if "title" in fields:
        fields["title"] = protect_title(fields["title"])
    if cit.url and "url" not in fields:
        fields["url"] = cit.url  # natbib and biblatex styles print it; plain styles ignore it
    entry_type = cit.entry_type
    if dialect == "biblatex":
        entry_type = {"inproceedings": "inproceedings", "misc": "online" if cit.arxiv else "misc"}.get(
            entry_type, entry_type
        )
        if "journal" in fields:
            fields["journaltitle"] = fields.pop("journal")
        if cit.arxiv:
            fields.pop("archiveprefix", None)
            fields["eprinttype"] = "arxiv"
            if "primaryclass" in fields:
                fields["eprintclass"] = fields.pop("primaryclass")
        if "year" in fields:
            fields["date"] = fields.pop("year")
    elif entry_type == "inproceedings" and "volume" in fields and "number" in fields:
        # classic styles refuse volume and number together in proceedings (AAAI prints both):
        # keep the number as `issue`, which biblatex reads and classic styles skip silently
        fields["issue"] = fields.pop("number")
    elif cit.arxiv and "howpublished" not in fields and entry_type == "misc":
        # plain bibtex styles ignore eprint and url; a note keeps the identifier visible in print
        fields.setdefault("note", f"arXiv:{cit.arxiv}")
    return write_record(entry_type, cit.key, fields, encode_value)


def format_bibtex(citations: list[Citation], dialect: str = "bibtex") -> str:
    return "\n".join(format_entry(c, dialect) for c in sorted(citations, key=lambda c: c.key))
