"""`evwm accepted`: arXiv-only records matched against lists of accepted papers, offline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import bib_record
from evwm.cli import main
from evwm.curation import accepted, http
from evwm.records.bib import parse_bib
from evwm.records.canonical import dump_bib

RECORDS = (
    bib_record(
        "huang2025self",
        "Self Forcing: Bridging the Train-Test Gap in Autoregressive Video Diffusion",
        2025,
        "2506.08009",
        authors="Huang, Xun and Li, Zhengqi and He, Guande and Zhou, Mingyuan and Shechtman, Eli",
    )
    + bib_record(
        "wang2025rest",
        "{REST}: Real-time End-to-end Streaming Talking Heads",
        2025,
        "2512.11229",
        authors="Wang, Haotian and Weng, Yuzhe and Yu, Xinyi and Du, Jun",
    )
    + bib_record(
        "doe2024known",
        "A Paper Already Published",
        2024,
        "2401.00001",
        kind="inproceedings",
        booktitle="International Conference on Learning Representations (ICLR)",
    )
)


@pytest.fixture
def kb(project, monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("evwm accepted must not go online")

    monkeypatch.setattr(http, "urllib_transport", no_network)
    project.node("paradigms")
    project.node("applications")
    project.entry("self-forcing", categories=["paradigms"], cites=["huang2025self"])
    project.entry("rest", categories=["paradigms"], cites=["wang2025rest"])
    project.entry("known", categories=["paradigms"], cites=["doe2024known"])
    project.bib(RECORDS)
    return project


def run(project, *args, capsys):
    code = main(["--root", str(project.root), "accepted", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_list_with_authors_confirms_and_writes(kb, capsys, tmp_path):
    # the columns and values as OpenReview scrapes write them (BOM, 'openreview_url', 'ICLR 2026 Poster')
    listing = write(
        tmp_path / "iclr2026.csv",
        "\ufeffopenreview_url,venue,title,authors\n"
        "https://openreview.net/forum?id=abc,ICLR 2026 Poster,"
        '"Self Forcing: Bridging the Train-Test Gap in Autoregressive Video Diffusion",'
        "Xun Huang; Zhengqi Li; Guande He; Mingyuan Zhou; Eli Shechtman\n"
        "https://openreview.net/forum?id=zzz,ICLR 2026 Oral,Something Else Entirely,Jane Doe\n",
    )
    before = (kb.root / "bibliography/main.bib").read_text()
    code, out, err = run(kb, str(listing), capsys=capsys)
    assert code == 0, err
    assert (
        "bibliography/main.bib: huang2025self: venue: published in International Conference on Learning "
        "Representations (ICLR), 2026 (confirmed by list iclr2026.csv: https://openreview.net/forum?id=abc) [apply]"
    ) in out
    assert "2 listed papers, 1 arXiv-only records among them; 1 with confirmed venues" in err
    assert (kb.root / "bibliography/main.bib").read_text() == before  # nothing written without --write

    report = tmp_path / "accepted.md"
    code, _, err = run(kb, str(listing), "--write", "--report", str(report), capsys=capsys)
    assert code == 0, err
    text = (kb.root / "bibliography/main.bib").read_text()
    citations, _ = parse_bib(text, "main.bib")
    assert text == dump_bib(citations)  # canonical, as `evwm fmt` writes it
    upgraded = next(c for c in citations if c.key == "huang2025self")
    assert upgraded.entry_type == "inproceedings"
    assert upgraded.fields["booktitle"] == "International Conference on Learning Representations (ICLR)"
    assert (upgraded.fields["year"], upgraded.arxiv) == ("2026", "2506.08009")  # the eprint stays
    assert report.read_text().startswith("# evwm accepted report")
    assert main(["--root", str(kb.root), "validate"]) == 0


def test_tsv_without_authors_or_venue_uses_the_given_venue_and_says_so(kb, capsys, tmp_path):
    listing = write(
        tmp_path / "cvpr.tsv",
        "Title\tURL\n{REST}: Real-Time End-to-End Streaming Talking Heads\thttps://openaccess.thecvf.com/x\n",
    )
    code, out, err = run(kb, str(listing), "--venue", "CVPR 2026", capsys=capsys)
    assert code == 0, err
    assert (
        "wang2025rest: venue: published in IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR), 2026"
        in out
    )
    assert "the list names no authors, so only the title was compared) [apply]" in out


def test_json_list_reports_a_different_author_list_without_changing_it(kb, capsys, tmp_path):
    listing = write(
        tmp_path / "icml.json",
        json.dumps(
            {
                "papers": [
                    {
                        "title": "REST: Real-time End-to-end Streaming Talking Heads",
                        "venue": "ICML 2026",
                        "authors": ["Haotian Wang", "Yuzhe Weng", "Jun Du"],
                    }
                ]
            }
        ),
    )
    code, out, err = run(kb, str(listing), "--write", capsys=capsys)
    assert code == 0, err
    assert "wang2025rest: venue: published in International Conference on Machine Learning (ICML), 2026" in out
    assert (
        "wang2025rest: authors: author list differs: the list names 3 authors, the record 4 (list icml.json) "
        "[undecided]"
    ) in out
    rest = next(
        c for c in parse_bib((kb.root / "bibliography/main.bib").read_text(), "main.bib")[0] if c.key == "wang2025rest"
    )
    assert [a.family for a in rest.authors] == ["Wang", "Weng", "Yu", "Du"]  # a person decides that


def test_another_first_author_or_an_unknown_venue_is_left_to_a_person(kb, capsys, tmp_path):
    listing = write(
        tmp_path / "mixed.csv",
        "title,venue,authors\n"
        '"Self Forcing: Bridging the Train-Test Gap in Autoregressive Video Diffusion",NeurIPS 2025,Someone Else\n'
        '"REST: Real-time End-to-end Streaming Talking Heads",Foo Symposium 2026,Haotian Wang\n',
    )
    before = (kb.root / "bibliography/main.bib").read_text()
    code, out, _ = run(kb, str(listing), "--write", capsys=capsys)
    assert code == 0
    assert (
        "huang2025self: venue: list mixed.csv lists" in out and "its first author is 'Someone Else' [undecided]" in out
    )
    assert "'Foo Symposium 2026' 2026 but evwm has no full name for that venue" in out
    assert "[apply]" not in out
    assert (kb.root / "bibliography/main.bib").read_text() == before


def test_published_records_are_not_second_guessed(kb, capsys, tmp_path):
    listing = write(tmp_path / "l.csv", "title,venue\nA Paper Already Published,CVPR 2026\n")
    code, out, err = run(kb, str(listing), capsys=capsys)
    assert code == 0 and out == ""
    assert "1 listed papers, 0 arXiv-only records among them" in err


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.csv", "name_of_thing,venue\nx,CVPR 2026\n", "a.csv:1: no title column (columns: name_of_thing, venue)"),
        ("b.csv", "title\nSome Paper\n", "b.csv:1: no venue column; add one, or pass --venue 'ICLR 2026'"),
        ("c.csv", "title,venue\nSome Paper,CVPR\n", "c.csv:2: no year for 'Some Paper'"),
        ("d.csv", "title,venue\n,CVPR 2026\n", "d.csv:2: row has no title"),
        ("e.json", '{"title": "x"}', "e.json: a JSON list must be an array of objects"),
        ("f.json", "[{", "f.json: line 1: not valid JSON"),
        ("g.txt", "title,venue\n", "g.txt: '.txt' is not a list format evwm reads; use .csv, .tsv or .json"),
        ("h.csv", "title,venue\n", "h.csv: holds no papers"),
    ],
)
def test_a_bad_list_is_named_and_nothing_happens(kb, capsys, tmp_path, name, text, message):
    listing = write(tmp_path / name, text)
    good = write(tmp_path / "good.csv", "title,venue\nA Paper,CVPR 2026\n")
    before = (kb.root / "bibliography/main.bib").read_text()
    code, out, err = run(kb, str(good), str(listing), "--write", capsys=capsys)
    assert code == 1 and out == ""
    assert f"error: {tmp_path / message}" in err
    assert "nothing was compared or written" in err and "Traceback" not in err
    assert (kb.root / "bibliography/main.bib").read_text() == before


def test_every_problem_of_every_list_in_one_run(kb, capsys, tmp_path):
    one = write(tmp_path / "one.csv", "title,venue\n,CVPR 2026\nOther,CVPR\n")
    two = write(tmp_path / "two.csv", "venue\nCVPR 2026\n")
    code, _, err = run(kb, str(one), str(two), str(tmp_path / "missing.csv"), capsys=capsys)
    assert code == 1
    assert "one.csv:2: row has no title" in err and "one.csv:3: no year for 'Other'" in err
    assert "two.csv:1: no title column" in err and "missing.csv: cannot be read" in err
    assert "error: 4 problem(s) in the lists" in err


@pytest.mark.parametrize(
    ("value", "names"),
    [
        ("Stella Biderman ⋅ Mohammad Aflah Khan", ["Stella Biderman", "Mohammad Aflah Khan"]),
        ("Jing Xu; Yuexiao Ma; Songwei Liu", ["Jing Xu", "Yuexiao Ma", "Songwei Liu"]),
        ("Ada Lovelace and Alan Turing", ["Ada Lovelace", "Alan Turing"]),
        ("Junwei Ma, Valentin Thomas", ["Junwei Ma", "Valentin Thomas"]),
        (["A B", " ", "C D"], ["A B", "C D"]),
        ("", []),
    ],
)
def test_author_lists_in_the_shapes_lists_use(value, names):
    assert accepted.split_authors(value) == names


def test_a_row_s_own_venue_wins_over_the_default(kb, capsys, tmp_path):
    listing = write(
        tmp_path / "two.csv",
        "title,venue\n"
        '"Self Forcing: Bridging the Train-Test Gap in Autoregressive Video Diffusion",NeurIPS 2025\n'
        '"REST: Real-time End-to-end Streaming Talking Heads",\n',
    )
    code, out, _ = run(kb, str(listing), "--venue", "CVPR 2026", capsys=capsys)
    assert code == 0
    assert "huang2025self: venue: published in Advances in Neural Information Processing Systems (NeurIPS), 2025" in out
    assert (
        "wang2025rest: venue: published in IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)" in out
    )
