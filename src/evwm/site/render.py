"""Knowledge base -> Markdown pages and download files, through the Jinja templates in templates/.

Pages are Markdown so that MkDocs checks every internal link in strict mode. Text from the data
files is never trusted: ``text`` escapes it completely, ``md`` keeps light Markdown but escapes
HTML, so markup typed into a YAML field shows up as text, never runs.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2

from evwm.export.bibtex import format_bibtex, format_entry
from evwm.export.jsondump import dumps
from evwm.kb.query import cited
from evwm.kb import KnowledgeBase, application_node
from evwm.records.models import Entry, TaxonomyNode
from evwm.records.reference import reference_parts

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}|#!<>])")


def text(value: Any) -> str:
    """Plain text for inline Markdown: every Markdown and HTML meaning removed."""
    value = re.sub(r"\s+", " ", str(value if value is not None else "")).strip()
    value = value.replace("&", "&amp;")
    return _MD_SPECIAL.sub(lambda m: {"<": "&lt;", ">": "&gt;"}.get(m.group(1), "\\" + m.group(1)), value)


def md(raw: Any) -> str:
    """Author-written Markdown: emphasis, code and http(s) links work; HTML and attributes don't."""
    value = str(raw or "").strip()
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("{", "\\{").replace("}", "\\}")


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


def node_bib(node_id: str) -> str:
    return f"downloads/{node_id.replace('/', '--')}.bib"


# The BibTeX key of the survey this knowledge base follows (bibliography/survey.bib).
SURVEY_KEY = "he2026video"


class Renderer:
    def __init__(self, kb: KnowledgeBase, templates: Path, directory_urls: bool = True):
        self.kb = kb
        self.directory_urls = directory_urls
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(templates)),
            autoescape=False,  # output is Markdown; escaping is explicit via |text and |md
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(text=text, md=md, url=url, title=title, fence=fence, json=lambda v: json.dumps(v, ensure_ascii=False, allow_nan=False).replace("<", "\\u003c"))
        self.env.filters.update(
            pair=lambda v: (v, v),
            app_name=lambda slug, kb: (slug, kb.nodes[application_node(slug)].name),
            zip_names=lambda ids, kb: [(i, "\u00a0\u00a0" * kb.nodes[i].depth + kb.nodes[i].name) for i in ids],
        )
        self.env.globals.update(kb=kb, node_page=node_page, entry_page=entry_page, node_bib=node_bib,
                                reference=reference_parts, bibtex=format_entry)

    def _render(self, template: str, path: str, **context: Any) -> str:
        def link(target: str) -> str:
            """Relative link between source files, for Markdown links (MkDocs checks them)."""
            return posixpath.relpath(target, posixpath.dirname(path) or ".")

        def href(target: str) -> str:
            """Relative URL for raw HTML, which MkDocs leaves alone, in the site's URL scheme."""
            if not self.directory_urls:
                here = posixpath.dirname(output_url(path, False)) or "."
                return posixpath.relpath(output_url(target, False), here)
            return posixpath.relpath(output_url(target), output_url(path).rstrip("/") or ".") + (
                "/" if target.endswith(".md") else ""
            )

        return self.env.get_template(template).render(page=path, link=link, href=href, **context)

    # -- pages ---------------------------------------------------------------------------
    def pages(self) -> dict[str, str]:
        from evwm.kb.stats import compute

        stats = compute(self.kb)
        counts = {n["id"]: n["entries"] for n in stats["nodes"]}
        out: dict[str, str] = {"index.md": self._render("home.md.j2", "index.md", stats=stats, counts=counts)}
        for node in self.kb.iter_nodes():
            path = node_page(node.id)
            out[path] = self._render("node.md.j2", path, node=node, **self._node_context(node))
        for entry in self.kb.entries.values():
            path = entry_page(entry.id)
            out[path] = self._render("entry.md.j2", path, entry=entry, **self._entry_context(entry))
        out["entries/index.md"] = self._render("years.md.j2", "entries/index.md", groups=self.kb.by_year())
        out["bibliography.md"] = self._render("builder.md.j2", "bibliography.md", **self._builder_context())
        out["survey.md"] = self._render("survey.md.j2", "survey.md", sections=self.kb.survey_coverage(),
                                        survey=self.kb.citations.get(SURVEY_KEY))
        return out

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
        return {
            "citation": kb.citation(entry),
            "citations": citations,
            "placements": [kb.nodes[n] for n in kb.placements(entry) if n in kb.nodes],
            "outgoing": [(r, kb.entries[r.target]) for r in entry.relations if r.target in kb.entries],
            "incoming": [(i.relation, kb.entries[i.source]) for i in kb.incoming(entry.id)],
            "trail_of": lambda node_id: [kb.nodes[a] for a in kb.ancestors(node_id) if a in kb.nodes],
        }

    def _builder_context(self) -> dict[str, Any]:
        return {"venues": self.kb.venues, "tags": self.kb.tags, "base_models": list(self.kb.base_model_entries)}

    # -- downloads -----------------------------------------------------------------------
    def downloads(self) -> dict[str, str]:
        """Static files published with the site: per-node BibTeX and the whole knowledge base."""
        kb = self.kb
        out: dict[str, str] = {}
        for node in kb.iter_nodes():
            out[node_bib(node.id)] = format_bibtex(cited(kb, kb.subtree_entries(node.id)))
        out["downloads/evwm.bib"] = format_bibtex(list(kb.citations.values()))
        out["downloads/evwm.json"] = dumps(kb)
        return out

