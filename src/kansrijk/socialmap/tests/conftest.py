"""Fixtures of the sociale kaart tests: the taxonomies, a gemeente with a wijk and schools
from the (factory-made) reference data, and the people who maintain and approve entries."""

from __future__ import annotations

import pytest

from kansrijk.organisations.models import RegionKind, Role
from kansrijk.socialmap import taxonomy
from kansrijk.socialmap.models import Provider
from kansrijk.testing import factories


@pytest.fixture(autouse=True)
def taxonomies(db):
    """Migration 0002 creates them; a live-server test empties the tables, so make sure."""
    taxonomy.ensure_taxonomies()


@pytest.fixture
def gemeente(municipality_organisation):
    """The gemeente of the user trio's member (its Region)."""
    return municipality_organisation.municipality


@pytest.fixture
def wijk(gemeente):
    district = factories.RegionFactory(
        kind=RegionKind.DISTRICT, code=f"{gemeente.code}-WEST", name="West"
    )
    factories.RegionMembershipFactory(child=district, parent=gemeente)
    return district


@pytest.fixture
def school(gemeente):
    return factories.SchoolFactory(
        municipality=gemeente,
        name="IKC De Regenboog",
        pupil_count=265,
        street="Zwaluwstraat",
        house_number="15",
        postcode="3145 NG",
        town="Maassluis",
    )


@pytest.fixture
def provider(municipality_organisation):
    """The gemeente of the trio's member as a provider of services."""
    return Provider.objects.create(
        organisation=municipality_organisation, name=municipality_organisation.name
    )


@pytest.fixture
def partner_trio(user_trio):
    """A partner of the provider, a lezer of the provider, a partner of another organisation."""
    return user_trio(Role.PARTNER, Role.READER)


@pytest.fixture
def officer_trio(user_trio):
    """A beleidsmedewerker of the gemeente, a lezer of the gemeente, a beleidsmedewerker of
    another gemeente."""
    return user_trio(Role.POLICY_OFFICER, Role.READER)
