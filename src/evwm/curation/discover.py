"""`evwm discover`: recent arXiv papers the knowledge base may be missing, each with its likely node.

It pages through an arXiv API search (categories, keyword terms and a submission-date range),
drops papers already present (same arXiv id or normalised title) and papers that look out of
scope, and ranks the rest with ``rank.Ranker``; the evidence (matching terms, nearest entries)
is kept with each candidate so a curator can judge the suggestion at a glance.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from evwm.curation import arxiv
from evwm.curation.arxiv import ArxivPaper
from evwm.curation.http import Client
from evwm.curation.rank import Ranker, Ranking
from evwm.kb import KnowledgeBase
from evwm.records.bib import normalize_title

CATEGORIES = ("cs.CV", "cs.LG", "cs.RO", "eess.IV")
TERMS = (
    "video generation",
    "video diffusion",
    "video synthesis",
    "world model",
    "world models",
    "video prediction",
    "driving simulation",
)
# A paper in scope talks about video or world models in its own title or abstract.
ANCHOR = re.compile(r"\bvideos?\b|\bworld[- ]models?\b", re.I)
PAGE = 100  # results per request; arXiv allows more, but smaller pages fail less often
MIN_SIMILARITY = 0.08  # to the nearest entry; below it a paper shares little with the knowledge base


def query(start: date, end: date, categories: tuple[str, ...] = CATEGORIES, terms: tuple[str, ...] = TERMS) -> str:
    cats = " OR ".join(f"cat:{c}" for c in categories)
    words = " OR ".join(f'abs:"{t}"' for t in terms)
    span = f"submittedDate:[{start:%Y%m%d}0000 TO {end:%Y%m%d}2359]"
    return f"({cats}) AND ({words}) AND {span}"


def fetch(
    start: date, end: date, client: Client, limit: int = 1000, progress: Callable[[int, int], None] | None = None
) -> list[ArxivPaper]:
    """Every paper the search lists, page by page, at most ``limit``."""
    text = query(start, end)
    papers: list[ArxivPaper] = []
    offset = 0
    while offset < limit:
        page, total = arxiv.parse_feed(client.get("arxiv", arxiv.search_url(text, offset, min(PAGE, limit - offset))))
        papers += page
        offset += PAGE
        if progress:
            progress(min(offset, total, limit), min(total, limit))
        if not page or offset >= total:
            break
    return papers


@dataclass(frozen=True)
class Candidate:
    paper: ArxivPaper
    ranking: Ranking

    @property
    def score(self) -> float:
        return self.ranking.suggestions[0].score if self.ranking.suggestions else 0.0


@dataclass(frozen=True)
class Outcome:
    candidates: list[Candidate]
    present: list[tuple[ArxivPaper, str]]  # (paper, the record that already holds it)
    out_of_scope: list[ArxivPaper]


def triage(kb: KnowledgeBase, papers: list[ArxivPaper], ranker: Ranker | None = None) -> Outcome:
    ranker = ranker or Ranker.from_kb(kb)
    by_id = {c.arxiv: c.key for c in kb.citations.values() if c.arxiv}
    by_title = {c.normalized_title: c.key for c in kb.citations.values()}
    candidates, present, out = [], [], []
    seen: set[str] = set()
    for paper in papers:
        if paper.arxiv_id in seen:
            continue  # arXiv repeats a paper across pages when new ones arrive meanwhile
        seen.add(paper.arxiv_id)
        held = by_id.get(paper.arxiv_id) or by_title.get(normalize_title(paper.title))
        if held:
            present.append((paper, held))
            continue
        text = f"{paper.title} {paper.title} {paper.summary}"
        ranking = ranker.rank(text)
        if not ANCHOR.search(text) or ranking.similarity < MIN_SIMILARITY:
            out.append(paper)
            continue
        candidates.append(Candidate(paper, ranking))
    candidates.sort(key=lambda c: (-c.score, c.paper.arxiv_id))
    return Outcome(candidates, present, out)


def _nearest(c: Candidate, n: int = 3) -> list[str]:
    return [x.entry_id for x in c.ranking.neighbours[:n]]


def table(outcome: Outcome, width: int = 60) -> str:
    rows = [("#", "arXiv", "score", "likely node", "title", "evidence")]
    for i, c in enumerate(outcome.candidates, 1):
        top = c.ranking.suggestions[0] if c.ranking.suggestions else None
        title = c.paper.title if len(c.paper.title) <= width else c.paper.title[: width - 1] + "…"
        evidence = ", ".join((top.terms if top else [])[:3]) + " | near " + ", ".join(_nearest(c))
        rows.append((str(i), c.paper.arxiv_id, f"{c.score:.2f}", top.node if top else "?", title, evidence))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 5 else cell for i, cell in enumerate(r)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths) + "  --------")
    summary = (
        f"{len(outcome.candidates)} candidates; {len(outcome.present)} already in the knowledge base, "
        f"{len(outcome.out_of_scope)} out of scope"
    )
    return "\n".join([*lines, "", summary]) + "\n"


def to_json(outcome: Outcome, start: date, end: date) -> str:
    data = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "candidates": [
            {
                "arxiv": c.paper.arxiv_id,
                "title": c.paper.title,
                "authors": c.paper.authors,
                "published": c.paper.published,
                "primary_category": c.paper.primary_category,
                "score": c.score,
                "suggestions": [{"node": s.node, "score": s.score, "terms": s.terms} for s in c.ranking.suggestions],
                "nearest": [{"entry": n.entry_id, "name": n.name, "score": n.score} for n in c.ranking.neighbours],
            }
            for c in outcome.candidates
        ],
        "already_present": [{"arxiv": p.arxiv_id, "record": key} for p, key in outcome.present],
        "out_of_scope": [p.arxiv_id for p in outcome.out_of_scope],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def to_markdown(outcome: Outcome, start: date, end: date) -> str:
    out = [
        f"# Candidate papers, {start.isoformat()} to {end.isoformat()}",
        "",
        f"{len(outcome.candidates)} candidates ranked by how well they fit a taxonomy node; "
        f"{len(outcome.present)} papers already in the knowledge base and {len(outcome.out_of_scope)} "
        "out of scope were left out. Start an entry with `evwm new --arxiv ID --category NODE`.",
        "",
        "| # | paper | likely nodes | evidence | nearest entries |",
        "|---|---|---|---|---|",
    ]
    for i, c in enumerate(outcome.candidates, 1):
        nodes = "<br>".join(f"`{s.node}` ({s.score:.2f})" for s in c.ranking.suggestions)
        terms = ", ".join(c.ranking.suggestions[0].terms) if c.ranking.suggestions else ""
        near = ", ".join(f"`{n}`" for n in _nearest(c))
        title = c.paper.title.replace("|", "/")
        out.append(
            f"| {i} | [{c.paper.arxiv_id}](https://arxiv.org/abs/{c.paper.arxiv_id}) {title} | {nodes} | {terms} | {near} |"
        )
    return "\n".join(out) + "\n"
