"""Fixtures shared by every test: the user trio and helpers for two-factor logins."""

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.organisations.models import Role
from kansrijk.testing import factories


@pytest.fixture(autouse=True)
def dutch_by_default():
    """Every test starts in the site's language. A request in English (the language switch)
    leaves English active in the test thread, and a later test without a request would
    otherwise read its messages in English."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path_factory):
    """Uploaded files (import jobs) go to a directory of the test run, never to var/."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture
def municipality_organisation(db):
    return factories.MunicipalityOrganisationFactory()


@pytest.fixture
def other_municipality_organisation(db):
    return factories.MunicipalityOrganisationFactory()


@pytest.fixture
def make_member(db):
    """Make a user with one role in one organisation."""

    def make(organisation, role=Role.POLICY_OFFICER, **user_fields):
        user = factories.UserFactory(**user_fields)
        factories.MembershipFactory(user=user, organisation=organisation, role=role)
        return user

    return make


@pytest.fixture
def user_trio(make_member, municipality_organisation, other_municipality_organisation):
    """The three users of every permission test: a member with the role under test, a
    member of the same organisation with another role, and a member of another organisation
    with the same role."""

    def trio(role=Role.POLICY_OFFICER, other_role=Role.READER):
        return {
            "member": make_member(municipality_organisation, role),
            "other_role": make_member(municipality_organisation, other_role),
            "other_organisation": make_member(other_municipality_organisation, role),
        }

    return trio


@pytest.fixture
def verified_client(client):
    """Log a user in as if they passed the TOTP check, for users whose role requires it."""

    def login(user):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return login


@pytest.fixture(scope="module")
def audit_triggers_lifted(django_db_setup, django_db_blocker):
    """For a module whose tests commit (``transaction=True``): the database is emptied
    after each, which the audit table's append-only triggers rightly refuse on
    PostgreSQL. Lifted for the module, before the test's own database fixture, and put
    back after it has emptied the database."""
    from kansrijk.testing.database import create_audit_triggers, drop_audit_triggers

    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock():
        drop_audit_triggers()
    yield
    with django_db_blocker.unblock():
        create_audit_triggers()
