"""The SWV's registration for the Inspectie and the figures of the leerplicht annual
report, hand-counted, with the edges of "counted on a day of the period", the audit of
every exported episode, the suppression for aggregate-only roles and the user trio."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import dates, registration
from kansrijk.cases.models import (
    AbsenceReport,
    Case,
    CaseEvent,
    Exemption,
    Residence,
)
from kansrijk.cases.tests.conftest import BSN
from kansrijk.indicators.suppression import suppress_lines
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories
from kansrijk.testing.documents import fetch_document

D = datetime.date
START, END = D(2024, 8, 1), D(2024, 10, 1)
BORN = D(2010, 3, 15)


# ------------------------------------------------------------------ counted in a period


def counted_on(case, day, definition="ocw_5a") -> bool:
    """The quarterly report's rule, applied in Python to one case on one day."""
    if not case.is_open_on(day):
        return False
    if case.category == "absoluut":
        return True
    if case.category == "relatief":
        return (day - case.start_date).days > 28
    return definition == "ocw_5a"


def in_pact_breach_on(case, day) -> bool:
    return (
        counted_on(case, day)
        and dates.add_months(case.start_date, 3) < day
        and (case.offer_date is None or case.offer_date > day)
    )


def each_day(start, end):
    day = start
    while day <= end:
        yield day
        day += datetime.timedelta(days=1)


@pytest.fixture
def episodes(network):
    """Episodes at the SWV's school around the period 1 August – 1 October 2024."""

    def case(label, category, start, end=None, offer=None, school=None, birth=BORN):
        person = factories.YoungPersonFactory(residence=network.beverwijk, birth_date=birth)
        return factories.CaseFactory(
            dossier_id=label,
            young_person=person,
            category=category,
            start_date=start,
            end_date=end,
            outcome="terug_naar_school" if end else "",
            offer_date=offer,
            school=school or network.school,
            municipality=network.beverwijk,
        )

    return {
        # relatief: counted from day 29 (P − start > 28 days)
        "R1": case("R1", "relatief", D(2024, 9, 2)),  # day 29 is 1 October: in
        "R2": case("R2", "relatief", D(2024, 9, 3)),  # day 29 is 2 October: out
        "R3": case("R3", "relatief", D(2024, 6, 1), D(2024, 7, 15)),  # before the period
        "R4": case("R4", "relatief", D(2024, 7, 1), D(2024, 7, 31)),  # counted only in July
        "R5": case("R5", "relatief", D(2024, 7, 10), D(2024, 8, 8)),  # 29 days: never counted
        "R6": case("R6", "relatief", D(2024, 7, 10), D(2024, 8, 9)),  # 30 days: 8 August
        # absoluut: counted while open
        "A1": case("A1", "absoluut", D(2024, 10, 1)),  # starts on the last day: in
        "A2": case("A2", "absoluut", D(2024, 10, 2)),  # after the period
        "A3": case("A3", "absoluut", D(2024, 5, 1), D(2024, 8, 1)),  # not open on 1 August
        "A4": case("A4", "absoluut", D(2024, 5, 1), D(2024, 8, 2)),  # open on 1 August only
        "A5": case("A5", "absoluut", D(2024, 5, 1), D(2024, 8, 3)),  # + pact breach 2 August
        "A6": case("A6", "absoluut", D(2024, 4, 15), offer=D(2024, 7, 16)),  # offer in time
        "A7": case("A7", "absoluut", D(2024, 4, 15), offer=D(2024, 8, 5)),  # breach 1-4 Aug
        "A8": case("A8", "absoluut", D(2024, 9, 1), D(2024, 12, 1)),  # ends after the period
        "V1": case("V1", "vrijstelling_5_onder_a", D(2023, 9, 1), birth=D(2012, 10, 2)),
        # at a school of another SWV
        "X1": case("X1", "absoluut", D(2024, 9, 1), school=network.other_school),
    }


EXPECTED = {"R1", "R6", "A1", "A4", "A5", "A6", "A7", "A8", "V1"}


