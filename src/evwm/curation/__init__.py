"""Curation: starting entries (evwm new), the formatter (evwm fmt), and keeping the knowledge base current (evwm refresh, evwm discover) through polite clients for arXiv, DBLP and OpenAlex."""
