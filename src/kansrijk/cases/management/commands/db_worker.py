"""``kansrijk db_worker``: django-tasks' database worker, with the imports' sweep.

The same command and options as ``django_tasks_db``'s (it takes precedence because the
register comes first in ``INSTALLED_APPS``). Before the worker takes its first task it
sweeps once (``cases.import_recovery.sweep`` for the register's case imports,
``imports.jobs.sweep`` for the other uploads' import jobs, ``documents.services.
expire_documents`` for the generated documents): an import that was busy when
the previous worker died is marked failed and its file deleted. Then a thread of its own sweeps every
``IMPORT_RECOVERY["SWEEP_SECONDS"]`` while the worker runs: a run whose heartbeat stopped
is found within minutes, also when another worker process died. The same thread sends
the agenda's reminders of what falls due (``agenda.reminders``, decision 0039), at most
once every ``AGENDA_REMINDERS["INTERVAL_SECONDS"]``. Another thread writes the worker's
heartbeat (``operations.heartbeat``, decision 0043) every
``WORKER_HEARTBEAT["INTERVAL_SECONDS"]``, which ``/gezond/klaar`` reads.

When the database goes away under it (PostgreSQL restarted, the network between them
down), the worker does not stop: it waits a moment and polls again, a little longer each
time up to ``DATABASE_RETRY_MAX_SECONDS``, and takes up its work when the database is back
(decision 0048; django-tasks' own worker would end with the error).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from kansrijk.agenda.reminders import ReminderSchedule
from kansrijk.agenda_intake import services as agenda_intake
from kansrijk.cases import import_recovery
from kansrijk.documents.services import expire_documents
from kansrijk.imports import jobs
from kansrijk.operations import heartbeat, stale_tasks

logger = logging.getLogger(__name__)

# Between two tries while the database is unreachable: 1, 2, 4, then every 5 seconds, so
# that the worker is back within seconds of the database.
DATABASE_RETRY_MAX_SECONDS = 5


def sweep_imports() -> None:
    """The sweeps: the case register's runs, the other uploads' jobs, the generated
    documents (expired files deleted, a dead worker's job failed; decision 0047), the
    documents being read into a draft agenda (decision 0053), and the
    other tasks whose worker stopped beating (``operations.stale_tasks``)."""
    import_recovery.sweep()
    jobs.sweep()
    expire_documents()
    agenda_intake.sweep()
    stale_tasks.fail_tasks_of_stopped_workers()


def _sweep_once() -> None:
    try:
        sweep_imports()
    except Exception as error:  # the next sweep tries again; the worker goes on
        logger.error("Import sweep failed: %s", type(error).__name__)
    finally:
        # This thread's own connections: the worker's are left alone.
        connections.close_all()


class _Sweeper(threading.Thread):
    def __init__(self, interval: float):
        super().__init__(name="import-sweep", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()
        # The agenda's reminders ride on this thread: at its first tick, then at most once
        # per their own interval (docs/decisions/0039).
        self.reminders = ReminderSchedule(settings.AGENDA_REMINDERS["INTERVAL_SECONDS"])

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            self.reminders.run_if_due()
            _sweep_once()  # also closes this thread's connections


class Command(DatabaseWorkerCommand):
    help = (
        "Voert achtergrondtaken uit (de imports) en ruimt op wat een gestopte taak "
        "achterliet: een import zonder hartslag wordt als mislukt gemarkeerd en het "
        "geüploade bestand verwijderd (docs/decisions/0028 en 0029)."
    )

    def handle(self, *args, **options) -> None:
        sweep_imports()
        sweeper = _Sweeper(settings.IMPORT_RECOVERY["SWEEP_SECONDS"])
        sweeper.start()
        beater = heartbeat.Beater(heartbeat.worker_name(options.get("worker_id") or ""))
        beater.start()
        try:
            self._handle_until_stopped(*args, **options)
        finally:
            sweeper.stopped.set()
            beater.stopped.set()
            beater.join(timeout=5)
            heartbeat.stop(beater.worker)

    def _handle_until_stopped(self, *args, **options) -> None:
        pause = 1
        while True:
            try:
                super().handle(*args, **options)
                return
            except (OperationalError, InterfaceError) as error:
                # A signal during the pause still stops the worker: django-tasks' handler
                # exits at once when no task runs.
                logger.warning(
                    "Database unreachable (%s); the worker tries again in %s s.",
                    type(error).__name__,
                    pause,
                )
                connections.close_all()
                time.sleep(pause)
                pause = min(pause * 2, DATABASE_RETRY_MAX_SECONDS)
