"""The demo organisations and users of the seed regions (`kansrijk load_demo`)."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kansrijk.organisations.demo import load_demo_organisations
from kansrijk.organisations.models import Membership, Organisation, OrganisationKind, Region, Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

SEED_GEMEENTEN = {
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


@pytest.fixture
def seed_reference_data():
    """The slice of the reference data the demo needs (the full load has its own tests)."""
    for code, name in SEED_GEMEENTEN.items():
        factories.MunicipalityOrganisationFactory(
            municipality=factories.MunicipalityFactory(code=code, name=name),
            name=f"Gemeente {name}",
        )
    ijmond = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    factories.SchoolFactory(
        code="12AB00",
        parent=factories.SchoolInstitutionFactory(code="12AB"),
        municipality=Region.objects.get(code="GM0375"),
        partnership=ijmond,
    )
    # The national series of the monitor is kept on the country.
    factories.RegionFactory(code="NL", kind="country", name="Nederland")
    # The agendas of the seeds refer to these as well.
    factories.PartnershipFactory(code="VO2704", name="SWV VO Midden-Kennemerland")
    factories.PartnershipFactory(
        code="PO2807", name="Samenwerkingsverband Schiedam, Vlaardingen en Maassluis"
    )
    factories.SchoolFactory(
        code="03UO00",
        name="Chr School voor Speciaal Basisonderwijs De Brug",
        parent=factories.SchoolInstitutionFactory(code="03UO"),
        municipality=Region.objects.get(code="GM1961"),
    )


def test_refused_without_debug(settings, seed_reference_data):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("load_demo", stdout=StringIO())
    assert not Membership.objects.exists()


def test_loads_seed_organisations_and_one_user_per_role(settings, seed_reference_data):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)

    leerrecht = Organisation.objects.get(name__startswith="Leerrecht")
    assert leerrecht.kind == OrganisationKind.ATTENDANCE_OFFICE
    assert set(leerrecht.served_regions.values_list("name", flat=True)) == {
        "Maassluis",
        "Schiedam",
        "Vlaardingen",
    }
    assert Organisation.objects.get(name="Stichting O2A5").kind == OrganisationKind.SCHOOL_BOARD
    youth_care = Region.objects.get(code="JHR-NK")
    assert set(youth_care.child_memberships.values_list("child__name", flat=True)) == {
        "Castricum",
        "Uitgeest",
    }
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert "kansrijk-demo" in out.getvalue()

    # A second run changes nothing.
    counts = (Organisation.objects.count(), Membership.objects.count(), Region.objects.count())
    report = load_demo_organisations()
    assert (report.organisations_created, report.regions_created) == (0, 0)
    assert counts == (
        Organisation.objects.count(),
        Membership.objects.count(),
        Region.objects.count(),
    )


def test_demo_totp_prints_a_code(settings, seed_reference_data):
    settings.DEBUG = True
    call_command("load_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_totp", "leerplicht", stdout=out, stderr=StringIO())
    assert out.getvalue().strip().isdigit() and len(out.getvalue().strip()) == 6
