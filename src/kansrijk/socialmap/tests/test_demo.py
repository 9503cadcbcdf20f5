"""The demo content: every offer the seeds name, with what the seeds say and nothing
more; participation and needs marked illustrative where they are not in a seed; linked to
the agendas; loaded by ``kansrijk load_demo`` and a second run changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.indicators.models import Measurement
from kansrijk.organisations.models import Organisation, Region
from kansrijk.socialmap import taxonomy
from kansrijk.socialmap.demo import load_demo_socialmap
from kansrijk.socialmap.models import Need, Participation, Provider, Service, ServiceStatus
from kansrijk.testing import factories
from kansrijk.testing.database import rolled_back

pytestmark = pytest.mark.django_db

GEMEENTEN = {
    "GM0375": "Beverwijk",
    "GM0383": "Castricum",
    "GM0396": "Heemskerk",
    "GM0450": "Uitgeest",
    "GM0453": "Velsen",
    "GM0556": "Maassluis",
    "GM0606": "Schiedam",
    "GM0622": "Vlaardingen",
    "GM1961": "Vijfheerenlanden",
}
# The offers of the issue, in the words of the seeds.
NAMED_OFFERS = {
    "Huiswerkbegeleiding",
    'Workshop "Koele bikkels"',
    'Training "Kies"',
    'Weekendschool "Petje Af"',
    "Sportmenu voor de basisscholen",
    "Cultuurmenu voor de basisscholen",
    "Lessen van het Duurzaamheidscentrum",
    "Thuisprogramma's",
    "Opvoedondersteuning in groepen",
    "De Diamant: taalschool voor kinderen die nog geen Nederlands spreken",
    "Speltherapie voor leerlingen van De Diamant",
    "Peuterplus",
    "Onderwijszorgarrangement op SBO De Brug",
    "Ouderkamer en inloopspreekuur op school",
    "Workshops voor ouders op school",
    "Subsidie voor de peuterspeelgroep of kinderopvang",
    "Voorschoolse educatie (VVE)",
    "De Bibliotheek op school (dBos)",
}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The slice of the reference data the demo refers to (the full load has its own
    tests), then ``kansrijk load_demo``: once for the module, in a transaction rolled back
    at its end (each test runs in a savepoint inside it)."""
    with rolled_back(django_db_blocker), override_settings(DEBUG=True):
        taxonomy.ensure_taxonomies()
        yield _seed()


def _seed():
    for code, name in GEMEENTEN.items():
        factories.MunicipalityOrganisationFactory(
            municipality=factories.MunicipalityFactory(code=code, name=name),
            name=f"Gemeente {name}",
        )
    factories.RegionFactory(code="NL", kind="country", name="Nederland")
    ijmond = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    factories.PartnershipFactory(code="VO2704", name="SWV VO Midden-Kennemerland")
    factories.PartnershipFactory(
        code="PO2807", name="Samenwerkingsverband Schiedam, Vlaardingen en Maassluis"
    )
    factories.SchoolFactory(
        code="12AB00",
        parent=factories.SchoolInstitutionFactory(code="12AB"),
        municipality=Region.objects.get(code="GM0375"),
        partnership=ijmond,
        pupil_count=4730,
    )
    factories.SchoolFactory(
        code="03UO00",
        name="Chr School voor Speciaal Basisonderwijs De Brug",
        parent=factories.SchoolInstitutionFactory(code="03UO"),
        municipality=Region.objects.get(code="GM1961"),
        pupil_count=80,
    )
    maassluis = Region.objects.get(code="GM0556")
    for code, name, pupils in [
        ("08WT00", "IKC De Regenboog", 265),
        ("11PN00", "IKC De Kindertuin", 513),
    ]:
        factories.SchoolFactory(
            code=code,
            name=name,
            parent=factories.SchoolInstitutionFactory(code=code[:4]),
            municipality=maassluis,
            pupil_count=pupils,
        )
    # 12DE00 (IKC Startpunt) is left out on purpose: the loader skips what is missing.
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_every_offer_named_in_the_seeds_is_on_the_sociale_kaart(seeded):
    assert "Sociale kaart (/sociale-kaart/)" in seeded
    names = set(Service.objects.published().values_list("name", flat=True))
    assert names >= NAMED_OFFERS
    assert Service.objects.exclude(status=ServiceStatus.PUBLISHED).count() == 0
    details_are_those_of_the_seeds()
    participation_and_needs_are_illustrative_unless_a_seed_gives_them()


