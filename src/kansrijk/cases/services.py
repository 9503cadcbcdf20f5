"""Every change in the register goes through these functions.

Each takes a keyword-only ``actor``, validates, runs in one transaction and writes its
audit record in that transaction. The audit trail of the register never holds a name,
birth date or number: records are named by their id and dossier number, changes to a
young person list the fields that changed, not their values, and ``audit.mask`` removes
any BSN that slips into a text.

Reading is audited too: ``record_reads`` writes one audit row per case a page, the API or
an export showed, with the route it was read by.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.audit import services as audit
from kansrijk.audit.masking import mask
from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Organisation, Region
from kansrijk.organisations.queries import successors_on
from kansrijk.organisations.validators import validate_bsn, validate_onderwijsnummer

from . import crypto, dates, queries
from .indicators import changed_cases
from .models import (
    REPORT_TRANSITIONS,
    AbsenceReport,
    Agreement,
    AgreementStatus,
    Case,
    CaseCategory,
    CaseEvent,
    Contact,
    DossierNumberSequence,
    Enrolment,
    EventKind,
    Exemption,
    ExemptionGround,
    IdentifierKind,
    ReportedCount,
    ReportStatus,
    Residence,
    YoungPerson,
)
from .queries import scope_of

# The fields of a case that the audit trail records before and after a change: the
# episode itself, never the person.
CASE_AUDIT_FIELDS = [
    "dossier_id",
    "category",
    "start_date",
    "end_date",
    "outcome",
    "school",
    "municipality",
    "sector",
    "case_manager",
    "offer_date",
]
HALT_MINIMUM_AGE = 12


class DuplicateYoungPerson(Exception):
    """A young person with this BSN or onderwijsnummer is already registered."""

    def __init__(self, existing: YoungPerson):
        self.existing = existing
        super().__init__(f"{existing} is already registered")


def _organisation_for(actor, case: Case | None):
    if case is None or actor is None or not getattr(actor, "is_authenticated", False):
        return None
    organisation_id = scope_of(actor).granting_organisation(case)
    return Organisation.objects.filter(pk=organisation_id).first() if organisation_id else None


def _record_case(action: str, case: Case, *, actor, before=None, after=None, reason=""):
    audit.record(
        action,
        actor=actor,
        target=case,
        organisation=_organisation_for(actor, case),
        before=before,
        after=after,
        reason=reason,
    )


def _case_snapshot(case: Case) -> dict:
    return audit.snapshot(case, CASE_AUDIT_FIELDS)


def _scope(case: Case) -> tuple[int | None, int | None]:
    """Where a case counts in the monitor's computed figures: its woongemeente and its
    school (the SWV). A change that can move a figure passes it to ``changed_cases``,
    before and after the change, so both gemeenten are refreshed after the commit."""
    return (case.municipality_id, case.school_id)


# ------------------------------------------------------------------ young people


def normalise_identifier(kind: str, number: str) -> str:
    """The number as stored: digits only. Raises ValidationError (the message never
    repeats the number)."""
    number = "".join((number or "").split())
    if kind == IdentifierKind.BSN:
        validate_bsn(number)
    elif kind == IdentifierKind.EDUCATION_NUMBER:
        validate_onderwijsnummer(number)
    else:
        raise ValidationError(_("Kies BSN of onderwijsnummer."))
    return number


def find_young_person(number: str) -> YoungPerson | None:
    """The young person with this number, whichever key it was hashed under."""
    return YoungPerson.objects.filter(identifier_hash__in=crypto.identifier_hashes(number)).first()


@transaction.atomic
def register_young_person(
    *,
    actor,
    identifier_kind: str,
    identifier: str,
    birth_date: datetime.date,
    municipality: Region,
    living_since: datetime.date | None = None,
    given_name: str = "",
    family_name: str = "",
    is_synthetic: bool = False,
) -> YoungPerson:
    number = normalise_identifier(identifier_kind, identifier)
    existing = find_young_person(number)
    if existing is not None:
        raise DuplicateYoungPerson(existing)
    if birth_date > timezone.localdate():
        raise ValidationError({"birth_date": _("De geboortedatum ligt in de toekomst.")})
    person = YoungPerson(
        birth_date=birth_date,
        given_name=given_name,
        family_name=family_name,
        is_synthetic=is_synthetic,
    )
    person.set_identifier(identifier_kind, number)
    person.full_clean()
    person.save()
    Residence.objects.create(
        young_person=person, municipality=municipality, valid_from=living_since or birth_date
    )
    audit.record(
        "cases.young_person.create",
        actor=actor,
        target=person,
        after={"identifier_kind": identifier_kind, "municipality": municipality.code},
    )
    return person


YOUNG_PERSON_FIELDS = ("given_name", "family_name", "birth_date", "start_qualification_on")


@transaction.atomic
def update_young_person(person: YoungPerson, *, actor, **changes) -> YoungPerson:
    unknown = set(changes) - set(YOUNG_PERSON_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)}")
    changed = sorted(name for name, value in changes.items() if getattr(person, name) != value)
    if not changed:
        return person
    for name, value in changes.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    # Which fields changed, not their values: a name is personal data and the audit
    # trail outlives the retention of the register.
    audit.record("cases.young_person.update", actor=actor, target=person, after={"fields": changed})
    return person


@transaction.atomic
def record_move(
    person: YoungPerson, *, actor, municipality: Region, valid_from: datetime.date
) -> Residence:
    """The young person lives in ``municipality`` from ``valid_from``: the current
    residence ends there, the history stays.

    Reports count a case in the woongemeente of each peildatum from this history. The
    case's own woongemeente (``Case.municipality``) says who works on the case now: the
    scoping and the work lists read it. So a move that has taken effect also moves the
    young person's open cases to the new gemeente (to its successor, when a move is
    recorded late into a gemeente that has merged since), each with its own audit record.
    A move recorded ahead of its date leaves the cases where they are; record it again
    (or change the case) when it takes effect."""
    if not municipality.exists_on(valid_from):
        raise ValidationError(
            {
                "municipality": _(
                    "Deze gemeente bestond op de verhuisdatum niet (herindeling). "
                    "Kies de gemeente zoals die op die datum heette."
                )
            }
        )
    current = person.residences.filter(valid_to__isnull=True).order_by("-valid_from").first()
    if current is not None:
        if valid_from <= current.valid_from:
            raise ValidationError(
                {
                    "valid_from": _(
                        "De verhuisdatum ligt voor het begin van de huidige woongemeente."
                    )
                }
            )
        if current.municipality_id == municipality.pk:
            return current
        current.valid_to = valid_from
        current.save(update_fields=["valid_to"])
    residence = Residence.objects.create(
        young_person=person, municipality=municipality, valid_from=valid_from
    )
    audit.record(
        "cases.young_person.move",
        actor=actor,
        target=person,
        after={"municipality": municipality.code, "valid_from": valid_from},
    )
    # The figures count a case where the young person lives on each day: a move changes
    # those of the gemeente left and the gemeente joined, whatever happens to the cases.
    if person.cases.exists():
        changed_cases(
            [(current.municipality_id if current else None, None), (municipality.pk, None)]
        )
    today = timezone.localdate()
    if valid_from <= today:
        now_in = successors_on(today).get(municipality.pk, municipality.pk)
        # The open cases of one young person: one or two rows.
        for case in person.cases.filter(end_date__isnull=True).exclude(municipality_id=now_in):
            before = _case_snapshot(case)
            case.municipality_id = now_in
            case.save(update_fields=["municipality", "updated_at"])
            _record_case(
                "cases.case.update",
                case,
                actor=actor,
                before=before,
                after=_case_snapshot(case),
                reason="verhuizing",
            )
    return residence


@transaction.atomic
def save_contact(contact: Contact, *, actor) -> Contact:
    creating = contact.pk is None
    contact.full_clean()
    contact.save()
    audit.record(
        "cases.contact.create" if creating else "cases.contact.update",
        actor=actor,
        target=contact,
        after={"young_person": contact.young_person_id, "relation": contact.relation},
    )
    return contact


@transaction.atomic
def remove_contact(contact: Contact, *, actor) -> None:
    audit.record(
        "cases.contact.remove",
        actor=actor,
        target=contact,
        before={"young_person": contact.young_person_id, "relation": contact.relation},
    )
    contact.delete()


@transaction.atomic
def enrol(
    person: YoungPerson, *, actor, school: Organisation, start_date: datetime.date, reason=""
) -> Enrolment:
    if not school.is_school:
        raise ValidationError({"school": _("Kies een schoolvestiging (BRIN6).")})
    enrolment = Enrolment(young_person=person, school=school, start_date=start_date, reason=reason)
    enrolment.full_clean()
    enrolment.save()
    audit.record(
        "cases.enrolment.create",
        actor=actor,
        target=enrolment,
        organisation=school,
        after={"young_person": person.pk, "school": school.code, "start_date": start_date},
    )
    return enrolment


@transaction.atomic
def end_enrolment(
    enrolment: Enrolment, *, actor, end_date: datetime.date, reason: str = ""
) -> Enrolment:
    if end_date < enrolment.start_date:
        raise ValidationError({"end_date": _("De uitschrijfdatum ligt voor de inschrijfdatum.")})
    enrolment.end_date = end_date
    enrolment.reason = reason or enrolment.reason
    enrolment.save(update_fields=["end_date", "reason"])
    audit.record(
        "cases.enrolment.end",
        actor=actor,
        target=enrolment,
        organisation=enrolment.school,
        after={"end_date": end_date, "reason": enrolment.reason},
    )
    return enrolment


# ------------------------------------------------------------------ verzuimmeldingen


@transaction.atomic
def report_absence(
    *,
    actor,
    young_person: YoungPerson,
    school: Organisation,
    kind: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    hours: int | None = None,
    reported_on: datetime.date | None = None,
) -> AbsenceReport:
    """A school reports verzuim (status Geregistreerd)."""
    reported_on = reported_on or timezone.localdate()
    report = AbsenceReport(
        young_person=young_person,
        school=school,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        hours=hours,
        reported_on=reported_on,
        status=ReportStatus.REGISTERED,
        status_changed_on=reported_on,
        reported_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if start_date > reported_on:
        raise ValidationError({"start_date": _("De eerste verzuimdag ligt na de meldingsdatum.")})
    report.full_clean()
    report.save()
    audit.record(
        "cases.absence_report.create",
        actor=actor,
        target=report,
        organisation=school,
        after={"kind": kind, "school": school.code, "start_date": start_date},
    )
    return report


@transaction.atomic
def change_report_status(
    report: AbsenceReport,
    *,
    actor,
    status: str,
    close_reason: str = "",
    on: datetime.date | None = None,
    case: Case | None = None,
) -> AbsenceReport:
    """Move a verzuimmelding along DUO's lifecycle (``REPORT_TRANSITIONS``)."""
    if status not in REPORT_TRANSITIONS[report.status]:
        raise ValidationError(
            {
                "status": _("Een melding met status '%(from)s' kan niet naar '%(to)s'.")
                % {
                    "from": ReportStatus(report.status).label,
                    "to": ReportStatus(status).label if status in ReportStatus.values else status,
                }
            }
        )
    if status == ReportStatus.CLOSED and not close_reason:
        raise ValidationError({"close_reason": _("Geef de reden van afsluiten.")})
    before = {"status": report.status}
    report.status = status
    report.close_reason = close_reason if status == ReportStatus.CLOSED else ""
    report.status_changed_on = on or timezone.localdate()
    if case is not None:
        report.case = case
    report.full_clean()
    report.save()
    audit.record(
        "cases.absence_report.status",
        actor=actor,
        target=report,
        organisation=report.school,
        before=before,
        after={"status": status, "close_reason": report.close_reason, "case": report.case_id},
    )
    return report


