"""RIS records (EndNote, Zotero, Mendeley import)."""

from __future__ import annotations

from evwm.records.bib import Citation

RIS_TYPES = {
    "article": "JOUR",
    "inproceedings": "CPAPER",
    "incollection": "CHAP",
    "book": "BOOK",
    "techreport": "RPRT",
    "phdthesis": "THES",
}


def format_record(cit: Citation) -> str:
    lines = [("TY", RIS_TYPES.get(cit.entry_type, "UNPB")), ("ID", cit.key), ("TI", cit.title)]
    lines += [("AU", p.family if p.literal else p.last_first) for p in cit.authors]
    if cit.year:
        lines.append(("PY", str(cit.year)))
    if cit.venue:
        lines.append(("JO" if cit.entry_type == "article" else "T2", cit.venue))
    if cit.doi:
        lines.append(("DO", cit.doi))
    if cit.url:
        lines.append(("UR", cit.url))
    if cit.arxiv:
        lines.append(("N1", f"arXiv:{cit.arxiv}"))
    lines.append(("ER", ""))
    return (
        "\n".join(f"{tag}  - {value}".rstrip() if tag == "ER" else f"{tag}  - {value}" for tag, value in lines) + "\n"
    )


def format_ris(citations: list[Citation]) -> str:
    return "\n".join(format_record(c) for c in citations)
