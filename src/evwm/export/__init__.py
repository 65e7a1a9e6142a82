"""Exporters: citations and entries out to BibTeX, BibLaTeX, CSL-JSON, RIS, Markdown and CSV.

Kept apart from loading: they read the knowledge base's typed records and never touch files.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from evwm.export.bibtex import format_bibtex
from evwm.export.csl import to_csl
from evwm.export.listing import format_csv, format_markdown
from evwm.export.ris import format_ris
from evwm.kb import KnowledgeBase
from evwm.kb.query import cited
from evwm.records.bib import Citation
from evwm.records.models import Entry


def csl_json(citations: list[Citation]) -> str:
    # sort_keys: the published JSON dump is written the same way, so the site's builder
    # reproduces this text exactly.
    return (
        json.dumps([to_csl(c) for c in citations], indent=2, ensure_ascii=False, sort_keys=True, allow_nan=False) + "\n"
    )


FORMATS: dict[str, Callable[[KnowledgeBase, list[Entry]], str]] = {
    "bibtex": lambda kb, entries: format_bibtex(cited(kb, entries)),
    "biblatex": lambda kb, entries: format_bibtex(cited(kb, entries), dialect="biblatex"),
    "csl-json": lambda kb, entries: csl_json(cited(kb, entries)),
    "ris": lambda kb, entries: format_ris(cited(kb, entries)),
    "markdown": lambda kb, entries: format_markdown(cited(kb, entries)),
    "csv": format_csv,
}


def export(kb: KnowledgeBase, entries: list[Entry], fmt: str) -> str:
    return FORMATS[fmt](kb, entries)
