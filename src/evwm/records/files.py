"""The one file policy: which project files are read, and how every command writes one.

Every command discovers its inputs here and writes through ``write_files``, so they all agree on
symbolic links (never followed, never written through), editor debris (skipped silently), unknown
extensions (reported once, as a warning) and atomic writes (all files or none, no leftovers).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from evwm.records.problems import Problem, Severity, rel

# What each data folder holds; anything else in it is reported once and not read.
KINDS: dict[str, tuple[str, ...]] = {
    "taxonomy": (".yaml", ".yml"),
    "entries": (".yaml", ".yml"),
    "bibliography": (".bib",),
    "vocab": (".yaml",),
    "survey": (".yaml", ".tsv"),
}
# Files editors and systems leave beside the data: not the author's, so skipped without a word.
_DEBRIS_PREFIXES = (".#", "#", "~$", "._")
_DEBRIS_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".bak", ".orig", ".tmp", ".DS_Store")
_DEBRIS_NAMES = {".DS_Store", "Thumbs.db", "desktop.ini", ".gitkeep", "README.md"}


def is_debris(name: str) -> bool:
    return (
        name in _DEBRIS_NAMES
        or name.startswith(_DEBRIS_PREFIXES)
        or name.endswith(_DEBRIS_SUFFIXES)
        or ".fmt-tmp" in name
        or ".new-tmp" in name
    )


@dataclass
class Found:
    """The files of one kind, and what was passed over on the way."""

    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def discover(root: Path, folder: str, suffixes: Iterable[str] | None = None) -> Found:
    """Every regular file with one of ``suffixes`` under ``root/folder``, sorted; links are reported."""
    wanted = tuple(suffixes or KINDS[folder.split("/")[0]])
    top = root / folder
    found = Found()
    if top.is_symlink():
        found.problems.append(_link(top, root, "folder"))
        return found
    if not top.is_dir():
        return found
    _walk(top, root, folder, wanted, found)
    found.files.sort()
    return found


def _walk(here: Path, root: Path, folder: str, wanted: tuple[str, ...], found: Found) -> None:
    """One folder of ``discover``, then its sub-folders. The directory entries say what each
    name is without a system call per file (thousands of files are listed on every load)."""
    try:
        with os.scandir(here) as listing:
            items = sorted(listing, key=lambda d: d.name)
    except OSError as exc:
        found.problems.append(Problem(rel(here, root), 0, "", f"cannot read folder: {exc.strerror}"))
        return
    subfolders = []
    for item in items:
        name, path = item.name, here / item.name
        try:
            is_link, is_dir = item.is_symlink(), item.is_dir(follow_symlinks=False)
        except OSError as exc:
            found.problems.append(Problem(rel(path, root), 0, "", f"cannot read file: {exc.strerror}"))
            continue
        if is_dir or (is_link and path.is_dir()):
            if is_link:
                found.problems.append(_link(path, root, "folder"))
            elif not name.startswith("."):
                subfolders.append(path)
            continue
        if is_debris(name) or name.startswith("."):
            continue
        if is_link:
            found.problems.append(_link(path, root, "file"))
            continue
        if not name.endswith(wanted):
            found.problems.append(
                Problem(
                    rel(path, root),
                    0,
                    "",
                    f"is not read: files in {folder}/ end in {' or '.join(wanted)}",
                    "rename it, or move it out of the data folders",
                    Severity.WARNING,
                )
            )
            continue
        try:
            regular = item.is_file(follow_symlinks=False)
        except OSError as exc:
            found.problems.append(Problem(rel(path, root), 0, "", f"cannot read file: {exc.strerror}"))
            continue
        if not regular:
            found.problems.append(
                Problem(rel(path, root), 0, "", "is not a regular file, so it is not read", "remove it")
            )
            continue
        found.files.append(path)
    for sub in subfolders:
        _walk(sub, root, folder, wanted, found)


def _link(path: Path, root: Path, what: str) -> Problem:
    # Never follow links: a linked file could be anything on the machine, and would be published.
    return Problem(
        rel(path, root),
        0,
        "",
        f"is a symbolic link to a {what}, which is not read",
        f"commit the {what} itself in place of the link",
    )


class WriteError(Exception):
    """A file could not be written; nothing was changed."""


def check_target(path: Path, root: Path | None = None) -> None:
    """Refuse a target that is not a plain file, or (with ``root``) that lies outside the project."""
    if path.is_symlink():
        raise WriteError(f"{path} is a symbolic link; evwm does not write through links")
    if path.exists() and not path.is_file():
        raise WriteError(f"{path} exists and is not a regular file (a folder, FIFO or device)")
    if root is not None:
        root = root.resolve()
        parent = path.parent
        # every existing folder between the project and the file must be a real folder inside it
        while parent != root and parent != parent.parent:
            if parent.is_symlink():
                raise WriteError(f"{rel(parent, root)} is a symbolic link; evwm writes only inside the project")
            parent = parent.parent
        try:
            path.parent.resolve().relative_to(root)
        except ValueError:
            raise WriteError(f"{path} is outside the project folder {root}") from None


def write_files(texts: dict[Path, str], root: Path | None = None) -> None:
    """Write every file or none: each goes to a temporary file beside it, then all are moved in."""
    for path in texts:
        check_target(path, root)
    staged: list[tuple[Path, Path]] = []
    try:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append((Path(tmp_name), path))
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        for staged_tmp, target in staged:
            os.replace(staged_tmp, target)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        for leftover, _ in staged:
            leftover.unlink(missing_ok=True)


MAX_INPUT_BYTES = 1024 * 1024


def read_input(source: str, stdin: object | None = None, limit: int = MAX_INPUT_BYTES) -> str:
    """A user-named input (a path, or '-' for standard input), read at most ``limit`` bytes.

    An endless or huge input (``/dev/zero``, a pipe that never ends) is refused, not read whole.
    """
    import sys

    if source == "-":
        stream = getattr(stdin or sys.stdin, "buffer", stdin or sys.stdin)
        data = stream.read(limit + 1)  # type: ignore[attr-defined]
        raw = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    else:
        path = Path(source)
        try:
            mode = path.stat().st_mode
        except OSError as exc:
            raise WriteError(f"cannot read {source}: {exc.strerror}") from None
        if not stat.S_ISREG(mode):
            raise WriteError(f"cannot read {source}: it is not a regular file")
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise WriteError(f"{source} is larger than the {limit:,} bytes an input may have")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WriteError(f"{source} is not UTF-8 text (byte 0x{raw[exc.start]:02x})") from None
