"""The drills copy committed data (the backup and ``pg_dump`` see nothing else), so their
tests commit, and the database is emptied after each: what the audit table's
append-only triggers refuse. The triggers are in place while a test runs (the drill checks
them too) and lifted for the emptying; the module puts them back at its end."""

from __future__ import annotations

import pytest
from django.db import transaction

from kansrijk.audit import services as audit
from kansrijk.testing import factories
from kansrijk.testing.database import create_audit_triggers, drop_audit_triggers


@pytest.fixture(scope="module")
def _audit_triggers_back(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        drop_audit_triggers()
        create_audit_triggers()


@pytest.fixture
def audit_triggers_while_testing(_audit_triggers_back, transactional_db):
    drop_audit_triggers()
    create_audit_triggers()
    yield
    drop_audit_triggers()


@pytest.fixture
def register(audit_triggers_while_testing):
    """A small register, committed: three cases of three young people with a BSN, and
    their audit records in the chain."""
    cases = [factories.CaseFactory() for _index in range(3)]
    with transaction.atomic():
        for case in cases:
            audit.record("cases.case.create", actor=None, target=case, after={"drill": True})
    return cases
