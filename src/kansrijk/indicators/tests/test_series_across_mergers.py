"""One series across a merger (``aggregation.series_across_mergers``), counted by hand.

Leerdam, Vianen and Zederik became Vijfheerenlanden on 1 January 2019 (a new gemeente);
Haren and Ten Boer went into Groningen (which existed before); Graafstroom went into
Molenwaard in 2013, and Molenwaard with Giessenlanden into Molenlanden in 2019;
Littenseradiel was split in 2018, part of it to Waadhoeke.

| indicator | period | Leerdam | Vianen | Zederik | Vijfheerenlanden | series |
|---|---|---|---|---|---|---|
| reach (rate) | 2017 | 30/40 | 10/20 | 5/10 | | 45/70 = 64.3 %, from predecessors |
| reach | 2018 | 20/40 | – | 6/10 | | 26/50 = 52 %, incomplete (Vianen) |
| reach | 2019 | | | | 40/80 | 50 % |
| count | 2017 | 3 | 1 | 2 | | 6 |
| count | 2018/2019 (school year across the merger) | 4 | 2 | 1 | 9 | 9: the new gemeente's own figure stands |
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kansrijk.indicators.aggregation import series_across_mergers
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.organisations.models import RegionSuccession
from kansrijk.testing.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

D = datetime.date
MERGER = D(2019, 1, 1)


@pytest.fixture
def reach():
    return Indicator.objects.create(
        code="vve-bereik",
        name="Bereik voorschoolse educatie",
        unit="percentage",
        numerator_definition="geïndiceerde kinderen die deelnemen",
        denominator_definition="geïndiceerde kinderen",
        period_type="calendar_year",
    )


@pytest.fixture
def count():
    return Indicator.objects.create(
        code="thuiszitters", name="Thuiszitters", unit="count", period_type="calendar_year"
    )


@pytest.fixture
def hours():
    return Indicator.objects.create(
        code="uren", name="Uren voorschoolse educatie", unit="hours", period_type="calendar_year"
    )


def merge(successor, *predecessors, on=MERGER, whole=True):
    for predecessor in predecessors:
        RegionSuccession.objects.create(
            predecessor=predecessor, successor=successor, date=on, whole=whole
        )


@pytest.fixture
def vijfheerenlanden():
    leerdam = MunicipalityFactory(code="GM0545", name="Leerdam", valid_to=MERGER)
    vianen = MunicipalityFactory(code="GM0620", name="Vianen", valid_to=MERGER)
    zederik = MunicipalityFactory(code="GM0707", name="Zederik", valid_to=MERGER)
    new = MunicipalityFactory(code="GM1961", name="Vijfheerenlanden", valid_from=MERGER)
    merge(new, leerdam, vianen, zederik)
    return new, leerdam, vianen, zederik


def measure(indicator, region, year, **fields):
    start = D(year, 1, 1) if isinstance(year, int) else year[0]
    end = D(year, 12, 31) if isinstance(year, int) else year[1]
    label = str(year) if isinstance(year, int) else f"{start.year}/{end.year}"
    return Measurement.objects.create(
        indicator=indicator,
        region=region,
        period_start=start,
        period_end=end,
        period_label=label,
        approval="approved",
        **fields,
    )


def test_a_rate_runs_on_as_sums_of_numerators_over_sums_of_denominators(reach, vijfheerenlanden):
    new, leerdam, vianen, zederik = vijfheerenlanden
    measure(reach, leerdam, 2017, numerator=30, denominator=40)
    measure(reach, vianen, 2017, numerator=10, denominator=20)
    measure(reach, zederik, 2017, numerator=5, denominator=10)
    measure(reach, leerdam, 2018, numerator=20, denominator=40)
    measure(reach, zederik, 2018, numerator=6, denominator=10)
    measure(reach, new, 2019, numerator=40, denominator=80)

    series = series_across_mergers(reach, new)

    assert [p.period_label for p in series] == ["2017", "2018", "2019"]
    y2017, y2018, y2019 = series
    assert (y2017.numerator, y2017.denominator) == (Decimal(45), Decimal(70))
    assert round(y2017.value, 1) == Decimal("64.3")  # not the mean of 75, 50 and 50 %
    assert y2017.from_predecessors and y2017.complete
    assert y2017.predecessors == ("GM0545", "GM0620", "GM0707")
    assert (y2018.numerator, y2018.denominator, y2018.value) == (26, 50, Decimal(52))
    assert y2018.predecessors == ("GM0545", "GM0707")
    assert not y2018.complete  # Vianen has no figure for 2018
    assert (y2019.value, y2019.from_predecessors, y2019.complete) == (Decimal(50), False, True)
    assert y2019.predecessors == ()


def test_a_count_is_a_sum_and_the_new_gemeente_s_own_figure_stands(count, vijfheerenlanden):
    new, leerdam, vianen, zederik = vijfheerenlanden
    for region, value in ((leerdam, 3), (vianen, 1), (zederik, 2)):
        measure(count, region, 2017, value=value)
    # A school year across the merger, counted by the predecessors and by the new gemeente
    # for its whole territory: the new gemeente's own figure is not added to again.
    school_year = (D(2018, 8, 1), D(2019, 7, 31))
    for region, value in ((leerdam, 4), (vianen, 2), (zederik, 1), (new, 9)):
        measure(count, region, school_year, value=value)

    series = series_across_mergers(count, new)

    assert [(p.period_label, p.value, p.from_predecessors) for p in series] == [
        ("2017", Decimal(6), True),
        ("2018/2019", Decimal(9), False),
    ]
    # The predecessors' own series are untouched: old figures stay with their code.
    assert [p.value for p in series_across_mergers(count, leerdam)] == [3, 4]


def test_a_gemeente_that_took_others_in_adds_them_to_its_own_figure(count):
    groningen = MunicipalityFactory(code="GM0014", name="Groningen")
    haren = MunicipalityFactory(code="GM0017", name="Haren", valid_to=MERGER)
    ten_boer = MunicipalityFactory(code="GM0009", name="Ten Boer", valid_to=MERGER)
    merge(groningen, haren, ten_boer)
    for region, value in ((groningen, 50), (haren, 4), (ten_boer, 2)):
        measure(count, region, 2018, value=value)
    measure(count, groningen, 2019, value=58)

    series = series_across_mergers(count, groningen)

    assert [(p.value, p.from_predecessors, p.complete) for p in series] == [
        (Decimal(56), True, True),
        (Decimal(58), False, True),
    ]
    assert series[0].predecessors == ("GM0009", "GM0017")


def test_through_two_mergers_and_a_split_that_is_left_out_and_marked(count):
    graafstroom = MunicipalityFactory(code="GM0693", name="Graafstroom", valid_to=D(2013, 1, 1))
    molenwaard = MunicipalityFactory(
        code="GM1927", name="Molenwaard", valid_from=D(2013, 1, 1), valid_to=MERGER
    )
    giessenlanden = MunicipalityFactory(code="GM0689", name="Giessenlanden", valid_to=MERGER)
    molenlanden = MunicipalityFactory(code="GM1978", name="Molenlanden", valid_from=MERGER)
    merge(molenwaard, graafstroom, on=D(2013, 1, 1))
    merge(molenlanden, molenwaard, giessenlanden)
    measure(count, graafstroom, 2012, value=2)
    measure(count, molenwaard, 2016, value=5)
    measure(count, giessenlanden, 2016, value=3)
    # Graafstroom's figure for 2016 would be an error in the data: it no longer existed.
    measure(count, graafstroom, 2016, value=100)

    series = series_across_mergers(count, molenlanden)
    assert [(p.period_label, p.value, p.predecessors) for p in series] == [
        ("2012", Decimal(2), ("GM0693",)),
        ("2016", Decimal(8), ("GM0689", "GM1927")),
    ]
    # 2012: Giessenlanden existed but has no figure.
    assert [p.complete for p in series] == [False, True]

    waadhoeke = MunicipalityFactory(code="GM1949", name="Waadhoeke", valid_from=D(2018, 1, 1))
    franekeradeel = MunicipalityFactory(code="GM0070", name="Franekeradeel", valid_to=D(2018, 1, 1))
    littenseradiel = MunicipalityFactory(
        code="GM0140", name="Littenseradiel", valid_to=D(2018, 1, 1)
    )
    merge(waadhoeke, franekeradeel, on=D(2018, 1, 1))
    merge(waadhoeke, littenseradiel, on=D(2018, 1, 1), whole=False)
    measure(count, franekeradeel, 2017, value=7)
    measure(count, littenseradiel, 2017, value=3)
    (point,) = series_across_mergers(count, waadhoeke)
    assert (point.value, point.complete, point.partly_elsewhere) == (
        Decimal(7),
        False,
        ("GM0140",),
    )


def test_hours_have_no_sum_but_a_single_figure_passes(hours, vijfheerenlanden):
    new, leerdam, vianen, _zederik = vijfheerenlanden
    measure(hours, leerdam, 2017, value=12)
    measure(hours, vianen, 2017, value=16)
    measure(hours, leerdam, 2018, value=14)
    series = series_across_mergers(hours, new)
    assert [p.value for p in series] == [None, Decimal(14)]


def test_only_approved_figures_unless_asked(count, vijfheerenlanden):
    new, leerdam, *_ = vijfheerenlanden
    submitted = measure(count, leerdam, 2017, value=3)
    Measurement.objects.filter(pk=submitted.pk).update(approval="submitted")
    assert series_across_mergers(count, new) == []
    assert [p.value for p in series_across_mergers(count, new, approved_only=False)] == [3]


def test_a_few_queries_whatever_the_length_of_the_series(
    count, vijfheerenlanden, django_assert_max_num_queries
):
    new, leerdam, vianen, zederik = vijfheerenlanden
    for year in range(2010, 2019):
        for region in (leerdam, vianen, zederik):
            measure(count, region, year, value=1)
    for year in range(2019, 2026):
        measure(count, new, year, value=3)
    # The predecessors (one per generation, and the end of the tree), the figures grouped
    # per period, and the codes of the predecessors per period.
    with django_assert_max_num_queries(4):
        series = series_across_mergers(count, new)
    assert len(series) == 16 and all(p.value == 3 for p in series)
