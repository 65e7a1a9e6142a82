"""Knowledge base -> Markdown pages and download files, through the Jinja templates in templates/.

Pages are Markdown so that MkDocs checks every internal link in strict mode. Text from the data
files is never trusted: ``text`` escapes it completely, ``md`` keeps light Markdown but escapes
HTML, so markup typed into a YAML field shows up as text, never runs.
"""

from __future__ import annotations

import functools
import html
import json
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from evwm import __version__
from evwm.export.bibtex import format_bibtex, format_entry
from evwm.export.jsondump import dumps
from evwm.kb import KnowledgeBase, application_node
from evwm.kb.query import cited
from evwm.records.models import Entry, TaxonomyNode, Training
from evwm.records.reference import reference_parts
from evwm.site import compare, indexes, meta, pictures
from evwm.site.cite import Formatter, cite_formats
from evwm.site.indexes import author_page, family_page, tag_page, venue_page
from evwm.site.paging import INDEX_PAGE_SIZE, PAGE_SIZE, paginate

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!<>])")


def text(value: Any) -> str:
    """Plain text for inline Markdown: every Markdown and HTML meaning removed."""
    value = re.sub(r"\s+", " ", str(value if value is not None else "")).strip()
    value = value.replace("&", "&amp;")
    return _MD_SPECIAL.sub(lambda m: {"<": "&lt;", ">": "&gt;"}.get(m.group(1), "\\" + m.group(1)), value)


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)
_ENTRY_TARGET = re.compile(r"\]\(([a-z0-9][a-z0-9-]*)\.md\)")


def md(raw: Any, page: str = "") -> str:
    """Author-written Markdown: emphasis, code and http(s) links work; HTML and attributes don't.

    Code spans are left as typed (Markdown escapes their content itself); outside them, HTML and
    attribute-list braces are neutralised. Links to other entries (``[Name](entry-id.md)``) are
    made relative to ``page``, the source file the text appears on.
    """
    value = str(raw or "").strip()
    here = posixpath.dirname(page) or "."

    def plain(text: str) -> str:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        text = text.replace("{", "\\{").replace("}", "\\}")
        if page:
            text = _ENTRY_TARGET.sub(lambda m: f"]({posixpath.relpath(entry_page(m.group(1)), here)})", text)
        return text

    out, last = [], 0
    for span in _CODE_SPAN.finditer(value):
        out.append(plain(value[last : span.start()]))
        out.append(span.group(0))
        last = span.end()
    out.append(plain(value[last:]))
    return "".join(out)


def title(value: Any) -> str:
    """A page title for front matter. The theme writes titles into <title> and the navigation
    without escaping them, so they are HTML-escaped here, once, and quoted as a YAML string."""
    return json.dumps(html.escape(re.sub(r"\s+", " ", str(value)).strip(), quote=False))


def url(value: Any) -> str:
    """A URL safe inside a Markdown link target: brackets, quotes and spaces percent-encoded."""
    return quote(str(value).strip(), safe=":/?#@!$&*+,;=%~-._")


