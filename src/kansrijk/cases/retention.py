"""Retention: what the register must destroy, per record type (VNG selectielijst and law).

The terms are settings (``KANSRIJK["RETENTION"]``); docs/decisions/0017 says why each
record type is read this way. A record goes on the day its term has passed:

* ``leerplicht_dossier`` — a closed case that started while the young person was of
  compulsory school age (start ≤ end of leerplicht): on the day
  ``DOSSIER_YEARS_AFTER_BIRTH`` (19) years after birth;
* ``kwalificatieplicht_dossier`` — a closed case that started after leerplicht ended:
  ``QUALIFICATION_YEARS_AFTER_END`` (2) years after kwalificatieplicht ended
  (``YoungPerson.qualification_duty_end``: the 18th birthday or the startkwalificatie);
* a case with a proces-verbaal younger than ``OFFICIAL_REPORT_YEARS`` (5) is kept until
  the proces-verbaal goes; an open case is never destroyed;
* ``proces_verbaal`` — a proces-verbaal event ``OFFICIAL_REPORT_YEARS`` after its date;
* ``verwijsindex`` — a verwijsindex signal event ``REFERRAL_SIGNAL_YEARS`` (2) after its
  date, or on the ``REFERRAL_SIGNAL_AGE`` (23rd) birthday, whichever comes first;
* ``jongere`` — the young person, with their verzuimmeldingen, inschrijvingen,
  vrijstellingen, woongemeenten and contactpersonen, once no case of theirs remains and
  both their terms (the leerplicht term and the kwalificatieplicht term) have passed.

Every term is a comparison of a date column with one constant date (the last date
whose term has passed today), so the selection is a few indexed queries, the same on
SQLite and PostgreSQL. The constants come from the calendar helpers in ``dates``, which
clamp month ends (a term from 29 February ends on 28 February).

``plan`` lists what would go (ids and dossier numbers, never a name or number);
``purge`` deletes it in one transaction, with one audit record per record type.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.functions import ExtractYear
from django.utils import timezone

from kansrijk.audit import services as audit

from . import dates
from .models import (
    AbsenceReport,
    Case,
    CaseEvent,
    Contact,
    Enrolment,
    EventKind,
    Exemption,
    Residence,
    YoungPerson,
)

LEERPLICHT_DOSSIER = "leerplicht_dossier"
QUALIFICATION_DOSSIER = "kwalificatieplicht_dossier"
OFFICIAL_REPORT = "proces_verbaal"
REFERRAL_SIGNAL = "verwijsindex"
YOUNG_PERSON = "jongere"
# What goes with the young person, in the order of the report.
PERSON_RECORDS = {
    "verzuimmelding": AbsenceReport,
    "inschrijving": Enrolment,
    "vrijstelling": Exemption,
    "woongemeente": Residence,
    "contactpersoon": Contact,
}
RECORD_TYPES = [
    OFFICIAL_REPORT,
    REFERRAL_SIGNAL,
    LEERPLICHT_DOSSIER,
    QUALIFICATION_DOSSIER,
    YOUNG_PERSON,
    *PERSON_RECORDS,
]
RECORD_LABELS = {
    OFFICIAL_REPORT: "processen-verbaal",
    REFERRAL_SIGNAL: "verwijsindexsignalen",
    LEERPLICHT_DOSSIER: "leerplichtdossiers (gesloten casussen)",
    QUALIFICATION_DOSSIER: "kwalificatieplichtdossiers (gesloten casussen)",
    YOUNG_PERSON: "jongeren",
    "verzuimmelding": "verzuimmeldingen",
    "inschrijving": "inschrijvingen",
    "vrijstelling": "vrijstellingen",
    "woongemeente": "woongemeenten (verblijfshistorie)",
    "contactpersoon": "contactpersonen",
}


def _terms() -> dict:
    return settings.KANSRIJK["RETENTION"]


def last_date_passed(term_end, today: datetime.date, guess: datetime.date) -> datetime.date:
    """The last date *d* with ``term_end(d) <= today``, for a ``term_end`` that never
    decreases when *d* grows: every record dated on or before *d* has passed its term.
    ``guess`` is a date close to the answer; the search steps a day at a time from it."""
    day = datetime.timedelta(days=1)
    found = guess
    while term_end(found) > today:
        found -= day
    while term_end(found + day) <= today:
        found += day
    return found


@dataclass(frozen=True)
class Cutoffs:
    """The constants of one day's retention run."""

    today: datetime.date
    born_19: datetime.date  # birth ≤ this: 19 years after birth have passed
    born_qualification: datetime.date  # birth ≤ this: 18th birthday + 2 years passed
    qualified_on: datetime.date  # startkwalificatie ≤ this: + 2 years passed
    official_report_on: datetime.date  # proces-verbaal ≤ this: 5 years passed
    referral_signal_on: datetime.date  # verwijsindex signal ≤ this: 2 years passed
    born_referral_age: datetime.date  # birth ≤ this: 23rd birthday passed

    @classmethod
    def on(cls, today: datetime.date) -> Cutoffs:
        terms = _terms()
        dossier_age = terms["DOSSIER_YEARS_AFTER_BIRTH"]
        after_qualification = 12 * terms["QUALIFICATION_YEARS_AFTER_END"]
        official_report = 12 * terms["OFFICIAL_REPORT_YEARS"]
        referral_signal = 12 * terms["REFERRAL_SIGNAL_YEARS"]
        referral_age = terms["REFERRAL_SIGNAL_AGE"]

        def ago(months: int) -> datetime.date:
            return dates.add_months(today, -months)

        return cls(
            today=today,
            born_19=last_date_passed(
                lambda birth: dates.birthday(birth, dossier_age), today, ago(12 * dossier_age)
            ),
            born_qualification=last_date_passed(
                lambda birth: dates.add_months(dates.birthday(birth, 18), after_qualification),
                today,
                ago(18 * 12 + after_qualification),
            ),
            qualified_on=last_date_passed(
                lambda day: dates.add_months(day, after_qualification),
                today,
                ago(after_qualification),
            ),
            official_report_on=last_date_passed(
                lambda day: dates.add_months(day, official_report), today, ago(official_report)
            ),
            referral_signal_on=last_date_passed(
                lambda day: dates.add_months(day, referral_signal), today, ago(referral_signal)
            ),
            born_referral_age=last_date_passed(
                lambda birth: dates.birthday(birth, referral_age), today, ago(12 * referral_age)
            ),
        )


