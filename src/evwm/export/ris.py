"""RIS records (EndNote, Zotero, Mendeley import).

Every value is one line (RIS has no escaping: a newline could start a forged tag), and the venue
is written under the tag each reader looks for: BT (bibutils' booktitle) and T2 (Zotero's
proceedings title) for conference papers, JO and T2 for journals.
"""

from __future__ import annotations

from evwm.records.bib import Citation

RIS_TYPES = {
    "article": "JOUR",
    "inproceedings": "CONF",
    "incollection": "CHAP",
    "book": "BOOK",
    "techreport": "RPRT",
    "phdthesis": "THES",
}


def _line(value: str) -> str:
    return " ".join(value.split())


def format_record(cit: Citation) -> str:
    lines = [("TY", RIS_TYPES.get(cit.entry_type, "UNPB")), ("ID", cit.key), ("TI", cit.title)]
    # A corporate author is written without a comma, which Zotero and EndNote keep as one name
    # (bibutils needs the name in its list of names to keep as they are: ris2xml -as FILE).
    lines += [("AU", p.family if p.literal else p.last_first) for p in cit.authors]
    if cit.year:
        lines.append(("PY", str(cit.year)))
    venue = cit.venue
    if venue:
        if cit.entry_type == "article":
            lines += [("JO", venue), ("T2", venue)]
        elif cit.entry_type == "inproceedings":
            lines += [("BT", venue), ("T2", venue)]
        else:
            lines.append(("T2", venue))
        if cit.venue_short != venue:
            lines.append(("J2", cit.venue_short))
    elif cit.arxiv:
        lines.append(("PB", "arXiv"))
    volume, number, pages = cit.text_field("volume"), cit.text_field("number"), cit.text_field("pages")
    if volume:
        lines.append(("VL", volume))
    if number:
        lines.append(("IS", number))
    if pages:
        first, _, last = pages.replace("–", "-").replace("--", "-").partition("-")
        lines.append(("SP", first.strip()))
        if last.strip():
            lines.append(("EP", last.strip()))
    if cit.doi:
        lines.append(("DO", cit.doi))
    # One link: the DOI's where there is one (readers that derive a link from DO then keep a single
    # url), else the record's own. The arXiv id goes in AN, which no reader turns into a second url.
    url = f"https://doi.org/{cit.doi}" if cit.doi else cit.url
    if url:
        lines.append(("UR", url))
    if cit.arxiv:
        lines.append(("AN", f"arXiv:{cit.arxiv}"))
    body = "".join(f"{tag}  - {_line(value)}\n" for tag, value in lines)
    return body + "ER  - \n"


def format_ris(citations: list[Citation]) -> str:
    return "\n".join(format_record(c) for c in citations)
