"""What parsing a file found, kept between runs: an unchanged file costs a hash, not a parse.

A record's result (its validated model and its line map, or its problems) depends on nothing but
the file's bytes and the code that reads it, so it is keyed by the project-relative name, a hash
of the bytes, and a fingerprint of that code (evwm's version, the source of ``evwm.records``, and
the versions of PyYAML, pydantic and bibtexparser). Cross-file checks are never cached: they run
on every load.

The store is a pickle, so it lives in the user's own cache folder (``$EVWM_CACHE_DIR``, else
``$XDG_CACHE_HOME/evwm`` or ``~/.cache/evwm``), never in the project, where a pull request could
plant one; a store that is not the user's own, or is writable by others, is ignored. It is written
atomically, and any failure to read or write it only costs the time it was meant to save.
``EVWM_CACHE=off`` turns it off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 2  # bump when what is stored changes shape


# project root -> its store, read once per process
_OPENED: dict[Path, Store] = {}


def enabled() -> bool:
    return os.environ.get("EVWM_CACHE", "").lower() not in ("off", "0", "no", "false")


def folder() -> Path:
    explicit = os.environ.get("EVWM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "evwm"


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _fingerprint() -> str:
    from evwm import __version__

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT} {__version__}".encode())
    # the libraries whose behaviour the stored results depend on (their own version attributes:
    # importlib.metadata would cost more than the rest of this check)
    import bibtexparser
    import pydantic
    import pydantic_core
    import yaml

    for lib in (yaml, pydantic, pydantic_core, bibtexparser):
        h.update(f" {lib.__name__}={getattr(lib, '__version__', getattr(lib, 'VERSION', '-'))}".encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


class Store:
    """The cached results of one project: key (a record's name, model and id, or a .bib file's
    name) -> (digest of the file's bytes, result)."""

    def __init__(self, root: Path):
        self.path = folder() / f"records-{hashlib.sha256(str(root).encode()).hexdigest()[:16]}.pickle"
        self.fingerprint = ""
        self.results: dict[Any, tuple[bytes, Any]] = {}
        self.used: set[Any] = set()
        self.changed = False
        self.saved = False

    @classmethod
    def open(cls, root: Path) -> Store | None:
        """The store of ``root``, loaded (empty when absent, stale or unreadable); None when off.

        A process reads it from disk once: the loads after the first (each rebuild of `evwm
        serve`) find unchanged files in the loader's own memory anyway."""
        if not enabled():
            return None
        if root in _OPENED:
            store = _OPENED[root]
            store.used = set()
            return store
        store = cls(root)
        _OPENED[root] = store
        try:
            store.fingerprint = _fingerprint()
            info = store.path.stat()
            # only a store this user wrote, and nobody else can change, is ever unpickled
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return store
            with store.path.open("rb") as fh:
                saved = pickle.load(fh)  # evwm.kb.load pauses the collector meanwhile
            if isinstance(saved, dict) and saved.get("fingerprint") == store.fingerprint:
                store.results = saved["results"]
        except Exception:  # absent, half-written by an older version, unreadable: start empty
            store.results = {}
        return store

    def lookup(self, key: Any, d: bytes) -> Any | None:
        """The stored result for ``key`` if it was stored for the bytes whose ``digest`` is ``d``."""
        self.used.add(key)
        hit = self.results.get(key)
        return hit[1] if hit is not None and hit[0] == d else None

    def put(self, key: Any, d: bytes, result: Any) -> None:
        self.results[key] = (d, result)
        self.changed = True

    def save(self) -> None:
        """Write the store if anything changed, keeping only the files this load saw.

        Only the first load of a process writes: later ones are a serve's rebuilds, where
        rewriting the whole store after every edit would delay the page it is waiting for."""
        if self.saved:
            return
        self.saved = True
        results = {k: v for k, v in self.results.items() if k in self.used}
        if not self.changed and len(results) == len(self.results):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".records-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(
                        {"fingerprint": self.fingerprint, "results": results},
                        fh,
                        protocol=pickle.HIGHEST_PROTOCOL,
                    )
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except Exception:
            pass  # a cache that cannot be written only costs time (read-only home, disk full)
