"""Problems found in the knowledge base, reported as ``path:line: field: message (hint)``."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """One line, whatever the file held: names and values quoted in a message are shown with
        their newlines, control and bidirectional characters escaped, so they cannot break the
        line, forge another problem or reorder the terminal's text."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        field = f" {self.field}:" if self.field else ""
        level = " warning:" if self.severity is Severity.WARNING else ""
        hint = f" ({self.hint})" if self.hint else ""
        return _one_line(f"{where}:{field}{level} {self.message}{hint}")


_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _one_line(text: str) -> str:
    if text.isascii() and text.isprintable():
        return text
    return _UNPRINTABLE.sub(lambda m: "\\n" if m.group(0) == "\n" else f"\\u{ord(m.group(0)):04x}", text)


def field_path(loc: Iterable[object]) -> str:
    """Render a location tuple such as ('claims', 0, 'value') as ``claims[0].value``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def closest(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    matches = closest(word, candidates)
    if matches:
        return "did you mean " + " or ".join(f"'{m}'" for m in matches) + "?"
    return ""


def rel(path: Path, root: Path) -> str:
    """The path relative to the project, without following a link in its last part."""
    # Folders are resolved once each, as text: thousands of files share a few folders, and
    # hashing Path objects costs more than the rest of this function.
    folder, base = _resolved(str(path.parent)), _resolved(str(root))
    if folder == base:
        return path.name
    if folder.startswith(base.rstrip("/") + "/"):
        return f"{folder[len(base.rstrip('/')) + 1 :]}/{path.name}"
    return path.as_posix()


@lru_cache(maxsize=1024)  # loads clear it (folders may have been moved or linked since)
def _resolved(folder: str) -> str:
    return Path(folder).resolve().as_posix()


def summarize(problems: list[Problem]) -> str:
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    files = len({p.path for p in problems})
    if not problems:
        return "no problems found"
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} file{'s' * (files != 1)}"
    )
