"""The register in the demo (``kansrijk load_demo``): synthetic, labelled cases for the
three seed regions, an example of every signal, regievoerders, reported counts with
differences for the reconciliation, the computed indicators in the monitor; a second run
changes nothing."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import demo, reconciliation, synthetic, worklist
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
from kansrijk.organisations.demo import load_demo_organisations
from kansrijk.organisations.models import Region, Sector, User
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

GEMEENTEN = {
    "GM0375": "Beverwijk",
    "GM0383": "Castricum",
    "GM0396": "Heemskerk",
    "GM0450": "Uitgeest",
    "GM0453": "Velsen",
    "GM0556": "Maassluis",
    "GM0606": "Schiedam",
    "GM0622": "Vlaardingen",
    "GM1961": "Vijfheerenlanden",
}
MIDDEN_KENNEMERLAND = ["GM0375", "GM0383", "GM0396", "GM0450", "GM0453"]


def school(code, gemeente, pupils, partnership=None, sector=Sector.PO, name=None):
    return factories.SchoolFactory(
        code=code,
        name=name or f"School {code}",
        parent=factories.SchoolInstitutionFactory(code=code[:4]),
        municipality=Region.objects.get(code=gemeente),
        partnership=partnership,
        sector=sector,
        pupil_count=pupils,
    )


@pytest.fixture
def reference_data():
    """The slice of the reference data the demo refers to (the full load has its own
    tests): the gemeenten, SWVs and some schools with pupils of the seed regions."""
    for code, name in GEMEENTEN.items():
        factories.MunicipalityOrganisationFactory(
            municipality=factories.MunicipalityFactory(code=code, name=name),
            name=f"Gemeente {name}",
        )
    factories.RegionFactory(code="NL", kind="country", name="Nederland")
    ijmond = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    ijmond.served_regions.add(*Region.objects.filter(code__in=MIDDEN_KENNEMERLAND))
    vo = factories.PartnershipFactory(code="VO2704", name="SWV VO Midden-Kennemerland")
    vo.served_regions.add(*Region.objects.filter(code__in=MIDDEN_KENNEMERLAND[:4]))
    maassluis = factories.PartnershipFactory(
        code="PO2807", name="Samenwerkingsverband Schiedam, Vlaardingen en Maassluis"
    )
    school("02EH00", "GM0375", 450, ijmond, name="De Zeearend")
    school("03QL00", "GM0375", 380, ijmond)
    school("05FM00", "GM0383", 330, ijmond)
    school("08JO00", "GM0396", 480, ijmond)
    school("09XO00", "GM0450", 265, ijmond)
    school("12XO00", "GM0453", 450, ijmond)
    school("14QJ00", "GM0453", 250, ijmond)
    school("12AB00", "GM0375", 1400, vo, sector=Sector.VO)
    school("08WT00", "GM0556", 265, maassluis, name="IKC De Regenboog")
    school("11PN00", "GM0556", 513, maassluis, name="IKC De Kindertuin")
    school("03UO00", "GM1961", 80, sector=Sector.SBO, name="SBO De Brug")


@pytest.fixture
def loaded(settings, reference_data):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def register(settings, reference_data):
    """The demo organisations and users, then the register's demo (no agendas or monitor)."""
    settings.DEBUG = True
    load_demo_organisations()
    return demo.load_demo_cases()


def examples():
    return Case.objects.filter(dossier_id__startswith=demo.EXAMPLE_PREFIX)


def test_refused_without_debug(settings, reference_data):
    settings.DEBUG = False
    with pytest.raises(demo.CasesDemoRefused, match="DEBUG"):
        demo.load_demo_cases()
    assert not Case.objects.exists()


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


def test_an_example_of_every_signal(register):
    today = timezone.localdate()
    flagged = worklist.cases_with_signals(examples(), today)
    signals = {
        key for case in flagged for key in worklist.CASE_SIGNALS if getattr(case, f"signal_{key}")
    }
    assert signals == set(worklist.CASE_SIGNALS)
    by_dossier = {case.dossier_id: case for case in flagged}
    assert by_dossier["SYN-DEMO-01"].signal_thuiszitter
    assert by_dossier["SYN-DEMO-02"].signal_pact
    assert by_dossier["SYN-DEMO-03"].signal_agreement
    assert by_dossier["SYN-DEMO-04"].signal_stagnant
    # The doorbraakberaad: a broken agreement, and a decision with the party with
    # doorzettingsmacht.
    candidates = {c.dossier_id: c for c in worklist.escalation_candidates(examples(), today)}
    assert candidates["SYN-DEMO-05"].has_broken_agreement
    assert candidates["SYN-DEMO-06"].is_escalated
    decision = CaseEvent.objects.get(case__dossier_id="SYN-DEMO-06", kind="doorbraakberaad")
    assert decision.mandated_organisation.code == "PO2711" and decision.decision
    assert Agreement.objects.filter(case__dossier_id="SYN-DEMO-05", status="niet_nagekomen")
    # Vrijstelling 5 onder a: an old doctor's statement shows today.
    exemptions = worklist.exemptions_with_signals(Exemption.objects.all(), today)
    old = exemptions.get(young_person__cases__dossier_id="SYN-DEMO-08")
    assert old.signal_statement


def test_the_renewal_of_a_vrijstelling_shows_before_1_july(settings, reference_data):
    settings.DEBUG = True
    with time_machine.travel(datetime.datetime(2026, 5, 15, 10, 0, tzinfo=datetime.UTC)):
        load_demo_organisations()
        demo.load_demo_cases()
        today = timezone.localdate()
    assert today == datetime.date(2026, 5, 15)
    exemptions = worklist.exemptions_with_signals(Exemption.objects.all(), today)
    due = exemptions.get(young_person__cases__dossier_id="SYN-DEMO-07")
    assert due.signal_renewal
    assert due.valid_to == datetime.date(2026, 7, 31)


def test_regievoerders_are_the_demo_users(register):
    leerplicht = User.objects.get(username="leerplicht")
    swv = User.objects.get(username="swv")
    assert set(
        examples().exclude(case_manager=None).values_list("case_manager__username", flat=True)
    ) == {"leerplicht", "swv"}
    assert Case.objects.filter(case_manager=leerplicht, is_synthetic=True).count() > 5
    assert Case.objects.filter(case_manager=swv).count() >= 2
    # The demo users see the examples: leerplicht the whole dossier of Beverwijk.
    assert set(examples().values_list("pk", flat=True)) <= set(
        Case.objects.visible_to(leerplicht).values_list("pk", flat=True)
    )


def test_reported_counts_with_differences_for_the_reconciliation(register):
    today = timezone.localdate()
    peildatum = demo.reporting.latest_peildatum(today)
    reported = ReportedCount.objects.filter(reference_date=peildatum)
    assert reported.exists()
    assert set(reported.values_list("school__partnership__code", flat=True)) == {"PO2711"}
    assert set(reported.values_list("source", flat=True)) == {demo.COUNT_SOURCE}
    result = reconciliation.compare(peildatum=peildatum)
    assert result.school_differences
    assert result.matching_schools


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


def test_without_reference_data_the_demo_says_why(settings, db):
    settings.DEBUG = True
    report = demo.load_demo_cases()
    assert not Case.objects.exists()
    assert any("load_reference_data" in note for note in report.notes)
