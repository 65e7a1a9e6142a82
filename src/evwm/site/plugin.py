"""MkDocs plugin: validates the knowledge base and injects its generated pages and downloads.

Plain ``mkdocs build`` and ``mkdocs serve`` therefore work on their own; ``serve`` also watches
the data folders and the templates. Entry pages are deliberately kept out of the navigation:
a nav item per entry would be repeated on every page and make the build quadratic. After the
build, Pagefind indexes the site for search (``evwm.site.search``).

Under ``serve`` a rebuild costs what changed, not the whole site: the loader re-reads only
changed files (its record cache), the generated pages are kept as files in a folder of this
plugin's and rewritten only when their text changed, and the build is MkDocs' dirty build, which
skips every page whose source is older than its output. A change to the navigation (the
taxonomy) empties the served folder first, so every page is built again with the new one.
"""

from __future__ import annotations

import gc
import html
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any, Literal

import jinja2
import jinja2.bccache
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from evwm.export.jsondump import dumps
from evwm.kb import KnowledgeBase, load
from evwm.site import search
from evwm.site.config import EvwmConfig, Settings, resolve
from evwm.site.render import Renderer, entry_page, node_page

log = logging.getLogger("mkdocs.plugins.evwm")

WATCHED = ("taxonomy", "entries", "bibliography", "vocab", "survey")

# A knowledge base already loaded and checked by the caller (`evwm build` validates before it
# builds), by resolved root: the first build of that root takes it instead of reading it again.
PRELOADED: dict[Path, KnowledgeBase] = {}


SERVE_PREFIX = "evwm-serve-"


class _Incremental:
    """What `evwm serve` keeps between rebuilds: the generated pages, as files and as text."""

    def __init__(self) -> None:
        _remove_abandoned()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{SERVE_PREFIX}{os.getpid()}-"))
        self.texts: dict[str, str | bytes] = {}
        self.nav: Any = None
        self.indexing = threading.Lock()
        self.stale_index = False

    kb: KnowledgeBase | None = None
    templates: dict[str, int] | None = None
    json_due = False
    rebuilds = 0
    closed = False
    indexer: subprocess.Popen[str] | None = None
    worker: threading.Thread | None = None
    added: dict[str, Any] = {}  # noqa: RUF012 - replaced, never changed in place

    def pages_for(self, kb: KnowledgeBase, renderer: Renderer, templates: Path) -> dict[str, str | bytes] | None:
        """The generated pages after an edit that only touched entries' prose, rendering only what
        shows it: those entries' pages and the JSON download. None when more changed (the
        taxonomy, the bibliography, the vocabularies, the templates, an entry's listed fields, the
        set of entries): then every page is rendered again, and MkDocs still builds only the
        pages whose text changed."""
        old = self.kb
        if old is None or not self.texts or self.templates != _stamps(templates):
            return None
        if old.node_sources.keys() != kb.node_sources.keys() or any(
            s is not old.node_sources[k] for k, s in kb.node_sources.items()
        ):
            return None
        if old.citations.keys() != kb.citations.keys() or any(
            c is not old.citations[k] for k, c in kb.citations.items()
        ):
            return None
        if old.entry_sources.keys() != kb.entry_sources.keys() or old.vocab != kb.vocab:
            return None
        changed = [i for i, s in kb.entry_sources.items() if s is not old.entry_sources[i]]
        for entry_id in changed:
            before, after = old.entries[entry_id], kb.entries[entry_id]
            if before.model_dump(exclude=PROSE) != after.model_dump(exclude=PROSE):
                return None
            if any(_links(getattr(e, f)) for e in (before, after) for f in PROSE):
                return None  # a link in the prose may show on the page it points at
        try:
            # the newest entries are also on "What's new" and in the feed, and an entry's date
            # may come from its file's time: then those pages change too
            added, recent = renderer.added, {e.id for e, _ in renderer.recent}
        except AttributeError:
            return None
        if any(added.get(i) != self.added.get(i) for i in changed) or recent & set(changed):
            return None
        pages: dict[str, str | bytes] = dict(self.texts)
        try:
            for entry_id in changed:
                entry = kb.entries[entry_id]
                path = entry_page(entry_id)
                pages[path] = renderer._render("entry.md.j2", path, entry=entry, **renderer._entry_context(entry))
            self.json_due = JSON_DOWNLOAD in pages  # the whole knowledge base: written after the build
        except (AttributeError, TypeError, KeyError):  # the renderer changed its ways: render everything
            return None
        return pages

    def write(self, generated: dict[str, str | bytes]) -> int:
        """Bring the folder in line with ``generated``, touching only pages whose text changed."""
        changed = 0
        for path, content in generated.items():
            if self.texts.get(path) == content:
                continue
            target = self.folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8")
            changed += 1
        for path in set(self.texts) - set(generated):
            (self.folder / path).unlink(missing_ok=True)
        self.texts = dict(generated)
        return changed

    def stopping(self) -> bool:
        return self.closed

    def close(self) -> None:
        """Stop the background indexer, then remove the folder."""
        self.closed = True
        if self.indexer is not None and self.indexer.poll() is None:
            self.indexer.terminate()
            try:
                self.indexer.wait(10)
            except subprocess.TimeoutExpired:
                self.indexer.kill()
        if self.worker is not None:
            self.worker.join(10)
        shutil.rmtree(self.folder, ignore_errors=True)