def test_the_registration_holds_the_episodes_counted_on_a_day_of_the_period(network, episodes):
    found = registration.registration_cases(network.swv, START, END)
    assert {case.dossier_id for case in found} == EXPECTED
    # The SQL agrees with the rule applied day by day.
    for case in Case.objects.filter(school__partnership=network.swv):
        assert (case.dossier_id in EXPECTED) == any(
            counted_on(case, day) for day in each_day(START, END)
        ), case.dossier_id


def test_without_5_onder_a(network, episodes):
    found = registration.registration_cases(network.swv, START, END, definition="ocw")
    assert {case.dossier_id for case in found} == EXPECTED - {"V1"}


def test_more_than_three_months_without_an_offer_on_a_day_of_the_period(network, episodes):
    flagged = {
        case.dossier_id
        for case in registration.registration_cases(network.swv, START, END)
        if case.in_pact_breach
    }
    assert flagged == {"A5", "A7", "V1"}
    for case in registration.registration_cases(network.swv, START, END):
        assert case.in_pact_breach == any(
            in_pact_breach_on(case, day) for day in each_day(START, END)
        ), case.dossier_id


def test_the_summary(network, episodes):
    summary = registration.registration_summary(network.swv, START, END)
    assert summary.total == 9
    assert summary.by_category == {"relatief": 2, "absoluut": 6, "vrijstelling_5_onder_a": 1}
    assert summary.in_pact_breach == 3
    assert "vrijstelling" in summary.definition_text


def test_moments_of_the_inspectie_are_configurable():
    assert registration.inspectie_moments("2024/2025") == [
        D(2024, 10, 1),
        D(2025, 3, 1),
        D(2025, 7, 31),
    ]
    with override_settings(KANSRIJK={**_kansrijk(), "INSPECTIE_PEILDATA": ["15-1"]}):
        assert registration.inspectie_moments("2024/2025") == [D(2025, 1, 15), D(2025, 7, 31)]
    assert registration.registration_period("2024/2025", D(2024, 10, 1)) == (
        D(2024, 8, 1),
        D(2024, 10, 1),
    )
    with pytest.raises(ValueError):
        registration.registration_period("2024/2025", D(2025, 8, 1))


def _kansrijk():
    from django.conf import settings

    return settings.KANSRIJK


def test_the_csv_names_no_one_and_every_episode_is_an_audited_read(network, people, episodes):
    content = registration.export_registration(
        network.swv, START, END, "csv", actor=people["swv"]
    ).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert list(rows[0]) == registration.REGISTRATION_COLUMNS
    assert [row["volgnummer"] for row in rows] == [str(n) for n in range(1, 10)]
    for forbidden in [*EXPECTED, "Jongere", "Test", BSN, "2010-03-15", "2012-10-02"]:
        assert forbidden not in content
    by_start = {(row["categorie"], row["startdatum"]): row for row in rows}
    v1 = by_start[("vrijstelling_5_onder_a", "2023-09-01")]
    assert v1["leeftijd_bij_start"] == "10"  # born 2 October 2012
    assert v1["duur_dagen"] == str((END - D(2023, 9, 1)).days)
    assert v1["langer_dan_3_maanden_zonder_aanbod"] == "ja"
    assert v1["einddatum"] == "" and v1["uitkomst"] == ""
    a8 = by_start[("absoluut", "2024-09-01")]
    assert a8["einddatum"] == ""  # ended after the period: open on its last day
    assert a8["duur_dagen"] == "30"
    # A4 and A5 both start on 1 May: only A5 was open past its pact deadline (1 August).
    starts = [row for row in rows if row["startdatum"] == "2024-05-01"]
    assert sorted(
        (row["einddatum"], row["langer_dan_3_maanden_zonder_aanbod"]) for row in starts
    ) == [
        ("2024-08-02", "nee"),
        ("2024-08-03", "ja"),
    ]
    assert {row["periode_van"] for row in rows} == {"2024-08-01"}
    assert {row["periode_tot_en_met"] for row in rows} == {"2024-10-01"}
    assert {row["definitie"] for row in rows} == {"ocw_5a"}
    assert {row["samenwerkingsverband"] for row in rows} == {"PO2711"}
    reads = AuditEvent.objects.filter(action="cases.case.read")
    assert reads.count() == 9
    assert {event.reason for event in reads} == {"inspectie-export"}
    assert {event.actor for event in reads} == {people["swv"]}
    assert {event.organisation for event in reads} == {network.swv}


