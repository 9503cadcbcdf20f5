"""What ``/gezond/klaar`` checks: each check answers ``(status, details)`` and never lets
an error's text out (it may name a host, a user or a key); the log gets its type only."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

logger = logging.getLogger(__name__)

OK, FAILED, STALE, ABSENT = "ok", "fail", "stale", "absent"

# Once every migration is applied it stays so for the life of the process (a migration
# runs before a new release starts), so the plan is not computed on every probe.
_migrations_applied = False


def database() -> tuple[str, dict]:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        logger.error("Readiness: database check failed: %s", type(error).__name__)
        return FAILED, {}
    return OK, {}


def migrations() -> tuple[str, dict]:
    global _migrations_applied
    if _migrations_applied:
        return OK, {}
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:
        logger.error("Readiness: migration check failed: %s", type(error).__name__)
        return FAILED, {}
    if plan:
        return FAILED, {"unapplied": len(plan)}
    _migrations_applied = True
    return OK, {}


def encryption_key() -> tuple[str, dict]:
    """The case register's key (FIELD_ENCRYPTION_KEYS) encrypts and decrypts a probe."""
    from kansrijk.cases import crypto

    probe = "000000000"
    try:
        usable = crypto.decrypt(crypto.encrypt(probe)) == probe
    except Exception as error:
        logger.error("Readiness: encryption key check failed: %s", type(error).__name__)
        usable = False
    return (OK, {}) if usable else (FAILED, {})


def worker() -> tuple[str, dict]:
    """Whether a task worker beat recently. Not needed to serve pages: its absence makes
    the answer "degraded", not "not ready"."""
    from .heartbeat import last_seen

    try:
        seen = last_seen()
    except Exception as error:
        logger.error("Readiness: worker check failed: %s", type(error).__name__)
        return ABSENT, {}
    if seen is None:
        return ABSENT, {}
    age = max(0, int((timezone.now() - seen).total_seconds()))
    status = OK if age <= settings.WORKER_HEARTBEAT["STALE_SECONDS"] else STALE
    return status, {"age_seconds": age}


# The checks without which the site cannot serve a page; the worker is not one of them.
REQUIRED = {"database": database, "migrations": migrations, "encryption_key": encryption_key}


def readiness() -> tuple[int, dict]:
    """The HTTP status (200 or 503) and the JSON answer of ``/gezond/klaar``."""
    checks = {}
    for name, check in REQUIRED.items():
        if name == "migrations" and checks["database"]["status"] != OK:
            checks[name] = {"status": FAILED}  # cannot be read without the database
            continue
        status, details = check()
        checks[name] = {"status": status, **details}
    if checks["database"]["status"] == OK:
        status, details = worker()
    else:
        status, details = ABSENT, {}
    checks["worker"] = {"status": status, **details}

    if any(checks[name]["status"] != OK for name in REQUIRED):
        return 503, {"status": "fail", "checks": checks}
    if checks["worker"]["status"] != OK:
        return 200, {"status": "degraded", "checks": checks}
    return 200, {"status": "ok", "checks": checks}
