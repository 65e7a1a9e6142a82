"""`evwm discover` on a RECONSTRUCTED recorded listing, and the ranker behind it."""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from datetime import date
from pathlib import Path

import pytest

from conftest import REPO
from evwm.cli import main
from evwm.curation import arxiv, discover, http
from evwm.curation.arxiv import ArxivPaper
from evwm.curation.rank import Ranker, leave_one_out, tokens
from evwm.kb import load
from test_curation_refresh import Replay


@pytest.fixture
def replay(monkeypatch):
    transport = Replay()
    monkeypatch.setattr(http, "urllib_transport", transport)
    monkeypatch.setattr(http, "pause", lambda s: None)
    return transport


def shipped_without(root: Path, eprints: set[str]) -> Path:
    """A copy of the shipped knowledge base from which the papers with these arXiv ids are taken out.

    The recorded listing names papers the knowledge base lacked when it was recorded; the shipped
    data keeps growing and takes some of them in, so the ranking is tested on a copy without them.
    """
    for folder in ("taxonomy", "entries", "bibliography", "vocab", "survey"):
        shutil.copytree(REPO / folder, root / folder)
    gone: set[str] = set()
    for bib in (root / "bibliography").glob("*.bib"):
        text = bib.read_text(encoding="utf-8")
        for match in list(re.finditer(r"@\w+\{([^,]+),\n.*?\n\}\n*", text, re.S)):
            eprint = re.search(r"eprint\s*=\s*\{([^}]*)\}", match.group(0))
            if eprint and eprint.group(1) in eprints:
                gone.add(match.group(1))
                text = text.replace(match.group(0), "")
        bib.write_text(text, encoding="utf-8")
    for path in (root / "entries").glob("*/*.yaml"):
        cites = re.search(r"^cites:\n  - (\S+)", path.read_text(encoding="utf-8"), re.M)
        if cites and cites.group(1) in gone:
            path.unlink()
    return root


def test_ranks_the_listing_and_leaves_out_what_is_present(replay, capsys, tmp_path):
    out_json, out_md = tmp_path / "c.json", tmp_path / "c.md"
    new_papers = {"2505.21036", "2603.24260"}  # RainFusion and one more, new when the listing was recorded
    kb_root = shipped_without(tmp_path / "kb", new_papers)
    assert not new_papers & {c.arxiv for c in load(kb_root).citations.values()}
    args = ["--from", "2026-03-23", "--to", "2026-03-30", "--no-cache", "--json", str(out_json)]
    code = main(["--root", str(kb_root), "discover", *args, "--markdown", str(out_md)])
    out = capsys.readouterr()
    assert code == 0, out.err
    query = urllib.parse.parse_qs(urllib.parse.urlparse(replay.urls[0]).query)["search_query"][0]
    assert "cat:cs.CV OR cat:cs.LG OR cat:cs.RO OR cat:eess.IV" in query
    assert 'abs:"world model"' in query and "submittedDate:[202603230000 TO 202603302359]" in query
    assert len(replay.urls) == 1  # five results: one page
    data = json.loads(out_json.read_text())
    found = {c["arxiv"]: c for c in data["candidates"]}
    assert set(found) == new_papers
    present = {p["arxiv"] for p in data["already_present"]}
    assert {"2506.08009", "2511.11062"} <= present  # Self Forcing, LiteAttention
    assert data["out_of_scope"] == ["2510.01571"]  # the protein-language-model paper
    rain = found["2505.21036"]
    assert "architectures/attention/sparse" in [s["node"] for s in rain["suggestions"]]
    assert rain["suggestions"][0]["terms"] and rain["nearest"]  # evidence comes with every suggestion
    assert (
        "2505.21036" in out.out
        and "likely node" in out.out
        and f"{len(present)} already in the knowledge base" in out.out
    )
    md = out_md.read_text()
    assert "[2505.21036](https://arxiv.org/abs/2505.21036)" in md and "evwm new --arxiv" in md


def test_paging_stops_at_the_total(monkeypatch):
    def page(start, total, n):
        entries = "".join(
            f"<entry><id>http://arxiv.org/abs/2601.{start + i:05d}v1</id><title>Video paper {start + i}</title>"
            "<published>2026-01-02T00:00:00Z</published><updated>2026-01-02T00:00:00Z</updated></entry>"
            for i in range(n)
        )
        return (
            '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
            f"<opensearch:totalResults>{total}</opensearch:totalResults>{entries}</feed>"
        ).encode()

    asked = []

    def transport(url, headers, timeout):
        start = int(urllib.parse.parse_qs(urllib.parse.urlparse(url).query)["start"][0])
        asked.append(start)
        return http.Response(200, page(start, 150, min(100, 150 - start)))

    client = http.Client(transport=transport, sleep=lambda s: None)
    papers = discover.fetch(date(2026, 1, 1), date(2026, 1, 7), client)
    assert asked == [0, 100] and len(papers) == 150


def test_a_title_already_present_is_recognised(sample):
    kb = load(sample.root)
    paper = ArxivPaper("2601.00001", "Fast caching for video diffusion!", ["Jane Doe"], 2026, summary="video")
    outcome = discover.triage(kb, [paper])
    assert outcome.present == [(paper, "doe2024fast")] and not outcome.candidates


def test_bad_date_range(sample, capsys):
    code = main(["--root", str(sample.root), "discover", "--from", "2026-02-01", "--to", "2026-01-01"])
    assert code == 2 and "is after --to" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--root", str(sample.root), "discover", "--from", "yesterday", "--to", "2026-01-01"])
    assert "is not a date like" in capsys.readouterr().err


def test_feed_parsing_keeps_versions_and_summaries():
    papers, total = arxiv.parse_feed((REPO / "tests/data/arxiv/search-0.xml").read_bytes())
    assert total == 5 and [p.version for p in papers] == [1, 1, 1, 2, 2]
    assert papers[0].published == "2026-03-25" and "training-free" in papers[0].summary


def test_tokens_fold_plurals_and_keep_pairs():
    assert tokens("Sparse Attentions for videos") == [
        "sparse",
        "attention",
        "video",
        "sparse attention",
        "attention video",
    ]


def test_leave_one_out_on_a_tiny_knowledge_base():
    ranker = Ranker(
        {
            "a": "feature caching reuse across denoising steps",
            "b": "caching of attention outputs reused across steps",
            "c": "quantised weights low bit integer kernels",
            "d": "low bit quantisation of activations integer",
        },
        {"a": "caching", "b": "caching", "c": "quant", "d": "quant"},
        {k: k.upper() for k in "abcd"},
        {"caching": "Caching", "quant": "Quantization"},
    )
    top1, top3, n = leave_one_out(ranker)
    assert (top1, top3, n) == (1.0, 1.0, 4)
    ranking = ranker.rank("a cache that reuses denoising features")
    assert ranking.suggestions[0].node == "caching" and ranking.neighbours[0].entry_id == "a"
