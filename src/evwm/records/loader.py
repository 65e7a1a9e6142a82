"""Files -> models: read taxonomy/, entries/ and bibliography/ and report every problem.

Nothing here knows about cross-links; that is ``checks``' job once everything is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from evwm.records.bib import Citation, load_bib_files
from evwm.records.cache import Store, digest, status
from evwm.records.files import discover
from evwm.records.models import Entry, TaxonomyNode
from evwm.records.problems import Problem, _resolved, rel
from evwm.records.validation import pydantic_problems
from evwm.records.vocab import Vocabulary, load_vocabulary
from evwm.records.yamlio import YamlDoc, YamlError, parse_yaml, read_text

M = TypeVar("M", bound=BaseModel)


@dataclass
class Source(Generic[M]):
    """A validated record and where it came from, so later checks can point at its lines."""

    model: M
    path: str
    doc: YamlDoc

    def line(self, *loc: object) -> int:
        return self.doc.line_of(loc)


@dataclass
class Project:
    root: Path
    nodes: list[Source[TaxonomyNode]] = field(default_factory=list)
    entries: list[Source[Entry]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    vocab: Vocabulary = field(default_factory=Vocabulary)
    # the records whose files failed to load (each reported with its own problem), by the id
    # their location gives: the cross-checks do not report references to them again
    unread_nodes: set[str] = field(default_factory=set)
    unread_entries: dict[str, Path] = field(default_factory=dict)
    unread_keys: set[str] = field(default_factory=set)  # BibTeX records that could not be read


# (file, model, expected id) -> (a digest of its text, the result): a file read again unchanged (the
# CLI's load, then the MkDocs plugin's; every rebuild of `evwm serve`) is not parsed and validated
# again. The result depends on nothing else, so the project-relative name is key enough; the digest,
# not the text, is kept, since 10,000 records' texts would cost tens of MiB for a comparison.
_RECORDS: dict[tuple[str, type[BaseModel], str], tuple[bytes, Source[Any] | None, list[Problem]]] = {}


def load_record(
    path: Path, root: Path, model: type[M], expected_id: str, store: Store | None = None, name: str = ""
) -> tuple[Source[M] | None, list[Problem]]:
    name = name or rel(path, root)
    text: str | None = None
    current = status(path) if store is not None else None
    # an unchanged status vouches for unchanged bytes: the file is not read at all
    d = store.known_digest(name, current) if store is not None else None
    if d is None:
        text, d, failed = _read(path, name)
        if text is None:
            return None, failed
        if store is not None:
            store.note_status(name, current, d)
    key = (name, model, expected_id)
    cached = _RECORDS.get(key)
    if cached is not None and cached[0] == d:
        return cached[1], list(cached[2])
    stored_key = (name, model.__name__, expected_id)
    stored = store.lookup(stored_key, d) if store is not None else None
    if stored is not None:
        source, problems = stored
    else:
        if text is None:  # known bytes, but no result kept for them under this key
            text, d, failed = _read(path, name)
            if text is None:
                return None, failed
        source, problems = _parse_record(text, name, model, expected_id)
        # The line map is dropped once the record has been checked: 10,000 of them would hold
        # several hundred thousand entries, and only a problem found later needs one, which reads
        # the file again (YamlDoc.line_of).
        if source is not None:
            source = Source(source.model, source.path, YamlDoc(None, None, str(path)))
        if store is not None:
            store.put(stored_key, d, (source, problems))
    _RECORDS[key] = (d, source, list(problems))
    return source, list(problems)


def _read(path: Path, name: str) -> tuple[str | None, bytes, list[Problem]]:
    """A record file's text and the digest of its bytes, or the problem that stopped reading it."""
    try:
        text = read_text(path)
    except YamlError as exc:
        return None, b"", [Problem(name, exc.line, "", exc.message, exc.hint)]
    except OSError as exc:
        return None, b"", [Problem(name, 0, "", f"cannot read file: {exc.strerror}")]
    return text, digest(text.encode("utf-8")), []


def _parse_record(text: str, name: str, model: type[M], expected_id: str) -> tuple[Source[M] | None, list[Problem]]:
    try:
        doc = parse_yaml(text)
    except YamlError as exc:
        return None, [Problem(name, exc.line, "", exc.message, exc.hint)]
    if not isinstance(doc.data, dict):
        return None, [Problem(name, 1, "", "expected a mapping of field: value pairs", "see docs/data-format.md")]
    try:
        record = model.model_validate(doc.data)
    except ValidationError as exc:
        return None, pydantic_problems(exc, model, name, doc)
    problems = []
    if record.id != expected_id:  # type: ignore[attr-defined]
        problems.append(
            Problem(
                name,
                doc.line_of(("id",)),
                "id",
                f"id '{record.id}' does not match the file's location",  # type: ignore[attr-defined]
                f"use id '{expected_id}' or rename the file",
            )
        )
    # the parsed values live on in the model; only the line map is kept to point at fields
    return Source(record, name, YamlDoc(None, doc.lines)), problems


def load_project(root: Path) -> Project:
    root = root.resolve()
    _resolved.cache_clear()  # folders may have been moved or linked since the last load
    project = Project(root)
    store = Store.open(root)
    nodes = discover(root, "taxonomy")
    project.problems.extend(nodes.problems)
    for path in nodes.files:
        expected = path.relative_to(root / "taxonomy").with_suffix("").as_posix()
        node, problems = load_record(path, root, TaxonomyNode, expected, store)
        project.problems.extend(problems)
        if node:
            project.nodes.append(node)
        else:
            project.unread_nodes.add(expected)
    entries = discover(root, "entries")
    project.problems.extend(entries.problems)
    # discover walked down from the resolved root without following links, so each file's name
    # in the project is its path after the root's: no need to resolve thousands of them again
    base = root.as_posix().rstrip("/") + "/"
    for path in entries.files:
        posix = path.as_posix()
        name = posix[len(base) :] if posix.startswith(base) else ""
        entry, problems = load_record(path, root, Entry, path.stem, store, name)
        project.problems.extend(problems)
        if entry:
            project.entries.append(entry)
        else:
            project.unread_entries[path.stem] = path
    bibs = discover(root, "bibliography")
    project.problems.extend(bibs.problems)
    project.citations, problems, project.unread_keys = load_bib_files(bibs.files, root, store)
    project.problems.extend(problems)
    project.vocab, problems = load_vocabulary(root)
    project.problems.extend(problems)
    if store is not None:
        store.save()
    return project
