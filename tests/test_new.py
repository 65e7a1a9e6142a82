"""`evwm new`: online (RECONSTRUCTED recorded arXiv responses, see tests/data/README.md) and offline
scaffolding, refusing duplicates, suggesting nodes and relations, and writing names BibTeX reads right."""

import io
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, bib_record
from evwm.cli import main
from evwm.curation import arxiv, http
from evwm.records.bib import parse_bib

DATA = Path(__file__).parent / "data" / "arxiv"


@pytest.fixture
def recorded(monkeypatch):
    """Answer arXiv API calls from tests/data/arxiv; any real network call fails the test."""
    calls = []

    def fake_fetch(arxiv_id, timeout=20.0):
        calls.append(arxiv_id)
        path = DATA / f"{arxiv_id}.xml"
        return path.read_bytes() if path.exists() else (DATA / "not-found.xml").read_bytes()

    monkeypatch.setattr(arxiv, "fetch_atom", fake_fetch)
    return calls


def new(project, *args, capsys):
    code = main(["--root", str(project.root), "new", *args])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_parse_recorded_response():
    paper = arxiv.parse_atom((DATA / "2506.08009.xml").read_bytes(), "2506.08009")
    assert paper.title == "Self Forcing: Bridging the Train-Test Gap in Autoregressive Video Diffusion"
    assert paper.authors == ["Xun Huang", "Zhengqi Li", "Guande He", "Mingyuan Zhou", "Eli Shechtman"]
    assert (paper.year, paper.primary_category) == (2025, "cs.CV")


@pytest.mark.parametrize(
    "raw",
    ["2506.08009", "arXiv:2506.08009v2", "https://arxiv.org/abs/2506.08009", "https://arxiv.org/pdf/2506.08009v1.pdf"],
)
def test_identifier_forms(raw):
    assert arxiv.normalize_id(raw) == "2506.08009"


def test_online_path_writes_bibtex_and_skeleton(sample, capsys, recorded):
    code, out = new(sample, "--arxiv", "arXiv:2506.08009v1", "--category", "paradigms/distillation", capsys=capsys)
    assert code == 0, out
    assert recorded == ["2506.08009"]
    entry = sample.root / "entries/main/self-forcing.yaml"
    assert "wrote entries/main/self-forcing.yaml and added 'huang2025self' to bibliography/main.bib" in out
    text = entry.read_text()
    assert text.startswith(
        "# yaml-language-server: $schema=../../schemas/entry.schema.json\nid: self-forcing\nname: Self Forcing\n"
    )
    bib = (sample.root / "bibliography/main.bib").read_text()
    assert (
        "@misc{huang2025self," in bib
        and "Huang, Xun and Li, Zhengqi and He, Guande and Zhou, Mingyuan and Shechtman, Eli" in bib
    )
    assert bib.index("doe2024fast") < bib.index("huang2025self") < bib.index("muller2025game")  # kept sorted
    # the skeleton is deliberately invalid until its prose is written
    assert main(["--root", str(sample.root), "validate"]) == 1
    report = capsys.readouterr().out
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.startswith("summary:"))
    assert f"entries/main/self-forcing.yaml:{line}: summary: still holds a TODO placeholder" in report
    text = text.replace(
        "TODO: in your own words, what it is and why it matters for efficient world models.",
        "A training recipe that lets a causal video model learn from its own rollouts.",
    )
    text = text.replace(
        "TODO: in your own words, how it saves steps, compute, memory or latency.",
        "Few denoising steps per chunk with cached keys and values of past frames.",
    )
    entry.write_text(text)
    assert main(["--root", str(sample.root), "validate"]) == 0


def test_unknown_arxiv_id_is_reported(sample, capsys, recorded):
    code, out = new(sample, "--arxiv", "2506.99999", "--category", "inference", capsys=capsys)
    assert code == 1 and "error: arXiv has no paper 2506.99999" in out
    assert not list((sample.root / "entries").rglob("*99999*"))


