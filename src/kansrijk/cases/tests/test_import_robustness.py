"""The case import against other writers and faults (decision 0028): checking and
staging hold no write lock, a rejected file writes nothing, two imports of one file end
with one Dutch message, and a worker killed with SIGKILL leaves no run stuck, no file
behind and nothing half-written.

These tests need a database that several connections (threads, a worker process) share
for real: on PostgreSQL the test database with committed transactions; on SQLite a
database file (the tests' in-memory database is shared through SQLite's shared cache,
whose table locks are not what a deployment sees), migrated once per module.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import override_settings
from django.utils import timezone

from kansrijk import kept_files
from kansrijk.audit import services as audit
from kansrijk.audit.models import AuditEvent
from kansrijk.cases import import_recovery, importing, services
from kansrijk.cases.identifiers import bsn_near
from kansrijk.cases.importing import ImportRejected, import_cases
from kansrijk.cases.models import Case, ImportRun, ImportStatus, YoungPerson
from kansrijk.organisations.models import Organisation, OrganisationKind, Role
from kansrijk.storage.models import KeptFile
from kansrijk.testing import factories
from kansrijk.testing.database import create_audit_triggers, drop_audit_triggers

# Committed transactions (flushed after each test); on SQLite the tests themselves run
# on a database file of their own (``shared_db``).
pytestmark = pytest.mark.django_db(transaction=True)

HEADER = [
    "dossier_id",
    "bsn",
    "geboortedatum",
    "woongemeente",
    "brin6",
    "soort",
    "startdatum",
    "aanbod_datum",
    "einddatum",
    "uitkomst",
]


# ------------------------------------------------------------------ a shared database


@contextmanager
def _sqlite_file(path: Path):
    """The default connection (and every thread's) on the database file ``path``; the
    tests' in-memory database is kept aside, open, and put back afterwards."""
    saved_connection, saved_name = connection.connection, connection.settings_dict["NAME"]
    connection.connection = None
    connection.settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved_name
        connection.connection = saved_connection


@pytest.fixture(scope="module")
def _migrated_sqlite_file(django_db_setup, django_db_blocker, tmp_path_factory):
    if connection.vendor != "sqlite":
        yield None
        return
    template = tmp_path_factory.mktemp("import-db") / "template.sqlite3"
    with django_db_blocker.unblock(), _sqlite_file(template):
        call_command("migrate", verbosity=0)
    yield template


@pytest.fixture
def shared_db(_migrated_sqlite_file, audit_triggers_lifted, django_db_blocker, tmp_path):
    """A database whose commits other connections and processes see; yields its URL."""
    if _migrated_sqlite_file is None:
        settings = connection.settings_dict
        yield f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        return
    path = tmp_path / "kansrijk.sqlite3"
    shutil.copyfile(_migrated_sqlite_file, path)
    with django_db_blocker.unblock(), _sqlite_file(path):
        yield f"sqlite:///{path}"


# ------------------------------------------------------------------ data


OPEN = ("2025-01-06", "", "", "")  # startdatum, no offer, no end, no outcome


def _kept(content: bytes) -> str:
    """An upload kept as the web keeps it (``start_import``): its reference."""
    return kept_files.keep(importing.IMPORT_DIR, "upload.csv", [content])


def _kept_files() -> list[str]:
    """The references of the case uploads kept, on every machine (in the database)."""
    return sorted(
        KeptFile.objects.filter(directory=importing.IMPORT_DIR).values_list("reference", flat=True)
    )


def _school():
    beverwijk = factories.MunicipalityFactory(code="GM0375", name="Beverwijk")
    return beverwijk, factories.SchoolFactory(municipality=beverwijk, name="De Vuurtoren")


def _leerplicht_user(beverwijk):
    office = factories.OrganisationFactory(kind=OrganisationKind.ATTENDANCE_OFFICE)
    office.served_regions.add(beverwijk)
    user = factories.UserFactory()
    factories.MembershipFactory(user=user, organisation=office, role=Role.ATTENDANCE_OFFICER)
    return user


def _bsns(count: int) -> list[str]:
    """The BSNs of ``_case_file``'s rows, in order."""
    bsns, number = [], 200_000_000
    for _index in range(count):
        bsns.append(bsn_near(number))
        number = int(bsns[-1]) + 1
    return bsns


def _case_file(school, count: int, *, bad_last_row: bool = False) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for index, bsn in enumerate(_bsns(count)):
        dossier = f"LP-{index:06d}"
        writer.writerow([dossier, bsn, "2011-05-04", "GM0375", school.code, "relatief", *OPEN])
    if bad_last_row:
        writer.writerow(
            ["LP-BAD", "123456789", "2011-05-04", "GM0375", school.code, "x", "", "", "", ""]
        )
    return buffer.getvalue().encode()


def _in_thread(target, *args, **kwargs) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def work():
        try:
            outcome["result"] = target(*args, **kwargs)
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=work)
    thread.start()
    return thread, outcome


