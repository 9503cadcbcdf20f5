"""Every page in a real browser: WCAG 2.1 A/AA by axe-core, keyboard use, CSP, screenshots."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Organisation, OrganisationKind, Role, Sector
from kansrijk.testing import factories

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
SCHOOL_NAMES = [
    "Basisschool De Regenboog",
    "OBS De Vlinder",
    "CBS Het Kompas",
    "Kindcentrum De Sterrenkijker",
    "Montessorischool Zuid",
    "RKBS Sint Jozef",
    "Daltonschool De Horizon",
    "SBO De Brug",
]


@pytest.fixture
def network(db):
    """A small, realistic network around one (fictional) gemeente: the gemeente, its SWV,
    a school board with schools, a library and a youth team, and enough schools to page."""
    region = factories.MunicipalityFactory(code="GM9901", name="Voorbeeldstad")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Voorbeeldstad"
    )
    swv = factories.PartnershipFactory(
        name="Samenwerkingsverband Passend Onderwijs Voorbeeldstad", code="PO9901"
    )
    swv.served_regions.add(region)
    board = factories.OrganisationFactory(
        kind=OrganisationKind.SCHOOL_BOARD,
        name="Stichting Openbaar Primair Onderwijs Voorbeeldstad",
        code="41234",
        municipality=region,
    )
    institution = factories.SchoolInstitutionFactory(
        name="Basisschool De Regenboog", code="99XA", parent=board
    )
    school = factories.SchoolFactory(
        name=SCHOOL_NAMES[0],
        code="99XA00",
        parent=institution,
        municipality=region,
        partnership=swv,
        sector=Sector.PO,
        education_type="Basisonderwijs",
        denomination="Openbaar",
        street="Schoolstraat",
        house_number="12",
        postcode="1234 AB",
        town="Voorbeeldstad",
        website="www.bs-deregenboog.example.nl",
        pupil_count=1234,
        pupil_count_date=datetime.date(2025, 10, 1),
    )
    for number, name in enumerate(SCHOOL_NAMES[1:], start=1):
        factories.SchoolFactory(
            name=name,
            code=f"99X{chr(65 + number)}00",
            parent=factories.SchoolInstitutionFactory(
                name=name, code=f"99X{chr(65 + number)}", parent=board
            ),
            municipality=region,
            partnership=swv,
            pupil_count=180 + 37 * number,
        )
    # Enough further locations for a second page of the organisation list (50 a page).
    for number in range(55):
        factories.SchoolFactory(
            name=f"Vestiging Noord {number + 1:02d}",
            code=f"99ZZ{number:02d}",
            parent=institution,
            municipality=region,
            partnership=swv,
            pupil_count=90 + number,
        )
    for kind, name in [
        (OrganisationKind.LIBRARY, "Bibliotheek Voorbeeldstad"),
        (OrganisationKind.YOUTH_TEAM, "CJG Voorbeeldstad"),
        (OrganisationKind.ATTENDANCE_OFFICE, "Leerplicht en RMC Voorbeeldstad"),
    ]:
        factories.OrganisationFactory(kind=kind, name=name, municipality=region)
    return {"region": region, "gemeente": gemeente, "swv": swv, "board": board, "school": school}


def make_user(organisation, role, *, username, first_name, last_name, also=()):
    user = factories.UserFactory(username=username, first_name=first_name, last_name=last_name)
    factories.MembershipFactory(user=user, organisation=organisation, role=role)
    for other_organisation, other_role in also:
        factories.MembershipFactory(user=user, organisation=other_organisation, role=other_role)
    return user


@pytest.fixture
def policy_officer(network):
    return make_user(
        network["gemeente"],
        Role.POLICY_OFFICER,
        username="s.devries",
        first_name="Sanne",
        last_name="de Vries",
        also=[(network["swv"], Role.READER)],
    )


@pytest.fixture
def beheerder(network):
    user = make_user(
        network["gemeente"],
        Role.ADMIN,
        username="m.bakker",
        first_name="Mehmet",
        last_name="Bakker",
    )
    TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=True)
    return user


def log_in(tab, user, password=PASSWORD):
    tab.goto(reverse("accounts:login"))
    tab.fill("#id_username", user.username)
    tab.fill("#id_password", password)
    tab.click("main form button[type=submit]")
    tab.wait_for_load_state()


def current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def test_login_page(page, assert_accessible, screenshot):
    page.goto(reverse("accounts:login"))
    assert page.title() == "Inloggen · Kansrijk"
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("#id_username").get_attribute("autocomplete") == "username"
    assert page.locator("#id_password").get_attribute("autocomplete") == "current-password"
    assert_accessible(page)
    screenshot(page, "login")


def test_failed_login_shows_errors_tied_to_the_form(page, policy_officer, assert_accessible):
    page.goto(reverse("accounts:login"))
    page.fill("#id_username", policy_officer.username)
    page.fill("#id_password", "niet het wachtwoord")
    page.click("main form button[type=submit]")
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)


def test_password_reset_page(page, assert_accessible, screenshot):
    page.goto(reverse("accounts:password_reset"))
    assert page.locator("#id_email").get_attribute("autocomplete") == "email"
    assert_accessible(page)
    screenshot(page, "password_reset")


def test_home_for_a_policy_officer(page, policy_officer, network, assert_accessible, screenshot):
    log_in(page, policy_officer)
    assert page.url.endswith(reverse("home"))
    main = page.locator("main")
    assert "Welkom, Sanne" in main.inner_text()
    assert main.get_by_role("link", name="Gemeente Voorbeeldstad", exact=True).is_visible()
    assert "Beleidsmedewerker" in main.inner_text() and "Lezer" in main.inner_text()
    menu = page.get_by_role("navigation", name="Hoofdmenu")
    assert menu.get_by_role("link", name="Organisaties").is_visible()
    assert menu.get_by_role("link", name="Audit").count() == 0
    assert page.get_by_text("Sanne de Vries").is_visible()
    assert_accessible(page)
    screenshot(page, "home")


def test_home_without_a_role(page, assert_accessible):
    log_in(page, factories.UserFactory(username="nieuw", first_name="Noor"))
    assert "Je hebt nog geen rol" in page.locator("main").inner_text()
    assert_accessible(page)


def test_organisation_list_filters_and_pages(
    page, policy_officer, network, assert_accessible, screenshot
):
    log_in(page, policy_officer)
    page.goto(reverse("organisations:list"))
    visible = Organisation.objects.visible_to(policy_officer).count()
    assert visible > 50
    assert page.locator("caption").inner_text().startswith(f"{visible} organisaties")
    assert page.get_by_role("navigation", name="Paginering").is_visible()
    assert_accessible(page)
    screenshot(page, "organisaties")

    page.get_by_label("Soort organisatie").select_option("school_location")
    page.get_by_label("Zoek op naam of code").fill("Vestiging")
    page.get_by_role("button", name="Zoeken").click()
    assert page.locator("caption").inner_text().startswith("55 organisaties")
    page.get_by_role("link", name="Volgende pagina").click()
    assert "soort=school_location" in page.url and "q=Vestiging" in page.url
    assert page.get_by_label("Zoek op naam of code").input_value() == "Vestiging"
    assert_accessible(page)


def test_school_page(page, policy_officer, network, assert_accessible, screenshot):
    log_in(page, policy_officer)
    page.goto(network["school"].get_absolute_url())
    facts = page.locator(".kansrijk-facts").inner_text()
    for expected in (
        "Basisschool De Regenboog (99XA)",
        "Stichting Openbaar Primair Onderwijs Voorbeeldstad",
        "Samenwerkingsverband Passend Onderwijs Voorbeeldstad",
        "Voorbeeldstad",
        "Schoolstraat 12",
        "1.234",
        "Primair onderwijs",
        "Basisonderwijs",
        "Openbaar",
        "www.bs-deregenboog.example.nl",
    ):
        assert expected in facts
    assert_accessible(page)
    screenshot(page, "school")


def test_partnership_page_lists_its_schools(
    page, policy_officer, network, assert_accessible, screenshot
):
    log_in(page, policy_officer)
    page.goto(network["swv"].get_absolute_url())
    assert "63 scholen met samen" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "samenwerkingsverband")


def test_audit_trail_for_a_beheerder_after_two_factor(
    page, beheerder, network, assert_accessible, screenshot
):
    gemeente = network["gemeente"]
    AuditEvent.objects.create(
        actor=beheerder,
        actor_display=str(beheerder),
        organisation=gemeente,
        action="organisation.update",
        target_type="organisations.organisation",
        target_id=str(gemeente.pk),
        target_display=gemeente.name,
        before={"website": "", "name": "Gemeente Voorbeeldstad"},
        after={"website": "www.voorbeeldstad.example.nl", "name": "Gemeente Voorbeeldstad"},
    )
    AuditEvent.objects.create(
        actor_display="systeem",
        organisation=gemeente,
        action="membership.create",
        target_type="organisations.membership",
        target_display="Sanne de Vries · beleidsmedewerker",
        after={"role": "policy_officer"},
        reason="Nieuwe medewerker",
    )

    log_in(page, beheerder)
    assert reverse("accounts:two_factor_verify") in page.url
    assert page.locator("#id_token").get_attribute("autocomplete") == "one-time-code"
    assert page.get_by_role("navigation", name="Hoofdmenu").count() == 0
    assert_accessible(page)
    screenshot(page, "tweestaps_controleren")

    page.fill("#id_token", current_code(beheerder))
    page.click("main form button[type=submit]")
    page.goto(reverse("audit:list"))
    main = page.locator("main")
    assert "alleen-lezen" in main.inner_text()
    assert "organisation.update" in main.inner_text()
    assert "www.voorbeeldstad.example.nl" in main.inner_text()
    assert (
        page.get_by_role("navigation", name="Hoofdmenu")
        .get_by_role("link", name="Audit")
        .is_visible()
    )
    assert_accessible(page)
    screenshot(page, "audit")

    page.fill("#id_date_from", "2030-01-02")
    page.fill("#id_date_to", "2030-01-01")
    page.get_by_role("button", name="Filteren").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)


def test_audit_trail_pages_on_with_its_filter_by_keyboard(
    page, beheerder, network, assert_accessible
):
    """Keyset pages (decision 0044): 60 events written at one moment, 50 a page; the
    filter stays in the links and the links work from the keyboard."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organisation=network["gemeente"],
            action="test.paging",
            target_display=f"Gebeurtenis {number}",
        )
        for number in range(60)
    )
    log_in(page, beheerder)
    page.fill("#id_token", current_code(beheerder))
    page.click("main form button[type=submit]")
    page.goto(reverse("audit:list") + "?action=test.")
    assert page.locator("caption").inner_text().startswith("60 gebeurtenissen")
    pager = page.get_by_role("navigation", name="Paginering")
    assert pager.get_by_role("link", name="Vorige pagina").count() == 0

    pager.get_by_role("link", name="Volgende pagina").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "positie=" in page.url
    assert "action=test." in page.url
    assert page.get_by_label("Handeling").input_value() == "test."
    assert page.locator("main tbody tr").count() == 10
    assert pager.get_by_role("link", name="Volgende pagina").count() == 0
    assert_accessible(page)

    pager.get_by_role("link", name="Vorige pagina").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("main tbody tr").count() == 50
    assert "action=test." in page.url