@transaction.atomic
def link_report_to_case(report: AbsenceReport, *, actor, case: Case) -> AbsenceReport:
    """Tie a verzuimmelding to the case opened for it, without changing its DUO status
    (a report already In behandeling has no transition to take)."""
    if case.young_person_id != report.young_person_id:
        raise ValidationError({"case": _("De casus hoort bij een andere jongere.")})
    before = {"case": report.case_id}
    report.case = case
    report.save(update_fields=["case"])
    audit.record(
        "cases.absence_report.link",
        actor=actor,
        target=report,
        organisation=report.school,
        before=before,
        after={"case": case.pk},
    )
    return report


# ------------------------------------------------------------------ vrijstellingen


@transaction.atomic
def grant_exemption(
    *,
    actor,
    young_person: YoungPerson,
    ground: str,
    requested_on: datetime.date,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    decided_on: datetime.date | None = None,
    statement_on: datetime.date | None = None,
    reason: str = "",
) -> Exemption:
    errors = {}
    if ground == ExemptionGround.ART_5_UNDER_A:
        if statement_on is None:
            errors["statement_on"] = _(
                "Een vrijstelling 5 onder a vraagt een verklaring van een arts, psycholoog "
                "of orthopedagoog: vul de datum in."
            )
        elif dates.add_months(statement_on, 3) < requested_on:
            errors["statement_on"] = _(
                "De verklaring is ouder dan 3 maanden op de datum van de aanvraag."
            )
    if errors:
        raise ValidationError(errors)
    exemption = Exemption(
        young_person=young_person,
        ground=ground,
        requested_on=requested_on,
        decided_on=decided_on,
        valid_from=valid_from,
        valid_to=valid_to,
        statement_on=statement_on,
        reason=reason,
    )
    exemption.full_clean()
    exemption.save()
    audit.record(
        "cases.exemption.create",
        actor=actor,
        target=exemption,
        after={"ground": ground, "valid_from": valid_from, "valid_to": valid_to},
    )
    return exemption


