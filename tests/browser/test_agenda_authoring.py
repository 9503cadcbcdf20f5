"""Writing an agenda in a real browser, as a policy officer of Maassluis does it: goal 3
of the Maassluis uitvoeringsnota (seed 003) built from nothing, adopted, changed in a new
concept and adopted again after reading the diff; and an activity moved to another goal
with the keyboard alone. axe-core checks every page on the way at 1280 and 390 px wide."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from kansrijk.agenda import authoring
from kansrijk.agenda.models import Activity, ActivityKind, Agenda, AgendaStatus, Goal
from kansrijk.indicators.models import Indicator
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories

from .login import expect, log_in

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

GOAL_3 = (
    "Voorkomen dat de achterstand die doelgroep kinderen hebben op hun leeftijdsgenoten "
    "groter wordt."
)
ACTIVITY_HOURS = "Uitbreiding van 12 naar 16 uur peuteropvang in 2020"
ACTIVITY_REACH = "Indicatiestelling, toeleiding peuterconsulenten en meten bereik peuteropvang"


@pytest.fixture
def maassluis(db):
    region = factories.MunicipalityFactory(code="GM1842", name="Maassluis")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Maassluis"
    )
    cjg = factories.OrganisationFactory(
        kind=OrganisationKind.YOUTH_TEAM,
        name="Centrum voor Jeugd en Gezin Maassluis",
        municipality=region,
    )
    officer = factories.UserFactory(username="beleid.maassluis", first_name="Mirjam")
    factories.MembershipFactory(user=officer, organisation=gemeente, role=Role.POLICY_OFFICER)
    return {"region": region, "gemeente": gemeente, "cjg": cjg, "officer": officer}


def test_goal_3_of_maassluis_built_adopted_changed_and_adopted_again(
    page, maassluis, accessible_at_both_widths, screenshot
):
    check = accessible_at_both_widths
    log_in(page, maassluis["officer"])
    page.goto(reverse("agenda:list"))
    check(page)

    # A new agenda, from nothing.
    page.get_by_role("link", name="Nieuwe agenda").click()
    check(page)
    page.get_by_label("Titel").fill("Uitvoeringsnota Onderwijskansen Maassluis")
    page.get_by_label("Soort agenda").select_option(label="onderwijskansenbeleid")
    page.get_by_label("Looptijd vanaf").fill("2019-01-01")
    page.get_by_label("Looptijd tot en met").fill("2022-12-31")
    page.get_by_role("button", name="Agenda maken").click()
    expect(
        page.get_by_text("De conceptagenda 'Uitvoeringsnota Onderwijskansen Maassluis'")
    ).to_be_visible()
    check(page)
    agenda = Agenda.objects.get(title="Uitvoeringsnota Onderwijskansen Maassluis")
    page.get_by_role("link", name="Titel, looptijd, visie en inleiding").click()
    check(page)
    page.get_by_label("Visie").fill(
        "Het doel is om gelijke kansen voor alle kinderen, ongeacht hun startpositie te bevorderen."
    )
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("De gegevens van de agenda zijn opgeslagen.")).to_be_visible()

    # Goal 3.
    page.get_by_role("link", name="Doel toevoegen").click()
    check(page)
    page.get_by_label("Nummer").fill("3")
    page.get_by_label("Doel", exact=True).fill(GOAL_3)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_text("Het doel is toegevoegd.")).to_be_visible()
    goal = Goal.objects.get(agenda=agenda, number="3")

    # Its indicator: VVE reach 72 % in 2019, 90 % in 2021.
    page.get_by_role("link", name="Indicator toevoegen").click()
    check(page)
    page.get_by_label("Naam van de indicator").fill(
        "Bereik VVE: kinderen met een VVE-indicatie op de peuteropvang"
    )
    page.get_by_label("Eenheid").select_option("percentage")
    page.get_by_label("Nulmeting", exact=True).fill("72")
    page.get_by_label("Jaar van de nulmeting").fill("2019")
    page.get_by_label("Streefwaarde", exact=True).fill("90")
    page.get_by_label("Jaar van de streefwaarde").fill("2021")
    page.get_by_role("button", name="Indicator toevoegen").click()
    expect(page.get_by_text("De indicator is toegevoegd aan het doel.")).to_be_visible()
    indicator = Indicator.objects.get(goals=goal)
    assert indicator.baselines.get().value == 72 and indicator.targets.get().value == 90

    # Two activities with their months and a voortrekker.
    for title, months, lead in [
        (ACTIVITY_HOURS, ["aug 2020"], "Gemeente Maassluis"),
        (ACTIVITY_REACH, ["jan 2020", "sep 2020"], "Centrum voor Jeugd en Gezin Maassluis"),
    ]:
        page.get_by_role("link", name=re.compile(r"^Activiteit toevoegen aan doel 3\.")).click()
        check(page)
        page.get_by_label("Activiteit", exact=True).fill(title)
        for month in months:
            page.get_by_label(month, exact=True).check()
        page.get_by_label("Voortrekker", exact=True).select_option(label=lead)
        page.get_by_role("button", name="Opslaan").click()
        expect(page.get_by_text("De activiteit is toegevoegd.")).to_be_visible()
    check(page)
    screenshot(page, "agenda_bewerken")
    page.set_viewport_size(PHONE)
    screenshot(page, "agenda_bewerken_390")
    page.set_viewport_size(WIDE)
    reach = Activity.objects.get(agenda=agenda, title=ACTIVITY_REACH)
    assert [m.month for m in reach.planned_months.all()] == [
        datetime.date(2020, 1, 1),
        datetime.date(2020, 9, 1),
    ]
    assert reach.involvements.get(role="lead").organisation == maassluis["cjg"]

    # Adopted.
    page.get_by_role("link", name="Wijzigingen bekijken en de agenda vaststellen").click()
    check(page)
    page.get_by_label("Vastgesteld door").fill("gemeenteraad Maassluis")
    page.get_by_role("button", name="Vaststellen").click()
    expect(page.get_by_text("De agenda is vastgesteld")).to_be_visible()
    check(page)

    # Changed in a new concept: one activity, inline (htmx).
    page.get_by_role("link", name="Agenda bewerken", exact=True).click()
    page.get_by_role("button", name="Wijzigen in een nieuwe conceptversie").click()
    expect(page.get_by_text("De agenda is nu een concept.")).to_be_visible()
    check(page)
    page.get_by_role("link", name=re.compile(r"^Bewerken\s*:\s*Indicatiestelling")).click()
    form = page.locator(f"#item-activiteit-{reach.pk} form")
    form.get_by_label("Status").select_option(label="lopend")
    form.get_by_label("Voortgang (%)").fill("50")
    form.get_by_role("button", name="Opslaan").click()
    head = page.locator(f"#item-activiteit-{reach.pk}")
    head.get_by_text("Voortgang 50 %").wait_for()
    assert "Lopend" in head.inner_text()
    check(page)

    # The diff, then adopted again.
    page.get_by_role("link", name="Wijzigingen bekijken en de agenda vaststellen").click()
    changes = page.get_by_role("region", name="Wat is er veranderd sinds de vastgestelde versie")
    assert ACTIVITY_REACH in changes.inner_text()
    assert "1 onderdeel gewijzigd" in changes.inner_text()
    check(page)
    screenshot(page, "agenda_vaststellen_met_wijzigingen")
    page.get_by_label("Vastgesteld door").fill("gemeenteraad Maassluis")
    page.get_by_role("button", name="Vaststellen").click()
    expect(page.get_by_text("De agenda is vastgesteld")).to_be_visible()
    agenda.refresh_from_db()
    assert agenda.status == AgendaStatus.ADOPTED
    assert agenda.versions.count() == 2


def test_an_activity_moves_to_another_goal_with_the_keyboard_alone(
    page, maassluis, accessible_at_both_widths
):
    officer = maassluis["officer"]
    agenda = authoring.start_agenda(
        actor=officer,
        owner=maassluis["gemeente"],
        title="Uitvoeringsnota Onderwijskansen Maassluis",
        kind="educational_opportunities",
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2022, 12, 31),
    )
    goal_3 = authoring.save_item(
        Goal(agenda=agenda, external_id="doel-3"), actor=officer, number="3", text=GOAL_3
    )
    goal_4 = authoring.save_item(
        Goal(agenda=agenda, external_id="doel-4"),
        actor=officer,
        number="4",
        text="Ouders en kinderen actief betrokken in, en om de school en wijk.",
    )
    activity = authoring.save_item(
        Activity(agenda=agenda, goal=goal_3, kind=ActivityKind.MAIN, external_id="ouders"),
        actor=officer,
        title="Ouderactiviteiten op alle voorscholen",
    )
    log_in(page, officer)
    page.goto(reverse("agenda:editor", args=[agenda.slug]))
    accessible_at_both_widths(page)

    select_id = f"verplaats-activiteit-{activity.pk}"
    tab_until(page, f"#{select_id}")
    # On a closed select the arrow keys change the choice: goal 3 → goal 4.
    page.keyboard.press("ArrowDown")
    assert page.locator(f"#{select_id}").input_value() == str(goal_4.pk)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Verplaatsen")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Verplaatst naar 4.")).to_be_visible()
    assert Activity.objects.get(pk=activity.pk).goal == goal_4
    accessible_at_both_widths(page)


def tab_until(tab, selector: str, limit: int = 250) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user walks the page."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        if tab.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} kreeg na {limit} keer Tab geen focus")
