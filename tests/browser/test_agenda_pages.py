"""The agenda pages in a real browser: WCAG 2.1 A/AA by axe-core (0 violations), the forms
used as a person uses them, the Content Security Policy kept, and a screenshot of each page
in var/screenshots/agenda_*.png.

The data is the small seed-like agenda of the view tests (seed 002's tree and planning,
seed 004's Peuterplus card, money and commitments), written to a TOML file and loaded with
the real loader."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kansrijk.agenda import services
from kansrijk.agenda.models import Commitment, Goal, NominationStatus
from kansrijk.agenda.tests.test_views import build_network, load_sample_agenda, open_nominations
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

from .login import log_in

pytestmark = pytest.mark.browser

SLUG = "voorbeeldstad-2022-2024"


@pytest.fixture
def network(db):
    region = factories.MunicipalityFactory(code="GM9902", name="Voorbeeldstad")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Voorbeeldstad"
    )
    return build_network(gemeente)


@pytest.fixture
def agenda(network, tmp_path):
    """Adopted and public, as a council would publish it."""
    agenda = load_sample_agenda(tmp_path, network, public=True)
    # A second version with one change, for the readable diff.
    goal = Goal.objects.get(agenda=agenda, external_id="doel-07")
    services.save_item(
        goal,
        actor=None,
        indicator_text="Schoolaanwezigheid neemt toe. RMC-regio monitort schoolaanwezigheid.",
    )
    services.save_version(agenda, actor=None, label="Na de tussentijdse evaluatie (begin 2023)")
    return agenda


def make_user(organisation, role, *, username, first_name, last_name):
    user = factories.UserFactory(username=username, first_name=first_name, last_name=last_name)
    factories.MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def editor(network):
    return make_user(
        network["gemeente"],
        Role.POLICY_OFFICER,
        username="s.devries",
        first_name="Sanne",
        last_name="de Vries",
    )


@pytest.fixture
def partner(network):
    return make_user(
        network["library"],
        Role.PARTNER,
        username="p.jansen",
        first_name="Priya",
        last_name="Jansen",
    )


def agenda_url(name, *args):
    return reverse(f"agenda:{name}", args=args)


def test_agenda_document(page, agenda, assert_accessible, screenshot):
    page.goto(agenda_url("detail", SLUG))  # public: no login
    assert page.get_by_role("heading", level=1).inner_text() == agenda.title
    table = page.get_by_role("table", name="Integrale aanpak: doelen, indicatoren en activiteiten")
    assert table.is_visible()
    headers = table.get_by_role("columnheader").all_inner_texts()
    assert headers == ["Doel", "Indicator", "Hoofdactiviteit(en)", "Subactiviteit(en)"]
    row = table.get_by_role("row", name="2. Planmatig en vroegtijdig samenwerken", exact=False)
    assert "Kijkje in elkaars keuken" in row.inner_text()
    assert page.get_by_role("link", name="Peuterplus").first.is_visible()
    assert_accessible(page)
    screenshot(page, "agenda_document")


def test_agenda_list_and_document_for_an_editor(page, agenda, editor, assert_accessible):
    log_in(page, editor)
    page.goto(agenda_url("list"))
    page.get_by_role("link", name=agenda.title).click()
    assert page.get_by_role("button", name="Niet meer openbaar maken").is_visible()
    assert_accessible(page)
    page.goto(agenda_url("list"))
    assert_accessible(page)


def test_planning_per_month(page, agenda, assert_accessible, screenshot):
    page.goto(agenda_url("planning", SLUG))
    timeline = page.get_by_role("table", name="5 activiteiten per maand")
    assert timeline.is_visible()
    assert timeline.get_by_role("columnheader", name="jun 2022").count() == 1
    assert_accessible(page)
    screenshot(page, "agenda_planning")

    page.get_by_label("Speerpunt").select_option(label="2. Gelijke kansen")
    page.get_by_label("Jaar").select_option("2022")
    page.get_by_role("button", name="Filteren").click()
    assert "speerpunt=sp2" in page.url
    assert page.get_by_role("table", name="2 activiteiten per maand").is_visible()
    assert page.get_by_role("link", name="Wis de filters").is_visible()
    assert_accessible(page)


def test_planning_table(page, agenda, assert_accessible, screenshot):
    page.goto(agenda_url("planning_table", SLUG))
    table = page.get_by_role("table", name="Planning activiteiten 2022 per speerpunt en doel")
    assert table.get_by_role("rowheader", name="Algemeen").is_visible()
    assert "Netwerkbijeenkomsten: juni" in table.inner_text()
    assert_accessible(page)
    screenshot(page, "agenda_planningstabel")


def test_intervention_card_and_progress_by_the_partner(
    page, agenda, partner, assert_accessible, screenshot
):
    log_in(page, partner)
    page.goto(agenda_url("intervention", SLUG, "peuterplus"))
    main = page.locator("main").inner_text()
    assert "€ 120.000 per locatie per jaar × 4/12 × ½" in main.replace("\xa0", " ")
    assert "circa € 279.996" in main.replace("\xa0", " ")
    assert_accessible(page)
    screenshot(page, "agenda_interventiekaart")

    page.get_by_label("Status").select_option("running")
    page.get_by_label("Voortgang (%)").fill("150")
    page.get_by_role("button", name="Voortgang opslaan").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)

    page.get_by_label("Voortgang (%)").fill("60")
    page.get_by_label("Wat is er gebeurd?").fill("Vianen is in september gestart.")
    page.get_by_label("Dit is een mijlpaal").check()
    page.get_by_role("button", name="Voortgang opslaan").click()
    assert page.get_by_text("De voortgang is bijgewerkt.").is_visible()
    assert page.get_by_text("Vianen is in september gestart.").is_visible()
    assert_accessible(page)


def test_activity_page_with_rolled_up_progress(page, agenda, editor, assert_accessible):
    log_in(page, editor)
    page.goto(agenda_url("activity", SLUG, "doel-02-hoofd-1"))
    assert page.get_by_role("progressbar", name="Voortgang: 70%").is_visible()
    assert page.get_by_text("vervallen activiteiten en activiteiten zonder voortgang").is_visible()
    assert_accessible(page)


def test_financing(page, agenda, assert_accessible, screenshot):
    page.goto(agenda_url("financing", SLUG))
    chart = page.get_by_role("img", name="Begroot bedrag per financieringsbron, hele looptijd")
    assert chart.is_visible()
    years = page.get_by_role("table", name="Begroot en gerealiseerd per jaar en bron")
    assert "circa € 159.996" in years.inner_text().replace("\xa0", " ")
    payers = page.get_by_role("table", name="Begroot per betaler en per jaar: Peuterplus")
    text = payers.inner_text().replace("\xa0", " ")
    assert "Gemeente Voorbeeldstad" in text and "niet vastgelegd wie betaalt" in text
    assert_accessible(page)
    screenshot(page, "agenda_financiering")


def test_commitments_recorded_by_the_editor(page, agenda, editor, assert_accessible, screenshot):
    log_in(page, editor)
    page.goto(agenda_url("commitments", SLUG))
    assert_accessible(page)
    commitment = Commitment.objects.get(agenda=agenda, external_id="kennissessie")
    section = page.locator(f"#afspraak-{commitment.pk}")
    section.get_by_label("Datum").fill("2022-11-17")
    section.get_by_label("Notitie").fill("Kennissessie over doorlopende leerlijnen")
    section.get_by_role("button", name="Vastleggen").click()
    assert page.get_by_text("Vastgelegd: de afspraak is op 17-11-2022 nagekomen.").is_visible()
    assert (
        "Kennissessie over doorlopende leerlijnen"
        in page.locator(f"#afspraak-{commitment.pk}").inner_text()
    )
    assert_accessible(page)
    screenshot(page, "agenda_afspraken")


def test_prize_page_for_the_public_and_the_organisers(
    page, agenda, editor, assert_accessible, screenshot
):
    prize = open_nominations(agenda.prizes.get())
    for nominee, category, status in [
        ("Juf Anouk", "staff", NominationStatus.SHORTLISTED),
        ("Daan (groep 7)", "pupil_po", NominationStatus.WINNER),
        ("Meneer Stil", "staff", NominationStatus.SUBMITTED),
    ]:
        nomination = services.submit_nomination(
            prize,
            actor=None,
            category=category,
            nominee=nominee,
            motivation="Zet zich elke dag in voor de kinderen.",
            submitted_by="Een ouder",
            co_signers="Juf Sanne\nMeester Jeroen",
        )
        services.set_nomination_status(nomination, actor=None, status=status)

    page.goto(agenda_url("prize", prize.pk))
    main = page.locator("main").inner_text()
    assert "Juf Anouk" in main and "Daan (groep 7)" in main and "Meneer Stil" not in main
    assert_accessible(page)
    screenshot(page, "agenda_onderwijsprijs")

    log_in(page, editor)
    page.goto(agenda_url("prize", prize.pk))
    page.get_by_label("Status van Juf Anouk").select_option("winner")
    page.locator("form", has=page.get_by_label("Status van Juf Anouk")).get_by_role(
        "button", name="Opslaan"
    ).click()
    assert page.get_by_text("Juf Anouk: winnaar.").is_visible()
    assert_accessible(page)
    screenshot(page, "agenda_onderwijsprijs_beheer")


def test_nomination_form(page, agenda, assert_accessible, screenshot):
    prize = open_nominations(agenda.prizes.get())
    page.goto(agenda_url("nominate", prize.pk))
    assert_accessible(page)
    screenshot(page, "agenda_nomineren")
    page.get_by_label("Categorie").select_option("pupil_vo")
    page.get_by_label("Wie draag je voor?").fill("Sara (klas 2)")
    page.get_by_role("button", name="Nominatie versturen").click()
    assert page.get_by_role("alert").is_visible()  # motivation and name missing
    assert_accessible(page)
    page.get_by_label("Motivatie").fill("Sara helpt nieuwkomers elke pauze met Nederlands.")
    page.get_by_label("Jouw naam").fill("Mentor Ahmed")
    page.get_by_label("Mede-ondertekenaars").fill("Juf Lotte\nMeneer Bas")
    page.get_by_role("button", name="Nominatie versturen").click()
    assert page.get_by_text("De nominatie van Sara (klas 2) is ontvangen.").is_visible()
    assert prize.nominations.get().co_signer_list() == ["Juf Lotte", "Meneer Bas"]


def test_version_diff(page, agenda, editor, assert_accessible, screenshot):
    page.goto(agenda_url("versions", SLUG))
    assert_accessible(page)
    page.get_by_role("link", name="Versie 1 → 2", exact=False).click()
    main = page.locator("main")
    assert "1 onderdeel gewijzigd" in main.inner_text()
    assert main.locator("del").first.inner_text().endswith("bijstellen.")
    assert_accessible(page)
    screenshot(page, "agenda_versieverschil")

    log_in(page, editor)
    page.goto(agenda_url("versions", SLUG))
    page.get_by_label("Omschrijving van de versie").fill("Voor de raadsinformatiebrief")
    page.get_by_role("button", name="Versie bewaren").click()
    assert page.get_by_text("Versie 3 is bewaard.").is_visible()
    assert_accessible(page)


def test_adopt_form_and_this_month(page, agenda, editor, network, tmp_path, assert_accessible):
    concept = load_sample_agenda(tmp_path, network, slug="concept-agenda", status="concept")
    log_in(page, editor)
    page.goto(agenda_url("adopt", concept.slug))
    assert_accessible(page)
    page.get_by_label("Vastgesteld op").fill("2021-10-01")
    page.get_by_label("Vastgesteld door").fill("OOGO Midden-Kennemerland")
    page.get_by_role("button", name="Vaststellen").click()
    assert page.get_by_text("De agenda is vastgesteld").is_visible()
    assert page.get_by_role("button", name="Openbaar maken").is_visible()

    page.goto(agenda_url("this_month") + "?maand=2022-03")
    assert page.get_by_role("link", name="Vanuit een netwerkstructuur", exact=False).count() == 2
    assert_accessible(page)


def test_agenda_pages_keep_to_the_content_security_policy(strict_page, agenda):
    prize = open_nominations(agenda.prizes.get())
    for url in (
        agenda_url("detail", SLUG),
        agenda_url("planning", SLUG),
        agenda_url("financing", SLUG),
        agenda_url("intervention", SLUG, "peuterplus"),
        agenda_url("prize", prize.pk),
        agenda_url("version_diff", SLUG, 1, 2),
    ):
        strict_page.goto(url)
        strict_page.wait_for_load_state("networkidle")
    assert strict_page.console_errors == []


def test_agenda_pages_reflow_to_320_pixels(page, agenda):
    """WCAG 1.4.10: only a wide table scrolls, inside its own frame."""
    page.set_viewport_size({"width": 320, "height": 800})
    for url in (
        agenda_url("detail", SLUG),
        agenda_url("planning", SLUG),
        agenda_url("financing", SLUG),
        agenda_url("intervention", SLUG, "peuterplus"),
    ):
        page.goto(url)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 320, f"{url} is {width} pixels wide"
