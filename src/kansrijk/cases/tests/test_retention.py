"""Retention per record type, with frozen time: on the day before a term passes the record
stays, on the day it passes the record goes; ``--dry-run`` lists and deletes nothing.

The terms (settings, VNG selectielijst): leerplicht dossier until 19 years after birth;
kwalificatieplicht dossier 2 years after the duty ended; proces-verbaal 5 years; a
verwijsindex signal 2 years or at 23, whichever comes first; the young person with their
verzuimmeldingen, inschrijvingen, vrijstellingen, woongemeenten and contactpersonen once
no case remains and both their terms have passed. Open cases are never destroyed.
"""

from __future__ import annotations

import datetime
import io
import random

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import dates, retention
from kansrijk.cases.models import (
    AbsenceReport,
    Case,
    CaseEvent,
    Contact,
    Enrolment,
    Exemption,
    Residence,
    YoungPerson,
)
from kansrijk.cases.tests.conftest import BSN
from kansrijk.testing import factories

D = datetime.date
ONE_DAY = datetime.timedelta(days=1)
BORN = D(2005, 3, 10)  # leerplicht ends 31 July 2021; 18 on 10 March 2023; 19 on 10 March 2024


def at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 12, 0), tick=False)


def run(day: datetime.date, *, dry_run: bool = False) -> str:
    out = io.StringIO()
    with at(day):
        call_command("retention", *(["--dry-run"] if dry_run else []), stdout=out)
    return out.getvalue()


@pytest.fixture
def make(network):
    def person(born=BORN, **fields):
        return factories.YoungPersonFactory(birth_date=born, residence=network.beverwijk, **fields)

    def case(who, start, end=None, label=None):
        return factories.CaseFactory(
            dossier_id=label or f"TZ-{start:%Y%m%d}-{who.pk}",
            young_person=who,
            category="absoluut",
            start_date=start,
            end_date=end,
            outcome="anders" if end else "",
            school=network.school,
            municipality=network.beverwijk,
        )

    def event(on_case, kind, day):
        fields = (
            {"report_number": "PV-1", "offence_article": "art_2"}
            if kind == "proces_verbaal"
            else {}
        )
        return CaseEvent.objects.create(case=on_case, kind=kind, date=day, **fields)

    return person, case, event


def exists(instance) -> bool:
    return type(instance).objects.filter(pk=instance.pk).exists()


def check_term(term_passes_on, *records_that_go, keep=()):
    """Run on the day before (everything stays) and on the day (``records_that_go``
    go, ``keep`` stays)."""
    run(term_passes_on - ONE_DAY)
    assert all(exists(record) for record in [*records_that_go, *keep])
    run(term_passes_on)
    assert [exists(record) for record in records_that_go] == [False] * len(records_that_go)
    assert all(exists(record) for record in keep)


# ------------------------------------------------------------------ per record type


def test_leerplicht_dossier_until_19_years_after_birth(make):
    person, case, _event = make
    young = person()
    dossier = case(young, D(2020, 1, 6), D(2020, 6, 1))  # started during leerplicht
    still_open = case(person(), D(2020, 1, 6))
    check_term(D(2024, 3, 10), dossier, keep=[young, still_open])


def test_a_case_started_on_the_last_day_of_leerplicht_is_a_leerplicht_dossier(make):
    person, case, _event = make
    young = person()
    last_day = case(young, D(2021, 7, 31), D(2021, 9, 1))
    first_day_after = case(young, D(2021, 8, 1), D(2021, 9, 1))
    check_term(D(2024, 3, 10), last_day, keep=[first_day_after])


def test_kwalificatieplicht_dossier_2_years_after_the_duty_ends(make):
    person, case, _event = make
    dossier = case(person(), D(2021, 9, 1), D(2022, 1, 10))  # after leerplicht
    # Not a leerplicht dossier: its 19-year term (10 March 2024) does not apply.
    run(D(2024, 3, 10))
    assert exists(dossier)
    check_term(D(2025, 3, 10), dossier)  # the 18th birthday + 2 years


def test_kwalificatieplicht_ends_earlier_with_a_startkwalificatie(make):
    person, case, _event = make
    dossier = case(person(start_qualification_on=D(2022, 6, 30)), D(2021, 9, 1), D(2022, 1, 10))
    check_term(D(2024, 6, 30), dossier)


