"""MkDocs plugin: validates the knowledge base and injects its generated pages and downloads.

Plain ``mkdocs build`` and ``mkdocs serve`` therefore work on their own; ``serve`` also watches
the data folders and the templates. Entry pages are deliberately kept out of the navigation:
a nav item per entry would be repeated on every page and make the build quadratic.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from evwm.kb import KnowledgeBase, load
from evwm.site.render import Renderer, node_page

log = logging.getLogger("mkdocs.plugins.evwm")

WATCHED = ("taxonomy", "entries", "bibliography")


class EvwmConfig(Config):
    root = c.Type(str, default=".")
    templates = c.Type(str, default="templates")
    nav_position = c.Type(int, default=0)
    # Repository files published as pages (site path -> file), so e.g. CONTRIBUTING.md has one copy.
    include = c.Type(dict, default={})


class EvwmPlugin(BasePlugin[EvwmConfig]):
    kb: KnowledgeBase
    generated: dict[str, str]

    def _root(self, config) -> Path:
        return (Path(config.config_file_path).parent / self.config.root).resolve()

    def on_config(self, config):
        root = self._root(config)
        self.kb = load(root)
        if self.kb.errors:
            listing = "\n".join(p.format() for p in self.kb.errors)
            raise PluginError(f"the knowledge base has {len(self.kb.errors)} error(s); "
                              f"run `evwm validate` for details:\n{listing}")
        for problem in self.kb.warnings:
            log.info(problem.format())  # data warnings must not fail a strict build
        renderer = Renderer(self.kb, root / self.config.templates)
        self.generated = {**renderer.pages(), **renderer.downloads(), **self._included(root)}
        generated_nav = [{"Home": "index.md"}, {"Taxonomy": [self._nav(r) for r in self.kb.roots]},
                         {"Entries by year": "entries/index.md"}, {"Bibliography builder": "bibliography.md"}]
        user_nav = list(config.nav or [])
        pos = self.config.nav_position
        config.nav = user_nav[:pos] + generated_nav + user_nav[pos:]
        return config

    def _included(self, root: Path) -> dict[str, str]:
        pages = {}
        for site_path, source in self.config.include.items():
            text = (root / source).read_text(encoding="utf-8")
            # links written for the repository (docs/x.md) point at the site's own pages (x.md)
            pages[site_path] = text.replace("](docs/", "](")
        return pages

    def _nav(self, node_id: str):
        name = html.escape(self.kb.nodes[node_id].name, quote=False)  # the theme does not escape nav titles
        kids = self.kb.children(node_id)
        if not kids:
            return {name: node_page(node_id)}
        # with navigation.indexes the first page of a section is the section's own page
        return {name: [node_page(node_id)] + [self._nav(k) for k in kids]}

    def on_files(self, files: Files, config) -> Files:
        for path, content in self.generated.items():
            clash = files.get_file_from_path(path)
            if clash is not None:
                raise PluginError(f"docs/{path} clashes with a page evwm generates; rename or remove it")
            files.append(File.generated(config, path, content=content))
        return files

    def on_serve(self, server, config, builder):
        root = self._root(config)
        for folder in (*WATCHED, self.config.templates):
            if (root / folder).exists():
                server.watch(str(root / folder))
        return server
