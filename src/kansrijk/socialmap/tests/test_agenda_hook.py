"""The goal page shows its services: under each goal of an agenda page the services of
the sociale kaart that serve the goal or carry out an intervention linked to it, only
those the visitor may see, in a number of queries that does not grow with the goals."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.extensions import GOAL_SECTIONS
from kansrijk.agenda.models import Goal, Intervention, Spearhead
from kansrijk.socialmap.agenda_hooks import services_of_goals
from kansrijk.socialmap.models import ServiceStatus
from kansrijk.socialmap.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(municipality_organisation, gemeente):
    agenda = agenda_services.create_agenda(
        actor=None,
        owners=[municipality_organisation],
        regions=[gemeente],
        slug="gelijke-kansen",
        title="Gelijke kansen",
        kind="gka_agenda",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        status="adopted",
        is_public=True,
    )
    spearhead = agenda_services.save_item(
        Spearhead(agenda=agenda), actor=None, external_id="sp1", number="1", title="Ouders"
    )
    for number in (1, 2):
        agenda_services.save_item(
            Goal(agenda=agenda),
            actor=None,
            external_id=f"doel-{number}",
            number=str(number),
            text=f"Doel {number}",
            spearhead=spearhead,
        )
    intervention = agenda_services.save_item(
        Intervention(agenda=agenda), actor=None, external_id="peuterplus", name="Peuterplus"
    )
    intervention.goals.set([agenda.goals.get(external_id="doel-2")])
    return agenda


def goal_cell(html: str, external_id: str) -> str:
    row = html[html.index(f'id="doel-{external_id}"') :]
    return row[: row.index("</tr>")]


def test_the_goal_page_shows_its_services(client, agenda, provider):
    workshops = ServiceFactory(provider=provider, name="Workshops voor ouders")
    workshops.goals.set([agenda.goals.get(external_id="doel-1")])
    peuterplus = ServiceFactory(provider=provider, name="Peuterplus Leerdam")
    peuterplus.interventions.set([agenda.interventions.get()])
    hidden = ServiceFactory(provider=provider, name="Nog een concept", status=ServiceStatus.CONCEPT)
    hidden.goals.set([agenda.goals.get(external_id="doel-1")])

    assert services_of_goals in GOAL_SECTIONS
    html = client.get(reverse("agenda:detail", args=[agenda.slug])).content.decode()
    first, second = goal_cell(html, "doel-1"), goal_cell(html, "doel-2")
    assert "Aanbod op de sociale kaart" in first and workshops.get_absolute_url() in first
    assert "Nog een concept" not in first  # not published: not for the public
    assert "Peuterplus Leerdam" in second  # through the intervention of the goal
    assert "Workshops voor ouders" not in second


def test_the_number_of_queries_does_not_grow_with_the_goals(client, agenda, provider):
    url = reverse("agenda:detail", args=[agenda.slug])
    with CaptureQueriesContext(connection) as baseline:
        client.get(url)
    for number in range(3, 9):
        goal = agenda_services.save_item(
            Goal(agenda=agenda),
            actor=None,
            external_id=f"doel-{number}",
            number=str(number),
            text="x",
            spearhead=agenda.spearheads.get(),
        )
        ServiceFactory(provider=provider).goals.set([goal])
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(baseline)
