"""Checks on the survey data and the controlled vocabularies: each is a clear error naming file, line and field."""

from __future__ import annotations

import shutil

import pytest

from conftest import REPO, bib_record
from evwm.cli import main

CLAIM = {"metric": "speedup", "value": 2.0, "unit": "x", "baseline": "50 steps", "source": "Table 1"}


def run(project, capsys):
    code = main(["--root", str(project.root), "validate"])
    out = capsys.readouterr()
    return code, out.out + out.err


@pytest.fixture
def surveyed(sample):
    """The sample with a three-reference survey, its sections and one exclusion."""
    sample.write(
        "survey/references.tsv",
        "# refs\nref\tsection\tarxiv\ttitle\n1\tV.B\t2401.00001\tFast caching\n"
        "2\tV.D\t2502.00002\tTiny quantised\n3\tII.C\t\tA generic network\n",
    )
    sample.write(
        "survey/sections.yaml",
        "- {section: V, heading: Efficient Inference}\n- {section: V.B, heading: Caching}\n"
        "- {section: V.D, heading: Quantization}\n- {section: II.C, heading: Architectures}\n"
        "- {section: III.A, heading: Distillation}\n",
    )
    sample.write(
        "survey/exclusions/main.yaml", "- {ref: 3, reason: generic-building-block, note: A generic network.}\n"
    )
    for node_id, section, heading in (
        ("inference/caching", "V.B", "Caching"),
        ("inference/quantization", "V.D", "Quantization"),
    ):
        sample.node(node_id, order=1, survey={"section": section, "heading": heading})
    sample.entry(
        "fast-cache",
        cites=["doe2024fast"],
        survey={"refs": [1]},
        relations=[{"type": "compares-with", "target": "tiny-quant"}],
    )
    sample.entry(
        "tiny-quant",
        categories=["inference/quantization"],
        cites=["roe2025tiny"],
        survey={"refs": [2]},
        relations=[{"type": "builds-on", "target": "fast-cache"}],
        training="fine-tuning",
    )
    return sample


def test_a_complete_survey_validates(surveyed, capsys):
    code, out = run(surveyed, capsys)
    assert code == 0, out


def test_unknown_section_and_section_claimed_twice(surveyed, capsys):
    surveyed.node("inference/caching", order=1, survey={"section": "V.Q", "heading": "Caching"})
    surveyed.node("inference/pruning", order=3, survey={"section": "V.D", "heading": "Quantization"})
    code, out = run(surveyed, capsys)
    assert code == 1
    assert "taxonomy/inference/caching.yaml:" in out and "survey.section: 'V.Q' is not a section of the survey" in out
    assert "section V.D is already the node in taxonomy/inference/" in out


def test_wrong_heading_names_the_printed_one(surveyed, capsys):
    surveyed.node("inference/caching", order=1, survey={"section": "V.B", "heading": "Feature caching"})
    code, out = run(surveyed, capsys)
    assert code == 1 and "survey.heading: the survey's heading for V.B is 'Caching'" in out


def test_reference_claimed_twice_or_unknown_or_also_excluded(surveyed, capsys):
    surveyed.entry(
        "tiny-quant",
        categories=["inference/quantization"],
        cites=["roe2025tiny"],
        survey={"refs": [2, 1, 3, 99]},
        relations=[{"type": "builds-on", "target": "fast-cache"}],
    )
    code, out = run(surveyed, capsys)
    assert code == 1
    assert "entries/main/tiny-quant.yaml:" in out
    assert "survey.refs[1]: reference [1] is already claimed by entry 'fast-cache'" in out
    assert "survey.refs[2]: reference [3] is also excluded at survey/exclusions/main.yaml:1" in out
    assert "survey.refs[3]: the survey has no reference [99]" in out


def test_reference_in_no_entry_and_not_excluded(surveyed, capsys):
    surveyed.write("survey/exclusions/main.yaml", "[]\n")
    code, out = run(surveyed, capsys)
    assert code == 1
    assert "survey/references.tsv:5: [3]: reference [3] (A generic network) is in no entry and not excluded" in out


def test_entry_placed_outside_the_section_that_discusses_it_is_warned(surveyed, capsys):
    surveyed.node("paradigms/distillation", order=1, survey={"section": "III.A", "heading": "Distillation"})
    surveyed.entry(
        "tiny-quant",
        categories=["paradigms/distillation"],
        cites=["roe2025tiny"],
        survey={"refs": [2]},
        relations=[{"type": "builds-on", "target": "fast-cache"}],
    )
    code, out = run(surveyed, capsys)
    assert code == 0
    assert "warning: the survey discusses [2] in V.D, but no category is under 'inference/quantization'" in out


