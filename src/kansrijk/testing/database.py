"""Database helpers for tests: the live-server tests empty the database, and the tests of
the demo load it once for many tests.

Emptying the database (DELETE on SQLite, TRUNCATE on PostgreSQL) is what the audit
table's append-only triggers rightly refuse, so such tests lift them first and put them
back, from the migration that defines them, afterwards. The caller unblocks database
access (``django_db_blocker.unblock()``)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


def _statements() -> tuple[list[str], list[str]]:
    migration = importlib.import_module("kansrijk.audit.migrations.0003_append_only_triggers")
    by_vendor = {
        "sqlite": (migration.SQLITE_BACKWARD, migration.SQLITE_FORWARD),
        "postgresql": (migration.POSTGRES_BACKWARD, migration.POSTGRES_FORWARD),
    }
    return by_vendor.get(connection.vendor, ([], []))


def _execute(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_audit_triggers() -> None:
    _execute(_statements()[0])


def create_audit_triggers() -> None:
    _execute(_statements()[1])


@contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """Data loaded once for a module or package of tests, in a transaction that is rolled
    back when the block ends: each test runs in a savepoint inside it (the ``db`` fixture),
    and the tests after the block find the database as it was. For fixtures of a wider
    scope that load the demo (about 10–60 seconds) once instead of once per test."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
