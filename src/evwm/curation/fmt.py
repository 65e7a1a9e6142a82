"""`evwm fmt`: rewrite data files into canonical form (see ``canonical``); `--check` only reports.

A file is rewritten only when its canonical text reads back as the very same record, so
formatting can never change or lose a value; files with errors are left exactly as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bibtexparser
from pydantic import BaseModel, ValidationError

from evwm.records.bib import Citation, parse_bib, read_bib_file
from evwm.records.canonical import dump_bib, dump_entry, dump_node
from evwm.records.files import WriteError, discover, write_files
from evwm.records.loader import load_record
from evwm.records.models import Entry, TaxonomyNode
from evwm.records.problems import Problem, Severity, rel
from evwm.records.yamlio import YamlError, parse_yaml, read_text


@dataclass
class FmtResult:
    changed: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # errors: those files are left alone
    warnings: list[Problem] = field(default_factory=list)  # files that are not read (named once)


def _unchanged_problem(name: str) -> Problem:
    return Problem(
        name,
        0,
        "",
        "fmt cannot write this file without changing a value, so it was left as it is",
        "please report this at the project's issue tracker, with the file",
    )


def _same_record(text: str, model: type[BaseModel], record: BaseModel) -> bool:
    try:
        return model.model_validate(parse_yaml(text).data) == record
    except (YamlError, ValidationError):
        return False


def _same_citations(text: str, citations: list[Citation]) -> bool:
    again, problems = parse_bib(text, "")

    def records(found: list[Citation]) -> list[tuple[str, str, dict[str, str]]]:
        return sorted(((c.key, c.entry_type, c.fields) for c in found), key=lambda r: (r[0], r[1]))

    return all(p.severity is Severity.WARNING for p in problems) and records(again) == records(citations)


def _depth(path: Path, root: Path) -> int:
    return len(path.relative_to(root).parts) - 1


def plan(root: Path, warnings: list[Problem] | None = None) -> tuple[dict[Path, str], list[Problem]]:
    """The canonical text of every file that differs from it; files with errors are left out.

    What discovery passed over goes to ``warnings`` (unknown files) or the problems (links).
    """
    root = root.resolve()
    changes: dict[Path, str] = {}
    problems: list[Problem] = []
    warnings = [] if warnings is None else warnings

    def files_in(folder: str) -> list[Path]:
        result = discover(root, folder)
        for problem in result.problems:
            (warnings if problem.severity is Severity.WARNING else problems).append(problem)
        return result.files

    kinds: list[tuple[str, type[Any], Callable[[Any, int], str]]] = [
        ("taxonomy", TaxonomyNode, dump_node),
        ("entries", Entry, dump_entry),
    ]
    for folder, model, dump in kinds:
        for path in files_in(folder):
            expected_id = (
                path.relative_to(root / folder).with_suffix("").as_posix() if model is TaxonomyNode else path.stem
            )
            source, found = load_record(path, root, model, expected_id)
            warnings += [f for f in found if f.severity is Severity.WARNING]
            errors = [f for f in found if f.severity is not Severity.WARNING]
            if source is None or errors:
                problems += errors
                continue
            text = dump(source.model, _depth(path, root))
            if read_text(path) != text:
                if not _same_record(text, model, source.model):
                    problems.append(_unchanged_problem(source.path))
                    continue
                changes[path] = text
    for path in files_in("bibliography"):
        name = rel(path, root)
        bib = read_bib_file(path, root)
        raw, citations, found = bib.text, bib.citations, bib.problems
        # a warning (an unprotected title word, a stale key) is said, and the file is formatted anyway
        warnings += [f for f in found if f.severity is Severity.WARNING]
        errors = [f for f in found if f.severity is not Severity.WARNING]
        if raw is None or errors:
            problems += errors
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
            if not _same_citations(text, citations):
                problems.append(_unchanged_problem(name))
                continue
            changes[path] = text
    return changes, problems


def run(root: Path, check: bool) -> FmtResult:
    warnings: list[Problem] = []
    changes, problems = plan(root, warnings)
    result = FmtResult(sorted(rel(p, root) for p in changes), problems, warnings)
    if not check and changes:
        try:
            write_files(changes, root)
        except WriteError as exc:
            result.problems.append(Problem("", 0, "", str(exc), "nothing was rewritten"))
    return result