def details_are_those_of_the_seeds():
    homework = Service.objects.get(name="Huiswerkbegeleiding")
    assert (homework.minimum_group, homework.maximum_group) == (7, 7)
    assert homework.requires_referral and homework.is_free
    assert homework.eligibility_description == (
        "Kwetsbare kinderen uit groep 7 van de basisschool krijgen op indicatie gratis huiswerkbegeleiding."
    )
    assert homework.provider.organisation.code == "GM0556"
    assert list(homework.areas.values_list("region__code", flat=True)) == ["GM0556"]
    assert homework.goals.get().external_id == "doel-2"
    assert (
        "Uitvoeringsnota Onderwijskansenbeleid Maassluis 2019–2022, doel 2" in homework.source_note
    )
    # Unknown facts stay empty: no address, no times, no price, not verified by anyone.
    assert not homework.service_at_locations.exists() and not homework.cost_options.exists()
    assert homework.assured_date is None and homework.fees_description == ""

    peuterplus = Service.objects.get(name="Peuterplus")
    assert (peuterplus.minimum_age, peuterplus.maximum_age) == (Decimal(2), Decimal(4))
    assert peuterplus.interventions.get().external_id == "peuterplus"
    schedules = {
        at.location.name: at.schedules.get()
        for at in peuterplus.service_at_locations.select_related("location")
    }
    assert schedules["Peuterplus Vianen"].valid_from == datetime.date(2022, 9, 1)
    assert schedules["Peuterplus Leerdam"].description == "Leerdam geheel 2022"
    # No personal data: the gemeente's general number, no contact person.
    assert list(peuterplus.phones.values_list("number", flat=True)) == ["088 599 7000"]
    assert not peuterplus.contacts.exists()
    assert "Marjan" not in peuterplus.source_note and "Kamp" not in peuterplus.source_note

    brug = Service.objects.get(name="Onderwijszorgarrangement op SBO De Brug")
    assert brug.service_at_locations.get().location.school.code == "03UO00"
    assert brug.eligibility_description == (
        "Kinderen van 4 tot 6-7 jaar met ontwikkelings- en/of hechtingsproblemen."
    )
    # Seed 000 names no gemeente: no provider and no area, and it says so.
    subsidy = Service.objects.get(name="Subsidie voor de peuterspeelgroep of kinderopvang")
    assert subsidy.provider is None and not subsidy.areas.exists() and subsidy.has_income_limit
    dcm = Provider.objects.get(name="Duurzaamheidscentrum (DCM)")
    assert dcm.organisation is None


def participation_and_needs_are_illustrative_unless_a_seed_gives_them():
    assert Participation.objects.exists()
    assert not Participation.objects.filter(is_illustrative=False).exists()
    real = Need.objects.filter(is_illustrative=False)
    assert set(real.values_list("minimum_group", flat=True)) == {6, 8}
    assert all("Uitvoeringsnota Onderwijskansenbeleid Maassluis" in need.source for need in real)
    assert all(
        need.source.startswith("Illustratief") for need in Need.objects.filter(is_illustrative=True)
    )


def test_participation_is_an_indicator_in_the_monitor_and_the_gaps_show(
    client, make_member, seeded
):
    measurement = Measurement.objects.get(
        indicator__code="sociale-kaart-deelname-maassluis", region__code="GM0556"
    )
    assert measurement.is_generated and "illustratieve" in measurement.story
    assert measurement.denominator == 265 + 513
    url = reverse("indicators:detail", args=["sociale-kaart-deelname-maassluis"])
    # It measures a goal of the Maassluis agenda, a concept: hidden like the agenda.
    assert client.get(url).status_code == 404
    maassluis = Organisation.objects.get(kind="municipality", code="GM0556")
    client.force_login(make_member(maassluis))
    html = client.get(url).content.decode()
    assert "2022/2023" in html
    client.logout()
    html = client.get(reverse("socialmap:gaps"), {"gemeente": "GM0556"}).content.decode()
    assert (
        "Huiswerkbegeleiding ook voor groep 6" in html
        and "Huiswerkbegeleiding ook voor groep 8" in html
    )
    agenda = client.get(reverse("agenda:detail", args=["vijfheerenlanden-gka-2022-2024"]))
    assert agenda.status_code == 200
    mk = client.get(
        reverse("agenda:detail", args=["midden-kennemerland-2022-2024"])
    ).content.decode()
    assert "Aanbod op de sociale kaart" in mk and "Workshops voor ouders op school" in mk


def test_a_second_run_changes_nothing_and_a_missing_school_is_skipped(seeded):
    counts = [
        model.objects.count() for model in (Provider, Service, Participation, Need, Measurement)
    ]
    audit_rows = AuditEvent.objects.count()
    report = load_demo_socialmap()
    assert not report.changed, report
    # 12DE00 is not in this reference data: skipped and reported, never guessed.
    assert any("12DE00" in line for line in report.skipped)
    assert not Participation.objects.filter(school__code="12DE00").exists()
    assert [
        model.objects.count() for model in (Provider, Service, Participation, Need, Measurement)
    ] == counts
    assert AuditEvent.objects.count() == audit_rows
