"""Cross-checks over the whole knowledge base: every link resolves, nothing is defined twice."""

from __future__ import annotations


from .kb import APPLICATIONS_ROOT, KnowledgeBase, application_node
from .loader import Project
from .problems import Problem, Severity, did_you_mean


def cross_check(kb: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    problems += _duplicates(kb.project)
    problems += _taxonomy(kb)
    problems += _entries(kb)
    problems += _citations(kb)
    return problems


def _duplicates(project: Project) -> list[Problem]:
    out = []
    first_node: dict[str, str] = {}
    for src in project.nodes:
        other = first_node.setdefault(src.model.id, src.path)
        if other != src.path:
            out.append(Problem(src.path, src.line("id"), "id", f"node id '{src.model.id}' is also defined in {other}"))
    first_entry: dict[str, str] = {}
    for src in sorted(project.entries, key=lambda s: s.path):
        other = first_entry.setdefault(src.model.id, src.path)
        if other != src.path:
            out.append(Problem(src.path, src.line("id"), "id", f"entry id '{src.model.id}' is already used by {other}",
                               "entry ids are unique across all folders; choose another file name"))
    first_key: dict[str, str] = {}
    for cit in project.citations:
        where = f"{cit.path}:{cit.line}"
        other = first_key.setdefault(cit.key, where)
        if other != where and not other.startswith(cit.path + ":"):  # same-file duplicates come from the parser
            out.append(Problem(cit.path, cit.line, cit.key, f"citation key '{cit.key}' is also defined at {other}",
                               "keep one record and point every entry at it"))
    return out


def _taxonomy(kb: KnowledgeBase) -> list[Problem]:
    out = []
    for src in kb.node_sources.values():
        parent = src.model.parent_id
        if parent and parent not in kb.node_sources:
            out.append(Problem(src.path, src.line("id"), "id", f"parent node '{parent}' does not exist",
                               f"add taxonomy/{parent}.yaml or move this node"))
    if APPLICATIONS_ROOT not in kb.node_sources and kb.node_sources:
        out.append(Problem("taxonomy", 0, "", f"the '{APPLICATIONS_ROOT}' node is missing",
                           f"add taxonomy/{APPLICATIONS_ROOT}.yaml"))
    return out


def _entries(kb: KnowledgeBase) -> list[Problem]:
    out = []
    node_ids = list(kb.node_sources)
    app_slugs = [n.split("/", 1)[1] for n in node_ids if n.startswith(APPLICATIONS_ROOT + "/")]
    primary_owner: dict[str, str] = {}
    for entry_id, src in kb.entry_sources.items():
        e = src.model
        for i, cat in enumerate(e.categories):
            if cat not in kb.node_sources:
                out.append(Problem(src.path, src.line("categories", i), f"categories[{i}]",
                                   f"unknown taxonomy node '{cat}'", did_you_mean(cat, node_ids) or "see the taxonomy/ folder"))
        for i, app in enumerate(e.applications):
            if application_node(app) not in kb.node_sources:
                out.append(Problem(src.path, src.line("applications", i), f"applications[{i}]",
                                   f"unknown application '{app}'",
                                   did_you_mean(app, app_slugs) or "use one of " + ", ".join(app_slugs)))
        for i, key in enumerate(e.cites):
            if key not in kb.citations:
                out.append(Problem(src.path, src.line("cites", i), f"cites[{i}]", f"citation key '{key}' is not in bibliography/",
                                   did_you_mean(key, kb.citations) or "add its BibTeX record to a file in bibliography/"))
        for i, rel in enumerate(e.relations):
            if rel.target == entry_id:
                out.append(Problem(src.path, src.line("relations", i, "target"), f"relations[{i}].target",
                                   "an entry cannot relate to itself"))
            elif rel.target not in kb.entry_sources:
                out.append(Problem(src.path, src.line("relations", i, "target"), f"relations[{i}].target",
                                   f"unknown entry '{rel.target}'", did_you_mean(rel.target, kb.entry_sources)))
        owner = primary_owner.setdefault(e.primary_cite, entry_id)
        if owner != entry_id:
            out.append(Problem(src.path, src.line("cites", 0), "cites[0]",
                               f"'{e.primary_cite}' is already the own paper of entry '{owner}'",
                               "one entry per paper: extend that entry, or cite this paper second"))
    return out


def _citations(kb: KnowledgeBase) -> list[Problem]:
    out = []
    for label, attr in (("arXiv id", "arxiv"), ("DOI", "doi"), ("title", "normalized_title")):
        seen: dict[str, str] = {}
        for key, cit in kb.citations.items():
            value = getattr(cit, attr)
            if not value:
                continue
            value = value.lower()
            if value in seen:
                out.append(Problem(cit.path, cit.line, key, f"same {label} as record '{seen[value]}'",
                                   "a paper gets one record; remove the duplicate and cite the other key"))
            else:
                seen[value] = key
    cited = kb.cited_by()
    for key, cit in kb.citations.items():
        if key not in cited:
            out.append(Problem(cit.path, cit.line, key, "no entry cites this record",
                               "cite it from an entry or remove it", Severity.WARNING))
    return out
