"""`evwm build` and `evwm serve`: MkDocs driven from Python, with an all-or-nothing site/."""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path


def _mkdocs_logging() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_evwm", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler.setLevel(logging.WARNING)
        handler._evwm = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def build_site(root: Path, strict: bool = True, site_dir: Path | None = None) -> int:
    """Build into a temporary folder and swap it in only on success, so a failed build leaves
    the previous site/ exactly as it was."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    _mkdocs_logging()
    target = (site_dir or root / "site").resolve()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-new-", dir=target.parent))
    except OSError as exc:
        print(f"error: cannot write next to {target}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(staging), strict=strict)
        build(config)
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        message = str(exc).strip() or "MkDocs reported warnings in strict mode"
        print(f"error: site build failed: {message}\n{target} was left as it was", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
        target.rename(old / "site")
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    print(f"site built in {target}")
    return 0


def serve_site(root: Path, dev_addr: str) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    _mkdocs_logging()
    try:
        serve(config_file=str(root / "mkdocs.yml"), dev_addr=dev_addr, livereload=True)
    except MkDocsException as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
