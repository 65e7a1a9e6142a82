"""Exporters: citations and entries out to BibTeX, BibLaTeX, CSL-JSON, RIS, Markdown and CSV.

Kept apart from loading: they read the knowledge base's typed records and never touch files.
"""
