"""Compare, see and cite: comparison tables, pictures, cite boxes, citation tags and the ways in
(authors, venues, tags, base models, years, what's new, the feed), on the small sample project."""

from __future__ import annotations

import html
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import bib_record
from evwm.export import csl_json
from evwm.export.bibtex import format_entry
from evwm.export.ris import format_record
from evwm.kb import load
from evwm.site import cite, pictures
from evwm.site.build import build_site
from evwm.site.render import Renderer

BASE_MODELS = """
- {id: wan-2-1-14b, name: Wan 2.1 14B, family: Wan 2.1, aliases: [Wan2.1-T2V-14B]}
- {id: wan-2-1-1-3b, name: Wan 2.1 1.3B, family: Wan 2.1}
- {id: cogvideox-5b, name: CogVideoX 5B, family: CogVideoX}
"""


def with_overrides(project) -> None:
    """Use templates/overrides as the theme's custom_dir, as the shipped mkdocs.yml is to do."""
    path = project.root / "mkdocs.yml"
    text = path.read_text()
    if "custom_dir" not in text:
        path.write_text(text.replace("  name: material\n", "  name: material\n  custom_dir: templates/overrides\n"))


@pytest.fixture
def rich(sample):
    return enrich(sample)


def enrich(sample):
    """The sample plus numbers in several units, base models of two families and a tag vocabulary."""
    with_overrides(sample)
    sample.write("vocab/base-models.yaml", BASE_MODELS)
    sample.write(
        "vocab/tags.yaml",
        "- {id: cache, meaning: Reuses computation across steps.}\n"
        "- {id: real-time, meaning: Runs at the speed of play.}\n"
        "- {id: unused-tag, meaning: A tag no entry has yet.}\n",
    )
    sample.entry(
        "slow-attn",
        categories=["inference/caching"],
        cites=["lee2025slow"],
        base_models=["Wan 2.1 14B"],
        claims=[
            {
                "metric": "latency",
                "value": 500,
                "unit": "ms",
                "baseline": "full attention",
                "base_model": "Wan2.1-T2V-14B",
                "hardware": "h100",
                "gpus": 8,
                "source": "Table 2",
                "quality": {"metric": "vbench", "value": 80.1, "baseline_value": 80.5, "unit": "%"},
            },
            {
                "metric": "latency",
                "value": 0.4,
                "unit": "s",
                "baseline": "full attention",
                "base_model": "Wan 2.1 1.3B",
                "source": "Table 3",
            },
            {
                "metric": "speedup",
                "value": 12,
                "unit": "x",
                "baseline": "full attention",
                "base_model": "CogVideoX 5B",
                "source": "Table 4",
                "quality": {"metric": "vbench", "change": -0.3, "unit": "%"},
            },
        ],
        links={"project": "https://example.org/slow"},
        tags=["cache"],
    )
    sample.entry(
        "wan-user",
        categories=["inference/quantization"],
        cites=["kim2025wan"],
        base_models=["Wan 2.1 1.3B"],
        training="fine-tuning",
    )
    sample.bib(
        bib_record(
            "lee2025slow",
            "Slow Attention Made Fast",
            2025,
            "2505.00005",
            authors="Lee, Min and Doe, Jane",
            kind="inproceedings",
            booktitle="International Conference on Learning Representations (ICLR)",
            doi="10.1234/slow.5",
        )
        + bib_record("kim2025wan", "Quantising Wan", 2025, "2506.00006", authors="Kim, Ji"),
        name="more",
    )
    return sample


def build(project) -> Path:
    site = project.root / "site"
    assert build_site(project.root, strict=True, site_dir=site) == 0
    return site


