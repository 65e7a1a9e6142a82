"""Pictures drawn at build time as inline SVG: the taxonomy diagram, entries per year per branch,
reported speedups per branch on a log scale, speed against quality, and an entry's neighbourhood.

Own SVG rather than a plotting library: inline SVG takes the theme's colours from CSS (so light
and dark mode both work), its boxes and dots are ordinary links, its text is real text that the
browser's find and a screen reader read, and it costs microseconds per picture (the per-entry
graph is drawn for every entry). Every picture comes with a text alternative: a caption plus the
data as a table (charts) or the same links as a list (diagrams, which are made of links).
Colours are CSS classes (evwm-c0 ... evwm-c7, docs/assets/evwm.css). Every value from the data
is escaped here; the output is raw HTML with no blank line, so Markdown leaves it alone.
"""

from __future__ import annotations

import html
import math
import statistics
import textwrap
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from evwm.kb import KnowledgeBase
from evwm.records.models import Entry

Href = Callable[[str], str]
COLOURS = 8
NEIGHBOURS_SHOWN = 8  # an entry's graph never grows past this, however many relations it has


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _wrap(name: str, width: int, lines: int) -> list[str]:
    out = textwrap.wrap(name, width) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(1, width - 1)].rstrip() + "…"
    return out


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def _svg(
    width: float,
    height: float,
    body: str,
    label: str | None = None,
    cls: str = "",
    origin: tuple[float, float] = (0, 0),
) -> str:
    # role=img only where the picture holds no links; a picture made of links keeps them reachable
    role = f' role="img" aria-labelledby="{_e(label)}"' if label else ""
    return (
        f'<svg class="evwm-svg {cls}" viewBox="{origin[0]:.0f} {origin[1]:.0f} {width:.0f} {height:.0f}" width="{width:.0f}" '
        f'height="{height:.0f}" xmlns="http://www.w3.org/2000/svg"{role}>{body}</svg>'
    )


def nice_ticks(top: float, most: int = 6) -> list[float]:
    """0 and round steps (1, 2 or 5 times a power of ten) up to at least ``top``."""
    if top <= 0:
        return [0, 1]
    raw = top / most
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1) if top >= 1 else step
    count = math.ceil(top / step - 1e-9)
    return [i * step for i in range(count + 1)]


def log_ticks(low: float, high: float) -> list[float]:
    out = []
    power = 10 ** math.floor(math.log10(low))
    while power <= high * 1.0001:
        out += [m * power for m in (1, 2, 5) if low * 0.9999 <= m * power <= high * 1.0001]
        power *= 10
    return out


def _scale(lo: float, hi: float, start: float, end: float, log: bool = False) -> Callable[[float], float]:
    """Data value -> position: lo maps to start, hi to end (log10 of the value when ``log``)."""

    def at(v: float) -> float:
        return start + ((math.log10(v) if log else v) - lo) / (hi - lo) * (end - start)

    return at


def branch_of(kb: KnowledgeBase, entry: Entry, depth: int = 0) -> str:
    """The ancestor at ``depth`` of an entry's primary placement (the node itself when shallower)."""
    parts = entry.primary_category.split("/")
    return "/".join(parts[: depth + 1])


# -- the taxonomy -----------------------------------------------------------------------------
@dataclass
class _Box:
    node_id: str
    x: float
    y: float
    w: float
    h: float
    lines: list[str]


