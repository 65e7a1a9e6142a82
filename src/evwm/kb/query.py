"""Selecting entries: the one query behind `evwm export`, the Python API and the site's builder. The site's bibliography builder (docs/assets/builder.js)
implements the same rules, so a filter gives the same file in the browser and on the CLI:

- within one filter, any listed value matches (OR); across filters, all must match (AND);
- a taxonomy node matches its whole sub-tree; an application matches applications/<slug>;
- the text filter needs every word, case-insensitively, in the entry's name, title or summary;
- a year range needs a known year;
- a base model matches the entry's base models and the models its claims were measured on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from evwm.kb.base import KnowledgeBase, application_node
from evwm.records.bib import Citation
from evwm.records.models import Entry


@dataclass
class Selection:
    nodes: list[str] = field(default_factory=list)
    applications: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    venues: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    training: list[str] = field(default_factory=list)
    code: bool = False
    text: str = ""
    ids: list[str] = field(default_factory=list)
    base_models: list[str] = field(default_factory=list)  # names or ids in vocab/base-models.yaml


def search_text(kb: KnowledgeBase, entry: Entry) -> str:
    cit = kb.citation(entry)
    return " ".join([entry.name, cit.title if cit else "", entry.summary]).lower()


def matches(kb: KnowledgeBase, entry: Entry, s: Selection) -> bool:
    cit = kb.citation(entry)
    year = cit.year if cit else None
    if s.nodes and not kb.nodes_of(entry) & set(s.nodes):
        return False
    if s.applications and not kb.nodes_of(entry) & {application_node(a) for a in s.applications}:
        return False
    if (s.year_from is not None or s.year_to is not None) and year is None:
        return False
    if s.year_from is not None and year < s.year_from:  # type: ignore[operator]
        return False
    if s.year_to is not None and year > s.year_to:  # type: ignore[operator]
        return False
    if s.venues and (cit.venue_short.lower() if cit else "") not in {v.lower() for v in s.venues}:
        return False
    if s.tags and not set(entry.tags) & set(s.tags):
        return False
    if s.training and entry.training.value not in s.training:
        return False
    if s.code and not entry.links.code:
        return False
    if s.text and not all(word in search_text(kb, entry) for word in s.text.lower().split()):
        return False
    if s.base_models:
        wanted = {kb.vocab.base_model_id(b) or b for b in s.base_models}
        if not kb.base_models_of(entry) & wanted:
            return False
    return not (s.ids and entry.id not in s.ids)


def select(kb: KnowledgeBase, s: Selection) -> list[Entry]:
    """Matching entries in id order (the order of every export)."""
    return [e for e in kb.entries.values() if matches(kb, e, s)]


def cited(kb: KnowledgeBase, entries: list[Entry]) -> list[Citation]:
    """Each work cited by the selection (or by one of its claims), once, sorted by key."""
    # the works an entry cites, and the documents its numbers come from (the survey's tables)
    keys = sorted({k for e in entries for k in (*e.cites, *(c.cite for c in e.claims if c.cite)) if k in kb.citations})
    return [kb.citations[k] for k in keys]
