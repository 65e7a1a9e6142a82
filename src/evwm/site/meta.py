"""What a page says about itself to machines: Highwire Press citation_* tags and a description
for an entry page, URL slugs for author, venue and base-model pages, the date each entry was
added (from git, once for all files), and the Atom feed of recently added entries.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import subprocess
import unicodedata
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from evwm.kb import KnowledgeBase
from evwm.records.bib import Citation
from evwm.records.models import Entry

DESCRIPTION_CHARS = 200
VENUE_TAG = {
    "article": "citation_journal_title",
    "inproceedings": "citation_conference_title",
    "incollection": "citation_inbook_title",
    "techreport": "citation_technical_report_institution",
    "phdthesis": "citation_dissertation_institution",
}


def slug(name: str) -> str:
    """A stable, readable URL part: 'Jörg Müller' -> 'jorg-muller', 'CVPR' -> 'cvpr'."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not text:  # a name with no Latin letters at all keeps a unique, valid slug
        text = "n-" + "-".join(f"{ord(ch):x}" for ch in name.strip())[:60]
    return text[:80].strip("-")


def plain(markdown: str) -> str:
    """Markdown prose as one line of plain text: links keep their words, markers go."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[`*_#>{}\\]", "", text)
    return " ".join(text.split())


def description(entry: Entry) -> str:
    """The page's own summary for search results and link previews, cut at a word."""
    return describe(entry.summary)


def describe(markdown: str) -> str:
    """The first paragraph of some Markdown prose as a meta description, cut at a word."""
    text = plain(markdown.strip().split("\n\n", 1)[0])
    if len(text) <= DESCRIPTION_CHARS:
        return text
    cut = text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def highwire(cit: Citation) -> list[tuple[str, str]]:
    """Google Scholar / Zotero reading of an entry page: the paper's own bibliographic record."""
    tags = [("citation_title", cit.title)]
    tags += [("citation_author", p.full if p.literal else p.last_first) for p in cit.authors]
    if cit.year:
        tags += [("citation_publication_date", str(cit.year)), ("citation_date", str(cit.year))]
    if cit.venue:
        tags.append((VENUE_TAG.get(cit.entry_type, "citation_publisher"), cit.venue))
    for field, tag in (("volume", "citation_volume"), ("number", "citation_issue")):
        if cit.text_field(field):
            tags.append((tag, cit.text_field(field)))
    pages = cit.text_field("pages").replace("--", "-").replace("–", "-")
    if pages:
        first, _, last = pages.partition("-")
        tags.append(("citation_firstpage", first.strip()))
        if last.strip():
            tags.append(("citation_lastpage", last.strip()))
    if cit.doi:
        tags.append(("citation_doi", cit.doi))
    if cit.arxiv:
        tags += [
            ("citation_arxiv_id", cit.arxiv),
            ("citation_technical_report_number", f"arXiv:{cit.arxiv}"),
            ("citation_pdf_url", f"https://arxiv.org/pdf/{cit.arxiv}"),
            ("citation_abstract_html_url", f"https://arxiv.org/abs/{cit.arxiv}"),
        ]
    elif cit.url:
        tags.append(("citation_abstract_html_url", cit.url))
    return [(name, " ".join(value.split())) for name, value in tags if value.strip()]


# -- when entries were added ------------------------------------------------------------------
def added_dates(root: Path, files: dict[str, str]) -> dict[str, dt.datetime]:
    """Entry id -> when its file was first committed; the file's modification time where git
    does not know it (no repository, a new file, git missing). One git call for every file."""
    wanted = {path: entry_id for entry_id, path in files.items()}
    found: dict[str, dt.datetime] = {}
    try:
        result = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "log",
                "--diff-filter=A",
                "--format=%x00%aI",
                "--name-only",
                "--relative",
                "--no-renames",
                "--",
                "entries",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        output = result.stdout if result.returncode == 0 else ""
    except (OSError, subprocess.SubprocessError):
        output = ""
    when: dt.datetime | None = None
    for line in output.splitlines():
        if line.startswith("\0"):
            try:
                when = dt.datetime.fromisoformat(line[1:].strip())
            except ValueError:
                when = None
        elif line.strip() and when is not None and line.strip() in wanted:
            # the log runs newest first: the last date seen for a path is its first addition
            found[wanted[line.strip()]] = when
    for entry_id, path in files.items():
        if entry_id not in found:
            try:
                mtime = (root / path).stat().st_mtime
            except OSError:
                mtime = 0.0
            found[entry_id] = dt.datetime.fromtimestamp(mtime, dt.timezone.utc)
    return found


def recent(kb: KnowledgeBase, dates: dict[str, dt.datetime], count: int) -> list[tuple[Entry, dt.datetime]]:
    """The ``count`` most recently added entries, newest first (ties by name)."""
    items = [(kb.entries[i], d) for i, d in dates.items() if i in kb.entries]
    items.sort(key=lambda pair: (-pair[1].timestamp(), pair[0].name.lower()))
    return items[:count]


def atom_feed(kb: KnowledgeBase, items: list[tuple[Entry, dt.datetime]], entry_url: dict[str, str], home: str) -> str:
    """An Atom feed; links are relative to the feed's own address (Atom resolves them so)."""

    def x(value: str) -> str:
        return xml_escape(value, {'"': "&quot;"})

    updated = max((d for _, d in items), default=dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>evwm: recently added entries</title>",
        "<subtitle>New entries in the knowledge base of efficient video generation models as world models</subtitle>",
        "<id>tag:evwm,2026:feed</id>",
        f'<link rel="alternate" type="text/html" href="{x(home)}"/>',
        f"<updated>{updated.isoformat()}</updated>",
        "<author><name>evwm contributors</name></author>",
    ]
    for entry, when in items:
        cit = kb.citation(entry)
        title = entry.name + (f": {cit.title}" if cit and cit.title and cit.title != entry.name else "")
        parts += [
            "<entry>",
            f"<title>{x(title)}</title>",
            f"<id>tag:evwm,2026:entry:{x(entry.id)}</id>",
            f'<link rel="alternate" type="text/html" href="{x(entry_url[entry.id])}"/>',
            f"<published>{when.isoformat()}</published>",
            f"<updated>{when.isoformat()}</updated>",
            f'<summary type="text">{x(plain(entry.summary))}</summary>',
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts) + "\n"


def meta_html(tags: list[tuple[str, str]]) -> str:
    return "".join(f'<meta name="{html.escape(n)}" content="{html.escape(v)}">' for n, v in tags)
