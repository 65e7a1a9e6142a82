"""The BibTeX database: parsing ``bibliography/*.bib`` into typed citations.

Only loading lives here; turning citations back into BibTeX, CSL-JSON, RIS ... is the job of
``export``.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import bibtexparser
from bibtexparser import middlewares
from bibtexparser.library import Library
from bibtexparser.middlewares.names import parse_single_name_into_parts
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, ParsingFailedBlock

from evwm.records.bibtex import unprotected_words
from evwm.records.cache import Store, digest
from evwm.records.markup import bad_character
from evwm.records.models import CITE_KEY_PATTERN
from evwm.records.problems import Problem, Severity
from evwm.records.yamlio import EncodingError, YamlError, read_text

# Limits that keep loading fast whatever a file holds. The shipped files are under 60 KB each;
# @string abbreviations are bounded before they are expanded, since one large @string used
# thousands of times turns a 1 MB file into gigabytes of values.
MAX_BIB_BYTES = 1024 * 1024
MAX_STRINGS = 1000
MAX_EXPANSION = 256 * 1024  # characters that @string references may add to one file
MAX_VALUE_CHARS = 20_000

# bibtexparser logs each broken block itself; we report them as problems instead.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
ENTRY_TYPES = {"article", "inproceedings", "misc", "techreport", "book", "incollection", "phdthesis"}
REQUIRED = ("title", "author", "year")
VENUE_FIELD = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle"}


@lru_cache(maxsize=1)
def _latex() -> object:
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text(math_mode="text", strict_latex_spaces=True)


_LATEX_MARKUP = re.compile(r"[\\{}$~%&]")
_LATEX_COMMANDS = re.compile(r"[\\$~%&]")
_LATEX_LIGATURES = re.compile(r"--|``|''|!`|\?`")  # what the LaTeX parser turns into dashes and quotes


_ACCENTS = {
    "`": "\u0300", "'": "\u0301", "^": "\u0302", "~": "\u0303", "=": "\u0304", "u": "\u0306", ".": "\u0307",
    '"': "\u0308", "r": "\u030a", "H": "\u030b", "v": "\u030c", "d": "\u0323", "c": "\u0327", "k": "\u0328",
    "b": "\u0331",
}  # fmt: skip
_LETTERS = {
    "i": "\u0131", "j": "\u0237", "o": "\u00f8", "O": "\u00d8", "l": "\u0142", "L": "\u0141", "ss": "\u00df",
    "aa": "\u00e5", "AA": "\u00c5", "ae": "\u00e6", "AE": "\u00c6", "oe": "\u0153", "OE": "\u0152",
}  # fmt: skip
# \'e  \'{e}  \'{\i}  \v{c}  \v c: a symbol accent takes the next letter, a letter accent needs braces or a space
_ACCENT = re.compile(
    r"\\(?:([`'^~=.\"])\s*|([uvHrdckb])(?=[\s{]))\s*(?:\{\s*(\\[ij]|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"
)
_LETTER = re.compile(r"\\(ss|aa|AA|ae|AE|oe|OE|[ijoOlL])(?![A-Za-z])(?:\{\}|\s+)?")


def _decode_accents(value: str) -> str:
    def accent(m: re.Match[str]) -> str:
        base = (m.group(3) or m.group(4)).lstrip("\\")
        return unicodedata.normalize("NFC", base + _ACCENTS[m.group(1) or m.group(2)])

    return _LETTER.sub(lambda m: _LETTERS[m.group(1)], _ACCENT.sub(accent, value))


@lru_cache(maxsize=65536)  # names and venues recur across records: decode each once
def latex_to_text(value: str) -> str:
    """Readable Unicode for a BibTeX value: accents decoded, protective braces dropped."""
    if not _LATEX_MARKUP.search(value):  # most values are plain text: skip the LaTeX parser
        return " ".join(value.split())
    if not _LATEX_COMMANDS.search(value) and not _LATEX_LIGATURES.search(value) and balanced_braces(value):
        # only protective braces, which the parser would drop: the same text without parsing
        return " ".join(value.replace("{", "").replace("}", "").split())
    if "\\" in value and not _LATEX_LIGATURES.search(value) and balanced_braces(value):
        # Accents are most of the markup in names and titles, and the parser reads about 30 KB a
        # second: decoded here, a megabyte of them takes a moment, not minutes.
        decoded = _decode_accents(value)
        if not _LATEX_COMMANDS.search(decoded):
            return " ".join(decoded.replace("{", "").replace("}", "").split())
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

    @cached_property
    def title(self) -> str:
        return latex_to_text(self.fields.get("title", ""))

    @cached_property
    def year(self) -> int | None:
        value = self.fields.get("year", "").strip()
        return int(value) if re.fullmatch(r"[0-9]{4}", value) else None

    @cached_property
    def venue(self) -> str | None:
        name = VENUE_FIELD.get(self.entry_type)
        value = self.fields.get(name, "") if name else ""
        return latex_to_text(value) or None

    @cached_property
    def venue_short(self) -> str:
        """A short venue label: the acronym in trailing parentheses, the venue, or 'arXiv'."""
        venue = self.venue
        if venue:
            match = re.search(r"\(([^()]+)\)\s*$", venue)
            return match.group(1) if match else venue
        if self.arxiv:
            return "arXiv"
        return self.fields.get("publisher", "") or self.fields.get("institution", "") or "—"

    @cached_property
    def arxiv(self) -> str | None:
        if self.fields.get("archiveprefix", "").lower() == "arxiv" or "eprint" in self.fields:
            return self.fields.get("eprint") or None
        return None

    @cached_property
    def doi(self) -> str | None:
        return self.fields.get("doi") or None

    @cached_property
    def url(self) -> str | None:
        if self.fields.get("url"):
            return self.fields["url"]
        if self.arxiv:
            return f"https://arxiv.org/abs/{self.arxiv}"
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return None

    def text_field(self, name: str) -> str:
        """Any field as readable text (LaTeX decoded)."""
        return latex_to_text(self.fields.get(name, ""))

    @cached_property
    def normalized_title(self) -> str:
        return normalize_title(self.title)

    @cached_property
    def author_text(self) -> str:
        return ", ".join(p.full for p in self.authors)


def normalize_title(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _person(parts: middlewares.NameParts) -> Person:
    return _person_of(tuple(parts.first), tuple(parts.von), tuple(parts.last), tuple(parts.jr))


@lru_cache(maxsize=65536)  # an author of many papers is decoded once
def _person_of(
    first: tuple[str, ...], von: tuple[str, ...], last_parts: tuple[str, ...], jr: tuple[str, ...]
) -> Person:
    last = " ".join(last_parts)
    literal = not first and not von and last.startswith("{") and last.endswith("}")
    return Person(
        given=latex_to_text(" ".join(first)),
        family=latex_to_text(last),
        von=latex_to_text(" ".join(von)),
        suffix=latex_to_text(" ".join(jr)),
        literal=literal,
    )


_split_name = lru_cache(maxsize=65536)(parse_single_name_into_parts)


class _SplitNameParts(middlewares.SplitNameParts):
    """bibtexparser's name splitting, each distinct name split once (the parts are only read)."""

    def _transform_field_value(self, name: Any) -> list[middlewares.NameParts]:
        if not isinstance(name, list):
            return super()._transform_field_value(name)
        return [_split_name(n) for n in name]


