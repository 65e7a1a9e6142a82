"""Human-facing exports: a numbered Markdown reference list and a CSV table of entries."""

from __future__ import annotations

import csv
import io

from evwm.kb import KnowledgeBase
from evwm.records.bib import Citation
from evwm.records.models import Entry
from evwm.records.reference import reference_parts


def format_markdown(citations: list[Citation]) -> str:
    lines = []
    for number, cit in enumerate(citations, 1):
        p = reference_parts(cit, limit=None)
        text = f"{number}. {p['authors']}. **{p['title'].rstrip('.')}**."
        if p["venue"]:
            text += f" *{p['venue']}*,"
        text += f" {p['year']}."
        if p["arxiv"]:
            text += f" [arXiv:{p['arxiv']}](https://arxiv.org/abs/{p['arxiv']})."
        if p["doi"]:
            text += f" [doi:{p['doi']}](https://doi.org/{p['doi']})."
        lines.append(text)
    return "\n".join(lines) + ("\n" if lines else "")


CSV_COLUMNS = [
    "id",
    "name",
    "title",
    "authors",
    "year",
    "venue",
    "categories",
    "applications",
    "training",
    "code",
    "arxiv",
    "doi",
    "url",
    "headline_metric",
    "headline_value",
    "headline_unit",
    "headline_baseline",
]


def format_csv(kb: KnowledgeBase, entries: list[Entry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        cit = kb.citation(e)
        claim = e.claims[0] if e.claims else None
        writer.writerow(
            [
                e.id,
                e.name,
                cit.title if cit else "",
                "; ".join(p.full for p in cit.authors) if cit else "",
                cit.year if cit and cit.year else "",
                cit.venue_short if cit else "",
                " ".join(e.categories),
                " ".join(e.applications),
                e.training.value,
                e.links.code or "",
                cit.arxiv or "" if cit else "",
                cit.doi or "" if cit else "",
                cit.url or "" if cit else "",
                claim.metric if claim else "",
                f"{claim.value:g}" if claim else "",
                claim.unit if claim else "",
                claim.baseline if claim else "",
            ]
        )
    return out.getvalue()
