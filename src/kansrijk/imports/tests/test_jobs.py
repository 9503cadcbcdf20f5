"""Import jobs (decision 0029): the upload becomes a job that the worker runs, the
status page follows it, the file is gone in every end state, and the sweep fails a job
whose worker died and deletes files that outlived their job."""

from __future__ import annotations

import datetime
import io
import time

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kansrijk import kept_files, pulse
from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.models import AgendaKind
from kansrijk.imports import jobs, kinds
from kansrijk.imports.models import ImportJob, JobKind, JobStatus
from kansrijk.imports.problems import ImportProblem, ImportRejected
from kansrijk.organisations.models import Role
from kansrijk.socialmap.importing import ImportReport
from kansrijk.storage.models import KeptChunk, KeptFile
from kansrijk.testing import factories

from .batches import Kept, start, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def importer(monkeypatch):
    """Replace the measurement importer by one the test steers: ``importer.outcome`` is
    a report to return or an exception to raise; ``importer.seen`` what it was given."""

    class Steered:
        outcome = ImportReport(created=3)
        seen: dict = {}

        def run(self, job, source, progress):
            self.seen.update(job=job, data=source.read(), path=Kept(job.stored_file))
            progress("lezen", 1000, 0)
            if isinstance(self.outcome, Exception):
                raise self.outcome
            return self.outcome

    steered = Steered()
    kind = kinds.KINDS[JobKind.MEASUREMENTS]
    monkeypatch.setitem(
        kinds.KINDS, JobKind.MEASUREMENTS, kinds.Kind(kind.title, steered.run, kind.upload_page)
    )
    return steered


@pytest.fixture
def officer(make_member, municipality_organisation):
    return make_member(municipality_organisation, Role.POLICY_OFFICER)


# ------------------------------------------------------------------ running


def test_a_job_runs_its_importer_keeps_the_report_and_deletes_the_file(officer, importer):
    job = start(officer, dry_run=True)
    assert importer.seen["data"] == b"a,b\n1,2\n"
    assert importer.seen["job"].uploaded_by == officer
    assert job.status == JobStatus.DONE and job.task_id and job.finished_at
    assert job.result["summary"] == ["3 nieuw, 0 bijgewerkt, 0 ongewijzigd"]
    assert job.stored_file == "" and not importer.seen["path"].exists()


def test_the_stored_file_is_private(officer, importer):
    job = start(officer, run=False)
    assert job.stored_file.startswith("import-jobs/") and job.stored_file.endswith(".csv")
    assert "cijfers" not in job.stored_file
    assert stored(job).read_bytes() == b"a,b\n1,2\n"
    # Encrypted at rest: no byte of the file in clear in the database.
    assert b"a,b" not in bytes(KeptChunk.objects.get(file__reference=job.stored_file).data)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (ImportRejected([ImportProblem(2, "waarde", "is geen getal")]), JobStatus.REJECTED),
        (RuntimeError("stuk"), JobStatus.FAILED),
    ],
)
def test_the_file_is_deleted_when_the_job_is_refused_or_fails(officer, importer, outcome, status):
    importer.outcome = outcome
    job = start(officer)
    assert job.status == status and job.stored_file == ""
    assert not importer.seen["path"].exists()
    if status == JobStatus.REJECTED:
        assert job.result == {"problems": [[2, "waarde", "is geen getal"]], "problem_count": 1}
    else:
        assert job.result == {"error": "Er ging iets mis bij het importeren."}


def test_a_job_runs_once(officer, importer):
    job = start(officer)
    importer.seen.clear()
    jobs.run(job.pk)
    assert importer.seen == {}
    assert ImportJob.objects.get().status == JobStatus.DONE


def test_a_job_without_its_uploader_fails_rather_than_run_without_a_scope(officer, importer):
    job = start(officer, run=False)
    path = stored(job)
    ImportJob.objects.filter(pk=job.pk).update(uploaded_by=None)
    jobs.run(job.pk)
    job.refresh_from_db()
    assert importer.seen == {} and job.status == JobStatus.FAILED
    assert job.stored_file == "" and not path.exists()


def test_only_the_first_thousand_problems_are_kept(officer, importer):
    importer.outcome = ImportRejected([ImportProblem(n, "a", "fout") for n in range(2, 1502)])
    job = start(officer)
    assert len(job.result["problems"]) == jobs.MAX_STORED_PROBLEMS
    assert job.result["problem_count"] == 1500


# ------------------------------------------------------------------ the heartbeat


def test_the_heartbeat_writes_at_most_once_a_second_and_not_in_a_transaction(officer):
    job = start(officer, run=False)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    now = [100.0]
    heartbeat = jobs._Heartbeat(job, clock=lambda: now[0])
    heartbeat.position(10, 100)
    assert ImportJob.objects.get().heartbeat_at is None  # not yet a second
    now[0] += 1.5
    heartbeat.position(20, 100)
    job.refresh_from_db()
    assert (job.done, job.total) == (20, 100) and job.heartbeat_at is not None
    now[0] += 0.5
    heartbeat.position(30, 100)
    assert ImportJob.objects.get().done == 20
    now[0] += 5
    with transaction.atomic():
        heartbeat.position(90, 100)
    assert ImportJob.objects.get().done == 20
    # The importer's own callback beats too, with the position last seen.
    heartbeat.rows_read("lezen", 1000, 0)
    assert ImportJob.objects.get().done == 90