def _enclosed(value: object) -> bool:
    return not isinstance(value, str) or value[:1] + value[-1:] in ('""', "{}")


def _too_much_expansion(library: Library, path: str) -> Problem | None:
    """A problem when @string definitions would expand past the limits, else None."""
    if len(library.strings) > MAX_STRINGS:
        block = library.strings[MAX_STRINGS]
        return Problem(
            path,
            (block.start_line or 0) + 1,
            "",
            f"more than {MAX_STRINGS:,} @string definitions",
            "write the values out in full, or split the file",
        )
    sizes = {key.lower(): len(str(s.value)) for key, s in library.strings_dict.items()}
    added = 0
    for entry in library.entries:
        for f in entry.fields:
            if not _enclosed(f.value):
                added += sizes.get(str(f.value).lower(), 0)
                if added > MAX_EXPANSION:
                    return Problem(
                        path,
                        (entry.start_line or 0) + 1,
                        f"{entry.key}.{f.key}",
                        f"@string abbreviations expand to more than {MAX_EXPANSION:,} characters in this file",
                        "write the values out in full, or use fewer and shorter @string abbreviations",
                    )
    return None


class ParsedBib(NamedTuple):
    citations: list[Citation]
    problems: list[Problem]
    # the keys of records that could not be read, each reported with its own problem: entries
    # citing them are not told again that the key is missing
    unread: frozenset[str] = frozenset()


