"""Links between generated pages are worked out from the paths alone, as posixpath.relpath would."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from evwm.site.render import relative

part = st.sampled_from(["entries", "taxonomy", "a", "b", "index-1", "page.2", "x-y"])
folder = st.lists(part, max_size=4).map("/".join)
file = st.tuples(folder, st.sampled_from(["index.md", "a.md", "b.bib", "page.2.md"])).map(
    lambda t: f"{t[0]}/{t[1]}" if t[0] else t[1]
)


@given(file, folder)
def test_relative_agrees_with_relpath(target, here):
    assert relative(target, here) == posixpath.relpath(target, here or ".")


def test_relative_on_known_cases():
    assert relative("entries/a.md", "authors") == "../entries/a.md"
    assert relative("taxonomy/x/y/index.md", "taxonomy/x") == "y/index.md"
    assert relative("index.md", "") == "index.md"
