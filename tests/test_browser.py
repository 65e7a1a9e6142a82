"""The published site's export features, driven in Debian's Chromium through Playwright.

The downloaded or copied text must equal what `evwm export` prints for the same filter.
"""

import shutil
from pathlib import Path

import pytest

from conftest import CHROMIUM, REPO, serve_folder
from evwm.export import export
from evwm.export.bibtex import format_entry
from evwm.kb import load
from evwm.kb.query import Selection, cited, select
from evwm.site.build import build_site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing: scripts/test installs it"),
]
playwright_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A snapshot of the shipped knowledge base, built and served on a loopback port."""
    root = tmp_path_factory.mktemp("shipped")
    for item in (
        "mkdocs.yml",
        "CONTRIBUTING.md",
        "templates",
        "docs",
        "taxonomy",
        "entries",
        "bibliography",
        "vocab",
        "survey",
    ):
        (shutil.copytree if (REPO / item).is_dir() else shutil.copy)(REPO / item, root / item)
    out = root / "site"
    assert build_site(root, strict=True, site_dir=out) == 0
    with serve_folder(out) as base:
        yield base, load(root)


@pytest.fixture
def page(browser, site):
    base, _ = site
    context = browser.new_context(accept_downloads=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def open_builder(page, base, query=""):
    page.goto(f"{base}/bibliography/{query}")
    page.wait_for_selector("#evwm-builder[data-ready='true']")


def count(page) -> int:
    return int(page.inner_text("#evwm-count"))


def tick(page, group, values):
    for value in values:
        page.check(f"#{group} input[value='{value}']")


def download(page, fmt) -> str:
    page.select_option("#f-format", fmt)
    with page.expect_download() as info:
        page.click("#download")
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_builder_starts_with_everything(page, site):
    base, kb = site
    open_builder(page, base)
    assert count(page) == len(kb.entries)
    assert int(page.inner_text("#evwm-cites")) == len(cited(kb, list(kb.entries.values())))


SELECTIONS = [
    (
        Selection(nodes=["inference/caching"], year_from=2025),
        lambda p: (tick(p, "f-node", ["inference/caching"]), p.fill("#f-from", "2025")),
    ),
    (
        Selection(applications=["game-simulation"], training=["training-free", "fine-tuning"]),
        lambda p: (tick(p, "f-app", ["game-simulation"]), tick(p, "f-training", ["training-free", "fine-tuning"])),
    ),
    (
        Selection(nodes=["architectures"], code=True, venues=["CVPR", "ICLR"]),
        lambda p: (tick(p, "f-node", ["architectures"]), p.check("#f-code"), tick(p, "f-venue", ["CVPR", "ICLR"])),
    ),
    (
        Selection(text="video diffusion", year_to=2024),
        lambda p: (p.fill("#f-text", "Video diffusion"), p.fill("#f-to", "2024")),
    ),
]


@pytest.mark.parametrize("selection, actions", SELECTIONS)
def test_filtered_download_equals_cli_output_in_every_format(page, site, selection, actions):
    base, kb = site
    expected = select(kb, selection)
    assert expected, "the filter should match something in the shipped data"
    open_builder(page, base)
    actions(page)
    assert count(page) == len(expected)
    for fmt in ("bibtex", "biblatex", "csl-json", "ris", "markdown", "csv"):
        assert download(page, fmt) == export(kb, expected, fmt), fmt


def test_results_are_newest_first(page, site):
    base, _kb = site
    open_builder(page, base)
    years = [
        int(y)
        for y in page.eval_on_selector_all(
            "#evwm-results tbody tr td:nth-child(2)", "els => els.map(e => e.textContent)"
        )
        if y.isdigit()
    ]
    assert years == sorted(years, reverse=True)


def test_shared_link_restores_every_filter(page, site):
    base, _kb = site
    open_builder(page, base)
    tick(page, "f-node", ["inference"])
    tick(page, "f-training", ["training-free"])
    page.fill("#f-from", "2024")
    page.fill("#f-to", "2026")
    page.fill("#f-text", "cache")
    page.check("#f-code")
    page.select_option("#f-format", "ris")
    page.dispatch_event("#f-format", "input")
    expected_count = count(page)
    url = page.url
    fresh = page.context.new_page()
    fresh.goto(url)
    fresh.wait_for_selector("#evwm-builder[data-ready='true']")
    assert int(fresh.inner_text("#evwm-count")) == expected_count
    assert fresh.is_checked("#f-node input[value='inference']") and fresh.is_checked("#f-code")
    assert fresh.input_value("#f-text") == "cache" and fresh.input_value("#f-from") == "2024"
    assert fresh.input_value("#f-format") == "ris"
    fresh.close()


def test_copy_puts_the_same_text_on_the_clipboard(page, site):
    base, kb = site
    open_builder(page, base)
    page.fill("#f-ids", "teacache, self-forcing")
    expected = select(kb, Selection(ids=["teacache", "self-forcing"]))
    assert count(page) == 2
    page.click("#copy")
    page.wait_for_selector("#evwm-status:has-text('copied')")
    assert page.evaluate("navigator.clipboard.readText()") == export(kb, expected, "bibtex")


def test_entry_page_copy_button_copies_the_bibtex(page, site):
    base, kb = site
    page.goto(f"{base}/entries/self-forcing/")
    page.click("article .highlight button[data-md-type=copy]")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == format_entry(kb.citations[kb.entries["self-forcing"].primary_cite]).strip()


def test_taxonomy_page_offers_its_subtree_bibtex(page, site):
    base, kb = site
    page.goto(f"{base}/taxonomy/inference/caching/")
    href = page.get_attribute("a.md-button:has-text('Download their BibTeX')", "href")
    body = page.evaluate("async (u) => (await fetch(u)).text()", href)
    assert body == export(kb, select(kb, Selection(nodes=["inference/caching"])), "bibtex")


def test_builder_link_preselects_from_query(page, site):
    base, kb = site
    open_builder(page, base, "?node=applications/embodied-ai")
    assert count(page) == len(select(kb, Selection(nodes=["applications/embodied-ai"])))
