"""An import job in a real browser (decision 0029): the measurement upload goes to the
worker and its status page shows the outcome, problems by row and column; the status
page polls with htmx under the Content Security Policy, its progress bar labelled, and
stops when the job has ended. axe-core at 0 WCAG 2.1 A/AA violations; screenshots in
var/screenshots/import_job_*.png."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kansrijk.imports.models import ImportJob, JobKind, JobStatus
from kansrijk.indicators.models import Measurement
from kansrijk.storage.models import KeptFile

from .test_indicator_pages import log_in, monitor  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_an_upload_becomes_a_job_whose_page_shows_the_problems(
    page,
    monitor,  # noqa: F811
    tmp_path,
    settings,
    assert_accessible,
    screenshot,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    log_in(page, monitor["officer"])
    code = monitor["indicator"].code
    path = tmp_path / "metingen.csv"
    path.write_text(
        "indicator,periode,periode_start,periode_eind,regio,waarde\n"
        f"{code},2026,2026-01-01,2026-12-31,GM1842,veel\n",
        encoding="utf-8",
    )
    before = Measurement.objects.count()
    page.goto(reverse("indicators_io:import"))
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    job = ImportJob.objects.get()
    assert page.url.endswith(job.get_absolute_url())
    main = page.locator("main").inner_text()
    assert "Het bestand is niet geïmporteerd" in main
    assert "Rij 2, kolom 'waarde'" in main
    assert "Het geüploade bestand is van de server verwijderd." in main
    assert page.locator("#import-job-status").inner_text() == "afgewezen"
    assert Measurement.objects.count() == before
    assert not KeptFile.objects.filter(directory="import-jobs").exists()
    assert_accessible(page)
    screenshot(page, "import_job_afgewezen")


def test_the_status_page_polls_under_the_csp_until_the_job_has_ended(
    page,
    strict_page,
    monitor,  # noqa: F811
    assert_accessible,
    screenshot,
):
    job = ImportJob.objects.create(
        kind=JobKind.MEASUREMENTS,
        uploaded_by=monitor["officer"],
        original_name="metingen.xlsx",
        stored_file="import-jobs/wacht.xlsx",
        status=JobStatus.RUNNING,
        done=250,
        total=1000,
    )
    log_in(page, monitor["officer"])
    page.goto(job.get_absolute_url())
    bar = page.get_by_label("Bestand gelezen")
    assert bar.get_attribute("value") == "25"
    assert_accessible(page)
    screenshot(page, "import_job_bezig")

    log_in(strict_page, monitor["officer"])
    strict_page.goto(job.get_absolute_url())
    ImportJob.objects.filter(pk=job.pk).update(done=750)
    # Wait on the DOM, not on a script: the page's policy forbids eval.
    strict_page.locator("progress[value='75']").wait_for()
    ImportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE,
        stored_file="",
        result={
            "dry_run": False,
            "changed": True,
            "summary": ["4 nieuw, 0 bijgewerkt, 0 ongewijzigd"],
            "warnings": [],
        },
    )
    strict_page.get_by_text("Het bestand is geïmporteerd").wait_for()
    assert strict_page.locator("#import-job-status").inner_text() == "klaar"
    assert strict_page.locator("[hx-trigger]").count() == 0  # polling has stopped
    assert strict_page.console_errors == []
