"""Bibliographic indexes that know where a paper was published: DBLP and OpenAlex.

Each search returns ``Publication`` records in one shape; ``venue_name`` turns an index's venue
label into the project's convention, "Full Name (ACRONYM)", or gives up (the caller then reports
the case instead of writing a guess).
"""

from __future__ import annotations

import json
import re
import unicodedata
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from evwm.curation.http import Client
from evwm.records.bib import normalize_title

DBLP_API = "https://dblp.org/search/publ/api"
OPENALEX_API = "https://api.openalex.org/works"
ARXIV_DOI = re.compile(r"^10\.48550/", re.I)  # DataCite DOIs of arXiv preprints: not a venue's DOI


@dataclass(frozen=True)
class Publication:
    source: str  # "dblp" or "openalex"
    title: str
    authors: list[str]
    venue: str  # the index's own label: 'CVPR', 'NeurIPS', 'Trans. Mach. Learn. Res.', ...
    year: int | None
    kind: str  # "conference", "journal" or "preprint"
    doi: str = ""
    url: str = ""
    key: str = ""  # DBLP key such as conf/cvpr/Foo25, or the OpenAlex work id
    extra: dict[str, str] = field(default_factory=dict)


class BadAnswer(Exception):
    """An index answered with something it should not have (not JSON, wrong shape)."""


# The project's names, as in bibliography/*.bib: (entry type, full name with acronym).
VENUES: dict[str, tuple[str, str]] = {
    "CVPR": ("inproceedings", "IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)"),
    "CVPRW": ("inproceedings", "IEEE/CVF Conference on Computer Vision and Pattern Recognition Workshops (CVPRW)"),
    "ICCV": ("inproceedings", "IEEE/CVF International Conference on Computer Vision (ICCV)"),
    "ECCV": ("inproceedings", "European Conference on Computer Vision (ECCV)"),
    "ECCVW": ("inproceedings", "European Conference on Computer Vision Workshops (ECCVW)"),
    "WACV": ("inproceedings", "IEEE/CVF Winter Conference on Applications of Computer Vision (WACV)"),
    "NeurIPS": ("inproceedings", "Advances in Neural Information Processing Systems (NeurIPS)"),
    "ICLR": ("inproceedings", "International Conference on Learning Representations (ICLR)"),
    "ICML": ("inproceedings", "International Conference on Machine Learning (ICML)"),
    "AAAI": ("inproceedings", "AAAI Conference on Artificial Intelligence (AAAI)"),
    "IJCAI": ("inproceedings", "International Joint Conference on Artificial Intelligence (IJCAI)"),
    "ACM MM": ("inproceedings", "ACM International Conference on Multimedia (ACM MM)"),
    "BMVC": ("inproceedings", "British Machine Vision Conference (BMVC)"),
    "CoRL": ("inproceedings", "Conference on Robot Learning (CoRL)"),
    "ICRA": ("inproceedings", "IEEE International Conference on Robotics and Automation (ICRA)"),
    "IROS": ("inproceedings", "IEEE/RSJ International Conference on Intelligent Robots and Systems (IROS)"),
    "ACL": ("inproceedings", "Annual Meeting of the Association for Computational Linguistics (ACL)"),
    "TMLR": ("article", "Transactions on Machine Learning Research (TMLR)"),
    "TPAMI": ("article", "IEEE Transactions on Pattern Analysis and Machine Intelligence (TPAMI)"),
    "TIP": ("article", "IEEE Transactions on Image Processing (TIP)"),
    "IJCV": ("article", "International Journal of Computer Vision (IJCV)"),
    "RA-L": ("article", "IEEE Robotics and Automation Letters (RA-L)"),
}
# Labels (DBLP's venue field, DBLP key prefixes, OpenAlex source names) -> acronym. Patterns are
# matched against the lower-cased label; the first match wins, so workshops come first.
_LABELS: list[tuple[str, str]] = [
    (r"\bcvpr workshops?\b|computer vision and pattern recognition workshops?", "CVPRW"),
    (r"\beccv workshops?\b|european conference on computer vision workshops?", "ECCVW"),
    (r"^cvpr\b|conf/cvpr/|conference on computer vision and pattern recognition", "CVPR"),
    (r"^iccv\b|conf/iccv/|international conference on computer vision\b", "ICCV"),
    (r"^eccv\b|conf/eccv/|european conference on computer vision\b", "ECCV"),
    (r"^wacv\b|conf/wacv/|winter conference on applications of computer vision", "WACV"),
    (r"^neurips\b|^nips\b|conf/nips/|neural information processing systems", "NeurIPS"),
    (r"^iclr\b|conf/iclr/|international conference on learning representations", "ICLR"),
    (r"^icml\b|conf/icml/|international conference on machine learning\b", "ICML"),
    (r"^aaai\b|conf/aaai/|aaai conference on artificial intelligence", "AAAI"),
    (r"^ijcai\b|conf/ijcai/|international joint conference on artificial intelligence", "IJCAI"),
    (r"^acm multimedia\b|conf/mm/|acm international conference on multimedia$", "ACM MM"),
    (r"^bmvc\b|conf/bmvc/|british machine vision conference", "BMVC"),
    (r"^corl\b|conf/corl/|conference on robot learning", "CoRL"),
    (r"^icra\b|conf/icra/|international conference on robotics and automation", "ICRA"),
    (r"^iros\b|conf/iros/|intelligent robots and systems", "IROS"),
    (r"^acl\b|conf/acl/|association for computational linguistics", "ACL"),
    (r"trans\. mach\. learn\. res|journals/tmlr/|transactions on machine learning research", "TMLR"),
    (r"trans\. pattern anal\. mach\. intell|journals/pami/|pattern analysis and machine intelligence", "TPAMI"),
    (r"trans\. image process|journals/tip/|transactions on image processing", "TIP"),
    (r"int\. j\. comput\. vis|journals/ijcv/|international journal of computer vision", "IJCV"),
    (r"robotics autom\. lett|journals/ral/|robotics and automation letters", "RA-L"),
]


