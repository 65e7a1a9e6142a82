"""Schema rules of the pydantic models, independent of files."""

import pytest
from pydantic import ValidationError

from evwm.records.models import Claim, Entry, TaxonomyNode

BASE = {
    "id": "fast-cache",
    "name": "Fast Cache",
    "categories": ["inference/caching"],
    "cites": ["doe2024fast"],
    "summary": "A method that makes video diffusion models faster to sample.",
    "mechanism": "It reuses features from earlier denoising steps instead of recomputing.",
    "training": "training-free",
}


def errors(**changes):
    with pytest.raises(ValidationError) as info:
        Entry.model_validate({**BASE, **changes})
    return {(tuple(e["loc"]), e["type"]) for e in info.value.errors()}


def test_minimal_entry_is_valid_and_defaults_are_empty():
    entry = Entry.model_validate(BASE)
    assert entry.primary_category == "inference/caching"
    assert entry.primary_cite == "doe2024fast"
    assert entry.claims == [] and entry.relations == [] and entry.links.code is None


def test_unknown_field_is_an_error():
    assert ((("sumary",), "extra_forbidden")) in errors(sumary="typo")


@pytest.mark.parametrize("field", ["id", "name", "categories", "cites", "summary", "mechanism", "training"])
def test_required_fields(field):
    data = dict(BASE)
    del data[field]
    with pytest.raises(ValidationError) as info:
        Entry.model_validate(data)
    assert (field,) in {tuple(e["loc"]) for e in info.value.errors()}


def test_training_must_be_one_of_three_values():
    assert ((("training",), "enum")) in errors(training="zero-shot")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x.org/a", "data:text/html,hi", "http://", "not a url"])
def test_links_accept_only_http_urls(url):
    assert any(loc == ("links", "code") for loc, _ in errors(links={"code": url}))


def test_http_and_https_links_are_accepted():
    entry = Entry.model_validate({**BASE, "links": {"code": "https://github.com/a/b", "project": "http://a.org/"}})
    assert entry.links.code == "https://github.com/a/b"


@pytest.mark.parametrize("bad_id", ["../etc/passwd", "Upper", "-lead", "a/b", "a b", ""])
def test_entry_ids_are_plain_slugs(bad_id):
    assert any(loc == ("id",) for loc, _ in errors(id=bad_id))


def test_duplicate_list_items_and_relations_are_errors():
    assert any(loc == ("categories",) for loc, _ in errors(categories=["inference/caching", "inference/caching"]))
    rel = {"type": "uses", "target": "other"}
    assert any(loc == () for loc, _ in errors(relations=[rel, rel]))


def test_relation_type_is_checked():
    assert any(loc[-1] == "type" for loc, _ in errors(relations=[{"type": "likes", "target": "x"}]))


def test_summary_too_short_and_too_long():
    assert any(loc == ("summary",) for loc, _ in errors(summary="Short."))
    assert any(loc == ("summary",) for loc, _ in errors(summary="word " * 1000))


def test_markdown_links_in_prose_must_be_http():
    assert any(loc == ("summary",) for loc, _ in errors(summary="See [this](javascript:alert(1)) for details on it."))
    Entry.model_validate({**BASE, "summary": "See [the paper](https://arxiv.org/abs/2506.08009) for the details."})


def test_claim_needs_number_unit_baseline_and_source():
    claim = {"metric": "speedup", "value": 2.1, "unit": "x", "baseline": "50 steps", "source": "Table 1"}
    assert Claim.model_validate(claim).display_value == "2.1×"
    for field in ("value", "unit", "baseline", "source"):
        with pytest.raises(ValidationError):
            Claim.model_validate({k: v for k, v in claim.items() if k != field})
    with pytest.raises(ValidationError):
        Claim.model_validate({**claim, "value": "2.1x"})


def test_node_description_needs_80_words_and_parent_is_implied():
    node = TaxonomyNode.model_validate(
        {"id": "inference/caching", "name": "Caching", "order": 1, "description": "word " * 80}
    )
    assert node.parent_id == "inference" and node.depth == 1
    with pytest.raises(ValidationError) as info:
        TaxonomyNode.model_validate({"id": "x", "name": "X", "order": 1, "description": "too short"})
    assert "at least 80" in str(info.value)
