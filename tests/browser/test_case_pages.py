"""The register's pages in a real browser, logged in with a real second factor: axe-core at
0 WCAG 2.1 A/AA violations on the work list, the case list, the new-case form (also with
its errors), the case page for leerplicht (FULL) and for the school (PARTIAL), the young
person's page, the quarterly report, the doorbraakberaad and the verzuimmeldingen; the
BSN search used with the keyboard only; screenshots in var/screenshots/cases_*.png.

The people and places are those of seed 002 (Midden-Kennemerland): Beverwijk, its
leerplicht office, Passend Onderwijs IJmond and a primary school in Beverwijk."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.cases import services
from kansrijk.cases.models import Contact
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories

from .login import log_in as log_in_with_password

pytestmark = pytest.mark.browser

BSN = "111222333"
D = datetime.date


def log_in(tab, user):
    log_in_with_password(tab, user)
    assert "Uitloggen" in tab.content()


def make_user(organisation, role, username, first_name, last_name):
    user = factories.UserFactory(username=username, first_name=first_name, last_name=last_name)
    factories.MembershipFactory(user=user, organisation=organisation, role=role)
    if role in (Role.ATTENDANCE_OFFICER, Role.SWV_COORDINATOR, Role.SCHOOL_CONTACT):
        TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=True)
    return user


@pytest.fixture
def register(db):
    beverwijk = factories.MunicipalityFactory(code="GM0375", name="Beverwijk")
    office = factories.OrganisationFactory(
        kind=OrganisationKind.ATTENDANCE_OFFICE, name="Het Leerplein", municipality=beverwijk
    )
    office.served_regions.add(beverwijk)
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=beverwijk, name="Gemeente Beverwijk"
    )
    swv = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    swv.served_regions.add(beverwijk)
    school = factories.SchoolFactory(
        code="07NU00", municipality=beverwijk, partnership=swv, name="De Vuurtoren"
    )
    youth_team = factories.OrganisationFactory(
        kind=OrganisationKind.YOUTH_TEAM, name="CJG Beverwijk", municipality=beverwijk
    )
    people = {
        "leerplicht": make_user(office, Role.ATTENDANCE_OFFICER, "s.bakker", "Sara", "Bakker"),
        "school": make_user(school, Role.SCHOOL_CONTACT, "k.smit", "Kees", "Smit"),
        "beleid": make_user(gemeente, Role.POLICY_OFFICER, "m.visser", "Mila", "Visser"),
    }
    person = services.register_young_person(
        actor=None,
        identifier_kind="bsn",
        identifier=BSN,
        birth_date=D(2011, 5, 4),
        municipality=beverwijk,
        given_name="Noor",
        family_name="Jansen",
    )
    services.enrol(person, actor=None, school=school, start_date=D(2023, 8, 21))
    case = services.open_case(
        actor=None,
        young_person=person,
        category="relatief",
        start_date=D(2024, 1, 8),
        school=school,
        dossier_id="TZ-2024-0001",
        case_manager=people["leerplicht"],
        participants=[youth_team],
    )
    services.record_event(
        case, actor=None, kind="verzuimgesprek", date=D(2024, 1, 12), description="Met de ouders"
    )
    services.record_event(case, actor=None, kind="mas_route", date=D(2024, 1, 20), mas_route=1)
    services.add_agreement(
        case,
        actor=None,
        description="De school maakt een plan voor een rustige terugkeer",
        deadline=D(2024, 2, 1),
        responsible_organisation=school,
    )
    services.add_agreement(
        case,
        actor=None,
        description="Het CJG zoekt een passende dagbesteding",
        deadline=D(2024, 3, 1),
        responsible_organisation=youth_team,
    )
    services.record_event(
        case,
        actor=None,
        kind="doorbraakberaad",
        date=D(2024, 4, 15),
        decision="Het SWV regelt een plek in een OZA-arrangement",
        mandated_organisation=swv,
    )
    services.save_contact(
        Contact(young_person=person, relation="ouder", name="Mirjam Jansen", phone="0612345678"),
        actor=None,
    )
    report = services.report_absence(
        actor=None, young_person=person, school=school, kind="16_uur", start_date=D(2024, 1, 2)
    )
    for number in range(6):
        other = factories.YoungPersonFactory(residence=beverwijk)
        services.open_case(
            actor=None,
            young_person=other,
            category="absoluut" if number % 2 else "relatief",
            start_date=D(2024, 2, 1) + datetime.timedelta(days=7 * number),
            school=school,
            dossier_id=f"TZ-2024-{number + 2:04d}",
        )
    return {"case": case, "person": person, "report": report, **people}


def visit(tab, address, assert_accessible, screenshot, name):
    tab.goto(address)
    assert tab.locator("h1").count() == 1, address
    assert "/account/" not in tab.url, address
    assert_accessible(tab)
    screenshot(tab, f"cases_{name}")


def test_the_pages_of_leerplicht(page, register, assert_accessible, screenshot):
    case, person = register["case"], register["person"]
    log_in(page, register["leerplicht"])
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    assert menu.get_by_role("link", name="Thuiszitters").is_visible()
    for name, address in [
        ("worklist", reverse("cases:worklist")),
        ("list", reverse("cases:list")),
        ("new", reverse("cases:new")),
        ("detail_full", case.get_absolute_url()),
        ("young_person", reverse("cases:young_person", args=[person.pk])),
        ("escalation", reverse("cases:escalation")),
        ("report", reverse("cases:report") + "?peildatum=2024-04-01&niveau=school"),
        ("absence_list", reverse("cases:absence_list")),
        ("absence_detail", reverse("cases:absence_detail", args=[register["report"].pk])),
        ("event", reverse("cases:event", args=[case.pk]) + "?soort=doorbraakberaad"),
        ("agreement", reverse("cases:agreement", args=[case.pk])),
        ("edit", reverse("cases:edit", args=[case.pk])),
        ("exemption", reverse("cases:exemption_add", args=[person.pk])),
    ]:
        visit(page, address, assert_accessible, screenshot, name)

    # The number only after "Toon BSN", and never in the address.
    page.goto(case.get_absolute_url())
    assert BSN not in page.content()
    page.get_by_role("button", name="Toon BSN").click()
    page.wait_for_load_state()
    assert BSN in page.locator("main").inner_text() and BSN not in page.url
    assert_accessible(page)
    screenshot(page, "cases_detail_bsn")


def test_the_new_case_form_with_its_errors(page, register, assert_accessible, screenshot):
    log_in(page, register["leerplicht"])
    page.goto(reverse("cases:new"))
    page.fill("#id_identifier", "111222334")
    page.fill("#id_start_date", "2099-01-01")
    page.get_by_role("button", name="Casus openen").click()
    page.wait_for_load_state()
    summary = page.get_by_role("alert")
    assert summary.is_visible()
    assert "elfproef" in summary.inner_text()
    assert "111222334" not in page.content()
    # The summary links to the fields: following the first moves focus to it.
    summary.get_by_role("link").first.click()
    assert page.evaluate("() => document.activeElement.id") in {
        "id_identifier_kind",
        "id_identifier",
        "id_identifier_kind_0",
    }
    assert_accessible(page)
    screenshot(page, "cases_new_errors")


def test_the_bsn_search_with_the_keyboard_only(page, register, assert_accessible):
    log_in(page, register["leerplicht"])
    page.goto(reverse("cases:list"))
    for _step in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "id_nummer":
            break
    else:
        pytest.fail("the number box cannot be reached with Tab")
    page.keyboard.type(BSN)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    main = page.locator("main")
    assert "TZ-2024-0001" in main.inner_text()
    assert BSN not in page.url and BSN not in page.content()
    # From the result on, still by keyboard: the young person's page is the next link.
    link = page.get_by_role("link", name="Naar de pagina van Noor Jansen")
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(reverse("cases:young_person", args=[register["person"].pk]))
    assert_accessible(page)


def test_the_pages_of_the_school(page, register, assert_accessible, screenshot):
    log_in(page, register["school"])
    visit(
        page, register["case"].get_absolute_url(), assert_accessible, screenshot, "detail_partial"
    )
    text = page.locator("main").inner_text()
    assert "De school maakt een plan" in text and "Het CJG zoekt" not in text
    assert "Tijdlijn" not in text and "Toon BSN" not in text
    visit(page, reverse("cases:absence_list"), assert_accessible, screenshot, "absence_list_school")
    visit(page, reverse("cases:absence_new"), assert_accessible, screenshot, "absence_new")
    page.get_by_role("button", name="Melding versturen").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)
    screenshot(page, "cases_absence_new_errors")


def test_the_pages_of_a_policy_officer(page, register, assert_accessible, screenshot):
    log_in(page, register["beleid"])
    visit(page, reverse("cases:worklist"), assert_accessible, screenshot, "aggregate_only")
    assert "Naar de kwartaalrapportage" in page.locator("main").inner_text()
    visit(
        page,
        reverse("cases:report") + "?peildatum=2024-04-01&niveau=school",
        assert_accessible,
        screenshot,
        "report_suppressed",
    )
    assert "<5" in page.locator("main").inner_text()


def test_the_pages_keep_the_content_security_policy(strict_page, register):
    """No inline style or script: the SVG pictures carry classes and presentation
    attributes only."""
    log_in(strict_page, register["leerplicht"])
    for address in [
        register["case"].get_absolute_url(),
        reverse("cases:worklist"),
        reverse("cases:report") + "?peildatum=2024-04-01",
        reverse("cases:new"),
    ]:
        strict_page.goto(address)
        strict_page.wait_for_load_state("networkidle")
    assert strict_page.console_errors == []
