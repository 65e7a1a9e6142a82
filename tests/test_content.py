"""The shipped knowledge base keeps its promised size, shape and survey coverage.

The floors below are what main holds today, so nothing can silently regress; raise them as the
knowledge base grows, never lower them. Where today's floor is below the goal of the issues
(a relation for every entry), the goal is named beside it.
"""

from __future__ import annotations

import pytest

from conftest import REPO
from evwm.kb import load

MIN_ENTRIES = 1600
MIN_SURVEY_SHARE = 0.95  # of the survey's in-scope references, held by an entry
TECHNIQUES = ("paradigms", "architectures", "inference")
MIN_TECHNIQUE_CLAIM_SHARE = 0.86  # the goal was 0.80
MIN_APPLICATION_CLAIM_SHARE = 0.62  # the goal: a frame-rate, latency or steps claim for world models
MAX_ENTRIES_WITHOUT_RELATION = 10  # goal: 0; entries that neither declare nor receive a relation
MAX_ENTRIES_DECLARING_NO_RELATION = 33
MIN_LEAF_ENTRIES = 4
MAX_TAGS = 150
WORLD_MODEL_METRICS = {"throughput", "latency", "steps"}


@pytest.fixture(scope="module")
def kb():
    return load(REPO)


def test_shipped_data_is_clean(kb):
    assert not kb.errors, "\n".join(p.format() for p in kb.errors)
    assert not kb.warnings, "\n".join(p.format() for p in kb.warnings)


def test_enough_entries(kb):
    assert len(kb.entries) >= MIN_ENTRIES, f"{len(kb.entries)} entries, the floor is {MIN_ENTRIES}"


def test_entries_relate_to_others(kb):
    # A relation is declared by the later paper (it builds on, or compares with, the earlier one),
    # so the oldest works take part through the relations that point at them.
    alone = sorted(e.id for e in kb.entries.values() if not e.relations and not kb.incoming(e.id))
    assert len(alone) <= MAX_ENTRIES_WITHOUT_RELATION, f"{len(alone)} entries in no relation: {', '.join(alone)}"
    undeclared = sum(1 for e in kb.entries.values() if not e.relations)
    assert undeclared <= MAX_ENTRIES_DECLARING_NO_RELATION, f"{undeclared} entries declare no relation"


def test_every_survey_section_is_a_node_with_its_heading(kb):
    nodes = {n.survey.section: n for n in kb.nodes.values() if n.survey}
    sections = {s: h for s, h in kb.vocab.survey_sections.items() if s != "VIII"}
    assert set(sections) <= set(nodes), f"sections without a node: {sorted(set(sections) - set(nodes))}"
    assert all(nodes[s].survey.heading.lower() == h.lower() for s, h in sections.items())


def test_the_survey_is_covered(kb):
    v = kb.vocab
    out_of_scope = {
        n for n, (x, _, _) in v.exclusions.items() if x.reason in ("generic-building-block", "out-of-scope")
    }
    in_scope = set(v.survey_refs) - out_of_scope
    held = set(kb.survey_holders) & in_scope
    missing = sorted(in_scope - held)
    assert len(held) / len(in_scope) >= MIN_SURVEY_SHARE, f"survey references not held: {missing}"
    assert set(v.survey_refs) == set(kb.survey_holders) | set(v.exclusions)


def test_every_leaf_of_the_techniques_holds_entries(kb):
    leaves = [n for n in kb.nodes if n.split("/")[0] in TECHNIQUES and kb.is_leaf(n) and not n.endswith("discussion")]
    thin = {n: len(kb.subtree_entries(n)) for n in leaves if len(kb.subtree_entries(n)) < MIN_LEAF_ENTRIES}
    assert not thin, f"leaves with fewer than {MIN_LEAF_ENTRIES} entries: {thin}"


def test_every_application_and_related_area_holds_entries(kb):
    areas = [n for n in kb.nodes if n.split("/")[0] in ("applications", "related") and kb.is_leaf(n)]
    thin = {
        n: len(kb.subtree_entries(n)) for n in areas if not n.endswith("discussion") and len(kb.subtree_entries(n)) < 12
    }
    assert not thin, f"areas with fewer than 12 entries: {thin}"


def test_every_frontier_and_discussion_names_illustrating_entries(kb):
    pages = [n for n in kb.nodes.values() if n.draws_on]
    assert len(pages) >= 8
    empty = [n.id for n in pages if len(kb.subtree_entries(n.id)) < 3]
    assert not empty, f"discussion or frontier pages with fewer than 3 entries: {empty}"


def test_techniques_report_numbers(kb):
    entries = {e.id: e for d in TECHNIQUES for e in kb.subtree_entries(d)}
    share = sum(1 for e in entries.values() if e.claims) / len(entries)
    assert share >= MIN_TECHNIQUE_CLAIM_SHARE, f"{share:.0%} of technique entries carry a claim"


def test_world_models_report_speed(kb):
    entries = {e.id: e for e in kb.subtree_entries("applications")}
    share = sum(1 for e in entries.values() if any(c.metric in WORLD_MODEL_METRICS for c in e.claims)) / len(entries)
    assert share >= MIN_APPLICATION_CLAIM_SHARE, f"{share:.0%} of application entries report FPS, latency or steps"


def test_tags_are_few_and_each_is_shared(kb):
    counts = {t: 0 for t in kb.vocab.tags}
    for e in kb.entries.values():
        for t in e.tags:
            counts[t] += 1
    assert len(counts) <= MAX_TAGS
    lonely = sorted(t for t, n in counts.items() if n < 2)
    assert not lonely, f"tags used by fewer than two entries: {lonely}"


def test_every_entry_cites_a_paper_a_reader_can_find(kb):
    """An arXiv id, a DOI or a URL, or else the published venue with its pages; and a year."""

    def findable(cit):
        return cit.arxiv or cit.doi or cit.url or (cit.venue and cit.fields.get("pages"))

    missing = [e.id for e in kb.entries.values() if not findable(kb.citation(e)) or not kb.citation(e).year]
    assert not missing


def test_base_models_resolve_and_claims_use_the_vocabulary(kb):
    unresolved = sorted(
        {
            n
            for e in kb.entries.values()
            for n in [*e.base_models, *(c.base_model for c in e.claims if c.base_model)]
            if not kb.vocab.base_model_id(n)
        }
    )
    assert not unresolved
    assert all(c.metric in kb.vocab.metrics for e in kb.entries.values() for c in e.claims)
