"""The shipped knowledge base keeps its promised size and shape (issue: at least 300 entries)."""

import pytest

from conftest import REPO
from evwm.kb import load

DIMENSIONS = ("paradigms", "architectures", "inference")


@pytest.fixture(scope="module")
def kb():
    return load(REPO)


def leaves_under(kb, root):
    return [n for n in kb.nodes if (n == root or n.startswith(root + "/")) and kb.is_leaf(n)]


def test_shipped_data_is_clean(kb):
    assert not kb.errors, "\n".join(p.format() for p in kb.errors)
    assert not kb.warnings, "\n".join(p.format() for p in kb.warnings)


def test_at_least_300_entries_and_150_relations(kb):
    assert len(kb.entries) >= 300
    assert kb.relation_count >= 150


@pytest.mark.parametrize("dimension", DIMENSIONS)
def test_every_efficiency_leaf_holds_at_least_8_entries(kb, dimension):
    leaves = leaves_under(kb, dimension)
    assert leaves
    small = {leaf: len(kb.subtree_entries(leaf)) for leaf in leaves if len(kb.subtree_entries(leaf)) < 8}
    assert not small


def test_every_application_holds_at_least_12_entries(kb):
    apps = kb.children("applications")
    assert {a.split("/")[1] for a in apps} == {"autonomous-driving", "embodied-ai", "game-simulation"}
    assert all(len(kb.subtree_entries(a)) >= 12 for a in apps)


def test_every_frontier_names_illustrating_entries(kb):
    frontiers = kb.children("frontiers")
    assert len(frontiers) >= 4
    assert all(len(kb.direct_entries(f)) >= 8 for f in frontiers)


def test_most_architecture_and_inference_entries_report_numbers(kb):
    entries = {e.id: e for d in ("architectures", "inference") for e in kb.subtree_entries(d)}
    with_claims = sum(1 for e in entries.values() if e.claims)
    assert with_claims / len(entries) >= 0.6


def test_every_entry_cites_a_paper_with_an_identifier_and_year(kb):
    missing = [
        e.id
        for e in kb.entries.values()
        if not (kb.citation(e).arxiv or kb.citation(e).doi or kb.citation(e).url) or not kb.citation(e).year
    ]
    assert not missing


def test_the_survey_taxonomy_is_complete(kb):
    expected = {
        "background",
        "paradigms/distillation/step-reduction",
        "paradigms/distillation/consistency",
        "paradigms/distillation/adversarial",
        "paradigms/autoregressive",
        "architectures/hierarchical-vae",
        "architectures/memory",
        "architectures/attention",
        "architectures/extrapolation",
        "inference/parallelism",
        "inference/caching",
        "inference/pruning",
        "inference/quantization",
        "applications/autonomous-driving",
        "applications/embodied-ai",
        "applications/game-simulation",
        "frontiers",
    }
    assert expected <= set(kb.nodes)
