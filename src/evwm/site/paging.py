"""Long listings split into pages of a fixed size, so no page grows with the knowledge base.

The first page keeps the listing's own path; page k is ``<folder>/page.<k>.md`` beside it (a dot
no slug of an entry, author, venue or tag contains, so it never collides with one). Each page
carries a pager with a bounded number of links: first, last, and the pages around the current.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

PAGE_SIZE = 100  # entries (or comparison rows) on one page of a listing
INDEX_PAGE_SIZE = 500  # names on one page of the author, venue or tag index
WINDOW = 2  # pages shown on each side of the current one


def page_path(path: str, number: int) -> str:
    """Source path of page ``number`` of the listing at ``path`` (a/index.md or a/b.md)."""
    if number == 1:
        return path
    folder = path[: -len("index.md")] if path.endswith("index.md") else path[: -len(".md")] + "/"
    return f"{folder}page.{number}.md"


@dataclass
class Link:
    label: str
    path: str | None  # None: the current page, or a gap ("…")
    current: bool = False


@dataclass
class Page(Generic[T]):
    path: str
    number: int
    count: int  # pages in all
    items: list[T]
    total: int  # items in all
    first: int  # 1-based position of the first item on this page
    links: list[Link] = field(default_factory=list)

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1


def paginate(
    path: str, items: Sequence[T], size: int = PAGE_SIZE, label: Callable[[list[T], int], str] | None = None
) -> list[Page[T]]:
    """``items`` in pages of ``size``; one page (possibly empty) when they fit.

    ``label(items_of_page, number)`` names a page in the pager (default: its number), e.g. the
    letters an index page covers.
    """
    chunks = [list(items[i : i + size]) for i in range(0, len(items), size)] or [[]]
    count = len(chunks)
    names = [label(chunk, k + 1) if label else str(k + 1) for k, chunk in enumerate(chunks)]
    pages = [
        Page(page_path(path, k + 1), k + 1, count, chunk, len(items), k * size + 1) for k, chunk in enumerate(chunks)
    ]
    if count > 1:
        for page in pages:
            page.links = _links(page.number, count, names, path)
    return pages


def _links(current: int, count: int, names: list[str], path: str) -> list[Link]:
    shown = {1, count, *range(max(1, current - WINDOW), min(count, current + WINDOW) + 1)}
    links: list[Link] = []
    previous = 0
    for n in sorted(shown):
        if n - previous > 1:
            links.append(Link("…", None))
        links.append(Link(names[n - 1], None if n == current else page_path(path, n), n == current))
        previous = n
    return links
