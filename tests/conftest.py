"""Builders for small, throw-away knowledge bases, so each test states exactly the data it needs."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import textwrap
import threading
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]

# Debian's Chromium, driven by Playwright (which cannot download a browser here). The flags keep
# it from reaching for the network, which this machine does not have.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True, scope="session")
def _own_record_cache(tmp_path_factory):
    """Every test's loads (and the commands they start) keep their record cache in a folder of
    the test run's, never in the user's ~/.cache."""
    os.environ["EVWM_CACHE_DIR"] = str(tmp_path_factory.mktemp("evwm-cache"))
    os.environ.pop("EVWM_CACHE", None)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_folder(folder: Path):
    """A built site served on a free loopback port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium missing: scripts/test installs it")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


DESCRIPTION = " ".join(["This node groups methods that reduce the cost of generating video."] * 9)


class Project:
    """A project folder laid out like the real one: mkdocs.yml, templates/, docs/ and data."""

    def __init__(self, root: Path):
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for item in ("mkdocs.yml", "CONTRIBUTING.md", "templates", "docs", "vocab/metrics.yaml", "vocab/hardware.yaml"):
            src, dst = REPO / item, root / item
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst)
            else:
                shutil.copy(src, dst)
        for folder in ("taxonomy", "entries", "bibliography"):
            (root / folder).mkdir()

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    def node(self, node_id: str, name: str | None = None, order: int = 1, **extra) -> Path:
        data = {
            "id": node_id,
            "name": name or node_id.rsplit("/", 1)[-1].title(),
            "order": order,
            "description": DESCRIPTION,
            **extra,
        }
        return self.write(f"taxonomy/{node_id}.yaml", yaml.safe_dump(data, sort_keys=False))

    def entry(self, entry_id: str, folder: str = "main", **fields) -> Path:
        data = {
            "id": entry_id,
            "name": fields.pop("name", entry_id.replace("-", " ").title()),
            "categories": fields.pop("categories", ["inference/caching"]),
            "cites": fields.pop("cites", [f"{entry_id.replace('-', '')}2025"]),
            "summary": fields.pop("summary", "A method that makes video diffusion models faster to sample."),
            "mechanism": fields.pop(
                "mechanism", "It reuses features from earlier denoising steps instead of recomputing."
            ),
            "training": fields.pop("training", "training-free"),
            **fields,
        }
        return self.write(f"entries/{folder}/{entry_id}.yaml", yaml.safe_dump(data, sort_keys=False))

    def bib(self, text: str, name: str = "main") -> Path:
        return self.write(f"bibliography/{name}.bib", text)


def bib_record(
    key: str,
    title: str,
    year: int = 2025,
    eprint: str | None = None,
    authors: str = "Doe, Jane and Roe, Richard",
    kind: str = "misc",
    **fields,
) -> str:
    lines = [f"@{kind}{{{key},", f"  title = {{{title}}},", f"  author = {{{authors}}},", f"  year = {{{year}}},"]
    if eprint:
        lines += [f"  eprint = {{{eprint}}},", "  archiveprefix = {arXiv},"]
    lines += [f"  {k} = {{{v}}}," for k, v in fields.items()]
    return "\n".join(lines) + "\n}\n\n"


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return Project(tmp_path / "kb")


@pytest.fixture
def sample(project: Project) -> Project:
    return fill_sample(project)


def fill_sample(project: Project) -> Project:
    """A small but complete knowledge base: every kind of page and link occurs in it."""
    for node_id, order in [
        ("paradigms", 1),
        ("paradigms/distillation", 1),
        ("inference", 2),
        ("inference/caching", 1),
        ("inference/quantization", 2),
        ("applications", 3),
        ("applications/game-simulation", 1),
        ("applications/autonomous-driving", 2),
    ]:
        project.node(node_id, order=order)
    project.entry(
        "fast-cache",
        categories=["inference/caching"],
        cites=["doe2024fast"],
        links={"code": "https://github.com/example/fast-cache"},
        tags=["cache"],
        claims=[
            {
                "metric": "speedup",
                "value": 2.5,
                "unit": "x",
                "baseline": "50-step sampling",
                "hardware": "a100",
                "gpus": 1,
                "source": "Table 1",
            }
        ],
    )
    project.entry(
        "tiny-quant",
        categories=["inference/quantization", "inference/caching"],
        cites=["roe2025tiny", "doe2024fast"],
        relations=[{"type": "builds-on", "target": "fast-cache"}],
        training="fine-tuning",
    )
    project.entry(
        "game-sim",
        categories=["paradigms/distillation"],
        applications=["game-simulation"],
        cites=["muller2025game"],
        relations=[{"type": "uses", "target": "tiny-quant", "note": "for speed"}],
        training="from-scratch",
        tags=["real-time"],
    )
    project.bib(
        bib_record(
            "doe2024fast",
            "Fast Caching for Video Diffusion",
            2024,
            "2401.00001",
            kind="inproceedings",
            booktitle="Conference on Neural Information Processing Systems (NeurIPS)",
        )
        + bib_record("roe2025tiny", "Tiny Quantised Video Transformers", 2025, "2502.00002")
        + bib_record(
            "muller2025game",
            "A Playable Game World at {{Real-Time}} Speed",
            2025,
            "2503.00003",
            authors='M{\\"u}ller, J{\\"o}rg and {Team Example} and Garc{\\\'i}a, Ana',
        )
    )
    return project
