"""`evwm rekey`: a BibTeX key renamed in its record and in every entry citing it, all or nothing."""

from __future__ import annotations

import pytest

from conftest import bib_record
from evwm.cli import main
from evwm.kb import load

# a 2025 preprint published at ICLR 2026: its key still carries the preprint's year
PUBLISHED = bib_record(
    "shen2025lyra",
    "Lyra: Generative {3D} Scene Reconstruction",
    2026,
    "2509.19296",
    kind="inproceedings",
    booktitle="International Conference on Learning Representations (ICLR)",
)
OTHER = bib_record("doe2025other", "Another Paper", 2025, "2501.00002")


@pytest.fixture
def kb(project):
    project.node("inference")
    project.node("inference/caching")
    project.node("applications")
    project.entry("lyra", cites=["shen2025lyra"], relations=[{"type": "builds-on", "target": "other"}])
    project.entry(
        "other",
        cites=["doe2025other", "shen2025lyra"],
        claims=[
            {
                "metric": "speedup",
                "value": 2.0,
                "unit": "x",
                "baseline": "the original model",
                "source": "Table 1",
                "cite": "shen2025lyra",
            }
        ],
        relations=[{"type": "compares-with", "target": "lyra"}],
    )
    project.bib(PUBLISHED + OTHER)
    return project


def run(project, *args, capsys):
    code = main(["--root", str(project.root), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def texts(project):
    return {p: p.read_text() for p in sorted(project.root.rglob("*")) if p.suffix in (".bib", ".yaml")}


def test_validate_warns_of_a_key_whose_year_is_not_the_records(kb, capsys):
    code, out, _ = run(kb, "validate", capsys=capsys)
    assert code == 0  # a warning: the key still resolves
    line = next(x for x in out.splitlines() if "shen2025lyra" in x)
    assert line.startswith("bibliography/main.bib:1: shen2025lyra: warning:")
    assert "the key's year 2025 is not the record's year 2026" in line
    assert "`evwm rekey shen2025lyra --write` renames it to shen2026lyra" in line
    assert "doe2025other" not in out


def test_rekey_renames_the_record_and_every_citation(kb, capsys):
    code, out, err = run(kb, "fmt", capsys=capsys)  # canonical before, so that fmt --check below tests rekey's files
    assert code == 0, out + err
    code, out, err = run(kb, "rekey", "shen2025lyra", "--write", capsys=capsys)
    assert code == 0, err
    assert out.splitlines() == [
        "shen2025lyra -> shen2026lyra: bibliography/main.bib, entries/main/lyra.yaml, entries/main/other.yaml"
    ]
    assert "1 key(s) renamed (rewrote 3 file(s))" in err
    after = load(kb.root)
    assert not after.problems, [p.format() for p in after.problems]
    assert "shen2026lyra" in after.citations and "shen2025lyra" not in after.citations
    assert after.entries["lyra"].cites == ["shen2026lyra"]
    assert after.entries["other"].cites == ["doe2025other", "shen2026lyra"]
    assert after.entries["other"].claims[0].cite == "shen2026lyra"
    code, out, _ = run(kb, "fmt", "--check", capsys=capsys)
    assert code == 0, out


def test_rekey_to_a_key_of_ones_own(kb, capsys):
    code, _, err = run(kb, "rekey", "doe2025other", "doe2025another", "--write", capsys=capsys)
    assert code == 0, err
    after = load(kb.root)
    assert after.entries["other"].cites == ["doe2025another", "shen2025lyra"]


def test_without_write_nothing_changes(kb, capsys):
    before = texts(kb)
    code, out, err = run(kb, "rekey", "shen2025lyra", capsys=capsys)
    assert code == 0
    assert out.startswith("shen2025lyra -> shen2026lyra: ")
    assert "run with --write to rewrite 3 file(s)" in err
    assert texts(kb) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("shen2025lyar",), "error: no BibTeX record 'shen2025lyar'; did you mean shen2025lyra?"),
        (("doe2025other",), "error: 'doe2025other' already carries its record's year (2025); give the new key"),
        (
            ("shen2025lyra", "doe2025other"),
            "error: 'doe2025other' is already the key of a record (bibliography/main.bib)",
        ),
        (("shen2025lyra", "shen 2026"), "error: 'shen 2026' is not a valid key: use letters, digits and - _ : . +"),
        (("shen2025lyra", "shen2025lyra"), "error: 'shen2025lyra' would be renamed to itself"),
    ],
)
def test_a_rename_that_cannot_be_done_is_refused_and_nothing_is_written(kb, capsys, args, message):
    before = texts(kb)
    code, _, err = run(kb, "rekey", *args, "--write", capsys=capsys)
    assert code == 1
    assert message in err
    assert "nothing was renamed" in err
    assert "Traceback" not in err
    assert texts(kb) == before


def test_years_renames_every_stale_key_in_one_run(kb, capsys):
    kb.bib(bib_record("roe2024late", "A Late Paper", 2025, "2412.00003", kind="article", journal="J"), name="more")
    kb.entry("late", cites=["roe2024late"], relations=[{"type": "builds-on", "target": "lyra"}])
    code, out, err = run(kb, "rekey", "--years", "--write", capsys=capsys)
    assert code == 0, err
    assert [x.split(":")[0] for x in out.splitlines()] == ["roe2024late -> roe2025late", "shen2025lyra -> shen2026lyra"]
    code, out, _ = run(kb, "validate", capsys=capsys)
    assert code == 0 and "warning" not in out
    code, _, err = run(kb, "rekey", "--years", capsys=capsys)
    assert code == 0 and "every key carries its record's year; nothing to rename" in err


def test_two_records_renamed_to_one_key_are_refused(kb, capsys):
    kb.bib(bib_record("shen2024lyra", "Lyra Again", 2026, "2412.00004"), name="more")
    before = texts(kb)
    code, _, err = run(kb, "rekey", "--years", "--write", capsys=capsys)
    assert code == 1
    assert "two records would both be renamed to 'shen2026lyra'" in err
    assert texts(kb) == before


def test_a_citing_entry_with_errors_stops_the_whole_rename(kb, capsys):
    path = kb.entry("broken", cites=["shen2025lyra"], training="sometimes")
    before = texts(kb)
    code, _, err = run(kb, "rekey", "shen2025lyra", "--write", capsys=capsys)
    assert code == 1
    assert f"error: {path.relative_to(kb.root).as_posix()} has errors; run `evwm validate` and fix them first" in err
    assert texts(kb) == before  # the .bib file and the other entries are not renamed either


def test_a_bib_file_a_rewrite_would_spoil_is_refused(kb, capsys):
    kb.bib("@comment{kept by hand}\n\n" + PUBLISHED + OTHER)
    before = texts(kb)
    code, _, err = run(kb, "rekey", "shen2025lyra", "--write", capsys=capsys)
    assert code == 1
    assert "bibliography/main.bib: holds comments, @string or @preamble that a rewrite would drop" in err
    assert texts(kb) == before


def test_the_command_needs_a_key_or_years(kb, capsys):
    code, _, err = run(kb, "rekey", capsys=capsys)
    assert code == 2 and "name the key to rename (evwm rekey OLD [NEW]), or give --years" in err
    code, _, err = run(kb, "rekey", "--years", "shen2025lyra", capsys=capsys)
    assert code == 2 and "--years renames every key whose year is stale; give it no keys" in err
