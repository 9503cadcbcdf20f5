"""What the tests of the five spreadsheet importers share to show that they write in
short batches, that a dry run takes no lock, that a job whose worker died while
writing is run again to the end, and that a row refused while writing is named
(decision 0030)."""

from __future__ import annotations

import contextlib
import datetime
import sys
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import TestCase
from django.utils import timezone

from kansrijk import kept_files
from kansrijk.imports import jobs, writing
from kansrijk.imports.models import ImportJob, JobKind, JobStatus

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def start(user, content=b"a,b\n1,2\n", *, kind=JobKind.MEASUREMENTS, run=True, **extra):
    """An uploaded file as a job, run at once by the immediate task backend unless
    ``run`` is false."""
    upload = SimpleUploadedFile(extra.pop("name", "cijfers.csv"), content)
    with TestCase.captureOnCommitCallbacks(execute=run):
        job = jobs.start(kind, upload, actor=user, **extra)
    job.refresh_from_db()
    return job


class Kept:
    """A job's kept file (``kansrijk.kept_files``), asked about as its path once was."""

    def __init__(self, reference: str):
        self.reference = reference

    def exists(self) -> bool:
        return kept_files.exists(self.reference)

    def read_bytes(self) -> bytes:
        with kept_files.open(self.reference) as handle:
            return handle.read()


def stored(job) -> Kept:
    return Kept(job.stored_file)


def small_batches(monkeypatch) -> None:
    """Two rows to a batch, however slow the machine: a file of a few rows is written
    in several."""
    monkeypatch.setattr(writing, "BATCH_SIZE", 2)
    monkeypatch.setattr(writing, "BATCH_SECONDS", 3600)


class Batches:
    """A progress callback that hears every committed batch. The test runs in its own
    transaction, so "committed" is: the batch's transaction is closed when it is
    heard, back at the depth where the import began."""

    def __init__(self):
        self.depth = len(connection.atomic_blocks)
        self.written: list[int] = []

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == writing.WRITING:
            assert len(connection.atomic_blocks) == self.depth
            self.written.append(done)


@contextlib.contextmanager
def no_transaction_and_no_write():
    """Fails when the code inside opens a transaction (or a savepoint: the test runs
    in a transaction of its own) or writes a row: a dry run must not take SQLite's
    write lock. Django's own check of a check constraint (``Q.check``) is left out: it
    opens a savepoint only when a transaction is already open, as the test's is, and
    none in the worker."""
    statements: list[str] = []
    opened: list[str] = []
    enter = transaction.Atomic.__enter__

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    def atomic(block):
        caller = sys._getframe(1).f_code
        if not (caller.co_name == "check" and caller.co_filename.endswith("query_utils.py")):
            opened.append(f"{caller.co_filename}:{caller.co_name}")
        return enter(block)

    with (
        connection.execute_wrapper(record),
        mock.patch.object(transaction.Atomic, "__enter__", atomic),
    ):
        yield
    written = [s[:200] for s in statements if s.lstrip().upper().startswith(WRITES)]
    assert not written, written
    assert not opened, opened


def kill_after_first_batch(monkeypatch, job: ImportJob) -> ImportJob:
    """Run the job and stop the worker right after its first batch is committed, as
    ``kill -9`` would: nothing after it runs, the job stays "opslaan" with its file."""
    written = jobs._Heartbeat._written

    def die(heartbeat, done):
        written(heartbeat, done)
        raise SystemExit("killed")

    monkeypatch.setattr(jobs._Heartbeat, "_written", die)
    with pytest.raises(SystemExit):
        jobs.run(job.pk)
    monkeypatch.setattr(jobs._Heartbeat, "_written", written)
    job.refresh_from_db()
    assert job.status == JobStatus.WRITING and job.written_rows == 2
    assert job.stored_file
    return job


def sweep_after_the_worker_died(job: ImportJob) -> ImportJob:
    """The sweep, once the job's heartbeat is stale: it hands the job to a worker again
    (the immediate backend runs it at once)."""
    later = timezone.now() + datetime.timedelta(
        seconds=settings.IMPORT_RECOVERY["STALE_SECONDS"] + 1
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert jobs.sweep(now=later)["requeued"] == 1
    job.refresh_from_db()
    return job


def refuse_third_call(monkeypatch, module, name: str, message: str = "Intussen gewijzigd."):
    """Let the service ``module.name`` refuse its third call, as if someone changed
    the data between the check and the write."""
    original = getattr(module, name)
    calls = []

    def service(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise ValidationError(message)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, service)


def assert_stopped_at(rejected, row: int | None, written: int = 2) -> None:
    """A ``WriteStopped``: the refused row with its reason, and what was saved."""
    assert isinstance(rejected, writing.WriteStopped) and rejected.written == written
    messages = [str(problem) for problem in rejected.problems]
    assert messages[0] == (f"Rij {row}: Intussen gewijzigd." if row else "Intussen gewijzigd.")
    assert messages[-1].startswith(f"{written} rijen waren al opgeslagen. Verbeter het bestand")
