"""`evwm fmt`: rewrite data files into canonical form (see ``canonical``); `--check` only reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser

from evwm.records.bib import parse_bib
from evwm.records.canonical import dump_bib, dump_entry, dump_node
from evwm.records.files import WriteError, discover, write_files
from evwm.records.loader import load_record
from evwm.records.models import Entry, TaxonomyNode
from evwm.records.problems import Problem, rel
from evwm.records.yamlio import YamlError, read_text


@dataclass
class FmtResult:
    changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _depth(path: Path, root: Path) -> int:
    return len(path.relative_to(root).parts) - 1


def plan(root: Path) -> tuple[dict[Path, str], list[Problem]]:
    """The canonical text of every file that differs from it; files with errors are left out."""
    root = root.resolve()
    changes: dict[Path, str] = {}
    problems: list[Problem] = []
    kinds: list[tuple[str, type[Any], Callable[[Any, int], str]]] = [
        ("taxonomy", TaxonomyNode, dump_node),
        ("entries", Entry, dump_entry),
    ]
    for folder, model, dump in kinds:
        for path in discover(root, folder).files:
            expected_id = (
                path.relative_to(root / folder).with_suffix("").as_posix() if model is TaxonomyNode else path.stem
            )
            source, found = load_record(path, root, model, expected_id)
            if source is None or found:
                problems += found
                continue
            text = dump(source.model, _depth(path, root))
            if path.read_text(encoding="utf-8") != text:
                changes[path] = text
    for path in discover(root, "bibliography").files:
        name = rel(path, root)
        try:
            raw = read_text(path, 4 * 1024 * 1024)
        except YamlError as exc:
            problems.append(Problem(name, exc.line, "", exc.message, exc.hint))
            continue
        citations, found = parse_bib(raw, name)
        if found:
            problems += found
            continue
        library = bibtexparser.parse_string(raw)  # type: ignore[attr-defined]
        if library.comments or library.strings or library.preambles:
            problems.append(
                Problem(
                    name,
                    1,
                    "",
                    "fmt keeps only records and would drop comments, @string or @preamble",
                    "move the comment into the entry's YAML or remove it",
                )
            )
            continue
        text = dump_bib(citations)
        if raw != text:
            changes[path] = text
    return changes, problems


def run(root: Path, check: bool) -> FmtResult:
    changes, problems = plan(root)
    result = FmtResult(sorted(rel(p, root) for p in changes), problems)
    if not check and changes:
        try:
            write_files(changes, root)
        except WriteError as exc:
            result.problems.append(Problem("", 0, "", str(exc), "nothing was rewritten"))
    return result
