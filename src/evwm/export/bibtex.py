"""Canonical BibTeX (and BibLaTeX) text for citations."""

from __future__ import annotations

from typing import Any

from evwm.records.bib import Citation
from evwm.records.bibtex import write_record


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


def format_entry(cit: Citation, dialect: str = "bibtex") -> str:
    fields = dict(cit.fields)
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
    elif cit.arxiv and "url" not in fields and "howpublished" not in fields and entry_type == "misc":
        # plain bibtex styles ignore eprint; a note keeps the identifier visible in print
        fields.setdefault("note", f"arXiv:{cit.arxiv}")
    return write_record(entry_type, cit.key, fields, _latex_safe)


def format_bibtex(citations: list[Citation], dialect: str = "bibtex") -> str:
    return "\n".join(format_entry(c, dialect) for c in sorted(citations, key=lambda c: c.key))
