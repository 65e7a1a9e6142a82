"""The build-time pictures on their own: axis ticks, escaping, bounded size."""

from __future__ import annotations

from types import SimpleNamespace

from evwm.site import pictures


def test_nice_ticks_are_round_and_reach_the_top():
    assert pictures.nice_ticks(4) == [0, 1, 2, 3, 4]
    assert pictures.nice_ticks(356) == [0, 100, 200, 300, 400]
    assert pictures.nice_ticks(0) == [0, 1]


def test_log_ticks_cover_the_range_with_1_2_5_steps():
    assert pictures.log_ticks(1, 12) == [1, 2, 5, 10]
    assert pictures.log_ticks(0.5, 500) == [0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]


def entry(i, name=None):
    return SimpleNamespace(id=f"e{i}", name=name or f"Entry {i}")


def test_a_neighbourhood_escapes_names_and_never_shows_more_than_its_bound():
    me = entry(0, 'Mine <script>alert("x")</script>')
    links = [("uses", entry(i, f"Other & <b>{i}</b>"), True) for i in range(1, 30)]
    svg = pictures.neighbourhood(me, links, lambda p: p, lambda i: f"entries/{i}.md")
    assert "<script>" not in svg and "<b>" not in svg and "&lt;b&gt;" in svg and "&amp;" in svg
    assert svg.count("<a href=") == pictures.NEIGHBOURS_SHOWN
    assert "and 21 more, listed below" in svg
    assert pictures.neighbourhood(me, [], lambda p: p, lambda i: i) == ""


def test_the_same_neighbour_through_two_relations_is_drawn_once():
    me, other = entry(0), entry(1)
    svg = pictures.neighbourhood(
        me, [("uses", other, True), ("is compared against by", other, False)], lambda p: p, lambda i: i
    )
    assert svg.count("<a href=") == 1
