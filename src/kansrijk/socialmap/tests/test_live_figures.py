"""Live participation figures (docs/decisions/0022): a participation count entered through
the API or imported from a spreadsheet, and an entry published or archived, change the
participation indicator after the commit, without anyone running a command.

The gemeente has 265 + 535 = 800 pupils; "Huiswerkbegeleiding" is published."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from kansrijk.audit.models import AuditEvent
from kansrijk.indicators import services as indicator_services
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.socialmap import importing, services
from kansrijk.socialmap.indicators import PARTICIPATION_KEY
from kansrijk.socialmap.models import ServiceStatus
from kansrijk.socialmap.tests.factories import ParticipationFactory, ServiceFactory
from kansrijk.testing import factories

from .test_importing import csv_bytes

pytestmark = pytest.mark.django_db

PARTICIPATION = "/api/v1/socialmap/participation"


@pytest.fixture
def entry(provider, gemeente, school):
    factories.SchoolFactory(municipality=gemeente, pupil_count=535)
    return ServiceFactory(provider=provider, name="Huiswerkbegeleiding")


@pytest.fixture
def indicator(municipality_organisation):
    return Indicator.objects.create(
        code="sociale-kaart-deelname",
        name="Deelname aan het aanbod van de sociale kaart",
        unit="percentage",
        numerator_definition="deelnames",
        denominator_definition="leerlingen",
        period_type="school_year",
        source_kind="computed",
        computed_key=PARTICIPATION_KEY,
        owner=municipality_organisation,
        is_public=True,
    )


def rate(indicator, gemeente):
    found = Measurement.objects.filter(indicator=indicator, region=gemeente).first()
    return None if found is None else (found.numerator, found.denominator)


def test_a_count_entered_through_the_api_changes_the_figure(
    entry, school, gemeente, indicator, partner_trio, django_capture_on_commit_callbacks
):
    api = APIClient()
    api.force_authenticate(partner_trio["member"])
    body = {
        "service": str(entry.uuid),
        "period": "2023/2024",
        "school": school.code,
        "participants": 40,
    }
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(PARTICIPATION, body, format="json").status_code == 201
    assert rate(indicator, gemeente) == (40, 800)
    at_school = Measurement.objects.get(indicator=indicator, organisation=school)
    assert (at_school.numerator, at_school.denominator) == (40, 265)
    assert at_school.computed_at is not None
    # A new count for the same school and year replaces the figure.
    with django_capture_on_commit_callbacks(execute=True):
        api.post(PARTICIPATION, {**body, "participants": 60}, format="json")
    assert rate(indicator, gemeente) == (60, 800)


def test_an_import_changes_the_figure_in_one_refresh(
    entry,
    school,
    gemeente,
    indicator,
    partner_trio,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    calls = []
    original = indicator_services.refresh_live
    monkeypatch.setattr(
        indicator_services, "refresh_live", lambda **kw: calls.append(kw) or original(**kw)
    )
    rows = [
        ["aanbod", "periode", "school", "gebied", "deelnemers"],
        [str(entry.uuid), "2022/2023", school.code, "", "9"],
        [str(entry.uuid), "2022/2023", "", gemeente.code, "120"],
        [str(entry.uuid), "2023/2024", "", gemeente.code, "80"],
    ]
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_participation(csv_bytes(rows), "d.csv", actor=partner_trio["member"])
    assert len(calls) == 1
    figures = {
        m.period_label: (m.numerator, m.denominator)
        for m in Measurement.objects.filter(indicator=indicator, region=gemeente)
    }
    assert figures == {"2022/2023": (129, 800), "2023/2024": (80, 800)}


def test_archiving_the_only_entry_withdraws_its_figures_and_publishing_brings_them_back(
    entry, school, gemeente, indicator, django_capture_on_commit_callbacks
):
    ParticipationFactory(service=entry, region=gemeente, participants=120)
    indicator_services.refresh_all(actor=None)
    assert rate(indicator, gemeente) == (120, 800)
    with django_capture_on_commit_callbacks(execute=True):
        services.archive_service(entry, actor=None)
    assert rate(indicator, gemeente) is None
    assert AuditEvent.objects.filter(action="indicators.measurement.withdraw").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.submit_service(entry, actor=None)
        services.approve_service(entry, actor=None)
    assert rate(indicator, gemeente) == (120, 800)


def test_a_concept_s_count_changes_nothing(
    provider, gemeente, indicator, django_capture_on_commit_callbacks, monkeypatch
):
    calls = []
    monkeypatch.setattr(indicator_services, "refresh_live", lambda **kw: calls.append(kw))
    concept = ServiceFactory(provider=provider, status=ServiceStatus.CONCEPT)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_participation(
            actor=None,
            service=concept,
            period_start=datetime.date(2023, 8, 1),
            period_end=datetime.date(2024, 7, 31),
            period_label="2023/2024",
            participants=50,
            region=gemeente,
        )
    assert calls == []


def test_a_second_refresh_writes_nothing(entry, gemeente, indicator):
    ParticipationFactory(service=entry, region=gemeente, participants=120)
    assert indicator_services.refresh_all(actor=None).written == 1
    audit_rows, history = AuditEvent.objects.count(), Measurement.history.count()
    out = io.StringIO()
    call_command("refresh_computed", stdout=out)
    assert "0 cijfer(s) nieuw of gewijzigd, 0 ingetrokken, 1 ongewijzigd" in out.getvalue()
    assert (AuditEvent.objects.count(), Measurement.history.count()) == (audit_rows, history)
