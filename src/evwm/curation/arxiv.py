"""A small client for the arXiv API (Atom feed): metadata for one paper by its identifier.

The network call is isolated in ``fetch_atom`` so tests run on recorded responses.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field

API = "https://export.arxiv.org/api/query"
NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")


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


def normalize_id(value: str) -> str:
    """'arXiv:2506.08009v2', 'https://arxiv.org/abs/2506.08009' -> '2506.08009'."""
    value = value.strip()
    value = re.sub(r"^(https?://)?(www\.|export\.)?arxiv\.org/(abs|pdf|html)/", "", value)
    value = re.sub(r"^arxiv:", "", value, flags=re.I)
    value = re.sub(r"(v\d+)?(\.pdf)?$", "", value)
    if not ARXIV_ID.match(value):
        raise ArxivError(f"'{value}' is not a new-style arXiv identifier such as 2506.08009")
    return value


def fetch_atom(arxiv_id: str, timeout: float = 20.0) -> bytes:
    url = f"{API}?{urllib.parse.urlencode({'id_list': arxiv_id, 'max_results': 1})}"
    request = urllib.request.Request(url, headers={"User-Agent": "evwm (knowledge-base scaffolding)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read()
            return data
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ArxivError(
            f"could not reach the arXiv API ({reason}); offline, pass the paper's BibTeX "
            "with --bibtex FILE (or --bibtex - to read it from standard input)"
        ) from None


def _text(element: ET.Element | None) -> str:
    return re.sub(r"\s+", " ", element.text or "").strip() if element is not None else ""


def _attr(element: ET.Element | None, name: str) -> str:
    return element.get(name, "") if element is not None else ""


def parse_atom(data: bytes, arxiv_id: str) -> ArxivPaper:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ArxivError(f"the arXiv API answered with something that is not XML ({exc})") from None
    entries = root.findall("atom:entry", NS)
    entry = next((e for e in entries if arxiv_id in _text(e.find("atom:id", NS))), None)
    if entry is None or _text(entry.find("atom:title", NS)) in ("", "Error"):
        raise ArxivError(f"arXiv has no paper {arxiv_id}")
    published = _text(entry.find("atom:published", NS))
    return ArxivPaper(
        arxiv_id=arxiv_id,
        title=_text(entry.find("atom:title", NS)),
        authors=[_text(a.find("atom:name", NS)) for a in entry.findall("atom:author", NS)],
        year=int(published[:4]),
        primary_category=(_attr(entry.find("arxiv:primary_category", NS), "term")),
        doi=_text(entry.find("arxiv:doi", NS)),
        journal_ref=_text(entry.find("arxiv:journal_ref", NS)),
        comment=_text(entry.find("arxiv:comment", NS)),
        categories=[c.get("term", "") for c in entry.findall("atom:category", NS)],
    )


def lookup(arxiv_id: str, fetch: Callable[[str], bytes] | None = None) -> ArxivPaper:
    arxiv_id = normalize_id(arxiv_id)
    return parse_atom((fetch or fetch_atom)(arxiv_id), arxiv_id)