# ------------------------------------------------------------------ cases


def new_dossier_id(today: datetime.date | None = None) -> str:
    """The next dossier number of the year, ``TZ-2026-00123``: digits only, so it can be
    read out over the phone (decision 0032). Call it inside the transaction that saves the
    case: the counter's row stays locked until that commits (the UPDATE locks it on
    PostgreSQL; SQLite lets one writer at a time), so two intakes never draw the same
    number. A number already taken (an imported dossier of that shape) is skipped; older
    numbers (``TZ-2026-5E675977``) stay as they are."""
    today = today or timezone.localdate()
    DossierNumberSequence.objects.get_or_create(year=today.year)
    counter = DossierNumberSequence.objects.filter(year=today.year)
    while True:
        counter.update(last_number=F("last_number") + 1)
        number = counter.values_list("last_number", flat=True).get()
        dossier_id = f"TZ-{today:%Y}-{number:05d}"
        if not Case.objects.filter(dossier_id=dossier_id).exists():
            return dossier_id


def _moved(case: Case, *fields: str) -> None:
    """Save ``fields`` of the case and mark today as its latest movement: any recorded
    event, agreement or change counts (``signals.no_movement``)."""
    case.last_movement_on = timezone.localdate()
    case.save(update_fields=[*fields, "last_movement_on", "updated_at"])


