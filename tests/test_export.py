"""`evwm export`: selection rules, formats, and output that real tools accept."""

import json
import re
import shutil
import subprocess
import sys

import bibtexparser
import pytest

from conftest import REPO, bib_record
from evwm.cli import main
from evwm.kb import load


def export(project, *args, capsys):
    code = main(["--root", str(project.root), "export", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def keys(bibtex_text):
    return re.findall(r"^@\w+\{([^,]+),", bibtex_text, flags=re.M)


@pytest.mark.parametrize(
    "args, expected",
    [
        ([], ["doe2024fast", "muller2025game", "roe2025tiny"]),
        (["--node", "inference"], ["doe2024fast", "roe2025tiny"]),  # sub-tree, deduplicated
        (["--node", "inference/quantization"], ["doe2024fast", "roe2025tiny"]),  # all works the entry cites
        (["--node", "paradigms", "--node", "inference/caching"], ["doe2024fast", "muller2025game", "roe2025tiny"]),
        (["--application", "game-simulation"], ["muller2025game"]),
        (["--from", "2025"], ["doe2024fast", "muller2025game", "roe2025tiny"]),  # tiny-quant (2025) cites doe2024fast
        (["--to", "2024"], ["doe2024fast"]),
        (["--venue", "neurips"], ["doe2024fast"]),
        (["--venue", "arXiv", "--from", "2025", "--to", "2025"], ["doe2024fast", "muller2025game", "roe2025tiny"]),
        (["--tag", "real-time"], ["muller2025game"]),
        (["--training", "fine-tuning"], ["doe2024fast", "roe2025tiny"]),
        (["--code"], ["doe2024fast"]),
        (["--text", "PLAYABLE world"], ["muller2025game"]),
        (["--id", "fast-cache", "--id", "game-sim"], ["doe2024fast", "muller2025game"]),
        (["--node", "inference", "--training", "training-free"], ["doe2024fast"]),
    ],
)
def test_selection(sample, capsys, args, expected):
    code, out, err = export(sample, *args, capsys=capsys)
    assert code == 0, err
    assert keys(out) == expected


def test_output_is_deterministic_and_written_to_file(sample, capsys, tmp_path):
    _, first, _ = export(sample, capsys=capsys)
    _, second, _ = export(sample, capsys=capsys)
    assert first == second
    target = tmp_path / "out.bib"
    code, out, err = export(sample, "-o", str(target), capsys=capsys)
    assert code == 0 and out == "" and target.read_text() == first
    assert "wrote 3 entries" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--node", "inference/cachng"], "unknown node 'inference/cachng'; did you mean inference/caching"),
        (["--application", "games"], "unknown application 'games'; did you mean"),
        (["--venue", "NeurIPZ"], "unknown venue 'NeurIPZ'; did you mean NeurIPS"),
        (["--id", "fast-cach"], "unknown id 'fast-cach'; did you mean fast-cache"),
        (["--base-model", "Nothing-Like-It"], "unknown base model 'Nothing-Like-It' (see vocab/base-models.yaml)"),
        (["--from", "2026", "--to", "2024"], "--from 2026 is after --to 2024; swap them"),
    ],
)
def test_unknown_values_name_the_closest_valid_ones(sample, capsys, args, message):
    code, out, err = export(sample, *args, capsys=capsys)
    assert code == 2 and out == ""
    assert message in err


def test_empty_selection_is_an_error(sample, capsys):
    code, out, err = export(sample, "--text", "nothing-like-this", capsys=capsys)
    assert code == 1 and out == ""
    assert "no entry matches these filters" in err


def test_bad_arguments_exit_nonzero_without_traceback(sample):
    result = subprocess.run(
        [sys.executable, "-m", "evwm.cli", "--root", str(sample.root), "export", "--from", "soon"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --from: 'soon' is not a year like 2025" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "-f", "bibtx"], "error: 'bibtx' is not a choice of --format; did you mean bibtex, biblatex?"),
        (["export", "--training", "none"], "error: 'none' is not a choice of --training; use one of training-free,"),
        (["exprot"], "error: 'exprot' is not an evwm command; did you mean export?"),
    ],
)
def test_a_value_outside_a_fixed_list_names_the_closest(sample, capsys, args, message):
    with pytest.raises(SystemExit) as exit_:
        main(["--root", str(sample.root), *args])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: evwm") and message in err, err


def test_bibtex_round_trip_gives_the_same_records(sample):
    from evwm.export import export as do_export

    kb = load(sample.root)
    text = do_export(kb, list(kb.entries.values()), "bibtex")
    parsed = {e.key: e for e in bibtexparser.parse_string(text).entries}
    assert set(parsed) == set(kb.citations)
    for key, cit in kb.citations.items():
        again = parsed[key]
        assert again.entry_type == cit.entry_type
        for field, value in cit.fields.items():
            assert again.fields_dict[field].value == _ascii_latex(value), (key, field)


