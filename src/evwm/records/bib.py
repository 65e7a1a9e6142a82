"""The BibTeX database: parsing ``bibliography/*.bib`` into typed citations.

Only loading lives here; turning citations back into BibTeX, CSL-JSON, RIS ... is the job of
``export``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock

from evwm.records.models import CITE_KEY_PATTERN
from evwm.records.problems import Problem
from evwm.records.yamlio import YamlError, read_text

MAX_BIB_BYTES = 4 * 1024 * 1024

# bibtexparser logs each broken block itself; we report them as problems instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
ENTRY_TYPES = {"article", "inproceedings", "misc", "techreport", "book", "incollection", "phdthesis"}
REQUIRED = ("title", "author", "year")
VENUE_FIELD = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}


@lru_cache(maxsize=1)
def _latex() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


def latex_to_text(value: str) -> str:
    """Readable Unicode for a BibTeX value: accents decoded, protective braces dropped."""
    try:
        text = _latex().latex_to_text(value)  # type: ignore[attr-defined]
    except Exception:  # pylatexenc is lenient, but never let odd markup stop a build
        text = value.replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Person:
    given: str
    family: str
    von: str = ""
    suffix: str = ""
    literal: bool = False  # a corporate author written in braces, e.g. {Team Wan}

    @property
    def full(self) -> str:
        if self.literal:
            return self.family
        return " ".join(p for p in (self.given, self.von, self.family, self.suffix) if p)

    @property
    def last_first(self) -> str:
        if self.literal:
            return self.family
        family = " ".join(p for p in (self.von, self.family) if p)
        tail = f", {self.suffix}" if self.suffix else ""
        return f"{family}{tail}, {self.given}" if self.given else family + tail


@dataclass
class Citation:
    key: str
    entry_type: str
    fields: dict[str, str]  # raw BibTeX values (LaTeX kept), outer braces removed
    authors: list[Person]
    path: str
    line: int
    raw: str

    @property
    def title(self) -> str:
        return latex_to_text(self.fields.get("title", ""))

    @property
    def year(self) -> int | None:
        value = self.fields.get("year", "").strip()
        return int(value) if value.isdigit() else None

    @property
    def venue(self) -> str | None:
        name = VENUE_FIELD.get(self.entry_type)
        value = self.fields.get(name, "") if name else ""
        return latex_to_text(value) or None

    @property
    def venue_short(self) -> str:
        """A short venue label: the acronym in trailing parentheses, the venue, or 'arXiv'."""
        venue = self.venue
        if venue:
            match = re.search(r"\(([^()]+)\)\s*$", venue)
            return match.group(1) if match else venue
        if self.arxiv:
            return "arXiv"
        return self.fields.get("publisher", "") or self.fields.get("institution", "") or "—"

    @property
    def arxiv(self) -> str | None:
        if self.fields.get("archiveprefix", "").lower() == "arxiv" or "eprint" in self.fields:
            return self.fields.get("eprint") or None
        return None

    @property
    def doi(self) -> str | None:
        return self.fields.get("doi") or None

    @property
    def url(self) -> str | None:
        if self.fields.get("url"):
            return self.fields["url"]
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return None

    @property
    def normalized_title(self) -> str:
        return normalize_title(self.title)

    @property
    def author_text(self) -> str:
        return ", ".join(p.full for p in self.authors)


def normalize_title(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _person(parts: middlewares.NameParts) -> Person:
    last = " ".join(parts.last)
    literal = not parts.first and not parts.von and last.startswith("{") and last.endswith("}")
    return Person(
        given=latex_to_text(" ".join(parts.first)),
        family=latex_to_text(last),
        von=latex_to_text(" ".join(parts.von)),
        suffix=latex_to_text(" ".join(parts.jr)),
        literal=literal,
    )


def parse_bib(text: str, path: str) -> tuple[list[Citation], list[Problem]]:
    problems: list[Problem] = []
    library = bibtexparser.parse_string(  # type: ignore[attr-defined]
        text, append_middleware=[middlewares.SeparateCoAuthors(), middlewares.SplitNameParts()]
    )
    citations: list[Citation] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            problems.append(
                Problem(
                    path,
                    line,
                    block.key,
                    f"citation key '{block.key}' is defined twice in this file",
                    "give each record its own key",
                )
            )
        elif isinstance(block, ParsingFailedBlock):
            lines = str(block.error or "").strip().splitlines()
            reason = lines[-1].strip() if lines else "the record ends before its braces are closed"
            problems.append(
                Problem(
                    path,
                    line,
                    "",
                    f"broken BibTeX record: {reason}",
                    "check the braces, commas and the @type{key, header",
                )
            )
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        fields: dict[str, str] = {}
        authors: list[Person] = []
        for f in entry.fields:
            name = f.key.lower()
            if name == "author":
                authors = [_person(p) for p in f.value] if isinstance(f.value, list) else []
                fields[name] = (
                    " and ".join(_join_parts(p) for p in f.value) if isinstance(f.value, list) else str(f.value)
                )
            else:
                fields[name] = str(f.value).strip()
        citation = Citation(entry.key, entry.entry_type.lower(), fields, authors, path, line, entry.raw or "")
        problems.extend(check_citation(citation))
        citations.append(citation)
    return citations, problems


def _join_parts(parts: middlewares.NameParts) -> str:
    """Back to BibTeX's 'von Family, Jr, Given' form, braces kept."""
    out = [" ".join(parts.von + parts.last)]
    if parts.jr:
        out.append(" ".join(parts.jr))
    if parts.first:
        out.append(" ".join(parts.first))
    return ", ".join(out)


