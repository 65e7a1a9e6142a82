"""The arXiv API (Atom feed): metadata by identifier (one paper or a batch) and search listings.

Parsing is pure (``parse_feed``/``parse_atom``); requests go through ``curation.http.Client``
(rate limit, retries, cache), and the one-paper call of `evwm new` is isolated in ``fetch_atom``
so tests run on recorded responses.
"""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

from evwm.curation.http import Client, ServiceError

API = "https://export.arxiv.org/api/query"
NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")
BATCH = 50  # ids per id_list request: arXiv answers 50 comfortably within its time-out


class ArxivError(Exception):
    """A problem worth showing to the user as is."""


@dataclass
class ArxivPaper:
    arxiv_id: str
    title: str
    authors: list[str]
    year: int
    primary_category: str = ""
    doi: str = ""
    journal_ref: str = ""
    comment: str = ""
    categories: list[str] = field(default_factory=list)
    summary: str = ""
    version: int = 1
    published: str = ""  # YYYY-MM-DD of v1
    updated: str = ""  # YYYY-MM-DD of the latest version


def normalize_id(value: str) -> str:
    """'arXiv:2506.08009v2', 'https://arxiv.org/abs/2506.08009' -> '2506.08009'."""
    value = value.strip()
    value = re.sub(r"^(https?://)?(www\.|export\.)?arxiv\.org/(abs|pdf|html)/", "", value)
    value = re.sub(r"^arxiv:", "", value, flags=re.I)
    value = re.sub(r"(v\d+)?(\.pdf)?$", "", value)
    if not ARXIV_ID.match(value):
        raise ArxivError(f"'{value}' is not a new-style arXiv identifier such as 2506.08009")
    return value


def id_list_url(ids: list[str]) -> str:
    return f"{API}?{urllib.parse.urlencode({'id_list': ','.join(ids), 'max_results': len(ids)})}"


def fetch_atom(arxiv_id: str, client: Client | None = None) -> bytes:
    # `evwm new` asks once, interactively: two quick retries, not the long backoff of `refresh`
    client = client or Client(retries=2)
    try:
        return client.get("arxiv", id_list_url([arxiv_id]))
    except ServiceError as exc:
        raise ArxivError(
            f"could not reach the arXiv API ({exc}); offline, pass the paper's BibTeX "
            "with --bibtex FILE (or --bibtex - to read it from standard input)"
        ) from None


def _text(element: ET.Element | None) -> str:
    return re.sub(r"\s+", " ", element.text or "").strip() if element is not None else ""


def _attr(element: ET.Element | None, name: str) -> str:
    return element.get(name, "") if element is not None else ""


# new-style (2506.08009) and old-style (cs/0501001, math.GT/0309136) identifiers, with the version
_ENTRY_ID = re.compile(r"arxiv\.org/abs/(?P<id>\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(?:v(?P<v>\d+))?$")


def _paper(entry: ET.Element) -> ArxivPaper | None:
    match = _ENTRY_ID.search(_text(entry.find("atom:id", NS)))
    title = _text(entry.find("atom:title", NS))
    published = _text(entry.find("atom:published", NS))
    if match is None or title in ("", "Error") or not re.match(r"\d{4}-\d\d-\d\d", published):
        return None  # arXiv's error entries are skipped
    return ArxivPaper(
        arxiv_id=match["id"],
        title=title,
        authors=[_text(a.find("atom:name", NS)) for a in entry.findall("atom:author", NS)],
        year=int(published[:4]),
        primary_category=(_attr(entry.find("arxiv:primary_category", NS), "term")),
        doi=_text(entry.find("arxiv:doi", NS)),
        journal_ref=_text(entry.find("arxiv:journal_ref", NS)),
        comment=_text(entry.find("arxiv:comment", NS)),
        categories=[c.get("term", "") for c in entry.findall("atom:category", NS)],
        summary=_text(entry.find("atom:summary", NS)),
        version=int(match["v"] or 1),
        published=published[:10],
        updated=_text(entry.find("atom:updated", NS))[:10],
    )


def _root(data: bytes) -> ET.Element:
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        raise ArxivError(f"the arXiv API answered with something that is not XML ({exc})") from None


def parse_feed(data: bytes) -> tuple[list[ArxivPaper], int]:
    """Every paper in a feed, and the feed's total result count (for paging a search)."""
    root = _root(data)
    total = _text(root.find("{http://a9.com/-/spec/opensearch/1.1/}totalResults"))
    papers = [p for e in root.findall("atom:entry", NS) if (p := _paper(e)) is not None]
    return papers, int(total) if total.isdigit() else len(papers)


def parse_atom(data: bytes, arxiv_id: str) -> ArxivPaper:
    paper = next((p for p in parse_feed(data)[0] if p.arxiv_id == arxiv_id), None)
    if paper is None:
        raise ArxivError(f"arXiv has no paper {arxiv_id}")
    return paper


def lookup_many(ids: list[str], client: Client, progress: Callable[[int], None] | None = None) -> dict[str, ArxivPaper]:
    """Papers by id, asked in batches of ``BATCH``; ids arXiv does not know are absent.

    Raises ServiceError when a batch gets no answer (the caller then changes nothing)."""
    found: dict[str, ArxivPaper] = {}
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        papers, _ = parse_feed(client.get("arxiv", id_list_url(chunk)))
        found.update({p.arxiv_id: p for p in papers if p.arxiv_id in chunk})
        if progress:
            progress(1)  # one step per batch
    return found


def lookup(arxiv_id: str, fetch: Callable[[str], bytes] | None = None) -> ArxivPaper:
    arxiv_id = normalize_id(arxiv_id)
    return parse_atom((fetch or fetch_atom)(arxiv_id), arxiv_id)


def search_url(query: str, start: int, size: int) -> str:
    params = {
        "search_query": query,
        "start": start,
        "max_results": size,
        "sortBy": "submittedDate",
        "sortOrder": "descending",
    }
    return f"{API}?{urllib.parse.urlencode(params)}"
