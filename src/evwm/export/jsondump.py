"""The whole knowledge base as one JSON document (published with the site, read by its builder).

Its shape is versioned (FORMAT_VERSION) and described by schemas/evwm-dump.schema.json; the
field list is in docs/data-format.md. Bump the version on any change a reader could notice.
"""

from __future__ import annotations

import json
from typing import Any

from evwm.export.bibtex import format_entry
from evwm.export.csl import to_csl
from evwm.export.listing import format_csv, format_markdown
from evwm.export.ris import format_record
from evwm.kb import KnowledgeBase
from evwm.records.bib import Citation
from evwm.records.models import Entry

FORMAT_VERSION = "2.1"  # 2.1: training may be "not-applicable"
LICENSE = {
    "data": "CC-BY-4.0",
    "code": "MIT",
    "note": "Summaries, mechanisms, claims and the taxonomy are CC BY 4.0 (credit evwm); "
    "bibliographic facts are facts about public papers.",
}


def citation_record(cit: Citation) -> dict[str, Any]:
    return {
        "key": cit.key,
        "type": cit.entry_type,
        "title": cit.title,
        "authors": [p.full for p in cit.authors],
        "year": cit.year,
        "venue_full": cit.venue,
        "venue_short": cit.venue_short,
        "volume": cit.text_field("volume") or None,
        "pages": cit.text_field("pages") or None,
        "arxiv": cit.arxiv,
        "doi": cit.doi,
        "url": cit.url,
    }


def entry_record(kb: KnowledgeBase, entry: Entry) -> dict[str, Any]:
    data = entry.model_dump(mode="json", exclude_none=True)
    cit = kb.citation(entry)
    data["year"] = cit.year if cit else None
    data["venue_short"] = cit.venue_short if cit else None
    data["title"] = cit.title if cit else None
    data["authors"] = [p.full for p in cit.authors] if cit else []
    data["nodes"] = sorted(kb.nodes_of(entry))
    data["base_model_ids"] = sorted(kb.base_models_of(entry))
    data["base_model_families"] = sorted(kb.base_model_families_of(entry))
    # The builder joins these fragments, so its files are byte-identical to `evwm export`.
    data["csv_row"] = format_csv(kb, [entry]).split("\n", 1)[1]
    return data


def dump(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "schema": "evwm-dump.schema.json",
        "license": LICENSE,
        "source": "https://arxiv.org/abs/2603.28489",
        "taxonomy": [
            {
                "id": n.id,
                "name": n.name,
                "parent": n.parent_id,
                "order": n.order,
                "leaf": kb.is_leaf(n.id),
                "survey_section": n.survey.section if n.survey else None,
            }
            for n in kb.iter_nodes()
        ],
        "entries": [entry_record(kb, e) for e in kb.entries.values()],
        "citations": {
            key: {
                **citation_record(cit),
                "bibtex": format_entry(cit),
                "biblatex": format_entry(cit, "biblatex"),
                "ris": format_record(cit),
                "markdown": format_markdown([cit]).split(". ", 1)[1],
                "csl": to_csl(cit),
            }
            for key, cit in sorted(kb.citations.items())
        },
    }


def _value(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, allow_nan=False)


def dumps(kb: KnowledgeBase) -> str:
    """The dump as text: valid JSON by construction (NaN and infinities refused, not written).

    One record a line (every entry, citation and node): readable with grep and diff, and written
    by json's C encoder, which an ``indent`` would swap for its pure-Python one (ten times slower).
    """
    parts = []
    for key, value in sorted(dump(kb).items()):
        if isinstance(value, list) and value:
            body = "[\n" + ",\n".join(f"  {_value(v)}" for v in value) + "\n ]"
        elif isinstance(value, dict) and value:
            body = "{\n" + ",\n".join(f"  {_value(k)}: {_value(v)}" for k, v in sorted(value.items())) + "\n }"
        else:
            body = _value(value)
        parts.append(f" {_value(key)}: {body}")
    return "{\n" + ",\n".join(parts) + "\n}"
