"""MkDocs plugin: validates the knowledge base and injects its generated pages and downloads.

Plain ``mkdocs build`` and ``mkdocs serve`` therefore work on their own; ``serve`` also watches
the data folders and the templates. Entry pages are deliberately kept out of the navigation:
a nav item per entry would be repeated on every page and make the build quadratic.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files

from evwm.kb import KnowledgeBase, load
from evwm.site.config import EvwmConfig, Settings, resolve
from evwm.site.render import Renderer, node_page

log = logging.getLogger("mkdocs.plugins.evwm")

WATCHED = ("taxonomy", "entries", "bibliography", "vocab", "survey")


class EvwmPlugin(BasePlugin[EvwmConfig]):  # type: ignore[no-untyped-call]
    kb: KnowledgeBase
    generated: dict[str, str]
    settings: Settings

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.settings = resolve(self.config, config.config_file_path, bool(config.use_directory_urls))
        root = self.settings.root
        self.kb = load(root)
        if self.kb.errors:
            listing = "\n".join(p.format() for p in self.kb.errors)
            raise PluginError(f"the knowledge base has {len(self.kb.errors)} error(s); "
                              f"run `evwm validate` for details:\n{listing}")
        for problem in self.kb.warnings:
            log.info(problem.format())  # data warnings must not fail a strict build
        renderer = Renderer(self.kb, self.settings.templates, self.settings.directory_urls)
        self.generated = {**renderer.pages(), **renderer.downloads(), **renderer.redirects(), **self._included()}
        generated_nav = [{"Home": "index.md"}, {"Taxonomy": [self._nav(r) for r in self.kb.roots]},
                         {"Entries by year": "entries/index.md"}, {"The survey": "survey.md"},
                         {"Bibliography builder": "bibliography.md"}]
        user_nav = list(config.nav or [])
        pos = self.settings.nav_position
        config.nav = user_nav[:pos] + generated_nav + user_nav[pos:]
        return config

    def _included(self) -> dict[str, str]:
        pages = {}
        for site_path, source in self.settings.include.items():
            text = source.read_text(encoding="utf-8")
            # links written for the repository (docs/x.md) point at the site's own pages (x.md)
            pages[site_path] = text.replace("](docs/", "](")
        return pages

    def _nav(self, node_id: str) -> dict[str, Any]:
        name = html.escape(self.kb.nodes[node_id].name, quote=False)  # the theme does not escape nav titles
        kids = self.kb.children(node_id)
        if not kids:
            return {name: node_page(node_id)}
        # with navigation.indexes the first page of a section is the section's own page
        return {name: [node_page(node_id)] + [self._nav(k) for k in kids]}

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for path, content in self.generated.items():
            clash = files.get_file_from_path(path)
            if clash is not None:
                raise PluginError(f"docs/{path} clashes with a page evwm generates; rename or remove it")
            files.append(File.generated(config, path, content=content))
        return files

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        root = self.settings.root
        for folder in (*(root / w for w in WATCHED), self.settings.templates):
            if folder.exists():
                server.watch(str(folder))
        return server
