"""Fixtures shared by every test: the user trio and helpers for two-factor logins; and
what a parallel run (pytest-xdist, decision 0049) needs: a progress cache per worker and
the tests that share one loaded demo kept on one worker."""

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
    """Nothing goes to var/: MEDIA_ROOT (empty since decision 0050) and the temporary
    copies a case import reads are directories of the test, so that one test's sweep
    never meets another's copy (parallel workers share the system's /tmp)."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    settings.KEPT_FILES_SPOOL_DIR = tmp_path_factory.mktemp("spool")


@pytest.fixture(scope="session", autouse=True)
def private_progress_cache(tmp_path_factory):
    """The import jobs' heartbeat cache is a directory of files under var/ (decision 0029).
    Parallel workers each have their own test database, so their jobs have the same ids
    and would read each other's heartbeats there: each run and worker gets its own."""
    from django.core.cache import caches
    from django.test import override_settings

    location = str(tmp_path_factory.mktemp("progress-cache"))
    progress = {**settings.CACHES["progress"], "LOCATION": location}
    with override_settings(CACHES={**settings.CACHES, "progress": progress}):
        assert caches["progress"]._dir == location
        yield


# Where tests of a package share one fixture of package scope (the demo, loaded once in
# tests/demo and tests/fuzz), the whole package runs on one worker; elsewhere the unit is
# the module, as ``--dist loadscope`` has it.
SHARED_PACKAGES = ("tests/demo/", "tests/fuzz/")
# The units that take longest (see ``make test``'s slowest tests) start first, so that
# no worker is left with a long one while the other has finished.
LONGEST_FIRST = (
    "tests/browser/test_journeys.py",
    "tests/demo/",
    "tests/fuzz/",
    "tests/browser/test_overflow.py",  # loads the demo for one test
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixturesTogether(LoadScopeScheduling):
        _ordered = False

        def _split_scope(self, nodeid):
            for package in SHARED_PACKAGES:
                if nodeid.startswith(package):
                    return package
            return super()._split_scope(nodeid)

        def _assign_work_unit(self, node):
            if not self._ordered:
                self._ordered = True
                for prefix in reversed(LONGEST_FIRST):
                    for scope in [s for s in self.workqueue if s.startswith(prefix)]:
                        self.workqueue.move_to_end(scope, last=False)
            super()._assign_work_unit(node)

    return SharedFixturesTogether(config, log)


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
