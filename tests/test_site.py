"""The built site: every page exists, every internal link resolves, nothing from the data runs."""

import html
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import bib_record
from evwm.cli import main
from evwm.site.build import build_site


def build(project, capsys=None) -> Path:
    site = project.root / "site"
    assert build_site(project.root, strict=True, site_dir=site) == 0
    return site


def internal_targets(site: Path):
    """(page, href, resolved path) for every relative link or asset reference in the site."""
    for page in site.rglob("*.html"):
        if page.name == "404.html" and page.parent == site:
            continue  # served at any depth, so the theme gives it root-absolute links
        for ref in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            ref = html.unescape(ref)
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith(("#", "//", "mailto:")) or not parts.path:
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if ref.endswith("/") or target.is_dir():
                target = target / "index.html"
            yield page, ref, target


def test_one_page_per_entry_and_node_and_all_links_resolve(sample):
    site = build(sample)
    for entry in ("fast-cache", "tiny-quant", "game-sim"):
        assert (site / "entries" / entry / "index.html").is_file()
    for node in (
        "paradigms",
        "paradigms/distillation",
        "inference",
        "inference/caching",
        "applications/game-simulation",
    ):
        assert (site / "taxonomy" / node / "index.html").is_file()
    for extra in (
        "index.html",
        "entries/index.html",
        "bibliography/index.html",
        "downloads/evwm.json",
        "downloads/evwm.bib",
        "downloads/inference--caching.bib",
        "about/index.html",
    ):
        assert (site / extra).is_file(), extra
    broken = [(p.relative_to(site), ref) for p, ref, target in internal_targets(site) if not target.exists()]
    assert not broken
    assert sum(1 for _ in internal_targets(site)) > 100


def test_entry_page_content(sample):
    page = (build(sample) / "entries/tiny-quant/index.html").read_text()
    assert "Builds on" in page and 'href="../fast-cache/"' in page
    assert "Is used by" in page and 'href="../game-sim/"' in page  # the relation seen from its target
    assert 'href="../../taxonomy/inference/quantization/"' in page
    assert "Fast Caching for Video Diffusion" in page and "Tiny Quantised Video Transformers" in page
    assert "@misc{roe2025tiny," in html.unescape(re.sub(r"<[^>]+>", "", page))
    fast = (build(sample) / "entries/fast-cache/index.html").read_text()
    assert "2.5×" in fast and "50-step sampling" in fast and "1× NVIDIA A100" in fast and "Table 1" in fast


def test_node_page_lists_subtree_with_year_venue_claim_and_code(sample):
    page = (build(sample) / "taxonomy/inference/index.html").read_text()
    rows = re.findall(r"<tr>(.*?)</tr>", page, flags=re.S)
    text = [re.sub(r"<[^>]+>", " ", r) for r in rows]
    fast = next(t for t in text if "Fast Cache" in t and "speedup" in t)  # the entries table, after the comparison
    assert "2024" in fast and "NeurIPS" in fast and "2.5× speedup" in fast
    assert 'href="https://github.com/example/fast-cache"' in page
    assert any("Tiny Quant" in t for t in text)
    assert 'href="../../downloads/inference.bib"' in page


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_markup_in_any_text_field_is_escaped(sample):
    sample.bib(bib_record("evil2025x", "Title <script>alert(1)</script>", authors="Tag, <b>Bold</b>"), name="evil")
    sample.node("inference/evil", name=f"Node {HOSTILE}", order=9)
    sample.entry(
        "evil",
        name=f"Evil {HOSTILE}",
        cites=["evil2025x"],
        # validation refuses HTML and attribute lists in prose; the other fields still carry markup
        summary="Summary with a link [x](https://a.org) and enough words to pass the length check.",
        mechanism="Mechanism plus `code` and *emphasis* here, long enough for the check.",
        base_models=[HOSTILE],
        claims=[
            {
                "metric": "speedup",
                "value": 1,
                "unit": "x",
                "baseline": HOSTILE,
                "base_model": HOSTILE,
                "setting": HOSTILE,
                "source": HOSTILE,
            }
        ],
        relations=[{"type": "uses", "target": "fast-cache", "note": HOSTILE}],
    )
    site = build(sample)
    for page in (
        "entries/evil/index.html",
        "taxonomy/inference/evil/index.html",
        "index.html",
        "entries/fast-cache/index.html",
        "taxonomy/inference/caching/index.html",
        "entries/index.html",
        "bibliography/index.html",
        "authors/jane-doe/index.html",
        "authors/index.html",
        "tags/index.html",
        "numbers/index.html",
        "whats-new/index.html",
        "downloads/feed.xml",
    ):
        if page.startswith("search/") and not (site / page).exists():
            continue  # the search index's name depends on the search engine in use
        text = (site / page).read_text()
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "<b>Bold</b>" not in text
    evil = (site / "entries/evil/index.html").read_text()
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in evil or '&lt;script&gt;alert("x")&lt;/script&gt;' in evil
    )
    assert '<a href="https://a.org">x</a>' in evil and "<code>code</code>" in evil and "<em>emphasis</em>" in evil


def test_entry_page_size_does_not_grow_with_the_knowledge_base(sample):
    before = (build(sample) / "entries/fast-cache/index.html").read_bytes()
    for i in range(40):
        sample.bib(bib_record(f"more{i}2025x", f"Another Paper Number {i}"), name=f"more{i}")
        sample.entry(f"more-{i}", cites=[f"more{i}2025x"], categories=["inference/quantization"])
    site = build(sample)
    assert (site / "entries/fast-cache/index.html").read_bytes() == before
    other = (site / "entries/more-3/index.html").read_text()
    assert "More 5" not in other and "../more-5/" not in other  # no entry lists the others


def test_failed_build_leaves_previous_site_untouched(sample, capsys):
    site = build(sample)
    snapshot = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    sample.entry("broken", categories=["no/such/node"], cites=["roe2025tiny"])  # a data error
    assert main(["--root", str(sample.root), "build"]) == 1
    (sample.root / "entries/main/broken.yaml").unlink()
    sample.write("docs/about.md", "# About\n\n[dead link](missing-page.md)\n")  # a strict-mode warning
    assert main(["--root", str(sample.root), "build"]) == 1
    assert "left as it was" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == snapshot
    assert not [p for p in sample.root.iterdir() if p.name.startswith(".site-")]


def test_plain_mkdocs_build_uses_the_plugin(sample):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "out"],
        cwd=sample.root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (sample.root / "out/entries/game-sim/index.html").is_file()


def test_plain_mkdocs_build_reports_data_errors_without_traceback(sample):
    sample.entry("broken", categories=["no/such/node"], cites=["roe2025tiny"])
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", "out"], cwd=sample.root, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "entries/main/broken.yaml:" in result.stderr and "unknown taxonomy node 'no/such/node'" in result.stderr
    assert "Traceback" not in result.stderr
