"""Search: a Pagefind index in the built site, the search box on every page, and answers in a browser."""

from __future__ import annotations

import contextlib
import functools
import gc
import http.server
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import CHROMIUM, CHROMIUM_ARGS
from evwm.site.build import build_site
from evwm.site.search import excluded, page_html

BROWSER_ARGS = ["--headless", *CHROMIUM_ARGS]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from conftest import Project, fill_sample

    project = fill_sample(Project(tmp_path_factory.mktemp("search") / "kb"))
    assert build_site(project.root, site_dir=project.root / "site") == 0
    return project.root / "site"


def test_the_index_and_its_ui_are_in_the_site(site):
    bundle = site / "pagefind"
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "pagefind-entry.json"):
        assert (bundle / name).is_file(), name
    assert list((bundle / "index").iterdir()) and list((bundle / "fragment").iterdir())
    assert not (site / "search" / "search_index.json").exists()  # no whole-site index to download


def test_every_page_has_the_search_box_and_entry_pages_are_indexed(site):
    page = (site / "entries/fast-cache/index.html").read_text()
    assert '<script src="../../pagefind/pagefind-ui.js" defer></script>' in page
    assert 'data-base="../../pagefind/"' in page
    assert '<article class="md-content__inner md-typeset" data-pagefind-body>' in page
    assert 'class="headerlink" data-pagefind-ignore' in page
    home = (site / "index.html").read_text()
    assert 'data-base="pagefind/"' in home


def test_page_html_leaves_an_excluded_page_out_of_the_index():
    article = (
        '<html><head></head><body><article class="md-content__inner md-typeset"><h1>x</h1></article></body></html>'
    )
    kept = page_html(article, "../pagefind", searchable=True)
    left = page_html(article, "../pagefind", searchable=False)
    assert "data-pagefind-body" in kept and "data-pagefind-body" not in left
    assert 'href="../pagefind/pagefind-ui.css"' in left and "PagefindUI" in left
    assert excluded({"search": {"exclude": True}}) and not excluded({"search": {}}) and not excluded({})


@contextlib.contextmanager
def browsing(site: Path) -> Iterator[tuple[Any, str]]:
    """Headless Chromium and the URL of ``site``, served over loopback."""
    from playwright.sync_api import sync_playwright

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *a: None  # type: ignore[method-assign]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
            try:
                yield browser, f"http://127.0.0.1:{server.server_address[1]}/"
            finally:
                browser.close()
    finally:
        server.shutdown()


@pytest.mark.browser
def test_a_reader_finds_an_entry_by_name_and_by_author(site):
    with browsing(site) as (browser, base):
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "taxonomy/inference/", wait_until="load")
        box = page.locator("#evwm-search .pagefind-ui__search-input")
        for query, expected in [("tiny quant", "Tiny Quant"), ("Müller", "Game Sim"), ("garcía", "Game Sim")]:
            box.fill(query)
            page.locator(".pagefind-ui__result-link", has_text=expected).first.wait_for(timeout=10000)
        page.keyboard.press("Escape")
    assert not errors


@pytest.mark.browser
def test_pagefind_is_loaded_while_the_page_is_idle_without_taking_the_focus(site):
    """A first query need not wait for Pagefind's script, wasm and metadata, nor for Chromium to
    compile its search code: all of it comes before, with one warm-up search of a title word."""
    with browsing(site) as (browser, base):
        page = browser.new_page()
        fetched: list[str] = []
        page.on("requestfinished", lambda r: fetched.append(r.url.rsplit("/", 1)[-1]))
        page.goto(base + "taxonomy/inference/", wait_until="load")
        for _ in range(100):  # the worker's requests are not in the page's own timeline
            if any(name.endswith(".pf_fragment") for name in fetched):
                break
            page.wait_for_timeout(100)
        page.wait_for_timeout(300)
        focused = page.evaluate("() => document.activeElement && document.activeElement.className")
        shown = page.locator(".pagefind-ui__result").count()
    assert any(name.startswith("wasm.") for name in fetched) and any(".pf_meta" in n for n in fetched), fetched
    # the warm-up ("Inference", the title's first word) costs one index chunk and one fragment
    assert sum(name.endswith(".pf_index") for name in fetched) == 1, fetched
    assert sum(name.endswith(".pf_fragment") for name in fetched) == 1, fetched
    assert "pagefind-ui__search-input" not in (focused or "")
    assert shown == 0  # and the reader sees no results they did not ask for


def test_a_prose_edit_renders_only_that_entry_and_matches_a_full_render(sample, tmp_path, monkeypatch):
    """The serve shortcut gives exactly the pages a full render gives."""
    from mkdocs.config import load_config

    from evwm.site import render
    from evwm.site.render import Renderer

    monkeypatch.setattr(render, "RECENT", 1)  # the edited entry is not among the newest
    git = ["git", "-C", str(sample.root), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "data"], check=True)  # entry dates from git, not file times
    config_file = str(sample.root / "mkdocs.yml")
    config = load_config(config_file, site_dir=str(tmp_path / "site"))
    plugin = config.plugins["evwm"]
    plugin.on_startup(command="serve", dirty=True)
    try:
        plugin.on_config(config)
        path = sample.root / "entries/main/tiny-quant.yaml"
        assert {e.id for e, _ in Renderer(plugin.kb, sample.root / "templates").recent} == {"fast-cache"}
        data = yaml.safe_load(path.read_text())
        data["summary"] = "A rewritten summary about quantised video transformers and their speed."
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        calls = []
        full_pages = Renderer.pages
        monkeypatch.setattr(Renderer, "pages", lambda self: calls.append(1) or full_pages(self))
        plugin.on_config(load_config(config_file, site_dir=str(tmp_path / "site")))
        partial = dict(plugin.generated)
        assert calls == []  # nothing but the entry was rendered
        assert "rewritten summary" in str(partial["entries/tiny-quant.md"])
        plugin.on_startup(command="build", dirty=False)
        plugin.on_config(load_config(config_file, site_dir=str(tmp_path / "site")))
        full = dict(plugin.generated)
        full.pop("downloads/evwm.json")  # written after the build while serving
        partial.pop("downloads/evwm.json")
        assert partial == full and calls == [1]
    finally:
        plugin.on_shutdown()
        gc.unfreeze()


def test_an_edit_to_a_listed_field_renders_everything(sample, tmp_path, monkeypatch):
    from mkdocs.config import load_config

    from evwm.site.render import Renderer

    config_file = str(sample.root / "mkdocs.yml")
    plugin = load_config(config_file, site_dir=str(tmp_path / "site")).plugins["evwm"]
    plugin.on_startup(command="serve", dirty=True)
    try:
        plugin.on_config(load_config(config_file, site_dir=str(tmp_path / "site")))
        path: Path = sample.root / "entries/main/tiny-quant.yaml"
        path.write_text(path.read_text().replace("name: Tiny Quant", "name: Tiny Quantiser"))
        calls = []
        full_pages = Renderer.pages
        monkeypatch.setattr(Renderer, "pages", lambda self: calls.append(1) or full_pages(self))
        plugin.on_config(load_config(config_file, site_dir=str(tmp_path / "site")))
        assert calls == [1] and "Tiny Quantiser" in str(plugin.generated["taxonomy/inference/index.md"])
    finally:
        plugin.on_shutdown()
        gc.unfreeze()