def taxonomy_diagram(kb: KnowledgeBase, counts: dict[str, int], href: Href, page: Callable[[str], str]) -> str:
    """One tree per top-level branch, side by side and wrapping on narrow screens; every box is
    a link to its node's page and shows the entries in its sub-tree."""
    width, indent, line_h, gap = 236.0, 16.0, 15.0, 7.0
    trees = []
    for root in kb.roots:
        boxes: list[_Box] = []
        y = 2.0
        stack = [root]
        while stack:  # depth first, children in their order
            node_id = stack.pop()
            x = 2 + indent * kb.nodes[node_id].depth
            w = width - 4 - x
            lines = _wrap(kb.nodes[node_id].name, int((w - 38) / 6.4), 3)
            h = 10 + line_h * len(lines)
            boxes.append(_Box(node_id, x, y, w, h, lines))
            y += h + gap
            stack.extend(reversed(kb.children(node_id)))
        where = {b.node_id: b for b in boxes}
        parts = []
        for b in boxes:
            parent = kb.nodes[b.node_id].parent_id
            if parent in where:
                p = where[parent]
                sx, mid = p.x + 8, b.y + b.h / 2
                parts.append(f'<path class="evwm-edge" d="M{sx:.0f} {p.y + p.h:.0f}V{mid:.0f}H{b.x:.0f}"/>')
        for b in boxes:
            n = counts.get(b.node_id, 0)
            cls = "evwm-box evwm-root" if b.node_id == root else "evwm-box"
            # the name a screen reader hears starts with the words shown (WCAG 2.5.3, label in name)
            label = f"{' '.join(b.lines)} {n} {'entry' if n == 1 else 'entries'}"
            text = "".join(
                f'<tspan x="{b.x + 7:.0f}" y="{b.y + 18 + i * line_h:.0f}">{_e(line)} </tspan>'
                for i, line in enumerate(b.lines)
            )
            parts.append(
                f'<a href="{_e(href(page(b.node_id)))}" aria-label="{_e(label)}">'
                f'<rect class="{cls}" x="{b.x:.0f}" y="{b.y:.0f}" width="{b.w:.0f}" height="{b.h:.0f}" rx="4"/>'
                f'<text class="evwm-name">{text}</text>'
                f'<text class="evwm-count" x="{b.x + b.w - 7:.0f}" y="{b.y + 18:.0f}" text-anchor="end">{n}</text></a>'
            )
        trees.append(_svg(width, y, "".join(parts), cls="evwm-tree"))
    return (
        '<figure class="evwm-fig evwm-taxonomy"><div class="evwm-trees">'
        + "".join(trees)
        + "</div><figcaption>The taxonomy: each box is a page, with the number of entries in its"
        " sub-tree (an entry placed in several nodes counts in each). Select a box to open it.</figcaption></figure>"
    )


# -- entries per year per branch ------------------------------------------------------------
def _table(ident: str, caption: str, head: list[str], body: list[list[str]], numeric_from: int = 1) -> str:
    num = ' class="evwm-num"'
    cells = "".join(
        "<tr>" + "".join(f"<td{num if i >= numeric_from else ''}>{c}</td>" for i, c in enumerate(r)) + "</tr>"
        for r in body
    )
    heads = "".join(f'<th scope="col">{_e(h)}</th>' for h in head)
    return (
        f'<details class="evwm-data"><summary>The numbers behind this picture</summary>'
        f'<div class="evwm-scroll"><table id="{_e(ident)}-data"><caption>{_e(caption)}</caption>'
        f"<thead><tr>{heads}</tr></thead><tbody>{cells}</tbody></table></div></details>"
    )


def _legend(names: list[str], colours: list[int]) -> str:
    items = "".join(
        f'<li><span class="evwm-swatch evwm-c{c % COLOURS}" aria-hidden="true"></span>{_e(n)}</li>'
        for n, c in zip(names, colours, strict=True)
    )
    return f'<ul class="evwm-legend">{items}</ul>'


def years_chart(kb: KnowledgeBase, ident: str = "years") -> str:
    """Stacked bars: entries per publication year, split by the top-level branch of their primary placement."""
    roots = list(kb.roots)
    per: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for entry in kb.entries.values():
        year = kb.year(entry)
        if year:
            per[year][branch_of(kb, entry)] += 1
    if not per:
        return ""
    years = list(range(min(per), max(per) + 1))
    used = [r for r in roots if any(per[y].get(r) for y in years)]
    top = max(sum(per[y].values()) for y in years)
    ticks = nice_ticks(top)
    left, right, top_pad, bottom = 40.0, 10.0, 10.0, 26.0
    width = max(360.0, left + right + 44 * len(years))
    height = 240.0
    plot_h = height - top_pad - bottom
    scale = plot_h / ticks[-1]
    bar_w = (width - left - right) / len(years)
    parts = []
    for t in ticks:
        y = height - bottom - t * scale
        parts.append(f'<line class="evwm-grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="evwm-tick" x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">{_fmt(t)}</text>')
    for i, year in enumerate(years):
        x = left + i * bar_w + bar_w * 0.15
        base = height - bottom
        for root in used:
            n = per[year].get(root, 0)
            if n:
                h = n * scale
                base -= h
                parts.append(
                    f'<rect class="evwm-c{roots.index(root) % COLOURS}" x="{x:.1f}" y="{base:.1f}" '
                    f'width="{bar_w * 0.7:.1f}" height="{h:.1f}"/>'
                )
        parts.append(
            f'<text class="evwm-tick" x="{x + bar_w * 0.35:.1f}" y="{height - 8}" text-anchor="middle">{year}</text>'
        )
    caption = "Entries per publication year, by top-level branch of the taxonomy (primary placement)."
    svg = _svg(width, height, "".join(parts), label=f"{ident}-caption", cls="evwm-chart")
    body = [[str(y), *(str(per[y].get(r, 0)) for r in used), str(sum(per[y].values()))] for y in years]
    return (
        f'<figure class="evwm-fig"><div class="evwm-scroll">{svg}</div>'
        f"{_legend([kb.nodes[r].name for r in used], [roots.index(r) for r in used])}"
        f'<figcaption id="{_e(ident)}-caption">{_e(caption)}</figcaption></figure>'
        + _table(ident, caption, ["Year", *(kb.nodes[r].name for r in used), "All"], body)
    )


