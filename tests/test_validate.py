"""`evwm validate`: every problem, with file, line and field, in one run; exit codes."""

import subprocess
import sys

import pytest

from conftest import bib_record
from evwm.cli import main


def run(project, *args, capsys):
    code = main(["--root", str(project.root), "validate", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_clean_sample_exits_zero(sample, capsys):
    code, out = run(sample, capsys=capsys)
    assert code == 0
    assert "ok: 3 entries, 8 taxonomy nodes, 3 citations" in out


def line_of(path, needle):
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return number
    raise AssertionError(needle)


@pytest.mark.parametrize(
    "fields, needle, field, message",
    [
        (
            {"categories": ["inference/cachng"]},
            "inference/cachng",
            "categories[0]",
            "unknown taxonomy node 'inference/cachng' (did you mean 'inference/caching'",
        ),
        ({"applications": ["games"]}, "games", "applications[0]", "unknown application 'games'"),
        (
            {"cites": ["extra2025", "nobody2020x"]},
            "nobody2020x",
            "cites[1]",
            "citation key 'nobody2020x' is not in bibliography/",
        ),
        (
            {"relations": [{"type": "uses", "target": "broken"}]},
            "target: broken",
            "relations[0].target",
            "unknown entry 'broken'",
        ),
        (
            {"relations": [{"type": "uses", "target": "extra"}]},
            "target: extra",
            "relations[0].target",
            "an entry cannot relate to itself",
        ),
    ],
)
def test_each_cross_link_error_names_file_line_and_field(sample, capsys, fields, needle, field, message):
    sample.bib(bib_record("extra2025", "The Extra Paper"), name="extra")
    fields.setdefault("cites", ["extra2025"])
    path = sample.entry("extra", **fields)
    code, out = run(sample, capsys=capsys)
    assert code == 1
    expected = f"entries/main/extra.yaml:{line_of(path, needle)}: {field}: {message}"
    assert expected in out, out


def test_own_paper_claimed_by_two_entries(sample, capsys):
    path = sample.entry("zz-copy", cites=["doe2024fast"])
    code, out = run(sample, capsys=capsys)
    assert code == 1
    assert (
        f"entries/main/zz-copy.yaml:{line_of(path, 'doe2024fast')}: cites[0]: 'doe2024fast' is already the own paper of entry 'fast-cache'"
        in out
    )


def test_duplicate_entry_id_in_another_folder(sample, capsys):
    sample.entry("fast-cache", folder="other", cites=["roe2025tiny"])
    code, out = run(sample, capsys=capsys)
    assert code == 1
    assert (
        "entries/other/fast-cache.yaml:1: id: entry id 'fast-cache' is already used by entries/main/fast-cache.yaml"
        in out
    )


def test_id_must_match_file_name(sample, capsys):
    path = sample.entry("renamed", cites=["roe2025tiny"])
    path.rename(path.with_name("other-name.yaml"))
    _code, out = run(sample, capsys=capsys)
    assert (
        "entries/main/other-name.yaml:1: id: id 'renamed' does not match the file's location (use id 'other-name' or rename the file)"
        in out
    )


@pytest.mark.parametrize(
    "record, message",
    [
        (
            bib_record("doe2024fast", "Another Paper"),
            "citation key 'doe2024fast' is also defined at bibliography/main.bib:1",
        ),
        (bib_record("dup2025a", "Other Title", eprint="2401.00001"), "same arXiv id as record 'doe2024fast'"),
        (bib_record("dup2025b", "fast caching for VIDEO diffusion!"), "same title as record 'doe2024fast'"),
    ],
)
def test_duplicate_citations_are_errors(sample, capsys, record, message):
    sample.bib(record, name="zz")
    code, out = run(sample, capsys=capsys)
    assert code == 1
    assert "bibliography/zz.bib:1: " in out and message in out, out


def test_duplicate_doi(sample, capsys):
    sample.bib(
        bib_record("a2020x", "One", doi="10.1000/xyz") + bib_record("b2020y", "Two", doi="10.1000/XYZ"), name="zz"
    )
    _code, out = run(sample, capsys=capsys)
    assert "b2020y: same DOI as record 'a2020x'" in out


def test_uncited_record_is_only_a_warning(sample, capsys):
    sample.bib(bib_record("lonely2023x", "Nobody Cites Me"), name="zz")
    code, out = run(sample, capsys=capsys)
    assert code == 0
    assert "bibliography/zz.bib:1: lonely2023x: warning: no entry cites this record" in out
    code, out = run(sample, "--quiet", capsys=capsys)
    assert "lonely2023x" not in out


def test_a_benchmark_is_not_called_training_free(sample, capsys):
    # a benchmark or metric trains no generator: "training-free" would read as a method's claim
    sample.node("background", order=4)
    sample.node("background/evaluation", order=1)
    sample.bib(bib_record("roe2024bench", "A Benchmark of Video World Models"), name="zz")
    path = sample.entry("bench", categories=["background/evaluation"], cites=["roe2024bench"])
    code, out = run(sample, capsys=capsys)
    assert code == 0
    line = line_of(path, "training:")
    assert (
        f"entries/main/bench.yaml:{line}: training: warning: a benchmark, metric or study is not a "
        "training-free method (write 'training: not-applicable' (or the training its own model needs))"
    ) in out
    sample.entry("bench", categories=["background/evaluation"], cites=["roe2024bench"], training="not-applicable")
    code, out = run(sample, capsys=capsys)
    assert "bench.yaml" not in out
    # a method that is also evaluated under that node keeps its own training
    sample.entry("bench", categories=["background/evaluation", "inference/caching"], cites=["roe2024bench"])
    code, out = run(sample, capsys=capsys)
    assert "bench.yaml" not in out


def test_a_discussion_page_is_not_an_application(sample, capsys):
    passage = [{"section": "VI", "note": "Where the survey says world models for driving and robots are heading."}]
    sample.node("applications/discussion", order=9, draws_on=passage)
    sample.bib(bib_record("roe2024talk", "Where World Models Go"), name="zz")
    path = sample.entry("talk", applications=["discussion"], cites=["roe2024talk"])
    code, out = run(sample, capsys=capsys)
    assert code == 1
    line = line_of(path, "- discussion")
    assert f"entries/main/talk.yaml:{line}: applications[0]: unknown application 'discussion'" in out


def test_a_broken_applications_node_is_reported_once(sample, capsys):
    # its children are then loaded but placed under no root; the checks must still run
    (sample.root / "taxonomy/applications.yaml").write_text("id: applications\nname: [\n")
    code, out = run(sample, capsys=capsys)
    assert code == 1
    assert "Traceback" not in out
    assert out.startswith("taxonomy/applications.yaml:3: invalid YAML")
    assert "1 error, 0 warnings in 1 file" in out  # its children and their entries are not reported again


def test_missing_parent_node(sample, capsys):
    sample.node("architectures/memory")
    code, out = run(sample, capsys=capsys)
    assert code == 1
    assert "taxonomy/architectures/memory.yaml:1: id: parent node 'architectures' does not exist" in out


def test_bibtex_field_problems(sample, capsys):
    sample.bib(
        "@inproceedings{x2020a,\n  title = {T},\n  author = {A, B},\n  year = {20x5},\n  eprint = {arXiv:1234.5678}\n}\n",
        name="zz",
    )
    code, out = run(sample, capsys=capsys)
    assert code == 1
    assert "bibliography/zz.bib:1: x2020a.year: year '20x5' is not a four-digit year" in out
    assert "x2020a.booktitle: @inproceedings needs a 'booktitle'" in out
    assert "x2020a.eprint: 'arXiv:1234.5678' is not an arXiv identifier" in out


def test_all_problems_in_one_run(sample, capsys):
    sample.entry("a-one", categories=["nope"], cites=["missing1"])
    sample.entry("b-two", folder="sub", training="never", cites=["missing2"])
    sample.write("taxonomy/inference/broken.yaml", "id: [unclosed\n")
    code, out = run(sample, capsys=capsys)
    assert code == 1
    assert (
        "entries/main/a-one.yaml" in out and "entries/sub/b-two.yaml" in out and "taxonomy/inference/broken.yaml" in out
    )
    assert "4 errors, 0 warnings in 3 files" in out


def test_validation_error_lines_point_into_nested_fields(sample, capsys):
    path = sample.entry(
        "nested",
        cites=["roe2025tiny"],
        claims=[{"metric": "fps", "value": "fast", "unit": "FPS", "baseline": "b", "source": "s"}],
    )
    _code, out = run(sample, capsys=capsys)
    assert f"entries/main/nested.yaml:{line_of(path, 'value: fast')}: claims[0].value:" in out
    assert "write a plain number" in out


def test_unknown_field_suggests_the_right_one(sample, capsys):
    path = sample.write(
        "entries/main/typo.yaml",
        (sample.root / "entries/main/fast-cache.yaml")
        .read_text()
        .replace("id: fast-cache", "id: typo")
        .replace("summary:", "sumary:")
        .replace("doe2024fast", "roe2025tiny", 1),
    )
    _code, out = run(sample, capsys=capsys)
    assert (
        f"entries/main/typo.yaml:{line_of(path, 'sumary')}: sumary: is not a known field (did you mean 'summary' or 'survey'?)"
        in out
    )


def test_cli_process_prints_no_traceback_and_exits_one(sample):
    sample.write("entries/main/bad.yaml", "id: bad\nname: [\n")
    result = subprocess.run(
        [sys.executable, "-m", "evwm.cli", "--root", str(sample.root), "validate"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert (
        "entries/main/bad.yaml:3: invalid YAML" in result.stdout
        or "entries/main/bad.yaml:2: invalid YAML" in result.stdout
    )


def test_stats_json(sample, capsys):
    import json

    assert main(["--root", str(sample.root), "stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert (stats["entries"], stats["citations"], stats["relations"]) == (3, 3, 2)
    nodes = {n["id"]: n for n in stats["nodes"]}
    assert nodes["inference"] == {"id": "inference", "name": "Inference", "leaf": False, "entries": 2}
    assert nodes["inference/caching"]["entries"] == 2 and nodes["inference/caching"]["leaf"] is True
    assert stats["applications"] == {"game-simulation": 1, "autonomous-driving": 0}
    assert stats["years"] == {"2024": 1, "2025": 2}


def test_stats_refuses_broken_data(sample, capsys):
    sample.entry("broken", categories=["nope"], cites=["roe2025tiny"])
    assert main(["--root", str(sample.root), "stats"]) == 1


def test_a_folder_that_is_not_a_project_is_refused(tmp_path, capsys):
    assert main(["--root", str(tmp_path), "validate"]) == 2
    assert "is not an evwm project" in capsys.readouterr().err


def test_unwritable_outputs_are_reported_without_traceback(sample, capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["--root", str(sample.root), "export", "-o", str(blocker / "out.bib")]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert main(["--root", str(sample.root), "build", "--site-dir", str(blocker / "site")]) == 1
    assert "cannot write next to" in capsys.readouterr().err
