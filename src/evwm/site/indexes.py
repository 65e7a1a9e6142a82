"""The site's ways in besides the taxonomy: authors, venues, tags and base-model families, each
with the entries it holds and the source path of its page. Computed once per build, in one pass
over the entries (linear in the knowledge base).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from evwm.kb import KnowledgeBase
from evwm.records.models import Entry
from evwm.site.meta import slug


def page_key(name: str) -> str:
    """The URL part of an author, venue or family page; never 'index', which is the folder's own page."""
    k = slug(name)
    return "index-1" if k == "index" else k


def author_page(key: str) -> str:
    return f"authors/{key}.md"


def venue_page(key: str) -> str:
    return f"venues/{key}.md"


def tag_page(tag: str) -> str:
    return f"tags/{tag}.md"


def family_page(key: str) -> str:
    return f"base-models/{key}.md"


@dataclass
class Group:
    key: str  # the URL slug
    name: str  # what the page is called
    sort: str  # how the index orders it
    entries: list[Entry] = field(default_factory=list)
    note: str = ""  # a venue's full names, a tag's meaning

    @property
    def initial(self) -> str:
        """The letter the index files it under: 'Müller' under M; non-Latin names under '#'."""
        first = slug(self.sort)[:1].upper()
        return first if first.isalpha() and not slug(self.sort).startswith("n-") else "#"


def _unique(groups: dict[str, Group]) -> list[Group]:
    for g in groups.values():
        g.entries = list({e.id: e for e in g.entries}.values())  # an author listed twice on one paper counts once
    return sorted(groups.values(), key=lambda g: (slug(g.sort), g.key))


def authors(kb: KnowledgeBase) -> list[Group]:
    """Every author of an entry's own paper. People are told apart by the normalised full name
    (the only identity BibTeX gives); the first spelling met names the page."""
    groups: dict[str, Group] = {}
    for entry in kb.sort_entries(kb.entries.values()):
        cit = kb.citation(entry)
        for person in cit.authors if cit else []:
            key = page_key(person.full)
            sort = person.family if person.literal else f"{person.family} {person.given}"
            groups.setdefault(key, Group(key, person.full, sort)).entries.append(entry)
    return _unique(groups)


def venues(kb: KnowledgeBase) -> list[Group]:
    groups: dict[str, Group] = {}
    fulls: dict[str, set[str]] = defaultdict(set)
    for entry in kb.sort_entries(kb.entries.values()):
        cit = kb.citation(entry)
        if not cit:
            continue
        key = page_key(cit.venue_short)
        groups.setdefault(key, Group(key, cit.venue_short, cit.venue_short)).entries.append(entry)
        if cit.venue and cit.venue != cit.venue_short:
            fulls[key].add(cit.venue)
    for key, names in fulls.items():
        groups[key].note = "; ".join(sorted(names))
    return _unique(groups)


def tags(kb: KnowledgeBase) -> list[Group]:
    """The tags of vocab/tags.yaml, with their meaning, and any tag in use that it lacks."""
    groups = {t.id: Group(t.id, t.id, t.id, note=t.meaning) for t in kb.vocab.tags.values()}
    for entry in kb.sort_entries(kb.entries.values()):
        for tag in entry.tags:
            groups.setdefault(tag, Group(tag, tag, tag)).entries.append(entry)
    return _unique(groups)


def families(kb: KnowledgeBase) -> list[Group]:
    """Base-model families (vocab/base-models.yaml) with the entries evaluated on each."""
    out = []
    models = kb.vocab.base_models.values()
    for family, entries in kb.base_model_entries.items():
        names = sorted({m.name for m in models if m.family == family}, key=str.lower)
        out.append(Group(page_key(family), family, family, list(entries), note=", ".join(names)))
    return out


def family_links(kb: KnowledgeBase, entry: Entry) -> list[tuple[str, str | None]]:
    """An entry's base models as written, each with its family's page where the name is known."""
    out = []
    for name in entry.base_models:
        model_id = kb.vocab.base_model_id(name)
        model = kb.vocab.base_models.get(model_id) if model_id else None
        out.append((name, family_page(page_key(model.family)) if model else None))
    return out