# -- speedups per branch ----------------------------------------------------------------------
DOTS_SHOWN = 40  # dots per family or panel: the pictures stay the same size as the field grows

P = TypeVar("P", bound=tuple[Any, ...])


def _newest(kb: KnowledgeBase, points: list[P]) -> list[P]:
    """The DOTS_SHOWN points of the newest entries (each point starts with its entry)."""
    if len(points) <= DOTS_SHOWN:
        return points
    order = {e.id: i for i, e in enumerate(kb.sort_entries({p[0].id: p[0] for p in points}.values()))}
    return sorted(points, key=lambda p: order[p[0].id])[:DOTS_SHOWN]


def _technique_branch(kb: KnowledgeBase, entry: Entry) -> str:
    depth = 1 if "/" in entry.primary_category else 0
    return branch_of(kb, entry, depth)


def speedup_points(kb: KnowledgeBase) -> dict[str, list[tuple[Entry, float, str]]]:
    """Branch (a node one level below the top) -> (entry, speedup, baseline) for the papers' own speedups."""
    out: dict[str, list[tuple[Entry, float, str]]] = defaultdict(list)
    for entry in kb.entries.values():
        for claim in entry.claims:
            if claim.metric == "speedup" and claim.cite is None and claim.value > 0:
                out[_technique_branch(kb, entry)].append((entry, claim.value, claim.baseline))
    order = list(kb.nodes)
    return dict(sorted(out.items(), key=lambda kv: order.index(kv[0]) if kv[0] in kb.nodes else len(order)))


