"""Following a download through its document job in a test (decisions 0047, 0051): the
link answers 303 to the job's status page (``/documenten/<id>``, or
``/documenten/openbaar/<token>`` for a visitor who is not logged in); the immediate task
backend has built the document by then, so the file is one more request away."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse

from .surfaces import materialised

STATUS_PREFIX = "/documenten/"
SHARED_PREFIX = "/documenten/openbaar/"


def fetch_document(client, url: str, data=None, **extra) -> HttpResponse:
    """The response a download link's click ends in: the file (as a plain response with
    ``content``, whatever the view streamed) when the link started a job, else the
    link's own answer (a 404, a 403, a 429)."""
    response = client.get(url, data, **extra)
    location = response.headers.get("Location", "")
    if response.status_code != 303 or not location.startswith(STATUS_PREFIX):
        return response
    status_path = urlsplit(location).path
    page = client.get(location)
    assert page.status_code == 200, page.status_code
    file_response = client.get(f"{status_path}/bestand")
    if file_response.status_code != 200:
        return file_response
    plain = materialised(file_response)
    from kansrijk.documents.models import DocumentJob

    if status_path.startswith(SHARED_PREFIX):
        token = status_path.removeprefix(SHARED_PREFIX)
        plain.job_id = DocumentJob.objects.get(access_token=token).pk
    else:
        plain.job_id = int(status_path.removeprefix(STATUS_PREFIX))
    plain.status_path = status_path
    return plain