def read(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def table_rows(page: str, ident: str) -> list[str]:
    block = page.split(f'id="{ident}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", block.split("<tbody>", 1)[1], flags=re.S)


def test_node_page_compares_every_claim_of_its_subtree_with_numeric_sort_keys(rich):
    site = build(rich)
    page = read(site, "taxonomy/inference/index.html")
    rows = table_rows(page, "compare")
    assert len(rows) == 4  # fast-cache's one claim and slow-attn's three
    latency = [r for r in rows if "Latency" in r]
    # 500 ms and 0.4 s sort on one scale, in seconds (the metric's canonical unit)
    assert any('data-sort="0.5"' in r and "500 ms" in r and 'title="0.5 s"' in r for r in latency)
    assert any('data-sort="0.4"' in r and "0.4 s" in r for r in latency)
    slow = next(r for r in latency if "500 ms" in r)
    assert "8× NVIDIA H100" in slow and 'data-value="Wan 2.1"' in slow and "training-free" in slow
    assert "VBench 80.1 % (baseline 80.5)" in slow and "Table 2" in slow and "ICLR" in slow and "2025" in slow
    head = page.split('id="compare"', 1)[1].split("</thead>", 1)[0]
    for name in ("Metric", "Base model", "Hardware", "Training", "Year", "Venue"):
        assert f'data-filter="{name}"' in head
    assert 'src="../../assets/evwm.js"' in page
    # a node without claims below it has no comparison
    assert 'id="compare"' not in read(site, "taxonomy/paradigms/index.html")


def test_base_model_family_page_compares_methods_on_the_same_ground(rich):
    site = build(rich)
    wan = read(site, "base-models/wan-2-1/index.html")
    rows = table_rows(wan, "compare")
    assert len(rows) == 2 and all("Latency" in r for r in rows)  # the CogVideoX number is not on Wan's page
    assert "Quantising Wan" not in wan and "Wan User" in wan  # evaluated on Wan, no number: listed below
    cog = read(site, "base-models/cogvideox/index.html")
    assert len(table_rows(cog, "compare")) == 1
    index = read(site, "base-models/index.html")
    assert 'href="wan-2-1/"' in index and 'href="cogvideox/"' in index
    entry = read(site, "entries/slow-attn/index.html")
    assert 'href="../../base-models/wan-2-1/"' in entry


def meta_tags(page: str) -> list[tuple[str, str]]:
    return [
        (html.unescape(n), html.unescape(c)) for n, c in re.findall(r'<meta name="([^"]+)" content="([^"]*)"', page)
    ]


def test_entry_page_carries_highwire_citation_tags_and_its_own_description(rich):
    page = read(build(rich), "entries/slow-attn/index.html")
    tags = meta_tags(page)
    assert ("citation_title", "Slow Attention Made Fast") in tags
    assert [c for n, c in tags if n == "citation_author"] == ["Lee, Min", "Doe, Jane"]
    assert ("citation_publication_date", "2025") in tags and ("citation_date", "2025") in tags
    assert ("citation_conference_title", "International Conference on Learning Representations (ICLR)") in tags
    assert ("citation_doi", "10.1234/slow.5") in tags
    assert ("citation_arxiv_id", "2505.00005") in tags
    assert ("citation_pdf_url", "https://arxiv.org/pdf/2505.00005") in tags
    description = dict(tags)["description"]
    assert description.startswith("A method that makes video diffusion models faster")
    assert 'type="application/atom+xml"' in page


def test_entry_page_opens_with_title_authors_venue_and_links(rich):
    page = read(build(rich), "entries/slow-attn/index.html")
    body = page.split("<article", 1)[1]
    order = [body.index(s) for s in ("Slow Attention Made Fast", "Min Lee", "ICLR", ">Paper<", "How it saves compute")]
    assert order == sorted(order)
    assert 'href="../../authors/min-lee/"' in body and 'href="../../authors/jane-doe/"' in body
    assert 'href="../../venues/iclr/"' in body
    assert 'href="https://arxiv.org/pdf/2505.00005"' in body and 'href="https://example.org/slow"' in body
    assert 'href="../../tags/cache/"' in body


def test_cite_box_holds_the_exporters_records_and_citeproc_references(rich):
    site = build(rich)
    page = read(site, "entries/slow-attn/index.html")
    kb = load(rich.root)
    cit = kb.citations["lee2025slow"]
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for record in (format_entry(cit), format_entry(cit, "biblatex"), format_record(cit), csl_json([cit])):
        assert record.strip() in text
    apa = html.unescape(re.search(r'id="ref-apa">(.*?)</p>', page).group(1))
    assert apa.startswith("Lee, M., &amp; Doe, J. (2025). Slow Attention Made Fast.") or apa.startswith(
        "Lee, M., & Doe, J. (2025). Slow Attention Made Fast."
    )
    assert "<i>International Conference on Learning Representations (ICLR)</i>" in page
    ieee = re.search(r'id="ref-ieee">(.*?)</p>', page).group(1)
    assert ieee.startswith("M. Lee and J. Doe, “Slow Attention Made Fast”")
    buttons = dict(re.findall(r'data-copy-text="([^"]*)" aria-describedby="ref-(\w+)"', page))
    assert {v: html.unescape(k) for k, v in buttons.items()}["apa"].startswith("Lee, M., & Doe, J. (2025).")


def test_formatted_references_come_from_the_disk_cache_on_rebuild(rich, monkeypatch):
    build(rich)
    cache = rich.root / ".evwm-cache/citeproc.json"
    assert cache.is_file() and len(json.loads(cache.read_text())["items"]) == 2 * 5  # 5 entries, 2 styles
    before = read(rich.root / "site", "entries/slow-attn/index.html")

    def refuse(*args, **kwargs):
        raise AssertionError("citeproc ran although every reference was cached")

    monkeypatch.setattr(cite.Formatter, "_run", refuse)
    assert read(build(rich), "entries/slow-attn/index.html") == before
    # a changed record is formatted again, and only that one
    monkeypatch.undo()
    calls = []
    original = cite.Formatter._run
    monkeypatch.setattr(
        cite.Formatter, "_run", lambda self, item, style: calls.append(style) or original(self, item, style)
    )
    rich.bib(bib_record("kim2025wan", "Quantising Wan Better", 2025, "2506.00006", authors="Kim, Ji"), name="kim")
    (rich.root / "bibliography/more.bib").write_text(
        (rich.root / "bibliography/more.bib").read_text().split("@misc{kim2025wan")[0]
    )
    build(rich)
    assert sorted(calls) == ["apa", "ieee"]


def test_an_unusable_cache_is_ignored(rich):
    rich.write(".evwm-cache/citeproc.json", "{not json")
    page = read(build(rich), "entries/slow-attn/index.html")
    assert 'id="ref-apa">Lee, M.' in page


def test_markup_in_bibliographic_fields_stays_text_in_references_and_tags(project):
    from conftest import fill_sample

    fill_sample(project)
    with_overrides(project)
    project.bib(
        bib_record("evil2025x", 'Evil <script>alert("t")</script> \\& Title', authors="Tag, <b>Bold</b>"), name="e"
    )
    project.entry("evil", cites=["evil2025x"])
    page = read(build(project), "entries/evil/index.html")
    assert "<script>alert" not in page and "<b>Bold</b>" not in page
    assert ("citation_title", 'Evil <script>alert("t")</script> & Title') in meta_tags(page)  # escaped, read back
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page


def test_pictures_link_every_node_and_carry_their_data_as_text(rich):
    site = build(rich)
    tax = read(site, "taxonomy/index.html")
    kb = load(rich.root)
    figure = tax.split('class="evwm-fig evwm-taxonomy"', 1)[1].split("</figure>", 1)[0]
    links = re.findall(r'<a href="([^"]+)" aria-label="([^"]+)"', figure)
    assert len(links) == len(kb.nodes)
    assert ("inference/caching/", "Caching 3 entries") in links
    assert "<figcaption>" in figure
    years = read(site, "entries/index.html")
    assert 'role="img" aria-labelledby="years-caption"' in years and 'id="years-caption"' in years
    data = years.split('id="years-data"', 1)[1].split("</table>", 1)[0]
    assert re.search(
        r'<td>2025</td><td class="evwm-num">1</td><td class="evwm-num">3</td><td class="evwm-num">4</td>', data
    )  # paradigms, inference, all
    numbers = read(site, "numbers/index.html")
    assert numbers.count('class="evwm-dot') == 3  # fast-cache 2.5x, slow-attn 12x (speedups) + 1 trade-off dot
    assert 'aria-label="Slow Attn: 12× faster, VBench -0.3 %"' in numbers
    assert "Reported speedups per family" in numbers


def test_an_entry_graph_shows_a_bounded_neighbourhood(sample):
    sample.entry(
        "hub",
        categories=["inference/caching"],
        cites=["hub2025x"],
        relations=[{"type": "compares-with", "target": f"spoke-{i}"} for i in range(12)],
    )
    records = bib_record("hub2025x", "The Hub")
    for i in range(12):
        sample.entry(f"spoke-{i}", cites=[f"spoke{i}2025x"])
        records += bib_record(f"spoke{i}2025x", f"Spoke Paper {i}")
    sample.bib(records, name="hub")
    page = read(build(sample), "entries/hub/index.html")
    graph = page.split('class="evwm-fig evwm-graph"', 1)[1].split("</figure>", 1)[0]
    assert graph.count("<a href=") == pictures.NEIGHBOURS_SHOWN
    assert "and 4 more, listed below" in graph
    assert page.count("Compares with <a") == 12 or page.count("Compares with") >= 12


def test_author_venue_and_tag_pages_list_their_entries(rich):
    site = build(rich)
    doe = read(site, "authors/jane-doe/index.html")
    assert all(f'href="../../entries/{e}/"' in doe for e in ("fast-cache", "tiny-quant", "slow-attn"))
    assert 'href="../../entries/game-sim/"' not in doe
    assert (site / "authors/jorg-muller/index.html").is_file()  # {\"o} and {\"u} read as ö and ü, then plain
    assert (site / "authors/team-example/index.html").is_file()
    authors = read(site, "authors/index.html")
    assert "Jörg Müller" in authors and 'href="jorg-muller/"' in authors
    assert 'href="../../entries/slow-attn/"' in read(site, "venues/iclr/index.html")
    assert "Conference on Neural Information Processing Systems (NeurIPS)" in read(site, "venues/index.html")
    tags = read(site, "tags/index.html")
    assert "Reuses computation across steps." in tags and 'href="unused-tag/"' in tags
    assert "No entry carries this tag yet." in read(site, "tags/unused-tag/index.html")


def test_whats_new_and_the_feed_follow_the_git_history(rich):
    def git(*args, date=None):
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        subprocess.run(
            ["git", "-C", str(rich.root), *args],
            check=True,
            capture_output=True,
            env={
                "HOME": str(rich.root),
                "PATH": "/usr/bin:/bin",
                "GIT_AUTHOR_NAME": "t",
                "GIT_AUTHOR_EMAIL": "t@e",
                "GIT_COMMITTER_NAME": "t",
                "GIT_COMMITTER_EMAIL": "t@e",
                **env,
            },
        )

    git("init", "-q")
    git("add", "entries/main/fast-cache.yaml", "entries/main/game-sim.yaml")
    git("commit", "-q", "-m", "one", date="2026-01-02T10:00:00+00:00")
    git("add", "entries/main/tiny-quant.yaml")
    git("commit", "-q", "-m", "two", date="2026-03-04T10:00:00+00:00")
    git("mv", "entries/main/game-sim.yaml", "entries/main/game-sim2.yaml")  # a later rename keeps the first date?
    git("mv", "entries/main/game-sim2.yaml", "entries/main/game-sim.yaml")
    site = build(rich)
    new = read(site, "whats-new/index.html")
    # slow-attn and wan-user are not committed: their file time (now) puts them first
    order = [new.index(f'href="../entries/{e}/"') for e in ("slow-attn", "tiny-quant", "fast-cache")]
    assert order == sorted(order)
    assert "2026-03-04" in new and "2026-01-02" in new
    feed = ET.fromstring(read(site, "downloads/feed.xml"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 5
    tiny = next(e for e in entries if e.find("a:id", ns).text.endswith(":tiny-quant"))
    assert tiny.find("a:published", ns).text == "2026-03-04T10:00:00+00:00"
    href = tiny.find("a:link", ns).get("href")
    assert (site / "downloads" / href / "index.html").resolve().is_file()


def test_404_page_offers_search_and_the_taxonomy(rich):
    page = read(build(rich), "404.html")
    assert "Page not found" in page and "search box" in page
    # absolute links under the site's own path (site_url in mkdocs.yml), so they work from any URL
    assert re.search(r'href="/(?:[^"/]+/)*taxonomy/"', page) and re.search(
        r'href="/(?:[^"/]+/)*taxonomy/inference/"', page
    )


def test_home_page_says_what_a_reader_can_do_and_how_to_cite(rich):
    home = read(build(rich), "index.html")
    for words in ("Browse.", "Compare.", "Cite.", "Export.", "How to cite", "evwm contributors"):
        assert words in home
    assert 'href="taxonomy/"' in home and 'href="numbers/"' in home and 'href="whats-new/"' in home


def test_renderer_offers_the_light_template_for_author_pages_only_when_asked(rich):
    kb = load(rich.root)
    plain = Renderer(kb, rich.root / "templates").pages()
    assert "template:" not in plain["authors/jane-doe.md"]
    light = Renderer(kb, rich.root / "templates")
    light.light_template = "evwm-light.html"
    pages = light.pages()
    assert "template: evwm-light.html" in pages["authors/jane-doe.md"]
    assert "template:" not in pages["entries/slow-attn.md"]


def test_with_a_site_url_the_sitemap_lists_every_page(rich):
    path = rich.root / "mkdocs.yml"
    text = re.sub(r"^site_url:.*$", "", path.read_text(), flags=re.M)
    path.write_text("site_url: https://evwm.example.org/kb/\n" + text)
    site = build(rich)
    listed = set(re.findall(r"<loc>https://evwm\.example\.org/kb/([^<]*)</loc>", read(site, "sitemap.xml")))
    pages = {str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html") if p.parent != site}
    assert pages and pages <= listed
    assert "authors/jane-doe/" in listed and "base-models/wan-2-1/" in listed


def test_the_light_template_is_offered_only_where_the_theme_has_it(rich):
    from evwm.site.render import light_template_for

    assert light_template_for(str(rich.root / "templates/overrides")) == "evwm-light.html"
    assert light_template_for(str(rich.root / "docs")) is None
    assert light_template_for(None) is None


def test_an_author_called_index_does_not_replace_the_authors_index(sample):
    sample.bib(bib_record("idx2025x", "A Paper by Index", authors="{Index}"), name="idx")
    sample.entry("by-index", cites=["idx2025x"])
    site = build(sample)
    assert "Every author of a paper" in read(site, "authors/index.html")
    assert 'href="../../entries/by-index/"' in read(site, "authors/index-1/index.html")
    assert 'href="../../authors/index-1/"' in read(site, "entries/by-index/index.html")


def test_a_node_page_describes_itself_with_its_own_first_paragraph(rich):
    page = read(build(rich), "taxonomy/inference/caching/index.html")
    description = dict(meta_tags(page))["description"]
    assert description.startswith("This node groups methods") and len(description) <= 200
