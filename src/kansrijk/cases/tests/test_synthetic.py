"""Synthetic data at scale (``kansrijk generate_synthetic``): labelled, on the reference
data, calibrated on the national series, with something for every signal, the same for
the same seed, written chunk by chunk, and never twice."""

from __future__ import annotations

import datetime
import math
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Q

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import dates, signals, synthetic, worklist
from kansrijk.cases.models import (
    REPORT_TRANSITIONS,
    AbsenceReport,
    Agreement,
    AgreementStatus,
    Case,
    CaseCategory,
    CaseEvent,
    Enrolment,
    Exemption,
    ExemptionGround,
    ReportStatus,
    Residence,
    YoungPerson,
)
from kansrijk.organisations.models import Region, Sector
from kansrijk.organisations.validators import is_valid_bsn
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

UNTIL = datetime.date(2026, 6, 30)
SCHOOL_YEARS = ["2022/2023", "2023/2024", "2024/2025"]  # the full years of the window


def school(code: str, **fields):
    """A school location with a fixed BRIN6: the generator reads schools in code order,
    so fixed codes keep every test's data the same whatever ran before."""
    institution = factories.SchoolInstitutionFactory(code=code[:4])
    return factories.SchoolFactory(code=code, parent=institution, **fields)


@pytest.fixture
def reference_data():
    """A slice of the reference data: the seven gemeenten of the seed regions with schools
    of every sector, their SWVs, and two gemeenten elsewhere (the national scale)."""
    swv_po = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    swv_vo = factories.PartnershipFactory(code="VO2704", name="SWV VO Midden-Kennemerland")
    for number, code in enumerate(synthetic.REGION_MUNICIPALITIES):
        gemeente = factories.MunicipalityFactory(code=code, name=f"Gemeente {code}")
        swv_po.served_regions.add(gemeente)
        swv_vo.served_regions.add(gemeente)
        school(f"1{number}AA00", municipality=gemeente, partnership=swv_po, pupil_count=400)
        school(
            f"1{number}AB00",
            municipality=gemeente,
            partnership=swv_po,
            pupil_count=200 + 50 * number,
        )
        school(
            f"1{number}AC00",
            municipality=gemeente,
            partnership=swv_vo,
            sector=Sector.VO,
            pupil_count=900,
        )
    beverwijk = Region.objects.get(code="GM0375")
    school(
        "20AA00", municipality=beverwijk, partnership=None, sector=Sector.SO_VSO, pupil_count=150
    )
    school("20AB00", municipality=beverwijk, partnership=swv_po, sector=Sector.SBO, pupil_count=120)
    for number, (code, pupils) in enumerate((("GM0363", 8000), ("GM0599", 4000))):
        gemeente = factories.MunicipalityFactory(code=code)
        swv = factories.PartnershipFactory(code=f"PO99{number}0")
        school(f"3{number}AA00", municipality=gemeente, partnership=swv, pupil_count=pupils // 2)
        school(
            f"3{number}AB00",
            municipality=gemeente,
            partnership=swv,
            sector=Sector.VO,
            pupil_count=pupils // 2,
        )
    return swv_po


def generate(**options):
    return synthetic.generate(**{"scale": "region", "seed": 7, "until": UNTIL, **options})


@pytest.fixture
def region(reference_data):
    return generate()


def test_region_scale_is_labelled_and_lies_in_the_seed_regions(region):
    pupils = 7 * (400 + 900) + sum(200 + 50 * n for n in range(7)) + 150 + 120
    assert (
        region.cases == round(synthetic.CASES_PER_PUPIL_YEAR * 5 * pupils) == Case.objects.count()
    )
    cases = Case.objects.all()
    assert not cases.filter(is_synthetic=False).exists()
    assert not cases.exclude(dossier_id__startswith="SYN-").exists()
    assert not YoungPerson.objects.filter(is_synthetic=False).exists()
    seed_regions = set(synthetic.REGION_MUNICIPALITIES)
    assert set(cases.values_list("municipality__code", flat=True)) <= seed_regions
    assert (
        set(cases.exclude(school=None).values_list("school__municipality__code", flat=True))
        == seed_regions
    )
    assert (region.first_day, region.until) == (datetime.date(2021, 7, 1), UNTIL)
    assert not cases.filter(Q(start_date__lt=region.first_day) | Q(start_date__gt=UNTIL)).exists()
    assert not cases.filter(Q(end_date__gt=UNTIL) | Q(offer_date__gt=UNTIL)).exists()
    assert not CaseEvent.objects.filter(date__gt=UNTIL).exists()


def test_every_young_person_has_a_valid_bsn_a_residence_and_an_enrolment(region):
    people = YoungPerson.objects.all()
    assert people.count() == region.young_people
    assert region.young_people < region.cases  # some come back for a second episode
    for person in people[:300]:
        assert is_valid_bsn(person.identifier())
    assert people.values("identifier_hash").distinct().count() == people.count()
    assert Residence.objects.count() == people.count()
    assert not people.annotate(n=Count("residences")).exclude(n=1).exists()
    assert not people.annotate(n=Count("enrolments")).exclude(n=1).exists()
    # The woongemeente of the case is where the young person lives.
    assert not Case.objects.exclude(
        municipality_id=F("young_person__residences__municipality_id")
    ).exists()
    # Absoluut verzuim: not enrolled at the start of the case.
    absolute = Case.objects.filter(category=CaseCategory.ABSOLUTE)
    assert absolute.exists()
    assert not Enrolment.objects.filter(
        young_person__cases__in=absolute, end_date__isnull=True
    ).exists()


def test_pact_deadline_and_the_columns_the_signals_read(region):
    for case in Case.objects.all()[:500]:
        assert case.pact_deadline == dates.add_months(case.start_date, 3)
    with_events = Case.objects.annotate(latest=Max("events__date")).exclude(latest=None)
    assert not with_events.exclude(last_event_on=F("latest")).exists()
    assert not Case.objects.filter(events=None).exclude(last_event_on=F("start_date")).exists()
    for case in Case.objects.exclude(next_deadline=None)[:200]:
        first_open = (
            case.agreements.filter(status=AgreementStatus.OPEN).order_by("deadline").first()
        )
        assert first_open.deadline == case.next_deadline
    assert not Case.objects.filter(next_deadline=None, agreements__status="open").exists()


def test_calibrated_on_the_national_series(reference_data):
    report = generate(cases=6000)
    cases = Case.objects.all()
    per_year = report.cases / 5
    shares = dict(cases.values_list("category").annotate(n=Count("pk")))
    assert shares[CaseCategory.ABSOLUTE] / report.cases == pytest.approx(0.065, abs=0.01)
    assert shares[CaseCategory.EXEMPTION_5_UNDER_A] / report.cases == pytest.approx(0.035, abs=0.01)
    # Most cases are short relatief verzuim that never passes 28 days.
    short = cases.filter(
        category=CaseCategory.RELATIVE, end_date__lte=F("start_date") + datetime.timedelta(28)
    )
    assert short.count() / report.cases > 0.8
    # Thuiszitters per school year (the Leerplichttelling's way of counting): 10,000 to
    # 14,000 of 100,000 cases a year nationally, so 10–14 % here.
    yearly = synthetic.thuiszitters_per_school_year(cases, SCHOOL_YEARS)
    for label, count in yearly.items():
        assert 0.10 <= count / per_year <= 0.145, (label, count, per_year)
    # Offers mostly within 3 months, but not always.
    long = cases.filter(category__in=[CaseCategory.ABSOLUTE, CaseCategory.RELATIVE]).exclude(
        end_date__lte=F("start_date") + datetime.timedelta(28)
    )
    closed = long.exclude(end_date=None)
    in_time = closed.filter(offer_date__lte=F("pact_deadline")).count() / closed.count()
    assert 0.7 <= in_time <= 0.9
    assert closed.filter(offer_date__gt=F("pact_deadline")).exists()
    assert closed.filter(offer_date=None).exists()
    # Some cases are still open on the last day; every ended case has an outcome.
    assert cases.filter(end_date=None).count() > 50
    assert not cases.exclude(end_date=None).filter(outcome="").exists()


def test_sector_and_age_follow_the_school(region):
    for case in Case.objects.select_related("young_person", "school")[:800]:
        assert case.sector == (case.school.sector if case.school else case.sector)
        age = dates.age_on(case.young_person.birth_date, case.start_date)
        low, high = {"PO": (5, 12), "SBO": (6, 13), "VO": (12, 17), "SO/VSO": (5, 19)}[case.sector]
        assert low <= age <= high + 1, (case.sector, age)
    # Per pupil, VO has more cases than PO.
    per_sector = dict(Case.objects.values_list("sector").annotate(n=Count("pk")))
    assert per_sector["VO"] / (900 * 7) > per_sector["PO"] / (400 * 7 + 2450)
    # Half of the absoluut verzuim has no school.
    absolute = Case.objects.filter(category=CaseCategory.ABSOLUTE)
    assert 0.3 < absolute.filter(school=None).count() / absolute.count() < 0.7


def test_every_signal_has_something_to_show(region):
    counts = worklist.signal_counts(Case.objects.all(), UNTIL)
    assert all(counts[key] > 0 for key in signals.CASE_SIGNALS), counts
    candidates = worklist.escalation_candidates(Case.objects.all(), UNTIL)
    assert candidates.filter(has_broken_agreement=True).exists()
    assert (
        CaseEvent.objects.filter(kind="doorbraakberaad")
        .exclude(mandated_organisation=None)
        .exists()
    )
    assert set(Agreement.objects.values_list("status", flat=True)) == set(AgreementStatus.values)
    # The vrijstellingen 5 onder a: one per school year, renewals before 1 July; in May the
    # renewal signal has something to show, on the open cases of the vrijstellingen.
    exemptions = Exemption.objects.all()
    assert set(exemptions.values_list("ground", flat=True)) == {ExemptionGround.ART_5_UNDER_A}
    assert exemptions.count() >= Case.objects.filter(category="vrijstelling_5_onder_a").count()
    may = datetime.date(2026, 5, 15)
    due = worklist.cases_with_signals(Case.objects.all(), may, only="renewal")
    assert due.exists()
    assert set(due.values_list("category", flat=True)) == {CaseCategory.EXEMPTION_5_UNDER_A}


def test_absence_reports_follow_duo_s_lifecycle(region):
    reports = AbsenceReport.objects.select_related("case")
    relative = Case.objects.filter(category=CaseCategory.RELATIVE).count()
    assert 0.45 < reports.count() / relative < 0.65
    assert not reports.filter(case__category=CaseCategory.ABSOLUTE).exists()
    statuses = set(reports.values_list("status", flat=True))
    assert statuses <= set(ReportStatus.values) and ReportStatus.CLOSED in statuses
    assert not reports.filter(status=ReportStatus.CLOSED, close_reason="").exists()
    reachable = {ReportStatus.REGISTERED} | {s for t in REPORT_TRANSITIONS.values() for s in t}
    assert statuses <= reachable
    # Open cases have reports still being handled, ended ones final statuses.
    assert not reports.filter(case__end_date=None, status=ReportStatus.CLOSED).exists()
    assert not reports.filter(reported_on__lt=F("start_date")).exists()


def fingerprint():
    return list(
        Case.objects.order_by("dossier_id").values_list(
            "dossier_id",
            "category",
            "start_date",
            "end_date",
            "offer_date",
            "school__code",
            "municipality__code",
            "young_person__identifier_hash",
            "young_person__birth_date",
            "last_event_on",
            "next_deadline",
        )
    )


def test_the_same_seed_gives_the_same_data(reference_data):
    generate(cases=700)
    first = fingerprint()
    events = sorted(CaseEvent.objects.values_list("case__dossier_id", "kind", "date"))
    generate(cases=700, replace=True)
    assert fingerprint() == first
    assert sorted(CaseEvent.objects.values_list("case__dossier_id", "kind", "date")) == events
    generate(cases=700, seed=8, replace=True)
    assert fingerprint() != first


def test_written_chunk_by_chunk(reference_data, monkeypatch):
    monkeypatch.setattr(synthetic, "CHUNK_SIZE", 150)
    written = []
    original = synthetic._Generator.write

    def write(self, plan, report):
        written.append(len(plan.cases))
        original(self, plan, report)

    monkeypatch.setattr(synthetic._Generator, "write", write)
    report = generate(cases=1000)
    assert written == [150] * 6 + [100]
    assert report.cases == 1000
    numbers = sorted(
        int(d.rsplit("-", 1)[1]) for d in Case.objects.values_list("dossier_id", flat=True)
    )
    assert numbers == list(range(1000))


def test_a_second_run_is_refused_and_replace_starts_again(reference_data):
    real = factories.CaseFactory(dossier_id="TZ-ECHT-1")
    generate(cases=300)
    before = (Case.objects.count(), YoungPerson.objects.count(), CaseEvent.objects.count())
    with pytest.raises(synthetic.SyntheticDataError, match="--replace"):
        generate(cases=300)
    assert (Case.objects.count(), YoungPerson.objects.count(), CaseEvent.objects.count()) == before
    report = generate(cases=300, replace=True)
    assert report.deleted["casussen"] == 300
    assert Case.objects.filter(is_synthetic=True).count() == 300
    assert Case.objects.filter(pk=real.pk).exists()
    synthetic.delete_synthetic()
    assert list(Case.objects.values_list("dossier_id", flat=True)) == ["TZ-ECHT-1"]
    assert YoungPerson.objects.count() == 1
    assert not AbsenceReport.objects.exists() and not Exemption.objects.exists()


def test_the_audit_trail_records_the_run_without_any_number(reference_data):
    generate(cases=200)
    synthetic.delete_synthetic()
    rows = AuditEvent.objects.filter(action__startswith="cases.synthetic.")
    assert [row.action for row in rows.order_by("pk")] == [
        "cases.synthetic.generate",
        "cases.synthetic.delete",
    ]
    generated = rows.get(action="cases.synthetic.generate")
    assert generated.after["casussen"] == 200 and generated.after["schaal"] == "region"
    # No BSN of the generated young people in any audit row.
    generate(cases=50)
    numbers = {person.identifier() for person in YoungPerson.objects.all()}
    text = " ".join(
        str(row.before) + str(row.after) + row.reason for row in AuditEvent.objects.all()
    )
    assert not any(number in text for number in numbers)


def test_the_national_scale_spreads_the_cases_over_all_gemeenten_by_pupils(reference_data):
    assert synthetic.planned_cases("national", 5, []) == 500_000
    generate(scale="national", cases=3000)
    per_gemeente = dict(Case.objects.values_list("municipality__code").annotate(n=Count("pk")))
    assert {"GM0363", "GM0599"} <= set(per_gemeente)
    # Amsterdam has twice the pupils of Rotterdam here.
    assert 1.5 < per_gemeente["GM0363"] / per_gemeente["GM0599"] < 2.6


def test_the_command(reference_data):
    out, err = StringIO(), StringIO()
    call_command(
        "generate_synthetic",
        "--scale=region",
        "--seed=3",
        "--cases=120",
        f"--until={UNTIL}",
        stdout=out,
        stderr=err,
    )
    assert "120 casussen" in out.getvalue()
    assert "kunnen van echte mensen zijn" in out.getvalue()
    assert "casussen: 120/120 (100 %)" in err.getvalue()
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_synthetic", "--scale=region", "--seed=3", stdout=StringIO())
    call_command(
        "generate_synthetic",
        "--scale=region",
        "--seed=3",
        "--cases=60",
        f"--until={UNTIL}",
        "--replace",
        stdout=out,
        stderr=StringIO(),
    )
    assert Case.objects.count() == 60
    with pytest.raises(CommandError, match="JJJJ-MM-DD"):
        call_command("generate_synthetic", "--scale=region", "--seed=3", "--until=30-06-2026")


def test_refused_without_reference_data(db):
    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("generate_synthetic", "--scale=region", "--seed=1", stdout=StringIO())
    with pytest.raises(CommandError, match="load_reference_data"):
        call_command("generate_synthetic", "--scale=national", "--seed=1", stdout=StringIO())
    assert not Case.objects.exists()


def test_a_future_until_is_refused(reference_data):
    with pytest.raises(synthetic.SyntheticDataError, match="toekomst"):
        generate(until=datetime.date.today() + datetime.timedelta(days=2))


def test_ceil_of_chunks():
    # One chunk per CHUNK_SIZE cases (the national scale: 100 chunks).
    assert math.ceil(500_000 / synthetic.CHUNK_SIZE) == 100
