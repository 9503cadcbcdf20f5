"""The upload page and the status page of the case import, with the immediate task
backend: leerplicht may import, the SWV coordinator and the policy officer may not; a
run is only shown to the user who uploaded it; the stored file is gone afterwards."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import importing
from kansrijk.cases.models import Case, ImportRun, ImportStatus
from kansrijk.storage.models import KeptChunk, KeptFile
from kansrijk.testing.machines import files_on, machine

from .conftest import BSN
from .test_importing import frozen_today, row, write_csv  # noqa: F401 - the fixture

UPLOAD = reverse("cases_import:upload")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def csv_upload(network, tmp_path, rows=None, name="leerlingen.csv"):
    path = write_csv(tmp_path / name, rows or [row(network)])
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def upload(client, file, *, dry_run=False, capture):
    data = {"file": file}
    if dry_run:
        data["dry_run"] = "on"
    with capture(execute=True):
        return client.post(UPLOAD, data)


def stored_files(media) -> list:
    """The case uploads kept (in the database, decision 0050), and anything at all under
    MEDIA_ROOT, where none belongs any more."""
    on_disk = [path for path in Path(media).rglob("*") if path.is_file()]
    return [*KeptFile.objects.filter(directory=importing.IMPORT_DIR), *on_disk]


def test_user_trio_of_the_upload_page(client, verified_client, people):
    """Leerplicht (attendance officer) may; the SWV coordinator and the policy officer
    may not; without login the page asks to log in."""
    response = client.get(UPLOAD)
    assert response.status_code == 302 and "/account/" in response["Location"]
    assert verified_client(people["leerplicht"]).get(UPLOAD).status_code == 200
    for other in ("swv", "beleid", "school", "lezer"):
        assert verified_client(people[other]).get(UPLOAD).status_code == 403, other


def test_a_user_without_the_permission_cannot_post_a_file(
    verified_client, people, network, tmp_path, media, django_capture_on_commit_callbacks
):
    client = verified_client(people["swv"])
    response = upload(
        client, csv_upload(network, tmp_path), capture=django_capture_on_commit_callbacks
    )
    assert response.status_code == 403
    assert not ImportRun.objects.exists()
    assert stored_files(media) == []


def test_an_upload_on_one_machine_is_imported_by_a_worker_on_another(
    verified_client, people, network, tmp_path, django_capture_on_commit_callbacks
):
    """The web machine keeps the file with BSNs in the database, encrypted; the worker,
    whose MEDIA_ROOT is another and empty, reads it there and deletes it (decision 0050)."""
    client = verified_client(people["leerplicht"])
    file = csv_upload(network, tmp_path, [row(network), row(network, dossier_id="LP-2")])
    with machine(tmp_path / "web"), django_capture_on_commit_callbacks() as queued:
        response = client.post(UPLOAD, {"file": file})
    run = ImportRun.objects.get()
    assert response.status_code == 302 and run.status == ImportStatus.QUEUED
    assert BSN.encode() not in b"".join(
        bytes(data) for data in KeptChunk.objects.values_list("data", flat=True)
    )
    with machine(tmp_path / "worker"):
        for callback in queued:
            callback()  # the worker takes the task
    run.refresh_from_db()
    assert (run.status, run.stored_file, Case.objects.count()) == (ImportStatus.DONE, "", 2)
    assert not KeptFile.objects.exists()
    assert files_on(tmp_path / "web") == files_on(tmp_path / "worker") == []


def test_the_upload_imports_in_the_background_and_deletes_the_file(
    verified_client, people, network, tmp_path, media, django_capture_on_commit_callbacks
):
    client = verified_client(people["leerplicht"])
    response = upload(
        client,
        csv_upload(network, tmp_path, [row(network), row(network, dossier_id="LP-2")]),
        capture=django_capture_on_commit_callbacks,
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases_import:status", args=[run.pk])
    assert run.status == ImportStatus.DONE
    assert run.uploaded_by == people["leerplicht"]
    assert run.stored_file == ""
    assert stored_files(media) == []  # the file with BSNs is gone
    assert Case.objects.count() == 2
    assert AuditEvent.objects.filter(action="cases.import.upload", target_id=str(run.pk)).exists()
    assert AuditEvent.objects.get(action="cases.import").actor == people["leerplicht"]

    page = client.get(response["Location"])
    content = page.content.decode()
    assert page.status_code == 200
    assert "Het bestand is geïmporteerd" in content
    assert "2 nieuwe casussen" in content
    assert "Het geüploade bestand is van de server verwijderd." in content
    assert "hx-trigger" not in content  # finished: no more polling


def test_a_rejected_upload_shows_the_problems_and_deletes_the_file(
    verified_client, people, network, tmp_path, media, django_capture_on_commit_callbacks
):
    client = verified_client(people["leerplicht"])
    rows = [row(network), row(network, dossier_id="LP-2", bsn="111222334", brin6="99ZZ99")]
    response = upload(
        client, csv_upload(network, tmp_path, rows), capture=django_capture_on_commit_callbacks
    )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.REJECTED
    assert stored_files(media) == []
    assert not Case.objects.exists()
    content = client.get(response["Location"]).content.decode()
    assert "Het bestand is niet geïmporteerd" in content
    assert "Er zijn 2 problemen gevonden. Er is niets opgeslagen." in content
    assert "Rij 3, kolom &#x27;bsn&#x27;: dit is geen geldig BSN" in content
    assert "Het geüploade bestand is van de server verwijderd." in content
    assert "111222334" not in content and BSN not in content


def test_a_failing_import_still_deletes_the_file(
    verified_client,
    people,
    network,
    tmp_path,
    media,
    django_capture_on_commit_callbacks,
    monkeypatch,
    caplog,
):
    def broken(*args, **kwargs):
        raise RuntimeError(f"database says: row contains {BSN}")

    monkeypatch.setattr(importing._Writer, "write", broken)
    client = verified_client(people["leerplicht"])
    response = upload(
        client, csv_upload(network, tmp_path), capture=django_capture_on_commit_callbacks
    )
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.FAILED
    assert stored_files(media) == []
    assert not Case.objects.exists()
    content = client.get(response["Location"]).content.decode()
    assert "Er ging iets mis bij het importeren; er is niets opgeslagen." in content
    assert BSN not in content and BSN not in json.dumps(run.problems)
    # The log names the kind of error, never its message (it could quote a row).
    assert "RuntimeError" in caplog.text
    assert BSN not in caplog.text


def test_a_dry_run_from_the_web(
    verified_client, people, network, tmp_path, django_capture_on_commit_callbacks
):
    client = verified_client(people["leerplicht"])
    response = upload(
        client,
        csv_upload(network, tmp_path),
        dry_run=True,
        capture=django_capture_on_commit_callbacks,
    )
    assert not Case.objects.exists()
    content = client.get(response["Location"]).content.decode()
    assert "Het bestand is in orde; er is niets opgeslagen" in content
    assert "1 nieuwe casus" in content


def test_the_file_name_is_masked_and_the_stored_name_is_random(
    verified_client, people, network, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    class NotRun:
        def enqueue(self, *args):
            return SimpleNamespace(id="not-run")

    monkeypatch.setattr("kansrijk.cases.tasks.run_case_import", NotRun())
    client = verified_client(people["leerplicht"])
    upload(
        client,
        csv_upload(network, tmp_path, name=f"leerling_{BSN}.csv"),
        capture=django_capture_on_commit_callbacks,
    )
    run = ImportRun.objects.get()
    assert BSN not in run.original_name
    assert BSN not in run.stored_file and run.stored_file.startswith("imports/")
    assert run.status == ImportStatus.QUEUED


def test_only_csv_files_are_accepted(verified_client, people, django_capture_on_commit_callbacks):
    client = verified_client(people["leerplicht"])
    response = upload(
        client,
        SimpleUploadedFile("cases.xlsx", b"PK\x03\x04"),
        capture=django_capture_on_commit_callbacks,
    )
    assert response.status_code == 400
    assert "Kies een .csv-bestand." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_the_status_page_of_another_users_import_is_404(client, verified_client, people, network):
    run = ImportRun.objects.create(original_name="a.csv", uploaded_by=people["leerplicht"])
    cli_run = ImportRun.objects.create(original_name="b.csv")
    url = reverse("cases_import:status", args=[run.pk])
    assert verified_client(people["leerplicht"]).get(url).status_code == 200
    client.logout()
    assert verified_client(people["leerplicht_elders"]).get(url).status_code == 404
    assert client.get(reverse("cases_import:progress", args=[run.pk])).status_code == 404
    assert client.get(reverse("cases_import:status", args=[cli_run.pk])).status_code == 404
    assert client.get(reverse("cases_import:status", args=[999_999])).status_code == 404
    client.logout()
    assert verified_client(people["swv"]).get(url).status_code == 403


def test_the_status_page_polls_while_the_import_runs(verified_client, people):
    client = verified_client(people["leerplicht"])
    run = ImportRun.objects.create(
        original_name="a.csv",
        uploaded_by=people["leerplicht"],
        status=ImportStatus.CHECKING,
        total_rows=400,
        checked_rows=100,
        stored_file="imports/x.csv",
    )
    page = client.get(reverse("cases_import:status", args=[run.pk])).content.decode()
    progress_url = reverse("cases_import:progress", args=[run.pk])
    assert f'hx-get="{progress_url}?fase=controleren"' in page
    assert 'hx-trigger="every 1s"' in page
    assert '<progress id="import-progress-bar" max="400" value="100">' in page
    assert '<label class="utrecht-form-label" for="import-progress-bar">' in page
    assert 'id="import-phase" role="status" aria-live="polite"' in page
    assert "wordt verwijderd zodra de import klaar is" in page

    # Same phase: only the poller comes back, the live region is left alone.
    fragment = client.get(progress_url, {"fase": "controleren"}).content.decode()
    assert "hx-swap-oob" not in fragment
    # The bar follows the rows checked, which the import writes into its run.
    ImportRun.objects.filter(pk=run.pk).update(checked_rows=300)
    fragment = client.get(progress_url, {"fase": "controleren"}).content.decode()
    assert '<progress id="import-progress-bar" max="400" value="300">' in fragment
    assert "300 van ongeveer 400 rijen gecontroleerd." in fragment

    # Then the rows saved, batch by batch (decision 0034).
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.SAVING, written_rows=100)
    fragment = client.get(progress_url, {"fase": "controleren"}).content.decode()
    assert '<progress id="import-progress-bar" max="400" value="100">' in fragment
    assert "100 van 400 rijen opgeslagen." in fragment
    assert 'hx-swap-oob="innerHTML">bezig met opslaan</span>' in fragment

    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.DONE, stored_file="", written_rows=400, created_count=400
    )
    fragment = client.get(progress_url, {"fase": "opslaan"}).content.decode()
    assert "hx-trigger" not in fragment  # polling stops
    assert "400 nieuwe casussen" in fragment
    assert 'hx-swap-oob="innerHTML">geïmporteerd</span>' in fragment


def test_an_interrupted_import_says_what_was_saved_and_how_to_complete_it(verified_client, people):
    message = str(importing.PARTLY_SAVED_MESSAGE) % {"saved": 250}
    run = ImportRun.objects.create(
        original_name="deels.csv",
        uploaded_by=people["leerplicht"],
        status=ImportStatus.INTERRUPTED,
        written_rows=250,
        created_count=250,
        problems=[{"row": None, "column": None, "message": message}],
        problem_count=1,
    )
    page = verified_client(people["leerplicht"]).get(reverse("cases_import:status", args=[run.pk]))
    content = page.content.decode()
    assert "Het bestand is niet helemaal geïmporteerd" in content
    assert "250 casussen nieuw of bijgewerkt" in content
    assert "Er is niets opgeslagen" not in content


def test_the_upload_page_lists_my_recent_imports(verified_client, people):
    ImportRun.objects.create(original_name="mijn.csv", uploaded_by=people["leerplicht"])
    ImportRun.objects.create(original_name="andermans.csv", uploaded_by=people["leerplicht_elders"])
    content = verified_client(people["leerplicht"]).get(UPLOAD).content.decode()
    assert "mijn.csv" in content and "andermans.csv" not in content


def test_the_upload_is_streamed_to_disk(rf, people):
    """However small the file, the upload handler writes it to a temporary file."""
    from kansrijk.cases import import_views

    seen = {}

    def inner(request):
        seen["handlers"] = [type(h).__name__ for h in request.upload_handlers]
        from django.http import HttpResponse

        return HttpResponse()

    request = rf.get(UPLOAD)
    request.user = people["leerplicht"]
    original = import_views._upload
    import_views._upload = inner
    try:
        import_views.upload(request)
    finally:
        import_views._upload = original
    assert seen["handlers"] == ["TemporaryFileUploadHandler"]


def test_the_upload_still_checks_the_csrf_token(people, network, tmp_path, media):
    """The outer view is csrf_exempt only to set the upload handler first; the inner
    view checks the token."""
    from django.test import Client
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = people["leerplicht"]
    client = Client(enforce_csrf_checks=True)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    response = client.post(UPLOAD, {"file": csv_upload(network, tmp_path)})
    assert response.status_code == 403
    assert not ImportRun.objects.exists()
    assert stored_files(media) == []
