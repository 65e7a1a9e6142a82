"""CSL-JSON items (what Zotero, pandoc --citeproc and citeproc-js read)."""

from __future__ import annotations

from typing import Any

from evwm.records.bib import Citation

CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "incollection": "chapter",
    "book": "book",
    "techreport": "report",
    "phdthesis": "thesis",
}


def to_csl(cit: Citation) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": cit.key,
        "type": CSL_TYPES.get(cit.entry_type, "article" if cit.arxiv else "document"),
        "title": cit.title,
        "author": [
            {"literal": p.family}
            if p.literal
            else {
                k: v
                for k, v in (
                    ("family", p.family),
                    ("given", p.given),
                    ("non-dropping-particle", p.von),
                    ("suffix", p.suffix),
                )
                if v
            }
            for p in cit.authors
        ],
    }
    if cit.year:
        item["issued"] = {"date-parts": [[cit.year]]}
    if cit.venue:
        item["container-title"] = cit.venue
        if cit.entry_type == "inproceedings":
            # IEEE and several other styles print the conference from event-title, not container-title
            item["event-title"] = cit.venue
        if cit.venue_short != cit.venue:
            item["container-title-short"] = cit.venue_short
    elif cit.arxiv:
        item["publisher"] = "arXiv"
        item["number"] = f"arXiv:{cit.arxiv}"
    for field, csl in (("volume", "volume"), ("number", "issue"), ("pages", "page"), ("publisher", "publisher")):
        value = cit.text_field(field)
        if value and csl not in item:
            item[csl] = value.replace("--", "–") if csl == "page" else value
    if cit.doi:
        item["DOI"] = cit.doi
    if cit.url:
        item["URL"] = cit.url
    return item
