"""Every role's day on the demo, from its home page, in Chromium at 1280 and 390 px.

Each role does its main tasks as a person would, and the test counts the steps (see
``journeys.Journey``): a task that needs more than its maximum has become harder to do,
and fails. Every page on the way is checked with axe-core at that width. The journeys
also take the screenshots in docs/screenshots (``make screenshots``): the home page and
the main task of each role at both widths.

The demo is loaded once for this module and served by a live server of its own; the
journeys change it (a case opened, a figure approved), and each is written to work
again on what the one before left.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from .journeys import Journey, demo_served, logged_in_tab

pytestmark = pytest.mark.browser

WIDTHS = (1280, 390)
TODAY = datetime.date.today()
JOURNEYED = ("leerplicht", "beleid", "partner", "school", "swv", "lezer", "beheerder")


def _figures_waiting():
    """Figures the CJG's partner delivered, waiting for the gemeente's approval: one per
    width, for the beleidsmedewerker's two journeys."""
    from kansrijk.indicators import services
    from kansrijk.indicators.models import Indicator
    from kansrijk.organisations.models import User

    partner = User.objects.get(username="partner")
    for year in (2024, 2025):
        services.submit_measurement(
            actor=partner,
            indicator=Indicator.objects.get(code="mk-deelname-voorliggende-voorzieningen"),
            organisation=partner.memberships.get().organisation,
            period_start=datetime.date(year, 8, 1),
            period_end=datetime.date(year + 1, 7, 31),
            period_label=f"{year}/{year + 1}",
            value=Decimal("41.5"),
        )


@pytest.fixture(scope="module")
def demo_site(request, django_db_setup, django_db_blocker, _audit_triggers_lifted):
    with demo_served(request, django_db_blocker, JOURNEYED, prepare=_figures_waiting) as site:
        yield site


@pytest.fixture
def journey(request, browser, demo_site, assert_accessible):
    """A journey for the role and width the test is parametrized with."""
    username, width = request.param
    url, sessions = demo_site
    context, tab = logged_in_tab(browser, url, sessions[username], width)
    yield Journey(tab, username, width, assert_accessible)
    context.close()


def _entry_due_for_check(username: str) -> None:
    """One of the user's published sociale kaart entries last confirmed over a year ago,
    as the demo has it (the journey before may have confirmed it since)."""
    from kansrijk.organisations.models import User
    from kansrijk.socialmap.models import Service

    entries = Service.objects.editable_by(User.objects.get(username=username)).published()
    entries.filter(pk=entries.order_by("pk").values("pk")[:1]).update(
        assured_date=TODAY - datetime.timedelta(days=400)
    )


@pytest.mark.django_db  # what makes pytest-django set up the test database
def test_every_role_of_the_demo_has_a_journey(demo_site):
    """The other demo users hold the same roles elsewhere (leerrecht, maassluis, …)."""
    from kansrijk.organisations.models import Membership

    def held_by(users):
        return set(Membership.objects.filter(**users).values_list("role", flat=True))

    assert held_by({"user__username__in": JOURNEYED}) == held_by({"user__is_active": True})


def roles(username: str):
    return pytest.mark.parametrize(
        "journey",
        [(username, width) for width in WIDTHS],
        indirect=True,
        ids=lambda param: f"{param[0]}-{param[1]}",
    )


def valid_bsn(seed: int) -> str:
    """A nine-digit number that passes the elfproef, different for each seed."""
    for candidate in range(100_000_000 + seed * 1_000, 100_000_000 + seed * 1_000 + 1_000):
        digits = [int(d) for d in str(candidate)]
        total = sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True))
        if (total - digits[8]) % 11 == 0:
            return str(candidate)
    raise AssertionError("no BSN in range")