@transaction.atomic
def intake_case(
    *,
    actor,
    young_person: YoungPerson | None,
    category: str,
    start_date: datetime.date,
    school_obj: Organisation | None = None,
    municipality: Region | None = None,
    case_manager=None,
    identifier_kind: str = "",
    identifier: str = "",
    birth_date: datetime.date | None = None,
    given_name: str = "",
    family_name: str = "",
    living_since: datetime.date | None = None,
    **_ignored,
) -> tuple[Case, bool]:
    """Open a case from the intake of ``NewCaseForm`` (the page and the API): register
    the young person when they are not in the register yet, then open the episode.
    Returns the case and whether the young person was registered now."""
    registered = young_person is None
    if registered:
        young_person = register_young_person(
            actor=actor,
            identifier_kind=identifier_kind,
            identifier=identifier,
            birth_date=birth_date,
            municipality=municipality,
            living_since=living_since,
            given_name=given_name or "",
            family_name=family_name or "",
        )
    case = open_case(
        actor=actor,
        young_person=young_person,
        category=category,
        start_date=start_date,
        school=school_obj,
        municipality=municipality,
        case_manager=case_manager,
    )
    return case, registered


@transaction.atomic
def open_case(
    *,
    actor,
    young_person: YoungPerson,
    category: str,
    start_date: datetime.date,
    school: Organisation | None = None,
    municipality: Region | None = None,
    sector: str = "",
    case_manager=None,
    dossier_id: str = "",
    participants: Iterable[Organisation] = (),
    is_synthetic: bool = False,
) -> Case:
    """Open a thuiszitter episode. The woongemeente defaults to where the young person
    lives on the start date, the sector to the school's. ``is_synthetic`` labels a demo
    case (``cases.demo``)."""
    municipality = municipality or young_person.municipality_on(start_date)
    errors = {}
    if municipality is None:
        errors["municipality"] = _("Vul de woongemeente in.")
    if school is not None and not school.is_school:
        errors["school"] = _("Kies een schoolvestiging (BRIN6).")
    if school is None and category != CaseCategory.ABSOLUTE:
        errors["school"] = _(
            "Bij relatief verzuim en een vrijstelling hoort een school; alleen absoluut "
            "verzuim kan zonder school."
        )
    if start_date > timezone.localdate():
        errors["start_date"] = _("De startdatum ligt in de toekomst.")
    if start_date < young_person.birth_date:
        errors["start_date"] = _("De startdatum ligt voor de geboortedatum.")
    if errors:
        raise ValidationError(errors)
    case = Case(
        dossier_id=dossier_id or new_dossier_id(),
        young_person=young_person,
        category=category,
        start_date=start_date,
        school=school,
        municipality=municipality,
        sector=sector or (school.sector if school is not None else ""),
        case_manager=case_manager,
        last_event_on=start_date,
        last_movement_on=timezone.localdate(),
        is_synthetic=is_synthetic,
    )
    case.full_clean()
    case.save()
    if participants:
        case.participants.set(participants)
    queries.forget_scope(case_manager)
    _record_case("cases.case.create", case, actor=actor, after=_case_snapshot(case))
    changed_cases([_scope(case)])
    return case


