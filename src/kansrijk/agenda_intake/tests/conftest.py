"""The Maassluis gemeente with its officers, for the review tests."""

from __future__ import annotations

import pytest

from kansrijk.organisations.models import Role
from kansrijk.testing import factories


@pytest.fixture
def maassluis(db):
    region = factories.MunicipalityFactory(code="GM0556", name="Maassluis")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Maassluis"
    )
    officer = factories.UserFactory(username="beleid.maassluis")
    factories.MembershipFactory(user=officer, organisation=gemeente, role=Role.POLICY_OFFICER)
    colleague = factories.UserFactory(username="collega.maassluis")
    factories.MembershipFactory(user=colleague, organisation=gemeente, role=Role.POLICY_OFFICER)
    other = factories.MunicipalityOrganisationFactory(name="Gemeente Elders")
    stranger = factories.UserFactory(username="beleid.elders")
    factories.MembershipFactory(user=stranger, organisation=other, role=Role.POLICY_OFFICER)
    reader = factories.UserFactory(username="lezer.maassluis")
    factories.MembershipFactory(user=reader, organisation=gemeente, role=Role.READER)
    return {
        "region": region,
        "gemeente": gemeente,
        "officer": officer,
        "colleague": colleague,
        "stranger": stranger,
        "reader": reader,
    }
