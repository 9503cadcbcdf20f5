"""The signals by the law (``cases.signals``), each rule with its own sentence; movement;
the work list ordered by urgency.

The register stands on 14 October 2026 unless a test travels elsewhere: the
Thuiszitterspact deadline of a case that started on 2 July 2026 passed on 2 October, twelve
days ago."""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kansrijk.cases import services, signals, worklist
from kansrijk.cases.identifiers import bsn_near
from kansrijk.cases.models import Case, CaseCategory, Exemption, ExemptionGround, YoungPerson

from .conftest import registered_on
from .test_views import main_text, url

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 10, 14)
PACT_EXAMPLE_START = D(2026, 7, 2)
DECIDED_ON = D(2025, 7, 20)


@pytest.fixture(autouse=True)
def on_14_october():
    with time_machine.travel(datetime.datetime(2026, 10, 14, 10, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def open_case(network, young_person):
    def make(category=CaseCategory.RELATIVE, start=PACT_EXAMPLE_START, **fields):
        return services.open_case(
            actor=None,
            young_person=fields.pop("person", young_person),
            category=category,
            start_date=start,
            school=network.school,
            **fields,
        )

    return make


def flagged(case, today=TODAY):
    """The case as the work list reads it, or None when it carries no signal."""
    return worklist.cases_with_signals(Case.objects.filter(pk=case.pk), today).first()


def keys_of(row) -> set[str]:
    return {key for key in signals.URGENCY if getattr(row, f"signal_{key}")}


def why(case, today=TODAY) -> str:
    row = flagged(case, today)
    return signals.reason(row, signals.case_signals(row, today)[0].key, today)


def grant(person, *, valid_to, statement_on=None, decided_on=DECIDED_ON, valid_from=None):
    return services.grant_exemption(
        actor=None,
        young_person=person,
        ground=ExemptionGround.ART_5_UNDER_A,
        requested_on=D(2025, 6, 1),
        decided_on=decided_on,
        statement_on=statement_on or D(2025, 5, 20),
        valid_from=valid_from or D(2025, 8, 1),
        valid_to=valid_to,
        reason="psychische gronden",
    )


# ------------------------------------------------------------------ the thuiszitter rules


def test_the_pact_deadline_passed_says_since_when(open_case, people):
    case = open_case(case_manager=people["leerplicht"])
    assert keys_of(flagged(case)) == {"pact", "thuiszitter"}
    assert why(case) == "Aanbod binnen 3 maanden verstreken op 2 oktober: 12 dagen te laat"


def test_an_offer_stops_the_pact_clock(open_case, people):
    case = open_case(case_manager=people["leerplicht"])
    services.record_offer(case, actor=None, offer_date=D(2026, 10, 1))
    assert flagged(case) is None


def test_an_overdue_agreement_says_how_late(open_case, people, network):
    case = open_case(start=D(2026, 9, 28), case_manager=people["leerplicht"])
    services.add_agreement(
        case,
        actor=None,
        description="De school maakt een plan",
        deadline=D(2026, 10, 10),
        responsible_organisation=network.school,
    )
    assert keys_of(flagged(case)) == {"agreement"}
    assert why(case) == "Afspraak verlopen op 10 oktober: 4 dagen te laat"


def test_relatief_verzuim_past_four_weeks_counts_down_to_the_pact(open_case, people):
    case = open_case(start=D(2026, 9, 1), case_manager=people["leerplicht"])
    assert keys_of(flagged(case)) == {"thuiszitter"}
    assert why(case) == "Thuiszitter sinds 29 september: nog 48 dagen tot de termijn van 3 maanden"


def test_a_thuiszitter_without_a_regievoerder(open_case):
    case = open_case(category=CaseCategory.ABSOLUTE, start=D(2026, 10, 10))
    assert keys_of(flagged(case)) == {"case_manager"}
    assert why(case) == "Thuiszitter zonder regievoerder, open sinds 10 oktober"


def test_a_short_relative_absence_needs_no_regievoerder_yet(open_case):
    assert flagged(open_case(start=D(2026, 10, 1))) is None


def test_no_movement_says_since_when(open_case, people):
    case = registered_on(open_case(start=D(2026, 8, 1)), D(2026, 8, 1))
    services.record_offer(case, actor=None, offer_date=D(2026, 8, 3))
    registered_on(case, D(2026, 8, 3))  # the offer was recorded on the day it started
    Case.objects.filter(pk=case.pk).update(case_manager=people["leerplicht"])
    assert keys_of(flagged(case)) == {"stagnant"}
    assert why(case) == "Geen beweging sinds 3 augustus: 72 dagen niets vastgelegd"


# ------------------------------------------------------------------ vrijstelling 5 onder a


def test_a_vrijstelling_never_carries_a_thuiszitter_signal(open_case, young_person):
    """Years open, no regievoerder, nothing recorded: still not a thuiszitter."""
    grant(young_person, valid_to=D(2027, 7, 31))
    case = open_case(category=CaseCategory.EXEMPTION_5_UNDER_A, start=D(2023, 9, 1))
    registered_on(case, D(2023, 9, 1))
    assert flagged(case) is None


def test_the_renewal_shows_from_may_before_1_july(open_case, young_person, people):
    grant(young_person, valid_to=D(2027, 7, 31), valid_from=D(2026, 8, 1))
    case = open_case(category=CaseCategory.EXEMPTION_5_UNDER_A, start=D(2026, 8, 1))
    assert flagged(case) is None  # October: too early to ask for next school year
    may = D(2027, 5, 15)
    # The renewal needs a new statement too; the renewal is the more urgent.
    assert keys_of(flagged(case, may)) == {"renewal", "statement"}
    assert why(case, may) == "Vrijstelling 5 onder a verlengen vóór 1 juli: nog 47 dagen"
    assert why(case, D(2027, 7, 6)) == (
        "Verlenging van de vrijstelling 5 onder a moest rond zijn op 1 juli: 5 dagen te laat"
    )
    grant(young_person, valid_from=D(2027, 8, 1), valid_to=D(2028, 7, 31))
    assert flagged(case, may) is None


def test_a_lapsed_vrijstelling_shows_at_any_time(open_case, young_person):
    grant(young_person, valid_to=D(2026, 7, 31))
    case = open_case(category=CaseCategory.EXEMPTION_5_UNDER_A, start=D(2025, 8, 1))
    assert keys_of(flagged(case)) == {"renewal", "statement"}
    assert why(case) == (
        "Verlenging van de vrijstelling 5 onder a moest rond zijn op 1 juli: 105 dagen te laat"
    )


def test_a_vrijstelling_case_without_a_vrijstelling_on_record(open_case):
    case = open_case(category=CaseCategory.EXEMPTION_5_UNDER_A, start=D(2026, 9, 1))
    assert keys_of(flagged(case)) == {"renewal"}
    assert why(case).startswith("Geen vrijstelling 5 onder a vastgelegd")


def test_a_statement_older_than_three_months_for_an_undecided_request(open_case, young_person):
    grant(
        young_person,
        valid_from=D(2026, 8, 1),
        valid_to=D(2027, 7, 31),
        statement_on=D(2026, 6, 1),
        decided_on=None,
    )
    case = open_case(category=CaseCategory.EXEMPTION_5_UNDER_A, start=D(2026, 8, 1))
    assert keys_of(flagged(case)) == {"statement"}
    assert why(case) == "Verklaring van 1 juni is ouder dan 3 maanden: vraag een nieuwe"
    Exemption.objects.update(decided_on=D(2026, 9, 1))
    assert flagged(case) is None  # decided, and no renewal due yet


def test_the_case_page_of_a_vrijstelling_has_no_pact(login, people, open_case, young_person):
    grant(young_person, valid_to=D(2026, 7, 31))
    case = open_case(category=CaseCategory.EXEMPTION_5_UNDER_A, start=D(2023, 9, 1))
    text = main_text(login(people["leerplicht"]).get(case.get_absolute_url()))
    assert "Thuiszitterspact is overschreden" not in text
    assert "(Thuiszitterspact)" not in text and "Geen beweging" not in text
    assert "moest rond zijn op 1 juli: 105 dagen te laat" in text


# ------------------------------------------------------------------ movement


def test_a_case_opened_today_has_moved_today(open_case, login, people):
    """Home since July, registered today: late for the pact, but not without movement."""
    case = open_case(start=D(2026, 7, 2))
    assert keys_of(flagged(case)) == {"pact", "thuiszitter", "case_manager"}
    response = login(people["leerplicht"]).get(url("worklist"))
    [row] = response.context["page"].object_list
    assert "stagnant" not in {signal.key for signal in row.signal_list}


def test_an_agreement_is_movement_and_on_the_timeline(open_case, login, people, network):
    case = registered_on(open_case(), D(2026, 7, 2))
    assert flagged(case).signal_stagnant
    services.add_agreement(
        case,
        actor=None,
        description="Het SWV zoekt een passende plek",
        deadline=D(2026, 11, 1),
        responsible_organisation=network.swv,
    )
    assert not flagged(case).signal_stagnant
    text = main_text(login(people["leerplicht"]).get(case.get_absolute_url()))
    assert "Nog niets vastgelegd" not in text
    assert "Afspraak gemaakt, uiterlijk 1 november 2026" in text
    assert "Het SWV zoekt een passende plek" in text


@pytest.mark.parametrize("change", ["event", "assign", "edit"])
def test_an_event_or_a_change_is_movement(open_case, people, change):
    case = registered_on(open_case(), D(2026, 7, 2))
    if change == "event":
        # Recorded today, even about a visit weeks ago.
        services.record_event(case, actor=None, kind="huisbezoek", date=D(2026, 8, 20))
    elif change == "assign":
        services.assign_case_manager(case, actor=None, case_manager=people["swv"])
    else:
        services.update_case(case, actor=None, sector="PO")
    assert not flagged(case).signal_stagnant


# ------------------------------------------------------------------ urgency


NUMBERS = itertools.count()


def _cases(network, specs):
    """Many cases in a few statements: (category, start, offer, case manager, how many).
    Each moved in the last 20 days."""
    people, cases = [], []
    for category, start, offer, manager, count in specs:
        for _ in range(count):
            index = next(NUMBERS)
            person = YoungPerson(birth_date=D(2013, 1, 1), given_name=f"Jongere {index}")
            person.set_identifier("bsn", bsn_near(200_000_000 + index * 100))
            people.append(person)
            case = Case(
                dossier_id=f"TZ-BULK-{index:04d}",
                category=category,
                start_date=start,
                offer_date=offer,
                school=network.school,
                municipality=network.beverwijk,
                case_manager=manager,
                last_event_on=start,
                last_movement_on=TODAY - datetime.timedelta(days=index % 20),
            )
            case.set_derived_fields()
            cases.append(case)
    YoungPerson.objects.bulk_create(people)
    for person, case in zip(people, cases, strict=True):
        case.young_person = person
    return Case.objects.bulk_create(cases)


def test_the_ten_most_urgent_of_400_are_on_top(network, people):
    regievoerder = people["leerplicht"]
    late = [D(2026, 3, 1) + datetime.timedelta(days=day) for day in range(10)]
    urgent = [
        _cases(network, [(CaseCategory.ABSOLUTE, start, None, regievoerder, 1)])[0]
        for start in late
    ]
    _cases(
        network,
        [
            # Relatief, past 4 weeks, pact not yet due: on the list, below the urgent ones.
            (CaseCategory.RELATIVE, D(2026, 8, 20), None, regievoerder, 90),
            # With an offer in time, moving: not on the list.
            (CaseCategory.RELATIVE, D(2026, 5, 1), D(2026, 6, 1), regievoerder, 150),
            # Just started: not yet.
            (CaseCategory.RELATIVE, D(2026, 10, 1), None, regievoerder, 60),
            # Vrijstellingen without a vrijstelling on record: on the list, below.
            (CaseCategory.EXEMPTION_5_UNDER_A, D(2024, 9, 1), None, regievoerder, 40),
            # Absoluut without regievoerder: on the list, near the bottom.
            (CaseCategory.ABSOLUTE, D(2026, 10, 5), None, None, 50),
        ],
    )
    mine = Case.objects.filter(case_manager=regievoerder)
    assert mine.count() == 350 and Case.objects.count() == 400
    top = list(worklist.cases_with_signals(Case.objects.all(), TODAY)[:10])
    # The most overdue pact first: started on 1 March, deadline 1 June.
    assert [case.pk for case in top] == [case.pk for case in urgent]
    assert signals.reason(top[0], "pact", TODAY) == (
        "Aanbod binnen 3 maanden verstreken op 1 juni: 135 dagen te laat"
    )
    assert worklist.cases_with_signals(Case.objects.all(), TODAY).count() == 10 + 90 + 40 + 50


def test_the_work_list_page_shows_the_urgent_first_with_the_reason(login, people, open_case):
    open_case(start=D(2026, 9, 1), case_manager=people["leerplicht"])
    open_case(start=D(2026, 7, 2), case_manager=people["leerplicht"])
    response = login(people["leerplicht"]).get(url("worklist"))
    rows = response.context["page"].object_list
    assert [row.start_date for row in rows] == [D(2026, 7, 2), D(2026, 9, 1)]
    text = main_text(response)
    assert text.index("Aanbod binnen 3 maanden verstreken op 2 oktober: 12 dagen te laat") < (
        text.index("Thuiszitter sinds 29 september")
    )
    assert "de meest urgente eerst" in text


def test_the_work_list_costs_the_same_queries_for_more_cases(
    login, people, network, django_assert_max_num_queries
):
    def mix(count):
        _cases(
            network,
            [
                (CaseCategory.ABSOLUTE, D(2026, 3, 1), None, people["leerplicht"], count),
                (CaseCategory.RELATIVE, D(2026, 9, 1), None, None, count),
                (CaseCategory.EXEMPTION_5_UNDER_A, D(2025, 9, 1), None, None, count),
            ],
        )

    client = login(people["leerplicht"])
    mix(2)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url("worklist")).status_code == 200
    mix(13)
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(url("worklist"))
    assert len(response.context["page"].object_list) == 45


def test_the_migration_carries_agreements_over_as_movement(case, network):
    """Before decision 0032 only the timeline counted: an agreement made after the latest
    event becomes the case's latest movement."""
    from importlib import import_module

    from django.apps import apps

    migration = import_module("kansrijk.cases.migrations.0006_signals_movement_and_dossier_numbers")
    services.add_agreement(
        case, actor=None, description="Plan", deadline=D(2026, 11, 1), responsible_person="ouders"
    )
    untouched = registered_on(
        services.open_case(
            actor=None,
            young_person=case.young_person,
            category=CaseCategory.ABSOLUTE,
            start_date=D(2026, 9, 1),
        ),
        D(2026, 9, 1),
    )
    Case.objects.update(last_movement_on=None)
    migration.agreements_are_movement(apps, None)
    case.refresh_from_db()
    untouched.refresh_from_db()
    assert case.last_movement_on == TODAY
    assert untouched.last_movement_on is None
