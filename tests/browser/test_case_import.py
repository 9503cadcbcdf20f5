"""The case import in a real browser: axe-core at 0 WCAG 2.1 A/AA violations on the
upload page, the status page while the import runs and the result page with problems;
the status page polls with htmx under the Content Security Policy and stops when the
import is finished. Screenshots in var/screenshots/thuiszitters_import_*.png."""

from __future__ import annotations

import csv

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.cases.models import Case, ImportRun, ImportStatus
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.storage.models import KeptFile
from kansrijk.testing import factories

from .login import PASSWORD
from .login import log_in as log_in_with_password

pytestmark = pytest.mark.browser

BSN = "111222333"


def log_in(tab, user):
    log_in_with_password(tab, user)
    assert reverse("accounts:two_factor_verify") not in tab.url


@pytest.fixture
def leerplicht(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    beverwijk = factories.MunicipalityFactory(code="GM0375", name="Beverwijk")
    office = factories.OrganisationFactory(
        kind=OrganisationKind.ATTENDANCE_OFFICE, name="Het Leerplein"
    )
    office.served_regions.add(beverwijk)
    school = factories.SchoolFactory(municipality=beverwijk, name="De Vuurtoren", code="07NU00")
    user = factories.UserFactory(username="lpa", first_name="Lotte", last_name="Prins")
    user.set_password(PASSWORD)
    user.save()
    factories.MembershipFactory(user=user, organisation=office, role=Role.ATTENDANCE_OFFICER)
    TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=True)
    return {"user": user, "school": school, "media": settings.MEDIA_ROOT}


def write_file(path, rows):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(
            [
                "dossier_id",
                "bsn",
                "geboortedatum",
                "woongemeente",
                "brin6",
                "soort",
                "startdatum",
                "aanbod_datum",
                "einddatum",
                "uitkomst",
            ]
        )
        writer.writerows(rows)
    return path


def test_upload_page_and_the_result_with_problems(
    page, leerplicht, tmp_path, assert_accessible, screenshot
):
    log_in(page, leerplicht["user"])
    page.goto(reverse("cases_import:upload"))
    assert page.locator("h1").inner_text() == "Casussen importeren"
    assert page.get_by_label("Bestand", exact=True).count() == 1
    assert_accessible(page)
    screenshot(page, "thuiszitters_import")

    path = write_file(
        tmp_path / "leerplicht.csv",
        [
            ["LP-1", BSN, "2011-05-04", "GM0375", "07NU00", "relatief", "2024-09-02", "", "", ""],
            ["LP-2", "111222334", "2011-05-04", "GM0375", "99ZZ99", "5a", "2024-09-02", "", "", ""],
            ["LP-1", BSN, "04-05-2011", "GM9999", "", "absoluut", "2024-09-02", "", "", "anders"],
        ],
    )
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    main = page.locator("main")
    assert "Het bestand is niet geïmporteerd" in main.inner_text()
    assert "Rij 3, kolom 'bsn': dit is geen geldig BSN" in main.inner_text()
    assert "Rij 4, kolom 'woongemeente'" in main.inner_text()
    assert "111222334" not in page.content() and BSN not in page.content()
    assert "Het geüploade bestand is van de server verwijderd." in main.inner_text()
    assert page.locator("#import-phase").inner_text() == "afgewezen: er is niets opgeslagen"
    assert not KeptFile.objects.filter(directory="imports").exists()
    assert not Case.objects.exists()
    assert_accessible(page)
    screenshot(page, "thuiszitters_import_afgewezen")

    path = write_file(
        tmp_path / "goed.csv",
        [["LP-1", BSN, "2011-05-04", "GM0375", "07NU00", "relatief", "2024-09-02", "", "", ""]],
    )
    page.goto(reverse("cases_import:upload"))
    page.set_input_files("#id_file", str(path))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert "Het bestand is geïmporteerd" in page.locator("main").inner_text()
    assert Case.objects.count() == 1
    assert_accessible(page)
    screenshot(page, "thuiszitters_import_klaar")


def test_the_status_page_polls_under_the_csp_until_the_import_is_done(
    page, strict_page, leerplicht, assert_accessible, screenshot
):
    run = ImportRun.objects.create(
        original_name="leerplicht.csv",
        uploaded_by=leerplicht["user"],
        status=ImportStatus.CHECKING,
        total_rows=10_000,
        checked_rows=2_500,
        stored_file="imports/wacht.csv",
    )
    url = reverse("cases_import:status", args=[run.pk])
    log_in(page, leerplicht["user"])
    page.goto(url)
    assert page.locator("progress").get_attribute("value") == "2500"
    assert_accessible(page)
    screenshot(page, "thuiszitters_import_bezig")

    log_in(strict_page, leerplicht["user"])
    strict_page.goto(url)
    ImportRun.objects.filter(pk=run.pk).update(checked_rows=7_500)
    # Wait on the DOM, not on a script: the page's policy forbids eval.
    strict_page.locator("progress[value='7500']").wait_for()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.DONE, stored_file="", written_rows=10_000, created_count=10_000
    )
    strict_page.get_by_text("Het bestand is geïmporteerd").wait_for()
    assert strict_page.locator("#import-phase").inner_text() == "geïmporteerd"
    assert strict_page.locator("[hx-trigger]").count() == 0  # polling has stopped
    assert strict_page.console_errors == []