def test_the_watched_file_reports_how_far_it_is_read(officer, tmp_path):
    seen = []

    class Recorder:
        def position(self, done, total):
            seen.append((done, total))

    path = tmp_path / "f.bin"
    path.write_bytes(b"x" * 10_000)
    with open(path, "rb", buffering=0) as raw:
        watched = jobs._WatchedFile(raw, 10_000, Recorder())
        watched.read(4000)
        watched.seek(0)
        assert len(watched.read()) == 10_000
    assert seen[0] == (4000, 10_000) and seen[-1] == (10_000, 10_000)


# ------------------------------------------------------------------ the pages


def test_the_status_page_shows_a_progress_bar_that_polls_until_the_job_ends(
    client, officer, importer
):
    job = start(officer, run=False)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=40, total=100)
    client.force_login(officer)
    html = client.get(job.get_absolute_url()).content.decode()
    assert '<label class="utrecht-form-label" for="import-job-bar">' in html
    assert '<progress id="import-job-bar" max="100" value="40">40 %</progress>' in html
    assert 'role="status" aria-live="polite">bezig met controleren<' in html
    fragment_url = reverse("imports:progress", args=[job.pk])
    assert f'hx-get="{fragment_url}?status=bezig"' in html
    fragment = client.get(fragment_url, {"status": "bezig"}).content.decode()
    assert "hx-swap-oob" not in fragment  # the status did not change: the live region stays
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    jobs.run(job.pk)
    fragment = client.get(fragment_url, {"status": "bezig"}).content.decode()
    assert "hx-get" not in fragment and "hx-swap-oob" in fragment
    assert "Het bestand is geïmporteerd" in fragment
    assert "3 nieuw, 0 bijgewerkt, 0 ongewijzigd" in fragment
    assert "Het geüploade bestand is van de server verwijderd." in fragment


def test_the_status_page_of_a_refused_file_names_rows_and_columns(client, officer, importer):
    importer.outcome = ImportRejected([ImportProblem(2, "waarde", "is geen getal")])
    job = start(officer)
    client.force_login(officer)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Het bestand is niet geïmporteerd" in html
    assert "Rij 2, kolom &#x27;waarde&#x27;: is geen getal" in html


def test_a_job_is_shown_to_its_uploader_only(client, user_trio, importer):
    trio = user_trio(Role.POLICY_OFFICER)
    job = start(trio["member"])
    url = job.get_absolute_url()
    response = client.get(url)
    assert response.status_code == 302 and "/account/" in response["Location"]
    for other in ("other_role", "other_organisation"):
        client.force_login(trio[other])
        assert client.get(url).status_code == 404, other
        assert client.get(reverse("imports:progress", args=[job.pk])).status_code == 404
    client.force_login(trio["member"])
    assert client.get(url).status_code == 200


def test_an_agenda_job_is_shown_to_whoever_may_import_into_that_agenda(
    user_trio, make_member, municipality_organisation
):
    trio = user_trio(Role.POLICY_OFFICER)
    agenda = agenda_services.create_agenda(
        actor=None,
        owners=[municipality_organisation],
        slug="lea",
        title="LEA",
        kind=AgendaKind.LOCAL_EDUCATION_AGENDA,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2028, 12, 31),
    )
    job = start(trio["member"], kind=JobKind.AGENDA, agenda=agenda, run=False)
    visible = ImportJob.objects.visible_to
    assert list(visible(trio["member"])) == [job]
    elsewhere = factories.MunicipalityOrganisationFactory()
    colleague = make_member(elsewhere, Role.POLICY_OFFICER)  # an editor, of another owner
    assert list(visible(colleague)) == []
    agenda.owners.add(elsewhere)
    assert list(visible(colleague)) == [job]
    assert list(visible(trio["other_role"])) == []  # a reader may not import
    assert list(visible(trio["other_organisation"])) == []


# ------------------------------------------------------------------ the sweep


def test_the_sweep_fails_a_job_whose_heartbeat_stopped_and_deletes_its_file(
    client, officer, settings, importer
):
    settings.IMPORT_RECOVERY = {**settings.IMPORT_RECOVERY, "STALE_SECONDS": 120}
    now = timezone.now()
    dead, alive = start(officer, run=False), start(officer, run=False)
    ImportJob.objects.filter(pk=dead.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=now - datetime.timedelta(seconds=121)
    )
    ImportJob.objects.filter(pk=alive.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=now - datetime.timedelta(seconds=60)
    )
    assert jobs.sweep(now=now) == {"failed": 1, "deleted": 0, "requeued": 0}
    dead_path, alive_path = stored(dead), stored(alive)
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == JobStatus.FAILED and dead.result == {
        "error": "De verwerking is onderbroken."
    }
    assert dead.stored_file == "" and not dead_path.exists()
    client.force_login(officer)
    html = client.get(dead.get_absolute_url()).content.decode()
    assert "De verwerking is onderbroken. Er is niets opgeslagen." in html
    assert alive.status == JobStatus.RUNNING and alive_path.exists()
    # A new upload of the same file imports it.
    assert start(officer).status == JobStatus.DONE


