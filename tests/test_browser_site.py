"""The reader's site in Debian's Chromium: comparison tables sort and filter, pictures are
links, references copy, entry pages carry citation tags, and axe-core finds no serious or
critical violation in light or dark mode. Screenshots of each page type go to tests/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import CHROMIUM, REPO, Project, fill_sample, serve_folder
from evwm.export.csl import to_csl
from evwm.kb import load
from evwm.site.build import build_site
from evwm.site.cite import STYLES, Formatter
from test_site_pages import enrich

AXE = REPO / "tests/node_modules/axe-core/axe.min.js"
SHOTS = REPO / "tests/screenshots"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing: scripts/test installs it"),
]
playwright_api = pytest.importorskip("playwright.sync_api")

PAGES = {  # page type -> path
    "home": "",
    "node": "taxonomy/inference/",
    "entry": "entries/slow-attn/",
    "builder": "bibliography/",
    "base-model": "base-models/wan-2-1/",
    "taxonomy": "taxonomy/",
    "numbers": "numbers/",
    "years": "entries/",
    "year": "years/2025/",
    "author": "authors/jane-doe/",
    "not-found": "404.html",  # what a server sends for a wrong address
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    project = enrich(fill_sample(Project(tmp_path_factory.mktemp("reader") / "kb")))
    out = project.root / "site"
    assert build_site(project.root, strict=True, site_dir=out) == 0
    with serve_folder(out) as base:
        yield base, load(project.root)


@pytest.fixture
def page(browser, site):
    base, _ = site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, errors


def visible_rows(page, table="#compare"):
    return page.locator(f"{table} tbody tr:not([hidden])")


def test_sorting_a_comparison_table_orders_numbers_as_numbers(page, site):
    base, _ = site
    page.goto(f"{base}/taxonomy/inference/")
    page.wait_for_selector("#compare[data-ready='true']")
    value = page.locator("#compare th:has-text('Value') button")
    value.click()
    keys = [
        float(k)
        for k in page.locator("#compare tbody tr td[data-sort]:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.getAttribute('data-sort'))"
        )
    ]
    assert keys == sorted(keys) and keys == [0.4, 0.5, 2.5, 12]  # 500 ms sorts as 0.5 s, after 0.4 s
    assert page.get_attribute("#compare th:has-text('Value')", "aria-sort") == "ascending"
    value.click()
    keys = [
        float(k)
        for k in page.locator("#compare tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.getAttribute('data-sort'))"
        )
    ]
    assert keys == [12, 2.5, 0.5, 0.4]
    page.locator("#compare th:has-text('Method') button").click()
    names = page.locator("#compare tbody tr td:first-child").all_inner_texts()
    assert names == sorted(names, key=str.lower)


def test_filtering_a_comparison_table_by_metric_and_base_model(page, site):
    base, _ = site
    page.goto(f"{base}/taxonomy/inference/")
    page.wait_for_selector("#compare[data-ready='true']")
    assert visible_rows(page).count() == 4
    page.select_option("#compare select[data-column='1']", "Latency")
    assert visible_rows(page).count() == 2
    assert set(visible_rows(page).locator("td:nth-child(2)").all_inner_texts()) == {"Latency"}
    assert page.inner_text("#compare .evwm-compare-status") == "2 of 4 rows shown"
    page.get_by_label("Base model").select_option("Wan 2.1")
    assert visible_rows(page).count() == 2  # both latencies were measured on Wan 2.1 models
    page.get_by_label("Hardware").select_option("NVIDIA H100")
    assert visible_rows(page).count() == 1
    page.click("#compare .evwm-reset")
    assert visible_rows(page).count() == 4


def test_the_table_is_complete_without_javascript(browser, site):
    base, _ = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/taxonomy/inference/")
    assert page.locator("#compare tbody tr").count() == 4
    assert page.locator("#compare select").count() == 0
    context.close()


def test_a_taxonomy_box_and_a_chart_dot_are_links(page, site):
    base, _ = site
    page.goto(f"{base}/taxonomy/")
    page.locator(".evwm-taxonomy a[aria-label='Caching 3 entries']").click()
    page.wait_for_url(f"{base}/taxonomy/inference/caching/")
    page.goto(f"{base}/numbers/")
    page.locator("a[aria-label^='Slow Attn: 12×']").first.click()
    page.wait_for_url(f"{base}/entries/slow-attn/")
    page.goto(f"{base}/entries/tiny-quant/")
    page.locator(".evwm-graph a:has-text('Fast Cache')").click()
    page.wait_for_url(f"{base}/entries/fast-cache/")


def test_copy_apa_puts_the_formatted_reference_on_the_clipboard(page, site):
    base, kb = site
    page.goto(f"{base}/entries/slow-attn/")
    page.get_by_role("button", name="Copy APA").click()
    page.wait_for_selector(".evwm-copy-status:has-text('Reference copied.')")
    copied = page.evaluate("navigator.clipboard.readText()")
    expected = Formatter(None).format(to_csl(kb.citations["lee2025slow"]), "apa").text
    assert copied == expected and copied.startswith("Lee, M., & Doe, J. (2025). Slow Attention Made Fast.")
    assert set(STYLES) == {"apa", "ieee"}


def test_reference_managers_read_the_citation_tags(page, site):
    base, _ = site
    page.goto(f"{base}/entries/slow-attn/")
    read = lambda name: page.locator(f"meta[name='{name}']").evaluate_all("m => m.map(x => x.content)")  # noqa: E731
    assert read("citation_title") == ["Slow Attention Made Fast"]
    assert read("citation_author") == ["Lee, Min", "Doe, Jane"]
    assert read("citation_pdf_url") == ["https://arxiv.org/pdf/2505.00005"]
    assert read("citation_doi") == ["10.1234/slow.5"]
    assert read("description")[0].startswith("A method that makes video diffusion models faster")


# Parts of the page that these templates and CSS do not make: the search box's own widget.
NOT_OURS = (".pagefind-ui",)


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    out = []
    for v in result["violations"]:
        nodes = [n["target"] for n in v["nodes"] if not any(s in str(n["target"]) for s in NOT_OURS)]
        if v["impact"] in ("serious", "critical") and nodes:
            details = [n.get("any", [{}])[0].get("message", "")[:160] for n in v["nodes"]][:3]
            out.append(f"{v['id']} ({v['impact']}): {nodes[:5]} {details}")
    return out


@pytest.mark.skipif(not AXE.exists(), reason="axe-core missing: scripts/test installs it with npm")
@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_no_serious_accessibility_violations(page, site, scheme):
    base, _ = site
    found = {}
    for kind in ("home", "node", "entry", "builder", "base-model", "taxonomy", "numbers"):
        page.goto(f"{base}/{PAGES[kind]}")
        page.evaluate(f"document.body.setAttribute('data-md-color-scheme', '{scheme}')")
        page.wait_for_timeout(400)  # let the theme's colour transitions finish before measuring contrast
        if kind == "builder":
            page.wait_for_selector("#evwm-builder[data-ready='true']")
        problems = axe_violations(page)
        if problems:
            found[kind] = problems
    assert not found, "\n".join(f"{kind}: {p}" for kind, problems in found.items() for p in problems)


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_every_page_type(browser, site, width):
    """Written for people to look at; the check here is that nothing is wider than the screen."""
    base, _ = site
    SHOTS.mkdir(exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    too_wide = {}
    for kind, path in PAGES.items():
        page.goto(f"{base}/{path}")
        page.wait_for_load_state("load")
        page.screenshot(path=str(SHOTS / f"{kind}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            too_wide[kind] = overflow
        if kind in ("entry", "node", "numbers"):  # and in dark mode
            page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
            page.wait_for_timeout(300)
            page.screenshot(path=str(SHOTS / f"{kind}-{width}-dark.png"), full_page=True)
    context.close()
    assert not too_wide  # wide tables and pictures scroll inside their own boxes


def test_the_page_meta_description_is_not_the_site_default(page, site):
    base, _ = site
    page.goto(f"{base}/taxonomy/")
    description = page.locator("meta[name='description']").get_attribute("content")
    assert description and re.search(r"taxonomy", description)
