"""Faults end cleanly: a full or read-only disk, a bad or busy port, an unreadable input, a killed build.

Each ends with the project's own message and a non-zero exit, the previous site/ and the data as
they were, and no staging folder left behind.
"""

from __future__ import annotations

import errno
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from evwm.cli import main
from evwm.kb import load
from evwm.site.build import build_site


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def debris(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith(".site-")]


@pytest.fixture
def built(sample):
    assert build_site(sample.root, strict=True, site_dir=sample.root / "site") == 0
    return sample


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_of_a_killed_build_are_removed_by_the_next(built):
    root = built.root
    gone = dead_pid()
    for name in (f".site-new-{gone}-abc123", f".site-old-{gone}-def456"):
        (root / name / "site").mkdir(parents=True)
        (root / name / "site" / "index.html").write_text("half a site")
    running = root / f".site-new-{os.getppid()}-live99"  # a build that is still running elsewhere
    running.mkdir()
    assert main(["--root", str(root), "build"]) == 0
    assert debris(root) == [running.name]


def test_evwm_build_reads_the_knowledge_base_once(sample, monkeypatch):
    """`evwm build` validates first; the plugin then takes that knowledge base instead of reading it again."""
    from evwm.site import plugin

    loads: list[Path] = []
    monkeypatch.setattr(plugin, "load", lambda root: loads.append(root) or load(root))
    assert main(["--root", str(sample.root), "build"]) == 0
    assert loads == [] and plugin.PRELOADED == {}
    assert build_site(sample.root, site_dir=sample.root / "site") == 0  # a build on its own reads it
    assert loads == [sample.root.resolve()]


def test_full_disk_leaves_the_previous_site(built, monkeypatch, capfd):
    import mkdocs.utils

    site = built.root / "site"
    before = snapshot(site)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(mkdocs.utils, "write_file", full)
    assert main(["--root", str(built.root), "build"]) == 1
    err = capfd.readouterr().err
    assert "error: site build failed: the disk is full" in err and "was left as it was" in err
    assert "Traceback" not in err
    assert snapshot(site) == before and not debris(built.root)


def test_read_only_site_folder_leaves_the_previous_site(built, monkeypatch, capfd):
    site = (built.root / "site").resolve()
    before = snapshot(site)
    rename = Path.rename

    def read_only(self, target):
        if self == site:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", read_only)
    assert main(["--root", str(built.root), "build"]) == 1
    err = capfd.readouterr().err
    assert f"error: cannot replace {site}: the file system is read-only" in err
    assert snapshot(site) == before and not debris(built.root)


def test_failure_after_the_old_site_moved_puts_it_back(built, monkeypatch, capfd):
    site = (built.root / "site").resolve()
    before = snapshot(site)
    rename = Path.rename

    def fail_second(self, target):
        if self.name.startswith(".site-new-"):
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", fail_second)
    assert main(["--root", str(built.root), "build"]) == 1
    assert "the disk is full" in capfd.readouterr().err
    assert snapshot(site) == before and not debris(built.root)


def test_unwritable_parent_folder(sample, monkeypatch, capfd):
    import tempfile

    def refuse(*args, **kwargs):
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    assert build_site(sample.root, site_dir=sample.root / "site") == 1
    err = capfd.readouterr().err
    assert "error: cannot write next to" in err and "permission denied" in err
    assert not (sample.root / "site").exists()


def test_unreadable_entry_stops_the_build_and_keeps_the_site(built, monkeypatch, capfd):
    site = built.root / "site"
    before = snapshot(site)
    data = snapshot(built.root / "entries")
    open_ = Path.open

    def unreadable(self, *args, **kwargs):
        if self.name == "tiny-quant.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return open_(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", unreadable)
    assert main(["--root", str(built.root), "build"]) == 1
    err = capfd.readouterr().err
    assert "build stopped: fix the errors above first; site/ was left as it was" in err
    assert "Traceback" not in err
    problems = [p.format() for p in load(built.root).errors]
    assert "entries/main/tiny-quant.yaml: cannot read file: Permission denied" in problems
    monkeypatch.undo()
    assert snapshot(site) == before and snapshot(built.root / "entries") == data and not debris(built.root)


@pytest.mark.parametrize("address", ["127.0.0.1:99999", "127.0.0.1:0", "localhost", "127.0.0.1:http"])
def test_bad_port(sample, capfd, address):
    assert main(["--root", str(sample.root), "serve", "--dev-addr", address]) == 1
    err = capfd.readouterr().err
    assert f"error: '{address}' is not an address to serve on; write HOST:PORT with a port from 1 to 65535" in err


def test_port_in_use(sample, capfd):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--root", str(sample.root), "serve", "--dev-addr", f"127.0.0.1:{port}"]) == 1
    err = capfd.readouterr().err
    assert f"error: port {port} on 127.0.0.1 is in use by another program; pick another with --dev-addr" in err
    assert "Traceback" not in err
