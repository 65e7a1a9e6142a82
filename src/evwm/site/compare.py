"""Comparison rows: every reported number of a set of entries, one row per claim, ready for a table.

A row carries what the reader filters on (metric, base model, hardware, training, year, venue)
and a sort key in the metric's canonical unit (vocab/metrics.yaml), so "500 ms" and "0.4 s" sort
as numbers of one scale. The table itself is written by templates/_macros.md.j2 and made sortable
and filterable by docs/assets/compare.js; without JavaScript it is a complete table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from evwm.kb import KnowledgeBase
from evwm.records.models import Claim, Entry, Training

_TRAINING_LABELS = {
    Training.TRAINING_FREE: "training-free",
    Training.FINE_TUNING: "fine-tuned",
    Training.FROM_SCRATCH: "trained from scratch",
    Training.NOT_APPLICABLE: "no training: a benchmark or study",
}


def training_label(training: Training) -> str:
    """How a table and an entry page say what training a method needs ('training not stated', ...)."""
    return _TRAINING_LABELS.get(training) or "training " + training.value.replace("-", " ")


@dataclass(frozen=True)
class Row:
    entry: Entry
    claim: Claim
    metric: str  # the metric's display name
    value: str  # as the paper reports it
    sort: float | None  # in the metric's canonical unit; None where the unit has no conversion
    canonical: str  # "0.4 s" when the reported unit is not canonical, else ""
    base_model: str  # as written in the claim
    family: str  # the base model's family (vocab/base-models.yaml), else the written name
    hardware: str
    device: str  # the device's name without a count, what the hardware filter offers
    training: str
    year: str
    venue: str
    quality: str
    source: str


def canonical_value(kb: KnowledgeBase, claim: Claim) -> tuple[float | None, str]:
    """The claim's value in its metric's first unit, and that unit; (None, '') without a factor."""
    metric = kb.vocab.metrics.get(claim.metric)
    if metric is None:
        return claim.value, ""
    unit = "x" if claim.unit == "×" else claim.unit
    factor = metric.units.get(unit)
    if factor is None:
        return None, ""
    return claim.value * factor, metric.canonical_unit


def device_name(kb: KnowledgeBase, claim: Claim) -> str:
    if not claim.hardware:
        return ""
    device = kb.vocab.devices.get(claim.hardware)
    return device.name if device else claim.hardware


def family_of(kb: KnowledgeBase, name: str | None) -> str:
    if not name:
        return ""
    model_id = kb.vocab.base_model_id(name)
    model = kb.vocab.base_models.get(model_id) if model_id else None
    return model.family if model else name


def rows(kb: KnowledgeBase, entries: Iterable[Entry]) -> list[Row]:
    """One row per claim of the entries, in the entries' order (newest first), claims as written."""
    out = []
    for entry in entries:
        cit = kb.citation(entry)
        for claim in entry.claims:
            out.append(row(kb, entry, claim, cit.year if cit else None, cit.venue_short if cit else ""))
    return out


def row(kb: KnowledgeBase, entry: Entry, claim: Claim, year: int | None, venue: str) -> Row:
    sort, unit = canonical_value(kb, claim)
    canonical = ""
    if sort is not None and unit and unit != claim.unit and not (unit == "x" and claim.unit == "×"):
        canonical = f"{sort:g} {unit}"
    source = claim.source + (f" ({claim.cite})" if claim.cite else "")
    return Row(
        entry=entry,
        claim=claim,
        metric=kb.metric_name(claim.metric),
        value=claim.display_value,
        sort=sort,
        canonical=canonical,
        base_model=claim.base_model or "",
        family=family_of(kb, claim.base_model),
        hardware=kb.hardware_label(claim),
        device=device_name(kb, claim),
        training=training_label(entry.training),
        year=str(year) if year else "",
        venue=venue,
        quality=kb.quality_label(claim),
        source=source,
    )


def family_rows(kb: KnowledgeBase, family: str, entries: list[Entry] | None = None) -> tuple[list[Row], list[Entry]]:
    """Claims measured on one base-model family, and the entries evaluated on it without such a
    claim: of ``entries`` (one page of them), or of every entry evaluated on it."""
    measured: list[Row] = []
    unmeasured: list[Entry] = []
    for entry in kb.base_model_entries.get(family, []) if entries is None else entries:
        cit = kb.citation(entry)
        own = [
            row(kb, entry, c, cit.year if cit else None, cit.venue_short if cit else "")
            for c in entry.claims
            if family_of(kb, c.base_model) == family
        ]
        measured += own
        if not own:
            unmeasured.append(entry)
    return measured, unmeasured
