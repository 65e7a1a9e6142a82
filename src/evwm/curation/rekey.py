"""`evwm rekey`: rename a BibTeX key and every citation of it, in one step.

A key is written in two kinds of file: its record in ``bibliography/`` and the entries citing it
(``cites:`` and a claim's ``cite:``). Under the year convention a preprint published a year
later takes the venue's year, in its key too (``shen2025lyra`` becomes ``shen2026lyra``), so a
venue upgrade by `refresh` or `accepted` leaves keys to rename; doing it by hand means finding
every citing entry. The plan is made in full before anything is written, and the files are
written all together or not at all (``records.files.write_files``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from evwm.kb import KnowledgeBase
from evwm.records.bib import read_for_rewrite, year_fixed
from evwm.records.canonical import dump_bib, dump_entry
from evwm.records.models import CITE_KEY_PATTERN
from evwm.records.problems import closest
from evwm.records.yamlio import YamlError, read_text


@dataclass
class Rename:
    old: str
    new: str
    files: list[str] = field(default_factory=list)  # project-relative, the .bib file first


@dataclass
class RekeyPlan:
    renames: list[Rename] = field(default_factory=list)
    texts: dict[Path, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # each a whole sentence, with its fix


def stale_keys(kb: KnowledgeBase) -> dict[str, str]:
    """Every key whose year differs from its record's year -> the key with the year fixed."""
    out = {}
    for key, cit in sorted(kb.citations.items()):
        new = year_fixed(cit)
        if new is not None:
            out[key] = new
    return out


def plan(kb: KnowledgeBase, wanted: dict[str, str | None]) -> RekeyPlan:
    """What renaming each old key to its new one (None: its year fixed) would write."""
    result = RekeyPlan()
    renames: dict[str, str] = {}
    for old, new in wanted.items():
        cit = kb.citations.get(old)
        if cit is None:
            near = closest(old, kb.citations)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            result.problems.append(f"no BibTeX record '{old}'{hint}")
            continue
        if new is None:
            new = year_fixed(cit)
            if new is None:
                result.problems.append(
                    f"'{old}' already carries its record's year ({cit.year}); give the new key: evwm rekey {old} NEW"
                )
                continue
        if new == old:
            result.problems.append(f"'{old}' would be renamed to itself; give a different key")
        elif not re.match(CITE_KEY_PATTERN, new):
            result.problems.append(f"'{new}' is not a valid key: use letters, digits and - _ : . +, e.g. huang2025self")
        elif new in renames.values():
            result.problems.append(f"two records would both be renamed to '{new}'; give one of them another key")
        elif new in kb.citations and new not in wanted:
            result.problems.append(f"'{new}' is already the key of a record ({kb.citations[new].path}); choose another")
        else:
            renames[old] = new
    if result.problems:
        return result
    _plan_bib(kb, renames, result)
    _plan_entries(kb, renames, result)
    if result.problems:
        result.texts = {}
    return result


def _plan_bib(kb: KnowledgeBase, renames: dict[str, str], result: RekeyPlan) -> None:
    files = sorted({kb.citations[old].path for old in renames})
    for name in files:
        path = kb.root / name
        citations, unsafe = read_for_rewrite(path, name)
        if unsafe:
            result.problems.append(unsafe)
            continue
        result.texts[path] = dump_bib([replace(c, key=renames.get(c.key, c.key)) for c in citations])
    for old, new in renames.items():
        result.renames.append(Rename(old, new, [kb.citations[old].path]))


def _plan_entries(kb: KnowledgeBase, renames: dict[str, str], result: RekeyPlan) -> None:
    by_old = {r.old: r for r in result.renames}
    # an entry that could not be read may cite the key too: it would be left with the old one
    token = re.compile(r"(?<![\w:.+-])(" + "|".join(map(re.escape, renames)) + r")(?![\w:.+-])")
    for path in sorted(kb.project.unread_entries.values()):
        try:
            mentions = token.search(read_text(path)) is not None
        except (OSError, YamlError):
            mentions = False
        if mentions:
            name = path.relative_to(kb.root).as_posix()
            result.problems.append(f"{name} has errors; run `evwm validate` and fix them first")
    broken = {p.path for p in kb.errors}
    for _, source in sorted(kb.entry_sources.items()):
        entry = source.model
        cited = [c for c in entry.cites if c in renames]
        claimed = [c.cite for c in entry.claims if c.cite in renames]
        if not cited and not claimed:
            continue
        if source.path in broken:
            result.problems.append(f"{source.path} has errors; run `evwm validate` and fix them first")
            continue
        updated = entry.model_copy(
            update={
                "cites": [renames.get(c, c) for c in entry.cites],
                "claims": [
                    c.model_copy(update={"cite": renames[c.cite]}) if c.cite in renames else c for c in entry.claims
                ],
            }
        )
        path = kb.root / source.path
        result.texts[path] = dump_entry(updated, len(Path(source.path).parts) - 1)
        for old in dict.fromkeys([*cited, *(c for c in claimed if c)]):
            by_old[old].files.append(source.path)
