"""Bounded work and one file policy under hostile files: big, endless, linked or odd inputs are
refused fast with the project's own message, and no command writes through a link."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import time

import pytest

from conftest import REPO, bib_record
from evwm.cli import main
from evwm.curation import fmt


def run(root, *args) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["--root", str(root), *args])
    return code, out.getvalue()


def evwm(root, *args, stdin: bytes | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "evwm.cli", "--root", str(root), *args],
        capture_output=True,
        input=stdin,
        timeout=timeout,
    )


@pytest.fixture
def sample(sample):
    (sample.root / "vocab/base-models.yaml").write_text("[]\n")
    return sample


def test_a_megabyte_of_string_references_is_refused_in_seconds(sample):
    """One large @string used thousands of times: it once took 271 s; the expansion is bounded first."""
    big = "x " * 50_000
    records = [f"@string{{big = {{{big}}}}}\n"]
    size = len(records[0])
    n = 0
    while size < 1_000_000 - 80:
        record = f"@misc{{k{n}, title = big, author = big, year = 2025}}\n"
        records.append(record)
        size += len(record)
        n += 1
    (sample.root / "bibliography/bomb.bib").write_text("".join(records))
    start = time.monotonic()
    result = evwm(sample.root, "validate")
    elapsed = time.monotonic() - start
    out = result.stdout.decode()
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert (
        "bibliography/bomb.bib:3: k1.title: @string abbreviations expand to more than 262,144 characters in this file"
    ) in out
    assert elapsed < 10, f"took {elapsed:.1f} s"


def test_a_megabyte_of_dense_latex_validates_in_seconds(sample):
    records, size, i = [], 0, 0
    while True:
        title = "{\\'E}t{\\\"u}de " * 60 + str(i)
        authors = " and ".join(f"M{{\\\"u}}ller{j}, J{{\\'o}}rg" for j in range(12))
        record = f"@misc{{k{i},\n  title = {{{title}}},\n  author = {{{authors}}},\n  year = {{2025}}\n}}\n"
        if size + len(record) > 1_000_000:
            break
        records.append(record)
        size += len(record)
        i += 1
    (sample.root / "bibliography/dense.bib").write_text("".join(records))
    start = time.monotonic()
    code, out = run(sample.root, "validate", "-q")
    assert time.monotonic() - start < 10
    assert code == 0, out[-2000:]


def test_bigger_than_the_limit_is_refused_before_reading(sample):
    (sample.root / "bibliography/huge.bib").write_text("%" * (1024 * 1024 + 10) + "\n")
    code, out = run(sample.root, "validate")
    assert code == 1
    assert "bibliography/huge.bib:1: file is 1,048,587 bytes, larger than the 1,048,576 allowed" in out


def test_one_overlong_value_is_refused(sample):
    sample.bib(bib_record("long2025x", "Long " * 5000, eprint="2509.00001"), name="long")
    code, out = run(sample.root, "validate")
    assert code == 1
    assert "long2025x.title: is 24,999 characters long, more than the 20,000 allowed (shorten it)" in out


def test_a_fifo_or_a_link_to_dev_zero_is_never_read(sample):
    os.mkfifo(sample.root / "entries/main/pipe.yaml")
    os.symlink("/dev/zero", sample.root / "entries/main/zero.yaml")
    os.symlink("/dev/zero", sample.root / "bibliography/zero.bib")
    for command in ("validate", "fmt"):
        result = evwm(sample.root, command, timeout=30)
        out = (result.stdout + result.stderr).decode()
        assert result.returncode == 1 and "Traceback" not in out
        assert "entries/main/pipe.yaml: is not a regular file, so it is not read" in out
        assert "entries/main/zero.yaml: is a symbolic link to a file, which is not read" in out
        assert "bibliography/zero.bib: is a symbolic link to a file, which is not read" in out


def test_endless_standard_input_is_refused(sample):
    result = evwm(sample.root, "new", "--bibtex", "-", "--category", "inference", stdin=b"\0" * (2 * 1024 * 1024))
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert b"error: - is larger than the 1,048,576 bytes an input may have" in result.stderr


@pytest.mark.parametrize(
    "name",
    [
        ".#fast-cache.yaml",
        "#fast-cache.yaml#",
        "fast-cache.yaml~",
        ".fast-cache.yaml.swp",
        "~$fast-cache.yaml",
        ".~lock.fast-cache.yaml#",
        "._fast-cache.yaml",
        "fast-cache.yaml.orig",
        ".DS_Store",
    ],
)
def test_editor_files_are_skipped_without_a_word(sample, name):
    (sample.root / "entries/main" / name).write_text("id: [broken\n")
    for command in ("validate", "fmt"):
        code, out = run(sample.root, command)
        assert code == 0, out
        assert name not in out


def test_fmt_names_an_unknown_file_once_and_still_formats(sample):
    (sample.root / "entries/main/notes.txt").write_text("junk")
    result = fmt.run(sample.root, check=True)
    assert result.problems == []
    assert [w.format() for w in result.warnings] == [
        "entries/main/notes.txt: warning: is not read: files in entries/ end in .yaml or .yml "
        "(rename it, or move it out of the data folders)"
    ]


def test_fmt_prints_the_unknown_file_warning(sample):
    (sample.root / "entries/main/notes.txt").write_text("junk")
    code, out = run(sample.root, "fmt")
    assert code == 0
    assert out.count("entries/main/notes.txt: warning: is not read") == 1


def test_fmt_refuses_a_linked_entries_folder(sample, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.yaml").write_text("id: x\nname:    X\n")
    os.symlink(outside, sample.root / "entries/linked")
    code, out = run(sample.root, "fmt")
    assert code == 1 and "entries/linked: is a symbolic link to a folder, which is not read" in out
    assert (outside / "x.yaml").read_text() == "id: x\nname:    X\n"


@pytest.mark.parametrize("folder", ["entries", "bibliography", "taxonomy"])
def test_a_linked_top_level_folder_is_not_read(sample, tmp_path, folder):
    outside = tmp_path / folder
    (sample.root / folder).rename(outside)
    os.symlink(outside, sample.root / folder)
    for command in ("validate", "fmt"):
        code, out = run(sample.root, command)
        assert code == 1 and f"{folder}: is a symbolic link to a folder, which is not read" in out


def test_schema_never_writes_through_a_link(sample, tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("keep me")
    (sample.root / "schemas").mkdir()
    os.symlink(target, sample.root / "schemas/entry.schema.json")
    code, out = run(sample.root, "schema")
    assert target.read_text() == "keep me"
    assert code == 1 and "is a symbolic link" in out


def test_a_superscript_survey_number_is_an_error_not_a_crash(sample):
    (sample.root / "survey").mkdir(exist_ok=True)
    (sample.root / "survey/references.tsv").write_text("\u00b2\tI\t2401.00001\tA title\n")
    code, out = run(sample.root, "validate")
    assert code == 1 and "survey/references.tsv:1:" in out


def test_new_never_reads_a_linked_or_odd_bib_file(sample, tmp_path):
    """`evwm new --folder x` reads bibliography/x.bib to add its record: a FIFO there (or a link to
    /dev/zero) must be refused, not read; the writer below only ever runs if something opens it."""
    import threading

    fifo = sample.root / "bibliography/contributed.bib"
    os.mkfifo(fifo)
    opened = threading.Event()

    def writer() -> None:
        # blocks until a reader opens the FIFO; the test's own release closes it at once (broken pipe)
        with contextlib.suppress(BrokenPipeError), open(fifo, "w") as handle:
            opened.set()
            handle.write(bib_record("other2025x", "Other", eprint="2509.00077"))

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    record = tmp_path / "paper.bib"
    record.write_text(bib_record("new2025paper", "A New Paper on Caching", eprint="2509.00001"))
    try:
        code, out = run(
            sample.root, "new", "--bibtex", str(record), "--category", "inference/caching", "--folder", "contributed"
        )
    finally:
        read_during_run = opened.is_set()
        if not read_during_run:  # release the writer (this open is the test's own, after the run)
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        thread.join(5)
    assert code == 1 and "contributed.bib" in out
    assert not read_during_run, "the FIFO was read"


def test_yaml_files_at_the_size_limit_validate_in_seconds(sample):
    limit = 255 * 1024
    sample.write("entries/main/keys.yaml", "".join(f"k{i}: v\n" for i in range(limit // 9)))
    sample.write("entries/main/items.yaml", "id: items\ntags:\n" + "  - a\n" * (limit // 6))
    sample.write("entries/main/claims.yaml", "id: claims\nclaims:\n" + "  - {metric: x, value: 1}\n" * (limit // 26))
    sample.write("entries/main/flow.yaml", "id: [" + "a, " * (limit // 3 - 5) + "]\n")
    start = time.monotonic()
    code, out = run(sample.root, "validate")
    assert code == 1 and "Traceback" not in out
    assert time.monotonic() - start < 10
    assert all(f"entries/main/{name}.yaml:" in out for name in ("keys", "items", "claims", "flow"))


def test_randomly_broken_copies_of_the_shipped_data_never_raise():
    # scripts/fuzz breaks one file per seed (vocabularies, taxonomy and survey files here, where
    # one broken record affects the most others) and runs validate, export and stats on the copy
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts/fuzz"), "--kind", "other", "--seeds", "20", "--start", "1000"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert done.stdout.strip().endswith("20 seeds from 1000: 0 failure(s)")
