"""Import jobs: the five upload pages hand their file to the background worker
(decision 0029).

``start`` keeps the upload in the database (``kansrijk.kept_files``, directory
``import-jobs``: encrypted, read by a worker on any machine) and enqueues ``tasks.run_import_job`` once the job is
committed; ``run`` is the task's work: it claims the job, runs the importer with a
progress callback that writes progress and a heartbeat about once a second, keeps the
outcome as JSON and deletes the file once the job has ended. ``sweep`` fails jobs
whose heartbeat stopped (the worker was killed) while they checked, runs again those
that had begun to write (decision 0030), and deletes files that outlived their job.
"""

from __future__ import annotations

import datetime
import io
import logging
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kansrijk import kept_files
from kansrijk.pulse import Pulse, forget_old, pulsing

from . import task_queue
from .models import ImportJob, JobStatus
from .problems import ImportRejected
from .writing import WRITING, WriteStopped, saved_so_far

logger = logging.getLogger(__name__)

JOB_DIR = "import-jobs"
HEARTBEAT_SECONDS = 1.0
# The status page shows this many problems; the rest are counted. The file's own limits
# (decision 0027) keep the count itself bounded.
MAX_STORED_PROBLEMS = 1000
# How often the sweep hands a job whose worker died while writing to a worker again
# before it gives up (decision 0030): a file that kills its worker every time must end.
MAX_ATTEMPTS = 3
BUSY = (JobStatus.RUNNING, JobStatus.WRITING)


def _store(upload) -> str:
    return kept_files.keep(JOB_DIR, upload.name, upload.chunks())


@transaction.atomic
def start(kind: str, upload, *, actor, dry_run: bool = False, agenda=None) -> ImportJob:
    """Store the upload, follow it with an ``ImportJob`` and hand it to the worker once
    the job is committed."""
    from .tasks import run_import_job

    job = ImportJob.objects.create(
        kind=kind,
        uploaded_by=actor,
        agenda=agenda,
        original_name=Path(upload.name).name[:255],
        stored_file=_store(upload),
        dry_run=dry_run,
        language=translation.get_language() or "",
    )
    transaction.on_commit(lambda: _enqueue(run_import_job, job.pk))
    return job


def _enqueue(task, job_id: int) -> None:
    result = task.enqueue(job_id)
    # The immediate backend (tests) has run the job by now; keep what it wrote.
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def recent(user, kind: str, *, agenda=None, limit: int = 5):
    """The last jobs of this kind the user may see, for the upload page to link to."""
    found = ImportJob.objects.visible_to(user).filter(kind=kind)
    if agenda is not None:
        found = found.filter(agenda=agenda)
    return found.order_by("-created_at", "-pk")[:limit]


# ------------------------------------------------------------------ running a job


class _Heartbeat:
    """The progress callback: writes progress and the heartbeat at most once a second.

    Not inside the importer's own transaction: the web would not see it before the
    commit, and on SQLite it would only lengthen the write. (The depth is counted from
    where the job starts: the tests run it inside their own transaction.)"""

    def __init__(self, job: ImportJob, clock=time.monotonic):
        self.job_id = job.pk
        self.clock = clock
        self.last = clock()
        self.done = self.total = 0
        self.depth = len(connection.atomic_blocks)

    def rows_read(self, phase: str, done: int, total: int) -> None:
        """The importer's own callback (every 1,000 rows read, and after every batch it
        wrote): a sign of life, and once rows are saved, how many (decision 0030)."""
        if phase == WRITING:
            self._written(done)
        else:
            self._write()

    def _written(self, done: int) -> None:
        """After every committed batch, never inside one: from now on the sweep runs the
        job again rather than failing it."""
        if len(connection.atomic_blocks) > self.depth:
            return
        self.last = self.clock()
        ImportJob.objects.filter(pk=self.job_id, status__in=BUSY).update(
            status=JobStatus.WRITING,
            written_rows=Greatest(F("written_rows"), done),
            heartbeat_at=timezone.now(),
        )

    def position(self, done: int, total: int) -> None:
        """How far the file has been read: the progress the page shows."""
        self.done, self.total = done, total
        self._write()

    def _write(self) -> None:
        now = self.clock()
        if now - self.last < HEARTBEAT_SECONDS or len(connection.atomic_blocks) > self.depth:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.job_id, status__in=BUSY).update(
            done=self.done, total=self.total, heartbeat_at=timezone.now()
        )


def pulse_key(job_id: int) -> str:
    return f"import-job-pulse-{job_id}"


def _pulse(job_id: int) -> Pulse:
    """The job's sign of life while it runs (``kansrijk.pulse``)."""
    return Pulse(pulse_key(job_id), interval=HEARTBEAT_SECONDS)


def _pulsing(job_id: int, now: datetime.datetime, limit: float) -> bool:
    """Whether the job's thread has beaten within ``limit`` seconds before ``now``."""
    return pulsing(pulse_key(job_id), now, limit)


