"""Every change goes through a service: validated, audited, and without personal data in
the audit trail."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import ValidationError

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import services
from kansrijk.cases.identifiers import onderwijsnummer_near
from kansrijk.cases.models import (
    AgreementStatus,
    Case,
    EventKind,
    ReportStatus,
    YoungPerson,
)

from .conftest import BSN, OTHER_BSN

D = datetime.date


def test_young_person_is_stored_encrypted_and_found_by_hash(young_person):
    row = YoungPerson.objects.values().get(pk=young_person.pk)
    assert BSN not in json.dumps(row, default=str)
    assert young_person.identifier() == BSN
    assert services.find_young_person(BSN) == young_person
    assert services.find_young_person(OTHER_BSN) is None


def test_a_bsn_is_registered_once(network, young_person):
    with pytest.raises(services.DuplicateYoungPerson) as raised:
        services.register_young_person(
            actor=None,
            identifier_kind="bsn",
            identifier="111 222 333",
            birth_date=D(2011, 5, 4),
            municipality=network.beverwijk,
        )
    assert raised.value.existing == young_person


@pytest.mark.parametrize(
    ("kind", "number"),
    [("bsn", "111222334"), ("bsn", "12345678"), ("onderwijsnummer", "111222333")],
)
def test_numbers_are_checked_and_never_repeated_in_the_error(network, kind, number):
    with pytest.raises(ValidationError) as raised:
        services.register_young_person(
            actor=None,
            identifier_kind=kind,
            identifier=number,
            birth_date=D(2011, 5, 4),
            municipality=network.beverwijk,
        )
    assert number not in str(raised.value)


def test_an_onderwijsnummer_is_accepted(network):
    person = services.register_young_person(
        actor=None,
        identifier_kind="onderwijsnummer",
        identifier=onderwijsnummer_near(1_010_101),
        birth_date=D(2012, 1, 1),
        municipality=network.beverwijk,
    )
    assert person.identifier_kind == "onderwijsnummer"


def test_moving_house_keeps_the_history(network, young_person):
    services.record_move(
        young_person, actor=None, municipality=network.maassluis, valid_from=D(2024, 2, 1)
    )
    assert young_person.municipality_on(D(2024, 1, 31)) == network.beverwijk
    assert young_person.municipality_on(D(2024, 2, 1)) == network.maassluis


def test_a_move_brings_the_open_cases_woongemeente_up_to_date(network, young_person, case):
    closed = services.open_case(
        actor=None,
        young_person=young_person,
        category="absoluut",
        start_date=D(2023, 9, 4),
        dossier_id="TZ-TEST-OUD",
    )
    services.close_case(closed, actor=None, end_date=D(2023, 11, 1), outcome="andere_school")
    services.record_move(
        young_person, actor=None, municipality=network.maassluis, valid_from=D(2024, 2, 1)
    )
    case.refresh_from_db()
    closed.refresh_from_db()
    # The open case follows the young person (scoping and work lists read it); the closed
    # one keeps the woongemeente of its time. Reports read the residence history either way.
    assert case.municipality == network.maassluis
    assert closed.municipality == network.beverwijk
    event = AuditEvent.objects.filter(action="cases.case.update").latest("pk")
    assert event.reason == "verhuizing"
    assert (event.before["municipality"], event.after["municipality"]) == (
        network.beverwijk.pk,
        network.maassluis.pk,
    )


@time_machine.travel(datetime.datetime(2024, 3, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_a_move_ahead_of_its_date_leaves_the_case_where_it_is(network, young_person, case):
    services.record_move(
        young_person, actor=None, municipality=network.maassluis, valid_from=D(2024, 4, 1)
    )
    case.refresh_from_db()
    assert case.municipality == network.beverwijk
    assert young_person.municipality_on(D(2024, 4, 1)) == network.maassluis


def test_a_move_into_a_gemeente_that_merged_since_moves_the_case_to_its_successor(
    network, young_person, case
):
    from kansrijk.organisations.models import RegionSuccession
    from kansrijk.testing import factories

    merged = D(2019, 1, 1)
    leerdam = factories.MunicipalityFactory(code="GM0545", name="Leerdam", valid_to=merged)
    vijfheerenlanden = factories.MunicipalityFactory(
        code="GM1961", name="Vijfheerenlanden", valid_from=merged
    )
    RegionSuccession.objects.create(predecessor=leerdam, successor=vijfheerenlanden, date=merged)
    # Leerdam no longer existed in 2024: the move must name the gemeente of its day.
    with pytest.raises(ValidationError) as raised:
        services.record_move(
            young_person, actor=None, municipality=leerdam, valid_from=D(2024, 2, 1)
        )
    assert "bestond op de verhuisdatum niet" in str(raised.value)
    with pytest.raises(ValidationError):
        services.record_move(
            young_person, actor=None, municipality=vijfheerenlanden, valid_from=D(2018, 6, 1)
        )
    # Recorded late: the young person moved to Leerdam in 2018.
    services.record_move(young_person, actor=None, municipality=leerdam, valid_from=D(2018, 6, 1))
    case.refresh_from_db()
    assert case.municipality == vijfheerenlanden
    assert young_person.municipality_on(D(2018, 12, 31)) == leerdam


def test_opening_a_case_takes_the_woongemeente_and_sector(network, case):
    assert case.municipality == network.beverwijk
    assert case.sector == network.school.sector
    assert case.pact_deadline == D(2024, 4, 8)
    assert case.last_event_on == case.start_date


def test_relatief_verzuim_needs_a_school(network, young_person):
    with pytest.raises(ValidationError) as raised:
        services.open_case(
            actor=None, young_person=young_person, category="relatief", start_date=D(2024, 1, 8)
        )
    assert "school" in raised.value.message_dict


def test_absence_report_follows_duos_lifecycle(network, young_person):
    report = services.report_absence(
        actor=None,
        young_person=young_person,
        school=network.school,
        kind="16_uur",
        start_date=D(2024, 1, 8),
        reported_on=D(2024, 2, 1),
    )
    assert report.status == ReportStatus.REGISTERED
    with pytest.raises(ValidationError):
        services.change_report_status(report, actor=None, status=ReportStatus.CLOSED)
    services.change_report_status(report, actor=None, status=ReportStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as raised:
        services.change_report_status(report, actor=None, status=ReportStatus.CLOSED)
    assert "close_reason" in raised.value.message_dict
    services.change_report_status(
        report, actor=None, status=ReportStatus.CLOSED, close_reason="verzuim_gestopt"
    )
    for status in ReportStatus.values:
        with pytest.raises(ValidationError):
            services.change_report_status(report, actor=None, status=status)


@pytest.mark.parametrize(
    ("first", "allowed"),
    [
        (ReportStatus.REGISTERED, {"in_behandeling", "ter_kennisgeving", "ingetrokken"}),
        (ReportStatus.IN_PROGRESS, {"afgesloten", "ingetrokken"}),
    ],
)
def test_every_transition_of_the_lifecycle(network, young_person, first, allowed):
    for status in ReportStatus.values:
        report = services.report_absence(
            actor=None,
            young_person=young_person,
            school=network.school,
            kind="16_uur",
            start_date=D(2024, 1, 8),
            reported_on=D(2024, 2, 1),
        )
        if first == ReportStatus.IN_PROGRESS:
            services.change_report_status(report, actor=None, status=first)
        reason = "anders" if status == ReportStatus.CLOSED else ""
        if status in allowed:
            services.change_report_status(report, actor=None, status=status, close_reason=reason)
        else:
            with pytest.raises(ValidationError):
                services.change_report_status(
                    report, actor=None, status=status, close_reason=reason
                )


@time_machine.travel(D(2024, 6, 1))
def test_halt_only_from_twelve(network, case):
    case.young_person.birth_date = D(2013, 1, 1)
    with pytest.raises(ValidationError) as raised:
        services.record_event(case, actor=None, kind=EventKind.HALT, date=D(2024, 5, 1))
    assert "12" in str(raised.value)
    case.young_person.birth_date = D(2011, 5, 4)
    services.record_event(case, actor=None, kind=EventKind.HALT, date=D(2024, 5, 1))


@time_machine.travel(D(2024, 6, 1))
def test_events_carry_their_fields_and_move_the_last_event(case):
    with pytest.raises(ValidationError):
        services.record_event(case, actor=None, kind=EventKind.MAS_ROUTE, date=D(2024, 2, 1))
    services.record_event(
        case, actor=None, kind=EventKind.MAS_ROUTE, date=D(2024, 2, 1), mas_route=2
    )
    with pytest.raises(ValidationError) as raised:
        services.record_event(case, actor=None, kind=EventKind.OFFICIAL_REPORT, date=D(2024, 3, 1))
    assert {"report_number", "offence_article"} <= set(raised.value.message_dict)
    services.record_event(
        case,
        actor=None,
        kind=EventKind.OFFICIAL_REPORT,
        date=D(2024, 3, 1),
        report_number="PV-2024-17",
        offence_article="art_2",
    )
    with pytest.raises(ValidationError):
        services.record_event(case, actor=None, kind=EventKind.BREAKTHROUGH, date=D(2024, 4, 1))
    case.refresh_from_db()
    assert case.last_event_on == D(2024, 3, 1)


@time_machine.travel(D(2024, 6, 1))
def test_agreements_set_the_next_deadline(network, case):
    first = services.add_agreement(
        case,
        actor=None,
        description="Intakegesprek bij het SWV",
        deadline=D(2024, 2, 15),
        responsible_organisation=network.swv,
    )
    services.add_agreement(
        case, actor=None, description="Huisbezoek", deadline=D(2024, 3, 1), responsible_person="LPA"
    )
    case.refresh_from_db()
    assert case.next_deadline == D(2024, 2, 15)
    services.resolve_agreement(first, actor=None, kept=False, on=D(2024, 2, 20))
    case.refresh_from_db()
    assert case.next_deadline == D(2024, 3, 1)
    first.refresh_from_db()
    assert first.status == AgreementStatus.NOT_KEPT
    with pytest.raises(ValidationError):
        services.add_agreement(case, actor=None, description="x", deadline=D(2024, 3, 1))


@time_machine.travel(D(2024, 6, 1))
def test_offer_and_closing(case):
    services.record_offer(case, actor=None, offer_date=D(2024, 3, 1), description="OZA")
    with pytest.raises(ValidationError):
        services.close_case(case, actor=None, end_date=D(2024, 4, 1), outcome="")
    services.close_case(
        case, actor=None, end_date=D(2024, 4, 1), outcome="onderwijszorgarrangement"
    )
    case.refresh_from_db()
    assert case.offer_date == D(2024, 3, 1) and not case.is_open


def test_exemption_5_onder_a_needs_a_recent_statement(network, young_person):
    with pytest.raises(ValidationError):
        services.grant_exemption(
            actor=None,
            young_person=young_person,
            ground="5_onder_a",
            requested_on=D(2024, 6, 1),
            valid_from=D(2024, 8, 1),
        )
    with pytest.raises(ValidationError) as raised:
        services.grant_exemption(
            actor=None,
            young_person=young_person,
            ground="5_onder_a",
            requested_on=D(2024, 6, 1),
            valid_from=D(2024, 8, 1),
            statement_on=D(2024, 2, 29),
        )
    assert "3 maanden" in str(raised.value)
    exemption = services.grant_exemption(
        actor=None,
        young_person=young_person,
        ground="5_onder_a",
        requested_on=D(2024, 6, 1),
        valid_from=D(2024, 8, 1),
        valid_to=D(2025, 7, 31),
        statement_on=D(2024, 3, 1),
    )
    assert exemption.ground == "5_onder_a" != "5a"


def test_reported_counts_are_replaced_not_duplicated(network):
    first, changed = services.report_count(
        actor=None, reference_date=D(2024, 4, 1), school=network.school, count=3
    )
    again, changed_again = services.report_count(
        actor=None, reference_date=D(2024, 4, 1), school=network.school, count=3
    )
    assert changed and not changed_again and first.pk == again.pk
    services.report_count(actor=None, reference_date=D(2024, 4, 1), school=network.school, count=4)
    first.refresh_from_db()
    assert first.count == 4


def test_the_audit_trail_holds_no_name_birth_date_or_number(network, young_person, case):
    services.update_young_person(young_person, actor=None, family_name="de Vries")
    services.record_reads(None, [case], route="test")
    dump = json.dumps(list(AuditEvent.objects.values()), default=str)
    for secret in (BSN, "Noor", "Jansen", "de Vries", "2011-05-04"):
        assert secret not in dump, secret
    assert AuditEvent.objects.filter(action="cases.case.read", target_id=str(case.pk)).exists()
    assert Case.objects.count() == 1
