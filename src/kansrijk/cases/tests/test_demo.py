"""The register in the demo: an example of every signal, regievoerders, reported counts
with differences for the reconciliation. The whole ``kansrijk load_demo`` (synthetic
cases, the computed indicators, a second run) is in ``test_demo_full``."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from kansrijk.cases import demo, reconciliation, signals, worklist
from kansrijk.cases.models import (
    Agreement,
    Case,
    CaseEvent,
    Exemption,
    ReportedCount,
)
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
def reference_data(db):
    make_reference_data()


def make_reference_data():
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


def test_an_example_of_every_signal(register):
    today = timezone.localdate()
    flagged = worklist.cases_with_signals(examples(), today)
    found = {
        key for case in flagged for key in signals.CASE_SIGNALS if getattr(case, f"signal_{key}")
    }
    # The renewal of a vrijstelling shows only from May (the next test).
    assert found - {"renewal"} == set(signals.CASE_SIGNALS) - {"renewal"}
    by_dossier = {case.dossier_id: case for case in flagged}
    assert by_dossier["SYN-DEMO-09"].signal_case_manager
    assert not by_dossier["SYN-DEMO-09"].signal_stagnant
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
    # Vrijstelling 5 onder a: an old doctor's statement shows today, on the case (the
    # vrijstellingen without a case have a section of their own), without the pact.
    assert by_dossier["SYN-DEMO-08"].signal_statement
    assert not by_dossier["SYN-DEMO-08"].signal_pact
    assert not worklist.exemptions_with_signals(Exemption.objects.all(), today).filter(
        young_person__cases__dossier_id="SYN-DEMO-08"
    )


def test_the_renewal_of_a_vrijstelling_shows_before_1_july(settings, reference_data):
    settings.DEBUG = True
    with time_machine.travel(datetime.datetime(2026, 5, 15, 10, 0, tzinfo=datetime.UTC)):
        load_demo_organisations()
        demo.load_demo_cases()
        today = timezone.localdate()
    assert today == datetime.date(2026, 5, 15)
    due = worklist.cases_with_signals(Case.objects.all(), today).get(dossier_id="SYN-DEMO-07")
    assert due.signal_renewal and due.exemption_until == datetime.date(2026, 7, 31)
    assert signals.reason(due, "renewal", today) == (
        "Vrijstelling 5 onder a verlengen vóór 1 juli: nog 47 dagen"
    )


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


def test_without_reference_data_the_demo_says_why(settings, db):
    settings.DEBUG = True
    report = demo.load_demo_cases()
    assert not Case.objects.exists()
    assert any("load_reference_data" in note for note in report.notes)
