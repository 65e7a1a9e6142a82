"""A minimal progress bar for long curation runs: drawn on a terminal, silent in CI and in pipes."""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import TextIO


def wanted(stream: TextIO) -> bool:
    """Only an interactive terminal gets a bar; CI logs and redirected output stay clean."""
    if os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    WIDTH = 30

    def __init__(self, total: int, label: str, stream: TextIO | None = None, enabled: bool | None = None):
        self.total = max(total, 0)
        self.label = label
        self.done = 0
        self.stream = stream or sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled

    def advance(self, n: int = 1) -> None:
        self.done = min(self.total, self.done + n)
        if self.enabled:
            filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
            self.stream.flush()

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.enabled:
            self.stream.write("\r\033[K")  # erase the bar so the next message starts on a clean line
            self.stream.flush()
