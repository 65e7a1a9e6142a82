"""The cite box of an entry page: the exporters' records for its own paper, and formatted
references (APA, IEEE) produced by citeproc-py from the CSL styles shipped in styles/.

citeproc-py takes milliseconds per reference, so formatted references are cached on disk in
``.evwm-cache/citeproc.json`` under the project folder, keyed by a hash of the CSL item and of
the style file: a rebuild formats only what changed. The cache is an optimisation only; when it
cannot be read or written the references are simply formatted again.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evwm.export import csl_json
from evwm.export.bibtex import format_entry
from evwm.export.csl import to_csl
from evwm.export.ris import format_record
from evwm.records.bib import Citation

STYLES_DIR = Path(__file__).parent / "styles"
STYLES = {"apa": "APA (7th edition)", "ieee": "IEEE"}
CACHE_FILE = Path(".evwm-cache") / "citeproc.json"
CACHE_VERSION = "1"

# citeproc-py's HTML output does not escape the item's own text: markup characters are swapped
# for private-use characters before formatting and turned into entities afterwards.
_SWAP = {"&": "\ue000", "<": "\ue001", ">": "\ue002"}
_BACK = {"\ue000": "&amp;", "\ue001": "&lt;", "\ue002": "&gt;"}


@dataclass(frozen=True)
class Formatted:
    html: str  # safe HTML (italics from the style; every data character escaped)
    text: str  # the same reference as plain text, for the copy button


def _swap(value: Any) -> Any:
    if isinstance(value, str):
        return "".join(_SWAP.get(ch, ch) for ch in value)
    if isinstance(value, list):
        return [_swap(v) for v in value]
    if isinstance(value, dict):
        return {k: _swap(v) for k, v in value.items()}
    return value


_ALLOWED_TAG = re.compile(r"</?(i|b|sup|sub|span)(?: style=\"[a-z:;\- ]*\")?>")


def _clean_html(raw: str) -> str:
    """Keep only the formatting tags a style adds; anything else becomes text."""
    out, pos = [], 0
    # the formatter writes its own terms as entities (&amp;): read them back, escape everything once
    for match in _ALLOWED_TAG.finditer(raw):
        out.append(html.escape(html.unescape(raw[pos : match.start()]), quote=False))
        out.append(match.group(0))
        pos = match.end()
    out.append(html.escape(html.unescape(raw[pos:]), quote=False))
    text = "".join(out)
    # the entities of the data's own characters, escaped once above, are restored here
    for ch, entity in _BACK.items():
        text = text.replace(ch, entity)
    return text


def _memoize_style_lookups() -> None:
    """Make citeproc-py remember what it looks up in a style.

    For every reference citeproc-py evaluates the same XPath expressions (a macro by name, an
    element's ancestor layout, a locale term) and asks each element of the style whether it
    calls a variable, walking the same unchanging tree again: two thirds of its time. Both answers
    depend on the style tree alone, so they are kept per element (the element is kept with its
    answer, so its id cannot be reused by another). The output is the same, character for
    character (tests/test_site_pages.py compares it with citeproc-py's own). Skipped if a
    citeproc-py release no longer has these methods.
    """
    import citeproc.model as model  # type: ignore[import-untyped]

    if getattr(model, "_evwm_memoized", False):
        return
    base = getattr(model, "CitationStylesElement", None)
    if base is None or not callable(getattr(base, "xpath_search", None)):
        return

    def remember(cls: Any, name: str, copy: bool) -> None:
        plain = getattr(cls, name)
        memo: dict[tuple[Any, ...], tuple[Any, Any]] = {}

        def lookup(self: Any, *args: Any) -> Any:
            key = (id(self), *args)
            hit = memo.get(key)
            if hit is None or hit[0] is not self:
                hit = (self, plain(self, *args))
                memo[key] = hit
            return list(hit[1]) if copy else hit[1]

        setattr(cls, name, lookup)

    remember(base, "xpath_search", True)
    for cls in [c for c in vars(model).values() if isinstance(c, type) and "calls_variable" in vars(c)]:
        remember(cls, "calls_variable", False)
    model._evwm_memoized = True


class Formatter:
    """Formats CSL items with the shipped styles, through an on-disk cache under ``root``."""

    def __init__(self, root: Path | None):
        self.path = root / CACHE_FILE if root else None
        self.cache: dict[str, dict[str, str]] = {}
        self.dirty = False
        self._styles: dict[str, Any] = {}
        self._style_hash = {
            name: hashlib.sha256((STYLES_DIR / f"{name}.csl").read_bytes()).hexdigest()[:16] for name in STYLES
        }
        if self.path and self.path.is_file() and not self.path.is_symlink():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("version") == CACHE_VERSION:
                    self.cache = {k: v for k, v in data.get("items", {}).items() if isinstance(v, dict)}
            except (OSError, ValueError):
                self.cache = {}

    def _key(self, item: dict[str, Any], style: str) -> str:
        blob = json.dumps(item, sort_keys=True, ensure_ascii=False) + "\0" + self._style_hash[style]
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def format(self, item: dict[str, Any], style: str) -> Formatted:
        key = self._key(item, style)
        hit = self.cache.get(key)
        if hit and isinstance(hit.get("html"), str) and isinstance(hit.get("text"), str):
            return Formatted(hit["html"], hit["text"])
        result = self._run(item, style)
        self.cache[key] = {"html": result.html, "text": result.text}
        self.dirty = True
        return result

    def _style(self, style: str) -> Any:
        if style not in self._styles:
            from citeproc import CitationStylesStyle

            _memoize_style_lookups()

            self._styles[style] = CitationStylesStyle(str(STYLES_DIR / f"{style}.csl"), validate=False)
        return self._styles[style]

    def _run(self, item: dict[str, Any], style: str) -> Formatted:
        from citeproc import Citation as CslCitation  # the untyped import is declared once, in _style
        from citeproc import CitationItem, CitationStylesBibliography, formatter
        from citeproc.source.json import CiteProcJSON  # type: ignore[import-untyped]

        item = {**item, "id": "item"}
        if "event-title" in item and item["event-title"] == item.get("container-title"):
            item.pop("event-title")  # APA would print the venue twice
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # citeproc-py warns about CSL fields it does not use
            bib = CitationStylesBibliography(self._style(style), CiteProcJSON([_swap(item)]), formatter.html)
            bib.register(CslCitation([CitationItem("item")]))
            entries = [str(x) for x in bib.bibliography()]
        raw = re.sub(r"^\[\d+\]\s*", "", entries[0] if entries else "")  # IEEE's [1] means nothing here
        safe = _clean_html(raw)
        # the plain text is the HTML without its tags, so citeproc runs once per reference and style
        plain = html.unescape(re.sub(r"<[^>]+>", "", safe))
        return Formatted(safe, " ".join(plain.split()))

    def save(self) -> None:
        """Write the cache back when something new was formatted; never fail the build over it."""
        if not (self.path and self.dirty):
            return
        from evwm.records.files import WriteError, write_files

        text = json.dumps({"version": CACHE_VERSION, "items": self.cache}, ensure_ascii=False, sort_keys=True)
        try:
            write_files({self.path: text + "\n"})
            self.dirty = False
        except (OSError, WriteError):
            pass


def cite_formats(cit: Citation, formatter: Formatter) -> dict[str, Any]:
    """Everything the cite box shows for one citation."""
    item = to_csl(cit)
    return {
        "styles": [(name, label, formatter.format(item, name)) for name, label in STYLES.items()],
        "records": [
            ("BibTeX", "bibtex", format_entry(cit)),
            ("BibLaTeX", "bibtex", format_entry(cit, "biblatex")),
            ("RIS", "text", format_record(cit)),
            ("CSL-JSON", "json", csl_json([cit])),
        ],
    }