CASE_EDITABLE_FIELDS = ("category", "start_date", "school", "municipality", "sector")


@transaction.atomic
def update_case(case: Case, *, actor, participants=None, **changes) -> Case:
    unknown = set(changes) - set(CASE_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"cannot change {sorted(unknown)} with update_case")
    before = _case_snapshot(case)
    scope_before = _scope(case)
    for name, value in changes.items():
        setattr(case, name, value)
    if case.school_id is None and case.category != CaseCategory.ABSOLUTE:
        raise ValidationError({"school": _("Alleen absoluut verzuim kan zonder school.")})
    case.last_movement_on = timezone.localdate()
    case.full_clean()
    case.save()
    if participants is not None:
        case.participants.set(participants)
    after = _case_snapshot(case)
    if participants is not None:
        after["participants"] = sorted(p.pk for p in participants)
    _record_case("cases.case.update", case, actor=actor, before=before, after=after)
    changed_cases([scope_before, _scope(case)])
    return case


@transaction.atomic
def assign_case_manager(case: Case, *, actor, case_manager) -> Case:
    """One regievoerder per case (seed 001, Actietafel Roermond)."""
    before = {"case_manager": case.case_manager_id}
    case.case_manager = case_manager
    _moved(case, "case_manager")
    queries.forget_scope(case_manager)
    _record_case(
        "cases.case.assign",
        case,
        actor=actor,
        before=before,
        after={"case_manager": case_manager.pk if case_manager else None},
    )
    return case


