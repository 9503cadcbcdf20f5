"""Aggregation up the region tree, in SQL.

school → samenwerkingsverband, gemeente → RMC-regio (or any parent region), gemeente →
land. A rate is the sum of the numerators over the sum of the denominators, never the mean
of the percentages; a count (or an amount in euro) is a sum. Hours and scores have no sound
sum, so their aggregate has no value.

Which gemeenten belong to a parent is decided by the RegionMembership valid on the first
day of the period, so a gemeente that merged keeps its history under its old parent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Count, Q, Sum

from kansrijk.organisations.models import Region, RegionKind, RegionMembership

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


__all__ = [
    "AggregateFigure",
    "SeriesPoint",
    "aggregate_over_organisations",
    "aggregate_over_regions",
    "child_regions_filter",
    "series_for_scope",
]
