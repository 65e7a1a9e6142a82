"""Cross-checks over the whole knowledge base: every link resolves, nothing is defined twice."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from evwm.kb.base import APPLICATIONS_ROOT, KnowledgeBase, application_node
from evwm.records.loader import Project
from evwm.records.markup import entry_links
from evwm.records.models import Training
from evwm.records.problems import Problem, Severity, did_you_mean
from evwm.records.yamlio import MAX_FILE_BYTES

EVALUATION = "background/evaluation"  # benchmarks, metrics and studies of the field


@dataclass(frozen=True)
class _Known:
    """The ids a reference may name: those loaded, and those of files reported as broken."""

    nodes: set[str]
    entries: set[str]
    keys: set[str]
    # the raw text of the entry files that failed to load: a record key or survey number written
    # there is not reported as cited by no entry
    unread_text: str = ""

    def unread_refs(self) -> set[int]:
        found: set[int] = set()
        for flow, block in re.findall(
            r"refs:[ \t]*\[([^\]\n]*)\]|refs:[ \t]*\n((?:[ \t]*-[ \t]*\d+[ \t]*\n)+)", self.unread_text
        ):
            found.update(int(n) for n in re.findall(r"\d+", flow or block))
        return found


def _known(kb: KnowledgeBase) -> _Known:
    """The ids loaded, with those of the files that failed to load, each already reported with its
    own error: references to them are not reported again. One broken file would otherwise show
    up as a missing parent, category or relation target in every record that names it."""
    project = kb.project
    texts = []
    for path in project.unread_entries.values():
        with contextlib.suppress(OSError), path.open("rb") as fh:  # never more than a record may hold
            texts.append(fh.read(MAX_FILE_BYTES).decode("utf-8", "replace"))
    return _Known(
        set(kb.node_sources) | project.unread_nodes,
        set(kb.entry_sources) | set(project.unread_entries),
        set(kb.citations) | project.unread_keys,
        "\n".join(texts),
    )


def cross_check(kb: KnowledgeBase) -> list[Problem]:
    known = _known(kb)
    problems: list[Problem] = []
    problems += _duplicates(kb.project)
    problems += _taxonomy(kb, known)
    problems += _entries(kb, known)
    problems += _citations(kb, known)
    problems += _prose_links(kb, known)
    problems += _vocabulary(kb, known)
    problems += _survey(kb, known)
    return problems


def _duplicates(project: Project) -> list[Problem]:
    out = []
    first_node: dict[str, str] = {}
    for src in project.nodes:
        other = first_node.setdefault(src.model.id, src.path)
        if other != src.path:
            out.append(Problem(src.path, src.line("id"), "id", f"node id '{src.model.id}' is also defined in {other}"))
    first_entry: dict[str, str] = {}
    for esrc in sorted(project.entries, key=lambda s: s.path):
        other = first_entry.setdefault(esrc.model.id, esrc.path)
        if other != esrc.path:
            out.append(
                Problem(
                    esrc.path,
                    esrc.line("id"),
                    "id",
                    f"entry id '{esrc.model.id}' is already used by {other}",
                    "entry ids are unique across all folders; choose another file name",
                )
            )
    first_key: dict[str, str] = {}
    for cit in project.citations:
        where = f"{cit.path}:{cit.line}"
        other = first_key.setdefault(cit.key, where)
        if other != where and not other.startswith(cit.path + ":"):  # same-file duplicates come from the parser
            out.append(
                Problem(
                    cit.path,
                    cit.line,
                    cit.key,
                    f"citation key '{cit.key}' is also defined at {other}",
                    "keep one record and point every entry at it",
                )
            )
    return out


def _taxonomy(kb: KnowledgeBase, known: _Known) -> list[Problem]:
    out = []
    for src in kb.node_sources.values():
        parent = src.model.parent_id
        if parent and parent not in known.nodes:
            out.append(
                Problem(
                    src.path,
                    src.line("id"),
                    "id",
                    f"parent node '{parent}' does not exist",
                    f"add taxonomy/{parent}.yaml or move this node",
                )
            )
    if APPLICATIONS_ROOT not in known.nodes and kb.node_sources:
        out.append(
            Problem(
                "taxonomy",
                0,
                "",
                f"the '{APPLICATIONS_ROOT}' node is missing",
                f"add taxonomy/{APPLICATIONS_ROOT}.yaml",
            )
        )
    return out


def _entries(kb: KnowledgeBase, known: _Known) -> list[Problem]:
    out = []
    node_ids = list(kb.node_sources)
    app_slugs = kb.applications
    unread_nodes = known.nodes - set(kb.node_sources)  # each already reported as broken
    primary_owner: dict[str, str] = {}
    for entry_id, src in kb.entry_sources.items():
        e = src.model
        for i, cat in enumerate(e.categories):
            if cat not in known.nodes:
                out.append(
                    Problem(
                        src.path,
                        src.line("categories", i),
                        f"categories[{i}]",
                        f"unknown taxonomy node '{cat}'",
                        did_you_mean(cat, node_ids) or "see the taxonomy/ folder",
                    )
                )
        for i, app in enumerate(e.applications):
            # a node of that name is not enough: the applications' discussion page is no field
            if app not in app_slugs and application_node(app) not in unread_nodes:
                out.append(
                    Problem(
                        src.path,
                        src.line("applications", i),
                        f"applications[{i}]",
                        f"unknown application '{app}'",
                        did_you_mean(app, app_slugs) or "use one of " + ", ".join(app_slugs),
                    )
                )
        for i, key in enumerate(e.cites):
            if key not in known.keys:
                out.append(
                    Problem(
                        src.path,
                        src.line("cites", i),
                        f"cites[{i}]",
                        f"citation key '{key}' is not in bibliography/",
                        did_you_mean(key, kb.citations) or "add its BibTeX record to a file in bibliography/",
                    )
                )
        for i, rel in enumerate(e.relations):
            if rel.target == entry_id:
                out.append(
                    Problem(
                        src.path,
                        src.line("relations", i, "target"),
                        f"relations[{i}].target",
                        "an entry cannot relate to itself",
                    )
                )
            elif rel.target not in known.entries:
                out.append(
                    Problem(
                        src.path,
                        src.line("relations", i, "target"),
                        f"relations[{i}].target",
                        f"unknown entry '{rel.target}'",
                        did_you_mean(rel.target, kb.entry_sources),
                    )
                )
        # A benchmark or metric trains no generator: "training-free" would read as a method's claim.
        if e.training is Training.TRAINING_FREE and all(c.startswith(EVALUATION) for c in e.categories):
            out.append(
                Problem(
                    src.path,
                    src.line("training"),
                    "training",
                    "a benchmark, metric or study is not a training-free method",
                    "write 'training: not-applicable' (or the training its own model needs)",
                    Severity.WARNING,
                )
            )
        owner = primary_owner.setdefault(e.primary_cite, entry_id)
        if owner != entry_id:
            out.append(
                Problem(
                    src.path,
                    src.line("cites", 0),
                    "cites[0]",
                    f"'{e.primary_cite}' is already the own paper of entry '{owner}'",
                    "one entry per paper: extend that entry, or cite this paper second",
                )
            )
    return out


def _citations(kb: KnowledgeBase, known: _Known) -> list[Problem]:
    out = []
    for label, attr in (("arXiv id", "arxiv"), ("DOI", "doi"), ("title", "normalized_title")):
        seen: dict[str, str] = {}
        for key, cit in kb.citations.items():
            value = getattr(cit, attr)
            if not value:
                continue
            value = value.lower()
            if value in seen:
                out.append(
                    Problem(
                        cit.path,
                        cit.line,
                        key,
                        f"same {label} as record '{seen[value]}'",
                        "a paper gets one record; remove the duplicate and cite the other key",
                    )
                )
            else:
                seen[value] = key
    cited = kb.cited_by()
    for key, cit in kb.citations.items():
        if key not in cited and key not in known.unread_text:
            out.append(
                Problem(
                    cit.path,
                    cit.line,
                    key,
                    "no entry cites this record",
                    "cite it from an entry or remove it",
                    Severity.WARNING,
                )
            )
    return out


def _vocabulary(kb: KnowledgeBase, known: _Known) -> list[Problem]:
    """Claims, base models, devices and tags must use the controlled vocabularies in vocab/."""
    v = kb.vocab
    out: list[Problem] = []
    metrics, devices = v.metrics, v.devices
    for src in kb.entry_sources.values():
        e = src.model
        for i, claim in enumerate(e.claims):
            where = ("claims", i)
            metric = metrics.get(claim.metric)
            if metrics and metric is None:
                out.append(
                    Problem(
                        src.path,
                        src.line(*where, "metric"),
                        f"claims[{i}].metric",
                        f"'{claim.metric}' is not a metric in vocab/metrics.yaml",
                        did_you_mean(claim.metric, metrics) or "use one of " + ", ".join(metrics),
                    )
                )
            elif metric and claim.unit not in metric.units:
                out.append(
                    Problem(
                        src.path,
                        src.line(*where, "unit"),
                        f"claims[{i}].unit",
                        f"'{claim.unit}' is not a unit of '{claim.metric}'",
                        "use one of " + ", ".join(metric.units),
                    )
                )
            if claim.hardware and devices and claim.hardware not in devices:
                guess = v.device_id(claim.hardware)
                out.append(
                    Problem(
                        src.path,
                        src.line(*where, "hardware"),
                        f"claims[{i}].hardware",
                        f"'{claim.hardware}' is not a device in vocab/hardware.yaml",
                        f"did you mean '{guess}'?"
                        if guess
                        else did_you_mean(claim.hardware, devices) or "add it to vocab/hardware.yaml",
                    )
                )
            if claim.quality:
                q = metrics.get(claim.quality.metric)
                if metrics and (q is None or q.kind != "quality"):
                    quality = [m for m, d in metrics.items() if d.kind == "quality"]
                    out.append(
                        Problem(
                            src.path,
                            src.line(*where, "quality", "metric"),
                            f"claims[{i}].quality.metric",
                            f"'{claim.quality.metric}' is not a quality metric",
                            did_you_mean(claim.quality.metric, quality) or "use one of " + ", ".join(quality),
                        )
                    )
                elif q and claim.quality.unit and claim.quality.unit not in q.units:
                    out.append(
                        Problem(
                            src.path,
                            src.line(*where, "quality", "unit"),
                            f"claims[{i}].quality.unit",
                            f"'{claim.quality.unit}' is not a unit of '{q.id}'",
                            "use one of " + ", ".join(q.units),
                        )
                    )
            if claim.cite and claim.cite not in known.keys:
                out.append(
                    Problem(
                        src.path,
                        src.line(*where, "cite"),
                        f"claims[{i}].cite",
                        f"citation key '{claim.cite}' is not in bibliography/",
                        did_you_mean(claim.cite, kb.citations) or "add its record to bibliography/",
                    )
                )
            if claim.base_model and v.base_models and not v.base_model_id(claim.base_model):
                out.append(
                    _unknown_base_model(
                        kb, src.path, src.line(*where, "base_model"), f"claims[{i}].base_model", claim.base_model
                    )
                )
        if v.base_models:
            for i, name in enumerate(e.base_models):
                if not v.base_model_id(name):
                    out.append(_unknown_base_model(kb, src.path, src.line("base_models", i), f"base_models[{i}]", name))
        if v.tags:
            for i, tag in enumerate(e.tags):
                if tag not in v.tags:
                    out.append(
                        Problem(
                            src.path,
                            src.line("tags", i),
                            f"tags[{i}]",
                            f"'{tag}' is not a tag in vocab/tags.yaml",
                            did_you_mean(tag, v.tags)
                            or "use an existing tag, or add it to vocab/tags.yaml with its meaning",
                        )
                    )
    for bm in v.base_models.values():
        if bm.entry and bm.entry not in known.entries:
            path, line = v.origin[("base_models", bm.id)]
            out.append(
                Problem(
                    path,
                    line,
                    "entry",
                    f"base model '{bm.id}' points at unknown entry '{bm.entry}'",
                    did_you_mean(bm.entry, kb.entry_sources),
                )
            )
    return out


def _unknown_base_model(kb: KnowledgeBase, path: str, line: int, field: str, name: str) -> Problem:
    names = {b.name: b.id for b in kb.vocab.base_models.values()}
    return Problem(
        path,
        line,
        field,
        f"'{name}' is not a base model in vocab/base-models.yaml",
        did_you_mean(name, names) or "add it (with its aliases) to vocab/base-models.yaml",
    )


def _survey(kb: KnowledgeBase, known: _Known) -> list[Problem]:
    """The taxonomy mirrors the survey's sections; every survey reference is held or excluded once."""
    v = kb.vocab
    out: list[Problem] = []
    owner: dict[str, str] = {}
    section_node: dict[str, str] = {}
    for src in kb.node_sources.values():
        survey = src.model.survey
        passages: list[tuple[tuple[object, ...], str, str]] = [
            (("draws_on", i, "section"), f"draws_on[{i}].section", p.section) for i, p in enumerate(src.model.draws_on)
        ]
        if survey:
            passages.insert(0, (("survey", "section"), "survey.section", survey.section))
            other = owner.setdefault(survey.section, src.path)
            if other != src.path:
                out.append(
                    Problem(
                        src.path,
                        src.line("survey", "section"),
                        "survey.section",
                        f"section {survey.section} is already the node in {other}",
                        "one node per survey section; make this one evwm's own (no 'survey:')",
                    )
                )
            else:
                section_node[survey.section] = src.model.id
            heading = v.survey_sections.get(survey.section)
            if heading and heading.lower() != survey.heading.lower():
                out.append(
                    Problem(
                        src.path,
                        src.line("survey", "heading"),
                        "survey.heading",
                        f"the survey's heading for {survey.section} is '{heading}'",
                        "copy the heading as printed in survey/sections.yaml",
                    )
                )
        for loc, name, section in passages:
            if v.survey_sections and section not in v.survey_sections:
                out.append(
                    Problem(
                        src.path,
                        src.line(*loc),
                        name,
                        f"'{section}' is not a section of the survey",
                        did_you_mean(section, v.survey_sections) or "see survey/sections.yaml",
                    )
                )
        for i, old in enumerate(src.model.formerly):
            if old in kb.node_sources:
                out.append(
                    Problem(
                        src.path,
                        src.line("formerly", i),
                        f"formerly[{i}]",
                        f"'{old}' is still a node, so its URL cannot redirect here",
                        "list only ids that no longer exist",
                    )
                )
    if not v.survey_refs:
        return out
    claimed: dict[int, str] = {}
    for entry_id, esrc in kb.entry_sources.items():
        if not esrc.model.survey:
            continue
        for i, ref in enumerate(esrc.model.survey.refs):
            line, name = esrc.line("survey", "refs", i), f"survey.refs[{i}]"
            info = v.survey_refs.get(ref)
            if info is None:
                out.append(
                    Problem(
                        esrc.path,
                        line,
                        name,
                        f"the survey has no reference [{ref}]",
                        f"its references run from 1 to {max(v.survey_refs)}",
                    )
                )
                continue
            other = claimed.setdefault(ref, entry_id)
            if other != entry_id:
                out.append(
                    Problem(
                        esrc.path,
                        line,
                        name,
                        f"reference [{ref}] is already claimed by entry '{other}'",
                        "a survey reference belongs to one entry; cite the paper from the other instead",
                    )
                )
            if ref in v.exclusions:
                _, epath, eline = v.exclusions[ref]
                out.append(
                    Problem(
                        esrc.path,
                        line,
                        name,
                        f"reference [{ref}] is also excluded at {epath}:{eline}",
                        "remove the exclusion or the reference",
                    )
                )
            node = _section_node(info.section, section_node)
            # Foundation models and benchmarks live in evwm's own nodes, wherever the survey cites them.
            own_primary = (
                bool(kb.node_sources.get(esrc.model.primary_category))
                and not kb.node_sources[esrc.model.primary_category].model.survey
            )
            if (
                node
                and not own_primary
                and not any(n == node or n.startswith(node + "/") for n in kb.placements(esrc.model))
            ):
                out.append(
                    Problem(
                        esrc.path,
                        line,
                        name,
                        f"the survey discusses [{ref}] in {info.section}, but no category is under '{node}'",
                        f"add '{node}' (or one of its children) to categories",
                        Severity.WARNING,
                    )
                )
    unread = known.unread_refs() if known.unread_text else set()
    for ref, info in v.survey_refs.items():
        if ref not in claimed and ref not in v.exclusions and ref not in unread:
            out.append(
                Problem(
                    "survey/references.tsv",
                    info.line,
                    f"[{ref}]",
                    f"reference [{ref}] ({info.title[:60]}) is in no entry and not excluded",
                    "add 'survey: {refs: [" + str(ref) + "]}' to its entry, or list it in survey/exclusions/",
                )
            )
    return out


def _section_node(section: str, nodes: dict[str, str]) -> str | None:
    """The node of a section, or of its nearest parent section that has one."""
    while section:
        if section in nodes:
            return nodes[section]
        section = section.rpartition(".")[0]
    return None


def _prose_links(kb: KnowledgeBase, known: _Known) -> list[Problem]:
    """Links from prose to other entries ([Name](entry-id.md)) must name entries that exist."""
    out: list[Problem] = []
    texts: list[tuple[str, Callable[..., int], str, str]] = []
    for nsrc in kb.node_sources.values():
        texts.append((nsrc.path, nsrc.line, "description", nsrc.model.description))
    for esrc in kb.entry_sources.values():
        texts += [(esrc.path, esrc.line, f, getattr(esrc.model, f)) for f in ("summary", "mechanism")]
    for path, line_of, field, text in texts:
        for target in entry_links(text):
            if target not in known.entries:
                out.append(
                    Problem(
                        path,
                        line_of(field),
                        field,
                        f"links to unknown entry '{target}'",
                        did_you_mean(target, kb.entry_sources) or "link to an entry id in entries/",
                    )
                )
    return out