def _school_year(field_name: str):
    """The year in which the school year of the date in ``field_name`` began."""
    return ExtractYear(field_name) - SqlCase(
        When(**{f"{field_name}__month__lt": dates.SCHOOL_YEAR_START_MONTH}, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )


def with_dossier_kind(cases):
    """Annotate ``is_leerplicht_dossier``: the case started on or before the end of
    leerplicht (31 July of the school year in which the young person turned 16). That
    school year begins in (school year of the birth date) + 16, so the test is one
    comparison of two school years."""
    return cases.annotate(
        _start_school_year=_school_year("start_date"),
        _birth_school_year=_school_year("young_person__birth_date"),
    ).annotate(
        is_leerplicht_dossier=SqlCase(
            When(_start_school_year__lte=F("_birth_school_year") + 16, then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def qualification_term_passed_q(cut: Cutoffs, prefix: str = "") -> Q:
    """Kwalificatieplicht ended (18th birthday, or earlier with a startkwalificatie) at
    least ``QUALIFICATION_YEARS_AFTER_END`` years ago. The end is the earlier of the two,
    so its term has passed when the term of either has."""
    return Q(**{f"{prefix}birth_date__lte": cut.born_qualification}) | Q(
        **{f"{prefix}start_qualification_on__lte": cut.qualified_on}
    )


def recent_official_report(cut: Cutoffs):
    return Exists(
        CaseEvent.objects.filter(
            case_id=OuterRef("pk"),
            kind=EventKind.OFFICIAL_REPORT,
            date__gt=cut.official_report_on,
        )
    )


def expired_leerplicht_dossiers(cut: Cutoffs):
    return (
        with_dossier_kind(Case.objects.filter(end_date__isnull=False))
        .filter(is_leerplicht_dossier=1, young_person__birth_date__lte=cut.born_19)
        .exclude(recent_official_report(cut))
    )


def expired_qualification_dossiers(cut: Cutoffs):
    return (
        with_dossier_kind(Case.objects.filter(end_date__isnull=False))
        .filter(is_leerplicht_dossier=0)
        .filter(qualification_term_passed_q(cut, "young_person__"))
        .exclude(recent_official_report(cut))
    )


def expired_official_reports(cut: Cutoffs):
    return CaseEvent.objects.filter(
        kind=EventKind.OFFICIAL_REPORT, date__lte=cut.official_report_on
    )


def expired_referral_signals(cut: Cutoffs):
    return CaseEvent.objects.filter(kind=EventKind.REFERRAL_INDEX).filter(
        Q(date__lte=cut.referral_signal_on)
        | Q(case__young_person__birth_date__lte=cut.born_referral_age)
    )


def expired_young_people(cut: Cutoffs, leaving_case_ids: set[int]):
    """Young people whose terms have both passed and of whom no case remains once
    ``leaving_case_ids`` have gone."""
    remaining = Case.objects.filter(young_person_id=OuterRef("pk")).exclude(pk__in=leaving_case_ids)
    return (
        YoungPerson.objects.filter(birth_date__lte=cut.born_19)
        .filter(qualification_term_passed_q(cut))
        .exclude(Exists(remaining))
    )


@dataclass
class RecordSet:
    record_type: str
    ids: list[int] = field(default_factory=list)
    # Dossier numbers of the cases (dossiers) or of the case an event belongs to.
    dossier_ids: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.ids)

    @property
    def label(self) -> str:
        return RECORD_LABELS[self.record_type]

    def audit_data(self) -> dict:
        data = {"record_type": self.record_type, "count": self.count, "ids": self.ids}
        if self.dossier_ids:
            data["dossier_ids"] = self.dossier_ids
        return data


@dataclass
class Plan:
    cutoffs: Cutoffs
    sets: dict[str, RecordSet]

    @property
    def total(self) -> int:
        return sum(record_set.count for record_set in self.sets.values())

    def __getitem__(self, record_type: str) -> RecordSet:
        return self.sets[record_type]


def plan(today: datetime.date | None = None) -> Plan:
    """What a retention run today would destroy. Changes nothing."""
    cut = Cutoffs.on(today or timezone.localdate())
    sets = {record_type: RecordSet(record_type) for record_type in RECORD_TYPES}
    for record_type, events in (
        (OFFICIAL_REPORT, expired_official_reports(cut)),
        (REFERRAL_SIGNAL, expired_referral_signals(cut)),
    ):
        for pk, dossier_id in events.order_by("pk").values_list("pk", "case__dossier_id"):
            sets[record_type].ids.append(pk)
            sets[record_type].dossier_ids.append(dossier_id)
    for record_type, cases in (
        (LEERPLICHT_DOSSIER, expired_leerplicht_dossiers(cut)),
        (QUALIFICATION_DOSSIER, expired_qualification_dossiers(cut)),
    ):
        for pk, dossier_id in cases.order_by("pk").values_list("pk", "dossier_id"):
            sets[record_type].ids.append(pk)
            sets[record_type].dossier_ids.append(dossier_id)
    leaving = set(sets[LEERPLICHT_DOSSIER].ids) | set(sets[QUALIFICATION_DOSSIER].ids)
    people = list(expired_young_people(cut, leaving).order_by("pk").values_list("pk", flat=True))
    sets[YOUNG_PERSON].ids = people
    for record_type, model in PERSON_RECORDS.items():
        sets[record_type].ids = list(
            model.objects.filter(young_person_id__in=people)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    return Plan(cutoffs=cut, sets=sets)


BATCH = 500


def _delete(model, ids: list[int]) -> None:
    # In batches: SQLite allows a limited number of parameters per statement.
    for start in range(0, len(ids), BATCH):
        model.objects.filter(pk__in=ids[start : start + BATCH]).delete()


def purge(*, actor, today: datetime.date | None = None) -> Plan:
    """Destroy what ``plan`` lists, in one transaction, with one audit record per record
    type that lost records (action ``cases.retention.purge``: the count and the ids and
    dossier numbers, never a name or number)."""
    with transaction.atomic():
        found = plan(today)
        # Events first (a proces-verbaal that goes may free its case), then the cases
        # with their remaining timeline and agreements, then the young people with
        # what is theirs.
        _delete(CaseEvent, found[OFFICIAL_REPORT].ids + found[REFERRAL_SIGNAL].ids)
        _delete(Case, found[LEERPLICHT_DOSSIER].ids + found[QUALIFICATION_DOSSIER].ids)
        for record_type, model in PERSON_RECORDS.items():
            _delete(model, found[record_type].ids)
        _delete(YoungPerson, found[YOUNG_PERSON].ids)
        for record_type in RECORD_TYPES:
            record_set = found[record_type]
            if record_set.count:
                audit.record(
                    "cases.retention.purge",
                    actor=actor,
                    after=record_set.audit_data(),
                    reason=f"bewaartermijn verstreken op {found.cutoffs.today.isoformat()}",
                )
    return found
