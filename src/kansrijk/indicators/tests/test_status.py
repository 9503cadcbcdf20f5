"""Status against the path from baseline to target (docs/indicators-status.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from kansrijk.indicators.models import Baseline, Indicator, Measurement, Target
from kansrijk.indicators.status import expected_on, indicator_status
from kansrijk.testing.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 1)


@pytest.fixture
def maassluis():
    return MunicipalityFactory(code="GM0556", name="Maassluis")


@pytest.fixture
def reach(maassluis):
    """VVE reach in Maassluis: 72 % in 2019, target 90 % at the end of 2021."""
    indicator = Indicator.objects.create(
        code="vve-bereik",
        name="Bereik voorschoolse educatie",
        unit="percentage",
        numerator_definition="geïndiceerde kinderen die deelnemen",
        denominator_definition="geïndiceerde kinderen",
        period_type="calendar_year",
    )
    Baseline.objects.create(
        indicator=indicator,
        region=maassluis,
        period_label="2019",
        date=datetime.date(2019, 12, 31),
        numerator=72,
        denominator=100,
    )
    Target.objects.create(
        indicator=indicator, region=maassluis, date=datetime.date(2021, 12, 31), value=90
    )
    return indicator


def measure(indicator, region, year, *, approval="approved", **figures):
    return Measurement.objects.create(
        indicator=indicator,
        region=region,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        period_label=str(year),
        approval=approval,
        **figures,
    )


def test_expected_value_halfway_is_halfway():
    expected = expected_on(
        datetime.date(2019, 12, 31),
        Decimal(72),
        datetime.date(2021, 12, 31),
        Decimal(90),
        datetime.date(2020, 12, 31),
    )
    assert round(expected, 1) == Decimal("81.0")


@pytest.mark.parametrize(
    ("numerator", "code", "label", "sentence"),
    [
        (
            91,
            "achieved",
            "doel gehaald",
            "Doel gehaald: 91% in 2020, en het doel was 90% in 2021.",
        ),
        (
            90,
            "achieved",
            "doel gehaald",
            "Doel gehaald: 90% in 2020, en het doel was 90% in 2021.",
        ),
        (
            82,
            "on_track",
            "op schema",
            "Op schema: 82% in 2020, en op weg naar het doel van 90% in 2021 "
            "(vertrekpunt 72% in 2019) was 81% nodig.",
        ),
        (  # 1 short of 81, margin is 1,8
            80,
            "at_risk",
            "iets achter",
            "Iets achter op schema: 80% in 2020, terwijl op weg naar het doel van 90% in "
            "2021 (vertrekpunt 72% in 2019) 81% nodig was.",
        ),
        (
            75,
            "behind",
            "ruim achter",
            "Ruim achter op schema: 75% in 2020, terwijl op weg naar het doel van 90% in "
            "2021 (vertrekpunt 72% in 2019) 81% nodig was.",
        ),
    ],
)
def test_the_four_statuses_with_a_measurement(reach, maassluis, numerator, code, label, sentence):
    measure(reach, maassluis, 2020, numerator=numerator, denominator=100)
    status = indicator_status(reach, region=maassluis, today=TODAY)
    assert (status.code, status.label) == (code, label)
    assert status.latest_value == numerator
    assert status.baseline == 72
    assert status.target == 90
    assert status.explanation == sentence


def test_the_explanation_names_the_figures(reach, maassluis):
    measure(reach, maassluis, 2020, numerator=80, denominator=100)
    status = indicator_status(reach, region=maassluis, today=TODAY)
    assert round(status.expected_value, 1) == Decimal("81.0")
    assert "80% in 2020" in status.explanation
    assert "vertrekpunt 72% in 2019" in status.explanation
    assert "90% in 2021" in status.explanation


def test_past_the_target_date_the_sentence_holds_the_figure_against_the_goal(reach, maassluis):
    measure(reach, maassluis, 2021, numerator=848, denominator=1000)
    status = indicator_status(reach, region=maassluis, today=TODAY)
    assert status.explanation == (
        "Ruim achter op schema: 84,8% in 2021, terwijl het doel 90% in 2021 was "
        "(vertrekpunt 72% in 2019)."
    )


def test_without_figures_the_sentence_says_so(reach, maassluis):
    status = indicator_status(reach, region=maassluis, today=TODAY)
    assert (status.label, status.explanation) == (
        "geen gegevens",
        "Geen gegevens: er is nog geen goedgekeurde meting.",
    )


def test_the_latest_approved_measurement_counts(reach, maassluis):
    measure(reach, maassluis, 2020, numerator=85, denominator=100)
    measure(reach, maassluis, 2021, numerator=95, denominator=100, approval="submitted")
    status = indicator_status(reach, region=maassluis, today=TODAY)
    assert status.code == "on_track"
    assert status.latest_period == "2020"


def test_no_data_without_a_measurement_or_a_target(reach, maassluis):
    assert indicator_status(reach, region=maassluis, today=TODAY).code == "no_data"
    other = MunicipalityFactory()
    measure(reach, other, 2020, numerator=85, denominator=100)
    status = indicator_status(reach, region=other, today=TODAY)
    # Figures but no target: not "geen gegevens" but what is missing.
    assert (status.code, status.label) == ("no_target", "geen streefwaarde")
    assert "streefwaarde" in status.explanation


def test_after_the_target_date_the_path_is_the_target(reach, maassluis):
    measure(reach, maassluis, 2023, numerator=89, denominator=100)
    status = indicator_status(reach, region=maassluis, today=TODAY)
    assert status.expected_value == 90
    assert status.code == "at_risk"  # 1 short, margin 1,8


def test_the_next_target_not_yet_passed_is_used(reach, maassluis):
    Target.objects.create(
        indicator=reach, region=maassluis, date=datetime.date(2025, 12, 31), value=95
    )
    measure(reach, maassluis, 2023, numerator=92, denominator=100)
    status = indicator_status(reach, region=maassluis, today=TODAY)
    assert status.target == 95
    assert status.target_date == datetime.date(2025, 12, 31)
    # path 72 (2019) → 95 (2025): on 31-12-2023 that is 72 + 23 × 4/6 ≈ 87,3
    assert status.code == "on_track"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (Decimal("1.5"), "achieved"),
        (Decimal("2.2"), "on_track"),
        (Decimal("2.35"), "at_risk"),
        (Decimal("3.5"), "behind"),
    ],
)
def test_lower_is_better(maassluis, value, code):
    """Early school leaving: 3,0 % (2019) → 1,5 % (2023); halfway (2021) the path is 2,25."""
    vsv = Indicator.objects.create(
        code="vsv",
        name="Voortijdig schoolverlaters",
        unit="percentage",
        polarity="lower",
        period_type="calendar_year",
        decimals=1,
    )
    Baseline.objects.create(
        indicator=vsv,
        region=maassluis,
        period_label="2019",
        date=datetime.date(2019, 12, 31),
        value=Decimal(3),
    )
    Target.objects.create(
        indicator=vsv, region=maassluis, date=datetime.date(2023, 12, 31), value=Decimal("1.5")
    )
    # 2021-12-31 is 731 of 1461 days: expected ≈ 2,25; margin 0,15 → risk up to ≈ 2,40
    measure(vsv, maassluis, 2021, value=value)
    assert indicator_status(vsv, region=maassluis, today=TODAY).code == code


def test_without_baseline_only_the_target_counts(maassluis):
    indicator = Indicator.objects.create(
        code="uren", name="Uren voorschoolse educatie", unit="hours", period_type="calendar_year"
    )
    Target.objects.create(
        indicator=indicator, region=maassluis, date=datetime.date(2025, 12, 31), value=16
    )
    measure(indicator, maassluis, 2024, value=12)
    assert indicator_status(indicator, region=maassluis, today=TODAY).code == "at_risk"
    measure(indicator, maassluis, 2026, value=12)
    assert indicator_status(indicator, region=maassluis, today=TODAY).code == "behind"


def test_statuses_for_regions_equals_one_by_one(reach, maassluis, django_assert_max_num_queries):
    """The bulk function used by list pages gives the same answer as the single one."""
    measure(reach, maassluis, 2020, numerator=80, denominator=100)
    measure(reach, maassluis, 2021, numerator=85, denominator=100, approval="submitted")
    other = MunicipalityFactory()
    Target.objects.create(indicator=reach, region=other, date=datetime.date(2021, 12, 31), value=90)
    measure(reach, other, 2021, numerator=95, denominator=100)
    from kansrijk.indicators.models import Indicator
    from kansrijk.indicators.status import indicator_status, statuses_for_regions

    pairs = [
        (indicator, region)
        for indicator in Indicator.objects.all()
        for region in {t.region for t in indicator.targets.all() if t.region}
    ]
    with django_assert_max_num_queries(3):
        bulk = statuses_for_regions(pairs)
    assert len(pairs) == 2
    for indicator, region in pairs:
        assert bulk[(indicator.pk, region.pk)] == indicator_status(indicator, region=region)
    assert {s.code for s in bulk.values()} == {"at_risk", "achieved"}
