"""The full demo, loaded once for the tests of this package: the real reference data and
``kansrijk load_demo``, as ``make demo`` does (about a minute). The tests here read it and
change nothing that outlives them (each runs in a transaction that is rolled back); the
package's teardown empties the database again for the tests that come after."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from kansrijk.testing.database import audit_triggers_lifted


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        call_command("load_reference_data", stdout=StringIO())
        call_command("load_demo", stdout=StringIO())
    yield
    with django_db_blocker.unblock(), audit_triggers_lifted():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def demo_user(demo, db):
    """A demo user by name (password login is not needed: the test client logs in)."""
    from kansrijk.organisations.models import User

    return lambda username: User.objects.get(username=username)
