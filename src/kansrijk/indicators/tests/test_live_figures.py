"""The monitor's side of live computed figures (docs/decisions/0022), with a computed
indicator registered by the test itself: changes of one transaction become one task;
a rolled-back change none; a refresh writes only what changed, withdraws what the data
no longer gives; every computed figure says when it was computed, on the indicator's page,
in the API and in the CSV/XLSX export."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from openpyxl import load_workbook

from kansrijk.audit.models import AuditEvent
from kansrijk.indicators import computed, services
from kansrijk.indicators.computed import ComputedFigure, Run
from kansrijk.indicators.exporting import export_indicator
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

KEY = "test-live-count"
DAY = datetime.date(2026, 10, 1)
NOW = datetime.datetime(2026, 12, 6, 13, 3, tzinfo=datetime.UTC)  # 14:03 in Amsterdam


class Source:
    """A made-up source of data: a number per gemeente code."""

    def __init__(self):
        self.counts: dict[str, int] = {}

    def compute(self, indicator=None, *, regions=(), **kwargs):
        return [
            ComputedFigure(
                period_start=DAY,
                period_end=DAY,
                period_label=DAY.isoformat(),
                region_code=code,
                value=Decimal(self.counts[code]),
                story=f"{self.counts[code]} in het testregister.",
            )
            for code in regions
            if code in self.counts
        ]

    def plan(self, indicator, *, today, municipality_ids=None):
        region = indicator.owner.municipality
        if municipality_ids is not None and region.pk not in municipality_ids:
            return []
        return [Run({"regions": [region.code]}, Q(region=region))]


@pytest.fixture
def source(monkeypatch):
    source = Source()
    monkeypatch.setitem(computed.REGISTRY, KEY, source.compute)
    monkeypatch.setitem(computed.PLANS, KEY, source.plan)
    monkeypatch.setitem(computed.SOURCES, KEY, "test")
    return source


@pytest.fixture
def indicator(municipality_organisation, source):
    source.counts[municipality_organisation.municipality.code] = 7
    indicator = Indicator.objects.create(
        code="live",
        name="Een berekend aantal",
        unit="count",
        period_type="reference_date",
        source_kind="computed",
        computed_key=KEY,
        owner=municipality_organisation,
        is_public=True,
    )
    with time_machine.travel(NOW, tick=False):
        services.refresh_all(actor=None)
    return indicator


@pytest.fixture
def refreshes(monkeypatch):
    calls = []
    original = services.refresh_live
    monkeypatch.setattr(
        services, "refresh_live", lambda **kwargs: calls.append(kwargs) or original(**kwargs)
    )
    return calls


def stored(indicator):
    return Measurement.objects.get(indicator=indicator)


def test_the_changes_of_one_transaction_are_one_task(
    indicator, source, refreshes, django_capture_on_commit_callbacks
):
    gemeente = indicator.owner.municipality
    source.counts[gemeente.code] = 8
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        computed.changed("test", [gemeente.pk])
        computed.changed("test", [gemeente.pk, None])
        computed.changed("elders", [gemeente.pk + 1000])
    assert refreshes == [
        {
            "sources": ["elders", "test"],
            "municipality_ids": {gemeente.pk, gemeente.pk + 1000},
            "actor": None,
        }
    ]
    assert stored(indicator).value == 8
    # The next transaction is a task of its own.
    with django_capture_on_commit_callbacks(execute=True):
        computed.changed("test", [gemeente.pk])
    assert len(refreshes) == 2


def test_a_rolled_back_change_enqueues_nothing(
    indicator, source, refreshes, django_capture_on_commit_callbacks
):
    gemeente = indicator.owner.municipality
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                computed.changed("test", [gemeente.pk])
                raise RuntimeError("the change fails")
        except RuntimeError:
            pass
    assert refreshes == []
    # A change in another gemeente (not the indicator's) refreshes nothing of it.
    with django_capture_on_commit_callbacks(execute=True):
        computed.changed("test", [gemeente.pk + 1000])
    assert refreshes[0]["municipality_ids"] == {gemeente.pk + 1000}
    assert stored(indicator).computed_at == NOW


def test_an_unchanged_figure_is_not_written_again(indicator, source):
    history, audit_rows = Measurement.history.count(), AuditEvent.objects.count()
    later = NOW + datetime.timedelta(hours=2)
    with time_machine.travel(later, tick=False):
        result = services.refresh_all(actor=None)
    assert (result.indicators, result.written, result.withdrawn, result.unchanged) == (1, 0, 0, 1)
    assert (Measurement.history.count(), AuditEvent.objects.count()) == (history, audit_rows)
    assert stored(indicator).computed_at == later


def test_a_changed_figure_is_written_and_a_vanished_one_withdrawn(indicator, source):
    gemeente = indicator.owner.municipality
    source.counts[gemeente.code] = 9
    result = services.refresh_all(actor=None)
    assert (result.written, result.unchanged) == (1, 0)
    assert stored(indicator).value == 9
    assert AuditEvent.objects.filter(action="indicators.measurement.update").count() == 1
    del source.counts[gemeente.code]
    result = services.refresh_all(actor=None)
    assert result.withdrawn == 1
    assert not Measurement.objects.filter(indicator=indicator).exists()
    withdrawn = AuditEvent.objects.get(action="indicators.measurement.withdraw")
    assert withdrawn.before["value"] == "9.0000"


def test_a_cell_the_plan_does_not_cover_is_never_withdrawn(indicator, source):
    """The plan covers the gemeente's cells; a computed figure of a school, stored with
    the same period, is not the plan's to withdraw."""
    school = factories.SchoolFactory(municipality=indicator.owner.municipality)
    figure = ComputedFigure(
        period_start=DAY, period_end=DAY, period_label="x", organisation_id=school.pk, value=3
    )
    services.store_computed(indicator, [figure], actor=None)
    assert services.refresh_all(actor=None).withdrawn == 0
    assert Measurement.objects.filter(indicator=indicator, organisation=school).exists()


def test_a_figure_entered_by_hand_is_never_withdrawn(indicator, source):
    gemeente = indicator.owner.municipality
    Measurement.objects.filter(indicator=indicator).update(source="handmatig")
    del source.counts[gemeente.code]
    assert services.refresh_all(actor=None).withdrawn == 0
    assert Measurement.objects.filter(indicator=indicator).exists()


def test_an_indicator_without_a_plan_is_left_alone(municipality_organisation):
    Indicator.objects.create(
        code="agenda",
        name="Activiteiten op schema",
        unit="percentage",
        period_type="month",
        source_kind="computed",
        computed_key="agenda-activities-on-schedule",
        owner=municipality_organisation,
    )
    assert services.refresh_all(actor=None).indicators == 0


def test_the_page_says_when_it_was_computed(client, indicator):
    response = client.get(reverse("indicators:detail", args=[indicator.code]))
    assert "berekend op 6 december 2026 om 14:03" in response.content.decode()


def test_the_api_gives_when_it_was_computed(client, indicator):
    rows = client.get("/api/v1/measurements", {"indicator": indicator.code}).json()["results"]
    assert [row["computed_at"] for row in rows] == ["2026-12-06T14:03:00+01:00"]


def test_the_exports_give_when_it_was_computed(indicator):
    table = list(
        csv.DictReader(io.StringIO(export_indicator(indicator, "csv").decode("utf-8-sig")))
    )
    assert [row["berekend_op"] for row in table] == ["2026-12-06T14:03:00+01:00"]
    sheet = load_workbook(io.BytesIO(export_indicator(indicator, "xlsx"))).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(2, header.index("berekend_op") + 1).value == "2026-12-06T14:03:00+01:00"
