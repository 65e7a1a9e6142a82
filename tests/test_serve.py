"""`evwm serve`: an edit shows without rebuilding what did not change; stopping leaves nothing behind."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from unittest import mock

import pytest
import yaml


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return str(resp.read().decode("utf-8"))


def wait_for(check, timeout: float = 60.0):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            result = check()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("timed out")


class Server:
    def __init__(self, root: Path, tmp: Path):
        self.tmp = tmp
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}/"
        env = {**os.environ, "TMPDIR": str(tmp)}  # its temporary folders, where the test can see them
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "evwm.cli", "--root", str(root), "serve", "-a", f"127.0.0.1:{self.port}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for(lambda: self.proc.poll() is None and get(self.base + "entries/fast-cache/"))

    def folders(self) -> list[str]:
        return sorted(p.name for p in self.tmp.iterdir())

    def stop(self, signum: int) -> tuple[int, str]:
        self.proc.send_signal(signum)
        _, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, err


@pytest.fixture
def tmp(tmp_path):
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


def test_an_edit_shows_and_other_pages_are_not_rebuilt(sample, tmp):
    server = Server(sample.root, tmp)
    try:
        site = next(tmp.glob("mkdocs_*"))
        other = site / "entries/game-sim/index.html"
        stamp = other.stat().st_mtime_ns
        path = sample.root / "entries/main/fast-cache.yaml"
        data = yaml.safe_load(path.read_text())
        data["summary"] = "An edited summary that says something new about caching features."
        time.sleep(0.5)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        wait_for(lambda: "something new about caching" in get(server.base + "entries/fast-cache/"), 30)
        assert other.stat().st_mtime_ns == stamp  # its Markdown did not change, so it was not built again
        # the taxonomy changes the navigation on every page: every page is built again
        node = sample.root / "taxonomy/inference/caching.yaml"
        node.write_text(node.read_text().replace("name: Caching", "name: Feature Caching"))
        wait_for(lambda: "Feature Caching" in get(server.base + "entries/game-sim/"), 30)
    finally:
        code, err = server.stop(signal.SIGTERM)
    assert code == 0, err
    assert "Traceback" not in err


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stopping_removes_the_temporary_folders(sample, tmp, signum):
    server = Server(sample.root, tmp)
    assert any(n.startswith("mkdocs_") for n in server.folders())
    assert any(n.startswith("evwm-serve-") for n in server.folders())
    code, err = server.stop(signum)
    assert code == 0 and "Traceback" not in err
    assert server.folders() == []


def test_folders_of_a_killed_serve_are_removed_by_the_next(sample, tmp):
    server = Server(sample.root, tmp)
    server.proc.kill()  # SIGKILL: no chance to clean up
    server.proc.wait()
    left = [n for n in server.folders() if n.startswith("evwm-serve-")]
    assert left
    again = Server(sample.root, tmp)
    try:
        assert not set(left) & set(again.folders())
    finally:
        again.stop(signal.SIGTERM)


def test_serve_compiles_each_theme_template_once_until_it_changes():
    import jinja2

    from evwm.site.plugin import _CompiledTemplates

    cache = _CompiledTemplates()
    sources = {"page.html": "Hello {{ name }}"}

    def fresh() -> jinja2.Environment:  # MkDocs makes a new environment for every build
        env = jinja2.Environment(loader=jinja2.DictLoader(sources), autoescape=True)
        cache.attach(env)
        return env

    assert fresh().get_template("page.html").render(name="a") == "Hello a"
    second = fresh()
    with mock.patch.object(second, "compile", side_effect=AssertionError("compiled again")):
        assert second.get_template("page.html").render(name="b") == "Hello b"
    sources["page.html"] = "Bye {{ name }}"  # an edited template is compiled afresh
    assert fresh().get_template("page.html").render(name="c") == "Bye c"
    # other environment options shape the compiled code: nothing compiled under the old ones is used
    other = jinja2.Environment(loader=jinja2.DictLoader(sources), autoescape=False)
    cache.attach(other)
    assert cache.store == {}
    assert other.get_template("page.html").render(name="<d>") == "Bye <d>"