def venue_name(pub: Publication) -> tuple[str, str, str] | None:
    """(entry type, BibTeX field, full name) in the project's convention, or None when unknown."""
    for label in (pub.venue, pub.key):  # the venue label first: workshops share the conference key
        text = label.lower().strip()
        for pattern, acronym in _LABELS:
            if text and re.search(pattern, text):
                kind, name = VENUES[acronym]
                return kind, ("booktitle" if kind == "inproceedings" else "journal"), name
    return None


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def family_key(name: str) -> str:
    """The last word of a written name, folded: 'Xun Huang 0001' -> 'huang', 'Jörg Müller' -> 'muller'."""
    words = re.sub(r"\s+\d{4}$", "", _ascii(name)).replace("{", "").replace("}", "").split()
    while len(words) > 1 and words[-1].lower().rstrip(".,") in ("jr", "sr", "ii", "iii", "iv"):
        words.pop()
    return re.sub(r"[^a-z]", "", words[-1].lower()) if words else ""


def _load_json(data: bytes, service: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadAnswer(f"{service} answered with something that is not JSON ({exc})") from None


def _title_query(title: str) -> str:
    # punctuation confuses both search engines (DBLP reads ':' as a field prefix, OpenAlex ',' as a separator)
    return normalize_title(title)


def dblp_url(title: str) -> str:
    return f"{DBLP_API}?{urllib.parse.urlencode({'q': _title_query(title), 'format': 'json', 'h': 10})}"


def parse_dblp(data: bytes) -> list[Publication]:
    doc = _load_json(data, "DBLP")
    try:
        hits = doc["result"]["hits"].get("hit", [])
    except (KeyError, TypeError, AttributeError):
        raise BadAnswer("DBLP answered without result.hits") from None
    out = []
    for hit in hits if isinstance(hits, list) else [hits]:
        info = hit.get("info", {}) if isinstance(hit, dict) else {}
        people = info.get("authors", {}).get("author", [])
        people = people if isinstance(people, list) else [people]
        venue = info.get("venue", "")
        venue = " ".join(venue) if isinstance(venue, list) else str(venue)
        kind_text = str(info.get("type", ""))
        if venue == "CoRR" or kind_text.startswith("Informal"):
            kind = "preprint"
        elif kind_text.startswith("Journal"):
            kind = "journal"
        elif kind_text.startswith("Conference"):
            kind = "conference"
        else:
            kind = "other"
        year = str(info.get("year", ""))
        out.append(
            Publication(
                source="dblp",
                title=str(info.get("title", "")).rstrip("."),
                authors=[re.sub(r"\s+\d{4}$", "", str(p.get("text", ""))) for p in people if isinstance(p, dict)],
                venue=re.sub(r"\s*\(\d+\)$", "", venue),  # 'ECCV (12)': volume dropped
                year=int(year) if year.isdigit() else None,
                kind=kind,
                doi=str(info.get("doi", "")),
                url=str(info.get("ee", "") or info.get("url", "")),
                key=str(info.get("key", "")),
            )
        )
    return out


def openalex_url(title: str, mailto: str) -> str:
    params = {"filter": f"title.search:{_title_query(title)}", "per-page": 10, "mailto": mailto}
    return f"{OPENALEX_API}?{urllib.parse.urlencode(params)}"


def parse_openalex(data: bytes) -> list[Publication]:
    doc = _load_json(data, "OpenAlex")
    results = doc.get("results") if isinstance(doc, dict) else None
    if not isinstance(results, list):
        raise BadAnswer("OpenAlex answered without a results list")
    out = []
    for work in results:
        if not isinstance(work, dict):
            continue
        authors = [str((a.get("author") or {}).get("display_name", "")) for a in work.get("authorships") or [] if a]
        locations = [work.get("primary_location") or {}, *(work.get("locations") or [])]
        # the first location with a conference or journal source is the published version
        source: dict[str, Any] = {}
        for loc in locations:
            src = (loc or {}).get("source") or {}
            if src.get("type") in ("conference", "journal"):
                source = src
                break
        kind = source.get("type", "preprint") if source else "preprint"
        doi = re.sub(r"^https?://(dx\.)?doi\.org/", "", str(work.get("doi") or ""))
        year = work.get("publication_year")
        out.append(
            Publication(
                source="openalex",
                title=str(work.get("title") or work.get("display_name") or ""),
                authors=authors,
                venue=str(source.get("display_name", "")),
                year=year if isinstance(year, int) else None,
                kind=kind,
                doi=doi,
                url=str(work.get("id", "")),
                key=str(work.get("id", "")),
            )
        )
    return out


INDEXES = ("dblp", "openalex")


def search(index: str, title: str, client: Client) -> list[Publication]:
    """Publications an index lists under this title (raises ServiceError or BadAnswer)."""
    if index == "dblp":
        return parse_dblp(client.get("dblp", dblp_url(title)))
    return parse_openalex(client.get("openalex", openalex_url(title, client.mailto)))