def _check_event(case: Case, event: CaseEvent) -> None:
    errors = {}
    if event.date < case.start_date - datetime.timedelta(days=366):
        errors["date"] = _("De datum ligt ruim voor het begin van de casus.")
    if event.date > timezone.localdate():
        errors["date"] = _("De datum ligt in de toekomst.")
    if event.kind == EventKind.MAS_ROUTE and event.mas_route not in (1, 2, 3, 4):
        errors["mas_route"] = _("Kies MAS-route 1, 2, 3 of 4.")
    if event.kind == EventKind.HALT:
        age = case.young_person.age_on(event.date)
        if age < HALT_MINIMUM_AGE:
            errors["kind"] = _(
                "Een Halt-verwijzing kan vanaf 12 jaar; de jongere was toen %(age)s."
            ) % {"age": age}
    if event.kind == EventKind.OFFICIAL_REPORT:
        if not event.report_number:
            errors["report_number"] = _("Vul het nummer van het proces-verbaal in.")
        if not event.offence_article:
            errors["offence_article"] = _("Kies het overtreden artikel.")
        if event.offence_article == "art_4a" and case.young_person.age_on(event.date) < 12:
            errors["offence_article"] = _("Artikel 4a geldt voor jongeren vanaf 12 jaar.")
    if event.kind == EventKind.BREAKTHROUGH and not event.decision:
        errors["decision"] = _("Leg het besluit van het doorbraakberaad vast.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_event(case: Case, *, actor, kind: str, date: datetime.date, **fields) -> CaseEvent:
    """Add a moment to the timeline: verzuimgesprek, huisbezoek, MAS-route, Halt,
    proces-verbaal, verwijsindex, doorbraakberaad, …"""
    event = CaseEvent(
        case=case,
        kind=kind,
        date=date,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        **fields,
    )
    _check_event(case, event)
    event.full_clean()
    event.save()
    if case.last_event_on is None or date > case.last_event_on:
        case.last_event_on = date
    _moved(case, "last_event_on")
    after = {"kind": kind, "date": date}
    for name in ("mas_route", "offence_article", "mandated_organisation"):
        value = getattr(event, f"{name}_id" if name == "mandated_organisation" else name)
        if value:
            after[name] = value
    _record_case("cases.event.create", case, actor=actor, after=after)
    return event


@transaction.atomic
def record_offer(case: Case, *, actor, offer_date: datetime.date, description: str = "") -> Case:
    """A suitable offer (passend aanbod) started: the Thuiszitterspact's clock stops."""
    if offer_date < case.start_date:
        raise ValidationError({"offer_date": _("Het aanbod start voor het begin van de casus.")})
    before = {"offer_date": case.offer_date}
    case.offer_date = offer_date
    _moved(case, "offer_date")
    record_event(case, actor=actor, kind=EventKind.OFFER, date=offer_date, description=description)
    _record_case(
        "cases.case.offer", case, actor=actor, before=before, after={"offer_date": offer_date}
    )
    changed_cases([_scope(case)])
    return case


@transaction.atomic
def close_case(case: Case, *, actor, end_date: datetime.date, outcome: str) -> Case:
    errors = {}
    if end_date < case.start_date:
        errors["end_date"] = _("De einddatum ligt voor de startdatum.")
    if end_date > timezone.localdate():
        errors["end_date"] = _("De einddatum ligt in de toekomst.")
    if not outcome:
        errors["outcome"] = _("Kies de uitkomst.")
    if errors:
        raise ValidationError(errors)
    before = _case_snapshot(case)
    case.end_date = end_date
    case.outcome = outcome
    case.last_movement_on = timezone.localdate()
    case.full_clean()
    case.save()
    _record_case("cases.case.close", case, actor=actor, before=before, after=_case_snapshot(case))
    changed_cases([_scope(case)])
    return case


@transaction.atomic
def reopen_case(case: Case, *, actor) -> Case:
    before = _case_snapshot(case)
    case.end_date = None
    case.outcome = ""
    case.last_movement_on = timezone.localdate()
    case.save()
    _record_case("cases.case.reopen", case, actor=actor, before=before, after=_case_snapshot(case))
    changed_cases([_scope(case)])
    return case


def _refresh_next_deadline(case: Case) -> None:
    """After an agreement was made or resolved: the earliest open deadline, and the
    agreement counts as movement on the case."""
    case.next_deadline = case.agreements.filter(status=AgreementStatus.OPEN).aggregate(
        first=Min("deadline")
    )["first"]
    _moved(case, "next_deadline")


@transaction.atomic
def add_agreement(
    case: Case,
    *,
    actor,
    description: str,
    deadline: datetime.date,
    responsible_organisation: Organisation | None = None,
    responsible_person: str = "",
) -> Agreement:
    """ "Afspraak is afspraak": what, who (an organisation or a person) and before when."""
    if responsible_organisation is None and not responsible_person.strip():
        raise ValidationError(
            {"responsible_person": _("Vul in welke organisatie of persoon de afspraak nakomt.")}
        )
    agreement = Agreement(
        case=case,
        description=description,
        deadline=deadline,
        responsible_organisation=responsible_organisation,
        responsible_person=responsible_person.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    agreement.full_clean()
    agreement.save()
    _refresh_next_deadline(case)
    _record_case(
        "cases.agreement.create",
        case,
        actor=actor,
        after={
            "agreement": agreement.pk,
            "deadline": deadline,
            "responsible_organisation": responsible_organisation.pk
            if responsible_organisation
            else None,
        },
    )
    return agreement


@transaction.atomic
def resolve_agreement(
    agreement: Agreement, *, actor, kept: bool, on: datetime.date | None = None, note: str = ""
) -> Agreement:
    if agreement.status != AgreementStatus.OPEN:
        raise ValidationError({"status": _("Deze afspraak is al afgehandeld.")})
    agreement.status = AgreementStatus.KEPT if kept else AgreementStatus.NOT_KEPT
    agreement.resolved_on = on or timezone.localdate()
    agreement.resolution_note = note
    agreement.full_clean()
    agreement.save()
    _refresh_next_deadline(agreement.case)
    _record_case(
        "cases.agreement.resolve",
        agreement.case,
        actor=actor,
        before={"agreement": agreement.pk, "status": AgreementStatus.OPEN},
        after={"agreement": agreement.pk, "status": agreement.status},
    )
    return agreement


# ------------------------------------------------------------------ counts by schools


@transaction.atomic
def report_count(
    *,
    actor,
    reference_date: datetime.date,
    school: Organisation,
    count: int,
    municipality: Region | None = None,
    source: str = "formulier",
) -> tuple[ReportedCount, bool]:
    """Store the number of thuiszitters a school reports for a peildatum. Reporting the
    same number again changes nothing; a new number replaces the old one."""
    existing = ReportedCount.objects.filter(
        reference_date=reference_date, school=school, municipality=municipality
    ).first()
    if existing is not None and existing.count == count:
        return existing, False
    before = {"count": existing.count} if existing else None
    reported = existing or ReportedCount(
        reference_date=reference_date, school=school, municipality=municipality
    )
    reported.count = count
    reported.source = source
    reported.reported_by = actor if getattr(actor, "is_authenticated", False) else None
    reported.full_clean()
    reported.save()
    audit.record(
        "cases.reported_count.save",
        actor=actor,
        target=reported,
        organisation=school,
        before=before,
        after={
            "reference_date": reference_date,
            "school": school.code,
            "municipality": municipality.code if municipality else None,
            "count": count,
        },
    )
    return reported, True


@transaction.atomic
def withdraw_reported_count(reported: ReportedCount, *, actor) -> None:
    """Take back a reported number: an upload for a school and peildatum replaces the
    school's earlier report for that peildatum, and a part it no longer holds goes."""
    audit.record(
        "cases.reported_count.withdraw",
        actor=actor,
        target=reported,
        organisation=reported.school,
        before={
            "reference_date": reported.reference_date,
            "school": reported.school.code,
            "municipality": reported.municipality.code if reported.municipality else None,
            "count": reported.count,
        },
    )
    reported.delete()


# ------------------------------------------------------------------ reads


def record_reads(actor, cases: Iterable[Case], *, route: str) -> int:
    """One audit row per case read ("case.read"), with the route it was read by
    (a page, the API, an export). Written in one statement, in its own transaction
    when the caller has none."""
    rows = []
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    scope = scope_of(actor) if authenticated else None
    now = timezone.now()
    for case in cases:
        organisation_id = scope.granting_organisation(case) if scope else None
        rows.append(
            AuditEvent(
                created_at=now,
                actor=actor if authenticated else None,
                actor_display=str(actor) if authenticated else "systeem",
                organisation_id=organisation_id,
                action="cases.case.read",
                target_type=Case._meta.label_lower,
                target_id=str(case.pk),
                target_display=mask(str(case))[:255],
                reason=mask(route)[:255],
            )
        )
    if rows:
        with transaction.atomic():
            AuditEvent.objects.bulk_create(rows, batch_size=500)
    return len(rows)


def _granting_by_person(scope, person_ids: set[int]) -> dict[int, int | None]:
    """For each young person, the organisation through which the user reads them (for
    the audit trail): leerplicht of the woongemeente, else the organisation of one of
    their episodes, else the school or SWV of an enrolment or verzuimmelding. A fixed
    number of queries, whatever the number of people."""
    found: dict[int, int | None] = {}
    if scope.full_region_ids:
        current = Residence.objects.filter(
            young_person_id__in=person_ids,
            valid_to__isnull=True,
            municipality_id__in=scope.full_region_ids,
        ).values_list("young_person_id", "municipality_id")
        for person_id, municipality_id in current:
            found.setdefault(person_id, scope.granting.get(("region", municipality_id)))
    rest = person_ids - found.keys()
    if rest:
        for case in Case.objects.filter(young_person_id__in=rest).select_related("school"):
            organisation_id = scope.granting_organisation(case)
            if organisation_id is not None:
                found.setdefault(case.young_person_id, organisation_id)
    rest = person_ids - found.keys()
    if rest:
        pairs = set(
            Enrolment.objects.filter(young_person_id__in=rest).values_list(
                "young_person_id", "school_id"
            )
        ) | set(
            AbsenceReport.objects.filter(young_person_id__in=rest).values_list(
                "young_person_id", "school_id"
            )
        )
        partnership_of = dict(
            Organisation.objects.filter(pk__in={school for _p, school in pairs}).values_list(
                "pk", "partnership_id"
            )
        )
        for person_id, school_id in sorted(pairs):
            if school_id in scope.school_ids:
                found.setdefault(person_id, scope.granting.get(("school", school_id)))
            elif partnership_of.get(school_id) in scope.partnership_ids:
                key = ("partnership", partnership_of[school_id])
                found.setdefault(person_id, scope.granting.get(key))
    return found


def record_person_reads(actor, people: Iterable[YoungPerson], *, route: str) -> int:
    """One audit row per young person whose details (name, birth date, number, contacts)
    a page, the API or an export shows ("young_person.read"), also where no case of
    theirs is shown: a form about them, a verzuimmelding, a list of meldingen."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    people = {person.pk: person for person in people}
    granting = _granting_by_person(scope_of(actor), set(people)) if authenticated else {}
    rows = [
        AuditEvent(
            actor=actor if authenticated else None,
            actor_display=str(actor) if authenticated else "systeem",
            organisation_id=granting.get(person.pk),
            action="cases.young_person.read",
            target_type=YoungPerson._meta.label_lower,
            target_id=str(person.pk),
            target_display=mask(str(person))[:255],
            reason=mask(route)[:255],
        )
        for person in people.values()
    ]
    if rows:
        with transaction.atomic():
            AuditEvent.objects.bulk_create(rows, batch_size=500)
    return len(rows)


@transaction.atomic
def reveal_identifier(person: YoungPerson, *, actor, case: Case | None = None) -> str:
    """The decrypted number, for someone entitled to it; the reveal itself is audited."""
    audit.record(
        "cases.young_person.reveal_identifier",
        actor=actor,
        target=person,
        organisation=_organisation_for(actor, case),
        reason=f"casus {case.dossier_id}" if case else "",
    )
    return person.identifier()
