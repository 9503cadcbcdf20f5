"""The pages of a document job (decision 0047): a download link answers 303 to the
job's status page, which shows progress and then the button; the file is its
requester's alone, and gone after its expiry; the beheerder's page of failed tasks."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from kansrijk.audit.models import AuditEvent
from kansrijk.documents import services
from kansrijk.documents.models import DocumentJob, DocumentStatus
from kansrijk.imports.models import ImportJob
from kansrijk.imports.models import JobStatus as ImportStatus
from kansrijk.organisations.models import Role
from kansrijk.testing.documents import fetch_document
from kansrijk.testing.machines import files_on, machine

pytestmark = pytest.mark.django_db


def status_url(job):
    return reverse("documents:status", args=[job.pk])


def file_url(job):
    return reverse("documents:download", args=[job.pk])


def test_a_download_link_leads_to_the_status_page_and_the_file(client, sample_agenda, officer):
    client.force_login(officer)
    link = reverse("agenda_io:export", args=[sample_agenda.slug, "xlsx"])
    response = client.get(link)
    assert response.status_code == 303
    job = DocumentJob.objects.get()
    assert response["Location"] == f"/documenten/{job.pk}?gevraagd=1"
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "Downloaden" in html
    assert f'href="{file_url(job)}"' in html
    # Ready as the page opens from the link: the download starts by itself; not when
    # the page is opened again later.
    assert "data-download-now" in html
    assert "data-download-now" not in client.get(status_url(job)).content.decode()
    download = client.get(file_url(job))
    assert download["Content-Disposition"] == f'attachment; filename="{sample_agenda.slug}.xlsx"'
    assert download["Cache-Control"] == "no-store"
    assert b"".join(download.streaming_content)[:4] == b"PK\x03\x04"
    assert fetch_document(client, link).job_id == job.pk  # the second click: the same job


def test_the_status_page_while_the_job_waits(client, officer, steered):
    job = DocumentJob.objects.create(
        kind="proef", params={}, params_key=services.params_key({}), requested_by=officer
    )
    client.force_login(officer)
    html = client.get(status_url(job)).content.decode()
    assert "<progress" in html and 'aria-live="polite"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<noscript><meta http-equiv="refresh"' in html
    assert "Vernieuwen" in html and "Downloaden" not in html
    # The fragment, polled while it waits, and once the worker has built it.
    fragment = client.get(reverse("documents:progress", args=[job.pk]), {"status": "wacht"})
    assert "hx-swap-oob" not in fragment.content.decode()
    services.run_document_job(job.pk)
    fragment = client.get(reverse("documents:progress", args=[job.pk]), {"status": "wacht"})
    html = fragment.content.decode()
    assert "Downloaden" in html and "data-download-now" in html and "hx-swap-oob" in html
    assert 'hx-trigger="every 1s"' not in html
    # Opened again later, the page does not start the download by itself.
    fragment = client.get(reverse("documents:progress", args=[job.pk]), {"status": "klaar"})
    assert "data-download-now" not in fragment.content.decode()


def test_another_user_gets_404_and_so_does_an_expired_file(
    client, officer, make_member, municipality_organisation, steered, verified_client
):
    job = services.request_document(officer, "proef", {})
    colleague = make_member(municipality_organisation, Role.ADMIN)
    client = verified_client(colleague)
    for url in (status_url(job), file_url(job), reverse("documents:progress", args=[job.pk])):
        assert client.get(url).status_code == 404, url
    client.force_login(officer)
    assert client.get(file_url(job)).status_code == 200
    services.expire_documents(job.expires_at)
    assert client.get(file_url(job)).status_code == 404
    assert "verlopen" in client.get(status_url(job)).content.decode()


def test_the_file_of_a_document_with_personal_data_is_an_audited_read(client, officer, steered):
    job = services.request_document(officer, "geheim", {})
    client.force_login(officer)
    assert client.get(file_url(job)).status_code == 200
    event = AuditEvent.objects.get(action="documents.download")
    assert event.actor == officer and event.target_id == str(job.pk)


def test_anonymous_visitors_log_in_first(client, officer, steered):
    job = services.request_document(officer, "proef", {})
    response = client.get(status_url(job))
    assert response.status_code == 302 and "/account/" in response["Location"]


# ------------------------------------------------------------------ beheer


FAILED_TASKS = reverse("failed_tasks")


def test_the_beheerder_sees_what_failed_and_tries_it_again(
    client, officer, beheerder, steered, verified_client
):
    steered.outcome = RuntimeError()
    job = services.request_document(officer, "proef", {})
    import_job = ImportJob.objects.create(
        kind="metingen",
        uploaded_by=officer,
        original_name="cijfers.csv",
        status=ImportStatus.FAILED,
        result={"error": "Er ging iets mis bij het importeren."},
    )
    client = verified_client(beheerder)
    page = client.get(FAILED_TASKS)
    html = page.content.decode()
    assert page.status_code == 200 and "Taken die mislukten" in html
    assert "Proefdocument" in html and "Het document kon niet worden gemaakt" in html
    assert "cijfers.csv" in html and "upload het opnieuw" in html
    assert html.count("Opnieuw proberen") == 1  # the import job's file is gone
    steered.outcome = b"%PDF-2"
    response = client.post(FAILED_TASKS, {"soort": "document", "id": job.pk})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == DocumentStatus.DONE
    assert AuditEvent.objects.filter(action="documents.retry", actor=beheerder).exists()
    refused = client.post(FAILED_TASKS, {"soort": "import", "id": import_job.pk}, follow=True)
    assert "niet meer bewaard" in refused.content.decode()
    # The home page links the page.
    assert FAILED_TASKS in client.get(reverse("home")).content.decode()


def test_only_a_beheerder_opens_the_page_and_sees_their_own_organisations(
    client, officer, make_member, other_municipality_organisation, steered, verified_client
):
    steered.outcome = RuntimeError()
    services.request_document(officer, "proef", {})
    client.force_login(officer)
    assert client.get(FAILED_TASKS).status_code == 403
    stranger = verified_client(make_member(other_municipality_organisation, Role.ADMIN))
    html = stranger.get(FAILED_TASKS).content.decode()
    assert "Proefdocument" not in html and "Er zijn geen mislukte taken." in html
    assert timezone.now()


def test_a_document_built_on_one_machine_is_downloaded_from_another(
    client, officer, steered, tmp_path
):
    """The worker keeps the document in the database; a web machine whose MEDIA_ROOT is
    another and empty streams it from there, a chunk at a time, with its length
    (decision 0050)."""
    content = bytes(range(256)) * (10 * 1024 + 3)  # two and a half chunks
    steered.outcome = content
    with machine(tmp_path / "worker"):
        job = services.request_document(officer, "proef", {"n": 7})
    assert job.status == DocumentStatus.DONE and job.size == len(content)
    client.force_login(officer)
    with machine(tmp_path / "web"):
        download = client.get(file_url(job))
        assert download.status_code == 200
        assert int(download["Content-Length"]) == len(content)
        assert download["Content-Type"] == "application/pdf"
        assert b"".join(download.streaming_content) == content
    assert files_on(tmp_path / "worker") == files_on(tmp_path / "web") == []
    # Gone from the database (expired, or its key removed): not found, on any machine.
    services.expire_documents(job.expires_at)
    assert client.get(file_url(job)).status_code == 404
