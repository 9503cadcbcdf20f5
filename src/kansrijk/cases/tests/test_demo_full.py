"""The register in the whole demo (``kansrijk load_demo``), loaded once for this module:
synthetic, labelled cases for the three seed regions, the computed indicators in the
monitor; a second run changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import demo, synthetic
from kansrijk.cases.indicators import REFRESHED_PERIODS
from kansrijk.cases.models import (
    Agreement,
    Case,
    CaseEvent,
    Exemption,
    ReportedCount,
    YoungPerson,
)
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.testing.database import rolled_back

from .test_demo import MIDDEN_KENNEMERLAND, make_reference_data

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """``kansrijk load_demo`` on the slice of the reference data, once for the module, in a
    transaction rolled back at its end (each test runs in a savepoint inside it)."""
    with rolled_back(django_db_blocker), override_settings(DEBUG=True):
        make_reference_data()
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()


def test_synthetic_labelled_cases_for_the_three_seed_regions(loaded):
    assert "Thuiszittersregister (/thuiszitters/)" in loaded
    cases = Case.objects.all()
    pupils = 450 + 380 + 330 + 480 + 265 + 450 + 250 + 1400 + 265 + 513 + 80
    generated = round(synthetic.CASES_PER_PUPIL_YEAR * 5 * pupils)
    assert cases.count() == generated + len(demo.EXAMPLES)
    assert f"{generated + len(demo.EXAMPLES)} synthetische casussen" in loaded
    assert not cases.filter(is_synthetic=False).exists()
    assert not cases.exclude(dossier_id__startswith="SYN-").exists()
    assert not YoungPerson.objects.filter(is_synthetic=False).exists()
    per_gemeente = dict(cases.values_list("municipality__code").annotate(n=Count("pk")))
    assert set(per_gemeente) == {"GM0375", "GM0383", "GM0396", "GM0450", "GM0453"} | {
        "GM0556",
        "GM1961",
    }
    # Dates relative to today: the last cases start in the last weeks.
    today = timezone.localdate()
    latest = cases.exclude(dossier_id__startswith=demo.EXAMPLE_PREFIX).latest("start_date")
    assert (today - latest.start_date).days < 30
    assert cases.filter(end_date=None).exists()


def test_computed_indicators_in_the_monitor(client, loaded):
    thuiszitters = Indicator.objects.get(code="mk-thuiszitters")
    assert thuiszitters.source_kind == "computed"
    assert thuiszitters.computed_key == "cases-thuiszitters-peildatum"
    figures = Measurement.objects.filter(indicator=thuiszitters, region__isnull=False)
    assert set(figures.values_list("region__code", flat=True)) == set(MIDDEN_KENNEMERLAND)
    assert figures.filter(region__code="GM0375").count() == REFRESHED_PERIODS
    assert all(m.is_generated and m.approval == "approved" for m in figures)
    assert all("synthetische demoregister" in m.story for m in figures)
    # The SWVs of the region as well.
    assert Measurement.objects.filter(indicator=thuiszitters, organisation__code="PO2711")
    for code in ("mk-aanbod-binnen-3-maanden", "mk-mediane-duur-verzuim"):
        assert Measurement.objects.filter(indicator__code=code, is_generated=True).exists(), code
    # The register's count of the last peildatum is the monitor's figure.
    peildatum = demo.reporting.latest_peildatum(timezone.localdate())
    report = demo.reporting.build_report(peildatum=peildatum, level="gemeente")
    beverwijk = next(row for row in report.rows if row.code == "GM0375")
    stored = figures.get(region__code="GM0375", period_end=peildatum)
    assert stored.value == beverwijk.counts["thuiszitters"]
    # The public sees the figures through the suppression of small numbers.
    response = client.get(reverse("indicators:detail", args=["mk-thuiszitters"]))
    assert response.status_code == 200
    shown = [f.value.text for f in response.context["figures"]]
    assert len(shown) == REFRESHED_PERIODS
    assert all(value == "<5" or int(value.replace(".", "")) >= 5 for value in shown), shown


def test_a_second_run_changes_nothing(loaded):
    models = (Case, YoungPerson, CaseEvent, Agreement, Exemption, ReportedCount, Measurement)
    counts = [model.objects.count() for model in models]
    audit_rows = AuditEvent.objects.count()
    history = Measurement.history.count()
    managers = sorted(Case.objects.exclude(case_manager=None).values_list("pk", flat=True))
    report = demo.load_demo_cases()
    assert not report.changed, report
    assert [model.objects.count() for model in models] == counts
    assert AuditEvent.objects.count() == audit_rows
    assert Measurement.history.count() == history
    assert sorted(Case.objects.exclude(case_manager=None).values_list("pk", flat=True)) == managers
    # And the whole demo, a second time.
    call_command("load_demo", stdout=StringIO())
    assert [model.objects.count() for model in models] == counts
