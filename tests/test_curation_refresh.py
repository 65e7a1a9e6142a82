"""`evwm refresh` on RECONSTRUCTED recorded responses (tests/data): venues, write-back, failures."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
from pathlib import Path

import pytest

from conftest import bib_record
from evwm.cli import main
from evwm.curation import http, index, refresh
from evwm.records.bib import parse_bib
from evwm.records.canonical import dump_bib

DATA = Path(__file__).parent / "data"


def recorded_name(url: str) -> str:
    """Which file under tests/data answers a request."""
    parts = urllib.parse.urlparse(url)
    query = urllib.parse.parse_qs(parts.query)
    if parts.netloc.endswith("arxiv.org"):
        if "id_list" in query:
            # a batch recording answers any subset of its ids (arXiv returns only those asked)
            wanted = set(query["id_list"][0].split(","))
            for path in sorted((DATA / "arxiv").glob("id_list-*.xml")):
                if wanted <= set(path.stem.removeprefix("id_list-").split("_")):
                    return f"arxiv/{path.name}"
            return f"arxiv/{min(wanted)}.xml"
        return f"arxiv/search-{query['start'][0]}.xml"
    if parts.netloc == "dblp.org":
        return f"dblp/{'-'.join(query['q'][0].split())}.json"
    title = query["filter"][0].removeprefix("title.search:")
    return f"openalex/{'-'.join(title.split())}.json"


class Replay:
    """A transport answering from tests/data; it records every request it was asked."""

    def __init__(self) -> None:
        self.urls: list[str] = []
        self.headers: list[dict[str, str]] = []

    def __call__(self, url: str, headers: dict[str, str], timeout: float) -> http.Response:
        self.urls.append(url)
        self.headers.append(headers)
        path = DATA / recorded_name(url)
        if not path.is_file():
            return http.Response(404, b"not recorded")
        return http.Response(200, path.read_bytes())


@pytest.fixture
def sleeps(monkeypatch):
    waited: list[float] = []
    monkeypatch.setattr(http, "pause", waited.append)  # rate limits and backoff never really wait
    return waited


@pytest.fixture
def replay(monkeypatch, sleeps):
    transport = Replay()
    monkeypatch.setattr(http, "urllib_transport", transport)
    return transport


RECORDS = (
    bib_record(
        "huang2025self",
        "Self Forcing: Bridging the Train-Test Gap in Autoregressive Video Diffusion",
        2025,
        "2506.08009",
        authors="Huang, Xun and Li, Zhengqi and He, Guande and Zhou, Mingyuan and Shechtman, Eli",
    )
    + bib_record(
        "chen2025rainfusion",
        "{RainFusion}: Adaptive Video Generation Acceleration via Multi-Dimensional Visual Redundancy",
        2025,
        "2505.21036",
        authors="Chen, Aiyue and Dong, Bin and Li, Jingru and Lin, Jing and Tian, Kun and Yao, Yiwu and Wang, Gongyi",
    )
    # one author short on purpose: refresh must report it, not fix it
    + bib_record(
        "shmilovich2025lite",
        "{LiteAttention}: A Temporal Sparse Attention for Diffusion Transformers",
        2025,
        "2511.11062",
        authors="Shmilovich, Dor and Wu, Tony and Dahan, Aviad",
    )
)


@pytest.fixture
def kb(project):
    for node_id in (
        "paradigms",
        "paradigms/autoregressive",
        "architectures",
        "architectures/attention",
        "applications",
    ):
        project.node(node_id)
    project.entry("self-forcing", categories=["paradigms/autoregressive"], cites=["huang2025self"])
    project.entry("rainfusion", categories=["architectures/attention"], cites=["chen2025rainfusion"])
    project.entry("liteattention", categories=["architectures/attention"], cites=["shmilovich2025lite"])
    project.bib(RECORDS)
    return project


def run(project, *args, capsys):
    code = main(["--root", str(project.root), "refresh", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_reports_venue_and_differences_without_writing(kb, replay, capsys):
    before = snapshot(kb.root)
    code, out, err = run(kb, "--no-cache", capsys=capsys)
    assert code == 0, err
    assert (
        "bibliography/main.bib: huang2025self: venue: published in Advances in Neural Information Processing "
        "Systems (NeurIPS), 2025 (confirmed by dblp: conf/nips/HuangLHZS25) [apply]" in out
    )
    assert "shmilovich2025lite: authors: author list differs: arXiv lists 4 authors, the record 3 [undecided]" in out
    assert "chen2025rainfusion" not in out  # nothing but a new version, which is informational
    assert "3 records checked" in err and "1 with confirmed changes (run with --write to apply them)" in err
    assert snapshot(kb.root) == before
    # one arXiv batch for all three; DBLP for each preprint; OpenAlex only where DBLP found no venue
    hosts = [urllib.parse.urlparse(u).netloc for u in replay.urls]
    assert hosts.count("export.arxiv.org") == 1
    assert hosts.count("dblp.org") == 3 and hosts.count("api.openalex.org") == 2
    assert "id_list=2505.21036%2C2506.08009%2C2511.11062" in replay.urls[0]


def test_verbose_shows_new_versions(kb, replay, capsys):
    code, out, _ = run(kb, "--no-cache", "-v", capsys=capsys)
    assert code == 0
    assert "chen2025rainfusion: version: arXiv has v2" in out and "[info]" in out


def test_write_upgrades_the_record_canonically(kb, replay, capsys, tmp_path):
    report = tmp_path / "refresh-report.md"
    code, _, err = run(kb, "--no-cache", "--write", "--report", str(report), capsys=capsys)
    assert code == 0, err
    text = (kb.root / "bibliography/main.bib").read_text()
    citations, problems = parse_bib(text, "main.bib")
    assert not [p for p in problems if p.severity.value == "error"]
    assert text == dump_bib(citations)  # canonical: `evwm fmt --check` has nothing to change
    upgraded = next(c for c in citations if c.key == "huang2025self")
    assert upgraded.entry_type == "inproceedings"
    assert upgraded.fields["booktitle"] == "Advances in Neural Information Processing Systems (NeurIPS)"
    assert (upgraded.fields["year"], upgraded.arxiv, upgraded.fields["archiveprefix"]) == (
        "2025",
        "2506.08009",
        "arXiv",
    )
    assert "doi" not in upgraded.fields  # the CoRR hit's DataCite DOI is the preprint's, not the venue's
    others = {c.key: c.entry_type for c in citations if c.key != "huang2025self"}
    assert others == {"chen2025rainfusion": "misc", "shmilovich2025lite": "misc"}
    assert "rewrote 1 file(s)" in err
    md = report.read_text()
    assert "## To decide by hand" in md and "`shmilovich2025lite`" in md and "author list differs" in md
    assert "## Confirmed changes" in md and "`huang2025self`" in md
    assert main(["--root", str(kb.root), "validate"]) == 0
    capsys.readouterr()
    # a second run finds nothing more to apply
    code, out, _ = run(kb, "--no-cache", "--write", capsys=capsys)
    assert code == 0 and "[apply]" not in out


def test_json_report_and_single_key(kb, replay, capsys, tmp_path):
    report = tmp_path / "r.json"
    code, out, _ = run(kb, "--no-cache", "--key", "shmilovich2025lite", "--report", str(report), capsys=capsys)
    assert code == 0
    data = json.loads(report.read_text())
    assert [r["key"] for r in data["records"]] == ["shmilovich2025lite"]
    assert {f["kind"] for f in data["records"][0]["findings"]} == {"authors"}
    assert "huang2025self" not in out


def test_unknown_key_is_named(kb, replay, capsys):
    code, _, err = run(kb, "--key", "huang2025sel", capsys=capsys)
    assert code == 2 and "no BibTeX record 'huang2025sel'; did you mean huang2025self?" in err


def test_network_failure_changes_nothing(kb, monkeypatch, sleeps, capsys, tmp_path):
    def down(url, headers, timeout):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(http, "urllib_transport", down)
    before = snapshot(kb.root)
    report = tmp_path / "report.md"
    code, out, err = run(kb, "--write", "--report", str(report), capsys=capsys)
    assert code == 1
    assert (
        "error: arxiv: no answer from https://export.arxiv.org/api/query (Temporary failure in name resolution)" in err
    )
    assert "nothing was changed" in err and "Traceback" not in out + err
    assert snapshot(kb.root) == before and not report.exists()
    # backed off 3 (arXiv's own interval is longer than the first 2 s), 4, 8, 16 s, then gave up
    assert [round(s) for s in sleeps] == [3, 4, 8, 16]


def test_index_failure_midway_changes_nothing(kb, monkeypatch, sleeps, capsys):
    replay = Replay()

    def flaky(url, headers, timeout):
        if "dblp.org" in url:
            return http.Response(503, b"busy")
        return replay(url, headers, timeout)

    monkeypatch.setattr(http, "urllib_transport", flaky)
    before = snapshot(kb.root)
    code, _, err = run(kb, "--write", "--no-cache", capsys=capsys)
    assert code == 1 and "error: dblp: no answer from https://dblp.org/search/publ/api (HTTP 503)" in err
    assert snapshot(kb.root) == before


def test_offline_uses_the_cache_only(kb, replay, monkeypatch, capsys):
    code, first, _ = run(kb, capsys=capsys)  # fills .evwm-cache/ under the project
    assert code == 0 and (kb.root / ".evwm-cache" / "arxiv").is_dir()
    asked = len(replay.urls)
    code, again, err = run(kb, "--offline", capsys=capsys)
    assert code == 0 and again == first and len(replay.urls) == asked and "0 requests" in err
    for path in (kb.root / ".evwm-cache").rglob("*.json"):
        path.unlink()
    code, _, err = run(kb, "--offline", capsys=capsys)
    assert code == 1 and "no cached answer" in err and "--offline" in err


def test_user_agent_names_evwm_and_the_contact(kb, replay, capsys, monkeypatch):
    monkeypatch.setenv("EVWM_MAILTO", "curator@example.net")
    run(kb, "--no-cache", capsys=capsys)
    agent = replay.headers[0]["User-Agent"]
    assert agent.startswith("evwm/") and "mailto:curator@example.net" in agent
    assert all("mailto=curator%40example.net" in u for u in replay.urls if "openalex" in u)
    run(kb, "--no-cache", "--mailto", "other@example.org", capsys=capsys)
    assert "mailto:other@example.org" in replay.headers[-1]["User-Agent"]


# -- deciding a venue --------------------------------------------------------------------


def _citation(authors: str = "Huang, Xun and Li, Zhengqi"):
    text = bib_record("k2025x", "A Paper on Video", 2025, "2501.00001", authors=authors)
    return parse_bib(text, "x.bib")[0][0]


def _pub(**kw):
    base = dict(
        source="dblp", title="A Paper on Video.", authors=["Xun Huang 0001"], venue="CVPR", year=2025, kind="conference"
    )
    return index.Publication(**{**base, **kw})


@pytest.mark.parametrize(
    "pub, status, words",
    [
        (_pub(), refresh.APPLY, "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR), 2025"),
        (_pub(authors=["Ann Other"]), refresh.UNDECIDED, "its first author is 'Ann Other'"),
        (_pub(venue="Some Workshop 2025"), refresh.UNDECIDED, "evwm has no full name for that venue"),
        (_pub(title="A Different Paper."), None, ""),
        (_pub(kind="preprint", venue="CoRR"), None, ""),
    ],
)
def test_venue_is_written_only_when_confirmed(pub, status, words):
    cit = _citation()
    report = refresh.RecordReport(cit.key, cit.path, cit.arxiv)
    refresh.check_venue(report, cit, {"dblp": [pub]}, None)
    venue = [f for f in report.findings if f.kind == "venue"]
    if status is None:
        assert not venue
    else:
        assert venue[0].status == status and words in venue[0].message


@pytest.mark.parametrize(
    "venue, key, expected",
    [
        ("CVPR", "conf/cvpr/X25", "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"),
        (
            "CVPR Workshops",
            "conf/cvpr/XW25",
            "IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops (CVPRW)",
        ),
        ("ECCV", "conf/eccv/X24", "European Conference on Computer Vision (ECCV)"),
        ("ICLR", "", "International Conference on Learning Representations (ICLR)"),
        ("Trans. Mach. Learn. Res.", "journals/tmlr/X25", "Transactions on Machine Learning Research (TMLR)"),
        ("Neural Information Processing Systems", "", "Advances in Neural Information Processing Systems (NeurIPS)"),
        ("Lecture Notes in Computer Science", "", None),
    ],
)
def test_venue_names_follow_the_project_convention(venue, key, expected):
    found = index.venue_name(_pub(venue=venue, key=key))
    assert (found[2] if found else None) == expected


def test_dblp_volume_suffix_and_single_hit_shapes():
    doc = {
        "result": {
            "hits": {
                "hit": {
                    "info": {
                        "authors": {"author": {"text": "Ann Lee 0002"}},
                        "title": "T.",
                        "venue": "ECCV (12)",
                        "year": "2024",
                        "type": "Conference and Workshop Papers",
                        "key": "conf/eccv/Lee24",
                    }
                }
            }
        }
    }
    (pub,) = index.parse_dblp(json.dumps(doc).encode())
    assert (pub.title, pub.authors, pub.venue, pub.year, pub.kind) == ("T", ["Ann Lee"], "ECCV", 2024, "conference")


def test_an_answer_that_is_not_json_is_a_clear_error():
    with pytest.raises(index.BadAnswer, match="DBLP answered with something that is not JSON"):
        index.parse_dblp(b"<html>busy</html>")


def test_a_file_with_comments_is_left_as_it_is(kb, replay, capsys):
    path = kb.root / "bibliography/main.bib"
    path.write_text("@comment{kept by hand}\n\n" + RECORDS)
    before = path.read_bytes()
    code, _, err = run(kb, "--no-cache", "--write", capsys=capsys)
    assert code == 0
    assert "warning: bibliography/main.bib: holds comments, @string or @preamble that a rewrite would drop" in err
    assert path.read_bytes() == before and "rewrote 0 file(s)" in err


def test_no_progress_bar_when_not_a_terminal(kb, replay, capsys, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    _, out, err = run(kb, "--no-cache", capsys=capsys)
    assert "\r" not in out + err and "[###" not in err