def speedups_chart(kb: KnowledgeBase, href: Href, page: Callable[[str], str], ident: str = "speedups") -> str:
    data = speedup_points(kb)
    if not data:
        return ""
    values = [v for pts in data.values() for _, v, _ in pts]
    low, high = min(1.0, min(values)), max(values)
    high = max(high, low * 10)
    ticks = log_ticks(low, high)
    label_w, right, row_h, top_pad, bottom = 250.0, 16.0, 26.0, 8.0, 34.0
    width = 760.0
    height = top_pad + row_h * len(data) + bottom
    lo, hi = math.log10(low), math.log10(high)

    def sx(v: float) -> float:
        return label_w + (math.log10(v) - lo) / (hi - lo) * (width - label_w - right)

    parts = []
    for t in ticks:
        x = sx(t)
        parts.append(f'<line class="evwm-grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad}" y2="{height - bottom}"/>')
        parts.append(
            f'<text class="evwm-tick" x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle">{_fmt(t)}×</text>'
        )
    parts.append(
        f'<text class="evwm-tick" x="{(label_w + width) / 2:.0f}" y="{height - 4}" text-anchor="middle">'
        "reported speedup (log scale)</text>"
    )
    for i, (branch, pts) in enumerate(data.items()):
        y = top_pad + row_h * i + row_h / 2
        name = kb.nodes[branch].name if branch in kb.nodes else branch
        parts.append(
            f'<text class="evwm-label" x="{label_w - 8}" y="{y + 4:.1f}" text-anchor="end">{_e(_short(name, 36))}</text>'
        )
        parts.append(f'<line class="evwm-grid" x1="{label_w}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        for k, (entry, v, baseline) in enumerate(_newest(kb, pts)):
            cy = y + ((k % 5) - 2) * 3
            tip = f"{entry.name}: {v:g}× against {baseline}"
            parts.append(
                f'<a href="{_e(href(page(entry.id)))}" aria-label="{_e(tip)}"><circle class="evwm-dot evwm-c{i % COLOURS}" '
                f'cx="{sx(v):.1f}" cy="{cy:.1f}" r="4.5"><title>{_e(tip)}</title></circle></a>'
            )
    caption = (
        f"Speedups the papers report, one dot per number (the {DOTS_SHOWN} newest of each family), "
        "by family of techniques, on a log scale. "
        "Baselines and hardware differ from paper to paper: read a dot as what its paper claims, "
        "not as a ranking. Select a dot to open its entry."
    )
    body = []
    for branch, pts in data.items():
        vs = sorted(v for _, v, _ in pts)
        name = kb.nodes[branch].name if branch in kb.nodes else branch
        body.append([_e(name), str(len(vs)), f"{vs[0]:g}×", f"{statistics.median(vs):g}×", f"{vs[-1]:g}×"])
    return (
        f'<figure class="evwm-fig"><div class="evwm-scroll">{_svg(width, height, "".join(parts), cls="evwm-chart evwm-wide")}</div>'
        f'<figcaption id="{_e(ident)}-caption">{_e(caption)}</figcaption></figure>'
        + _table(ident, "Reported speedups per family", ["Family", "Numbers", "Lowest", "Median", "Highest"], body)
    )


# -- speed against quality ------------------------------------------------------------------
def quality_points(kb: KnowledgeBase) -> dict[str, list[tuple[Entry, float, float, str]]]:
    """Quality metric -> (entry, speedup, quality change, unit) where a paper reports both for one setting."""
    out: dict[str, list[tuple[Entry, float, float, str]]] = defaultdict(list)
    for entry in kb.entries.values():
        for claim in entry.claims:
            q = claim.quality
            if claim.metric != "speedup" or q is None or claim.cite is not None or claim.value <= 0:
                continue
            if q.change is not None:
                change = q.change
            elif q.value is not None and q.baseline_value is not None:
                change = q.value - q.baseline_value
            else:
                continue
            metric = kb.vocab.metrics.get(q.metric)
            unit = q.unit or (metric.canonical_unit if metric else "")
            out[q.metric].append((entry, claim.value, change, unit))
    return dict(sorted(out.items(), key=lambda kv: -len(kv[1])))


def speed_quality_chart(kb: KnowledgeBase, href: Href, page: Callable[[str], str], ident: str = "tradeoff") -> str:
    data = quality_points(kb)
    if not data:
        return ""
    panels = []
    body = []
    for qi, (metric_id, pts) in enumerate(data.items()):
        metric = kb.vocab.metrics.get(metric_id)
        name = kb.metric_name(metric_id)
        better = f"{metric.better} is better" if metric else ""
        width, height, left, bottom, top_pad, right = 320.0, 230.0, 48.0, 40.0, 22.0, 12.0
        pts = _newest(kb, pts)
        xs = [v for _, v, _, _ in pts]
        ys = [c for _, _, c, _ in pts]
        lo, hi = math.log10(min(1.0, min(xs))), math.log10(max(max(xs), 10.0))
        ylo, yhi = min(0.0, min(ys)), max(0.0, max(ys))
        pad = (yhi - ylo) * 0.1 or 1.0
        ylo, yhi = ylo - pad, yhi + pad

        sx = _scale(lo, hi, left, width - right, log=True)
        sy = _scale(yhi, ylo, top_pad, height - bottom)

        parts = [
            f'<text class="evwm-label" x="{left}" y="14">{_e(name)} change ({_e(better)})</text>',
            f'<line class="evwm-axis" x1="{left}" x2="{width - right}" y1="{sy(0):.1f}" y2="{sy(0):.1f}"/>',
        ]
        for t in log_ticks(10**lo, 10**hi):
            x = sx(t)
            parts.append(f'<line class="evwm-grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad}" y2="{height - bottom}"/>')
            parts.append(
                f'<text class="evwm-tick" x="{x:.1f}" y="{height - bottom + 14}" text-anchor="middle">{_fmt(t)}×</text>'
            )
        for t in (ylo + pad, 0.0, yhi - pad):
            parts.append(
                f'<text class="evwm-tick" x="{left - 5}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:+.2g}</text>'
            )
        parts.append(
            f'<text class="evwm-tick" x="{(left + width) / 2:.0f}" y="{height - 6}" text-anchor="middle">'
            "speedup (log scale)</text>"
        )
        for entry, v, change, unit in pts:
            tip = f"{entry.name}: {v:g}× faster, {name} {change:+.3g}{(' ' + unit) if unit else ''}"
            parts.append(
                f'<a href="{_e(href(page(entry.id)))}" aria-label="{_e(tip)}"><circle class="evwm-dot evwm-c{qi % COLOURS}" '
                f'cx="{sx(v):.1f}" cy="{sy(change):.1f}" r="4.5"><title>{_e(tip)}</title></circle></a>'
            )
            body.append([_e(entry.name), f"{v:g}×", _e(name), _e(f"{change:+.3g}{(' ' + unit) if unit else ''}")])
        panels.append(_svg(width, height, "".join(parts), cls="evwm-chart"))
    caption = (
        "Speed against quality, where a paper reports a speedup and the quality change for the same setting: "
        f"one panel per quality metric (its {DOTS_SHOWN} newest numbers), the line at zero is the baseline's "
        "quality. Select a dot to open its entry."
    )
    return (
        f'<figure class="evwm-fig"><div class="evwm-panels">{"".join(panels)}</div>'
        f'<figcaption id="{_e(ident)}-caption">{_e(caption)}</figcaption></figure>'
        + _table(ident, "Speed and quality change", ["Entry", "Speedup", "Quality metric", "Change"], body, 1)
    )


# -- an entry's neighbourhood ---------------------------------------------------------------
def neighbourhood(entry: Entry, links: list[tuple[str, Entry, bool]], href: Href, page: Callable[[str], str]) -> str:
    """The entry in the middle, at most NEIGHBOURS_SHOWN related entries around it.

    ``links`` is (relation label as read from this entry, other entry, True when this entry
    declares it). Arrows point from the entry that declares a relation to its target.
    """
    seen: dict[str, tuple[str, Entry, bool]] = {}
    for label, other, out in links:
        seen.setdefault(other.id, (label, other, out))
    shown = list(seen.values())[:NEIGHBOURS_SHOWN]
    if not shown:
        return ""
    hidden = len(seen) - len(shown)
    width, height = 600.0, 300.0
    cx, cy, rx, ry = width / 2, height / 2, 215.0, 105.0
    bw, bh = 150.0, 36.0
    parts = [
        '<defs><marker id="evwm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path class="evwm-arrowhead" d="M0 0L10 5L0 10z"/></marker></defs>'
    ]
    boxes = []
    xs, ys = [cx], [cy]
    for i, (label, other, out) in enumerate(shown):
        angle = -math.pi / 2 + 2 * math.pi * i / len(shown)
        x, y = cx + rx * math.cos(angle), cy + ry * math.sin(angle)
        xs.append(x)
        ys.append(y)
        # the line stops at the boxes' edges so the arrowhead shows
        dx, dy = x - cx, y - cy
        t_out = min(bw / 2 / abs(dx) if dx else 9e9, bh / 2 / abs(dy) if dy else 9e9)
        x0, y0 = cx + dx * min(t_out, 0.45), cy + dy * min(t_out, 0.45)
        x1, y1 = x - dx * min(t_out, 0.45), y - dy * min(t_out, 0.45)
        if not out:
            x0, y0, x1, y1 = x1, y1, x0, y0
        parts.append(
            f'<line class="evwm-edge" x1="{x0:.0f}" y1="{y0:.0f}" x2="{x1:.0f}" y2="{y1:.0f}" marker-end="url(#evwm-arrow)"/>'
        )
        tip = f"{label} {other.name}"
        boxes.append(
            f'<a href="{_e(href(page(other.id)))}"><title>{_e(tip)}</title>'
            f'<rect class="evwm-box" x="{x - bw / 2:.0f}" y="{y - bh / 2:.0f}" width="{bw:.0f}" height="{bh:.0f}" rx="4"/>'
            f'<text class="evwm-name" x="{x:.0f}" y="{y - 2:.0f}" text-anchor="middle">{_e(_short(other.name, 22))}</text>'
            f'<text class="evwm-tick" x="{x:.0f}" y="{y + 12:.0f}" text-anchor="middle">{_e(_short(label, 26))}</text></a>'
        )
    parts += boxes
    parts.append(
        f'<rect class="evwm-box evwm-root" x="{cx - bw / 2:.0f}" y="{cy - bh / 2:.0f}" width="{bw:.0f}" height="{bh:.0f}" rx="4"/>'
        f'<text class="evwm-name" x="{cx:.0f}" y="{cy + 5:.0f}" text-anchor="middle">{_e(_short(entry.name, 22))}</text>'
    )
    more = f" and {hidden} more, listed below" if hidden else ""
    caption = (
        f"{entry.name} and the entries it is related to{more}; arrows point from the entry that states the relation."
    )
    # the picture is cropped to its boxes, so one or two neighbours do not leave an empty frame
    x0, y0 = min(xs) - bw / 2 - 4, min(ys) - bh / 2 - 4
    w, h = max(xs) - min(xs) + bw + 8, max(ys) - min(ys) + bh + 8
    svg = _svg(w, h, "".join(parts), cls="evwm-chart", origin=(x0, y0))
    return (
        f'<figure class="evwm-fig evwm-graph"><div class="evwm-scroll">{svg}'
        f"</div><figcaption>{_e(caption)}</figcaption></figure>"
    )