@roles("leerplicht")
def test_leerplicht(journey: Journey):
    journey.home()
    journey.screenshot("home")

    with journey.task("een casus openen", most_steps=11):
        journey.follow("Nieuwe casus openen")
        journey.fill("BSN of onderwijsnummer", valid_bsn(journey.width))
        journey.fill("Geboortedatum", "2012-05-14")
        journey.fill("Voornaam", "Noor")
        journey.fill("Achternaam", "Journeytest")
        journey.choose("Woongemeente", "Beverwijk")
        journey.tick("absoluut verzuim")
        journey.fill("Startdatum", (TODAY - datetime.timedelta(days=10)).isoformat())
        journey.choose("School", "De Zeearend (02EH00)")
        journey.press("Casus openen")
        journey.sees("Noor Journeytest")

    with journey.task("een afspraak vastleggen", most_steps=7):
        journey.follow("Casussen met een signaal")
        journey.follow_first_in_table()
        journey.follow("Afspraak toevoegen")
        journey.fill("Afspraak", "De school maakt een plan voor de terugkeer.")
        journey.choose("Organisatie die de afspraak nakomt", "Gemeente Beverwijk (GM0375)")
        journey.fill("Uiterlijk op", (TODAY + datetime.timedelta(days=14)).isoformat())
        journey.press("Opslaan")
        journey.sees("De school maakt een plan voor de terugkeer.")

    with journey.task("het meest urgente signaal afhandelen", most_steps=6):
        journey.follow("Urgent: langer dan 3 maanden zonder passend aanbod")
        journey.screenshot("werkvoorraad")
        dossier = journey.follow_first_in_table()
        journey.follow("Passend aanbod vastleggen")
        journey.fill("Passend aanbod gestart op", TODAY.isoformat())
        journey.fill("Welk aanbod?", "Plaatsing op een school voor speciaal onderwijs.")
        journey.press("Opslaan")
    journey.tab.goto("/thuiszitters/?signaal=pact")
    assert dossier not in journey.main.inner_text(), "the signal was handled, yet remains"


@roles("beleid")
def test_beleid(journey: Journey):
    journey.home()
    journey.screenshot("home")

    with journey.task("een cijfer van een partner goedkeuren", most_steps=2):
        journey.follow("Cijfers die wachten op jouw goedkeuring")
        journey.screenshot("goedkeuren")
        journey.press("Goedkeuren")
        journey.sees("goedgekeurd")

    with journey.task("een activiteit bijwerken", most_steps=6):
        journey.follow("Agenda's")
        journey.follow("Uitvoeringsagenda onderwijs-jeugd Midden-Kennemerland")
        journey.follow("Handreiking schoolaanwezigheid (voorheen verzuim)")
        journey.choose("Status", "lopend")
        journey.fill("Wat is er gebeurd?", "De handreiking is met de scholen besproken.")
        journey.press("Voortgang opslaan")
        journey.sees("De handreiking is met de scholen besproken.")

    with journey.task("de voortgangsrapportage voor de raad downloaden", most_steps=2):
        journey.follow("Voortgangsrapportage voor de raad")
        content, name = journey.download("Voortgangsrapportage voor de raad (PDF)")
        assert content.startswith(b"%PDF") and name.endswith(".pdf")


@roles("partner")
def test_partner(journey: Journey):
    journey.home()
    journey.screenshot("home")

    with journey.task("aanbod toevoegen aan de sociale kaart", most_steps=8):
        journey.follow("Nieuw aanbod toevoegen")
        journey.fill("Naam", f"Huiswerkclub ({journey.width})")
        journey.fill("Wat is het?", "Elke woensdag hulp bij huiswerk in de bibliotheek.")
        journey.tick("Kinderen")
        journey.tick("Beverwijk")
        journey.tick("Zonder vaste locatie: online of op afspraak")
        journey.screenshot("aanbod")
        journey.press("Opslaan")
        journey.sees(f"Huiswerkclub ({journey.width})")

    with journey.task("een cijfer aanleveren", most_steps=6):
        journey.follow("Een cijfer aanleveren")
        journey.follow(
            "Cijfer aanleveren voor Leerlingen die deelnemen aan voorliggende voorzieningen"
        )
        journey.fill("Periode", "schooljaar 2025/2026")
        journey.fill("Teller", "83")
        journey.fill("Noemer", "200")
        journey.press("Cijfer indienen")
        journey.sees("Het cijfer is ingediend")

    _entry_due_for_check(journey.username)
    with journey.task("aanbod controleren dat een jaar niet bevestigd is", most_steps=3):
        journey.follow("Aanbod om te controleren")
        journey.follow("Controleer of alles nog klopt")
        journey.press("Alles klopt nog")


