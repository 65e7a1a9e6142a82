"""What parsing a file found, kept between runs: an unchanged file costs a stat, not a parse.

A record's result (its validated model and its line map, or its problems) depends on nothing but
the file's bytes and the code that reads it, so it is keyed by the project-relative name, a hash
of the bytes, and a fingerprint of that code (evwm's version, the source of ``evwm.records``, and
the versions of PyYAML, pydantic and bibtexparser). Cross-file checks are never cached: they run
on every load. As git's index does, the store also keeps each file's status (size, times, inode):
a file whose status is unchanged is not even read, and its hash is taken from the store.

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
import time
from pathlib import Path
from typing import Any

FORMAT = 3  # bump when what is stored changes shape
# A status taken less than this after the file's last change is not kept: a second write within
# the file system's clock tick would leave size and times as they were ("racily clean" in git).
RACY_SECONDS = 2.0

Status = tuple[int, int, int, int, int]


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


def status(path: Path) -> Status | None:
    """What changes whenever a file's bytes do: size, modification and change times, inode, device.

    The change time is set by the kernel on every write and cannot be set back, so even a tool
    that restores the modification time (cp -p, touch -r) leaves a different status."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


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
        self.statuses: dict[str, tuple[Status, bytes]] = {}  # file name -> (its status, its digest)
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
                store.statuses = saved["statuses"]
        except Exception:  # absent, half-written by an older version, unreadable: start empty
            store.results, store.statuses = {}, {}
        return store

    def known_digest(self, name: str, current: Status | None) -> bytes | None:
        """The digest of file ``name`` if its status is still the one stored with it, else None."""
        kept = self.statuses.get(name)
        return kept[1] if kept is not None and current is not None and kept[0] == current else None

    def note_status(self, name: str, current: Status | None, d: bytes) -> None:
        """Keep ``current`` as the status of the bytes hashed to ``d``, unless it is too recent to trust."""
        if current is None or self.statuses.get(name) == (current, d):
            return
        last_change = max(current[1], current[2])
        if time.time_ns() - last_change < RACY_SECONDS * 1e9:
            self.statuses.pop(name, None)
            return
        self.statuses[name] = (current, d)
        self.changed = True

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
        names = {k[0] for k in self.used if isinstance(k, tuple) and isinstance(k[0], str)}
        statuses = {k: v for k, v in self.statuses.items() if k in names}
        if not self.changed and len(results) == len(self.results) and len(statuses) == len(self.statuses):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".records-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(
                        {"fingerprint": self.fingerprint, "results": results, "statuses": statuses},
                        fh,
                        protocol=pickle.HIGHEST_PROTOCOL,
                    )
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except Exception:
            pass  # a cache that cannot be written only costs time (read-only home, disk full)
