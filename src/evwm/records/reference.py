"""Readable references ("Authors. Title. Venue, Year.") for pages and the Markdown export."""

from __future__ import annotations

from evwm.records.bib import Citation

MAX_AUTHORS_SHOWN = 12


def author_list(cit: Citation, limit: int | None = MAX_AUTHORS_SHOWN) -> str:
    names = [p.full for p in cit.authors]
    if limit and len(names) > limit:
        return ", ".join(names[:limit]) + f", and {len(names) - limit} more"
    if len(names) > 1:
        return ", ".join(names[:-1]) + " and " + names[-1]
    return names[0] if names else ""


def reference_parts(cit: Citation, limit: int | None = MAX_AUTHORS_SHOWN) -> dict[str, str]:
    """The pieces of a reference; renderers decide how to mark them up."""
    where = cit.venue or ("arXiv preprint" if cit.arxiv else cit.fields.get("publisher", ""))
    return {
        "authors": author_list(cit, limit),
        "title": cit.title,
        "venue": where,
        "year": str(cit.year or "n.d."),
        "arxiv": cit.arxiv or "",
        "doi": cit.doi or "",
        "url": cit.url or "",
    }


def format_reference(cit: Citation, limit: int | None = None) -> str:
    p = reference_parts(cit, limit)
    text = f"{p['authors']}. {p['title'].rstrip('.')}. "
    text += f"{p['venue']}, {p['year']}." if p["venue"] else f"{p['year']}."
    if p["arxiv"]:
        text += f" arXiv:{p['arxiv']}."
    if p["doi"]:
        text += f" doi:{p['doi']}."
    return text
