"""Writing a checked file in short batches (decision 0030): each batch is its own
transaction, another connection writes between them, a refused row stops the write
and says what was saved, and the sweep runs a job whose worker died while writing
again, at most ``MAX_ATTEMPTS`` times."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections
from django.test import TestCase
from django.utils import timezone

from kansrijk.imports import jobs, kinds, writing
from kansrijk.imports.models import ImportJob, JobKind, JobStatus
from kansrijk.imports.problems import ImportProblem, ImportRejected
from kansrijk.imports.terminal import TerminalProgress
from kansrijk.organisations.models import Role
from kansrijk.socialmap.importing import ImportReport

from .batches import (
    Batches,
    kill_after_first_batch,
    small_batches,
    start,
    stored,
    sweep_after_the_worker_died,
)

pytestmark = pytest.mark.django_db


def new_jobs(count: int) -> list[str]:
    return [f"rij-{number}.csv" for number in range(count)]


def write_job(name: str) -> None:
    ImportJob.objects.create(kind=JobKind.MEASUREMENTS, original_name=name)


def test_every_batch_is_committed_before_the_next_begins(monkeypatch):
    small_batches(monkeypatch)
    batches = Batches()
    written = writing.write_in_batches(new_jobs(5), write_job, progress=batches)
    assert written == 5 and batches.written == [2, 4, 5]
    assert ImportJob.objects.count() == 5


def test_a_batch_also_ends_when_it_has_taken_long_enough(monkeypatch):
    """On a busy machine a row takes longer: the batch is cut short, not the lock held
    for seconds (a clock that advances 0.2 s per row, against 0.5 s a batch)."""
    ticks = iter(range(1000))
    monkeypatch.setattr(writing, "clock", lambda: next(ticks) * 0.2)
    batches = Batches()
    writing.write_in_batches(new_jobs(7), write_job, progress=batches)
    assert batches.written == [3, 6, 7]


def test_a_refused_row_stops_the_write_and_says_what_was_saved(monkeypatch):
    small_batches(monkeypatch)

    def write(name: str) -> None:
        if name == "rij-2.csv":
            raise ImportRejected([ImportProblem(4, None, "Intussen gewijzigd.")])
        write_job(name)

    with pytest.raises(writing.WriteStopped) as stopped:
        writing.write_in_batches(new_jobs(5), write)
    assert stopped.value.written == 2
    assert [str(p) for p in stopped.value.problems] == [
        "Rij 4: Intussen gewijzigd.",
        "2 rijen waren al opgeslagen. Verbeter het bestand en upload het opnieuw: dan wordt "
        "de import afgemaakt, en wat al is opgeslagen telt als ongewijzigd.",
    ]
    # The first batch stays; the refused row's batch is rolled back whole.
    assert sorted(ImportJob.objects.values_list("original_name", flat=True)) == new_jobs(2)


def test_a_refusal_in_the_first_batch_saves_nothing():
    def refuse(item):
        raise ImportRejected([])

    with pytest.raises(writing.WriteStopped) as stopped:
        writing.write_in_batches([1], refuse)
    assert stopped.value.written == 0
    assert [str(p) for p in stopped.value.problems] == ["Er is niets opgeslagen."]


@pytest.mark.django_db(transaction=True)
def test_another_connection_writes_between_the_batches(audit_triggers_lifted, monkeypatch):
    """On SQLite the batch holds the only write lock: between two batches another
    connection (another user's login, say) writes, and sees the first batch."""
    small_batches(monkeypatch)
    seen = []

    def other_user(done: int) -> None:
        try:
            seen.append(ImportJob.objects.count())
            write_job(f"ander-{done}.csv")
        finally:
            connections.close_all()

    def between(phase: str, done: int, total: int) -> None:
        assert not connection.in_atomic_block
        thread = threading.Thread(target=other_user, args=(done,))
        thread.start()
        thread.join()

    writing.write_in_batches(new_jobs(4), write_job, progress=between)
    assert seen == [2, 5]  # after the first batch, then after the second and one other
    assert ImportJob.objects.filter(original_name__startswith="ander-").count() == 2


def test_the_terminal_says_how_many_rows_are_saved():
    out = io.StringIO()
    progress = TerminalProgress(out, clock=iter([0, 5]).__next__)
    progress(writing.WRITING, 200, 1000)
    assert out.getvalue() == "200 van 1000 rijen opgeslagen …"


# ------------------------------------------------------------------ jobs


@pytest.fixture
def officer(make_member, municipality_organisation):
    return make_member(municipality_organisation, Role.POLICY_OFFICER)


@pytest.fixture
def writer(monkeypatch):
    """The measurement importer replaced by one that writes five jobs' rows in batches
    through the job's progress; ``writer.refuse`` names a row to refuse."""

    class Steered:
        refuse = None
        runs = 0

        def run(self, job, source, progress):
            self.runs += 1
            source.read()

            def write(name):
                if name == self.refuse:
                    raise ImportRejected([ImportProblem(4, None, "Intussen gewijzigd.")])
                ImportJob.objects.get_or_create(kind=JobKind.NEEDS, original_name=name)

            writing.write_in_batches(new_jobs(5), write, progress=progress)
            return ImportReport(created=5)

    steered = Steered()
    kind = kinds.KINDS[JobKind.MEASUREMENTS]
    monkeypatch.setitem(
        kinds.KINDS, JobKind.MEASUREMENTS, kinds.Kind(kind.title, steered.run, kind.upload_page)
    )
    small_batches(monkeypatch)
    return steered


def written_rows():
    return ImportJob.objects.filter(kind=JobKind.NEEDS).count()


def test_a_job_records_how_many_rows_it_saved(officer, writer):
    job = start(officer)
    assert job.status == JobStatus.DONE and job.written_rows == 5 and written_rows() == 5
    assert job.stored_file == ""


def test_a_job_whose_worker_died_while_writing_is_run_again_to_the_end(
    officer, writer, monkeypatch
):
    job = kill_after_first_batch(monkeypatch, start(officer, run=False))
    assert written_rows() == 2 and stored(job).exists()
    job = sweep_after_the_worker_died(job)
    assert job.status == JobStatus.DONE and job.attempts == 1 and writer.runs == 2
    assert written_rows() == 5 and job.written_rows == 5
    assert "De verwerking werd onderbroken en is opnieuw gestart." in job.result["warnings"][0]
    assert job.stored_file == ""


def stale(job, *, status=JobStatus.WRITING, written=2, attempts=0):
    ImportJob.objects.filter(pk=job.pk).update(
        status=status,
        written_rows=written,
        attempts=attempts,
        heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )


def test_the_sweep_fails_a_job_that_died_while_checking(officer, writer):
    job = start(officer, run=False)
    stale(job, status=JobStatus.RUNNING, written=0)
    assert jobs.sweep() == {"failed": 1, "deleted": 0, "requeued": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result == {
        "error": "De verwerking is onderbroken."
    }


def test_a_job_that_saved_rows_in_an_earlier_attempt_is_run_again_even_while_checking(
    officer, writer
):
    job = start(officer, run=False)
    stale(job, status=JobStatus.RUNNING, written=2, attempts=1)
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert jobs.sweep()["requeued"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempts == 2


def test_after_three_attempts_the_sweep_gives_up_and_says_what_was_saved(client, officer, writer):
    job = start(officer, run=False)
    path = stored(job)
    stale(job, written=40, attempts=jobs.MAX_ATTEMPTS)
    assert jobs.sweep() == {"failed": 1, "deleted": 0, "requeued": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and not path.exists()
    message = (
        "De verwerking is tijdens het opslaan onderbroken en niet meer opnieuw gestart. "
        "40 rijen zijn opgeslagen; upload hetzelfde bestand opnieuw om de import af te maken "
        "(wat al is opgeslagen telt dan als ongewijzigd)."
    )
    assert job.result == {"error": message, "written": 40}
    client.force_login(officer)
    html = client.get(job.get_absolute_url()).content.decode()
    assert message in html and "Er is niets opgeslagen" not in html


def test_a_file_past_its_maximum_age_is_not_run_again(officer, writer, settings):
    job = start(officer, run=False)
    stale(job)
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert jobs.sweep() == {"failed": 1, "deleted": 0, "requeued": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.result["written"] == 2


def test_a_row_refused_while_writing_fails_the_job_with_what_was_saved(client, officer, writer):
    writer.refuse = "rij-2.csv"
    job = start(officer)
    assert job.status == JobStatus.FAILED and written_rows() == 2
    assert job.result == {
        "error": "Bij het opslaan is een rij geweigerd; er veranderde iets sinds de controle. "
        "Rij 4: Intussen gewijzigd. 2 rijen waren al opgeslagen. Verbeter het bestand en "
        "upload het opnieuw: dan wordt de import afgemaakt, en wat al is opgeslagen telt als "
        "ongewijzigd.",
        "written": 2,
    }
    client.force_login(officer)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Rij 4: Intussen gewijzigd." in html and "Er is niets opgeslagen" not in html
    # Fixed and uploaded again: the rest is written, nothing twice.
    writer.refuse = None
    assert start(officer).status == JobStatus.DONE and written_rows() == 5


def test_a_database_error_after_a_saved_batch_leaves_the_job_to_the_sweep(
    client, officer, writer, monkeypatch
):
    written = jobs._Heartbeat._written

    def lost(heartbeat, done):
        written(heartbeat, done)
        raise DatabaseError("server closed the connection")

    monkeypatch.setattr(jobs._Heartbeat, "_written", lost)
    job = start(officer)
    assert job.status == JobStatus.WRITING and job.stored_file and job.written_rows == 2
    client.force_login(officer)
    html = client.get(job.get_absolute_url()).content.decode()
    assert (
        "bezig met opslaan" in html and "Het bestand is in orde; 2 rijen zijn opgeslagen." in html
    )


def test_a_service_refusal_names_its_row():
    refused = writing.refused(7, ValidationError(["Eerste.", "Tweede."]))
    assert [str(p) for p in refused.problems] == ["Rij 7: Eerste.", "Rij 7: Tweede."]