def test_proces_verbaal_after_5_years_also_in_an_open_case(make):
    person, case, event = make
    open_case = case(person(born=D(2004, 1, 1)), D(2019, 1, 7))
    report = event(open_case, "proces_verbaal", D(2019, 5, 20))
    meeting = event(open_case, "verzuimgesprek", D(2019, 5, 20))
    check_term(D(2024, 5, 20), report, keep=[open_case, meeting])


def test_a_case_is_kept_while_it_holds_a_recent_proces_verbaal(make):
    person, case, event = make
    young = person(born=D(2004, 1, 1))  # 19 on 1 January 2023; kwalificatieplicht + 2: 2024
    dossier = case(young, D(2019, 9, 2), D(2020, 3, 1))
    report = event(dossier, "proces_verbaal", D(2020, 2, 1))  # 5 years: 1 February 2025
    run(D(2024, 6, 1))
    assert exists(dossier) and exists(report) and exists(young)
    check_term(D(2025, 2, 1), report, dossier, young)


def test_verwijsindex_signal_after_2_years(make):
    person, case, event = make
    open_case = case(person(), D(2022, 3, 1))
    signal = event(open_case, "verwijsindex", D(2022, 4, 1))  # 23 only in 2028
    check_term(D(2024, 4, 1), signal, keep=[open_case])


def test_verwijsindex_signal_at_23_when_that_comes_first(make):
    person, case, event = make
    open_case = case(person(born=D(2001, 6, 15)), D(2022, 11, 1))
    signal = event(open_case, "verwijsindex", D(2023, 1, 1))  # 2 years: 1 January 2025
    check_term(D(2024, 6, 15), signal, keep=[open_case])


def test_the_young_person_goes_with_what_is_theirs_once_both_terms_have_passed(make, network):
    person, case, _event = make
    young = person()
    dossier = case(young, D(2020, 1, 6), D(2020, 6, 1))
    report = AbsenceReport.objects.create(
        young_person=young,
        school=network.school,
        kind="16_uur",
        start_date=D(2019, 12, 1),
        reported_on=D(2020, 1, 3),
        status_changed_on=D(2020, 1, 3),
    )
    enrolment = Enrolment.objects.create(
        young_person=young, school=network.school, start_date=D(2017, 8, 21)
    )
    exemption = Exemption.objects.create(
        young_person=young, ground="5_onder_a", requested_on=D(2020, 7, 1), valid_from=D(2020, 8, 1)
    )
    contact = Contact.objects.create(young_person=young, relation="ouder", name="Ouder van X")
    residence = Residence.objects.get(young_person=young)
    # The leerplicht dossier goes at 19; the person waits for the kwalificatieplicht term.
    check_term(D(2024, 3, 10), dossier, keep=[young, report, enrolment, exemption, contact])
    report.refresh_from_db()
    assert report.case is None
    check_term(D(2025, 3, 10), young, report, enrolment, exemption, contact, residence)


def test_a_young_person_with_an_open_case_stays(make):
    person, case, _event = make
    young = person(born=D(1990, 1, 1))
    open_case = case(young, D(2005, 1, 10))
    run(D(2024, 1, 1))
    assert exists(young) and exists(open_case)


def test_a_young_person_without_any_case(make):
    person, _case, _event = make
    qualified = person(start_qualification_on=D(2021, 6, 30))  # 2 years: 30 June 2023
    check_term(D(2024, 3, 10), qualified)  # then the 19-year term decides


def test_born_on_29_february(make):
    person, case, _event = make
    young = person(born=D(2004, 2, 29))
    dossier = case(young, D(2019, 9, 2), D(2020, 1, 6))
    check_term(D(2023, 2, 28), dossier)  # the 19th "birthday" in a year without 29 February


# ------------------------------------------------------------------ the run itself


def test_dry_run_lists_and_deletes_nothing(make):
    person, case, event = make
    young = person()
    dossier = case(young, D(2020, 1, 6), D(2020, 6, 1), label="TZ-2020-0001")
    report = event(case(person(), D(2019, 1, 7)), "proces_verbaal", D(2019, 5, 20))
    counts = {model: model.objects.count() for model in (Case, CaseEvent, YoungPerson)}
    output = run(D(2025, 3, 10), dry_run=True)
    assert "er is niets verwijderd" in output
    assert "leerplicht_dossier: 1 " in output and "TZ-2020-0001" in output
    assert f"proces_verbaal: 1 processen-verbaal — dossiers {report.case.dossier_id}" in output
    assert f"jongere: 1 jongeren — ids {young.pk}" in output
    assert {model: model.objects.count() for model in counts} == counts
    assert exists(dossier) and exists(report)
    assert not AuditEvent.objects.filter(action="cases.retention.purge").exists()
    for secret in (young.given_name, BSN, young.identifier()):
        assert secret not in output


