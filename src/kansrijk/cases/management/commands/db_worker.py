"""``kansrijk db_worker``: django-tasks' database worker, with the case import's sweep.

The same command and options as ``django_tasks_db``'s (it takes precedence because the
register comes first in ``INSTALLED_APPS``). Before the worker takes its first task it
sweeps once (``cases.import_recovery.sweep``): a run that was busy when the previous
worker died is marked failed and its file deleted. Then a thread of its own sweeps every
``IMPORT_RECOVERY["SWEEP_SECONDS"]`` while the worker runs: a run whose heartbeat stopped
is found within minutes, also when another worker process died.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from kansrijk.cases import import_recovery

logger = logging.getLogger(__name__)


def _sweep_once() -> None:
    try:
        import_recovery.sweep()
    except Exception as error:  # the next sweep tries again; the worker goes on
        logger.error("Case import sweep failed: %s", type(error).__name__)
    finally:
        # This thread's own connections: the worker's are left alone.
        connections.close_all()


class _Sweeper(threading.Thread):
    def __init__(self, interval: float):
        super().__init__(name="case-import-sweep", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            _sweep_once()


class Command(DatabaseWorkerCommand):
    help = (
        "Voert achtergrondtaken uit (de import van casussen) en ruimt op wat een gestopte "
        "taak achterliet: een import zonder hartslag wordt als mislukt gemarkeerd en het "
        "geüploade bestand verwijderd (docs/decisions/0028)."
    )

    def handle(self, *args, **options) -> None:
        import_recovery.sweep()
        sweeper = _Sweeper(settings.IMPORT_RECOVERY["SWEEP_SECONDS"])
        sweeper.start()
        try:
            super().handle(*args, **options)
        finally:
            sweeper.stopped.set()