def _ascii_latex(value):
    # the exporter only changes non-ASCII characters (into LaTeX) and white space
    from evwm.export.bibtex import _latex_safe

    return _latex_safe(re.sub(r"\s+", " ", value).strip())


def test_non_ascii_becomes_latex_and_reads_back_identically(sample, capsys):
    sample.bib(bib_record("zeta2025x", "Über Schrödinger’s Café", authors="Šimánek, Zoë and Ng, Ana"), name="x")
    sample.entry("zeta", cites=["zeta2025x"])
    _code, out, _ = export(sample, "--id", "zeta", capsys=capsys)
    assert out.isascii()
    kb = load(sample.root)
    from evwm.records.bib import parse_bib

    cit = parse_bib(out, "x")[0][0]
    assert cit.title == kb.citations["zeta2025x"].title
    assert [p.full for p in cit.authors] == ["Zoë Šimánek", "Ana Ng"]


@pytest.mark.parametrize(
    "fmt, check",
    [
        ("biblatex", lambda t: "@inproceedings{doe2024fast," in t and "date" in t and "eprinttype" in t),
        ("ris", lambda t: t.count("TY  - ") == 3 and "AU  - Müller, Jörg" in t and "AU  - Team Example" in t),
        ("markdown", lambda t: t.startswith("1. Jane Doe and Richard Roe. **Fast Caching for Video Diffusion**.")),
        ("csv", lambda t: t.splitlines()[0].startswith("id,name,title") and len(t.splitlines()) == 4),
        ("csl-json", lambda t: [i["id"] for i in json.loads(t)] == ["doe2024fast", "muller2025game", "roe2025tiny"]),
    ],
)
def test_formats(sample, capsys, fmt, check):
    code, out, _ = export(sample, "--format", fmt, capsys=capsys)
    assert code == 0 and check(out), out


def test_csl_names(sample, capsys):
    _, out, _ = export(sample, "--id", "game-sim", "-f", "csl-json", capsys=capsys)
    item = json.loads(out)[0]
    assert item["author"] == [
        {"family": "Müller", "given": "Jörg"},
        {"literal": "Team Example"},
        {"family": "García", "given": "Ana"},
    ]
    assert item["issued"] == {"date-parts": [[2025]]} and item["number"] == "arXiv:2503.00003"


# -- the shipped knowledge base through real tools ---------------------------------------------


@pytest.fixture(scope="module")
def shipped_export(tmp_path_factory):
    from evwm.export import export as do_export

    kb = load(REPO)
    assert not kb.errors
    folder = tmp_path_factory.mktemp("tools")
    entries = list(kb.entries.values())
    (folder / "refs.bib").write_text(do_export(kb, entries, "bibtex"), encoding="utf-8")
    (folder / "refs.json").write_text(do_export(kb, entries, "csl-json"), encoding="utf-8")
    return kb, folder


@pytest.mark.skipif(not shutil.which("bibtex"), reason="bibtex missing: scripts/test installs it")
def test_full_export_runs_through_bibtex_without_warnings(shipped_export):
    kb, folder = shipped_export
    (folder / "main.aux").write_text("\\relax\n\\citation{*}\n\\bibstyle{plain}\n\\bibdata{refs}\n")
    result = subprocess.run(["bibtex", "main"], cwd=folder, capture_output=True, text=True)
    log = (folder / "main.blg").read_text(errors="replace")
    assert result.returncode == 0, log
    assert "Warning" not in log and "error" not in log.lower(), log
    assert (folder / "main.bbl").read_text(errors="replace").count("\\bibitem") == len(kb.citations)


@pytest.mark.skipif(not shutil.which("pandoc"), reason="pandoc missing: scripts/test installs it")
def test_csl_json_renders_with_pandoc_citeproc(shipped_export):
    kb, folder = shipped_export
    (folder / "doc.md").write_text("---\nnocite: '@*'\n---\n\n# References\n")
    result = subprocess.run(
        ["pandoc", "doc.md", "--citeproc", "--bibliography=refs.json", "-t", "html"],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    assert result.stdout.count('class="csl-entry"') == len(kb.citations)


def test_base_model_filter_takes_any_spelling_of_a_listed_model(sample, capsys):
    sample.write(
        "vocab/base-models.yaml",
        '- {id: wan-2-1-t2v-14b, name: "Wan2.1-T2V-14B", family: "Wan 2.1", aliases: ["Wan 2.1 14B"]}\n',
    )
    sample.entry("slow-attn", cites=["lee2025slow"], base_models=["Wan 2.1 14B"])
    sample.bib(bib_record("lee2025slow", "Slow Attention for Video"), name="slow")
    for spelling in ("Wan2.1-T2V-14B", "wan 2.1 t2v 14b", "wan-2-1-t2v-14b"):
        code, out, _ = export(sample, "--base-model", spelling, "-f", "csv", capsys=capsys)
        assert code == 0
        assert [row.split(",")[0] for row in out.splitlines()[1:]] == ["slow-attn"], spelling
