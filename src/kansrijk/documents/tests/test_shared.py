"""Documents for visitors who are not logged in (decision 0051): a public agenda's
document is built once by the worker and shared by every such visitor through a random
token; a non-public agenda is refused; new builds are limited per address."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse

from kansrijk.agenda.models import Agenda
from kansrijk.documents import services
from kansrijk.documents.models import DocumentJob, DocumentStatus
from kansrijk.testing.documents import fetch_document

pytestmark = pytest.mark.django_db


def export_url(agenda, fmt="pdf"):
    return reverse("agenda_io:export", args=[agenda.slug, fmt])


def visitor(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_a_visitor_downloads_a_public_agenda_through_its_shared_job(public_agenda):
    client = visitor("192.0.2.1")
    started = client.get(export_url(public_agenda))
    assert started.status_code == 303
    job = DocumentJob.objects.get()
    assert job.requested_by is None and len(job.access_token) >= 40
    # Addressed by the token, never by the sequential id.
    assert started["Location"] == f"/documenten/openbaar/{job.access_token}?gevraagd=1"
    page = client.get(started["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<h1 class="utrecht-heading-1">Agenda ‘Openbare agenda’ (PDF)</h1>' in html
    assert f'href="/documenten/openbaar/{job.access_token}/bestand"' in html
    assert "data-download-now" in html
    download = fetch_document(client, export_url(public_agenda))
    assert download.status_code == 200 and download.content[:5] == b"%PDF-"
    assert download["Content-Disposition"] == 'attachment; filename="openbare-agenda.pdf"'
    # A visitor has no jobs by id, and a token that was never handed out opens nothing.
    assert client.get(reverse("documents:status", args=[job.pk])).status_code == 302
    assert client.get(reverse("documents:shared_status", args=["geraden"])).status_code == 404


def test_two_visitors_share_one_build(public_agenda):
    first = fetch_document(visitor("192.0.2.1"), export_url(public_agenda, "docx"))
    second = fetch_document(visitor("198.51.100.7"), export_url(public_agenda, "docx"))
    assert first.status_code == second.status_code == 200
    assert first.job_id == second.job_id
    assert DocumentJob.objects.count() == 1
    assert first.content == second.content


def test_an_edit_of_the_agenda_makes_a_new_shared_build(public_agenda):
    first = fetch_document(visitor("192.0.2.1"), export_url(public_agenda, "csv"))
    public_agenda.title = "Openbare agenda, herzien"
    public_agenda.save()
    second = fetch_document(visitor("192.0.2.1"), export_url(public_agenda, "csv"))
    assert first.job_id != second.job_id
    assert DocumentJob.objects.get(pk=second.job_id).title == (
        "Agenda ‘Openbare agenda, herzien’ (CSV)"
    )


def test_a_non_public_agenda_is_refused_and_no_job_is_made(sample_agenda):
    client = visitor("192.0.2.1")
    assert client.get(export_url(sample_agenda)).status_code == 404
    assert not DocumentJob.objects.exists()
    with pytest.raises(services.PermissionDenied):
        services.request_shared_document(
            "agenda", {"agenda": sample_agenda.slug, "fmt": "pdf"}, address="192.0.2.1"
        )
    assert not DocumentJob.objects.exists()


def test_a_shared_link_no_longer_opens_once_the_agenda_is_private(public_agenda):
    client = visitor("192.0.2.1")
    download = fetch_document(client, export_url(public_agenda))
    job = DocumentJob.objects.get(pk=download.job_id)
    Agenda.objects.filter(pk=public_agenda.pk).update(is_public=False)
    for name in ("shared_status", "shared_progress", "shared_download"):
        assert client.get(reverse(f"documents:{name}", args=[job.access_token])).status_code == 404


def test_a_visitor_never_gets_a_members_private_document(client, sample_agenda, officer):
    # The member's own job of a non-public agenda has no token: nothing opens it without
    # logging in, and a shared job is never made for it.
    client.force_login(officer)
    member_job = DocumentJob.objects.get(
        pk=fetch_document(client, export_url(sample_agenda)).job_id
    )
    assert member_job.requested_by == officer and member_job.access_token == ""
    assert services.shared_job("") is None
    anonymous = visitor("192.0.2.1")
    assert anonymous.get(reverse("documents:download", args=[member_job.pk])).status_code == 302
    assert anonymous.get(export_url(sample_agenda)).status_code == 404
    assert DocumentJob.objects.shared().count() == 0


def test_a_logged_in_user_keeps_their_own_job_of_a_public_agenda(client, public_agenda, officer):
    fetch_document(visitor("192.0.2.1"), export_url(public_agenda))
    client.force_login(officer)
    own = fetch_document(client, export_url(public_agenda))
    assert DocumentJob.objects.get(pk=own.job_id).requested_by == officer


@override_settings(
    KANSRIJK={
        **settings.KANSRIJK,
        "THROTTLE": {**settings.KANSRIJK["THROTTLE"], "public_document_per_address": (2, 60)},
    }
)
def test_new_builds_are_limited_per_address_but_a_shared_one_is_free(public_agenda):
    client = visitor("192.0.2.1")
    for fmt in ("pdf", "docx"):
        assert fetch_document(client, export_url(public_agenda, fmt)).status_code == 200
    # The third new build from this address is refused, in words and with Retry-After.
    refused = client.get(export_url(public_agenda, "xlsx"))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "te veel documenten" in refused.content.decode()
    # The document already built is still handed out: it costs the worker nothing.
    assert fetch_document(client, export_url(public_agenda, "pdf")).status_code == 200
    # Another address builds its own new document.
    assert (
        fetch_document(visitor("198.51.100.7"), export_url(public_agenda, "xlsx")).status_code
        == 200
    )


def test_two_waiting_shared_builds_of_one_document_cannot_exist(public_agenda):
    from django.db import IntegrityError, transaction

    params = {"agenda": public_agenda.slug, "fmt": "pdf"}
    key = services.params_key(params)
    DocumentJob.objects.create(kind="agenda", params=params, params_key=key, access_token="a")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentJob.objects.create(kind="agenda", params=params, params_key=key, access_token="b")
    # A user's own jobs are not limited by it.
    assert DocumentJob.objects.filter(status=DocumentStatus.QUEUED).count() == 1


def test_a_visitor_who_clicks_while_the_build_waits_shares_it(public_agenda, monkeypatch):
    monkeypatch.setattr(services, "_enqueue", lambda job: None)  # no worker yet
    params = {"agenda": public_agenda.slug, "fmt": "pdf"}
    first, _ = services.request_shared_document("agenda", params, address="192.0.2.1")
    second, _ = services.request_shared_document("agenda", params, address="198.51.100.7")
    assert first.pk == second.pk and first.status == DocumentStatus.QUEUED


def test_a_program_that_fetches_the_open_data_gets_the_file_not_a_page(public_agenda):
    # A data portal's harvester (curl, a library) asks for */*: it follows the 303 to the
    # file itself, never to an HTML status page it cannot read.
    harvester = visitor("192.0.2.9")
    answer = harvester.get(export_url(public_agenda, "csv"), HTTP_ACCEPT="*/*")
    job = DocumentJob.objects.get()
    assert answer.status_code == 303
    assert answer["Location"] == f"/documenten/openbaar/{job.access_token}/bestand"
    file = harvester.get(answer["Location"], HTTP_ACCEPT="*/*")
    assert file.status_code == 200 and file["Content-Type"].startswith("text/csv")


def test_a_program_is_told_to_come_back_while_the_file_is_being_made(public_agenda):
    harvester = visitor("192.0.2.9")
    harvester.get(export_url(public_agenda, "csv"), HTTP_ACCEPT="*/*")
    DocumentJob.objects.update(status=DocumentStatus.RUNNING)
    answer = harvester.get(export_url(public_agenda, "csv"), HTTP_ACCEPT="text/csv")
    assert answer.status_code == 202
    assert answer["Retry-After"] == "5"
    assert "opnieuw" in answer.content.decode()
    # A browser still gets the status page with its progress bar.
    page = harvester.get(export_url(public_agenda, "csv"), HTTP_ACCEPT="text/html,*/*")
    assert page.status_code == 303 and page["Location"].endswith("?gevraagd=1")
