"""Shared set-up for the out-and-in tests: one rate and one count indicator."""

import datetime
from decimal import Decimal

from kansrijk.indicators import services
from kansrijk.indicators.models import Indicator, PeriodType, Unit


def make_indicators(owner):
    reach = Indicator.objects.create(
        code="vve-bereik",
        name="Bereik VVE",
        unit=Unit.PERCENTAGE,
        period_type=PeriodType.CALENDAR_YEAR,
        numerator_definition="kinderen met indicatie die VVE volgen",
        denominator_definition="kinderen met een VVE-indicatie",
        owner=owner,
        is_public=True,
    )
    count = Indicator.objects.create(
        code="vsv-aantal",
        name="Aantal voortijdig schoolverlaters",
        unit=Unit.COUNT,
        period_type=PeriodType.SCHOOL_YEAR,
        owner=owner,
        is_public=True,
    )
    return reach, count


def add(indicator, region, year, *, approve=True, **fields):
    return services.submit_measurement(
        actor=None,
        approve=approve,
        indicator=indicator,
        region=region,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        period_label=str(year),
        **{
            k: Decimal(v) if k in ("value", "numerator", "denominator") else v
            for k, v in fields.items()
        },
    )
