"""The knowledge base: records gathered into one object with indexes, and the checks across them."""

from __future__ import annotations

import gc
from pathlib import Path

from evwm.kb.base import APPLICATIONS_ROOT, Incoming, KnowledgeBase, application_node
from evwm.kb.checks import cross_check
from evwm.records.loader import load_project

__all__ = ["APPLICATIONS_ROOT", "Incoming", "KnowledgeBase", "application_node", "load"]


def load(root: Path | str) -> KnowledgeBase:
    """Read every file under ``root``, validate each record and cross-check the whole."""
    # Loading makes millions of objects and no garbage to speak of; the collector's full passes
    # over that growing heap would cost a third of the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        kb = KnowledgeBase(load_project(Path(root)))
        kb.problems.extend(cross_check(kb))
    finally:
        if collecting:
            gc.enable()
    kb.problems.sort(key=lambda p: (p.path, p.line, p.field, p.message))
    return kb
