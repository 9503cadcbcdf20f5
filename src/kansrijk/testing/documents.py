"""Following a download through its document job in a test (decision 0047): the link
answers 303 to the job's status page; the immediate task backend has built the document
by then, so the file is one more request away."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpResponse
from django.urls import reverse

from .surfaces import materialised

STATUS_PREFIX = "/documenten/"


def fetch_document(client, url: str, data=None, **extra) -> HttpResponse:
    """The response a download link's click ends in: the file (as a plain response with
    ``content``, whatever the view streamed) when the link started a job, else the
    link's own answer (a 404, a 403, a CSV built at once)."""
    response = client.get(url, data, **extra)
    location = response.headers.get("Location", "")
    if response.status_code != 303 or not location.startswith(STATUS_PREFIX):
        return response
    pk = int(urlsplit(location).path.removeprefix(STATUS_PREFIX).split("/")[0])
    page = client.get(location)
    assert page.status_code == 200, page.status_code
    file_response = client.get(reverse("documents:download", args=[pk]))
    if file_response.status_code != 200:
        return file_response
    plain = materialised(file_response)
    plain.job_id = pk
    return plain
