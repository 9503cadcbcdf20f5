"""Database helpers for tests that empty the database (the live-server tests).

Emptying the database (DELETE on SQLite, TRUNCATE on PostgreSQL) is what the audit
table's append-only triggers rightly refuse, so such tests lift them first and put them
back, from the migration that defines them, afterwards. The caller unblocks database
access (``django_db_blocker.unblock()``)."""

from __future__ import annotations

import importlib

from django.db import connection


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
