"""The sociale kaart in a real browser: axe-core at 0 WCAG 2.1 A/AA violations on the
public search, the result list, an entry, the gap page and the provider's edit form; the
public search used with the keyboard only; a screenshot of each page in
var/screenshots/socialmap_*.png."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kansrijk.organisations.models import Role
from kansrijk.socialmap import taxonomy
from kansrijk.socialmap.tests.factories import NeedFactory, ProviderFactory, ServiceFactory, theme
from kansrijk.testing import factories

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture
def sociale_kaart(db):
    taxonomy.ensure_taxonomies()
    region = factories.MunicipalityFactory(code="GM0556", name="Maassluis")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Maassluis"
    )
    provider = ProviderFactory(organisation=gemeente)
    homework = ServiceFactory(
        provider=provider,
        name="Huiswerkbegeleiding",
        description=(
            "Hulp bij huiswerk voor kinderen in groep 7 van de basisschool. Het is gratis. Je "
            "kind kan meedoen als het een indicatie heeft."
        ),
        eligibility_description="Kwetsbare kinderen uit groep 7, op indicatie.",
        minimum_group=7,
        maximum_group=7,
        requires_referral=True,
        is_free=True,
        themes=["huiswerk"],
        audiences=["kinderen"],
    )
    for name, themes in [
        ("Cultuurmenu voor de basisscholen", ["cultuur"]),
        ("Sportmenu voor de basisscholen", ["sport"]),
        ("Thuisprogramma's", ["opvoeden", "taal-en-lezen"]),
    ]:
        ServiceFactory(provider=provider, name=name, themes=themes, audiences=["kinderen"])
    NeedFactory(
        municipality=region,
        theme=theme("huiswerk"),
        minimum_age=None,
        maximum_age=None,
        minimum_group=6,
        maximum_group=6,
        description="Huiswerkbegeleiding ook voor groep 6, en op meer locaties.",
        source="seed 003, doel 2",
    )
    partner = factories.UserFactory(username="aanbieder", first_name="Ada", last_name="Aanbieder")
    partner.set_password(PASSWORD)
    partner.save()
    factories.MembershipFactory(user=partner, organisation=gemeente, role=Role.PARTNER)
    return {"homework": homework, "partner": partner}


def test_the_public_pages(page, sociale_kaart, assert_accessible, screenshot):
    homework = sociale_kaart["homework"]
    for name, url in [
        ("search", reverse("socialmap:search")),
        ("results", reverse("socialmap:results") + "?q=huiswerkbegeleiding&groep=7&gebied=GM0556"),
        ("detail", homework.get_absolute_url()),
        ("gaps", reverse("socialmap:gaps") + "?gemeente=GM0556"),
        ("open_data", reverse("socialmap:open_data")),
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)
        screenshot(page, f"socialmap_{name}")
    page.goto(reverse("socialmap:gaps"))
    assert "Huiswerkbegeleiding ook voor groep 6" in page.content()


def test_a_parent_searches_with_the_keyboard_only(page, sociale_kaart):
    page.goto(reverse("socialmap:search"))
    # Tab from the top of the page to the search field (past the skip link, the brand
    # and the language switch).
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_q":
            break
    assert page.evaluate("document.activeElement.id") == "id_q"
    page.keyboard.type("huiswerkbegeleiding")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_leeftijd"
    page.keyboard.type("10")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sociale-kaart/aanbod/**")
    assert page.locator("h1").inner_text() == "Gevonden aanbod"
    # Tab on to the first result and open it.
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Huiswerkbegeleiding":
            break
    assert page.evaluate("document.activeElement.tagName") == "A"
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{sociale_kaart['homework'].get_absolute_url()}")
    assert page.locator("h1").inner_text() == "Huiswerkbegeleiding"


def test_the_provider_edit_form(page, sociale_kaart, assert_accessible, screenshot):
    page.goto(reverse("accounts:login"))
    page.fill("#id_username", sociale_kaart["partner"].username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    homework = sociale_kaart["homework"]
    for name, url in [
        ("manage", reverse("socialmap:manage")),
        ("edit", reverse("socialmap:edit", args=[homework.uuid])),
        ("manage_detail", homework.get_manage_url()),
        ("location", reverse("socialmap:add_location", args=[homework.uuid])),
    ]:
        page.goto(url)
        assert "/account/" not in page.url, url
        assert page.locator("h1").count() == 1, url
        assert_accessible(page)
        screenshot(page, f"socialmap_{name}")
    # The edit form with its errors is accessible too.
    page.goto(reverse("socialmap:edit", args=[homework.uuid]))
    page.fill("#id_minimum_age", "12")
    page.fill("#id_maximum_age", "4")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "ligt onder de leeftijd" in page.content()
    assert_accessible(page)
    screenshot(page, "socialmap_edit_errors")


def test_the_new_entry_form_is_red_only_where_touched(
    page, sociale_kaart, assert_accessible, screenshot
):
    """The required "Wat is het?" is not red when the form opens (Utrecht colours a
    required textarea by :invalid); it turns red once typed in and emptied. The example
    theme gives invalid controls no colour of their own, so the test gives them one, as
    a municipality's theme would."""
    page.goto(reverse("accounts:login"))
    page.fill("#id_username", sociale_kaart["partner"].username)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(reverse("socialmap:create"))
    assert_accessible(page)
    screenshot(page, "socialmap_new")
    page.add_style_tag(
        content=".voorbeeld-theme { --utrecht-textarea-invalid-border-color: rgb(200, 0, 0); }"
    )
    border = "e => getComputedStyle(e).borderColor"
    required, optional = page.locator("#id_description"), page.locator("#id_alert")
    assert required.evaluate(border) == optional.evaluate(border)
    required.fill("Voorlezen")
    required.fill("")
    required.press("Tab")
    assert required.evaluate(border) == "rgb(200, 0, 0)"