def parse_bib(text: str, path: str) -> tuple[list[Citation], list[Problem]]:
    parsed = parse_bib_text(text, path)
    return parsed.citations, parsed.problems


def read_for_rewrite(path: Path, name: str) -> tuple[list[Citation], str]:
    """A .bib file's records, to be written back in canonical form; or ([], why that is unsafe).

    A file with errors, or with comments, @string or @preamble (which a rewrite would drop), is
    left alone: the reason names the file and says what to do.
    """
    try:
        raw = read_text(path, 4 * MAX_BIB_BYTES)
    except YamlError as exc:
        return [], f"{name}: {exc.message}"
    citations, problems = parse_bib(raw, name)
    if any(p.severity is Severity.ERROR for p in problems):
        return [], f"{name}: has errors; run `evwm validate` and fix them first"
    library = bibtexparser.parse_string(raw)  # type: ignore[attr-defined]
    if library.comments or library.strings or library.preambles:
        return [], f"{name}: holds comments, @string or @preamble that a rewrite would drop"
    return citations, ""


# bibtexparser's reasons for giving up on a record, in its words -> ours (message, hint)
_NEXT_RECORD = ("a new @record starts before this one is closed", "close this record with } before the next @")
_BROKEN = (
    (
        "Unexpectedly reached end of file",
        "the record is not closed before the end of the file",
        "check that every { has its } and that the record ends with }",
    ),
    ("but found `@", *_NEXT_RECORD),  # bibtexparser says this in two ways, by where it stops
    ("Unexpected block start", *_NEXT_RECORD),
    ("Expected comma after entry key", "the key is not followed by a comma", "write @type{key, then the fields"),
    (
        "Expected a `=` after entry key",
        "a field name is not followed by =",
        "write each field as name = {value}, with a comma between fields",
    ),
    (
        "Expected either a `,` or",
        "a field's value is not followed by a comma or the closing }",
        "put a comma between fields, and braces or quotes around each value",
    ),
    (
        "Expected equals sign after field key",
        "an @string is not written name = {value}",
        "write @string{name = {value}}",
    ),
)
_RECORD_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s{}()=]+)\s*,")


def _broken(block: ParsingFailedBlock) -> tuple[str, str]:
    reason = str(getattr(block.error, "abort_reason", "") or block.error or "")
    for theirs, message, hint in _BROKEN:
        if theirs in reason:
            return message, hint
    return "this record cannot be read", "check the braces, commas and the @type{key, header"