def test_two_factor_setup_page(page, network, assert_accessible, screenshot):
    user = make_user(
        network["gemeente"],
        Role.ATTENDANCE_OFFICER,
        username="l.smit",
        first_name="Lotte",
        last_name="Smit",
    )
    log_in(page, user)
    assert reverse("accounts:two_factor_setup") in page.url
    assert page.get_by_role(
        "img", name="QR-code om te scannen met je authenticator-app"
    ).is_visible()
    assert_accessible(page)
    screenshot(page, "tweestaps_instellen")


def test_accessibility_statement(page, assert_accessible, screenshot):
    page.goto(reverse("accessibility"))
    assert page.get_by_role("heading", level=1).inner_text() == "Toegankelijkheidsverklaring"
    assert "(WCAG) 2.1" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "toegankelijkheidsverklaring")


def test_home_in_english(page, policy_officer, network, assert_accessible, screenshot):
    log_in(page, policy_officer)
    page.get_by_label("Taal").select_option("en")
    page.get_by_role("button", name="Kies taal").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    main = page.locator("main").inner_text()
    assert "Welcome, Sanne" in main
    assert "Policy officer" in main
    assert (
        page.get_by_role("navigation", name="Main menu")
        .get_by_role("link", name="Organisations")
        .is_visible()
    )
    assert_accessible(page)
    screenshot(page, "home_en")

    page.goto(network["school"].get_absolute_url())
    assert "Pupils" in page.locator(".kansrijk-facts").inner_text()
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_main(page, policy_officer):
    log_in(page, policy_officer)
    page.goto(reverse("home"))
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "() => ({href: document.activeElement.getAttribute('href'),"
        " text: document.activeElement.textContent.trim()})"
    )
    assert focused == {"href": "#main", "text": "Naar de hoofdinhoud"}
    box = page.locator(".utrecht-skip-link").bounding_box()
    assert box and box["y"] >= 0 and box["height"] > 0, "the skip link must show on focus"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_pages_keep_to_the_content_security_policy(strict_page, policy_officer, network):
    log_in(strict_page, policy_officer)
    for url in (
        reverse("home"),
        reverse("organisations:list"),
        network["school"].get_absolute_url(),
        reverse("accessibility"),
    ):
        strict_page.goto(url)
        strict_page.wait_for_load_state("networkidle")
    assert strict_page.evaluate("() => typeof window.htmx") == "object", "htmx did not load"
    assert strict_page.console_errors == []


def test_pages_reflow_to_320_pixels_wide(page, policy_officer, network, assert_accessible):
    """WCAG 1.4.10: at 320 CSS pixels nothing but a wide table's own frame scrolls sideways."""
    page.set_viewport_size({"width": 320, "height": 800})
    log_in(page, policy_officer)
    for url in (
        reverse("home"),
        reverse("organisations:list"),
        network["school"].get_absolute_url(),
        network["swv"].get_absolute_url(),
        reverse("accessibility"),
    ):
        page.goto(url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"{url} is {width} pixels wide"
        assert_accessible(page)
