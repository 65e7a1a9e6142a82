"""`evwm accepted`: match arXiv-only records against venues' lists of accepted papers, offline.

Conferences publish their accepted papers long before DBLP or OpenAlex index the proceedings,
and curators keep such lists as CSV, TSV or JSON files (scraped from OpenReview, the CVF open
access site or a virtual-conference site). Each row gives a title and a venue label such as
"ICLR 2026 Poster", and optionally the authors, a year and a URL. A ``@misc`` record whose
normalised title equals a row's is confirmed as that venue's paper and goes through the same
report and write-back as `evwm refresh`; nothing is fetched.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evwm.curation import index
from evwm.curation.index import Publication
from evwm.curation.refresh import UNDECIDED, RecordReport, RefreshResult, author_difference, check_venue
from evwm.kb import KnowledgeBase
from evwm.records.bib import normalize_title
from evwm.records.yamlio import YamlError, read_text

MAX_LIST_BYTES = 64 * 1024 * 1024  # a whole conference with abstracts is a few tens of MB

# Column names seen in such lists (compared case-insensitively), first match wins.
_COLUMNS = {
    "title": ("title", "paper_title", "name", "paper"),
    "venue": ("venue", "conference", "booktitle", "journal"),
    "authors": ("authors", "author", "author_list", "speakers/authors"),
    "year": ("year",),
    "url": ("url", "openreview_url", "item_url", "link", "paper_url", "pdf"),
}
_YEAR = re.compile(r"\b(19|20)\d\d\b")


@dataclass(frozen=True)
class ListProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def split_authors(value: Any) -> list[str]:
    """Authors as a list, from a JSON list or the separators lists use ('⋅', ';', ' and ', ',')."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    text = str(value or "").strip()
    for sep in ("⋅", ";", " and ", ","):
        if sep in text:
            return [part.strip() for part in text.split(sep) if part.strip()]
    return [text] if text else []


def _rows(text: str, suffix: str, name: str) -> list[tuple[int, dict[str, Any]]]:
    """(line, row) pairs; raises ValueError with a message for a file that is not a list."""
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"line {exc.lineno}: not valid JSON ({exc.msg})") from None
        if isinstance(data, dict) and isinstance(data.get("papers"), list):
            data = data["papers"]
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ValueError("a JSON list must be an array of objects (or an object with a 'papers' array)")
        return [(0, row) for row in data]
    if suffix not in (".csv", ".tsv", ".tab"):
        raise ValueError(f"'{suffix or name}' is not a list format evwm reads; use .csv, .tsv or .json")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter="," if suffix == ".csv" else "\t")
    rows = []
    try:
        for row in reader:
            rows.append((reader.line_num, row))
    except csv.Error as exc:
        raise ValueError(f"line {reader.line_num}: {exc}") from None
    return rows


def read_list(path: Path, venue: str | None = None) -> tuple[list[Publication], list[ListProblem]]:
    """The publications a list names, and every problem with it (a file with problems gives none)."""
    name = str(path)
    try:
        text = read_text(path, MAX_LIST_BYTES)
    except OSError as exc:
        return [], [ListProblem(name, 0, f"cannot be read ({exc.strerror or exc})")]
    except YamlError as exc:
        return [], [ListProblem(name, exc.line, f"{exc.message} ({exc.hint})" if exc.hint else exc.message)]
    try:
        rows = _rows(text, path.suffix.lower(), path.name)
    except ValueError as exc:
        return [], [ListProblem(name, 0, str(exc))]
    if not rows:
        return [], [ListProblem(name, 0, "holds no papers")]
    problems: list[ListProblem] = []
    columns = {k.strip().lower(): k for k in rows[0][1] if isinstance(k, str)}
    pick = {field: next((columns[c] for c in names if c in columns), None) for field, names in _COLUMNS.items()}
    if pick["title"] is None:
        have = ", ".join(sorted(columns)) or "none"
        return [], [ListProblem(name, 1, f"no title column (columns: {have}); name one 'title'")]
    if pick["venue"] is None and not venue:
        return [], [ListProblem(name, 1, "no venue column; add one, or pass --venue 'ICLR 2026'")]
    pubs = []
    for number, (line, row) in enumerate(rows, start=1):
        where = line or number  # CSV: the line the row ends on; JSON: the object's position
        title = str(row.get(pick["title"]) or "").strip()
        label = (str(row.get(pick["venue"]) or "").strip() if pick["venue"] else "") or venue or ""
        if not title:
            problems.append(ListProblem(name, where, "row has no title"))
            continue
        if not label:
            problems.append(ListProblem(name, where, f"'{title[:60]}' has no venue; fill it in or pass --venue"))
            continue
        year_text = str(row.get(pick["year"] or "") or "").strip() if pick["year"] else ""
        found = _YEAR.search(year_text) or _YEAR.search(label)
        if not found:
            problems.append(ListProblem(name, where, f"no year for '{title[:60]}' (a 'year' column, or in the venue)"))
            continue
        draft = Publication(f"list {path.name}", title, [], label, int(found.group(0)), "conference")
        known = index.venue_name(draft)
        kind = "journal" if known and known[0] == "article" else "conference"
        authors = split_authors(row.get(pick["authors"])) if pick["authors"] else []
        url = str(row.get(pick["url"]) or "").strip() if pick["url"] else ""
        pubs.append(Publication(draft.source, title, authors, label, draft.year, kind, url=url))
    if problems:
        return [], problems
    return pubs, []


def run(kb: KnowledgeBase, lists: list[list[Publication]], key: str | None = None) -> RefreshResult:
    """Compare every @misc record (or the one named) with the lists; only matches get a report."""
    by_title: dict[str, list[Publication]] = {}
    for pubs in lists:
        for pub in pubs:
            by_title.setdefault(normalize_title(pub.title), []).append(pub)
    reports = []
    for cit in sorted(kb.citations.values(), key=lambda c: c.key):
        if (key and cit.key != key) or cit.entry_type != "misc":
            continue
        matches = by_title.get(cit.normalized_title, [])
        if not matches:
            continue
        report = RecordReport(cit.key, cit.path, cit.arxiv)
        found: dict[str, list[Publication]] = {}
        for pub in matches:
            found.setdefault(pub.source, []).append(pub)
        check_venue(report, cit, found, None, title_only=True)
        for pub in matches:
            what = author_difference(cit, pub.authors, "the list names", "in the list") if pub.authors else None
            if what:
                report.add("authors", UNDECIDED, f"author list differs: {what} ({pub.source})")
        reports.append(report)
    return RefreshResult(reports)
