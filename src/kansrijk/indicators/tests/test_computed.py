"""The computed indicator of the agenda: share of activities on schedule."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kansrijk.agenda import services
from kansrijk.agenda.indicators import ON_SCHEDULE_KEY, activities_on_schedule
from kansrijk.agenda.models import Activity, ActivityKind, AgendaKind, Goal, WorkStatus
from kansrijk.indicators import computed
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.indicators.services import refresh_computed

pytestmark = pytest.mark.django_db

END = datetime.date(2024, 6, 30)


@pytest.fixture
def editor(make_member, municipality_organisation):
    return make_member(municipality_organisation)


@pytest.fixture
def agenda(editor, municipality_organisation):
    agenda = services.create_agenda(
        actor=editor,
        owners=[municipality_organisation],
        regions=[municipality_organisation.municipality],
        slug="testagenda",
        title="Testagenda",
        kind=AgendaKind.EXECUTION_AGENDA,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
    )
    goal = services.save_item(
        Goal(agenda=agenda), actor=editor, external_id="doel-1", number="1", text="Doel"
    )
    plan = [
        ("a", WorkStatus.DONE, [1, 2]),
        ("b", WorkStatus.RUNNING, [5, 9]),
        ("c", WorkStatus.PLANNED, [3]),  # late
        ("d", WorkStatus.POSTPONED, [6]),  # late
        ("e", WorkStatus.CANCELLED, [4]),  # left out
        ("f", WorkStatus.PLANNED, [9]),  # not due yet
        ("g", WorkStatus.DONE, []),  # never planned
    ]
    for external_id, status, months in plan:
        activity = services.save_item(
            Activity(agenda=agenda, goal=goal),
            actor=editor,
            external_id=external_id,
            kind=ActivityKind.MAIN,
            title=f"Activiteit {external_id}",
            status=status,
        )
        services.set_planned_months(
            activity, [datetime.date(2024, m, 1) for m in months], actor=editor
        )
    return agenda


@pytest.fixture
def indicator(agenda):
    indicator = Indicator.objects.create(
        code="activiteiten-op-schema",
        name="Activiteiten op schema",
        unit="percentage",
        numerator_definition="activiteiten die gestart of afgerond zijn",
        denominator_definition="activiteiten die gepland waren (niet vervallen)",
        period_type="month",
        source_kind="computed",
        computed_key=ON_SCHEDULE_KEY,
    )
    indicator.goals.set(agenda.goals.all())
    return indicator


def test_it_is_registered():
    assert computed.REGISTRY[ON_SCHEDULE_KEY] is activities_on_schedule


def test_share_of_activities_on_schedule(agenda, indicator, municipality_organisation):
    with CaptureQueriesContext(connection) as queries:
        figures = computed.compute(
            ON_SCHEDULE_KEY,
            indicator=indicator,
            period_start=datetime.date(2024, 6, 1),
            period_end=END,
        )
    assert len(queries) <= 4  # agendas, owners (prefetch), their gemeenten, the counts
    [figure] = figures
    assert (figure.numerator, figure.denominator) == (Decimal(2), Decimal(4))
    assert figure.period_label == "2024-06"
    assert figure.region_code == municipality_organisation.municipality.code
    assert "2 van de 4 activiteiten" in figure.story


def test_an_agenda_can_be_given_by_slug(agenda):
    [figure] = activities_on_schedule(agenda="testagenda", period_end=datetime.date(2024, 9, 30))
    # b running (May), a done, c and d late, f planned for September and not started
    assert (figure.numerator, figure.denominator) == (2, 5)
    assert activities_on_schedule(agenda="testagenda", period_end=datetime.date(2023, 1, 31)) == []


def test_refresh_stores_an_approved_measurement(agenda, indicator, editor):
    [measurement] = refresh_computed(
        indicator, actor=editor, period_start=datetime.date(2024, 6, 1), period_end=END
    )
    measurement = Measurement.objects.get(pk=measurement.pk)
    assert measurement.approval == "approved"
    assert measurement.display_value == 50
    assert measurement.region.code == agenda.owners.get().municipality.code
