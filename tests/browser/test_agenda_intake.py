"""Bringing an agenda as a document, in a real browser: the Maassluis officer uploads
the uitvoeringsnota (seed 003) as a Word document, reviews what Kansrijk read in it with
two edits (an activity renamed and given another voortrekker with the keyboard, an
indicator dropped), and confirms it as a concept agenda in which goal 3 has its indicator, VVE
reach from 72 % in 2019 to 90 % in 2021. Nothing is in the agenda tables before the
confirmation. axe-core checks every page on the way at 1280 and 390 px wide."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from kansrijk.agenda.models import Activity, Agenda, Goal, InvolvementRole
from kansrijk.agenda_intake import samples, tree
from kansrijk.agenda_intake.models import AgendaDraft, DraftStatus
from kansrijk.indicators.models import Indicator
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories

from .login import expect, log_in

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SEED = Path(__file__).resolve().parents[2] / "src/kansrijk/demo_data/seeds/003-maassluis.txt"
RENAMED = "Uitbreiding van 12 naar 16 uur peuteropvang (vanaf augustus 2020)"


@pytest.fixture
def maassluis(db):
    region = factories.MunicipalityFactory(code="GM0556", name="Maassluis")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Maassluis"
    )
    officer = factories.UserFactory(username="maassluis", first_name="Mira")
    factories.MembershipFactory(user=officer, organisation=gemeente, role=Role.POLICY_OFFICER)
    # An organisation of the register that the note does not name: the officer makes it
    # the voortrekker of an activity.
    kindwijs = factories.OrganisationFactory(
        name="Peuteropvang Kindwijs", kind=OrganisationKind.CHILDCARE, municipality=region
    )
    return {"gemeente": gemeente, "officer": officer, "kindwijs": kindwijs}


def card(tab, key: str):
    return tab.locator(f"#item-{key} > .kansrijk-intake-card")


def nothing_in_the_agenda() -> bool:
    return not (Agenda.objects.exists() or Goal.objects.exists() or Indicator.objects.exists())


def test_the_maassluis_note_uploaded_reviewed_and_confirmed_as_a_concept_agenda(
    page, maassluis, accessible_at_both_widths, screenshot, tmp_path
):
    check = accessible_at_both_widths
    document = tmp_path / "Uitvoeringsnota onderwijskansen Maassluis.docx"
    document.write_bytes(samples.docx_from_text(SEED.read_text(encoding="utf-8")))

    log_in(page, maassluis["officer"])
    page.goto(reverse("agenda:list"))
    page.get_by_role("link", name="Nieuwe agenda").click()
    page.get_by_role("link", name="Begin met het document").click()
    check(page)
    screenshot(page, "agenda_uit_document")
    page.get_by_label("Eigenaar").select_option(str(maassluis["gemeente"].pk))
    page.get_by_label("Document").set_input_files(str(document))
    page.get_by_role("button", name="Document lezen").click()

    # The proposal, once read (the tests' task backend reads during the upload).
    expect(page.get_by_role("heading", level=1)).to_contain_text("Voorstel nakijken")
    draft = AgendaDraft.objects.get()
    assert draft.status == DraftStatus.READY
    assert nothing_in_the_agenda()
    check(page)
    screenshot(page, "agenda_uit_document_voorstel")
    page.set_viewport_size(PHONE)
    screenshot(page, "agenda_uit_document_voorstel_390")
    page.set_viewport_size(WIDE)

    items = tree.items(draft.proposal)
    under_goal_3 = [item for item in items if item.get("parent") == "goal-3"]
    indicators = [item for item in under_goal_3 if item["kind"] == "indicator"]
    # The nulmeting and the streefwaarde of the passage are proposed as one indicator.
    (reach,) = [i for i in indicators if i["fields"].get("baseline_value") == 72]
    assert (
        reach["fields"]["baseline_year"],
        reach["fields"]["target_value"],
        reach["fields"]["target_year"],
    ) == (2019, 90, 2021)
    activity = next(item for item in under_goal_3 if item["kind"] == "activity")

    # Edit 1: an activity renamed, on its own page, and given another voortrekker with
    # the keyboard alone: the one proposed (if any) becomes a partner, and an
    # organisation of the register, typed in, leads.
    card(page, activity["key"]).get_by_role("link", name="Bewerken").click()
    expect(page.get_by_role("heading", name="Wie doet wat")).to_be_visible()
    check(page)
    page.get_by_label("Activiteit", exact=True).fill(RENAMED)
    for role in page.locator("select[name^='involvement_'][name$='_role']").all():
        if role.input_value() == InvolvementRole.LEAD:
            role.focus()
            page.keyboard.type("Partner")
            expect(role).to_have_value(InvolvementRole.PARTNER)
    page.get_by_label("Organisatie uit het register").focus()
    page.keyboard.type("Kindwijs")
    page.keyboard.press("Tab")  # past the party's text box, to the role
    page.keyboard.press("Tab")
    page.keyboard.type("Voortrekker")
    expect(page.get_by_label("Rol", exact=True)).to_have_value(InvolvementRole.LEAD)
    page.get_by_role("button", name="Opslaan").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("is gewijzigd en wordt overgenomen")).to_be_visible()
    expect(card(page, activity["key"])).to_contain_text("Peuteropvang Kindwijs (voortrekker)")
    # Opened again, the form shows who does what, each with a role to change or remove.
    card(page, activity["key"]).get_by_role("link", name="Bewerken").click()
    expect(page.get_by_label("Rol van Peuteropvang Kindwijs")).to_have_value(InvolvementRole.LEAD)
    check(page)
    screenshot(page, "agenda_uit_document_bewerken")
    page.set_viewport_size(PHONE)
    screenshot(page, "agenda_uit_document_bewerken_390")
    page.set_viewport_size(WIDE)
    page.get_by_role("link", name="Annuleren").click()

    # Edit 2: a figure that measures no aim of the agenda ("98% werkte mee") dropped,
    # with the keyboard.
    (other,) = [i for i in indicators if i["fields"].get("baseline_value") == 98]
    button = card(page, other["key"]).get_by_role("button", name="Weglaten")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("worden weggelaten")).to_be_visible()

    # The rest accepted as it is; still nothing in the agenda.
    page.get_by_role("button", name="open onderdelen overnemen").click()
    expect(page.get_by_text("onderdelen worden overgenomen")).to_be_visible()
    assert nothing_in_the_agenda()
    check(page)

    page.get_by_role("button", name="Conceptagenda maken").click()
    expect(page.get_by_text("is gemaakt uit het document")).to_be_visible()
    check(page)
    screenshot(page, "agenda_uit_document_concept")

    agenda = Agenda.objects.get()
    assert agenda.status == "concept"
    assert page.url.endswith(reverse("agenda:editor", args=[agenda.slug]))
    goal = Goal.objects.get(agenda=agenda, number="3")
    renamed = Activity.objects.get(agenda=agenda, goal=goal, title=RENAMED)
    lead = renamed.involvements.get(role=InvolvementRole.LEAD)
    assert lead.organisation == maassluis["kindwijs"]
    measured = Indicator.objects.get(goals=goal, baselines__value=72)
    baseline, target = measured.baselines.get(), measured.targets.get()
    assert (baseline.value, baseline.date.year) == (72, 2019)
    assert (target.value, target.date.year) == (90, 2021)
    assert not Indicator.objects.filter(goals=goal, baselines__value=98).exists()

    # The document stays with the agenda, downloadable from its page.
    page.goto(reverse("agenda:detail", args=[agenda.slug]))
    link = page.get_by_role(
        "link", name="Uitvoeringsnota onderwijskansen Maassluis.docx downloaden"
    )
    expect(link).to_be_visible()
    check(page)


def test_a_scanned_pdf_is_refused_with_the_readers_reason(
    page, maassluis, accessible_at_both_widths, tmp_path
):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(samples.scanned_pdf())
    log_in(page, maassluis["officer"])
    page.goto(reverse("agenda_intake:upload"))
    page.get_by_label("Document").set_input_files(str(scan))
    page.get_by_role("button", name="Document lezen").click()
    expect(page.get_by_role("alert")).to_contain_text("De PDF bevat geen tekst")
    expect(page.get_by_role("alert")).to_contain_text("Er is niets van de agenda opgeslagen.")
    accessible_at_both_widths(page)
    assert nothing_in_the_agenda()
