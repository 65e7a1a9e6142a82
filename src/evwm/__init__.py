"""evwm: a survey-backed knowledge base of efficient video generation models as world models.

``from evwm import KnowledgeBase`` gives the Python API (see evwm.api); the import is lazy so that
the command line and the MkDocs plugin do not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.2.0"
__all__ = ["DataError", "KnowledgeBase", "__version__"]

if TYPE_CHECKING:
    from evwm.api import DataError, KnowledgeBase


def __getattr__(name: str) -> Any:
    if name in ("KnowledgeBase", "DataError"):
        from evwm import api

        return getattr(api, name)
    raise AttributeError(f"module 'evwm' has no attribute {name!r}")
