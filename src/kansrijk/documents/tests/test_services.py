"""Document jobs (decision 0047): asked for, built once by the worker, reused for a
second click, kept until they expire, failed when their worker died, and tried again."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kansrijk import kept_files
from kansrijk.audit.models import AuditEvent
from kansrijk.documents import kinds, services
from kansrijk.documents.models import DocumentJob, DocumentStatus
from kansrijk.organisations.models import Role
from kansrijk.storage.models import KeptChunk, KeptFile

pytestmark = pytest.mark.django_db


def stored(job) -> bytes:
    with kept_files.open(job.stored_file) as handle:
        return handle.read()


def test_a_job_is_built_by_the_worker_and_kept_privately(officer, steered):
    job = services.request_document(officer, "proef", {"n": 1})
    assert job.status == DocumentStatus.DONE
    assert (job.done, job.total) == (2, 2)
    assert job.filename == "proef-1.pdf" and job.content_type == "application/pdf"
    assert job.size == len(b"%PDF-proef") and job.attempts == 1
    assert stored(job) == b"%PDF-proef"
    assert job.stored_file.startswith("documents/")
    # Encrypted at rest: the rows hold no byte of the document in clear.
    chunk = KeptChunk.objects.get(file__reference=job.stored_file)
    assert b"PDF" not in bytes(chunk.data)
    expected = job.finished_at + datetime.timedelta(hours=settings.DOCUMENT_JOBS["EXPIRY_HOURS"])
    assert job.expires_at == expected


def test_a_second_click_reuses_the_job_of_a_few_minutes_ago(
    officer, make_member, municipality_organisation, steered
):
    first = services.request_document(officer, "proef", {"n": 1})
    assert services.request_document(officer, "proef", {"n": 1}).pk == first.pk
    assert steered.built == 1
    # Other parameters, or another user, are another document.
    assert services.request_document(officer, "proef", {"n": 2}).pk != first.pk
    colleague = make_member(municipality_organisation, Role.POLICY_OFFICER)
    assert services.request_document(colleague, "proef", {"n": 1}).pk != first.pk
    # Older than the reuse window: built again from the data of now.
    DocumentJob.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert services.request_document(officer, "proef", {"n": 1}).pk != first.pk


def test_a_document_whose_file_is_gone_is_built_again(officer, steered):
    first = services.request_document(officer, "proef", {"n": 1})
    kept_files.delete(first.stored_file)
    assert services.request_document(officer, "proef", {"n": 1}).pk != first.pk
    assert steered.built == 2


def test_a_document_with_personal_data_is_built_anew_every_time(officer, steered):
    first = services.request_document(officer, "geheim", {"n": 1})
    again = services.request_document(officer, "geheim", {"n": 1})
    assert first.pk != again.pk and steered.built == 2


def test_the_kinds_check_refuses_before_a_job_and_again_in_the_worker(officer, steered):
    steered.allowed_users = set()
    with pytest.raises(PermissionDenied):
        services.request_document(officer, "proef", {})
    assert not DocumentJob.objects.exists()
    # Allowed when asked, no longer when the worker builds it.
    job = DocumentJob.objects.create(
        kind="proef", params={}, params_key=services.params_key({}), requested_by=officer
    )
    services.run_document_job(job.pk)
    job.refresh_from_db()
    assert job.status == DocumentStatus.FAILED and steered.built == 0
    assert job.error == "Je mag dit document niet (meer) maken."


def test_a_job_is_claimed_once(officer, steered):
    job = services.request_document(officer, "proef", {})
    services.run_document_job(job.pk)  # a second worker with the same task
    assert steered.built == 1
    DocumentJob.objects.filter(pk=job.pk).update(status=DocumentStatus.RUNNING)
    services.run_document_job(job.pk)  # another worker has it
    assert steered.built == 1


def test_a_failure_tells_the_user_in_dutch_and_the_log_only_the_type(officer, steered, caplog):
    steered.outcome = ValueError("cel A1 met Jan Jansen")
    job = services.request_document(officer, "proef", {})
    assert job.status == DocumentStatus.FAILED and not job.stored_file
    assert job.error == "Het document kon niet worden gemaakt. Probeer het opnieuw."
    assert "Jan Jansen" not in caplog.text and "ValueError" in caplog.text


def test_expiry_deletes_the_file(officer, steered):
    job = services.request_document(officer, "proef", {})
    reference = job.stored_file
    assert services.expire_documents(job.expires_at - datetime.timedelta(seconds=1))["expired"] == 0
    assert services.expire_documents(job.expires_at)["expired"] == 1
    job.refresh_from_db()
    assert job.status == DocumentStatus.EXPIRED and not job.stored_file
    assert not kept_files.exists(reference)
    assert not KeptChunk.objects.exists()


def test_the_sweep_fails_a_job_whose_worker_died_and_deletes_stray_files(officer, steered):
    job = DocumentJob.objects.create(
        kind="proef",
        params={},
        params_key=services.params_key({}),
        requested_by=officer,
        status=DocumentStatus.RUNNING,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    stray = kept_files.keep(services.DOCUMENT_DIR, "verweesd.pdf", [b"x"])
    young = kept_files.keep(services.DOCUMENT_DIR, "jong.pdf", [b"y"])
    KeptFile.objects.filter(reference=stray).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )
    report = services.expire_documents()
    job.refresh_from_db()
    assert job.status == DocumentStatus.FAILED and "onderbroken" in job.error
    assert report == {"expired": 0, "failed": 1, "deleted": 1}
    assert not kept_files.exists(stray) and kept_files.exists(young)


def test_retry_by_the_requester_or_a_beheerder_and_audited(
    officer, beheerder, make_member, steered
):
    steered.outcome = RuntimeError()
    job = services.request_document(officer, "proef", {})
    assert job.status == DocumentStatus.FAILED
    steered.outcome = b"%PDF-2"
    job = services.retry(job, actor=beheerder)
    assert job.status == DocumentStatus.DONE and job.attempts == 2
    event = AuditEvent.objects.get(action="documents.retry")
    assert event.actor == beheerder and event.target_id == str(job.pk)
    # Only a failed job is retried.
    with pytest.raises(PermissionDenied):
        services.retry(job, actor=officer)


def test_a_beheerder_of_another_organisation_cannot_retry(
    officer, make_member, other_municipality_organisation, steered
):
    steered.outcome = RuntimeError()
    job = services.request_document(officer, "proef", {})
    stranger = make_member(other_municipality_organisation, Role.ADMIN)
    assert not services.may_retry(job, stranger)
    with pytest.raises(PermissionDenied):
        services.retry(job, actor=stranger)


def test_a_document_with_personal_data_is_retried_only_by_its_requester(
    officer, beheerder, steered
):
    steered.outcome = RuntimeError()
    job = services.request_document(officer, "geheim", {})
    assert not services.may_retry(job, beheerder)
    assert services.may_retry(job, officer)


# ------------------------------------------------------------------ the real kinds


def test_every_kind_builds_through_its_modules_exporter(sample_agenda, officer):
    assert {"agenda", "voortgangsrapportage", "indicatorpagina", "kwartaalrapportage"} <= set(
        kinds.KINDS
    )
    assert {"inspectie", "jaarverslag"} <= set(kinds.KINDS)
    assert kinds.KINDS["inspectie"].personal_data
    job = services.request_document(
        officer, "agenda", {"agenda": sample_agenda.slug, "fmt": "xlsx"}
    )
    assert job.status == DocumentStatus.DONE
    assert job.filename == f"{sample_agenda.slug}.xlsx"
    assert stored(job)[:4] == b"PK\x03\x04"


def test_the_agenda_kind_asks_what_the_download_asked(
    sample_agenda, officer, make_member, other_municipality_organisation
):
    params = {"agenda": sample_agenda.slug, "fmt": "docx"}
    outsider = make_member(other_municipality_organisation, Role.POLICY_OFFICER)
    assert kinds.KINDS["agenda"].allowed(officer, params)
    assert not kinds.KINDS["agenda"].allowed(outsider, params)
    assert not kinds.KINDS["voortgangsrapportage"].allowed(outsider, params)
    with pytest.raises(PermissionDenied):
        services.request_document(outsider, "agenda", params)


def test_the_quarterly_report_asks_for_the_figures_permission(
    make_member, municipality_organisation
):
    params = {"peildatum": "2024-04-01", "niveau": "gemeente", "definitie": "ocw", "fmt": "csv"}
    school = make_member(municipality_organisation, Role.READER)
    assert kinds.KINDS["kwartaalrapportage"].allowed(school, params) == school.has_perm(
        "cases.view_figures"
    )


def test_the_command_line_builds_through_the_same_kind_with_a_bar_on_stderr(
    sample_agenda, tmp_path
):
    import io

    from django.core.management import call_command

    target = tmp_path / "agenda.docx"
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "export_agenda", sample_agenda.slug, "-f", "docx", "-o", str(target), stdout=out, stderr=err
    )
    assert target.read_bytes()[:4] == b"PK\x03\x04"
    # One line per step (decision 0051): reading, each speerpunt, the parts after them.
    lines = err.getvalue().splitlines()
    assert len(lines) > 5, lines
    assert any("Speerpunt" in line and "wordt opgemaakt" in line for line in lines), lines
    assert "Het Word-document wordt geschreven." in lines[-2]
    assert f"[{'#' * 20}] klaar" in err.getvalue()
    assert "[" not in out.getvalue()  # stdout keeps the report only
    assert not DocumentJob.objects.exists()  # no job: the command needs no worker
