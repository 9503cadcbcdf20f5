"""Nothing stuck, nothing left behind: the sweep of the case import (decision 0028).

A running import writes a heartbeat into its ``ImportRun`` every second or so
(``importing.heartbeat``). When the process that runs it dies (``kill -9``, a reboot, a
database restart that broke its connection), nobody is left to finish the run, so the
worker sweeps (``sweep``): when it starts, then every ``SWEEP_SECONDS`` in a thread of
its own (``management/commands/db_worker.py``), and on demand (``kansrijk
sweep_imports``). A sweep

1. marks failed every run that is checking while its heartbeat is older than
   ``STALE_SECONDS``, and every queued run whose task a worker took but never started
   (its task too, so that the task list does not say RUNNING forever). A run of which
   part is saved (its worker died between two batches of the switch, decision 0034) is
   not given up but taken up again: a new task checks and switches the file anew,
   which finds the saved part unchanged; after ``importing.ROLL_FORWARD_ATTEMPTS`` it
   ends "onderbroken", saying how much was saved and that the same file completes it;
2. deletes the uploaded file of every run that has ended (done, rejected, failed), and
   gives up a run whose file is older than ``FILE_MAX_AGE_HOURS``: the file holds BSNs
   in clear and is never kept longer, whether or not a worker ever came;
3. deletes kept files of the directory ``imports`` that no run refers to (a run deleted
   with its file left) once they are older than ``STALE_SECONDS`` (``kept_files``, the
   same sweep as the other uploads and the documents), and the temporary copies on this
   machine whose kept file is gone (a worker killed while it read one).

Giving a run up is a compare-and-set on its status and heartbeat: a heartbeat written
meanwhile keeps the run alive. An import that finds its run given up stops and writes
nothing (``importing._RunEnded``): its switch only moves the staged rows while the run
is still active. A run given up can be started again by uploading the file again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kansrijk import kept_files
from kansrijk.imports import task_queue

from . import importing
from .models import ImportRun, ImportStatus

logger = logging.getLogger(__name__)

DIED_MESSAGE = gettext_noop(
    "De import is onderbroken: het proces dat hem uitvoerde, stopte onverwacht (bijvoorbeeld "
    "door een herstart van de server of de database). Er is niets opgeslagen en het "
    "geüploade bestand is verwijderd. Upload het bestand opnieuw om het te importeren."
)
EXPIRED_MESSAGE = gettext_noop(
    "De import is niet op tijd klaargekomen: een geüpload bestand wordt nooit langer dan "
    "de ingestelde bewaartijd bewaard. Er is niets opgeslagen en het bestand is verwijderd. "
    "Upload het bestand opnieuw om het te importeren."
)
SILENT_STATUSES = (ImportStatus.CHECKING, ImportStatus.SAVING)


@dataclass
class SweepReport:
    died: int = 0
    expired: int = 0
    files_deleted: int = 0
    taken_up: int = 0
    copies_deleted: int = 0

    def __bool__(self) -> bool:
        return bool(
            self.died or self.expired or self.files_deleted or self.taken_up or self.copies_deleted
        )


def _setting(name: str) -> float:
    return settings.IMPORT_RECOVERY[name]


def sweep(now: datetime | None = None) -> SweepReport:
    now = now or timezone.now()
    report = SweepReport()
    _give_up_dead_runs(now, report)
    _delete_files_of_ended_runs(now, report)
    _delete_unclaimed_files(now, report)
    # The copies a killed worker on this machine left in its temporary directory.
    report.copies_deleted = kept_files.delete_orphan_spools()
    if report:
        logger.warning(
            "Case import sweep: %s runs died, %s taken up again, %s expired, %s files deleted, "
            "%s temporary copies deleted",
            report.died,
            report.taken_up,
            report.expired,
            report.files_deleted,
            report.copies_deleted,
        )
    return report


def _give_up_dead_runs(now: datetime, report: SweepReport) -> None:
    limit = now - timedelta(seconds=_setting("STALE_SECONDS"))
    silent = ImportRun.objects.filter(status__in=SILENT_STATUSES).filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True, created_at__lt=limit)
    )
    # A worker that died between taking the task and the run's first heartbeat.
    never_started = ImportRun.objects.filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True),
        status=ImportStatus.QUEUED,
        created_at__lt=limit,
    ).exclude(task_id="")
    for run in [*silent, *(run for run in never_started if task_queue.task_taken(run.task_id))]:
        if run.written_rows:
            if _take_up_again(run, now):
                report.taken_up += 1
        elif _give_up(run, DIED_MESSAGE, now):
            report.died += 1


def _unchanged_since_read(run: ImportRun):
    """The run as the sweep read it: a heartbeat or another attempt meanwhile keeps it."""
    return ImportRun.objects.filter(
        pk=run.pk, status=run.status, heartbeat_at=run.heartbeat_at, attempts=run.attempts
    )


def _take_up_again(run: ImportRun, now: datetime) -> bool:
    """Queue a run of which part is saved for another attempt (its file is still
    there); when the attempts are used up or the file is gone, end it "onderbroken"."""
    from .tasks import run_case_import

    if not run.stored_file or run.attempts + 1 >= importing.ROLL_FORWARD_ATTEMPTS:
        return _give_up(run, DIED_MESSAGE, now)
    with transaction.atomic():
        taken = _unchanged_since_read(run).update(
            status=ImportStatus.QUEUED, attempts=run.attempts + 1, heartbeat_at=now
        )
        if taken:
            task_queue.fail_task(
                run.task_id, now, "The case import stopped half-way; taken up again by the sweep."
            )
            transaction.on_commit(lambda: importing._enqueue(run_case_import, run))
    if taken:
        logger.warning("Case import %s taken up again (attempt %s)", run.pk, run.attempts + 2)
    return bool(taken)


def _give_up(run: ImportRun, message: str, now: datetime) -> bool:
    """Mark ``run`` failed with ``message`` (or, when part of it is saved,
    "onderbroken", saying so instead), unless it moved on since it was read; then its
    file and its task."""
    if run.written_rows:
        status, text = ImportStatus.INTERRUPTED, importing.partly_saved(run)
    else:
        status, text = ImportStatus.FAILED, _(message)
    problems = [{"row": None, "column": None, "message": text}]
    with transaction.atomic():
        given_up = _unchanged_since_read(run).update(
            status=status, finished_at=now, problems=problems, problem_count=1
        )
        if given_up:
            task_queue.fail_task(
                run.task_id, now, "The case import stopped without finishing (found by the sweep)."
            )
    if not given_up:
        return False
    logger.warning("Case import %s given up: %s", run.pk, text[:40])
    importing.delete_stored_file(run)
    return True


def _delete_files_of_ended_runs(now: datetime, report: SweepReport) -> None:
    oldest = now - timedelta(hours=_setting("FILE_MAX_AGE_HOURS"))
    for run in ImportRun.objects.exclude(stored_file="").filter(
        Q(
            status__in=[
                ImportStatus.DONE,
                ImportStatus.REJECTED,
                ImportStatus.FAILED,
                ImportStatus.INTERRUPTED,
            ]
        )
        | Q(created_at__lt=oldest)
    ):
        if run.is_finished:
            importing.delete_stored_file(run)
            report.files_deleted += 1
        elif _give_up(run, EXPIRED_MESSAGE, now):
            report.expired += 1
            report.files_deleted += 1


def _delete_unclaimed_files(now: datetime, report: SweepReport) -> None:
    claimed = ImportRun.objects.exclude(stored_file="").values_list("stored_file", flat=True)
    grace = now - timedelta(seconds=_setting("STALE_SECONDS"))
    report.files_deleted += kept_files.delete_unclaimed(importing.IMPORT_DIR, claimed, grace)