def test_the_xlsx_prints_the_period_and_the_definition(network, people, episodes):
    from openpyxl import load_workbook

    content = registration.export_registration(network.swv, START, END, "xlsx", actor=people["swv"])
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Registratie"]
    assert sheet.max_row == 10
    notes = {row[0].value: row[1].value for row in workbook["Toelichting"].iter_rows(min_row=2)}
    assert "5 onder a" in notes["definitie"]
    assert "2024-08-01 tot en met 2024-10-01" in notes["periode_tot_en_met"]


INSPECTIE = reverse("cases_oversight:inspectie")


def export_url(fmt="csv"):
    return reverse("cases_oversight:inspectie_export", args=[fmt])


PERIOD = {"swv": "PO2711", "schooljaar": "2024/2025", "moment": "1-10"}


def test_the_page_offers_the_moments_and_shows_the_counts(
    network, people, episodes, verified_client
):
    client = verified_client(people["swv"])
    response = client.get(INSPECTIE, PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 oktober" in html and "1 maart" in html
    summary = response.context["summary"]
    assert (summary.start, summary.end, summary.total) == (START, END, 9)
    assert "registratie.csv?swv=PO2711" in html
    # The page shows counts only: no case is read.
    assert not AuditEvent.objects.filter(action="cases.case.read").exists()
    response = fetch_document(client, export_url("xlsx"), PERIOD)
    assert response.status_code == 200
    assert (
        "thuiszittersregistratie-PO2711-2024-08-01-2024-10-01.xlsx"
        in response["Content-Disposition"]
    )
    assert AuditEvent.objects.filter(action="cases.case.read").count() == 9


def test_a_date_of_ones_own_and_a_date_outside_the_year(network, people, episodes, verified_client):
    client = verified_client(people["swv"])
    response = client.get(INSPECTIE, {**PERIOD, "tot": "2024-09-01"})
    assert response.context["summary"].end == D(2024, 9, 1)
    response = client.get(INSPECTIE, {**PERIOD, "tot": "2025-09-01"})
    assert response.status_code == 400
    assert "Kies een datum in het schooljaar 2024/2025" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "page", "export"),
    [
        ("swv", 200, 200),
        ("leerplicht", 403, 404),
        ("school", 403, 404),
        ("beleid", 403, 404),
        ("lezer", 403, 404),
        ("office_reader", 403, 404),
    ],
)
def test_only_the_coordinator_of_the_swv(
    network, people, episodes, verified_client, who, page, export
):
    client = verified_client(people[who])
    assert client.get(INSPECTIE, PERIOD).status_code == page
    assert fetch_document(client, export_url(), PERIOD).status_code == export


def test_the_user_trio_of_the_swv_coordinator(network, episodes, make_member, verified_client):
    other_swv = factories.PartnershipFactory(code="VO2701", name="Ander SWV")
    member = make_member(network.swv, Role.SWV_COORDINATOR)
    other_role = make_member(network.swv, Role.READER)
    other_organisation = make_member(other_swv, Role.SWV_COORDINATOR)
    assert fetch_document(verified_client(member), export_url(), PERIOD).status_code == 200
    assert verified_client(other_role).get(INSPECTIE).status_code == 403
    assert fetch_document(verified_client(other_role), export_url(), PERIOD).status_code == 404
    client = verified_client(other_organisation)
    response = client.get(INSPECTIE)
    assert response.status_code == 200
    assert [code for code, _label in response.context["form"].fields["swv"].choices] == ["VO2701"]
    # Another SWV's registration: the same answer as one that does not exist.
    assert client.get(INSPECTIE, PERIOD).status_code == 400
    assert fetch_document(client, export_url(), PERIOD).status_code == 404
    assert fetch_document(client, export_url(), {**PERIOD, "swv": "PO0000"}).status_code == 404
    reads = AuditEvent.objects.filter(action="cases.case.read")
    assert set(reads.values_list("actor", flat=True)) == {member.pk}