def parse_bib_text(text: str, path: str) -> ParsedBib:
    """The records of one .bib file, the problems found in them, and the keys of those that could
    not be read."""
    problems: list[Problem] = []
    if len(text) > MAX_BIB_BYTES:
        return ParsedBib([], [Problem(path, 1, "", f"more than {MAX_BIB_BYTES:,} characters of BibTeX", "split it")])
    # Split first, expand @string references only once their size is known to be bounded.
    library = bibtexparser.parse_string(text, parse_stack=[])  # type: ignore[attr-defined]
    too_much = _too_much_expansion(library, path)
    if too_much:
        return ParsedBib([], [too_much])
    for middleware in (
        middlewares.ResolveStringReferencesMiddleware(True),
        middlewares.RemoveEnclosingMiddleware(True),
        middlewares.SeparateCoAuthors(),
        _SplitNameParts(),
    ):
        library = middleware.transform(library)
    citations: list[Citation] = []
    unread: set[str] = set()
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
            continue
        found = _RECORD_KEY.match((block.raw or "").lstrip())
        key = found.group(1) if found else ""
        if key:
            unread.add(key)
        if isinstance(block, DuplicateFieldKeyBlock):
            for name in sorted(block.duplicate_keys):
                problems.append(
                    Problem(
                        path,
                        line,
                        f"{key}.{name}" if key else name,
                        f"the field '{name}' is given more than once",
                        "keep one of them",
                    )
                )
            continue
        unsplit = re.search(r"split the following name `(.*)` into parts", str(block.error or ""), re.S)
        if unsplit:  # the name parser's own wording is not ours: say what is wrong and how to fix it
            problems.append(
                Problem(
                    path,
                    line,
                    f"{key}.author" if key else "author",
                    f"'{' '.join(unsplit.group(1).split())}' looks like two names joined by a comma",
                    "write each author as 'Family, Given' and separate every author with ' and '",
                )
            )
            continue
        message, hint = _broken(block)
        problems.append(Problem(path, line, key, f"broken BibTeX record: {message}", hint))
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
    return ParsedBib(citations, problems, frozenset(unread))


def _join_parts(parts: middlewares.NameParts) -> str:
    """Back to BibTeX's 'von Family, Jr, Given' form, braces kept."""
    out = [" ".join(parts.von + parts.last)]
    if parts.jr:
        out.append(" ".join(parts.jr))
    if parts.first:
        out.append(" ".join(parts.first))
    return ", ".join(out)


# the year inside a conventional key: family name, year, first title word (huang2025self)
KEY_YEAR = re.compile(r"^[A-Za-z]+((?:19|20)\d\d)(?!\d)")


def year_fixed(cit: Citation) -> str | None:
    """The key with its year made the record's year, or None when it already agrees (or has none)."""
    found = KEY_YEAR.match(cit.key)
    if not found or cit.year is None or int(found.group(1)) == cit.year:
        return None
    return f"{cit.key[: found.start(1)]}{cit.year}{cit.key[found.end(1) :]}"


