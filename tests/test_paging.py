"""Long listings are split into pages of a fixed size, with a bounded pager (evwm.site.paging)."""

from __future__ import annotations

import re

from conftest import bib_record
from evwm.site.build import build_site
from evwm.site.paging import page_path, paginate


def test_the_first_page_keeps_the_path_and_later_pages_sit_beside_it():
    assert page_path("taxonomy/inference/index.md", 1) == "taxonomy/inference/index.md"
    assert page_path("taxonomy/inference/index.md", 3) == "taxonomy/inference/page.3.md"
    assert page_path("tags/few-step.md", 2) == "tags/few-step/page.2.md"
    assert page_path("authors/index.md", 2) == "authors/page.2.md"


def test_pages_hold_every_item_once_in_order():
    items = list(range(23))
    pages = paginate("tags/x.md", items, 5)
    assert [p.number for p in pages] == [1, 2, 3, 4, 5]
    assert [i for p in pages for i in p.items] == items
    assert (pages[-1].first, pages[-1].last, pages[-1].total) == (21, 23, 23)
    assert paginate("tags/x.md", [], 5)[0].items == [] and not paginate("tags/x.md", [1, 2], 5)[0].links


def test_the_pager_stays_bounded_however_long_the_list():
    for count in (3, 10, 1000):
        pages = paginate("tags/x.md", list(range(count * 2)), 2)
        for page in pages:
            assert len(page.links) <= 9  # first, gap, two before, current, two after, gap, last
            current = [link for link in page.links if link.current]
            assert len(current) == 1 and current[0].label == str(page.number) and current[0].path is None
            targets = [link.path for link in page.links if link.path]
            assert "tags/x.md" in targets or page.number == 1
            assert page_path("tags/x.md", count) in targets or page.number == count


def test_a_site_with_a_small_page_size_splits_its_long_lists(sample):
    path = sample.root / "mkdocs.yml"
    path.write_text(path.read_text().replace("  - evwm:\n", "  - evwm:\n      page_size: 2\n"))
    records = ""
    for i in range(5):
        sample.entry(f"cache-{i}", categories=["inference/caching"], cites=[f"cache{i}2025x"], tags=["training-free"])
        records += bib_record(f"cache{i}2025x", f"Caching Paper {i}", authors="Poe, Ann and Doe, Jane")
    sample.bib(records, name="paged")
    site = sample.root / "site"
    assert build_site(sample.root, strict=True, site_dir=site) == 0
    first = (site / "taxonomy/inference/caching/index.html").read_text()
    second = (site / "taxonomy/inference/caching/page.2/index.html").read_text()
    shown = lambda page: set(re.findall(r'href="(?:\.\./)+entries/([a-z0-9-]+)/"', page.split("<h2", 2)[-1]))  # noqa: E731
    assert len(shown(first)) == 2 and len(shown(second)) == 2 and not shown(first) & shown(second)
    assert "Page 2 of" in second and 'href="../">1</a>' in second
    assert "(page 2 of" in second.split("</title>")[0]
    for page in ("tags/training-free/page.2", "authors/ann-poe/page.2", "years/2025/page.2"):
        assert (site / page / "index.html").is_file(), page
    # the year index lists a few entries of each year as a list, and links the year's own pages
    years = (site / "entries/index.html").read_text()
    assert years.count("<li><a href=") >= 5 and 'href="../years/2025/"' in years
    # later pages are not search results of their own: the entries are found on their pages
    assert "data-pagefind-body" in first and "data-pagefind-body" not in second


def test_a_page_size_below_one_is_refused(sample, capsys):
    path = sample.root / "mkdocs.yml"
    path.write_text(path.read_text().replace("  - evwm:\n", "  - evwm:\n      page_size: 0\n"))
    assert build_site(sample.root, strict=True, site_dir=sample.root / "site") != 0
    assert "plugins.evwm.page_size: must be 1 or more" in capsys.readouterr().err