def test_a_superuser_chooses_any_swv(network, episodes, verified_client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    response = fetch_document(verified_client(admin), export_url(), PERIOD)
    assert response.status_code == 200


# ------------------------------------------------------------------ the annual report

YEAR = "2023/2024"


@pytest.fixture
def year(network):
    """School year 2023/2024 in Beverwijk (B) and Maassluis (M), hand-counted in the
    module's tests."""
    B, M = network.beverwijk, network.maassluis

    def person(municipality, birth=BORN):
        return factories.YoungPersonFactory(residence=municipality, birth_date=birth)

    def report(who, reported_on, kind="16_uur", status="geregistreerd"):
        return AbsenceReport.objects.create(
            young_person=who,
            school=network.school,
            kind=kind,
            start_date=reported_on - datetime.timedelta(days=20),
            reported_on=reported_on,
            status=status,
            status_changed_on=reported_on,
            close_reason="verzuim_gestopt" if status == "afgesloten" else "",
        )

    pb, pm = person(B), person(M)
    report(pb, D(2023, 9, 10), status="afgesloten")
    report(pb, D(2023, 11, 1), status="in_behandeling")
    report(pb, D(2024, 2, 1), kind="luxe", status="ter_kennisgeving")
    report(pb, D(2024, 7, 31), kind="lrv")
    report(pb, D(2023, 7, 31))  # the year before
    report(pm, D(2024, 3, 1))
    mover = person(B)
    residence = Residence.objects.get(young_person=mover)
    residence.valid_to = D(2024, 1, 1)
    residence.save()
    Residence.objects.create(young_person=mover, municipality=M, valid_from=D(2024, 1, 1))
    report(mover, D(2023, 12, 31))  # still in Beverwijk
    report(mover, D(2024, 1, 1))  # in Maassluis

    def case(label, municipality, category, start, end=None, outcome="", offer=None):
        return factories.CaseFactory(
            dossier_id=label,
            young_person=person(municipality),
            category=category,
            start_date=start,
            end_date=end,
            outcome=outcome,
            offer_date=offer,
            school=network.school,
            municipality=municipality,
        )

    c1 = case("c1", B, "absoluut", D(2023, 9, 1))
    case("c2", B, "relatief", D(2023, 12, 15), D(2024, 3, 1), "terug_naar_school")
    c3 = case("c3", B, "relatief", D(2023, 6, 1), offer=D(2023, 10, 15))
    case("c4", B, "vrijstelling_5_onder_a", D(2023, 10, 1))
    c5 = case("c5", M, "absoluut", D(2024, 5, 1), D(2024, 6, 1), "andere_school")
    case("c6", B, "absoluut", D(2024, 7, 31))

    def event(on_case, kind, day, **fields):
        if kind == "proces_verbaal":
            fields.setdefault("report_number", f"PV-{day:%Y%m%d}")
        return CaseEvent.objects.create(case=on_case, kind=kind, date=day, **fields)

    event(c1, "mas_route", D(2023, 10, 1), mas_route=1)
    event(c1, "mas_route", D(2024, 1, 15), mas_route=4)
    event(c1, "proces_verbaal", D(2024, 1, 20), offence_article="art_2")
    event(c1, "doorbraakberaad", D(2024, 2, 1), decision="Plaatsing op De Duinroos")
    event(c1, "mas_route", D(2023, 7, 15), mas_route=1)  # the year before
    event(c3, "halt", D(2023, 11, 1))
    event(c3, "mas_route", D(2023, 11, 1), mas_route=2)
    event(c3, "proces_verbaal", D(2024, 3, 1))  # no article recorded
    event(c5, "raad_kinderbescherming", D(2024, 5, 15))
    event(c5, "mas_route", D(2024, 5, 15), mas_route=3)

    def exemption(who, ground, decided_on):
        return Exemption.objects.create(
            young_person=who,
            ground=ground,
            requested_on=D(2023, 8, 15),
            decided_on=decided_on,
            valid_from=D(2023, 9, 1),
        )

    exemption(pb, "5_onder_a", D(2023, 9, 15))
    exemption(pb, "5a", D(2024, 2, 1))
    exemption(pb, "5_onder_a", D(2024, 8, 1))  # the year after
    exemption(pb, "5_onder_b", None)  # not decided
    exemption(pm, "5_onder_a", D(2024, 1, 10))
    return {"B": B, "M": M}


def figures(report, table_key, column):
    table = report.table(table_key)
    return {code: report.value((table.key, code, column)) for code, _label in table.rows}


def test_the_figures_of_one_gemeente(year):
    B = year["B"]
    report = registration.build_annual_report(
        school_year=YEAR, municipality_ids=[B.pk], suppressed=False, today=D(2024, 9, 15)
    )
    assert not report.has_total_column
    assert figures(report, "verzuimmeldingen_soort", B.pk) == {
        "16_uur": 3,
        "lrv": 1,
        "rmc": 0,
        "luxe": 1,
        "overig": 0,
    }
    assert figures(report, "verzuimmeldingen_status", B.pk) == {
        "geregistreerd": 2,
        "in_behandeling": 1,
        "afgesloten": 1,
        "ter_kennisgeving": 1,
        "ingetrokken": 0,
    }
    assert figures(report, "casussen_gestart", B.pk) == {
        "absoluut": 2,
        "relatief": 1,
        "vrijstelling_5_onder_a": 1,
    }
    assert figures(report, "thuiszitters_peildata", B.pk) == {
        "2023-10-01": 2,
        "2024-01-01": 2,
        "2024-04-01": 2,
        "2024-07-01": 2,
    }
    assert figures(report, "langer_dan_3_maanden_zonder_aanbod", B.pk) == {"episodes": 2}
    assert figures(report, "mas_routes", B.pk) == {"1": 1, "2": 1, "3": 0, "4": 1}
    assert figures(report, "gebeurtenissen", B.pk) == {
        "halt": 1,
        "raad_kinderbescherming": 0,
        "proces_verbaal": 2,
        "doorbraakberaad": 1,
    }
    assert figures(report, "processen_verbaal_artikel", B.pk) == {
        "art_2": 1,
        "art_4a": 0,
        "art_4b": 0,
        "": 1,
    }
    grounds = figures(report, "vrijstellingen_grond", B.pk)
    assert grounds["5_onder_a"] == 1 and grounds["5a"] == 1  # two grounds, never one
    assert sum(grounds.values()) == 2
    outcomes = figures(report, "uitkomsten", B.pk)
    assert outcomes["terug_naar_school"] == 1 and sum(outcomes.values()) == 1
    # The totals rows: the reports by status add up to the reports by kind.
    kinds = report.table("verzuimmeldingen_soort")
    assert report.value(kinds.total_key(B.pk)) == 5
    articles = report.table("processen_verbaal_artikel")
    assert articles.total_key(B.pk) == ("gebeurtenissen", "proces_verbaal", B.pk)


def test_with_5_onder_a_the_exemption_counts_on_the_peildata(year):
    B = year["B"]
    report = registration.build_annual_report(
        school_year=YEAR,
        municipality_ids=[B.pk],
        suppressed=False,
        definition="ocw_5a",
        today=D(2024, 9, 15),
    )
    assert figures(report, "thuiszitters_peildata", B.pk) == {
        "2023-10-01": 3,
        "2024-01-01": 3,
        "2024-04-01": 3,
        "2024-07-01": 3,
    }
    # c4 (5 onder a since 1 October 2023) is more than 3 months without an offer too.
    assert figures(report, "langer_dan_3_maanden_zonder_aanbod", B.pk) == {"episodes": 3}


def test_two_gemeenten_with_a_total_column(year):
    B, M = year["B"], year["M"]
    report = registration.build_annual_report(
        school_year=YEAR, municipality_ids=[B.pk, M.pk], suppressed=False, today=D(2024, 9, 15)
    )
    assert [name for _pk, _code, name in report.municipalities] == ["Beverwijk", "Maassluis"]
    assert figures(report, "verzuimmeldingen_soort", M.pk)["16_uur"] == 2  # pm and the mover
    assert figures(report, "verzuimmeldingen_soort", registration.TOTAL)["16_uur"] == 5
    assert figures(report, "casussen_gestart", M.pk)["absoluut"] == 1
    assert figures(report, "mas_routes", M.pk) == {"1": 0, "2": 0, "3": 1, "4": 0}
    assert figures(report, "gebeurtenissen", M.pk)["raad_kinderbescherming"] == 1
    assert figures(report, "vrijstellingen_grond", M.pk)["5_onder_a"] == 1
    assert figures(report, "uitkomsten", M.pk)["andere_school"] == 1
    rows = report.display_rows(report.table("casussen_gestart"))
    assert rows[-1].is_total and rows[-1].cells == ["4", "1"] and rows[-1].total == "5"


def test_peildata_still_to_come_are_left_out(year):
    report = registration.build_annual_report(
        school_year=YEAR, municipality_ids=[year["B"].pk], suppressed=False, today=D(2024, 2, 1)
    )
    assert report.peildata == [D(2023, 10, 1), D(2024, 1, 1)]


def test_every_figure_is_one_grouped_query(year, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        registration.build_annual_report(
            school_year=YEAR,
            municipality_ids=[year["B"].pk, year["M"].pk],
            suppressed=True,
            today=D(2024, 9, 15),
        )


def test_suppression_leaves_no_cell_to_work_out(year):
    ids = [year["B"].pk, year["M"].pk]
    report = registration.build_annual_report(
        school_year=YEAR, municipality_ids=ids, suppressed=True, today=D(2024, 9, 15)
    )
    threshold = report.threshold
    for key, value in report.values.items():
        if key not in report.hidden:
            assert value >= threshold, key
    values, lines = registration._values_and_lines(report.tables, ids)
    assert values == report.values
    assert report.hidden == suppress_lines(values, lines, threshold=threshold)
    for members, total in lines:
        entries = [*members, total]
        hidden = [key for key in entries if key in report.hidden]
        if not hidden or len(hidden) == len(entries):
            continue
        assert len(hidden) >= 2, (members, total)
        if total not in report.hidden:
            assert sum(values[key] for key in hidden) > 0, (members, total)
    # The totals row shared by the reports by kind and by status is one cell.
    kinds, statuses = (
        report.table("verzuimmeldingen_soort"),
        report.table("verzuimmeldingen_status"),
    )
    assert kinds.total_key(ids[0]) == statuses.total_key(ids[0])
    shown = report.display_rows(kinds)
    assert all(cell == "<5" for row in shown[:-1] for cell in row.cells)


ANNUAL = reverse("cases_oversight:annual_report")


def annual_export(fmt="csv"):
    return reverse("cases_oversight:annual_report_export", args=[fmt])


@pytest.fixture
def regional_office(network):
    """A leerplicht office for both gemeenten (like Leerrecht for three)."""
    office = factories.OrganisationFactory(
        kind=OrganisationKind.ATTENDANCE_OFFICE, name="Leerplicht regio"
    )
    office.served_regions.add(network.beverwijk, network.maassluis)
    return office


@pytest.mark.parametrize(
    ("who", "status", "gemeenten", "suppressed"),
    [
        # The trio of leerplicht: the officer, a reader of the office, another office.
        ("leerplicht", 200, ["Beverwijk"], False),
        ("office_reader", 200, ["Beverwijk"], True),
        ("leerplicht_elders", 200, ["Maassluis"], False),
        # The trio of the policy officer: the officer, a reader, another gemeente's officer.
        ("beleid", 200, ["Beverwijk"], True),
        ("lezer", 200, ["Beverwijk"], True),
        # No gemeente: no annual report.
        ("swv", 403, None, None),
        ("school", 403, None, None),
    ],
)
def test_who_sees_which_annual_report(
    year, people, verified_client, who, status, gemeenten, suppressed
):
    client = verified_client(people[who])
    response = client.get(ANNUAL, {"schooljaar": YEAR})
    assert response.status_code == status
    export = fetch_document(client, annual_export(), {"schooljaar": YEAR})
    assert export.status_code == status
    if status != 200:
        return
    report = response.context["report"]
    assert [name for _pk, _code, name in report.municipalities] == gemeenten
    assert report.suppressed is suppressed
    content = export.content.decode("utf-8-sig")
    assert ("<5" in content) is suppressed
    html = response.content.decode()
    assert ("&lt;5" in html) is suppressed


def test_a_policy_officer_of_another_gemeente(year, make_member, verified_client):
    other = factories.MunicipalityOrganisationFactory()
    client = verified_client(make_member(other, Role.POLICY_OFFICER))
    response = client.get(ANNUAL, {"schooljaar": YEAR})
    assert [name for _pk, _code, name in response.context["report"].municipalities] == [
        other.municipality.name
    ]
    # Beverwijk is not in the list of this officer's gemeenten.
    response = client.get(ANNUAL, {"schooljaar": YEAR, "gemeente": "GM0375"})
    assert response.status_code == 400


def test_leerplicht_of_two_gemeenten_chooses_one_or_both(
    year, regional_office, make_member, verified_client
):
    client = verified_client(make_member(regional_office, Role.ATTENDANCE_OFFICER))
    both = client.get(ANNUAL, {"schooljaar": YEAR}).context["report"]
    assert len(both.municipalities) == 2 and both.has_total_column and not both.suppressed
    one = client.get(ANNUAL, {"schooljaar": YEAR, "gemeente": "GM0556"}).context["report"]
    assert [code for _pk, code, _name in one.municipalities] == ["GM0556"]


def test_the_page_shows_tables_and_a_chart(year, people, verified_client):
    response = verified_client(people["leerplicht"]).get(
        ANNUAL, {"schooljaar": YEAR, "definitie": "ocw"}
    )
    html = response.content.decode()
    assert '<svg class="kansrijk-chart' in html and "Gegevens bij de grafiek" in html
    assert "Vrijstellingen verleend naar grond" in html
    assert "Art. 5 onder a" in html and "Art. 5a" in html
    assert "jaarverslag.csv?schooljaar=2023%2F2024" in html
    assert response.context["chart"].table[0] == ["1 oktober 2023", "2"]


def test_the_exports(year, people, verified_client):
    client = verified_client(people["leerplicht"])
    response = fetch_document(client, annual_export("csv"), {"schooljaar": YEAR})
    assert (
        'filename="jaarverslag-leerplicht-2023-2024-GM0375.csv"' in response["Content-Disposition"]
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == registration.ANNUAL_REPORT_COLUMNS
    pv = next(
        row
        for row in rows
        if row["onderdeel"] == "gebeurtenissen" and row["categorie"] == "proces_verbaal"
    )
    assert (pv["gemeente"], pv["aantal"], pv["schooljaar"]) == ("GM0375", "2", YEAR)
    from openpyxl import load_workbook

    response = fetch_document(client, annual_export("xlsx"), {"schooljaar": YEAR})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["Jaarverslag"].max_row == len(rows) + 1


def test_the_superuser_chooses_a_gemeente(year, verified_client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client = verified_client(admin)
    response = client.get(ANNUAL)
    assert response.status_code == 200 and response.context["report"] is None
    assert "Kies een schooljaar en een gemeente." in response.content.decode()
    response = client.get(ANNUAL, {"schooljaar": YEAR, "gemeente": "GM0556"})
    assert not response.context["report"].suppressed


def test_anonymous_visitors_log_in_first(client):
    for url in (ANNUAL, annual_export(), INSPECTIE, export_url()):
        response = client.get(url)
        assert response.status_code == 302 and "/account/" in response["Location"]