def _import_in_thread(path: Path) -> tuple[threading.Thread, dict, ImportRun]:
    run = ImportRun.objects.create(original_name=path.name)
    thread, outcome = _in_thread(import_cases, path, actor=None, run=run)
    return thread, outcome, run


def _register_counts() -> tuple[int, int, int]:
    return Case.objects.count(), YoungPerson.objects.count(), AuditEvent.objects.count()


# ------------------------------------------------------------------ writers


def test_other_writers_are_not_locked_out_while_a_file_is_checked_and_staged(
    shared_db, monkeypatch, tmp_path
):
    _beverwijk, school = _school()
    path = tmp_path / "cases.csv"
    path.write_bytes(_case_file(school, 300))
    monkeypatch.setattr(importing, "BATCH_SIZE", 50)
    staged, carry_on = threading.Event(), threading.Event()
    stage_batch = importing._Writer.write
    batches = []

    def stage_and_pause(self, items):
        stage_batch(self, items)
        batches.append(len(items))
        if len(batches) == 2:
            staged.set()
            carry_on.wait(timeout=30)

    monkeypatch.setattr(importing._Writer, "write", stage_and_pause)
    thread, outcome, run = _import_in_thread(path)
    try:
        while not staged.wait(timeout=0.1):
            assert thread.is_alive(), outcome
        if connection.vendor == "sqlite":
            # A second's patience, not the 20 s busy timeout: a held lock fails the test.
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 1000")
        started = time.monotonic()
        with transaction.atomic():
            Organisation.objects.create(name="Een schrijver tussendoor", kind="other")
            ImportRun.objects.filter(pk=run.pk).update(original_name="tussendoor.csv")
            # The trail's head is free too: the import joins the chain only in its switch.
            audit.record("test.tussendoor", actor=None)
        assert time.monotonic() - started < 1
        # Staged, not written: the register shows nothing of the file yet.
        assert Case.objects.count() == 0
        assert ImportRun.objects.get(pk=run.pk).status == ImportStatus.CHECKING
    finally:
        carry_on.set()
        thread.join(timeout=60)
    assert "error" not in outcome, outcome
    assert batches == [50] * 6
    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert (run.created_count, Case.objects.count(), YoungPerson.objects.count()) == (300, 300, 300)
    assert AuditEvent.objects.filter(action="cases.case.create").count() == 300
    _assert_chained_after(AuditEvent.objects.get(action="test.tussendoor"))


class _PauseAfterBatch:
    """A progress callback that holds the import once the switch has saved ``rows`` rows
    (a batch has committed), until the test lets it carry on."""

    def __init__(self, rows: int):
        self.rows = rows
        self.reached, self.carry_on = threading.Event(), threading.Event()

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase == "opslaan" and done == self.rows:
            self.reached.set()
            assert self.carry_on.wait(timeout=30)

    def wait(self, thread: threading.Thread, outcome: dict) -> None:
        while not self.reached.wait(timeout=0.1):
            assert thread.is_alive(), outcome


