"""A small network for the register's tests: two gemeenten, each with a leerplicht office,
a school in an SWV, and the people who work there."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from kansrijk.cases import services
from kansrijk.cases.models import Case
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories

BSN = "111222333"  # passes the elfproef
OTHER_BSN = "123456782"


@dataclass
class Network:
    beverwijk: object
    maassluis: object
    office: object
    other_office: object
    swv: object
    school: object
    other_school: object
    gemeente: object


@pytest.fixture
def network(db):
    beverwijk = factories.MunicipalityFactory(code="GM0375", name="Beverwijk")
    maassluis = factories.MunicipalityFactory(code="GM0556", name="Maassluis")
    office = factories.OrganisationFactory(
        kind=OrganisationKind.ATTENDANCE_OFFICE, name="Het Leerplein"
    )
    office.served_regions.add(beverwijk)
    other_office = factories.OrganisationFactory(
        kind=OrganisationKind.ATTENDANCE_OFFICE, name="Leerrecht"
    )
    other_office.served_regions.add(maassluis)
    swv = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    swv.served_regions.add(beverwijk)
    school = factories.SchoolFactory(municipality=beverwijk, partnership=swv, name="De Vuurtoren")
    other_school = factories.SchoolFactory(municipality=maassluis, name="De Tweemaster")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=beverwijk, name="Gemeente Beverwijk"
    )
    return Network(beverwijk, maassluis, office, other_office, swv, school, other_school, gemeente)


@pytest.fixture
def people(network, make_member):
    return {
        "leerplicht": make_member(network.office, Role.ATTENDANCE_OFFICER),
        "leerplicht_elders": make_member(network.other_office, Role.ATTENDANCE_OFFICER),
        "swv": make_member(network.swv, Role.SWV_COORDINATOR),
        "school": make_member(network.school, Role.SCHOOL_CONTACT),
        "school_elders": make_member(network.other_school, Role.SCHOOL_CONTACT),
        "beleid": make_member(network.gemeente, Role.POLICY_OFFICER),
        "lezer": make_member(network.gemeente, Role.READER),
        "office_reader": make_member(network.office, Role.READER),
    }


@pytest.fixture
def young_person(network):
    return services.register_young_person(
        actor=None,
        identifier_kind="bsn",
        identifier=BSN,
        birth_date=datetime.date(2011, 5, 4),
        municipality=network.beverwijk,
        given_name="Noor",
        family_name="Jansen",
    )


def registered_on(case, day: datetime.date):
    """As if the case was opened in the register on ``day`` and nothing was recorded
    since: the services stamp today as its latest movement."""
    Case.objects.filter(pk=case.pk).update(last_movement_on=day)
    case.refresh_from_db()
    return case


@pytest.fixture
def case(network, young_person):
    """Relatief verzuim since 8 January 2024, registered that day, nothing since."""
    opened = services.open_case(
        actor=None,
        young_person=young_person,
        category="relatief",
        start_date=datetime.date(2024, 1, 8),
        school=network.school,
        dossier_id="TZ-TEST-1",
    )
    return registered_on(opened, opened.start_date)


@pytest.fixture
def login(client, verified_client):
    """Log a user in; roles with personal data pass the second factor first."""

    def log_in(user):
        if user.requires_two_factor():
            return verified_client(user)
        client.force_login(user)
        return client

    return log_in
