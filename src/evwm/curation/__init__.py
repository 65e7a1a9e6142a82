"""Curation: scaffolding new entries (evwm new), the formatter (evwm fmt) and the arXiv client."""