def test_the_switch_moves_a_batch_at_a_time_and_others_write_in_between(
    shared_db, monkeypatch, tmp_path
):
    """However large the file, the write lock (SQLite) and the trail's head are held for
    one batch at a time: between two batches another user writes at once."""
    _beverwijk, school = _school()
    path = tmp_path / "cases.csv"
    path.write_bytes(_case_file(school, 300))
    monkeypatch.setattr(importing, "BATCH_SIZE", 50)
    pause = _PauseAfterBatch(100)
    run = ImportRun.objects.create(original_name=path.name)
    thread, outcome = _in_thread(import_cases, path, actor=None, run=run, progress=pause)
    try:
        pause.wait(thread, outcome)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA busy_timeout = 1000")
        started = time.monotonic()
        with transaction.atomic():
            Organisation.objects.create(name="Een schrijver tussendoor", kind="other")
            audit.record("test.tussendoor", actor=None)
        assert time.monotonic() - started < 1
        # Two batches are in, and the run says how far the saving is.
        assert Case.objects.count() == 100
        saving = ImportRun.objects.get(pk=run.pk)
        assert (saving.status, saving.written_rows, saving.created_count) == (
            ImportStatus.SAVING,
            100,
            100,
        )
    finally:
        pause.carry_on.set()
        thread.join(timeout=60)
    assert "error" not in outcome, outcome
    run.refresh_from_db()
    assert (run.status, run.created_count, run.unchanged_count) == (ImportStatus.DONE, 300, 0)
    assert Case.objects.count() == YoungPerson.objects.count() == 300
    assert AuditEvent.objects.filter(action="cases.case.create").count() == 300
    # The other user's audit row sits between the batches in one unbroken chain.
    _assert_audit_verify_passes()


def test_a_young_person_registered_between_two_batches_is_taken_up_and_the_file_completes(
    shared_db, monkeypatch, tmp_path
):
    """A colleague registers a young person of the file's fourth batch while the third
    is being switched: the fourth trips the unique key, the file is checked again (the
    saved part is unchanged) and the rest follows, linked to the colleague's record."""
    beverwijk, school = _school()
    path = tmp_path / "cases.csv"
    path.write_bytes(_case_file(school, 300))
    monkeypatch.setattr(importing, "BATCH_SIZE", 50)
    pause = _PauseAfterBatch(150)
    run = ImportRun.objects.create(original_name=path.name)
    thread, outcome = _in_thread(import_cases, path, actor=None, run=run, progress=pause)
    try:
        pause.wait(thread, outcome)
        colleague = services.register_young_person(
            actor=None,
            identifier_kind="bsn",
            identifier=_bsns(200)[180],
            birth_date=date(2011, 5, 4),
            municipality=beverwijk,
        )
    finally:
        pause.carry_on.set()
        thread.join(timeout=60)
    assert "error" not in outcome, outcome
    run.refresh_from_db()
    assert (run.status, run.attempts) == (ImportStatus.DONE, 1)
    assert (run.created_count, run.updated_count, run.unchanged_count) == (300, 0, 0)
    assert Case.objects.count() == YoungPerson.objects.count() == 300
    assert Case.objects.get(dossier_id="LP-000180").young_person == colleague
    assert AuditEvent.objects.filter(action="cases.case.create").count() == 300
    assert AuditEvent.objects.filter(action="cases.import").count() == 1
    _assert_audit_verify_passes()


class _WorkerDied(BaseException):
    """Stands in for a process killed between two batches: nothing of the import's own
    error handling runs after it."""


