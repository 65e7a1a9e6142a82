"""The Python API: load, query and export through one facade object."""

from __future__ import annotations

import pytest

import evwm
from evwm import DataError, KnowledgeBase
from evwm.cli import main


def test_load_select_and_export_match_the_command_line(sample, capsys):
    kb = KnowledgeBase.load(sample.root)
    assert set(kb.entries) == {"fast-cache", "tiny-quant", "game-sim"}
    caching = kb.select(node="inference/caching")
    assert [e.id for e in caching] == ["tiny-quant", "fast-cache"]  # newest first
    assert [e.id for e in kb.select(application="game-simulation")] == ["game-sim"]
    assert [e.id for e in kb.select(year_from=2025, text="tiny")] == ["tiny-quant"]
    assert kb.select(node="inference/caching", year_to=2024) == [kb.entry("fast-cache")]
    main(["--root", str(sample.root), "export", "--node", "inference/caching"])
    assert kb.export(caching, "bibtex") == capsys.readouterr().out
    assert kb.citation("fast-cache").title == "Fast Caching for Video Diffusion"


def test_base_model_filter_reads_claims_too(sample):
    sample.entry(
        "on-wan",
        cites=["roe2025tiny"],
        claims=[
            {
                "metric": "speedup",
                "value": 2,
                "unit": "x",
                "baseline": "b",
                "base_model": "Wan2.1-T2V-1.3B",
                "source": "s",
            }
        ],
        relations=[{"type": "compares-with", "target": "fast-cache"}],
    )
    kb = KnowledgeBase.load(sample.root, strict=False)
    assert [e.id for e in kb.select(base_model="Wan2.1-T2V-1.3B")] == ["on-wan"]


def test_errors_raise_with_every_problem(sample):
    sample.entry("broken", cites=["missing2025x"])
    with pytest.raises(DataError) as info:
        KnowledgeBase.load(sample.root)
    assert any("citation key 'missing2025x' is not in bibliography/" in p.message for p in info.value.problems)
    assert KnowledgeBase.load(sample.root, strict=False).problems


def test_unknown_format_is_named(sample):
    kb = KnowledgeBase.load(sample.root)
    with pytest.raises(ValueError, match="unknown format 'docx'; use one of bibtex"):
        kb.export(None, "docx")
    assert "csl-json" in kb.formats and evwm.__version__