# Entry fields shown on the entry's own page only (and in the JSON download).
PROSE = {"summary", "mechanism"}
JSON_DOWNLOAD = "downloads/evwm.json"


def _links(text: str) -> bool:
    return "](" in text


def _stamps(folder: Path) -> dict[str, int]:
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _remove_abandoned() -> None:
    """Folders left by a serve that was killed outright (SIGKILL): their process is gone."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SERVE_PREFIX}*-*"):
        pid = folder.name[len(SERVE_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            pass  # someone else's process: not ours to judge


class _CompiledTemplates(jinja2.BytecodeCache):
    """The theme's templates, compiled once for all the rebuilds of `evwm serve`.

    MkDocs makes a new Jinja environment for every build, so each rebuild would compile
    Material's templates again: about a second of every edit. Jinja keys each template by name
    and checks its source's checksum on load, so an edited template is compiled afresh. The
    store is emptied when the environment's options change, since they shape the compiled code.
    """

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}
        self.options: tuple[object, ...] = ()

    def attach(self, env: jinja2.Environment) -> None:
        options = (
            env.autoescape,
            tuple(sorted(env.extensions)),
            env.block_start_string,
            env.variable_start_string,
            env.comment_start_string,
            env.line_statement_prefix,
            env.trim_blocks,
            env.lstrip_blocks,
            env.newline_sequence,
            env.keep_trailing_newline,
        )
        if options != self.options:
            self.store.clear()
            self.options = options
        env.bytecode_cache = self

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


class EvwmPlugin(BasePlugin[EvwmConfig]):  # type: ignore[no-untyped-call]
    kb: KnowledgeBase
    generated: dict[str, str | bytes]
    settings: Settings
    # Set by on_startup: MkDocs then keeps this one instance for every rebuild of a serve.
    _incremental: _Incremental | None = None
    _serving = False
    _compiled: _CompiledTemplates | None = None

    def on_startup(self, *, command: Literal["build", "gh-deploy", "serve"], dirty: bool) -> None:
        self._close()
        self._serving = command == "serve"
        if self._serving and dirty:
            self._incremental = _Incremental()
        self._compiled = _CompiledTemplates() if self._serving else None

    def on_env(self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files) -> jinja2.Environment:
        if self._compiled is not None:
            self._compiled.attach(env)
        return env

    def on_shutdown(self) -> None:
        self._close()

    def _close(self) -> None:
        if self._incremental is not None:
            self._incremental.close()
            self._incremental = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self.settings = resolve(self.config, config.config_file_path, bool(config.use_directory_urls))
        root = self.settings.root
        preloaded = PRELOADED.pop(root, None)
        self.kb = preloaded if preloaded is not None else load(root)
        if self.kb.errors:
            listing = "\n".join(p.format() for p in self.kb.errors)
            raise PluginError(
                f"the knowledge base has {len(self.kb.errors)} error(s); run `evwm validate` for details:\n{listing}"
            )
        for problem in self.kb.warnings:
            log.info(problem.format())  # data warnings must not fail a strict build
        renderer = Renderer(self.kb, self.settings.templates, self.settings.directory_urls, self.settings.page_size)
        custom = config.theme.custom_dir
        if custom and Path(custom).resolve() == (self.settings.templates / "overrides").resolve():
            renderer.light_template = "evwm-light.html"
        state = self._incremental
        partial = state.pages_for(self.kb, renderer, self.settings.templates) if state is not None else None
        if partial is not None:
            self.generated = {**partial, **self._included()}
        else:
            self.generated = {**renderer.pages(), **renderer.downloads(), **renderer.redirects(), **self._included()}
        # The taxonomy tab opens on the diagram; Browse and Compare are the other ways in.
        generated_nav = [
            {"Home": "index.md"},
            {"Taxonomy": ["taxonomy/index.md", *[self._nav(r) for r in self.kb.roots]]},
            {
                "Browse": [
                    {"Entries by year": "entries/index.md"},
                    {"What's new": "whats-new.md"},
                    {"Authors": "authors/index.md"},
                    {"Venues": "venues/index.md"},
                    {"Tags": "tags/index.md"},
                ]
            },
            {
                "Compare": [
                    {"Numbers across the field": "numbers.md"},
                    {"Same ground (base models)": "base-models/index.md"},
                ]
            },
            {"The survey": "survey.md"},
            {"Bibliography builder": "bibliography.md"},
        ]
        user_nav = list(config.nav or [])
        pos = self.settings.nav_position
        config.nav = user_nav[:pos] + generated_nav + user_nav[pos:]
        # The knowledge base and the pages are millions of objects that live to the end of the
        # build; kept out of the collector's full passes, MkDocs' own garbage costs what it costs
        # without evwm (thawed after the build; see on_post_build for serve).
        gc.freeze()
        if state is not None:
            state.kb = self.kb
            state.templates = _stamps(self.settings.templates)
            state.added = dict(getattr(renderer, "added", {}))
            if state.nav is not None and state.nav != config.nav:
                _empty(Path(config.site_dir))  # every page shows the navigation: build them all again
            state.nav = config.nav
            changed = state.write(self.generated)
            how = "only the edited entries' pages rendered" if partial is not None else "every page rendered"
            log.info(f"evwm: {changed} generated page(s) changed ({how})")
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
        state = self._incremental
        for path, content in self.generated.items():
            clash = files.get_file_from_path(path)
            if clash is not None:
                raise PluginError(f"docs/{path} clashes with a page evwm generates; rename or remove it")
            if state is not None:  # a file, whose time tells MkDocs' dirty build whether it changed
                files.append(File.generated(config, path, abs_src_path=str(state.folder / path)))
            else:
                files.append(File.generated(config, path, content=content))
        return files

    def on_build_error(self, *, error: Exception) -> None:
        gc.unfreeze()

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        bundle = get_relative_url(f"{search.BUNDLE}/", page.url)
        return search.page_html(output, bundle, not search.excluded(page.meta or {}))

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        site = Path(config.site_dir)
        state = self._incremental
        if not self._serving or state is None:
            gc.unfreeze()
            if not self._serving:
                search.index(site)
            return
        # Serving: the edited pages are written and shown now; what covers the whole knowledge
        # base (the JSON download, the search index) follows in the background, at low priority.
        # The heap stays frozen between rebuilds (a full collection of it would stall the next
        # one), and is thawed and collected every few rebuilds so that nothing piles up.
        state.rebuilds += 1
        if state.rebuilds % 8 == 0:
            gc.unfreeze()
        kb, json_due = self.kb, state.json_due
        state.json_due = False

        def run() -> None:
            with state.indexing:
                if state.stopping():
                    return
                if json_due:
                    text = dumps(kb)
                    state.texts[JSON_DOWNLOAD] = text
                    for folder in (state.folder, site):
                        target = folder / JSON_DOWNLOAD
                        if target.parent.is_dir():
                            target.write_text(text, encoding="utf-8")
                if state.stopping():  # close() may have run meanwhile, on another thread
                    return
                try:
                    search.index(site, background=True, started=lambda proc: setattr(state, "indexer", proc))
                except PluginError as exc:
                    log.warning(str(exc))

        state.worker = threading.Thread(target=run, daemon=True)
        state.worker.start()

    def on_serve(self, server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
        root = self.settings.root
        for folder in (*(root / w for w in WATCHED), self.settings.templates):
            if folder.exists():
                server.watch(str(folder))
        return server


def _empty(folder: Path) -> None:
    if folder.is_dir():
        for child in folder.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)