def check_citation(c: Citation) -> list[Problem]:
    out: list[Problem] = []

    def err(field: str, message: str, hint: str = "") -> None:
        out.append(Problem(c.path, c.line, f"{c.key}.{field}" if field and c.key else field or c.key, message, hint))

    if not c.key:
        err("", "the record has no citation key", "write @type{key, ... with a key such as huang2025self")
    elif not re.match(CITE_KEY_PATTERN, c.key):
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
    if year and not (re.fullmatch(r"[0-9]{4}", year) and 1900 <= int(year) <= 2100):
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
    for name, value in c.fields.items():
        if len(value) > MAX_VALUE_CHARS:
            err(name, f"is {len(value):,} characters long, more than the {MAX_VALUE_CHARS:,} allowed", "shorten it")
            continue
        strange = bad_character(value.replace("\r", ""), multiline=False)
        if strange:
            err(name, strange)
        if not balanced_braces(value):
            err(name, "unbalanced braces", "every { needs its }; write \\textbraceleft{} for a literal brace")
        command = unsafe_command(value)
        if command:
            err(
                name,
                f"LaTeX command \\{command} is not allowed in bibliographic data",
                "only accents and \\emph-style markup are allowed; write the text itself",
            )
    if "author" in c.fields and not c.authors:
        err("author", "no author could be read", "write authors as 'Family, Given and Family, Given'")
    spoiled = unprotected_words(c.fields.get("title", ""))
    if spoiled:
        out.append(
            Problem(
                c.path,
                c.line,
                f"{c.key}.title",
                "bibliography styles would lower-case " + ", ".join(f"'{w}'" for w in spoiled[:5]),
                "protect " + ("it" if len(spoiled) == 1 else "them") + " with braces, e.g. {" + spoiled[0] + "}; "
                "exports add the braces, but other tools read this file as it is",
                Severity.WARNING,
            )
        )
    fixed, carried = year_fixed(c), KEY_YEAR.match(c.key)
    if fixed is not None and carried is not None:
        # the year convention: a preprint published a year later takes the venue's year, key included
        out.append(
            Problem(
                c.path,
                c.line,
                c.key,
                f"the key's year {carried.group(1)} is not the record's year {c.year}",
                f"`evwm rekey {c.key} --write` renames it to {fixed}, in every entry citing it too",
                Severity.WARNING,
            )
        )
    for i, person in enumerate(c.authors):
        if not person.full.strip("{} "):
            err(f"author[{i}]", "is empty", "remove the extra ' and ' around it")
            continue
        if person.full.strip() == "and":
            err(f"author[{i}]", "is the word 'and' on its own", "remove the extra ' and ' there")
            continue
        if "and" in person.full.split():
            # 'and and', or an 'and' at either end of the list: BibTeX reads a person named 'and'
            err(f"author[{i}]", f"'{person.full}' holds a stray 'and'", "separate authors with a single ' and '")
            continue
        merged = merged_names(person)
        if merged:
            err(f"author[{i}]", f"'{person.full}' looks like {merged}", "separate every author with ' and '")
    if "crossref" in c.fields:
        err(
            "crossref",
            "crossref is not supported: evwm and the exports read each record on its own",
            "copy the booktitle, year and other shared fields into this record",
        )
    return out


# Commands a bibliographic value may hold: accents, letters, escapes and light markup. Anything
# else (\input, \write18, \def, \catcode, ...) would run in the reader's LaTeX.
SAFE_COMMANDS = frozenset(
    [
        "'",
        '"',
        "`",
        "^",
        "~",
        "=",
        ".",
        "u",
        "v",
        "H",
        "c",
        "d",
        "b",
        "k",
        "r",
        "t",
        "i",
        "j",
        "o",
        "O",
        "l",
        "L",
        "ss",
        "aa",
        "AA",
        "ae",
        "AE",
        "oe",
        "OE",
        "&",
        "%",
        "_",
        "#",
        "$",
        "{",
        "}",
        "textendash",
        "textemdash",
        "emph",
        "textit",
        "textbf",
        "textsc",
        "texttt",
        "textsuperscript",
        "textsubscript",
        "mbox",
        "relax",
        "ldots",
        "dots",
        "textquoteright",
        "textquoteleft",
        "textquotedblleft",
        "textquotedblright",
        "alpha",
        "beta",
        "gamma",
        "delta",
        "epsilon",
        "lambda",
        "mu",
        "pi",
        "sigma",
        "tau",
        "phi",
        "psi",
        "omega",
        "Sigma",
        "Delta",
        "Omega",
        "times",
        "infty",
        "textdagger",
        "textdaggerdbl",
        "log",
        "sqrt",
        "cdot",
        "mathcal",
        "mathbf",
        "mathrm",
        "le",
        "ge",
        "leq",
        "geq",
        "approx",
        "sim",
        "url",
        "textbackslash",
        "textbraceleft",
        "textbraceright",
    ]
)
_COMMAND = re.compile(r"\\([A-Za-z@]+|.)")


def unsafe_command(value: str) -> str:
    """The first LaTeX command in a value that is not on the safe list, or ''."""
    for match in _COMMAND.finditer(value):
        if match.group(1) not in SAFE_COMMANDS and not match.group(1).isspace():
            return match.group(1)
    return ""