def test_a_purge_is_one_transaction_with_one_audit_record_per_record_type(make, network):
    person, case, event = make
    young = person()
    dossier = case(young, D(2020, 1, 6), D(2020, 6, 1), label="TZ-2020-0001")
    Enrolment.objects.create(young_person=young, school=network.school, start_date=D(2017, 8, 21))
    signal = event(case(person(), D(2022, 3, 1)), "verwijsindex", D(2022, 4, 1))
    output = run(D(2025, 3, 10))
    assert "Verwijderd op 2025-03-10" in output
    events = {
        event.after["record_type"]: event.after
        for event in AuditEvent.objects.filter(action="cases.retention.purge")
    }
    assert set(events) == {
        "leerplicht_dossier",
        "verwijsindex",
        "jongere",
        "inschrijving",
        "woongemeente",
    }
    assert events["leerplicht_dossier"] == {
        "record_type": "leerplicht_dossier",
        "count": 1,
        "ids": [dossier.pk],
        "dossier_ids": ["TZ-2020-0001"],
    }
    assert events["verwijsindex"]["ids"] == [signal.pk]
    assert events["jongere"] == {"record_type": "jongere", "count": 1, "ids": [young.pk]}
    text = str(list(AuditEvent.objects.values_list("after", "target_display", "reason")))
    for secret in (young.given_name, young.family_name, BSN, young.identifier(), "2005-03-10"):
        assert secret not in text
    # A second run on the same day finds nothing more.
    assert "Niets is zijn bewaartermijn voorbij." in run(D(2025, 3, 10))
    assert AuditEvent.objects.filter(action="cases.retention.purge").count() == 5


def test_a_failed_purge_leaves_everything(make, monkeypatch):
    person, case, _event = make
    young = person()
    dossier = case(young, D(2020, 1, 6), D(2020, 6, 1))

    def broken(*args, **kwargs):
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(retention.audit, "record", broken)
    with at(D(2025, 3, 10)), pytest.raises(RuntimeError):
        retention.purge(actor=None)
    assert exists(dossier) and exists(young)


def test_the_terms_are_settings(make):
    person, case, _event = make
    dossier = case(person(), D(2020, 1, 6), D(2020, 6, 1))
    from django.conf import settings

    terms = {**settings.KANSRIJK["RETENTION"], "DOSSIER_YEARS_AFTER_BIRTH": 20}
    with override_settings(KANSRIJK={**settings.KANSRIJK, "RETENTION": terms}):
        check_term(D(2025, 3, 10), dossier)


# ------------------------------------------------------------------ the rules in SQL


def test_the_leerplicht_test_in_sql_matches_the_calendar(network):
    """``with_dossier_kind`` against ``dates.compulsory_education_end`` over many dates."""
    rng = random.Random(5)
    for _ in range(60):
        born = D(2000, 1, 1) + datetime.timedelta(days=rng.randrange(0, 3650))
        end = dates.compulsory_education_end(born)
        young = factories.YoungPersonFactory(birth_date=born)
        for start in (end - ONE_DAY, end, end + ONE_DAY):
            factories.CaseFactory(
                young_person=young,
                start_date=start,
                school=network.school,
                municipality=network.beverwijk,
            )
    annotated = retention.with_dossier_kind(Case.objects.select_related("young_person"))
    for case in annotated:
        expected = case.start_date <= dates.compulsory_education_end(case.young_person.birth_date)
        assert bool(case.is_leerplicht_dossier) == expected, (
            case.young_person.birth_date,
            case.start_date,
        )


def test_the_cutoffs_are_exact_at_month_ends():
    cut = retention.Cutoffs.on(D(2023, 2, 28))
    # Born 29 February 2004: 19 on 28 February 2023.
    assert cut.born_19 == D(2004, 2, 29)
    assert retention.Cutoffs.on(D(2023, 2, 27)).born_19 == D(2004, 2, 27)
    cut = retention.Cutoffs.on(D(2024, 5, 20))
    assert cut.official_report_on == D(2019, 5, 20)
    assert retention.Cutoffs.on(D(2024, 2, 29)).referral_signal_on == D(2022, 2, 28)
