"""`evwm fmt` (canonical form, idempotent, meaning-preserving) and `evwm schema` (kept in sync)."""

import json

from conftest import REPO
from evwm.cli import main
from evwm.kb import load
from evwm.records import schema


def fmt(project, *args, capsys):
    code = main(["--root", str(project.root), "fmt", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def snapshot(project):
    return {p: p.read_text() for p in project.root.rglob("*") if p.suffix in (".yaml", ".bib")}


def test_fmt_rewrites_into_canonical_form_and_is_idempotent(sample, capsys):
    path = sample.root / "entries/main/fast-cache.yaml"
    path.write_text(path.read_text().replace("training: training-free", "training:    'training-free'   "))
    before = load(sample.root)
    code, out = fmt(sample, "--check", capsys=capsys)
    assert code == 1 and "would reformat entries/main/fast-cache.yaml" in out
    assert "not in canonical form; run `evwm fmt`" in out
    code, out = fmt(sample, capsys=capsys)
    assert code == 0 and "reformatted entries/main/fast-cache.yaml" in out
    first = snapshot(sample)
    assert fmt(sample, capsys=capsys) == (0, "all files are in canonical form\n")
    assert snapshot(sample) == first
    assert fmt(sample, "--check", capsys=capsys)[0] == 0
    after = load(sample.root)
    assert {k: e.model_dump() for k, e in after.entries.items()} == {
        k: e.model_dump() for k, e in before.entries.items()
    }
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/entry.schema.json\nid: fast-cache\n")
    assert "training: training-free\n" in text


def test_fmt_sorts_bibtex_and_orders_fields(sample, capsys):
    bib = sample.root / "bibliography/main.bib"
    bib.write_text('@misc{zz2020z,\n year={2020}, author = {Zed, Zoe}, title = "Last"}\n\n' + bib.read_text())
    sample.entry("zz", cites=["zz2020z"])
    fmt(sample, capsys=capsys)
    text = bib.read_text()
    assert text.index("@inproceedings{doe2024fast") < text.index("@misc{zz2020z")
    assert "@misc{zz2020z,\n  title  = {Last},\n  author = {Zed, Zoe},\n  year   = {2020}\n}\n" in text


def test_fmt_formats_a_file_whose_only_problems_are_warnings(sample, capsys):
    # an unprotected title word and a key whose year is stale are warnings: said, not a reason to skip
    bib = sample.root / "bibliography/main.bib"
    bib.write_text('@misc{zz2019z,\n year={2020}, author = {Zed, Zoe}, title = "Last GAIA"}\n\n' + bib.read_text())
    sample.entry("zz", cites=["zz2019z"])
    code, out = fmt(sample, capsys=capsys)
    assert code == 0, out
    assert "@misc{zz2019z,\n  title  = {Last GAIA},\n  author = {Zed, Zoe},\n  year   = {2020}\n}\n" in bib.read_text()
    assert "zz2019z.title: warning: bibliography styles would lower-case 'GAIA'" in out
    assert "zz2019z: warning: the key's year 2019 is not the record's year 2020" in out


def test_fmt_leaves_broken_files_alone_and_says_so(sample, capsys):
    bad = sample.write("entries/main/bad.yaml", "id: bad\nname: [\n")
    code, out = fmt(sample, capsys=capsys)
    assert code == 1 and "entries/main/bad.yaml:" in out and "left as they are" in out
    assert bad.read_text() == "id: bad\nname: [\n"


def test_shipped_data_is_in_canonical_form(capsys):
    code = main(["--root", str(REPO), "fmt", "--check"])
    assert code == 0, capsys.readouterr().err


def test_committed_schemas_match_the_models(capsys):
    assert schema.stale(REPO) == [], "run `evwm schema`"
    entry = json.loads((REPO / "schemas/entry.schema.json").read_text())
    assert entry["additionalProperties"] is False and "summary" in entry["required"]
    assert main(["--root", str(REPO), "schema", "--check"]) == 0


def test_schema_check_notices_drift(sample, capsys):
    assert main(["--root", str(sample.root), "schema", "--check"]) == 1
    assert "out of date: schemas/entry.schema.json" in capsys.readouterr().err
    assert main(["--root", str(sample.root), "schema"]) == 0
    assert main(["--root", str(sample.root), "schema", "--check"]) == 0


def test_data_files_point_editors_at_the_schemas():
    for path in list((REPO / "entries").rglob("*.yaml")) + list((REPO / "taxonomy").rglob("*.yaml")):
        first = path.read_text().splitlines()[0]
        target = first.removeprefix("# yaml-language-server: $schema=")
        assert first != target, path
        assert (path.parent / target).resolve().is_file(), path


def test_fmt_never_writes_a_text_that_reads_back_differently(sample, capsys, monkeypatch):
    """The last guard: were the canonical form ever to lose a value, the file is left as it is."""
    from evwm.curation import fmt as fmt_module

    path = sample.root / "entries/main/fast-cache.yaml"
    before = path.read_text()
    monkeypatch.setattr(fmt_module, "dump_entry", lambda e, depth: "id: fast-cache\n")
    code, out = fmt(sample, capsys=capsys)
    assert code == 1
    assert "entries/main/fast-cache.yaml: fmt cannot write this file without changing a value" in out
    assert path.read_text() == before
