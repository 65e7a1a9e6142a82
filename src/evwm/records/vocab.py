"""Controlled vocabularies (vocab/*.yaml) and the survey's reference list (survey/), as typed records.

They are data, not code, so a contributor adds a device, a base model or a tag in one YAML line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, StringConstraints, ValidationError

from evwm.records.models import Slug, Strict, Text, refuse_bool
from evwm.records.problems import Problem, rel
from evwm.records.validation import pydantic_problems
from evwm.records.yamlio import YamlDoc, YamlError, load_yaml, read_text


class Metric(Strict):
    id: Slug
    name: Text
    kind: Literal["speed", "quality"]
    better: Literal["higher", "lower"]
    # unit -> factor into the first (canonical) unit; null where no conversion exists
    units: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=20)],
        Annotated[float, BeforeValidator(refuse_bool)] | None,
    ] = Field(min_length=1)
    meaning: Text

    @property
    def canonical_unit(self) -> str:
        return next(iter(self.units))


class Device(Strict):
    id: Slug
    name: Text
    kind: Literal["gpu", "tpu", "npu", "phone", "edge", "cpu"]
    aliases: list[Text] = Field(default_factory=list)


class BaseModelName(Strict):
    id: Slug
    name: Text
    family: Text = Field(description="Groups sizes and versions on one comparison page, e.g. 'Wan 2.1'.")
    entry: Slug | None = Field(None, description="The entry of the model's own paper, where there is one.")
    aliases: list[Text] = Field(default_factory=list)


class Tag(Strict):
    id: Slug
    meaning: Text


class Section(Strict):
    section: Annotated[str, StringConstraints(max_length=20)]
    heading: Text


class Exclusion(Strict):
    ref: Annotated[int, Field(ge=1, le=10000), BeforeValidator(refuse_bool)]
    reason: Literal["generic-building-block", "no-stable-record", "out-of-scope", "not-found"]
    note: Text


@lru_cache(maxsize=4096)  # a few hundred distinct names, each written in thousands of claims
def name_key(text: str) -> str:
    """Spelling-insensitive form of a name: 'Wan 2.1 14B' and 'Wan2.1-14B' are one key."""
    return re.sub(r"[^0-9a-z\u0370-\u03ff]+", "", text.lower())


@dataclass
class SurveyRef:
    number: int
    section: str
    arxiv: str
    title: str
    line: int = 0


@dataclass
class Vocabulary:
    metrics: dict[str, Metric] = field(default_factory=dict)
    devices: dict[str, Device] = field(default_factory=dict)
    base_models: dict[str, BaseModelName] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    survey_sections: dict[str, str] = field(default_factory=dict)  # number -> heading, in survey order
    survey_refs: dict[int, SurveyRef] = field(default_factory=dict)
    exclusions: dict[int, tuple[Exclusion, str, int]] = field(default_factory=dict)  # ref -> (record, path, line)
    # where each vocabulary item is defined, for messages
    origin: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)

    def base_model_id(self, name: str) -> str | None:
        """The vocabulary id a written base-model name resolves to (by id, name or alias)."""
        return self._base_model_keys.get(name_key(name))

    @property
    def _base_model_keys(self) -> dict[str, str]:
        cached = getattr(self, "_bm_cache", None)
        if cached is None:
            cached = {}
            for bm in self.base_models.values():
                for text in (bm.id, bm.name, *bm.aliases):
                    cached.setdefault(name_key(text), bm.id)
            self._bm_cache = cached
        return cached

    def device_id(self, text: str) -> str | None:
        key = name_key(text)
        for dev in self.devices.values():
            if key in {name_key(a) for a in (dev.id, dev.name, *dev.aliases)}:
                return dev.id
        return None


_LISTS: dict[str, tuple[str, type[BaseModel]]] = {
    "metrics.yaml": ("metrics", Metric),
    "hardware.yaml": ("devices", Device),
    "base-models.yaml": ("base_models", BaseModelName),
    "tags.yaml": ("tags", Tag),
}


def _record_list(path: Path, root: Path, model: type[BaseModel]) -> tuple[list[tuple[BaseModel, int]], list[Problem]]:
    """A YAML file holding a list of records; every bad item is reported, the good ones kept."""
    name = rel(path, root)
    try:
        doc: YamlDoc = load_yaml(path)
    except YamlError as exc:
        return [], [Problem(name, exc.line, "", exc.message, exc.hint)]
    except OSError as exc:
        return [], [Problem(name, 0, "", f"cannot read file: {exc.strerror}")]
    if doc.data is None:
        return [], []
    if not isinstance(doc.data, list):
        return [], [Problem(name, 1, "", "expected a list of records, one '- ...' item each")]
    out, problems = [], []
    for i, item in enumerate(doc.data):
        try:
            out.append((model.model_validate(item), doc.line_of((i,))))
        except ValidationError as exc:
            for p in pydantic_problems(exc, model, name, doc):
                problems.append(
                    Problem(
                        p.path,
                        doc.line_of((i,)) if p.line == 1 else p.line,
                        f"[{i}]." + p.field if p.field else f"[{i}]",
                        p.message,
                        p.hint,
                    )
                )
    return out, problems


def load_vocabulary(root: Path) -> tuple[Vocabulary, list[Problem]]:
    vocab = Vocabulary()
    problems: list[Problem] = []
    folder = root / "vocab"
    for filename, (attr, model) in _LISTS.items():
        path = folder / filename
        if not path.is_file() or path.is_symlink():
            continue
        items, issues = _record_list(path, root, model)
        problems += issues
        target: dict[str, BaseModel] = getattr(vocab, attr)
        for item, line in items:
            ident = item.id  # type: ignore[attr-defined]
            if ident in target:
                problems.append(
                    Problem(rel(path, root), line, "id", f"'{ident}' is defined twice", "keep one definition")
                )
                continue
            target[ident] = item
            vocab.origin[(attr, ident)] = (rel(path, root), line)
    refs = root / "survey" / "references.tsv"
    if refs.is_file() and not refs.is_symlink():
        try:
            text = read_text(refs, 1024 * 1024)
        except YamlError as exc:
            problems.append(Problem(rel(refs, root), exc.line, "", exc.message, exc.hint))
            text = ""
        for n, row in enumerate(text.splitlines(), 1):
            cells = row.split("\t")
            if row.startswith("#") or not row.strip() or cells[0] == "ref":
                continue  # comments, blank lines and the header row
            if not re.fullmatch(r"[0-9]{1,5}", cells[0]) or len(cells) < 4:
                problems.append(
                    Problem(
                        rel(refs, root),
                        n,
                        "",
                        f"'{cells[0][:20]}' is not a reference row",
                        "write: number, section, arXiv id, title, separated by tabs",
                    )
                )
                continue
            vocab.survey_refs[int(cells[0])] = SurveyRef(
                int(cells[0]), cells[1].strip(), cells[2].strip(), cells[3].strip(), n
            )
    sections = root / "survey" / "sections.yaml"
    if sections.is_file() and not sections.is_symlink():
        found, issues = _record_list(sections, root, Section)
        problems += issues
        for sec, _line in found:
            assert isinstance(sec, Section)
            vocab.survey_sections[sec.section] = sec.heading
    excl = root / "survey" / "exclusions"
    if excl.is_dir():
        for path in sorted(excl.glob("*.yaml")):
            if path.is_symlink():
                continue
            items, issues = _record_list(path, root, Exclusion)
            problems += issues
            for item, line in items:
                assert isinstance(item, Exclusion)
                where = (rel(path, root), line)
                if item.ref in vocab.exclusions:
                    other = vocab.exclusions[item.ref]
                    problems.append(
                        Problem(
                            where[0],
                            line,
                            "ref",
                            f"reference [{item.ref}] is already excluded in {other[1]}:{other[2]}",
                            "list each reference once",
                        )
                    )
                    continue
                vocab.exclusions[item.ref] = (item, *where)
    return vocab, problems