def fence(value: str, lang: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside it."""
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    bar = "`" * max(3, longest + 1)
    return f"{bar}{lang}\n{value.rstrip()}\n{bar}"


def _relpath(target: str, start: str) -> str:
    """``posixpath.relpath`` for the site's own paths (no ``..`` in them), worked out from their
    parts alone (relpath asks the file system for the current folder every time)."""
    to = [p for p in target.split("/") if p and p != "."]
    here = [p for p in start.split("/") if p and p != "."]
    common = 0
    while common < len(to) and common < len(here) and to[common] == here[common]:
        common += 1
    return "/".join([".."] * (len(here) - common) + to[common:]) or "."


@functools.lru_cache(maxsize=65536)
def relative(target: str, here: str) -> str:
    """Link from a page in folder ``here`` to the source file ``target`` (both relative to the
    docs folder): the file's folder is reached first, so the file's own name is never stepped over."""
    folder, _, name = target.rpartition("/")
    up = _relpath(folder, here)
    return (name if up == "." else f"{up}/{name}") or "."


@functools.lru_cache(maxsize=65536)
def _href(target: str, path: str, directory_urls: bool) -> str:
    if not directory_urls:
        return _relpath(output_url(target, False), posixpath.dirname(output_url(path, False)))
    return _relpath(output_url(target), output_url(path)) + ("/" if target.endswith(".md") else "")


def output_url(source: str, directory_urls: bool = True) -> str:
    """Where MkDocs publishes a source file: a/b.md -> a/b/ and a/index.md -> a/ with directory
    URLs (MkDocs' default), a/b.md -> a/b.html and a/index.md -> a/index.html without."""
    if not directory_urls:
        return source[:-3] + ".html" if source.endswith(".md") else source
    if source.endswith("index.md"):
        return source[: -len("index.md")] or "."
    if source.endswith(".md"):
        return source[:-3] + "/"
    return source


def node_page(node_id: str) -> str:
    return f"taxonomy/{node_id}/index.md"


def entry_page(entry_id: str) -> str:
    return f"entries/{entry_id}.md"


def year_page(year: int | None) -> str:
    return f"years/{year or 'unknown'}.md"


def _initials(groups: list[Any], number: int) -> str:
    """A page of the author index named by the letters it covers: "A–C"."""
    first, last = groups[0].initial, groups[-1].initial
    return first if first == last else f"{first}–{last}"


def node_bib(node_id: str) -> str:
    return f"downloads/{node_id.replace('/', '--')}.bib"


# The BibTeX key of the survey this knowledge base follows (bibliography/survey.bib).
SURVEY_KEY = "he2026video"
RECENT = 30  # entries on the "What's new" page and in the feed

# Pages outside the navigation, by folder, for mkdocs.yml's not_in_nav (the lead wires them).
GENERATED_FOLDERS = ("entries", "authors", "venues", "tags", "base-models", "years")
INCOMING_SHOWN = 40  # entries that relate to this one, listed on its page (a hub would list hundreds)


LIGHT_TEMPLATE = "evwm-light.html"


def light_template_for(custom_dir: str | None) -> str | None:
    """The lighter page template (no navigation tree) for the many author pages, when the
    theme's custom_dir holds it (templates/overrides); None otherwise. The plugin sets
    ``renderer.light_template = light_template_for(config.theme.custom_dir)``."""
    if custom_dir and (Path(custom_dir) / LIGHT_TEMPLATE).is_file():
        return LIGHT_TEMPLATE
    return None


class Renderer:
    # The theme template for the many small author pages; see light_template_for.
    light_template: str | None = None

    def __init__(self, kb: KnowledgeBase, templates: Path, directory_urls: bool = True, page_size: int = PAGE_SIZE):
        self.kb = kb
        self.directory_urls = directory_urls
        self.page_size = page_size
        self._rows: dict[tuple[str, str], str] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=False,  # output is Markdown; escaping is explicit via |text and |md
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            text=text,
            # the page being rendered decides where a link to another entry points
            md=jinja2.pass_context(lambda ctx, v: md(v, ctx.get("page", ""))),
            url=url,
            title=title,
            fence=fence,
            json=lambda v: json.dumps(v, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c"),
        )
        self.env.filters.update(
            # a meta description: plain text, HTML-escaped because the theme writes it unescaped
            describe=lambda v: json.dumps(html.escape(meta.describe(str(v)), quote=True), ensure_ascii=False),
            pair=lambda v: (v, v),
            app_name=lambda slug, kb: (slug, kb.nodes[application_node(slug)].name),
            zip_names=lambda ids, kb: [(i, "\u00a0\u00a0" * kb.nodes[i].depth + kb.nodes[i].name) for i in ids],
        )
        self.env.globals.update(
            kb=kb,
            node_page=node_page,
            entry_page=entry_page,
            year_page=year_page,
            node_bib=node_bib,
            reference=reference_parts,
            bibtex=format_entry,
            author_page=author_page,
            venue_page=venue_page,
            tag_page=tag_page,
            family_page=family_page,
            slug=meta.slug,
        )
        self.formatter = Formatter(kb.root)

    def _href(self, path: str) -> Any:
        directory_urls = self.directory_urls

        def href(target: str) -> str:
            """Relative URL for raw HTML, which MkDocs leaves alone, in the site's URL scheme."""
            return _href(target, path, directory_urls)

        return href

    def _render(self, template: str, path: str, **context: Any) -> str:
        here = posixpath.dirname(path)

        def link(target: str) -> str:
            """Relative link between source files, for Markdown links (MkDocs checks them)."""
            return relative(target, here)

        def entry_row(entry: Entry) -> str:
            return self._entry_row(entry, here)

        return self.env.get_template(template).render(
            page=path, link=link, href=self._href(path), entry_row=entry_row, **context
        )

    def _entry_row(self, entry: Entry, here: str) -> str:
        """An entry's row in the entry tables (templates/_macros.md.j2), made once per folder of
        pages: thousands of author, tag and node pages list the same entries."""
        key = (entry.id, here)
        row = self._rows.get(key)
        if row is None:
            kb = self.kb
            cit = kb.citation(entry)
            if entry.claims:
                c = entry.claims[0]
                headline = f"{text(c.display_value)} {text(kb.metric_name(c.metric).lower())}"
                if c.base_model:
                    headline += f" on {text(c.base_model)}"
            else:
                headline = "—"
            year = cit.year if cit and cit.year else "—"
            venue = text(cit.venue_short if cit else "—")
            code = f"[code]({url(entry.links.code)})" if entry.links.code else "—"
            link = relative(entry_page(entry.id), here)
            row = f"| [{text(entry.name)}]({link}) | {year} | {venue} | {headline} | {code} |"
            self._rows[key] = row
        return row

    # -- pages ---------------------------------------------------------------------------
    def pages(self) -> dict[str, str]:
        from evwm.kb.stats import compute

        stats = compute(self.kb)
        counts = {n["id"]: n["entries"] for n in stats["nodes"]}
        out: dict[str, str] = {
            "index.md": self._render("home.md.j2", "index.md", stats=stats, counts=counts, version=__version__)
        }
        for node in self.kb.iter_nodes():
            context = self._node_context(node)
            # a node lists its whole sub-tree, newest first, a page at a time; each page compares
            # the numbers of the entries it shows
            for page in paginate(node_page(node.id), context["entries"], self.page_size):
                out[page.path] = self._render(
                    "node.md.j2",
                    page.path,
                    node=node,
                    **{**context, "entries": page.items},
                    pager=page,
                    compare_rows=compare.rows(self.kb, page.items),
                )
        for entry in self.kb.entries.values():
            path = entry_page(entry.id)
            out[path] = self._render("entry.md.j2", path, entry=entry, **self._entry_context(entry))
        years = self.kb.by_year()
        out["entries/index.md"] = self._render(
            "years.md.j2", "entries/index.md", groups=years, chart=pictures.years_chart(self.kb)
        )
        for year, entries in years.items():
            for page in paginate(year_page(year), entries, self.page_size):
                out[page.path] = self._render("year.md.j2", page.path, year=year, pager=page)
        out["bibliography.md"] = self._render("builder.md.j2", "bibliography.md", **self._builder_context())
        out["survey.md"] = self._render(
            "survey.md.j2", "survey.md", sections=self.kb.survey_coverage(), survey=self.kb.citations.get(SURVEY_KEY)
        )
        out.update(self._ways_in(counts))
        self.formatter.save()
        return out

    def _ways_in(self, counts: dict[str, int]) -> dict[str, str]:
        """The taxonomy diagram, the site-wide pictures, and the author, venue, tag, base-model
        and "What's new" pages."""
        kb = self.kb
        out: dict[str, str] = {}
        path = "taxonomy/index.md"
        out[path] = self._render(
            "taxonomy.md.j2",
            path,
            counts=counts,
            diagram=pictures.taxonomy_diagram(kb, counts, self._href(path), node_page),
        )
        path = "numbers.md"
        out[path] = self._render(
            "numbers.md.j2",
            path,
            families=indexes.families(kb),
            speedups=pictures.speedups_chart(kb, self._href(path), entry_page),
            tradeoff=pictures.speed_quality_chart(kb, self._href(path), entry_page),
        )
        kinds = [
            ("authors", "Authors", indexes.authors(kb), author_page),
            ("venues", "Venues", indexes.venues(kb), venue_page),
            ("tags", "Tags", indexes.tags(kb), lambda key: tag_page(key)),
        ]
        for folder, heading, groups, page_of in kinds:
            label = _initials if folder == "authors" else None
            for index in paginate(f"{folder}/index.md", groups, self.page_size * INDEX_PAGE_SIZE // PAGE_SIZE, label):
                out[index.path] = self._render(
                    "groups.md.j2",
                    index.path,
                    kind=folder,
                    heading=heading,
                    groups=index.items,
                    page_of=page_of,
                    pager=index,
                )
            for group in groups:
                for page in paginate(page_of(group.key), group.entries, self.page_size):
                    out[page.path] = self._render(
                        "group.md.j2",
                        page.path,
                        kind=folder,
                        group=group,
                        light_template=self.light_template,
                        pager=page,
                    )
        families = indexes.families(kb)
        out["base-models/index.md"] = self._render("families.md.j2", "base-models/index.md", groups=families)
        for group in families:
            for page in paginate(family_page(group.key), group.entries, self.page_size):
                measured, unmeasured = compare.family_rows(kb, group.name, page.items)
                out[page.path] = self._render(
                    "family.md.j2", page.path, group=group, rows=measured, unmeasured=unmeasured, pager=page
                )
        out["whats-new.md"] = self._render("whats-new.md.j2", "whats-new.md", recent=self.recent)
        return out

    @property
    def added(self) -> dict[str, Any]:
        """Entry id -> when it was added (git, else the file's time); computed once."""
        if not hasattr(self, "_added"):
            files = {i: s.path for i, s in self.kb.entry_sources.items()}
            self._added = meta.added_dates(self.kb.root, files)
        return self._added

    @property
    def recent(self) -> list[tuple[Entry, Any]]:
        return meta.recent(self.kb, self.added, RECENT)

    def redirects(self) -> dict[str, str]:
        """A small HTML page at every former node URL, sending readers (and links) to the node's page."""
        out: dict[str, str] = {}
        for node in self.kb.iter_nodes():
            for old in node.formerly:
                source = f"taxonomy/{old}/index.html" if self.directory_urls else f"taxonomy/{old}.html"
                here = posixpath.dirname(source)
                target = posixpath.relpath(output_url(node_page(node.id), self.directory_urls), here)
                if self.directory_urls:
                    target += "/"
                name = html.escape(node.name)
                out[source] = (
                    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                    f'<title>Moved: {name}</title><meta http-equiv="refresh" content="0; url={html.escape(target)}">'
                    f'<link rel="canonical" href="{html.escape(target)}"><meta name="robots" content="noindex"></head>'
                    f'<body><p>This page has moved to <a href="{html.escape(target)}">{name}</a>.</p></body></html>\n'
                )
        return out

    def _node_context(self, node: TaxonomyNode) -> dict[str, Any]:
        kb = self.kb
        entries = kb.subtree_entries(node.id)
        return {
            "trail": [kb.nodes[a] for a in kb.ancestors(node.id) if a in kb.nodes],
            "children": [kb.nodes[c] for c in kb.children(node.id)],
            "entries": entries,
            "direct": {e.id for e in kb.direct_entries(node.id)},
            "bib_file": node_bib(node.id),
        }

    def _entry_context(self, entry: Entry) -> dict[str, Any]:
        kb = self.kb
        citations = [kb.citations[k] for k in entry.cites if k in kb.citations]
        cit = kb.citation(entry)
        outgoing = [(r, kb.entries[r.target]) for r in entry.relations if r.target in kb.entries]
        incoming = [(i.relation, kb.entries[i.source]) for i in kb.incoming(entry.id)]
        incoming_total = len(incoming)
        if incoming_total > INCOMING_SHOWN:  # the newest, so the page does not grow with the field
            newest = {e.id for e in kb.sort_entries(other for _, other in incoming)[:INCOMING_SHOWN]}
            incoming = [(r, other) for r, other in incoming if other.id in newest]
        links = [(r.type.label, other, True) for r, other in outgoing]
        links += [(r.type.inverse_label, other, False) for r, other in incoming]
        path = entry_page(entry.id)
        return {
            "citation": cit,
            "citations": citations,
            "authors": [(p.full, author_page(indexes.page_key(p.full))) for p in cit.authors] if cit else [],
            "venue_page": venue_page(indexes.page_key(cit.venue_short)) if cit else None,
            "training": compare.training_label(entry.training),
            "description": html.escape(meta.description(entry), quote=True),  # the theme does not escape it
            "meta_tags": meta.highwire(cit) if cit else [],
            "rows": compare.rows(kb, [entry]),
            "placements": [kb.nodes[n] for n in kb.placements(entry) if n in kb.nodes],
            "outgoing": outgoing,
            "incoming": incoming,
            "incoming_total": incoming_total,
            "graph": pictures.neighbourhood(entry, links, self._href(path), entry_page),
            "base_models": indexes.family_links(kb, entry),
            "cite": cite_formats(cit, self.formatter) if cit else None,
            "styles_note": "APA Style 7th edition and IEEE Reference Guide",
            "trail_of": lambda node_id: [kb.nodes[a] for a in kb.ancestors(node_id) if a in kb.nodes],
        }

    def _builder_context(self) -> dict[str, Any]:
        # every training value, in the words the entry pages and tables use
        trainings = [(t.value, compare.training_label(t)) for t in Training]
        return {
            "venues": self.kb.venues,
            "tags": self.kb.tags,
            "base_models": list(self.kb.base_model_entries),
            "trainings": trainings,
        }

    # -- downloads -----------------------------------------------------------------------
    def downloads(self) -> dict[str, str]:
        """Static files published with the site: per-node BibTeX and the whole knowledge base."""
        kb = self.kb
        out: dict[str, str] = {}
        for node in kb.iter_nodes():
            out[node_bib(node.id)] = format_bibtex(cited(kb, kb.subtree_entries(node.id)))
        out["downloads/evwm.bib"] = format_bibtex(list(kb.citations.values()))
        out["downloads/evwm.json"] = dumps(kb)
        here = posixpath.dirname(output_url("downloads/feed.xml", self.directory_urls))
        urls = {
            e.id: posixpath.relpath(output_url(entry_page(e.id), self.directory_urls), here)
            + ("/" if self.directory_urls else "")
            for e, _ in self.recent
        }
        home = posixpath.relpath(output_url("whats-new.md", self.directory_urls), here) + (
            "/" if self.directory_urls else ""
        )
        out["downloads/feed.xml"] = meta.atom_feed(kb, self.recent, urls, home)
        return out
