"""The register's accounting pages in a real browser: axe-core at 0 WCAG 2.1 A/AA
violations on the afstemming (with differences, and with the errors of a bad upload), the
Inspectie registration and the leerplicht annual report (as leerplicht and suppressed for
a policy officer), with a screenshot of each in var/screenshots/thuiszitters_*.png."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.cases.tests.conftest import network, people  # noqa: F401 (fixtures)
from kansrijk.cases.tests.test_reconciliation import counts  # noqa: F401 (fixture)
from kansrijk.cases.tests.test_registration import episodes, year  # noqa: F401 (fixtures)

from .login import log_in as log_in_with_password

pytestmark = pytest.mark.browser


def log_in(tab, user):
    log_in_with_password(tab, user)
    assert "Uitloggen" in tab.content()


def with_device(user):
    TOTPDevice.objects.create(user=user, name="Authenticator-app", confirmed=True)
    return user


def test_reconciliation_with_differences_and_a_bad_upload(
    page,
    people,  # noqa: F811
    counts,  # noqa: F811
    assert_accessible,
    screenshot,
):
    log_in(page, with_device(people["swv"]))
    page.goto(reverse("cases_oversight:reconciliation") + "?peildatum=2024-10-01&definitie=ocw")
    assert page.locator("h1").count() == 1
    main = page.locator("main")
    assert "De Vuurtoren" in main.inner_text() and "De Duinroos" in main.inner_text()
    assert "Niet toegewezen" in main.inner_text()
    assert_accessible(page)
    screenshot(page, "thuiszitters_afstemming")

    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "opgave.csv",
                "mimeType": "text/csv",
                "buffer": b"peildatum,brin6,aantal\n2024-13-01,07NU00,-1\n",
            }
        ],
    )
    page.get_by_role("button", name="Bestand inlezen").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert").first
    assert "Het bestand is niet geïmporteerd" in alert.inner_text()
    assert "Rij 2, kolom 'peildatum'" in alert.inner_text()
    assert_accessible(page)
    screenshot(page, "thuiszitters_afstemming_fouten")
    # The upload was a job: its page leads back to the reconciliation.
    page.get_by_role("link", name="Terug naar het importeren").click()
    page.wait_for_load_state()

    # One number through the form, by keyboard-reachable fields with labels.
    page.get_by_label("Peildatum", exact=True).last.fill("2024-10-01")
    page.get_by_label("School", exact=True).select_option(label=f"De Duinroos ({counts.code})")
    page.get_by_label("Aantal thuiszitters").fill("0")
    page.get_by_role("button", name="Aantal opslaan").click()
    page.wait_for_load_state()
    assert "Het aantal is opgeslagen." in page.locator("main").inner_text()
    assert_accessible(page)


def test_inspectie_registration(
    page,
    people,  # noqa: F811
    episodes,  # noqa: F811
    assert_accessible,
    screenshot,
):
    log_in(page, with_device(people["swv"]))
    page.goto(
        reverse("cases_oversight:inspectie") + "?swv=PO2711&schooljaar=2024%2F2025&moment=1-10"
    )
    assert page.locator("h1").count() == 1
    assert "Episodes in de registratie" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "thuiszitters_inspectie")


def test_annual_report_for_leerplicht_and_suppressed_for_a_policy_officer(
    page,
    browser,
    live_server,
    people,  # noqa: F811
    year,  # noqa: F811
    assert_accessible,
    screenshot,
):
    url = reverse("cases_oversight:annual_report") + "?schooljaar=2023%2F2024&definitie=ocw"
    log_in(page, with_device(people["leerplicht"]))
    page.goto(url)
    assert page.locator("h1").count() == 1
    assert page.locator("svg.kansrijk-chart").count() == 1
    assert "Vrijstellingen verleend naar grond" in page.locator("main").inner_text()
    assert_accessible(page)
    screenshot(page, "thuiszitters_jaarverslag")

    context = browser.get().new_context(base_url=live_server.url, locale="nl-NL", bypass_csp=True)
    try:
        tab = context.new_page()
        log_in(tab, people["beleid"])
        tab.goto(url)
        assert "<5" in tab.locator("main").inner_text()
        assert_accessible(tab)
        screenshot(tab, "thuiszitters_jaarverslag_afgeschermd")
    finally:
        context.close()