@pytest.mark.django_db
def test_a_worker_that_died_between_two_batches_is_taken_up_by_the_sweep(
    monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Nothing half-written: the sweep finds the silent run with part of its file saved,
    queues it again with its file, and the new attempt completes it without doubles."""
    settings.MEDIA_ROOT = tmp_path / "media"
    beverwijk, school = _school()
    user = _leerplicht_user(beverwijk)
    monkeypatch.setattr(importing, "BATCH_SIZE", 50)
    real_switch = importing._Switch.move_all

    def die_after_two_batches(self):
        def progress(phase, done, total):
            if done == 100:
                raise _WorkerDied

        self.progress = progress
        real_switch(self)

    monkeypatch.setattr(importing._Switch, "move_all", die_after_two_batches)
    run = ImportRun.objects.create(
        original_name="cases.csv", stored_file=_kept(_case_file(school, 300)), uploaded_by=user
    )
    with pytest.raises(_WorkerDied):
        importing.run_stored_import(run.pk)
    monkeypatch.setattr(importing._Switch, "move_all", real_switch)
    run.refresh_from_db()
    assert (run.status, run.written_rows, Case.objects.count()) == (ImportStatus.SAVING, 100, 100)
    assert run.stored_file, "the file stays for the next attempt"

    ImportRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):  # the task runs at once
        report = import_recovery.sweep()

    assert report.taken_up == 1
    run.refresh_from_db()
    assert (run.status, run.attempts, run.stored_file) == (ImportStatus.DONE, 1, "")
    assert (run.created_count, run.unchanged_count) == (300, 0)
    assert Case.objects.count() == YoungPerson.objects.count() == 300
    assert AuditEvent.objects.filter(action="cases.case.create").count() == 300
    assert _kept_files() == []


@pytest.mark.django_db
def test_a_run_taken_up_too_often_ends_interrupted_and_says_what_was_saved(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    stored = _kept(b"dossier_id\n")
    run = ImportRun.objects.create(
        original_name="partly.csv",
        stored_file=stored,
        status=ImportStatus.SAVING,
        written_rows=10_000,
        created_count=9_000,
        updated_count=500,
        attempts=importing.ROLL_FORWARD_ATTEMPTS - 1,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )

    import_recovery.sweep()

    run.refresh_from_db()
    assert (run.status, run.stored_file) == (ImportStatus.INTERRUPTED, "")
    assert "9500 casussen nieuw of bijgewerkt" in run.problems[0]["message"]
    assert "Upload hetzelfde bestand opnieuw" in run.problems[0]["message"]
    assert not kept_files.exists(stored)


def _triggers_in_place() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_trigger WHERE tgname = 'audit_auditevent_append_only'")
        return cursor.fetchone() is not None


def _assert_audit_verify_passes() -> None:
    """``kansrijk audit_verify`` finds the trail whole (it raises CommandError on any
    break), with the append-only triggers in place for the check if this module lifted
    them (PostgreSQL)."""
    lifted = connection.vendor == "postgresql" and not _triggers_in_place()
    if lifted:
        create_audit_triggers()
    try:
        out = io.StringIO()
        call_command("audit_verify", stdout=out)
        assert "ongeschonden" in out.getvalue()
    finally:
        if lifted:
            drop_audit_triggers()


def _assert_chained_after(earlier: AuditEvent) -> None:
    """The import's audit rows follow ``earlier`` in the chain, each batch's at the
    moment it was switched, and ``audit_verify`` finds the trail whole."""
    imported = AuditEvent.objects.filter(reason__startswith="import ").order_by("sequence")
    sequences = list(imported.values_list("sequence", flat=True))
    assert sequences == list(range(earlier.sequence + 1, earlier.sequence + 1 + len(sequences)))
    moments = list(imported.values_list("created_at", flat=True))
    assert moments == sorted(moments)
    assert moments[0] >= earlier.created_at
    _assert_audit_verify_passes()


@pytest.mark.django_db
def test_a_rejected_file_writes_nothing_although_batches_were_staged(monkeypatch, tmp_path):
    _beverwijk, school = _school()
    path = tmp_path / "cases.csv"
    path.write_bytes(_case_file(school, 200, bad_last_row=True))
    monkeypatch.setattr(importing, "BATCH_SIZE", 50)
    staged = []
    stage_batch = importing._Writer.write
    monkeypatch.setattr(
        importing._Writer,
        "write",
        lambda self, items: (staged.append(len(items)), stage_batch(self, items)),
    )
    before = _register_counts()
    run = ImportRun.objects.create(original_name=path.name)

    with pytest.raises(ImportRejected):
        import_cases(path, actor=None, run=run)

    assert staged == [50] * 4
    assert _register_counts() == before
    _assert_audit_verify_passes()
    run.refresh_from_db()
    assert run.status == ImportStatus.REJECTED
    assert run.problem_count >= 1


def test_two_imports_of_one_file_at_once_end_with_one_dutch_message(
    shared_db, monkeypatch, tmp_path
):
    _beverwijk, school = _school()
    path = tmp_path / "cases.csv"
    path.write_bytes(_case_file(school, 120))
    # Both have checked and staged the whole file before either switches.
    both_staged = threading.Barrier(2, timeout=30)
    switch = importing._Switch.move_all

    def switch_together(self):
        both_staged.wait()
        return switch(self)

    monkeypatch.setattr(importing._Switch, "move_all", switch_together)
    first = _import_in_thread(path)
    second = _import_in_thread(path)
    for thread, _outcome, _run in (first, second):
        thread.join(timeout=60)

    outcomes = [outcome for _thread, outcome, _run in (first, second)]
    runs = [run for _thread, _outcome, run in (first, second)]
    for run in runs:
        run.refresh_from_db()
    assert sorted(run.status for run in runs) == [ImportStatus.DONE, ImportStatus.FAILED]
    failed = next(run for run in runs if run.status == ImportStatus.FAILED)
    error = next(outcome["error"] for outcome in outcomes if "error" in outcome)
    assert isinstance(error, ImportRejected)
    assert [p["message"] for p in failed.problems] == [str(importing.CONFLICT_MESSAGE)]
    assert "andere import" in failed.problems[0]["message"]
    assert (Case.objects.count(), YoungPerson.objects.count()) == (120, 120)
    assert AuditEvent.objects.filter(action="cases.case.create").count() == 120
    assert AuditEvent.objects.filter(action="cases.import").count() == 1
    # The switch that lost wrote no link: the chain has no gap and no fork.
    _assert_audit_verify_passes()


@pytest.mark.django_db
def test_an_import_the_sweep_gave_up_on_stops_and_writes_nothing(monkeypatch, tmp_path):
    """A worker suspended for longer than the staleness limit finds its run failed when
    it wakes up: it stops, and its switch never runs."""
    _beverwijk, school = _school()
    path = tmp_path / "cases.csv"
    path.write_bytes(_case_file(school, 200))
    monkeypatch.setattr(importing, "BATCH_SIZE", 50)
    stage_batch = importing._Writer.write

    def stage_then_be_given_up(self, items):
        stage_batch(self, items)
        run = ImportRun.objects.get(pk=self.run.pk)
        if run.status == ImportStatus.CHECKING:
            assert import_recovery._give_up(run, import_recovery.DIED_MESSAGE, timezone.now())

    monkeypatch.setattr(importing._Writer, "write", stage_then_be_given_up)
    before = _register_counts()
    run = ImportRun.objects.create(original_name=path.name)

    with pytest.raises(ImportRejected) as rejected:
        import_cases(path, actor=None, run=run)

    assert [str(p) for p in rejected.value.problems] == [str(import_recovery.DIED_MESSAGE)]
    assert _register_counts() == before
    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED


# ------------------------------------------------------------------ a worker that dies


def _worker_tmp(var_dir: Path) -> Path:
    directory = var_dir / "worker-tmp"
    directory.mkdir(exist_ok=True)
    return directory


def _worker(database_url: str, var_dir: Path) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "true",
        "KANSRIJK_ENV_FILE": "/nonexistent/.env",
        "KANSRIJK_VAR_DIR": str(var_dir),
        # The worker's own temporary directory, where a case import copies its file.
        "TMPDIR": str(_worker_tmp(var_dir)),
        "KANSRIJK_IMPORT_STALE_SECONDS": "2",
        "KANSRIJK_IMPORT_SWEEP_SECONDS": "0.5",
    }
    command = [sys.executable, "-m", "kansrijk.manage", "db_worker", "--no-reload"]
    command += ["--no-startup-delay", "--interval", "0.2"]
    return subprocess.Popen(
        command,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    pytest.fail(f"waited {seconds} s for {what}")


def _task_status(run: ImportRun) -> str:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.get(id=run.task_id).status


def _status(run: ImportRun) -> str:
    run.refresh_from_db()
    return run.status


def test_a_killed_worker_leaves_no_run_stuck_no_file_behind_and_nothing_half_written(
    shared_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    beverwijk, school = _school()
    user = _leerplicht_user(beverwijk)
    content = _case_file(school, 20_000)
    workers = []
    try:
        with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
            run = importing.start_import(
                SimpleUploadedFile("cases.csv", content), actor=user, dry_run=False
            )
            run.refresh_from_db()
            assert run.task_id and len(_kept_files()) == 1
            workers.append(_worker(shared_db, tmp_path))
            _wait_for(lambda: _status(run) == ImportStatus.CHECKING, seconds=90, what="checking")
            time.sleep(0.3)
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait(timeout=10)
            assert _status(run) == ImportStatus.CHECKING
            # The copy the killed worker read, left on its machine's disk.
            assert len(list(_worker_tmp(tmp_path).glob("kansrijk-kept-*"))) == 1

            # A new worker's sweep finds the run without heartbeat.
            workers.append(_worker(shared_db, tmp_path))
            _wait_for(
                lambda: _status(run) == ImportStatus.FAILED and not run.stored_file,
                seconds=90,
                what="the sweep",
            )
            assert run.problems[0]["message"] == str(import_recovery.DIED_MESSAGE)
            assert _kept_files() == []
            # The sweep on that machine deletes the copy with the run's file: as its last
            # step, a moment after the run is seen failed, so wait for it.
            _wait_for(
                lambda: list(_worker_tmp(tmp_path).glob("kansrijk-kept-*")) == [],
                seconds=30,
                what="the sweep to delete the copy",
            )
            assert _task_status(run) == "FAILED"
            assert Case.objects.count() == YoungPerson.objects.count() == 0

            again = importing.start_import(
                SimpleUploadedFile("cases.csv", content), actor=user, dry_run=False
            )
            # 20,000 rows through a fresh worker: a loaded CI machine needs minutes, and
            # what is tested is that the import completes, not how fast.
            _wait_for(
                lambda: _status(again) == ImportStatus.DONE and _task_status(again) == "SUCCESSFUL",
                seconds=360,
                what="the import",
            )
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=20)
    again.refresh_from_db()
    assert again.status == ImportStatus.DONE
    assert (again.created_count, Case.objects.count(), YoungPerson.objects.count()) == (
        20_000,
        20_000,
        20_000,
    )
    assert _kept_files() == []
    # The killed import left no audit row; the one started again joined the chain whole.
    _assert_audit_verify_passes()


@pytest.mark.django_db
def test_the_sweep_deletes_files_of_ended_runs_and_every_file_past_its_day(settings, tmp_path):
    a, b, stray, young = (_kept(b"dossier_id\n") for _ in range(4))
    ended = ImportRun.objects.create(original_name="a.csv", stored_file=a, status=ImportStatus.DONE)
    waiting = ImportRun.objects.create(original_name="b.csv", stored_file=b)
    KeptFile.objects.filter(reference=stray).update(created_at=timezone.now() - timedelta(hours=1))

    report = import_recovery.sweep()

    # The stray file past its grace is gone; one just kept may be a run's, not committed.
    assert _kept_files() == sorted([b, young])
    assert (report.files_deleted, report.expired) == (2, 0)
    ended.refresh_from_db()
    assert ended.stored_file == ""
    # A day later the waiting run is given up: its file is never kept longer.
    ImportRun.objects.filter(pk=waiting.pk).update(
        created_at=waiting.created_at - timedelta(hours=25)
    )
    assert import_recovery.sweep().expired == 1
    waiting.refresh_from_db()
    assert waiting.status == ImportStatus.FAILED and waiting.stored_file == ""
    assert _kept_files() == [young]


@pytest.mark.django_db
def test_the_cells_of_a_row_are_named_in_the_order_of_the_columns():
    assert importing._Cells._fields == importing.COLUMNS