def test_network_failure_points_to_offline_path(sample, capsys, monkeypatch):
    # The failure is raised where the network is touched, so the message checked is the project's own.
    def down(request, timeout=20.0):
        raise urllib.error.URLError("Name or service not known")

    waited = []
    monkeypatch.setattr(urllib.request, "urlopen", down)
    monkeypatch.setattr(http, "pause", waited.append)  # the retries back off without really waiting
    code, out = new(sample, "--arxiv", "2506.08009", "--category", "inference", capsys=capsys)
    assert code == 1 and "--bibtex FILE" in out and "Traceback" not in out
    assert "Name or service not known" in out and len(waited) == 2  # two bounded retries
    assert not list((sample.root / "entries").rglob("self-forcing*"))


def test_requests_name_evwm_in_the_user_agent(sample, capsys, monkeypatch):
    seen = []

    def transport(url, headers, timeout):
        seen.append((url, headers["User-Agent"]))
        return http.Response(200, (DATA / "2506.08009.xml").read_bytes())

    monkeypatch.setattr(http, "urllib_transport", transport)
    code, out = new(sample, "--arxiv", "2506.08009", "--category", "inference", capsys=capsys)
    assert code == 0, out
    ((url, agent),) = seen
    assert "id_list=2506.08009" in url and agent.startswith("evwm/")


def test_without_category_the_likely_nodes_are_suggested(sample, capsys, tmp_path):
    path = tmp_path / "p.bib"
    path.write_text(bib_record("lee2025reuse", "Caching features for faster video diffusion", authors="Lee, Ann"))
    code, out = new(sample, "--bibtex", str(path), capsys=capsys)
    assert code == 1 and "name at least one taxonomy node with --category" in out
    lines = [line.strip() for line in out.splitlines() if line.strip().startswith("--category")]
    assert len(lines) == 3 and lines[0].startswith("--category inference/caching")
    assert "matching terms:" in lines[0] and "rerun with the one that fits" in out
    assert "lee2025reuse" not in (sample.root / "bibliography/main.bib").read_text()


def test_nearest_entries_are_offered_as_relations(sample, capsys, tmp_path):
    path = tmp_path / "p.bib"
    path.write_text(bib_record("lee2025reuse", "Caching features for faster video diffusion", authors="Lee, Ann"))
    code, out = new(sample, "--bibtex", str(path), "--category", "inference/caching", capsys=capsys)
    assert code == 0, out
    assert "nearest existing entries (candidates for relations): fast-cache" in out
    text = (sample.root / "entries/main/caching-features-for-faster-video-diffusion.yaml").read_text()
    assert "# nearest existing entries (candidates for relations): fast-cache" in text
    assert "#     target: fast-cache\n" in text


def test_multi_word_family_names_from_arxiv(sample, capsys, recorded):
    code, out = new(sample, "--arxiv", "2412.07583", "--category", "inference", "--folder", "main", capsys=capsys)
    assert code == 0, out
    bib = (sample.root / "bibliography/main.bib").read_text()
    assert "@misc{benyahia2024mobile," in bib
    assert "{Ben Yahia}, Haitam and Korzhenkov, Denis and Lelekas, Ioannis" in bib
    (cit,) = [c for c in parse_bib(bib, "main.bib")[0] if c.key == "benyahia2024mobile"]
    assert (cit.authors[0].given, cit.authors[0].family) == ("Haitam", "Ben Yahia")


def test_offline_from_file_and_stdin(sample, capsys, tmp_path, monkeypatch):
    record = bib_record("lee2025sparse", "Sparse Things for Video", eprint="2509.11111", authors="Lee, Ann")
    path = tmp_path / "paper.bib"
    path.write_text(record)
    code, out = new(
        sample,
        "--bibtex",
        str(path),
        "--category",
        "inference/caching",
        "--folder",
        "extra",
        "--id",
        "sparse-things",
        capsys=capsys,
    )
    assert code == 0, out
    assert (sample.root / "entries/extra/sparse-things.yaml").is_file()
    assert "@misc{lee2025sparse," in (sample.root / "bibliography/extra.bib").read_text()
    monkeypatch.setattr("sys.stdin", io.StringIO(bib_record("kim2024other", "Other Work", authors="Kim, Bo")))
    code, out = new(sample, "--bibtex", "-", "--category", "inference/quantization", capsys=capsys)
    assert code == 0, out
    assert (sample.root / "entries/main/other-work.yaml").is_file()  # folder of that category's entries
    # a warning is said, and the entry is started all the same
    assert "kim2024other: warning: the key's year 2024 is not the record's year 2025" in out