class _WatchedFile(io.BufferedReader):
    """The stored file, telling the heartbeat how far it has been read."""

    def __init__(self, raw, size: int, heartbeat: _Heartbeat):
        super().__init__(raw)
        self._size = size
        self._heartbeat = heartbeat

    def _tick(self) -> None:
        self._heartbeat.position(min(self.tell(), self._size), self._size)

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self._tick()
        return data

    def read1(self, size: int = -1) -> bytes:
        data = super().read1(size)
        self._tick()
        return data

    def readinto(self, buffer) -> int:
        count = super().readinto(buffer)
        self._tick()
        return count


def _claim(job_id: int) -> ImportJob | None:
    """The job, now running; None when it has ended or another worker has it."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    job = ImportJob.objects.select_related("uploaded_by", "agenda").filter(pk=job_id).first()
    if job is not None and not claimed:
        if job.is_finished:
            delete_stored_file(job)
        return None
    return job


def run(job_id: int) -> None:
    """The background task's work: import the stored file, then delete it.

    Whatever stops the worker itself (``SystemExit``, ``KeyboardInterrupt``) passes
    through and leaves the file, as a killed worker would: the sweep fails the job if
    it was still checking, and runs it again if it had begun to write."""
    job = _claim(job_id)
    if job is None:
        return
    with translation.override(job.language or settings.LANGUAGE_CODE):
        outcome = _outcome(job)
    if outcome is None:
        return  # left to the sweep, file and all
    delete_stored_file(job)
    _finish(job, *outcome)


def _outcome(job: ImportJob) -> tuple[str, dict] | None:
    from .kinds import KINDS

    if job.uploaded_by is None or not job.stored_file:
        # Without its uploader nobody's scope applies; without its file there is nothing.
        return JobStatus.FAILED, {"error": _("De import kon niet worden uitgevoerd.")}
    heartbeat = _Heartbeat(job)
    try:
        # Read from the database as it goes, a chunk at a time: the readers only need a
        # seekable stream.
        with _pulse(job.pk), kept_files.open(job.stored_file) as raw:
            source = _WatchedFile(raw, raw.size, heartbeat)
            report = KINDS[job.kind].run(job, source, heartbeat.rows_read)
    except WriteStopped as stopped:
        intro = _("Bij het opslaan is een rij geweigerd; er veranderde iets sinds de controle.")
        return JobStatus.FAILED, _stopped(intro, stopped.problems, stopped.written)
    except ImportRejected as rejected:
        written = _written_rows(job)
        if written:  # checked again after an earlier attempt saved rows
            intro = _("Bij de nieuwe poging na een onderbreking is het bestand afgewezen.")
            lines = [*rejected.problems, saved_so_far(written)]
            return JobStatus.FAILED, _stopped(intro, lines, written)
        return JobStatus.REJECTED, _problems(rejected.problems)
    except Exception as error:
        # Only the type: a message may quote a cell of the file.
        logger.error("Import job %s failed: %s", job.pk, type(error).__name__)
        if _written_rows(job):
            # Batches were committed (the database went away mid-write, say): not
            # failed half-written, but left for the sweep to run again.
            return None
        return JobStatus.FAILED, {"error": _("Er ging iets mis bij het importeren.")}
    result = report_result(report)
    if job.attempts:
        result["warnings"].append(
            _(
                "De verwerking werd onderbroken en is opnieuw gestart. Rijen die de eerste "
                "keer al waren opgeslagen, tellen hierboven als ongewijzigd."
            )
        )
    return JobStatus.DONE, result


def _written_rows(job: ImportJob) -> int:
    return ImportJob.objects.filter(pk=job.pk).values_list("written_rows", flat=True).first() or 0


def _stopped(intro: str, lines, written: int) -> dict:
    """A job that ended with rows saved: why, and how many were saved (the page then
    does not say that nothing was)."""
    return {"error": " ".join([intro, *(str(line) for line in lines[:20])]), "written": written}


def _problems(problems) -> dict:
    kept = problems[:MAX_STORED_PROBLEMS]
    return {
        "problems": [[p.row, p.column, str(p.message)] for p in kept],
        "problem_count": len(problems),
    }


def report_result(report) -> dict:
    """What an importer's report says, as JSON: the page shows it after the job."""
    return {
        "dry_run": bool(report.dry_run),
        "changed": bool(report.changed),
        "summary": [str(line) for line in report.summary_lines()],
        "warnings": [str(w) for w in getattr(report, "warnings", [])],
        "not_in_file": [str(item) for item in getattr(report, "not_in_file", [])],
        "peildata": sorted(day.isoformat() for day in getattr(report, "peildata", ())),
    }


def _finish(job: ImportJob, status: str, result: dict) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, result=result, finished_at=timezone.now(), stored_file=""
    )


def delete_stored_file(job: ImportJob) -> None:
    if not job.stored_file:
        return
    kept_files.delete(job.stored_file)
    job.stored_file = ""
    ImportJob.objects.filter(pk=job.pk).update(stored_file="")


def file_kept(job: ImportJob) -> bool:
    """Whether the job's uploaded file is still on the server (a failed job's file is
    normally deleted with its end; only then can it be tried again)."""
    return bool(job.stored_file) and kept_files.exists(job.stored_file)


