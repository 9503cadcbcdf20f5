"""The monitor pages in a real browser: axe-core at 0 WCAG 2.1 A/AA violations on the
overview, indicator detail, public dashboard, entry form, approval queue and import page,
with a
screenshot of each in var/screenshots/monitor_*.png."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from kansrijk.indicators import services
from kansrijk.indicators.tests.test_views import approved, make_indicator
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

from .login import PASSWORD
from .login import log_in as log_in_with_password

pytestmark = pytest.mark.browser


def log_in(tab, user):
    log_in_with_password(tab, user)
    assert "Uitloggen" in tab.content()


@pytest.fixture
def monitor(db):
    region = factories.MunicipalityFactory(code="GM1842", name="Maassluis")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Maassluis"
    )
    indicator = make_indicator(gemeente)
    for year, numerator in [(2022, 72), (2023, 78), (2024, 3)]:
        approved(indicator, region, year, numerator, 100 if year < 2024 else 4)
    services.submit_measurement(
        actor=None,
        indicator=indicator,
        organisation=gemeente,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        period_label="2025",
        numerator=Decimal(40),
        denominator=Decimal(50),
        story="Ingediend door de partner",
    )
    officer = factories.UserFactory(username="beleid", first_name="Bea", last_name="Beleid")
    officer.set_password(PASSWORD)
    officer.save()
    factories.MembershipFactory(user=officer, organisation=gemeente, role=Role.POLICY_OFFICER)
    return {"indicator": indicator, "officer": officer}


def test_public_pages(page, monitor, assert_accessible, screenshot):
    for name, url in [
        ("public", reverse("indicators:public")),
        ("detail_public", monitor["indicator"].get_absolute_url()),
        ("overview_public", reverse("indicators:overview")),
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1
        assert_accessible(page)
        screenshot(page, f"monitor_{name}")
    # The dashboard asks first; the choice works with the keyboard and without script.
    page.goto(reverse("indicators:public"))
    page.get_by_label("Gemeente of regio").select_option(label="Maassluis")
    page.get_by_role("button", name="Cijfers tonen").press("Enter")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Openbaar dashboard: Maassluis"
    assert "<5" in page.content() or "&lt;5" in page.content()
    assert_accessible(page)
    screenshot(page, "monitor_public_gemeente")


def test_member_pages(page, monitor, assert_accessible, screenshot):
    log_in(page, monitor["officer"])
    code = monitor["indicator"].code
    for name, url in [
        ("overview", reverse("indicators:overview")),
        ("detail", reverse("indicators:detail", args=[code])),
        ("entry", reverse("indicators:submit", args=[code])),
        ("approval", reverse("indicators:approval_queue")),
        ("import", reverse("indicators_io:import")),
    ]:
        page.goto(url)
        assert page.locator("h1").count() == 1, url
        assert "/account/" not in page.url, url
        assert_accessible(page)
        screenshot(page, f"monitor_{name}")
    page.goto(reverse("indicators:approval_queue"))
    page.get_by_role("button", name="Goedkeuren").first.click()
    page.wait_for_load_state()
    assert "goedgekeurd" in page.content()
