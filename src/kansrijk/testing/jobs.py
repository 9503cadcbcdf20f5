"""Posting to an upload page in tests: the upload becomes an import job, which the
immediate task backend runs when the job's transaction commits (decision 0029)."""

from __future__ import annotations

from django.test import TestCase


def post_and_run(client, url: str, data: dict, **extra):
    """Post the upload, run the job it starts and return the job's status page (or the
    upload page itself when the form was refused)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data, **extra)
    if response.status_code == 302 and response["Location"].startswith("/importeren/"):
        return client.get(response["Location"])
    return response