@roles("school")
def test_school(journey: Journey):
    journey.home()
    journey.screenshot("home")

    with journey.task("verzuim melden", most_steps=10):
        journey.follow("Verzuim melden")
        journey.fill("BSN of onderwijsnummer van de leerling", valid_bsn(10 + journey.width))
        journey.fill("Geboortedatum", "2013-02-03")
        journey.fill("Voornaam", "Daan")
        journey.fill("Achternaam", "Journeytest")
        journey.choose("Woongemeente", "Beverwijk")
        journey.tick("16 uur in 4 weken")
        journey.fill("Eerste verzuimdag", (TODAY - datetime.timedelta(days=20)).isoformat())
        journey.fill("Verzuimde uren", "16")
        journey.screenshot("melden")
        journey.press("Melding versturen")
        journey.sees("Daan Journeytest")

    with journey.task("de afspraken van de school nalezen", most_steps=2):
        journey.follow("Open casussen")
        journey.follow_first_in_table()
        journey.sees("Afspraken")


@roles("swv")
def test_swv(journey: Journey):
    journey.home()
    journey.screenshot("home")

    with journey.task("het aantal thuiszitters van een school opgeven", most_steps=5):
        journey.follow("Scholen zonder opgegeven aantal thuiszitters")
        journey.screenshot("afstemming")
        journey.choose_first("School")
        journey.choose("Woongemeente", "Beverwijk")
        journey.fill("Aantal thuiszitters", "2")
        journey.press("Aantal opslaan")

    with journey.task("een vastgelopen casus voor het doorbraakberaad bekijken", most_steps=2):
        journey.follow("Casussen voor het doorbraakberaad")
        journey.follow_first_in_table()
        journey.sees("Signalen")

    with journey.task("de kwartaalrapportage downloaden", most_steps=2):
        journey.follow("Kwartaalrapportage thuiszitters")
        content, _name = journey.download("Downloaden als PDF")
        assert content.startswith(b"%PDF")


@roles("lezer")
def test_lezer(journey: Journey):
    journey.home()
    journey.screenshot("home")

    with journey.task("de voortgang van de agenda lezen", most_steps=2):
        journey.follow("Voortgangsrapportage voor de raad")
        journey.screenshot("monitor")
        content, name = journey.download("Voortgangsrapportage voor de raad (Word)")
        assert name.endswith(".docx") and content.startswith(b"PK")

    with journey.task("de kwartaalrapportage thuiszitters downloaden", most_steps=2):
        journey.follow("Kwartaalrapportage thuiszitters")
        content, _name = journey.download("Downloaden als PDF")
        assert content.startswith(b"%PDF")

    with journey.task("de planning van de agenda bekijken", most_steps=3):
        journey.follow("Agenda's")
        journey.follow("Uitvoeringsagenda onderwijs-jeugd Midden-Kennemerland")
        journey.follow("Planning per maand")


@roles("beheerder")
def test_beheerder(journey: Journey):
    journey.home()
    journey.screenshot("home")

    with journey.task("in de audittrail nalezen wie wat deed", most_steps=1):
        journey.follow("Audittrail")
        journey.screenshot("audittrail")

    _entry_due_for_check(journey.username)
    with journey.task("aanbod controleren dat een jaar niet bevestigd is", most_steps=3):
        journey.follow("Aanbod om te controleren")
        journey.follow("Controleer of alles nog klopt")
        journey.press("Alles klopt nog")