def check_citation(c: Citation) -> list[Problem]:
    out: list[Problem] = []

    def err(field: str, message: str, hint: str = "") -> None:
        out.append(Problem(c.path, c.line, f"{c.key}.{field}" if field else c.key, message, hint))

    if not re.match(CITE_KEY_PATTERN, c.key):
        err(
            "",
            f"citation key '{c.key}' has characters that are not allowed",
            "use letters, digits and - _ : . +, e.g. huang2025self",
        )
    if c.entry_type not in ENTRY_TYPES:
        err(
            "",
            f"record type @{c.entry_type} is not supported",
            "use one of " + ", ".join(f"@{t}" for t in sorted(ENTRY_TYPES)),
        )
    for name in REQUIRED:
        if not c.fields.get(name, "").strip():
            err(name, f"required field '{name}' is missing", "copy it from the paper's arXiv or venue page")
    year = c.fields.get("year", "").strip()
    if year and not (year.isdigit() and 1900 <= int(year) <= 2100):
        err("year", f"year '{year}' is not a four-digit year")
    venue_field = VENUE_FIELD.get(c.entry_type)
    if venue_field and not c.fields.get(venue_field):
        err(venue_field, f"@{c.entry_type} needs a '{venue_field}'", "add the venue, or use @misc for a preprint")
    eprint = c.fields.get("eprint")
    if eprint and not re.match(r"^(\d{4}\.\d{4,5}|[a-z-]+(\.[A-Z]{2})?/\d{7})$", eprint):
        err("eprint", f"'{eprint}' is not an arXiv identifier", "write it as 2506.08009, without 'arXiv:' or a version")
    doi = c.fields.get("doi")
    if doi and not re.match(r"^10\.\d{4,9}/\S+$", doi):
        err("doi", f"'{doi}' is not a DOI", "write it as 10.xxxx/..., without https://doi.org/")
    url = c.fields.get("url")
    if url and not re.match(r"^https?://\S+$", url):
        err("url", "must be an http:// or https:// URL")
    for name in ("title", "author", "booktitle", "journal", "publisher", "note"):
        bare = _unescaped_special(c.fields.get(name, ""))
        if bare:
            err(name, f"'{bare}' must be escaped in BibTeX", f"write \\{bare} (LaTeX treats a bare {bare} as markup)")
    if c.fields.get("title", "").count("{") != c.fields.get("title", "").count("}"):
        err("title", "unbalanced braces", "every { needs its }")
    if "author" in c.fields and not c.authors:
        err("author", "no author could be read", "write authors as 'Family, Given and Family, Given'")
    return out


def _unescaped_special(value: str) -> str:
    """The first LaTeX special character (& % # _) not escaped with a backslash, outside $math$."""
    text = re.sub(r"\$[^$]*\$", "", value)
    match = re.search(r"(?<!\\)[&%#_]", text)
    return match.group(0) if match else ""


def load_bib_files(paths: list[Path], root: Path) -> tuple[list[Citation], list[Problem]]:
    from evwm.records.problems import rel

    citations: list[Citation] = []
    problems: list[Problem] = []
    for path in paths:
        name = rel(path, root)
        try:
            text = read_text(path, MAX_BIB_BYTES)
        except YamlError as exc:
            problems.append(Problem(name, exc.line, "", exc.message, exc.hint))
            continue
        found, issues = parse_bib(text, name)
        citations.extend(found)
        problems.extend(issues)
    return citations, problems