def retry(job: ImportJob, *, actor) -> bool:
    """Queue a failed job whose file is still kept again, from the beheerder's page of
    failed tasks (decision 0047), and record who did; False when it cannot be."""
    from kansrijk.audit import services as audit

    from .tasks import run_import_job

    if not file_kept(job):
        return False
    with transaction.atomic():
        moved = ImportJob.objects.filter(pk=job.pk, status=JobStatus.FAILED).update(
            status=JobStatus.QUEUED, result={}, heartbeat_at=None, finished_at=None
        )
        if moved:
            audit.record("imports.retry", actor=actor, target=job, after={"kind": job.kind})
            transaction.on_commit(lambda: _enqueue(run_import_job, job.pk))
    return bool(moved)


# ------------------------------------------------------------------ the sweep


def _resume_hint(written: int) -> str:
    return ngettext(
        "%(count)s rij is opgeslagen; upload hetzelfde bestand opnieuw om de import af te "
        "maken (wat al is opgeslagen telt dan als ongewijzigd).",
        "%(count)s rijen zijn opgeslagen; upload hetzelfde bestand opnieuw om de import af "
        "te maken (wat al is opgeslagen telt dan als ongewijzigd).",
        written,
    ) % {"count": written}


def _fail(jobs, message: str, now: datetime.datetime) -> int:
    failed = 0
    for job in jobs:
        delete_stored_file(job)
        result = {"error": message}
        if job.written_rows:
            result = {
                "error": f"{message} {_resume_hint(job.written_rows)}",
                "written": job.written_rows,
            }
        ended = (
            ImportJob.objects.filter(pk=job.pk)
            .unended()
            .update(status=JobStatus.FAILED, result=result, finished_at=now)
        )
        if ended:
            task_queue.fail_task(job.task_id, now, "The import job stopped (found by the sweep).")
        failed += ended
    return failed


def _run_again(job: ImportJob, now: datetime.datetime) -> int:
    """Hand a job whose worker died while writing to a worker again, file and all: the
    importers find the rows already written unchanged and write the rest (decision
    0030). Conditional on the state the sweep saw, so that two sweeps do it once."""
    from .tasks import run_import_job

    moved = ImportJob.objects.filter(
        pk=job.pk, status=job.status, heartbeat_at=job.heartbeat_at
    ).update(status=JobStatus.QUEUED, attempts=F("attempts") + 1, heartbeat_at=None)
    if moved:
        task_queue.fail_task(
            job.task_id, now, "The import job stopped while writing; queued again (the sweep)."
        )
        transaction.on_commit(lambda: _enqueue(run_import_job, job.pk))
    return moved


def sweep(now: datetime.datetime | None = None) -> dict[str, int]:
    """Fail the jobs whose heartbeat stopped while they checked; run again those that
    had begun to write, at most ``MAX_ATTEMPTS`` times and while their file is younger
    than its maximum age; delete every stored file of an ended job, of a job older than
    that age, and any file in the directory that no job knows and is older than that.
    Safe to run at any time, from any process."""
    now = now or timezone.now()
    limit = settings.IMPORT_RECOVERY["STALE_SECONDS"]
    stale_before = now - datetime.timedelta(seconds=limit)
    old_before = now - datetime.timedelta(hours=settings.IMPORT_RECOVERY["FILE_MAX_AGE_HOURS"])
    silent = ImportJob.objects.filter(status__in=BUSY, heartbeat_at__lt=stale_before)
    stale = [job for job in silent if not _pulsing(job.pk, now, limit)]
    # Rows saved (this attempt or an earlier one): roll forward, within the bounds.
    resumable = [
        job
        for job in stale
        if job.written_rows or job.status == JobStatus.WRITING
        if job.attempts < MAX_ATTEMPTS and job.stored_file and job.created_at >= old_before
    ]
    requeued = sum(_run_again(job, now) for job in resumable)
    given_up = [job for job in stale if job not in resumable and job.written_rows]
    failed = _fail(
        given_up,
        _("De verwerking is tijdens het opslaan onderbroken en niet meer opnieuw gestart."),
        now,
    )
    checking = [job for job in stale if job not in resumable and not job.written_rows]
    failed += _fail(checking, _("De verwerking is onderbroken."), now)
    expired = ImportJob.objects.unended().filter(created_at__lt=old_before)
    failed += _fail(
        expired, _("Het bestand wachtte te lang op de verwerking en is verwijderd."), now
    )
    deleted = 0
    for job in ImportJob.objects.ended().exclude(stored_file=""):
        delete_stored_file(job)
        deleted += 1
    deleted += _delete_unknown_files(old_before)
    forget_old(now)
    return {"failed": failed, "deleted": deleted, "requeued": requeued}


def _delete_unknown_files(old_before: datetime.datetime) -> int:
    claimed = ImportJob.objects.exclude(stored_file="").values_list("stored_file", flat=True)
    return kept_files.delete_unclaimed(JOB_DIR, claimed, old_before)
