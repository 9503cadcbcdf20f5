"""The steering pages in a real browser (decision 0039): the agenda's rolled-up progress,
the evaluation moments on the timeline, "deze maand" with what falls due, and the page of
sent reminders; WCAG 2.1 A/AA by axe-core (0 violations) at 1280 and 390 pixels wide.

The data is the seed-like agenda of the view tests, as in test_agenda_pages."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from kansrijk.agenda.reminders import send_due_reminders
from kansrijk.agenda.tests.test_views import build_network, load_sample_agenda
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

from .login import log_in

pytestmark = pytest.mark.browser

SLUG = "voorbeeldstad-2022-2024"
WIDTHS = (1280, 390)


@pytest.fixture
def network(db):
    region = factories.MunicipalityFactory(code="GM9903", name="Voorbeeldstad")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Voorbeeldstad"
    )
    return build_network(gemeente)


@pytest.fixture
def agenda(network, tmp_path):
    return load_sample_agenda(tmp_path, network)


@pytest.fixture
def editor(network):
    user = factories.UserFactory(username="m.bakker", first_name="Mila", last_name="Bakker")
    factories.MembershipFactory(
        user=user, organisation=network["gemeente"], role=Role.POLICY_OFFICER
    )
    return user


def at_each_width(tab, check):
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})
        check(tab)


def test_the_steering_pages(page, agenda, editor, assert_accessible, screenshot):
    send_due_reminders(today=datetime.date(2022, 12, 5))
    log_in(page, editor)

    page.goto(reverse("agenda:detail", args=[SLUG]))
    assert page.get_by_role("progressbar", name="De hele agenda: 70%").is_visible()
    assert page.get_by_role("progressbar", name="Voortgang van dit speerpunt: 70%").is_visible()
    page.get_by_text("Hoe de voortgang wordt berekend").click()
    assert page.get_by_text("Elk onderdeel weegt even zwaar.").is_visible()
    at_each_width(page, assert_accessible)
    screenshot(page, "agenda_voortgang")

    page.goto(reverse("agenda:planning", args=[SLUG]))
    timeline = page.get_by_role("table", name="2 evaluatiemomenten per maand")
    assert "Niet uitgevoerd" in timeline.inner_text()
    at_each_width(page, assert_accessible)

    page.goto(reverse("agenda:this_month") + "?maand=2022-12")
    assert page.get_by_role("heading", name="Afspraken die deze maand vallen").is_visible()
    page.get_by_role("link", name="Welke herinneringen per e-mail zijn verstuurd").click()
    table = page.get_by_role("table", name="2 herinneringen, nieuwste eerst")
    assert editor.email in table.inner_text()
    at_each_width(page, assert_accessible)
    screenshot(page, "agenda_herinneringen")
