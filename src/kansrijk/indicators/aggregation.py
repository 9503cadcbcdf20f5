"""Aggregation up the region tree, in SQL.

school → samenwerkingsverband, gemeente → RMC-regio (or any parent region), gemeente →
land. A rate is the sum of the numerators over the sum of the denominators, never the mean
of the percentages; a count (or an amount in euro) is a sum. Hours and scores have no sound
sum, so their aggregate has no value.

Which gemeenten belong to a parent is decided by the RegionMembership valid on the first
day of the period, so a gemeente that merged keeps its history under its old parent.

Across a merger a gemeente's series runs on (``series_across_mergers``): for a period
that began before a predecessor merged into it, the predecessor's figure is added, by the
same rules (decision 0021).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, Sum

from kansrijk.organisations.models import Region, RegionKind, RegionMembership, RegionSuccession

from .models import Indicator, Measurement, Unit

ADDITIVE_UNITS = {Unit.COUNT, Unit.EURO}


@dataclass(frozen=True)
class AggregateFigure:
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    count_of_children: int


def _ratio(indicator: Indicator, numerator, denominator) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    ratio = Decimal(numerator) / Decimal(denominator)
    return ratio * 100 if indicator.unit == Unit.PERCENTAGE else ratio


def _aggregate(indicator: Indicator, measurements) -> AggregateFigure:
    """One query: sums and a count over the selected approved measurements."""
    if indicator.is_rate:
        measurements = measurements.filter(numerator__isnull=False, denominator__isnull=False)
        sums = measurements.aggregate(
            numerator=Sum("numerator"), denominator=Sum("denominator"), children=Count("pk")
        )
        return AggregateFigure(
            numerator=sums["numerator"],
            denominator=sums["denominator"],
            value=_ratio(indicator, sums["numerator"], sums["denominator"]),
            count_of_children=sums["children"],
        )
    measurements = measurements.filter(value__isnull=False)
    sums = measurements.aggregate(value=Sum("value"), children=Count("pk"))
    additive = indicator.unit in ADDITIVE_UNITS
    return AggregateFigure(
        numerator=None,
        denominator=None,
        value=sums["value"] if additive else None,
        count_of_children=sums["children"],
    )


def _cell(indicator, period_start, period_end, breakdown_key, breakdown_value):
    return Measurement.objects.approved().filter(
        indicator=indicator,
        period_start=period_start,
        period_end=period_end,
        breakdown_key=breakdown_key,
        breakdown_value=breakdown_value,
    )


def child_regions_filter(parent_region: Region, day: datetime.date) -> Q:
    """The condition on ``Measurement.region`` for the children of ``parent_region`` on
    ``day``: every gemeente for the country, else the memberships valid on that day."""
    if parent_region.kind == RegionKind.COUNTRY:
        return Q(region__kind=RegionKind.MUNICIPALITY)
    children = (
        RegionMembership.objects.valid_on(day).filter(parent=parent_region).values("child_id")
    )
    return Q(region__in=children)


def aggregate_over_regions(
    indicator: Indicator,
    *,
    parent_region: Region,
    period_start: datetime.date,
    period_end: datetime.date,
    breakdown_key: str = "",
    breakdown_value: str = "",
) -> AggregateFigure:
    """The figure of ``parent_region`` from the approved figures of its children (one query)."""
    measurements = _cell(indicator, period_start, period_end, breakdown_key, breakdown_value)
    return _aggregate(
        indicator, measurements.filter(child_regions_filter(parent_region, period_start))
    )


def aggregate_over_organisations(
    indicator: Indicator,
    *,
    partnership,
    period_start: datetime.date,
    period_end: datetime.date,
    breakdown_key: str = "",
    breakdown_value: str = "",
) -> AggregateFigure:
    """The figure of a samenwerkingsverband from the approved figures of its schools."""
    measurements = _cell(indicator, period_start, period_end, breakdown_key, breakdown_value)
    return _aggregate(indicator, measurements.filter(organisation__partnership=partnership))


class SeriesPoint(NamedTuple):
    period_label: str
    period_start: datetime.date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    is_generated: bool
    is_final: bool


def series_for_scope(
    indicator: Indicator,
    *,
    region: Region | None = None,
    organisation=None,
    approved_only: bool = True,
    breakdown_key: str = "",
    breakdown_value: str = "",
) -> list[SeriesPoint]:
    """The measurements of one scope ordered by period (one query). ``value`` is the
    derived value: numerator/denominator (× 100 for a percentage) or the stored value."""
    if (region is None) == (organisation is None):
        raise ValueError("give exactly one of region and organisation")
    measurements = Measurement.objects.filter(
        indicator=indicator, breakdown_key=breakdown_key, breakdown_value=breakdown_value
    )
    if approved_only:
        measurements = measurements.approved()
    if region is not None:
        measurements = measurements.filter(region=region)
    else:
        measurements = measurements.filter(organisation=organisation)
    rows = measurements.order_by("period_start", "period_end").values_list(
        "period_label",
        "period_start",
        "value",
        "numerator",
        "denominator",
        "is_generated",
        "is_final",
    )
    points = []
    for label, start, value, numerator, denominator, generated, final in rows:
        derived = _ratio(indicator, numerator, denominator)
        points.append(
            SeriesPoint(
                label,
                start,
                derived if derived is not None else value,
                numerator,
                denominator,
                generated,
                final,
            )
        )
    return points


class MergedSeriesPoint(NamedTuple):
    """One period of a series that runs on across mergers.

    ``from_predecessors``: the figure includes figures of gemeenten that have since
    merged into the region (``predecessors`` names their codes). ``complete`` is False
    when a gemeente that existed on the first day of the period has no figure for it, or
    when part of the region then lay in a gemeente that was split (``partly_elsewhere``:
    Littenseradiel before 2018 for Waadhoeke): its figure cannot be divided, so it is
    left out and the sum covers less than the region."""

    period_label: str
    period_start: datetime.date
    period_end: datetime.date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    from_predecessors: bool
    predecessors: tuple[str, ...]
    complete: bool
    partly_elsewhere: tuple[str, ...]


@dataclass(frozen=True)
class _Ancestor:
    region_id: int
    code: str
    valid_from: datetime.date | None
    until: datetime.date  # its figures count for periods that begin before this day


def _ancestors(region: Region) -> tuple[list[_Ancestor], list[_Ancestor]]:
    """(whole predecessors, split predecessors) of ``region``, through every earlier
    merger (Molenlanden ← Molenwaard ← Graafstroom). One query per generation: a handful.
    A whole predecessor counts for periods that begin before the day it merged (and
    before every later merger on the way to ``region``)."""
    whole: list[_Ancestor] = []
    split: list[_Ancestor] = []
    generation = {region.pk: None}  # region id -> the day its figures stop counting
    seen = {region.pk}
    while generation:
        rows = RegionSuccession.objects.filter(successor_id__in=list(generation)).values_list(
            "successor_id",
            "predecessor_id",
            "predecessor__code",
            "predecessor__valid_from",
            "date",
            "whole",
        )
        following = {}
        for successor_id, predecessor_id, code, valid_from, day, is_whole in rows:
            later = generation[successor_id]
            until = day if later is None else min(day, later)
            ancestor = _Ancestor(predecessor_id, code, valid_from, until)
            if not is_whole:
                split.append(ancestor)
            elif predecessor_id not in seen:
                seen.add(predecessor_id)
                whole.append(ancestor)
                following[predecessor_id] = until
        generation = following
    return whole, split


def series_across_mergers(
    indicator: Indicator,
    region: Region,
    *,
    approved_only: bool = True,
    breakdown_key: str = "",
    breakdown_value: str = "",
) -> list[MergedSeriesPoint]:
    """The series of ``region`` with, for each period that began before a predecessor
    merged into it, that predecessor's figure added: Vijfheerenlanden in 2018 is Leerdam
    + Vianen + Zederik, Groningen in 2018 is Groningen + Haren + Ten Boer. A rate is the
    sum of the numerators over the sum of the denominators; a count or an amount is a sum;
    hours and scores have no sound sum, so a period built from more than one figure has
    no value. One grouped query for the figures, a few for the predecessors."""
    whole, split = _ancestors(region)
    measurements = Measurement.objects.filter(
        indicator=indicator, breakdown_key=breakdown_key, breakdown_value=breakdown_value
    )
    if approved_only:
        measurements = measurements.approved()
    if indicator.is_rate:
        measurements = measurements.filter(numerator__isnull=False, denominator__isnull=False)
    else:
        measurements = measurements.filter(value__isnull=False)
    own = Q(region=region)
    inherited = _predecessor_scope(measurements, region, whole)
    scope = own | inherited if inherited is not None else own
    rows = (
        measurements.filter(scope)
        .values("period_start", "period_end", "period_label")
        .annotate(
            sum_value=Sum("value"),
            sum_numerator=Sum("numerator"),
            sum_denominator=Sum("denominator"),
            figures=Count("pk"),
            inherited=Count("pk", filter=~Q(region=region)),
        )
        .order_by("period_start", "period_end")
    )
    inherited_codes = _inherited_codes(measurements, inherited)
    points = []
    for row in rows:
        start = row["period_start"]
        live = [
            a for a in whole if start < a.until and (a.valid_from is None or a.valid_from <= start)
        ]
        region_lives = region.valid_from is None or region.valid_from <= start
        expected = len(live) + (1 if region_lives else 0) if row["inherited"] else 1
        elsewhere = tuple(sorted({a.code for a in split if start < a.until}))
        if indicator.is_rate:
            numerator, denominator = row["sum_numerator"], row["sum_denominator"]
            value = _ratio(indicator, numerator, denominator)
        else:
            numerator = denominator = None
            additive = indicator.unit in ADDITIVE_UNITS or row["figures"] == 1
            value = row["sum_value"] if additive else None
        codes = inherited_codes.get((start, row["period_end"]), ())
        points.append(
            MergedSeriesPoint(
                period_label=row["period_label"],
                period_start=start,
                period_end=row["period_end"],
                value=value,
                numerator=numerator,
                denominator=denominator,
                from_predecessors=row["inherited"] > 0,
                predecessors=codes,
                complete=row["figures"] >= expected and not elsewhere,
                partly_elsewhere=elsewhere,
            )
        )
    return points


def _predecessor_scope(measurements, region: Region, whole: list[_Ancestor]) -> Q | None:
    """The condition for the predecessors' figures that count for ``region``: each for
    the periods that began before it merged. A gemeente formed by the merger
    (Vijfheerenlanden) may have a figure of its own for such a period, computed for the
    whole new territory; then that figure stands and the predecessors' are not added
    again. A gemeente that took over others (Groningen, Haren, Ten Boer) adds them to its
    own figure."""
    if not whole:
        return None
    scope = Q()
    for ancestor in whole:
        scope |= Q(region_id=ancestor.region_id, period_start__lt=ancestor.until)
    if region.valid_from is not None:
        scope &= ~Exists(
            measurements.filter(
                region=region,
                period_start=OuterRef("period_start"),
                period_end=OuterRef("period_end"),
            )
        )
    return scope


def _inherited_codes(measurements, inherited: Q | None) -> dict:
    """{(period start, period end): codes of the predecessors whose figures were added}:
    the measurement rows of the predecessors only (a few per period)."""
    if inherited is None:
        return {}
    found: dict = {}
    for start, end, code in (
        measurements.filter(inherited)
        .order_by("region__code")
        .values_list("period_start", "period_end", "region__code")
    ):
        found[(start, end)] = (*found.get((start, end), ()), code)
    return found


__all__ = [
    "AggregateFigure",
    "MergedSeriesPoint",
    "SeriesPoint",
    "aggregate_over_organisations",
    "aggregate_over_regions",
    "child_regions_filter",
    "series_across_mergers",
    "series_for_scope",
]
