"""The Python API: one facade object over the knowledge base, for scripts and notebooks.

from evwm import KnowledgeBase
kb = KnowledgeBase.load(".")
caching = kb.select(node="inference/caching", year_from=2025)
print(kb.export(caching, "bibtex"))
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from evwm import kb as _kb
from evwm.export import FORMATS, export
from evwm.kb.query import Selection, select
from evwm.records.bib import Citation
from evwm.records.models import Entry, TaxonomyNode
from evwm.records.problems import Problem


class DataError(Exception):
    """The files under the project folder have errors; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(
            f"{len(problems)} error(s) in the knowledge base, first: {problems[0].format()}"
            if problems
            else "the knowledge base has errors"
        )


def _many(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class KnowledgeBase:
    """Entries, taxonomy nodes and citations of an evwm project, with queries and exports."""

    def __init__(self, base: _kb.KnowledgeBase):
        self._kb = base

    @classmethod
    def load(cls, root: str | Path = ".", strict: bool = True) -> KnowledgeBase:
        """Read and check the project at ``root``; with ``strict`` any error raises DataError."""
        base = _kb.load(Path(root))
        if strict and base.errors:
            raise DataError(base.errors)
        return cls(base)

    # -- records ---------------------------------------------------------------------------
    @property
    def entries(self) -> dict[str, Entry]:
        return self._kb.entries

    @property
    def nodes(self) -> dict[str, TaxonomyNode]:
        return self._kb.nodes

    @property
    def citations(self) -> dict[str, Citation]:
        return self._kb.citations

    @property
    def problems(self) -> list[Problem]:
        return self._kb.problems

    def entry(self, entry_id: str) -> Entry:
        return self._kb.entries[entry_id]

    def citation(self, entry: Entry | str) -> Citation | None:
        """The entry's own paper."""
        return self._kb.citation(self.entry(entry) if isinstance(entry, str) else entry)

    def year(self, entry: Entry | str) -> int | None:
        return self._kb.year(self.entry(entry) if isinstance(entry, str) else entry)

    # -- queries ---------------------------------------------------------------------------
    def select(
        self,
        *,
        node: str | Iterable[str] | None = None,
        application: str | Iterable[str] | None = None,
        year_from: int | None = None,
        year_to: int | None = None,
        base_model: str | Iterable[str] | None = None,
        text: str = "",
        venue: str | Iterable[str] | None = None,
        tag: str | Iterable[str] | None = None,
        training: str | Iterable[str] | None = None,
        code: bool = False,
    ) -> list[Entry]:
        """Entries matching every given filter (any value within one filter), newest first.

        The rules are those of ``evwm export`` and of the site's bibliography builder.
        """
        selection = Selection(
            nodes=_many(node),
            applications=_many(application),
            year_from=year_from,
            year_to=year_to,
            venues=_many(venue),
            tags=_many(tag),
            training=_many(training),
            code=code,
            text=text,
            base_models=_many(base_model),
        )
        return self._kb.sort_entries(select(self._kb, selection))

    # -- exports ---------------------------------------------------------------------------
    formats = tuple(FORMATS)

    def export(self, entries: Iterable[Entry] | None = None, fmt: str = "bibtex") -> str:
        """The entries (all when None) in one of ``formats``: the same text as ``evwm export``."""
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        chosen = list(self._kb.entries.values()) if entries is None else list(entries)
        return export(self._kb, sorted(chosen, key=lambda e: e.id), fmt)
