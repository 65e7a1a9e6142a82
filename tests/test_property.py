"""Property-based tests (Hypothesis): whatever the bytes of a file, every command succeeds or
reports ``path:line: field: message (hint)`` and exits 1, with no traceback and nothing
half-written; ``evwm fmt`` keeps every value and is idempotent, line separators included.

Examples are few per property (the suite must stay fast); each one runs the real commands
in this process on a tiny project, so an exception anywhere fails the property.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from conftest import Project, bib_record, fill_sample
from evwm.cli import main
from evwm.records.bib import parse_bib
from evwm.records.canonical import dump_entry, prose, quoted, scalar
from evwm.records.loader import load_record
from evwm.records.models import Entry
from evwm.records.problems import Severity

try:
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

# EVWM_FUZZ=20 runs twenty times as many examples, for a longer search by hand.
SCALE = int(os.environ.get("EVWM_FUZZ", "1"))
FEW = settings(max_examples=40 * SCALE, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=150 * SCALE, deadline=None, database=None)

# Characters that have broken YAML, BibTeX or Markdown somewhere.
ODD = (
    "\x00\x07\t\r\n\x0b\x0c\x1b\x7f\x85\x9b\xa0\u2028\u2029\u202a\u202e\u2066\u2069\ufeff\ufffe\U0001f600"
    ":#&*!|>'\"%@`{}[],-?\\<=+~$_^"
)
# Lone surrogates cannot come from a UTF-8 file, only from escapes, which validation refuses;
# they go into the raw files (as invalid UTF-8) but not into the values that canonical writes.
char = st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(ODD))
odd_char = st.one_of(char, st.sampled_from(["\ud800", "\udfff"]))
odd_text = st.text(odd_char, max_size=60)
value_text = st.text(char, max_size=60)

YAML_VALUES = [
    ".nan",
    ".inf",
    "-.inf",
    "1e400",
    "9" * 5000,
    "0x1F",
    "1_000",
    "2024-02-30",
    "2024-13-45 25:61:00",
    "!!python/object/apply:os.system ['true']",
    "!!float x",
    "!!binary aGk=",
    "!local x",
    "&a x",
    "*a",
    "[" * 40,
    "{a: {b: {c: 1}}}",
    "|\n  x\n y",
    ">-\n  y",
    '"\\u2028"',
    '"\\x85"',
    '"\\ud800"',
    '"\\x07"',
    '"\\u202e"',
    "~",
    "null",
    "yes",
    "on",
    "<script>alert(1)</script>",
    "```",
    "~~~",
    "!!! note",
    "# T",
    "- a",
    "[x](javascript:alert(1))",
    "![x](https://e.example/x.png)",
    "{: .x}",
    "x" * 100_000,
    "\ufeff",
    "index",
    "'unclosed",
    '"unclosed',
    "a: b: c",
    "? complex\n: key",
    "%YAML 1.1",
    "---",
    "...",
]
BIB_VALUES = [
    "@string{a = {x}}",
    "@comment{x}",
    '@preamble{"\\def\\x{y}"}',
    "}",
    "{",
    '"',
    "#",
    "%",
    "\\input{x}",
    "\\write18{touch /tmp/evwm-pwned}",
    "year = {\u00b2\u2070\u00b2\u2075}",
    "@misc{",
    ",",
    "=",
    " and ",
    "author = {and and}",
    'title = "a}b"',
    "@",
    "@@misc{x,}",
    "\x00",
    "\u202e",
    "url = {javascript:x}",
    "title = a # b",
    "@misc{k, title = big}",
    "doi = {10.1/<script>}",
    "{" * 50,
    "}" * 50,
    "x" * 30_000,
]


@st.composite
def mutated(draw: st.DrawFn, base: str, values: list[str]) -> str:
    """A valid file with a few edits: odd text inserted, a stretch deleted, a value replaced, a line
    repeated or a hostile line added."""
    text = base
    for _ in range(draw(st.integers(1, 4))):
        lines = text.split("\n")
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["insert", "delete", "value", "repeat", "line"]))
        if kind == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(odd_text) + text[at:]
            continue
        if kind == "delete":
            start = draw(st.integers(0, len(text)))
            text = text[:start] + text[start + draw(st.integers(0, 40)) :]
            continue
        if kind == "value" and ":" in lines[i]:
            lines[i] = lines[i].split(":")[0] + ": " + draw(st.one_of(st.sampled_from(values), odd_text))
        elif kind == "value" and "=" in lines[i]:
            lines[i] = lines[i].split("=")[0] + "= " + draw(st.one_of(st.sampled_from(values), odd_text))
        elif kind == "repeat":
            lines.insert(i, lines[i])
        else:
            lines.insert(i, draw(st.sampled_from(values)))
        text = "\n".join(lines)
    if draw(st.integers(0, 9)) == 0:
        text = "\ufeff" + text
    return text


def as_bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # lone surrogates become invalid UTF-8, as in the wild


def run(root: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["--root", str(root), *args])
    assert code in (0, 1, 2), code
    return code, out.getvalue()


PROBLEM = re.compile(r"^(entries|bibliography|taxonomy|vocab|survey)(/\S*?)?(:\d+)?: \S")
SUMMARY = re.compile(r"^(\d+ errors?, \d+ warnings? in \d+ files?|no problems found|ok: .*)$")


def assert_reported(output: str) -> None:
    """Every line is a problem in the project's format or the closing summary: nothing else."""
    for line in output.splitlines():
        assert PROBLEM.match(line) or SUMMARY.match(line), line
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The sample project in canonical form, with a vocabulary that holds only what it uses."""
    project = fill_sample(Project(tmp_path_factory.mktemp("prop") / "kb"))
    (project.root / "vocab/base-models.yaml").write_text("[]\n")
    # the paper of the generated entries (uncited between examples: a warning only)
    project.bib(bib_record("fuzz2025x", "A Generated Paper", eprint="2509.00041"), name="fuzzbase")
    assert run(project.root, "fmt")[0] == 0
    assert run(project.root, "validate")[0] == 0
    return project


def valid_entry_text(tiny: Project) -> str:
    return (tiny.root / "entries/main/fast-cache.yaml").read_text()


def valid_bib_text(tiny: Project) -> str:
    return (tiny.root / "bibliography/main.bib").read_text()


def check_file(tiny: Project, relpath: str, data: bytes, model: type[Entry] | None) -> None:
    """validate reports or accepts; fmt leaves a bad file byte for byte, and a good one keeps its values."""
    path = tiny.root / relpath
    path.write_bytes(data)
    try:
        code, out = run(tiny.root, "validate")
        assert_reported(out)
        event("accepted" if code == 0 else "reported")
        assert run(tiny.root, "stats")[0] == code
        if code:  # the build stops before MkDocs and writes nothing (valid files: see the build property)
            assert run(tiny.root, "build")[0] == 1 and not (tiny.root / "site").exists()
        before = load_record(path, tiny.root, model, path.stem)[0] if model else None
        code, out = run(tiny.root, "fmt")
        assert "Traceback" not in out
        if code == 1:
            assert path.read_bytes() == data
            return
        if before is not None:
            after = load_record(path, tiny.root, model, path.stem)[0]
            assert after is not None and after.model == before.model
        once = path.read_bytes()
        assert run(tiny.root, "fmt") == (0, "all files are in canonical form\n")
        assert path.read_bytes() == once
    finally:
        path.unlink()
        shutil.rmtree(tiny.root / "site", ignore_errors=True)


@FEW
@given(st.data())
def test_any_entry_file_is_accepted_or_reported(tiny: Project, data: st.DataObject) -> None:
    base = valid_entry_text(tiny).replace("id: fast-cache", "id: fuzz").replace("doe2024fast", "fuzz2025x")
    text = data.draw(
        st.one_of(
            st.binary(max_size=400).map(lambda b: b),
            odd_text.map(as_bytes),
            mutated(base, YAML_VALUES).map(as_bytes),
        )
    )
    check_file(tiny, "entries/main/fuzz.yaml", text, Entry)


@FEW
@given(st.data())
def test_any_bibtex_file_is_accepted_or_reported(tiny: Project, data: st.DataObject) -> None:
    base = bib_record("fuzz2025x", "A Fuzzed Record", eprint="2509.00042", authors="M{\\\"u}ller, J{\\'o}rg")
    text = data.draw(
        st.one_of(
            st.binary(max_size=400),
            odd_text.map(as_bytes),
            mutated(base, BIB_VALUES).map(as_bytes),
            mutated(valid_bib_text(tiny), BIB_VALUES).map(as_bytes),
        )
    )
    check_file(tiny, "bibliography/fuzz.bib", text, None)


@SOME
@given(value_text)
def test_canonical_scalars_read_back_as_written(text: str) -> None:
    assert yaml.load("k: " + scalar(text), Loader=Loader) == {"k": text}
    assert yaml.load("k: " + quoted(text), Loader=Loader) == {"k": text}
    assert "\u2028" not in quoted(text) and "\x85" not in quoted(text)


@SOME
@given(st.text(st.one_of(char, st.sampled_from(" \n\n  word ")), max_size=300))
def test_canonical_prose_reads_back_as_written(text: str) -> None:
    for indent in ("", "  "):
        block = prose("summary", text, indent)
        assert yaml.load(block.replace("\n" + indent, "\n").removeprefix(indent), Loader=Loader) == {"summary": text}
        assert prose("summary", text, indent) == block


prose_text = st.text(
    st.one_of(
        st.sampled_from("abcxyz ABC 0129 .,;:'\"()-/%*_`[]#!?&=+~|"),
        st.sampled_from(["\u00e9", "\u4e2d", "\u03b1", "\u00d7", "\u2013", "\U0001f600", "\u00a0", "\n"]),
        st.sampled_from(["\u2028", "\u2029"]),
    ),
    max_size=200,
)
line_text = st.text(
    st.sampled_from("abcxyz ABC 0129 .,;:'\"()-/%*_#!?&=+~|\u00e9\u4e2d\u03b1\u00d7"), min_size=1, max_size=60
)
GOOD = "A method that makes video diffusion models faster to sample, by a wide margin."


@st.composite
def entries(draw: st.DrawFn) -> Entry | None:
    data = {
        "id": "fuzz",
        "name": draw(line_text),
        "categories": ["inference/caching"],
        "cites": ["fuzz2025x"],
        "summary": GOOD + draw(prose_text) + " " + GOOD,
        "mechanism": draw(prose_text) + GOOD,
        "training": "training-free",
        "base_models": [draw(line_text)],
        "claims": [
            {
                "metric": "speedup",
                "value": draw(st.floats(-1e12, 1e12, allow_nan=False)),
                "unit": "x",
                "baseline": draw(line_text),
                "setting": draw(line_text),
                "source": draw(line_text),
            }
        ],
        "relations": [{"type": "uses", "target": "fast-cache", "note": draw(line_text)}],
    }
    try:
        return Entry.model_validate(data)
    except ValueError:
        return None  # text outside the subset: the property is about what validates


@SOME
@given(entries())
def test_fmt_keeps_every_value_and_is_idempotent(entry: Entry | None) -> None:
    if entry is None:
        return
    from evwm.records.yamlio import parse_yaml

    text = dump_entry(entry)
    again = Entry.model_validate(parse_yaml(text).data)
    assert again == entry
    assert dump_entry(again) == text


@settings(max_examples=25 * SCALE, deadline=None, database=None)
@given(entries(), line_text, line_text)
def test_export_of_any_valid_record_succeeds(tiny: Project, entry: Entry | None, title: str, author: str) -> None:
    if entry is None:
        return
    title = re.sub(r"([&%#_$])", r"\\\1", title.replace("{", "").replace("}", "").replace("\\", ""))
    family = re.sub(r"[^\w]", "", author, flags=re.UNICODE) or "Doe"
    record = bib_record("fuzzt2025x", title, authors=f"{family}, Jane and Roe, {family}", eprint="2509.00042")
    if any(p.severity is Severity.ERROR for p in parse_bib(record, "x")[1]):
        event("record refused")
        return
    event("exported")
    entry = entry.model_copy(update={"cites": ["fuzzt2025x"]})
    paths = [tiny.root / "entries/main/fuzz.yaml", tiny.root / "bibliography/fuzz.bib"]
    paths[0].write_text(dump_entry(entry))
    paths[1].write_text(record)
    try:
        code, out = run(tiny.root, "validate")
        assert code == 0, out
        for fmt in ("bibtex", "biblatex", "csl-json", "ris", "markdown", "csv"):
            code, out = run(tiny.root, "export", "-f", fmt)
            assert code == 0, out
            if fmt == "csl-json":
                json.loads(out)
            if fmt == "csv":
                rows = list(csv.reader(io.StringIO(out)))
                assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    finally:
        for path in paths:
            path.unlink()


@settings(max_examples=4 * SCALE, deadline=None, database=None)
@given(entries())
def test_build_of_any_valid_record_succeeds(tiny: Project, entry: Entry | None) -> None:
    if entry is None:
        return
    path = tiny.root / "entries/main/fuzz.yaml"
    path.write_text(dump_entry(entry))
    site = tiny.root / "site"
    try:
        code, out = run(tiny.root, "build", "--site-dir", str(site))
        assert code == 0, out
        page = next(site.rglob("fuzz/index.html")).read_text()
        assert "<script>alert" not in page
    finally:
        path.unlink()
        shutil.rmtree(site, ignore_errors=True)


@FEW
@given(st.data())
def test_new_from_any_bibtex_writes_a_whole_entry_or_nothing(tiny: Project, data: st.DataObject) -> None:
    base = bib_record("fresh2025x", "A Fresh Paper on Caching", eprint="2509.00043")
    record = data.draw(st.one_of(st.binary(max_size=300), mutated(base, BIB_VALUES).map(as_bytes)))
    source = tiny.root.parent / "record.bib"
    source.write_bytes(record)
    before = {p: p.read_bytes() for p in tiny.root.rglob("*") if p.is_file()}
    args = ("new", "--bibtex", str(source), "--category", "inference/caching", "--folder", "fresh")
    code, out = run(tiny.root, *args)
    assert "Traceback" not in out
    after = {p: p.read_bytes() for p in tiny.root.rglob("*") if p.is_file()}
    event("written" if code == 0 else "refused")
    if code != 0:
        assert after == before, out
        return
    added = sorted(p.relative_to(tiny.root).as_posix() for p in set(after) - set(before))
    assert len(added) == 2 and added[0].startswith("bibliography/fresh") and added[1].startswith("entries/fresh/")
    for p in set(after) - set(before):
        p.unlink()
    (tiny.root / "entries/fresh").rmdir()


@FEW
@given(st.data())
def test_any_vocabulary_file_is_accepted_or_reported(tiny: Project, data: st.DataObject) -> None:
    path = tiny.root / "vocab/hardware.yaml"
    original = path.read_bytes()
    text = data.draw(st.one_of(st.binary(max_size=300), mutated(original.decode()[:1500], YAML_VALUES).map(as_bytes)))
    path.write_bytes(text)
    try:
        _code, out = run(tiny.root, "validate")
        assert_reported(out)
    finally:
        path.write_bytes(original)


cell = st.text(st.one_of(char, st.sampled_from("0123456789\u00b2")).filter(lambda c: c not in "\t\n"), max_size=12)
rows = st.lists(st.tuples(st.text(st.sampled_from("0123456789\u00b2\u0663"), min_size=1, max_size=3), cell, cell, cell))


@settings(FEW, phases=[Phase.generate])  # no shrinking while it is known to fail: it would take minutes
@given(st.one_of(st.text(char, max_size=300), rows.map(lambda rs: "\n".join("\t".join(r) for r in rs))))
def test_any_survey_reference_list_is_accepted_or_reported(tiny: Project, text: str) -> None:
    path = tiny.root / "survey/references.tsv"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(as_bytes(text))
    try:
        _code, out = run(tiny.root, "validate")
        assert "Traceback" not in out
    finally:
        path.unlink()
