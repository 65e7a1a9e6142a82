"""`evwm refresh`: what arXiv and the bibliographic indexes now know about the papers we cite.

For each BibTeX record with an arXiv id it asks arXiv (in batches) for the latest version, the
journal reference and DOI, and asks DBLP/OpenAlex whether a preprint has since been published.
It only ever *proposes*; with ``write=True`` it applies the changes it can confirm (a venue an
index lists under the same normalised title and first author, whose full name it knows) and
leaves every other finding in the report for a person to decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from evwm.curation import arxiv, index
from evwm.curation.arxiv import ArxivPaper
from evwm.curation.http import Client
from evwm.curation.index import Publication
from evwm.kb import KnowledgeBase
from evwm.records.bib import Citation, normalize_title, read_for_rewrite
from evwm.records.canonical import dump_bib

# What a finding is: applied (written with --write), undecided (a person must look) or info.
APPLY, UNDECIDED, INFO = "apply", "undecided", "info"


@dataclass
class Finding:
    kind: str  # version, journal-ref, doi, venue, title, authors, missing
    status: str  # APPLY, UNDECIDED or INFO
    message: str


@dataclass
class RecordReport:
    key: str
    path: str
    arxiv: str | None
    findings: list[Finding] = field(default_factory=list)
    # the fields and type to write when every APPLY finding is taken
    new_type: str | None = None
    new_fields: dict[str, str] = field(default_factory=dict)

    def add(self, kind: str, status: str, message: str) -> None:
        self.findings.append(Finding(kind, status, message))

    @property
    def changes(self) -> bool:
        return any(f.status == APPLY for f in self.findings)


@dataclass
class RefreshResult:
    records: list[RecordReport]
    written: list[str] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)  # files that could not be rewritten safely

    def by_status(self, status: str) -> list[tuple[RecordReport, Finding]]:
        return [(r, f) for r in self.records for f in r.findings if f.status == status]


def _families(names: list[str]) -> list[str]:
    return [index.family_key(n) for n in names]


def _first_author_matches(cit: Citation, pub: Publication) -> bool:
    if not cit.authors or not pub.authors:
        return False
    person = cit.authors[0]
    ours = index.family_key(person.family if not person.literal else person.full)
    return bool(ours) and ours == index.family_key(pub.authors[0])


def _published(pubs: list[Publication]) -> list[Publication]:
    return [p for p in pubs if p.kind in ("conference", "journal")]


def author_difference(cit: Citation, names: list[str], lists: str = "arXiv lists", at: str = "on arXiv") -> str | None:
    """How another source's author list differs from the record's (family names compared), or None."""
    ours, theirs = [index.family_key(p.family) for p in cit.authors], _families(names)
    if ours == theirs:
        return None
    if len(ours) != len(theirs):
        return f"{lists} {len(theirs)} authors, the record {len(ours)}"
    i = next(i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b)
    return f"author {i + 1} is '{names[i]}' {at}"


def check_arxiv(report: RecordReport, cit: Citation, paper: ArxivPaper | None) -> None:
    if paper is None:
        report.add("missing", UNDECIDED, f"arXiv does not know eprint {cit.arxiv}; check the identifier")
        return
    if paper.version > 1:
        report.add("version", INFO, f"arXiv has v{paper.version} (updated {paper.updated})")
    if paper.journal_ref:
        report.add("journal-ref", INFO, f"arXiv journal reference: {paper.journal_ref}")
    if normalize_title(paper.title) != cit.normalized_title:
        report.add("title", UNDECIDED, f"arXiv's title now reads '{paper.title}'")
    what = author_difference(cit, paper.authors)
    if what:
        report.add("authors", UNDECIDED, f"author list differs: {what}")
    if paper.doi and not cit.doi and not index.ARXIV_DOI.match(paper.doi):
        report.add("doi", UNDECIDED, f"arXiv lists DOI {paper.doi} (not yet confirmed by an index)")


def check_venue(
    report: RecordReport,
    cit: Citation,
    found: dict[str, list[Publication]],
    paper: ArxivPaper | None,
    title_only: bool = False,
) -> None:
    """Find a published version; record the upgrade when it is confirmed, or why it is not.

    The title and the first author must agree; with ``title_only`` (a list of accepted papers that
    names no authors) a publication without authors is confirmed by its title alone.
    """
    candidates = [(name, p) for name, pubs in found.items() for p in _published(pubs)]
    same_title = [(n, p) for n, p in candidates if normalize_title(p.title) == cit.normalized_title]
    confirmed = [(n, p) for n, p in same_title if _first_author_matches(cit, p) or (title_only and not p.authors)]
    for name, pub in confirmed:
        venue = index.venue_name(pub)
        if venue is None:
            report.add(
                "venue",
                UNDECIDED,
                f"{name} lists it in '{pub.venue}' {pub.year or ''} but evwm has no full name for that venue "
                "(add it to curation/index.py VENUES, or edit the record by hand)",
            )
            continue
        entry_type, field_name, full = venue
        fields = {k: v for k, v in cit.fields.items() if k not in ("booktitle", "journal")}  # all else is kept
        fields[field_name] = full
        if pub.year:
            fields["year"] = str(pub.year)
        doi = pub.doi if pub.doi and not index.ARXIV_DOI.match(pub.doi) else ""
        if doi and not cit.doi and re.match(r"^10\.\d{4,9}/\S+$", doi):
            fields["doi"] = doi
            report.findings = [f for f in report.findings if f.kind != "doi"]  # now confirmed below
            report.add("doi", APPLY, f"DOI {doi} (from {name})")
        report.new_type, report.new_fields = entry_type, fields
        basis = "" if pub.authors else "; the list names no authors, so only the title was compared"
        report.add(
            "venue",
            APPLY,
            f"published in {full}, {pub.year} (confirmed by {name}: {pub.key or pub.url or pub.venue}{basis})",
        )
        return
    if same_title and not confirmed:
        pub = same_title[0][1]
        report.add(
            "venue",
            UNDECIDED,
            f"{same_title[0][0]} lists '{pub.title}' in {pub.venue} {pub.year or ''}, "
            f"but its first author is '{pub.authors[0] if pub.authors else '?'}'",
        )
    elif paper and paper.journal_ref:
        report.add("venue", UNDECIDED, f"arXiv says '{paper.journal_ref}' but no index confirms it yet")


def select(kb: KnowledgeBase, key: str | None) -> list[Citation]:
    if key:
        return [kb.citations[key]] if key in kb.citations else []
    return [c for c in kb.citations.values() if c.arxiv]


def run(
    kb: KnowledgeBase,
    client: Client,
    key: str | None = None,
    indexes: tuple[str, ...] = index.INDEXES,
    progress: Callable[[int], None] | None = None,
) -> RefreshResult:
    """Ask every service; raises ServiceError/ArxivError/BadAnswer before anything is decided."""
    citations = sorted(select(kb, key), key=lambda c: c.key)
    ids = sorted({c.arxiv for c in citations if c.arxiv})
    papers = arxiv.lookup_many(ids, client, progress)
    reports = []
    for cit in citations:
        report = RecordReport(cit.key, cit.path, cit.arxiv)
        paper = papers.get(cit.arxiv) if cit.arxiv else None
        if cit.arxiv:
            check_arxiv(report, cit, paper)
        if cit.entry_type == "misc":  # records that already name a venue are not second-guessed
            found: dict[str, list[Publication]] = {}
            for name in indexes:
                found[name] = index.search(name, cit.title, client)
                if any(normalize_title(p.title) == cit.normalized_title for p in _published(found[name])):
                    break  # one index that lists the published version is enough; spare the other
            check_venue(report, cit, found, paper)
        if progress:
            progress(1)
        reports.append(report)
    return RefreshResult(reports)


def plan_writes(result: RefreshResult, root: Path) -> dict[Path, str]:
    """New canonical text for every .bib file holding an applicable change; unsafe files are skipped."""
    by_file: dict[str, list[RecordReport]] = {}
    for report in result.records:
        if report.changes and report.new_type:
            by_file.setdefault(report.path, []).append(report)
    texts: dict[Path, str] = {}
    for name, reports in sorted(by_file.items()):
        path = root / name
        citations, unsafe = read_for_rewrite(path, name)
        if unsafe:
            result.skipped_files.append(unsafe)
            continue
        changes = {r.key: r for r in reports}
        updated = [
            replace(c, entry_type=changes[c.key].new_type or c.entry_type, fields=changes[c.key].new_fields)
            if c.key in changes
            else c
            for c in citations
        ]
        texts[path] = dump_bib(updated)
    return texts


def to_json(result: RefreshResult) -> str:
    data = {
        "records": [
            {
                "key": r.key,
                "path": r.path,
                "arxiv": r.arxiv,
                "findings": [asdict(f) for f in r.findings],
            }
            for r in result.records
            if r.findings
        ],
        "written": result.written,
        "skipped_files": result.skipped_files,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(result: RefreshResult, wrote: bool, title: str = "evwm refresh report") -> str:
    def rows(status: str) -> list[str]:
        return [
            f"| `{r.key}` | {r.path} | {f.kind} | {f.message.replace('|', '/')} |" for r, f in result.by_status(status)
        ]

    head = ["| record | file | what | detail |", "|---|---|---|---|"]
    applied = rows(APPLY)
    undecided = rows(UNDECIDED)
    info = rows(INFO)
    out = [
        f"# {title}",
        "",
        f"{len(result.records)} records checked; {len({r.key for r, _ in result.by_status(APPLY)})} with confirmed "
        f"changes ({'written' if wrote else 'not written: run with --write'}), "
        f"{len(undecided)} findings to decide by hand.",
        "",
        "## To decide by hand",
        "",
        *(head + undecided if undecided else ["Nothing."]),
        "",
        "## Confirmed changes",
        "",
        *(head + applied if applied else ["Nothing."]),
        "",
    ]
    if result.skipped_files:
        out += ["## Files left as they are", "", *(f"- {s}" for s in result.skipped_files), ""]
    if info:
        out += ["## For information", "", *head, *info, ""]
    return "\n".join(out)
