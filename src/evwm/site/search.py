"""Site search: a Pagefind index built after MkDocs, and Pagefind's UI in the page header.

Material's own search ships one index of every page's text, which each reader downloads whole
before a first answer: megabytes at ten thousand entries. Pagefind splits the index into chunks
fetched per query word, so a query costs a few hundred kilobytes at any size. The index and the
UI (pagefind-ui.js/css, written by Pagefind into site/pagefind/) come from the ``pagefind_bin``
wheel at build time, so the site stays offline. A page's article is what gets indexed
(``data-pagefind-body``); a page whose front matter says ``search: exclude: true`` is left out.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

from mkdocs.exceptions import PluginError

BUNDLE = "pagefind"

# Placed in the header by script (Material draws no search box without its search plugin).
_SCRIPT = """<script>
(function () {
  // an absolute path: the UI imports the bundle's modules from it
  var base = new URL(document.currentScript.getAttribute("data-base"), location.href).pathname;
  function start() {
    var header = document.querySelector(".md-header__inner");
    if (!header || typeof PagefindUI === "undefined") return;
    var box = document.createElement("div");
    box.id = "evwm-search";
    box.setAttribute("role", "search");
    var source = header.querySelector(".md-header__source");
    header.insertBefore(box, source);
    new PagefindUI({element: "#evwm-search", bundlePath: base, showSubResults: false, showImages: false,
                    resetStyles: false, pageSize: 8, excerptLength: 18, debounceTimeoutMs: 40,
                    translations: {placeholder: "Search entries, methods, authors"}});
    document.addEventListener("keydown", function (e) {
      var input = box.querySelector("input");
      if (!input || e.ctrlKey || e.metaKey || e.altKey) return;
      var typing = /input|textarea|select/i.test((document.activeElement || {}).tagName || "");
      if ((e.key === "/" || e.key === "s") && !typing) { e.preventDefault(); input.focus(); }
    });
    // The UI loads Pagefind (its script, worker, wasm and index metadata, about 170 KB here,
    // cached across pages) on the box's first focus, which would delay the first answer by
    // that much. Once the page is idle, the same load is started, without moving the focus.
    // Chromium also compiles Pagefind's search and decoding code on its first run (about
    // 100 ms on this machine), so one search for a word of the page's title, and the fragment
    // of its best result (one chunk and one fragment, some 30 KB), is run then too. It goes
    // through the module the UI imported, after the UI's own options, and shows nothing.
    var preload = function () {
      var input = box.querySelector("input");
      if (!input) return;
      input.dispatchEvent(new Event("focus"));
      var word = (document.title.match(/[A-Za-z]{3,}/) || [])[0];
      if (!word) return;
      import(base + "pagefind.js").then(function (pagefind) {
        return pagefind.filters().then(function () { return pagefind.search(word); });
      }).then(function (found) {
        return found && found.results.length ? found.results[0].data() : null;
      }).catch(function () {});  // a warm-up only: the reader's own search reports any failure
    };
    if ("requestIdleCallback" in window) requestIdleCallback(preload, {timeout: 1500});
    else setTimeout(preload, 500);
  }
  window.addEventListener("DOMContentLoaded", start);  // after the deferred UI script ran
})();
</script>"""

_STYLE = """<style>
#evwm-search{position:relative;flex-shrink:1;width:15rem;max-width:45vw;margin:0 .4rem;
  --pagefind-ui-scale:.72;--pagefind-ui-primary:var(--md-primary-fg-color);--pagefind-ui-text:var(--md-default-fg-color);
  --pagefind-ui-background:var(--md-default-bg-color);--pagefind-ui-border:var(--md-default-fg-color--lighter);
  --pagefind-ui-tag:var(--md-default-fg-color--lightest);--pagefind-ui-border-width:1px;--pagefind-ui-border-radius:4px}
#evwm-search .pagefind-ui__search-input{color:var(--md-default-fg-color);background:var(--md-default-bg-color)}
#evwm-search .pagefind-ui__drawer{position:absolute;right:0;top:100%;width:min(34rem,92vw);max-height:75vh;overflow:auto;
  background:var(--md-default-bg-color);color:var(--md-default-fg-color);padding:0 .8rem;
  box-shadow:0 .2rem .6rem rgba(0,0,0,.25);border-radius:4px}
#evwm-search .pagefind-ui__drawer:empty,#evwm-search .pagefind-ui__hidden{display:none}
@media screen and (max-width:44.9375em){#evwm-search{width:9rem}}
</style>"""

_ARTICLE = '<article class="md-content__inner md-typeset">'


def page_html(output: str, bundle: str, searchable: bool) -> str:
    """A built page with the search box added and, when ``searchable``, its article marked for the index.

    ``bundle`` is the URL of site/pagefind/ relative to the page.
    """
    bundle = bundle.rstrip("/") + "/"
    if searchable:
        output = output.replace(_ARTICLE, _ARTICLE[:-1] + " data-pagefind-body>", 1)
        # the ¶ of each heading's permalink is not part of its text
        output = output.replace('class="headerlink"', 'class="headerlink" data-pagefind-ignore')
    head = (
        f'<link rel="stylesheet" href="{bundle}pagefind-ui.css">{_STYLE}'
        f'<script src="{bundle}pagefind-ui.js" defer></script>'
    )
    script = _SCRIPT.replace("<script>", f'<script data-base="{bundle}">', 1)
    output = output.replace("</head>", head + "</head>", 1)
    return output.replace("</body>", script + "</body>", 1)


def excluded(meta: Mapping[str, object]) -> bool:
    """Whether a page's front matter keeps it out of search (Material's ``search: exclude: true``)."""
    search = meta.get("search")
    return isinstance(search, dict) and bool(search.get("exclude"))


def executable() -> Path:
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError:
        raise PluginError("the search index needs Pagefind, which is not installed: pip install pagefind-bin") from None
    return Path(get_executable())


def index(
    site_dir: Path, background: bool = False, started: Callable[[subprocess.Popen[str]], None] | None = None
) -> None:
    """Write site_dir/pagefind/: the chunked index and the UI. Raises PluginError with Pagefind's reason.

    ``background`` (serve): at low priority, so that pages are served first; ``started`` is
    handed the process, so that a serve that stops can stop it too."""
    command = [str(executable()), "--site", str(site_dir), "--output-subdir", BUNDLE, "--silent"]
    nice = (lambda: os.nice(10)) if background and hasattr(os, "nice") else None
    try:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=nice,
        )
    except OSError as exc:
        raise PluginError(f"the search index could not be built: {exc}") from None
    if started is not None:
        started(proc)
    try:
        out, err = proc.communicate(timeout=900)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise PluginError("the search index could not be built: Pagefind ran for more than 15 minutes") from None
    if proc.returncode < 0:
        return  # stopped on purpose (serve is shutting down)
    if proc.returncode != 0:
        reason = _ANSI.sub("", " ".join((err or out).split()))[-500:]
        raise PluginError(f"the search index could not be built: {reason or f'exit code {proc.returncode}'}")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
