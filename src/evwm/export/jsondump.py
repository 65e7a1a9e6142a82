"""The whole knowledge base as one JSON document (published with the site, read by its builder)."""

from __future__ import annotations

from typing import Any

from evwm.export.csl import to_csl
from evwm.kb import KnowledgeBase
from evwm.records.bib import Citation
from evwm.records.models import Entry


def citation_record(cit: Citation) -> dict[str, Any]:
    return {
        "key": cit.key,
        "type": cit.entry_type,
        "title": cit.title,
        "authors": [p.full for p in cit.authors],
        "year": cit.year,
        "venue": cit.venue,
        "venue_short": cit.venue_short,
        "arxiv": cit.arxiv,
        "doi": cit.doi,
        "url": cit.url,
    }


def entry_record(kb: KnowledgeBase, entry: Entry) -> dict[str, Any]:
    data = entry.model_dump(mode="json", exclude_none=True)
    cit = kb.citation(entry)
    data["year"] = cit.year if cit else None
    data["venue"] = cit.venue_short if cit else None
    data["title"] = cit.title if cit else None
    data["nodes"] = sorted(kb.nodes_of(entry))
    return data


def dump(kb: KnowledgeBase) -> dict[str, Any]:
    from evwm.export.bibtex import format_entry

    return {
        "taxonomy": [
            {"id": n.id, "name": n.name, "parent": n.parent_id, "order": n.order, "leaf": kb.is_leaf(n.id)}
            for n in kb.iter_nodes()
        ],
        "entries": [entry_record(kb, e) for e in kb.entries.values()],
        "citations": {
            key: {**citation_record(cit), "bibtex": format_entry(cit), "csl": to_csl(cit)}
            for key, cit in sorted(kb.citations.items())
        },
    }
