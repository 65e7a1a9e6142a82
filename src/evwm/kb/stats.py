"""Counts over the knowledge base, for `evwm stats` and the home page."""

from __future__ import annotations

from collections import Counter
from typing import Any

from evwm.kb.base import KnowledgeBase, application_node


def compute(kb: KnowledgeBase) -> dict[str, Any]:
    years = Counter(kb.year(e) for e in kb.entries.values())
    return {
        "entries": len(kb.entries),
        "citations": len(kb.citations),
        "relations": kb.relation_count,
        "claims": sum(len(e.claims) for e in kb.entries.values()),
        "nodes": [
            {"id": node.id, "name": node.name, "leaf": kb.is_leaf(node.id), "entries": len(kb.subtree_entries(node.id))}
            for node in kb.iter_nodes()
        ],
        "applications": {slug: len(kb.subtree_entries(application_node(slug))) for slug in kb.applications},
        "years": {str(y) if y else "unknown": n for y, n in sorted(years.items(), key=lambda kv: kv[0] or 0)},
    }


def format_text(stats: dict[str, Any]) -> str:
    lines = [
        f"entries    {stats['entries']}",
        f"citations  {stats['citations']}",
        f"relations  {stats['relations']}",
        f"claims     {stats['claims']}",
        "",
        "taxonomy (entries in sub-tree)",
    ]
    for node in stats["nodes"]:
        depth = node["id"].count("/")
        label = "  " * depth + node["id"].rsplit("/", 1)[-1]
        lines.append(f"  {label:<40} {node['entries']:>5}")
    lines += ["", "applications"]
    lines += [f"  {name:<40} {n:>5}" for name, n in stats["applications"].items()]
    lines += ["", "years"]
    lines += [f"  {year:<40} {n:>5}" for year, n in stats["years"].items()]
    return "\n".join(lines)
