"""`evwm new`: start an entry from an arXiv id (online) or a BibTeX record (offline).

It writes a BibTeX record and an entry skeleton whose prose fields are TODO placeholders, so
`evwm validate` keeps failing until the contributor has written them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from evwm.curation.arxiv import ArxivPaper
from evwm.curation.names import bibtex_name
from evwm.curation.rank import Ranker, Ranking
from evwm.kb import KnowledgeBase
from evwm.records.bib import MAX_BIB_BYTES, Citation, parse_bib
from evwm.records.canonical import dump_bib, scalar, schema_header
from evwm.records.files import WriteError, check_target, read_input, write_files
from evwm.records.models import ID_PATTERN
from evwm.records.problems import Problem, Severity

STOPWORDS = {"a", "an", "the", "on", "of", "for", "to", "in", "and", "towards", "toward", "with", "via", "is", "are"}


class ScaffoldError(Exception):
    pass


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _escape_latex(text: str) -> str:
    return re.sub(r"(?<!\\)([&%#_])", r"\\\1", text)


def bibtex_from_arxiv(paper: ArxivPaper) -> str:
    """An @misc record from arXiv metadata, names written 'Family, Given' (see ``names``); no
    venue is guessed from the comment line (the contributor adds it once confirmed)."""
    names = [bibtex_name(_escape_latex(a)) for a in paper.authors]
    family = _ascii(names[0].key_part if names else "anon") or "anon"
    words = [w for w in re.findall(r"[A-Za-z0-9]+", _ascii(paper.title).lower()) if w not in STOPWORDS]
    key = f"{re.sub(r'[^a-z]', '', _ascii(family).lower())}{paper.year}{words[0] if words else ''}"
    authors = " and ".join(n.bibtex for n in names)
    fields = [("title", _escape_latex(paper.title)), ("author", authors), ("year", str(paper.year))]
    if paper.doi:
        fields.append(("doi", paper.doi))
    fields += [("eprint", paper.arxiv_id), ("archiveprefix", "arXiv")]
    if paper.primary_category:
        fields.append(("primaryclass", paper.primary_category))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def slug(text: str) -> str:
    head = re.split(r"[:\u2013\u2014]| - ", text, maxsplit=1)[0]
    return re.sub(r"[^a-z0-9]+", "-", _ascii(head).lower()).strip("-")[:60].strip("-")


@dataclass
class Plan:
    entry_path: Path
    entry_text: str
    bib_path: Path
    bib_text: str
    citation: Citation
    ranking: Ranking | None = None
    warnings: list[Problem] = field(default_factory=list)  # of the new record; said, not refused


def suggest(kb: KnowledgeBase, cit: Citation, abstract: str = "") -> Ranking | None:
    """Likely nodes and nearest entries for a paper, or None for an empty knowledge base."""
    if not kb.entries:
        return None
    return Ranker.from_kb(kb).rank(f"{cit.title} {cit.title} {abstract or cit.text_field('abstract')}")


def describe(ranking: Ranking) -> str:
    lines = [
        f"  --category {s.node}   (score {s.score:.2f}; matching terms: {', '.join(s.terms[:4]) or '-'})"
        for s in ranking.suggestions
    ]
    return "\n".join(lines)


def duplicate_of(kb: KnowledgeBase, cit: Citation) -> str | None:
    """The entry (or record) that already covers this paper, described for the user."""
    owners = kb.cited_by()
    for other in kb.citations.values():
        same = (
            (cit.arxiv and cit.arxiv == other.arxiv)
            or (cit.doi and cit.doi.lower() == (other.doi or "").lower())
            or cit.normalized_title == other.normalized_title
        )
        if same or cit.key == other.key:
            what = (
                "the same arXiv id"
                if cit.arxiv and cit.arxiv == other.arxiv
                else "the same DOI"
                if cit.doi and other.doi and cit.doi.lower() == other.doi.lower()
                else "the same title"
                if cit.normalized_title == other.normalized_title
                else "the same key"
            )
            entries = owners.get(other.key, [])
            where = ", ".join(f"entry '{e}' ({kb.entry_sources[e].path})" for e in entries) or other.path
            return f"{what} as record '{other.key}', already in {where}"
    return None


def plan(
    kb: KnowledgeBase,
    bibtex: str,
    categories: list[str],
    entry_id: str | None = None,
    folder: str | None = None,
    name: str | None = None,
    abstract: str = "",
) -> Plan:
    citations, found = parse_bib(bibtex, "<input>")
    problems = [p for p in found if p.severity is not Severity.WARNING]
    if problems:
        raise ScaffoldError("the BibTeX record has problems:\n" + "\n".join("  " + p.format() for p in problems))
    if len(citations) != 1:
        raise ScaffoldError(f"expected exactly one BibTeX record, found {len(citations)}")
    cit = citations[0]
    duplicate = duplicate_of(kb, cit)
    if duplicate:
        raise ScaffoldError(f"this paper is already in the knowledge base: {duplicate}")
    ranking = suggest(kb, cit, abstract)
    if not categories:
        if ranking and ranking.suggestions:
            # a guess is only a guess: show the likely nodes and let the contributor choose one
            raise ScaffoldError(
                "name at least one taxonomy node with --category; for this paper the likeliest are:\n"
                + describe(ranking)
                + "\nrerun with the one that fits (repeat --category for more; the first is primary)"
            )
        raise ScaffoldError("name at least one taxonomy node with --category (e.g. --category inference/caching)")
    for category in categories:
        if category not in kb.nodes:
            from evwm.records.problems import did_you_mean

            raise ScaffoldError(f"unknown taxonomy node '{category}' {did_you_mean(category, kb.nodes)}".rstrip())
    entry_id = entry_id or slug(cit.title)
    if not re.match(ID_PATTERN, entry_id) or len(entry_id) > 80:
        raise ScaffoldError(f"'{entry_id}' cannot be an entry id: use lower-case letters, digits and hyphens")
    if entry_id in kb.entries:
        raise ScaffoldError(
            f"entry id '{entry_id}' is taken by {kb.entry_sources[entry_id].path}; choose one with --id"
        )
    folder = folder or _usual_folder(kb, categories[0])
    if not re.match(ID_PATTERN, folder):
        raise ScaffoldError(f"'{folder}' cannot be a folder name: use lower-case letters, digits and hyphens")
    root = kb.root
    entry_path = root / "entries" / folder / f"{entry_id}.yaml"
    bib_path = root / "bibliography" / f"{folder}.bib"
    existing: list[Citation] = []
    if bib_path.is_symlink() or bib_path.exists():
        try:
            check_target(bib_path, root)  # the same rule as every write: no links, no devices
            text = read_input(str(bib_path), limit=MAX_BIB_BYTES)
        except WriteError as exc:
            raise ScaffoldError(f"{exc}; evwm new adds records only to plain files in bibliography/") from None
        existing, problems = parse_bib(text, str(bib_path))
        if any(p.severity is not Severity.WARNING for p in problems):
            raise ScaffoldError(f"{bib_path.relative_to(root)} has problems; run `evwm validate` and fix them first")
    return Plan(
        entry_path,
        skeleton(
            entry_id,
            name or cit.title.split(":")[0].strip(),
            categories,
            cit.key,
            [n.entry_id for n in ranking.neighbours[:3]] if ranking else [],
        ),
        bib_path,
        dump_bib([*existing, cit]),
        cit,
        ranking,
        [p for p in found if p.severity is Severity.WARNING],
    )


def _usual_folder(kb: KnowledgeBase, category: str) -> str:
    """The folder that already holds most entries of this primary category."""
    counts = Counter(
        Path(s.path).parent.name for s in kb.entry_sources.values() if s.model.primary_category == category
    )
    return counts.most_common(1)[0][0] if counts else "contributed"


def skeleton(entry_id: str, name: str, categories: list[str], key: str, nearest: list[str] | None = None) -> str:
    cats = "".join(f"  - {c}\n" for c in categories)
    target = nearest[0] if nearest else "other-entry-id"
    near = f"# nearest existing entries (candidates for relations): {', '.join(nearest)}\n" if nearest else ""
    return (
        schema_header("entry", 2) + f"id: {entry_id}\nname: {scalar(name)}\ncategories:\n{cats}"
        f"applications: []  # autonomous-driving, embodied-ai, game-simulation\n"
        f"cites:\n  - {key}\n"
        "summary: >-\n  TODO: in your own words, what it is and why it matters for efficient world models.\n"
        "mechanism: >-\n  TODO: in your own words, how it saves steps, compute, memory or latency.\n"
        "training: not-stated  # training-free | fine-tuning | from-scratch once the paper says; not-applicable for a benchmark\n"
        "# claims:            # numbers the paper reports, each with its context\n"
        "#   - metric: speedup\n#     value: 2.0\n#     unit: x\n#     baseline: what it is compared with\n"
        "#     hardware: as the paper states it\n#     source: Table 1\n"
        "# links:\n#   code: https://github.com/...\n"
        f"{near}"
        "# relations:\n#   - type: builds-on   # builds-on | compares-with | combines-with | uses\n"
        f"#     target: {target}\n"
    )


def write(p: Plan, root: Path) -> None:
    """Both files or neither, and only inside the project (raises WriteError otherwise)."""
    write_files({p.bib_path: p.bib_text, p.entry_path: p.entry_text}, root)