def test_the_sweep_spares_a_job_whose_worker_still_beats_while_it_writes(officer, settings):
    """While the importer checks and writes, its transaction hides the job's heartbeat;
    the worker's pulse in the progress cache says it is alive."""
    now = timezone.now()
    job = start(officer, run=False)
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=now - datetime.timedelta(seconds=600)
    )
    pulse.write_beat(jobs.pulse_key(job.pk), now.timestamp() - 5)
    try:
        assert jobs.sweep(now=now) == {"failed": 0, "deleted": 0, "requeued": 0}
        later = now + datetime.timedelta(seconds=settings.IMPORT_RECOVERY["STALE_SECONDS"])
        assert jobs.sweep(now=later) == {
            "failed": 1,
            "deleted": 0,
            "requeued": 0,
        }  # the pulse stopped
    finally:
        pulse.delete_beat(jobs.pulse_key(job.pk))


def test_the_pulse_beats_while_the_job_is_busy_and_is_gone_after(monkeypatch):
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.01)
    key = jobs.pulse_key(987654)
    with jobs._pulse(987654):
        first = pulse.last_beat(key)
        time.sleep(0.1)  # the main thread busy, without a callback
        assert pulse.last_beat(key) > first
    assert pulse.last_beat(key) is None


def test_the_sweep_deletes_files_of_ended_jobs_and_any_older_than_a_day(officer, settings):
    now = timezone.now()
    ended, waiting, fresh = (start(officer, run=False) for _ in range(3))
    ImportJob.objects.filter(pk=ended.pk).update(status=JobStatus.DONE)
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(hours=25))
    old_orphan, new_orphan = (
        Kept(kept_files.keep(jobs.JOB_DIR, name, [b"x"])) for name in ("old.csv", "new.csv")
    )
    KeptFile.objects.filter(reference=old_orphan.reference).update(
        created_at=now - datetime.timedelta(hours=25)
    )
    paths = {job.pk: stored(job) for job in (ended, waiting, fresh)}

    assert jobs.sweep(now=now) == {"failed": 1, "deleted": 2, "requeued": 0}
    assert not paths[ended.pk].exists() and not paths[waiting.pk].exists()
    assert not old_orphan.exists()
    assert paths[fresh.pk].exists() and new_orphan.exists()
    waiting.refresh_from_db()
    assert waiting.status == JobStatus.FAILED and waiting.stored_file == ""
    assert ImportJob.objects.get(pk=fresh.pk).status == JobStatus.QUEUED


# ------------------------------------------------------------------ the commands


def test_the_commands_say_how_far_they_have_read_at_most_once_a_second():
    from io import StringIO

    from kansrijk.imports.terminal import TerminalProgress

    now = [0.0]
    out = StringIO()
    progress = TerminalProgress(out, clock=lambda: now[0])
    progress("lezen", 1000, 0)
    now[0] += 1.2
    progress("lezen", 2000, 0)
    progress("lezen", 3000, 0)
    now[0] += 1.2
    progress("lezen", 4000, 20_000)
    assert out.getvalue() == "2000 rijen gelezen …4000 van 20000 rijen gelezen …"


def test_the_upload_page_links_to_the_last_jobs_of_its_user(client, user_trio, importer):
    trio = user_trio(Role.POLICY_OFFICER)
    job = start(trio["member"], dry_run=True)
    client.force_login(trio["member"])
    html = client.get(reverse("indicators_io:import")).content.decode()
    assert "Eerdere imports" in html and f'href="{job.get_absolute_url()}"' in html
    client.force_login(trio["other_organisation"])
    html = client.get(reverse("indicators_io:import")).content.decode()
    assert job.get_absolute_url() not in html


def test_the_workers_sweep_and_the_command_sweep_the_jobs_too(officer):
    """``kansrijk db_worker`` sweeps at start and then periodically, and ``kansrijk
    sweep_imports`` once: both reach the import jobs, not only the case imports."""
    from django.core.management import call_command

    from kansrijk.cases.management.commands import db_worker

    dead = start(officer, run=False)
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    ImportJob.objects.filter(pk=dead.pk).update(status=JobStatus.RUNNING, heartbeat_at=an_hour_ago)
    db_worker.sweep_imports()
    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED

    another = start(officer, run=False)
    ImportJob.objects.filter(pk=another.pk).update(
        status=JobStatus.RUNNING, heartbeat_at=an_hour_ago
    )
    out = io.StringIO()
    call_command("sweep_imports", stdout=out)
    another.refresh_from_db()
    assert another.status == JobStatus.FAILED
    assert "1 importtaken als mislukt gemarkeerd" in out.getvalue()
