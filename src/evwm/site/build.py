"""`evwm build` and `evwm serve`: MkDocs driven from Python, with an all-or-nothing site/.

A build goes to a staging folder beside site/ and replaces it only when it succeeded; staging
folders that a killed build left behind are removed by the next build. Every fault (a full or
read-only disk, a port in use, an unreadable input) ends with one clear message and a non-zero
exit, with the previous site/ as it was. `serve` builds incrementally (see ``evwm.site.plugin``)
and removes its temporary folders when it stops, on Ctrl-C and SIGTERM too.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import signal
import socket
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever sys.stderr is when a record is emitted, not when the handler was made."""

    @property
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def _mkdocs_logging() -> None:
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_evwm", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler.setLevel(logging.WARNING)
        handler._evwm = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno == errno.EROFS:
        return "the file system is read-only"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)


def _staging_prefix(target: Path, kind: str) -> str:
    return f".{target.name}-{kind}-{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, but is someone else's
    return True


def remove_leftovers(target: Path) -> None:
    """Staging folders of builds that were killed before they could clean up (their process is gone)."""
    for folder in target.parent.glob(f".{target.name}-*-*-*"):
        parts = folder.name[len(target.name) + 2 :].split("-")
        if len(parts) < 3 or parts[0] not in ("new", "old") or not parts[1].isdigit():
            continue
        if int(parts[1]) == os.getpid() or not _alive(int(parts[1])):
            shutil.rmtree(folder, ignore_errors=True)


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
        remove_leftovers(target)
        staging = Path(tempfile.mkdtemp(prefix=_staging_prefix(target, "new"), dir=target.parent))
    except OSError as exc:
        print(f"error: cannot write next to {target}: {_reason(exc)}", file=sys.stderr)
        return 1
    config: Any = None
    try:
        config = load_config(str(root / "mkdocs.yml"), site_dir=str(staging), strict=strict)
        config.plugins.on_startup(command="build", dirty=False)
        build(config)
    except (MkDocsException, SystemExit) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        message = str(exc).strip() or "MkDocs reported warnings in strict mode"
        print(f"error: site build failed: {message}\n{target} was left as it was", file=sys.stderr)
        return 1
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"error: site build failed: {_reason(exc)}{where}\n{target} was left as it was", file=sys.stderr)
        return 1
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        if config is not None:
            config.plugins.on_shutdown()
    try:
        _swap(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"error: cannot replace {target}: {_reason(exc)}\n{target} was left as it was", file=sys.stderr)
        return 1
    print(f"site built in {target}")
    return 0


def _swap(staging: Path, target: Path) -> None:
    """Put ``staging`` in place of ``target``; on any failure ``target`` is as it was."""
    if not target.exists():
        staging.rename(target)
        return
    old = Path(tempfile.mkdtemp(prefix=_staging_prefix(target, "old"), dir=target.parent))
    try:
        target.rename(old / "site")
    except OSError:
        shutil.rmtree(old, ignore_errors=True)
        raise
    try:
        staging.rename(target)
    except OSError:
        (old / "site").rename(target)  # put the previous site back
        shutil.rmtree(old, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)


class _NoDirtyWarning(logging.Filter):
    # MkDocs warns on every dirty build, which strict mode would count as a failure; the plugin
    # keeps the navigation right (it rebuilds every page when the navigation changes).
    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build is being performed" not in record.getMessage()


def check_address(dev_addr: str) -> str:
    """'' when ``dev_addr`` can be served on, else why not, in the reader's terms."""
    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        return f"'{dev_addr}' is not an address to serve on; write HOST:PORT with a port from 1 to 65535"
    try:
        infos = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)
    except OSError:
        return f"'{host}' is not a known host name or address"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"port {port} on {host} is in use by another program; pick another with --dev-addr"
            return f"cannot serve on {dev_addr}: {_reason(exc)}"
    return ""


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM ends serve like Ctrl-C, so its temporary folders are removed."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve_site(root: Path, dev_addr: str) -> int:
    from mkdocs.commands.serve import serve
    from mkdocs.exceptions import MkDocsException

    _mkdocs_logging()
    problem = check_address(dev_addr)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    quiet = _NoDirtyWarning()
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(quiet)
    try:
        with _sigterm_as_interrupt():
            # site_url names where the site is published; locally it is served at the root, so the
            # address printed and the README's http://127.0.0.1:8000 are the pages themselves
            serve(
                config_file=str(root / "mkdocs.yml"),
                dev_addr=dev_addr,
                livereload=True,
                build_type="dirty",
                site_url=f"http://{dev_addr}/",
            )
    except KeyboardInterrupt:
        return 0
    except MkDocsException as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot serve on {dev_addr}: {_reason(exc)}", file=sys.stderr)
        return 1
    finally:
        build_log.removeFilter(quiet)
    return 0
