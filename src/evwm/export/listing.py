"""Human-facing exports: a numbered Markdown reference list and a CSV table of entries.

Both are read by programs that treat some text as code: Markdown renderers run raw HTML and
follow any link, spreadsheets run cells that start with = + - @. Every value is therefore
written as inert text, and the only links are built here from validated identifiers.
"""

from __future__ import annotations

import csv
import io
import re

from evwm.kb import KnowledgeBase
from evwm.records.bib import Citation
from evwm.records.models import Entry
from evwm.records.reference import reference_parts

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")


def md_text(value: str) -> str:
    """Plain text that no Markdown renderer turns into markup, HTML or a link."""
    value = " ".join(value.split())
    return _MD_SPECIAL.sub(lambda m: {"<": "&lt;", ">": "&gt;", "&": "&amp;"}.get(m.group(1), "\\" + m.group(1)), value)


def format_markdown(citations: list[Citation]) -> str:
    lines = []
    for number, cit in enumerate(citations, 1):
        p = reference_parts(cit, limit=None)
        text = f"{number}. {md_text(p['authors'])}. **{md_text(p['title'].rstrip('.'))}**."
        if p["venue"]:
            text += f" *{md_text(p['venue'])}*,"
        text += f" {md_text(p['year'])}."
        if cit.arxiv:  # validated: digits and dots only
            text += f" [arXiv:{cit.arxiv}](https://arxiv.org/abs/{cit.arxiv})."
        if cit.doi:
            doi = md_text(cit.doi)
            target = "https://doi.org/" + re.sub(r"[^A-Za-z0-9._;/:-]", lambda m: f"%{ord(m.group(0)):02X}", cit.doi)
            text += f" [doi:{doi}]({target})."
        lines.append(text)
    return "\n".join(lines) + ("\n" if lines else "")


CSV_COLUMNS = [
    "id",
    "name",
    "title",
    "authors",
    "year",
    "venue",
    "venue_full",
    "volume",
    "pages",
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
    "headline_base_model",
    "headline_hardware",
]

_FORMULA = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def csv_cell(value: object) -> str:
    """A cell no spreadsheet evaluates: a leading formula character is neutralised with a quote."""
    raw = str(value) if value is not None else ""
    text = " ".join(raw.split())
    if raw.startswith(_FORMULA) and not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return "'" + text
    return text


def format_csv(kb: KnowledgeBase, entries: list[Entry], bom: bool = False) -> str:
    """One row per entry. arXiv ids are written as 'arXiv:2506.09350' so no reader takes them for numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        cit = kb.citation(e)
        claim = e.claims[0] if e.claims else None
        row: list[object] = [
            e.id,
            e.name,
            cit.title if cit else "",
            "; ".join(p.full for p in cit.authors) if cit else "",
            cit.year if cit and cit.year else "",
            cit.venue_short if cit else "",
            (cit.venue or "") if cit else "",
            cit.text_field("volume") if cit else "",
            cit.text_field("pages") if cit else "",
            " ".join(e.categories),
            " ".join(e.applications),
            e.training.value,
            e.links.code or "",
            f"arXiv:{cit.arxiv}" if cit and cit.arxiv else "",
            (cit.doi or "") if cit else "",
            (cit.url or "") if cit else "",
            claim.metric if claim else "",
            f"{claim.value:g}" if claim else "",
            claim.unit if claim else "",
            claim.baseline if claim else "",
            (claim.base_model or "") if claim else "",
            kb.hardware_label(claim) if claim else "",
        ]
        writer.writerow([csv_cell(v) for v in row])
    return ("\ufeff" if bom else "") + out.getvalue()