@pytest.mark.parametrize(
    "claim, field, message",
    [
        (
            {"metric": "speed-up"},
            "claims[0].metric",
            "'speed-up' is not a metric in vocab/metrics.yaml (did you mean 'speedup'",
        ),
        ({"unit": "s"}, "claims[0].unit", "'s' is not a unit of 'speedup' (use one of x)"),
        (
            {"hardware": "h100-sxm"},
            "claims[0].hardware",
            "'h100-sxm' is not a device in vocab/hardware.yaml (did you mean 'h100'",
        ),
        (
            {"quality": {"metric": "speedup", "change": 1}},
            "claims[0].quality.metric",
            "'speedup' is not a quality metric",
        ),
        ({"cite": "nobody2020x"}, "claims[0].cite", "citation key 'nobody2020x' is not in bibliography/"),
    ],
)
def test_claims_outside_the_vocabulary_name_the_nearest_term(sample, capsys, claim, field, message):
    sample.entry("fast-cache", cites=["doe2024fast"], claims=[{**CLAIM, **claim}])
    code, out = run(sample, capsys)
    assert code == 1 and "entries/main/fast-cache.yaml:" in out and f"{field}: {message}" in out


def test_base_models_and_tags_must_be_in_the_vocabulary(sample, capsys):
    shutil.copy(REPO / "vocab" / "base-models.yaml", sample.root / "vocab" / "base-models.yaml")
    shutil.copy(REPO / "vocab" / "tags.yaml", sample.root / "vocab" / "tags.yaml")
    sample.entry(
        "fast-cache",
        cites=["doe2024fast"],
        base_models=["Wan 2.1 14B", "Wan2.1-T2V-14B", "Wan3.0-XL"],
        tags=["training-free", "trainingfree"],
        claims=[{**CLAIM, "base_model": "hunyuan video"}],
    )
    code, out = run(sample, capsys)
    assert code == 1
    assert "base_models[0]" not in out and "base_models[1]" not in out  # one model, two spellings
    assert "base_models[2]: 'Wan3.0-XL' is not a base model in vocab/base-models.yaml" in out
    assert "claims[0].base_model" not in out
    assert "tags[1]: 'trainingfree' is not a tag in vocab/tags.yaml (did you mean 'training-free'" in out


def test_list_items_cut_inside_parentheses_are_refused(sample, capsys):
    sample.entry("fast-cache", cites=["doe2024fast"], base_models=["Stable Diffusion (v1.5", "v2.1)"])
    code, out = run(sample, capsys)
    assert (
        code == 1 and "base_models[0]: has unbalanced parentheses: was a list item cut at a comma inside them?" in out
    )


@pytest.mark.parametrize(
    "authors, message",
    [
        (
            "{Feilong Zuo Xuejiao Zeng} and Doe, Jane",
            "'Feilong Zuo Xuejiao Zeng' looks like several names in one pair of braces",
        ),
        ("Doe, Jane, Roe, Richard", "looks like two names joined by a comma"),
    ],
)
def test_merged_author_names_are_caught(sample, capsys, authors, message):
    sample.bib(
        bib_record("acro2025x", "Fast Caching for Video Diffusion Two", 2025, "2501.00009", authors=authors),
        name="acro",
    )
    code, out = run(sample, capsys)
    assert code == 1 and message in out and "separate every author with ' and '" in out


def test_corporate_authors_are_not_mistaken_for_merged_names(sample, capsys):
    sample.bib(
        bib_record(
            "acro2025x",
            "Fast Caching for Video Diffusion Two",
            2025,
            "2501.00009",
            authors="{NVIDIA Cosmos World Foundation Team} and Doe, Jane",
        ),
        name="acro",
    )
    code, out = run(sample, capsys)
    assert code == 0 and "looks like" not in out


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("note", r"\input{/etc/passwd}", r"LaTeX command \input is not allowed in bibliographic data"),
        ("note", r"\immediate\write18{ls}", r"LaTeX command \immediate is not allowed"),
        ("year", "²⁰²⁴", "year '²⁰²⁴' is not a four-digit year"),
        ("title", '"Forged } , note = {injected"', "title: unbalanced braces (every { needs its }"),
    ],
)
def test_dangerous_or_broken_bibtex_values(sample, capsys, field, value, message):
    fields = {
        "title": "{Fast Caching for Video Diffusion}",
        "year": "{2024}",
        field: value if value.startswith('"') else "{" + value + "}",
    }
    text = (
        "@misc{doe2024fast,\n"
        + "".join(f"  {k} = {v},\n" for k, v in fields.items())
        + "  author = {Doe, Jane},\n  eprint = {2401.00001},\n  archiveprefix = {arXiv}\n}\n"
    )
    sample.bib(text.replace("doe2024fast", "acro2025x").replace("2401.00001", "2501.00009"), name="acro")
    code, out = run(sample, capsys)
    assert code == 1 and message in out and "Traceback" not in out


def test_unprotected_acronyms_are_warned(sample, capsys):
    sample.bib(bib_record("acro2025x", "GAIA and TinyFusion for Minecraft", 2025, "2501.00009"), name="acro")
    sample.entry("acro", cites=["acro2025x"], relations=[{"type": "compares-with", "target": "fast-cache"}])
    code, out = run(sample, capsys)
    assert code == 0
    assert (
        "bibliography/acro.bib:1: acro2025x.title: warning: bibliography styles would lower-case 'GAIA', 'TinyFusion', 'Minecraft'"
        in out
    )