@pytest.mark.parametrize(
    "record, existing",
    [
        (
            bib_record("x2025y", "Another Title", eprint="2401.00001"),
            "the same arXiv id as record 'doe2024fast', already in entry 'fast-cache' (entries/main/fast-cache.yaml)",
        ),
        (bib_record("x2025y", "Fast caching for video diffusion"), "the same title as record 'doe2024fast'"),
        (bib_record("roe2025tiny", "Brand New"), "the same key as record 'roe2025tiny'"),
    ],
)
def test_duplicates_are_refused_naming_the_existing_entry(sample, capsys, tmp_path, record, existing):
    path = tmp_path / "dup.bib"
    path.write_text(record)
    before = sorted(
        p.read_text() for p in sample.root.rglob("*.*") if "entries" in p.parts or "bibliography" in p.parts
    )
    code, out = new(sample, "--bibtex", str(path), "--category", "inference", capsys=capsys)
    assert code == 1 and existing in out, out
    assert (
        sorted(p.read_text() for p in sample.root.rglob("*.*") if "entries" in p.parts or "bibliography" in p.parts)
        == before
    )


def test_duplicate_doi(sample, capsys, tmp_path):
    sample.bib(bib_record("d2020x", "Has DOI", doi="10.1000/abc"), name="doi")
    sample.entry("has-doi", cites=["d2020x"])
    path = tmp_path / "dup.bib"
    path.write_text(bib_record("e2021y", "Different", doi="10.1000/ABC"))
    code, out = new(sample, "--bibtex", str(path), "--category", "inference", capsys=capsys)
    assert code == 1 and "the same DOI as record 'd2020x', already in entry 'has-doi'" in out


def test_shipped_knowledge_base_refuses_a_paper_it_has(capsys, recorded):
    code = main(["--root", str(REPO), "new", "--arxiv", "2506.08009", "--category", "paradigms/autoregressive"])
    err = capsys.readouterr().err
    assert code == 1 and "already in entry 'self-forcing'" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--category", "inference/cachng"],
            "unknown taxonomy node 'inference/cachng' did you mean 'inference/caching'",
        ),
        ([], "name at least one taxonomy node with --category"),
        (["--category", "inference", "--id", "../../etc/passwd"], "cannot be an entry id"),
        (["--category", "inference", "--folder", "../outside"], "cannot be a folder name"),
        (
            ["--category", "inference", "--id", "fast-cache"],
            "entry id 'fast-cache' is taken by entries/main/fast-cache.yaml",
        ),
    ],
)
def test_bad_arguments_write_nothing(sample, capsys, tmp_path, args, message):
    path = tmp_path / "p.bib"
    path.write_text(bib_record("new2025x", "A New Paper", authors="New, Nora"))
    code, out = new(sample, "--bibtex", str(path), *args, capsys=capsys)
    assert code == 1 and message in out, out
    assert "new2025x" not in (sample.root / "bibliography/main.bib").read_text()
    assert not (tmp_path / "outside").exists() and not list(sample.root.parent.rglob("passwd*"))


def test_broken_bibtex_input(sample, capsys, tmp_path):
    path = tmp_path / "p.bib"
    path.write_text("@misc{broken, title = {unclosed\n")
    code, out = new(sample, "--bibtex", str(path), "--category", "inference", capsys=capsys)
    assert code == 1 and "the BibTeX record has problems" in out and "Traceback" not in out