def balanced_braces(value: str) -> bool:
    """Braces pair up and never close more than they opened (counted as BibTeX counts them)."""
    depth = 0
    for token in re.findall(r"[{}]", value):  # BibTeX counts escaped braces too
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_CORPORATE = re.compile(
    r"\b(team|lab|labs|group|inc|ltd|corp|ai|research|project|consortium|committee|university|institute|"
    r"academy|foundation|company|studio|studios|deepmind|openai|nvidia|google|meta|microsoft|bytedance|"
    r"alibaba|tencent|kuaishou|baidu|huawei|apple|amazon|shanghai|beijing|lightricks|runway|et al)\b",
    re.I,
)


def merged_names(person: Person) -> str:
    """Why a parsed author looks like several people written as one, or ''."""
    if person.literal:
        words = person.family.split()
        if len(words) >= 4 and not _CORPORATE.search(person.family):
            return "several names in one pair of braces"
        return ""
    if "," in person.given or "," in person.family:
        return "two names joined by a comma"
    return ""


def _unescaped_special(value: str) -> str:
    """The first LaTeX special character (& % # _) not escaped with a backslash, outside $math$."""
    text = re.sub(r"\$[^$]*\$", "", value)
    match = re.search(r"(?<!\\)[&%#_]", text)
    return match.group(0) if match else ""


@dataclass(frozen=True)
class BibFile:
    """One .bib file as read: its text (None when it could not be read as it is, so `evwm fmt`
    leaves it alone), what was parsed from it, and the keys of the records that were not."""

    text: str | None
    citations: list[Citation]
    problems: list[Problem]
    unread: frozenset[str] = frozenset()


def read_bib_file(path: Path, root: Path, store: Store | None = None) -> BibFile:
    """One .bib file read (within the size limit) and parsed. Used by loading and by `evwm fmt`."""
    from evwm.records.problems import rel

    name = rel(path, root)
    try:
        text = read_text(path, MAX_BIB_BYTES)
    except EncodingError as exc:
        # One bad byte must not hide the file's other records: every entry citing them would be
        # reported as well. They are read with the byte replaced; the text stays None, so `evwm
        # fmt` leaves the file as it is.
        parsed = parse_bib_text(path.read_bytes().decode("utf-8", errors="replace"), name)
        problem = Problem(name, exc.line, "", exc.message, exc.hint)
        return BibFile(None, parsed.citations, [problem, *parsed.problems], parsed.unread)
    except YamlError as exc:
        return BibFile(None, [], [Problem(name, exc.line, "", exc.message, exc.hint)])
    cached = _PARSED.get(name)
    if cached is None or cached[0] != text:
        d = digest(text.encode("utf-8")) if store is not None else b""
        stored = store.lookup(("bib", name), d) if store is not None else None
        if stored is None:
            stored = parse_bib_text(text, name)
            if store is not None:
                for cit in stored.citations:  # decoded once, and stored decoded: every load reads them
                    _ = cit.title, cit.venue, cit.normalized_title
                store.put(("bib", name), d, stored)
        cached = (text, stored)
        _PARSED[name] = cached
    parsed = cached[1]
    return BibFile(text, list(parsed.citations), list(parsed.problems), parsed.unread)


def load_bib_files(
    paths: list[Path], root: Path, store: Store | None = None
) -> tuple[list[Citation], list[Problem], set[str]]:
    """Every .bib file's records and problems, and the keys of the records that could not be read."""
    citations: list[Citation] = []
    problems: list[Problem] = []
    unread: set[str] = set()
    for path in paths:
        bib = read_bib_file(path, root, store)
        citations.extend(bib.citations)
        problems.extend(bib.problems)
        unread |= bib.unread
    return citations, problems, unread


# file -> (its text, citations, problems): a file read again unchanged is not parsed again (the
# CLI's load, then the MkDocs plugin's; every rebuild of `evwm serve`). Citations are only read.
_PARSED: dict[str, tuple[str, ParsedBib]] = {}
