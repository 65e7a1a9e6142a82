"""The knowledge base: validated records plus the indexes every renderer and exporter needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from evwm.records.bib import Citation
from evwm.records.loader import Project, Source
from evwm.records.models import Claim, Entry, Relation, TaxonomyNode
from evwm.records.problems import Problem, Severity

APPLICATIONS_ROOT = "applications"


def application_node(slug: str) -> str:
    """The node an application slug names: 'embodied-ai' -> 'applications/embodied-ai'."""
    return f"{APPLICATIONS_ROOT}/{slug}"


def application_slug(node_id: str) -> str:
    """The slug of an application node or of any node below it: 'applications/embodied-ai/planning' -> 'embodied-ai'."""
    return node_id.split("/")[1]


@dataclass(frozen=True)
class Incoming:
    source: str  # id of the entry that declares the relation
    relation: Relation


class KnowledgeBase:
    def __init__(self, project: Project):
        self.root = project.root
        self.node_sources: dict[str, Source[TaxonomyNode]] = {}
        self.entry_sources: dict[str, Source[Entry]] = {}
        self.citations: dict[str, Citation] = {}
        self.problems: list[Problem] = list(project.problems)
        # First definition wins; the duplicates are reported by checks.
        for node in project.nodes:
            self.node_sources.setdefault(node.model.id, node)
        for entry in sorted(project.entries, key=lambda s: s.model.id):
            self.entry_sources.setdefault(entry.model.id, entry)
        for cit in project.citations:
            self.citations.setdefault(cit.key, cit)
        self.project = project  # the raw records, duplicates included, for the cross-checks
        self.vocab = project.vocab
        self._subtree: dict[str, list[Entry]] = {}

    # -- records -------------------------------------------------------------------------
    @cached_property
    def nodes(self) -> dict[str, TaxonomyNode]:
        """All nodes in tree order (depth first, siblings by ``order`` then name)."""
        ordered: dict[str, TaxonomyNode] = {}

        def visit(node_id: str) -> None:
            ordered[node_id] = self.node_sources[node_id].model
            for child in self.children(node_id):
                visit(child)

        for root in self.roots:
            visit(root)
        return ordered

    @cached_property
    def entries(self) -> dict[str, Entry]:
        return {k: s.model for k, s in self.entry_sources.items()}

    @cached_property
    def _children(self) -> dict[str | None, list[str]]:
        kids: dict[str | None, list[str]] = defaultdict(list)
        for node_id, src in self.node_sources.items():
            kids[src.model.parent_id].append(node_id)
        for ids in kids.values():
            ids.sort(key=lambda i: (self.node_sources[i].model.order, self.node_sources[i].model.name))
        return kids

    def children(self, node_id: str | None) -> list[str]:
        return self._children.get(node_id, [])

    @property
    def roots(self) -> list[str]:
        return self.children(None)

    def is_leaf(self, node_id: str) -> bool:
        return not self.children(node_id)

    def ancestors(self, node_id: str) -> list[str]:
        """Ids from the root down to the node's parent."""
        parts = node_id.split("/")
        return ["/".join(parts[:i]) for i in range(1, len(parts))]

    # -- membership ------------------------------------------------------------------------
    def placements(self, entry: Entry) -> list[str]:
        """Nodes an entry sits in: its categories, then its applications' nodes."""
        extra = [application_node(a) for a in entry.applications if application_node(a) not in entry.categories]
        return list(entry.categories) + extra

    @cached_property
    def _members(self) -> dict[str, list[str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for entry in self.entries.values():
            for node_id in self.placements(entry):
                members[node_id].append(entry.id)
        return members

    def nodes_of(self, entry: Entry) -> set[str]:
        """Every node an entry belongs to, ancestors included: what a sub-tree filter matches."""
        return {a for n in self.placements(entry) for a in (*self.ancestors(n), n)}

    def direct_entries(self, node_id: str) -> list[Entry]:
        return self.sort_entries(self.entries[e] for e in self._members.get(node_id, []))

    def subtree_entries(self, node_id: str) -> list[Entry]:
        # Asked for by node pages, counts and downloads alike: computed once per node.
        if node_id not in self._subtree:
            ids: set[str] = set()
            stack = [node_id]
            while stack:
                current = stack.pop()
                ids.update(self._members.get(current, []))
                stack.extend(self.children(current))
            self._subtree[node_id] = self.sort_entries(self.entries[e] for e in ids)
        return list(self._subtree[node_id])

    # -- citations -------------------------------------------------------------------------
    def citation(self, entry: Entry) -> Citation | None:
        return self.citations.get(entry.primary_cite)

    def year(self, entry: Entry) -> int | None:
        cit = self.citation(entry)
        return cit.year if cit else None

    def sort_entries(self, entries: Iterable[Entry]) -> list[Entry]:
        """Newest first, then by name: the order readers expect in a literature table."""
        return sorted(entries, key=lambda e: (-(self.year(e) or 0), e.name.lower(), e.id))

    def cited_by(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for entry in self.entries.values():
            for key in entry.cites:
                out[key].append(entry.id)
            for claim in entry.claims:  # a claim may take its number from another document (the survey)
                if claim.cite and entry.id not in out[claim.cite]:
                    out[claim.cite].append(entry.id)
        return out

    # -- relations -------------------------------------------------------------------------
    @cached_property
    def _incoming(self) -> dict[str, list[Incoming]]:
        incoming: dict[str, list[Incoming]] = defaultdict(list)
        for entry in self.entries.values():
            for relation in entry.relations:
                incoming[relation.target].append(Incoming(entry.id, relation))
        return incoming

    def incoming(self, entry_id: str) -> list[Incoming]:
        return self._incoming.get(entry_id, [])

    @property
    def relation_count(self) -> int:
        return sum(len(e.relations) for e in self.entries.values())

    def by_year(self) -> dict[int | None, list[Entry]]:
        groups: dict[int | None, list[Entry]] = defaultdict(list)
        for entry in self.sort_entries(self.entries.values()):
            groups[self.year(entry)].append(entry)
        return dict(groups)

    def iter_nodes(self) -> Iterator[TaxonomyNode]:
        return iter(self.nodes.values())

    # -- derived lists (computed once; templates and commands read these) -----------------
    @cached_property
    def applications(self) -> list[str]:
        """Application slugs: the children of the applications node ('autonomous-driving', ...), but
        not its discussion page, which draws on the survey's text rather than naming a field."""
        kids = self.children(APPLICATIONS_ROOT)  # read from the sources: a broken parent leaves them unplaced
        return [application_slug(n) for n in kids if not self.node_sources[n].model.draws_on]

    @cached_property
    def venues(self) -> list[str]:
        """Short venue names in use ('CVPR', 'arXiv', ...), alphabetical."""
        return sorted({c.venue_short for e in self.entries.values() if (c := self.citation(e))}, key=str.lower)

    @cached_property
    def tags(self) -> list[str]:
        return sorted({t for e in self.entries.values() for t in e.tags})

    def base_models_of(self, entry: Entry) -> set[str]:
        """Vocabulary ids (or the written names, where unknown) of the models an entry starts from or is measured on."""
        names = [*entry.base_models, *(c.base_model for c in entry.claims if c.base_model)]
        return {self.vocab.base_model_id(n) or n for n in names}

    def base_model_families_of(self, entry: Entry) -> set[str]:
        """Families ('Wan 2.1', 'HunyuanVideo', ...) of the base models an entry is evaluated on."""
        models = self.vocab.base_models
        return {models[b].family for b in self.base_models_of(entry) if b in models}

    @cached_property
    def base_model_entries(self) -> dict[str, list[Entry]]:
        """Base-model family -> entries evaluated on it, for the "same ground" comparison pages."""
        out: dict[str, list[Entry]] = defaultdict(list)
        for entry in self.sort_entries(self.entries.values()):
            families = {
                self.vocab.base_models[b].family for b in self.base_models_of(entry) if b in self.vocab.base_models
            }
            for family in families:
                out[family].append(entry)
        return dict(sorted(out.items(), key=lambda kv: kv[0].lower()))

    # -- the survey ------------------------------------------------------------------------
    @cached_property
    def survey_holders(self) -> dict[int, str]:
        """Survey reference number -> id of the entry that holds it."""
        return {ref: e.id for e in self.entries.values() if e.survey for ref in e.survey.refs}

    def survey_coverage(self) -> list[dict[str, Any]]:
        """The survey's sections in order, each with its references and where each one went."""
        v = self.vocab
        node_of = {n.survey.section: n.id for n in self.nodes.values() if n.survey}
        by_section: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for ref in sorted(v.survey_refs.values(), key=lambda r: r.number):
            holder = self.survey_holders.get(ref.number)
            excluded = v.exclusions.get(ref.number)
            by_section[ref.section].append(
                {
                    "number": ref.number,
                    "title": ref.title,
                    "entry": holder,
                    "excluded": excluded[0] if excluded else None,
                }
            )
        sections = [{"section": "I", "heading": "Introduction"}] + [
            {"section": s, "heading": h} for s, h in v.survey_sections.items()
        ]
        out = []
        for sec in sections:
            refs = by_section.get(sec["section"], [])
            out.append(
                {
                    **sec,
                    "node": node_of.get(sec["section"]),
                    "refs": refs,
                    "held": sum(1 for r in refs if r["entry"]),
                    "depth": sec["section"].count("."),
                }
            )
        return out

    def survey_claims(self, node_id: str, citation_key: str) -> list[tuple[Entry, Claim]]:
        """Claims under a node that take their number from one document (the survey's tables), on
        the entries the survey reviews: the survey's own comparison, as long as the survey's."""
        return [
            (e, c)
            for e in self.subtree_entries(node_id)
            if e.survey and e.survey.refs
            for c in e.claims
            if c.cite == citation_key
        ]

    # -- claims ----------------------------------------------------------------------------
    def hardware_label(self, claim: Claim) -> str:
        """'4× NVIDIA A800' from the device id and count; what the source said when it is not a known id."""
        if not claim.hardware:
            return ""
        device = self.vocab.devices.get(claim.hardware)
        name = device.name if device else claim.hardware
        return f"{claim.gpus}× {name}" if claim.gpus else name

    def metric_name(self, metric_id: str) -> str:
        metric = self.vocab.metrics.get(metric_id)
        return metric.name if metric else metric_id

    def quality_label(self, claim: Claim) -> str:
        """'VBench −0.07 %' or 'FVD 120 (baseline 130)': the quality cost shown beside a speed."""
        q = claim.quality
        if q is None:
            return ""
        name = self.metric_name(q.metric)
        unit = f" {q.unit}" if q.unit else ""
        if q.change is not None:
            return f"{name} {q.change:+g}{unit}"
        base = f" (baseline {q.baseline_value:g})" if q.baseline_value is not None else ""
        return f"{name} {q.value:g}{unit}{base}"

    # -- problems --------------------------------------------------------------------------
    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]
