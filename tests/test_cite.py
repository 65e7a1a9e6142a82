"""The cite box's formatted references: evwm's memo of citeproc-py's style lookups changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from evwm.export.csl import to_csl
from evwm.records.bib import parse_bib
from evwm.site.cite import STYLES, Formatter

SAMPLE = Path(__file__).parent / "data/export/sample.bib"

# citeproc-py as released, with nothing of evwm's in the way: the reference for every style
_PLAIN = r"""
import json, sys
from evwm.site import cite
cite._memoize_style_lookups = lambda: None
items = json.loads(sys.stdin.read())
f = cite.Formatter(None)
print(json.dumps([[f._run(item, style).html for style in sorted(cite.STYLES)] for item in items]))
"""


def test_memoized_citeproc_formats_every_reference_exactly_as_citeproc_does():
    citations, problems = parse_bib(SAMPLE.read_text(encoding="utf-8"), "sample.bib")
    assert citations and not [p for p in problems if p.severity.name == "ERROR"]
    items = [to_csl(c) for c in citations]
    plain = subprocess.run(
        [sys.executable, "-c", _PLAIN], input=json.dumps(items), capture_output=True, text=True, check=True
    )
    formatter = Formatter(None)
    memoized = [[formatter._run(item, style).html for style in sorted(STYLES)] for item in items]
    assert memoized == json.loads(plain.stdout)
    assert all(html for row in memoized for html in row)
