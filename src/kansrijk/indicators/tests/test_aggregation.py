"""Aggregation up the region tree: sums of numerators over sums of denominators."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kansrijk.indicators.aggregation import (
    aggregate_over_organisations,
    aggregate_over_regions,
    series_for_scope,
)
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.organisations.models import Region, RegionKind
from kansrijk.testing.factories import (
    MunicipalityFactory,
    PartnershipFactory,
    RegionFactory,
    RegionMembershipFactory,
    SchoolFactory,
)

pytestmark = pytest.mark.django_db

START, END = datetime.date(2025, 8, 1), datetime.date(2026, 7, 31)


@pytest.fixture
def reach():
    return Indicator.objects.create(
        code="vve-bereik",
        name="Bereik voorschoolse educatie",
        unit="percentage",
        numerator_definition="geïndiceerde kinderen die deelnemen",
        denominator_definition="geïndiceerde kinderen",
        period_type="school_year",
    )


@pytest.fixture
def count():
    return Indicator.objects.create(
        code="vsv-aantal",
        name="Nieuwe voortijdig schoolverlaters",
        unit="count",
        period_type="school_year",
    )


def measure(indicator, *, region=None, organisation=None, approval="approved", **fields):
    fields.setdefault("period_start", START)
    fields.setdefault("period_end", END)
    fields.setdefault("period_label", "2025/2026")
    return Measurement.objects.create(
        indicator=indicator, region=region, organisation=organisation, approval=approval, **fields
    )


@pytest.fixture
def rmc_region():
    """Three gemeenten in an RMC region, one that left it before the period, one submitted
    figure that is not approved yet."""
    parent = RegionFactory()
    members = [MunicipalityFactory() for _ in range(3)]
    for gemeente in members:
        RegionMembershipFactory(child=gemeente, parent=parent, valid_from=datetime.date(2025, 1, 1))
    merged = MunicipalityFactory()
    RegionMembershipFactory(
        child=merged,
        parent=parent,
        valid_from=datetime.date(2019, 1, 1),
        valid_to=datetime.date(2025, 1, 1),
    )
    return parent, members, merged


def test_a_rate_is_the_sum_of_numerators_over_the_sum_of_denominators(reach, rmc_region):
    parent, (a, b, c), merged = rmc_region
    measure(reach, region=a, numerator=9, denominator=10)  # 90 %
    measure(reach, region=b, numerator=50, denominator=100)  # 50 %
    measure(reach, region=c, numerator=140, denominator=200)  # 70 %
    measure(reach, region=merged, numerator=1, denominator=100)  # left before the period
    outsider = MunicipalityFactory()
    measure(reach, region=outsider, numerator=100, denominator=100)
    measure(
        reach,
        region=a,
        numerator=1,
        denominator=10,
        period_start=START.replace(year=2024),
        period_end=END.replace(year=2025),
        period_label="2024/2025",
    )

    with CaptureQueriesContext(connection) as queries:
        figure = aggregate_over_regions(
            reach, parent_region=parent, period_start=START, period_end=END
        )
    assert len(queries) == 1
    assert figure.numerator == 9 + 50 + 140
    assert figure.denominator == 10 + 100 + 200
    expected = Decimal(199) / Decimal(310) * 100
    assert figure.value == expected
    assert round(figure.value, 2) == Decimal("64.19")
    mean_of_percentages = (Decimal(90) + Decimal(50) + Decimal(70)) / 3
    assert figure.value != mean_of_percentages
    assert figure.count_of_children == 3


def test_the_merged_gemeente_counts_in_a_period_before_the_merger(reach, rmc_region):
    parent, (a, _b, _c), merged = rmc_region
    old = {"period_start": datetime.date(2023, 8, 1), "period_end": datetime.date(2024, 7, 31)}
    measure(reach, region=merged, numerator=30, denominator=40, period_label="2023/2024", **old)
    measure(reach, region=a, numerator=10, denominator=10, period_label="2023/2024", **old)
    figure = aggregate_over_regions(reach, parent_region=parent, **old)
    # a's membership starts in 2025: in 2023 only the old gemeente belonged to the region.
    assert (figure.numerator, figure.denominator, figure.count_of_children) == (30, 40, 1)
    assert figure.value == 75


def test_unapproved_figures_do_not_count(reach, rmc_region):
    parent, (a, b, _c), _merged = rmc_region
    measure(reach, region=a, numerator=9, denominator=10)
    measure(reach, region=b, numerator=1, denominator=10, approval="submitted")
    figure = aggregate_over_regions(reach, parent_region=parent, period_start=START, period_end=END)
    assert (figure.numerator, figure.denominator) == (9, 10)


def test_the_country_counts_every_gemeente(reach, count):
    country = Region.objects.filter(code="NL").first() or Region.objects.create(
        kind=RegionKind.COUNTRY, code="NL", name="Nederland"
    )
    a, b = MunicipalityFactory(), MunicipalityFactory()
    measure(reach, region=a, numerator=3, denominator=4)
    measure(reach, region=b, numerator=1, denominator=4)
    measure(reach, region=RegionFactory(), numerator=100, denominator=100)  # not a gemeente
    measure(count, region=a, value=12)
    measure(count, region=b, value=30)
    figure = aggregate_over_regions(
        reach, parent_region=country, period_start=START, period_end=END
    )
    assert (figure.numerator, figure.denominator, figure.value) == (4, 8, 50)
    total = aggregate_over_regions(count, parent_region=country, period_start=START, period_end=END)
    assert total.value == 42
    assert total.numerator is None


def test_breakdown_cells_stay_apart(count, rmc_region):
    parent, (a, b, _c), _merged = rmc_region
    measure(count, region=a, value=5, breakdown_key="sector", breakdown_value="vo")
    measure(count, region=a, value=7, breakdown_key="sector", breakdown_value="mbo")
    measure(count, region=b, value=11, breakdown_key="sector", breakdown_value="mbo")
    figure = aggregate_over_regions(
        count,
        parent_region=parent,
        period_start=START,
        period_end=END,
        breakdown_key="sector",
        breakdown_value="mbo",
    )
    assert figure.value == 18


def test_schools_add_up_to_their_partnership(reach):
    swv, other = PartnershipFactory(), PartnershipFactory()
    first, second = SchoolFactory(partnership=swv), SchoolFactory(partnership=swv)
    measure(reach, organisation=first, numerator=8, denominator=10)
    measure(reach, organisation=second, numerator=2, denominator=30)
    measure(reach, organisation=SchoolFactory(partnership=other), numerator=5, denominator=5)
    with CaptureQueriesContext(connection) as queries:
        figure = aggregate_over_organisations(
            reach, partnership=swv, period_start=START, period_end=END
        )
    assert len(queries) == 1
    assert (figure.numerator, figure.denominator, figure.value) == (10, 40, 25)


def test_the_series_of_a_scope_is_one_query(reach):
    gemeente = MunicipalityFactory()
    for year in (2021, 2019, 2020):
        measure(
            reach,
            region=gemeente,
            numerator=70 + year - 2019,
            denominator=100,
            period_start=datetime.date(year, 1, 1),
            period_end=datetime.date(year, 12, 31),
            period_label=str(year),
            is_generated=year == 2020,
        )
    measure(
        reach,
        region=gemeente,
        value=1,
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2022, 12, 31),
        period_label="2022",
        approval="submitted",
    )
    with CaptureQueriesContext(connection) as queries:
        series = series_for_scope(reach, region=gemeente)
    assert len(queries) == 1
    assert [p.period_label for p in series] == ["2019", "2020", "2021"]
    assert [p.value for p in series] == [70, 71, 72]
    assert [p.is_generated for p in series] == [False, True, False]
    with CaptureQueriesContext(connection) as queries:
        everything = series_for_scope(reach, region=gemeente, approved_only=False)
    assert len(queries) == 1
    assert len(everything) == 4
    assert everything[-1].value == 1
