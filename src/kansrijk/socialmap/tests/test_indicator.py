"""Participation appears as an indicator in the monitor: the sociale kaart registers
"socialmap-participation-rate" (participants / pupils in scope, pupils from the reference
data); the monitor refreshes it like any computed indicator and shows it on its pages and
in its API."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.indicators import computed
from kansrijk.indicators.disclosure import Disclosure
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.indicators.services import refresh_computed
from kansrijk.socialmap.indicators import (
    PARTICIPATION_KEY,
    participation_rate,
    refresh_participation,
)
from kansrijk.socialmap.models import ServiceStatus
from kansrijk.socialmap.tests.factories import ParticipationFactory, ServiceFactory
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

SCHOOL_YEAR = {"period_start": datetime.date(2023, 8, 1), "period_end": datetime.date(2024, 7, 31)}


@pytest.fixture
def counts(provider, gemeente, school):
    """265 + 513 pupils in the gemeente; 9 at one school, 120 for the whole gemeente, and
    the counts of a concept that must not count."""
    factories.SchoolFactory(municipality=gemeente, pupil_count=513)
    homework = ServiceFactory(provider=provider, name="Huiswerkbegeleiding")
    culture = ServiceFactory(provider=provider, name="Cultuurmenu")
    concept = ServiceFactory(provider=provider, status=ServiceStatus.CONCEPT)
    ParticipationFactory(
        service=homework, school=school, region=None, participants=9, is_illustrative=True
    )
    ParticipationFactory(service=culture, region=gemeente, participants=120)
    ParticipationFactory(service=concept, region=gemeente, participants=500)
    return {"homework": homework}


@pytest.fixture
def indicator(municipality_organisation):
    return Indicator.objects.create(
        code="sociale-kaart-deelname",
        name="Deelname aan het aanbod van de sociale kaart",
        unit="percentage",
        numerator_definition="deelnames aan aanbod van de sociale kaart in de gemeente",
        denominator_definition="leerlingen van de schoolvestigingen in de gemeente (DUO)",
        period_type="school_year",
        source_kind="computed",
        computed_key=PARTICIPATION_KEY,
        owner=municipality_organisation,
        is_public=True,
    )


def test_it_is_registered_in_the_monitor():
    assert computed.REGISTRY[PARTICIPATION_KEY] is participation_rate


def test_participants_over_the_pupils_in_scope(counts, indicator, gemeente, school):
    with CaptureQueriesContext(connection) as queries:
        figures = computed.compute(PARTICIPATION_KEY, indicator=indicator)
    assert len(queries) <= 6
    by_scope = {(f.region_code, f.organisation_id): f for f in figures}
    municipal = by_scope[(gemeente.code, None)]
    assert (municipal.numerator, municipal.denominator) == (Decimal(129), Decimal(265 + 513))
    assert municipal.period_label == "2023/2024"
    # The story sits beside a figure that may be hidden: it holds no number.
    assert "Deelnames aan het aanbod" in municipal.story
    assert not re.search(r"\d", municipal.story)
    assert "Berekend uit illustratieve" in municipal.story and municipal.extra["illustrative"]
    at_school = by_scope[("", school.pk)]
    assert (at_school.numerator, at_school.denominator) == (Decimal(9), Decimal(265))


def test_the_monitor_refreshes_it_and_shows_it(client, counts, indicator, gemeente):
    stored = refresh_computed(indicator, actor=None)
    assert len(stored) == 2
    measurement = Measurement.objects.get(indicator=indicator, region=gemeente)
    assert measurement.approval == "approved"
    assert round(measurement.display_value, 1) == Decimal("16.6")
    # The monitor lists it with its value, on the page and in the API.
    overview = client.get(reverse("indicators:overview")).content.decode()
    assert "Deelname aan het aanbod van de sociale kaart" in overview
    detail = client.get(reverse("indicators:detail", args=[indicator.code])).content.decode()
    assert "17%" in detail or "17 %" in detail
    codes = [row["code"] for row in client.get("/api/v1/indicators").json()["results"]]
    assert indicator.code in codes
    rows = client.get("/api/v1/measurements", {"indicator": indicator.code}).json()["results"]
    assert {row["published_value"] for row in rows} >= {"17%"}


def test_the_demo_refresh_marks_illustrative_figures_and_writes_nothing_twice(
    counts, indicator, gemeente
):
    assert refresh_participation(indicator, actor=None) == 2
    assert Measurement.objects.get(indicator=indicator, region=gemeente).is_generated
    audit_rows = AuditEvent.objects.count()
    assert refresh_participation(indicator, actor=None) == 0
    assert AuditEvent.objects.count() == audit_rows


def test_small_participation_is_suppressed_on_the_public_dashboard(
    client, provider, gemeente, indicator
):
    factories.SchoolFactory(municipality=gemeente, pupil_count=400)
    ParticipationFactory(service=ServiceFactory(provider=provider), region=gemeente, participants=3)
    refresh_computed(indicator, actor=None)
    html = client.get(reverse("indicators:public"), {"onderwerp": indicator.code}).content.decode()
    section = html[html.index("Deelname aan het aanbod van de sociale kaart") :]
    assert "&lt;5" in section[: section.index("</table>")]


def test_one_mask_for_the_counts_on_every_surface(client, provider, gemeente, school, indicator):
    """A school's total is published in the monitor and every entry's count at the school
    in the API: with one small count, a second is hidden (".") on every surface, so the
    small one cannot be worked out as the total minus the rest."""
    factories.SchoolFactory(municipality=gemeente, pupil_count=400)
    homework = ServiceFactory(provider=provider, name="Huiswerkklas")
    sport = ServiceFactory(provider=provider, name="Sportinstuif")
    culture = ServiceFactory(provider=provider, name="Cultuurmenu")
    small = ParticipationFactory(service=homework, school=school, region=None, participants=3)
    larger = ParticipationFactory(service=sport, school=school, region=None, participants=20)
    ParticipationFactory(service=culture, school=school, region=None, participants=40)
    refresh_computed(indicator, actor=None)

    rows = client.get("/api/v1/socialmap/participation").json()["results"]
    published = {row["id"]: row["published_participants"] for row in rows}
    assert published[small.pk] == "<5"
    assert published[larger.pk] == "."  # the smallest of the rest, and not "<5": it is 20
    # The school's total (63) stays published in the monitor: two counts are hidden.
    at_school = Measurement.objects.get(indicator=indicator, organisation=school)
    assert not at_school.withheld
    # Each entry's page hides its own total the same way.
    page = client.get(reverse("socialmap:detail", args=[sport.uuid]))
    assert [row["shown"] for row in page.context["participation"]] == ["."]
    assert "geheim" in page.content.decode()


def test_a_total_the_sociale_kaart_withholds_is_hidden_in_the_monitor(
    client, provider, gemeente, school, indicator
):
    """An entry counts 8 at one school and 2 at another school of the same gemeente, whose
    total (10) the monitor publishes. To protect the 2, the 8 is hidden — and with it the
    first school's total, which is that same 8: the monitor shows it as "." too. The
    entry's own total on its page is hidden rather than protected."""
    other_school = factories.SchoolFactory(municipality=gemeente, pupil_count=400)
    homework = ServiceFactory(provider=provider, name="Huiswerkklas")
    ParticipationFactory(service=homework, school=school, region=None, participants=8)
    ParticipationFactory(service=homework, school=other_school, region=None, participants=2)
    refresh_computed(indicator, actor=None)

    at_school = Measurement.objects.get(indicator=indicator, organisation=school)
    assert at_school.withheld
    figures = Disclosure(public=True).figures([at_school])
    assert figures[0].value.text == "." and figures[0].numerator.text == "."
    rows = client.get("/api/v1/measurements", {"indicator": indicator.code}).json()["results"]
    by_scope = {row["organisation"]: row["published_value"] for row in rows if row["organisation"]}
    assert by_scope[school.code] == "."
    page = client.get(reverse("socialmap:detail", args=[homework.uuid]))
    assert [row["shown"] for row in page.context["participation"]] == ["."]
