"""Signals: what needs attention today, as conditions the database evaluates.

On open cases (``CASE_SIGNALS``):

* ``thuiszitter`` — relatief verzuim open for more than 28 days without an offer: the pupil
  is now a thuiszitter (OCW);
* ``pact`` — absoluut or relatief verzuim open for more than 3 calendar months without a
  suitable offer: the Thuiszitterspact is broken;
* ``agreement`` — an agreement past its deadline;
* ``stagnant`` — no event on the timeline for ``STAGNATION_DAYS`` (30) days: propose the
  case for the doorbraakberaad.

On vrijstellingen 5 onder a (``EXEMPTION_SIGNALS``):

* ``renewal`` — the exemption ends with this school year and is not yet renewed: the
  renewal is due before 1 July (shown from ``EXEMPTION_RENEWAL_NOTICE_DAYS`` before);
* ``statement`` — the doctor's statement is older than 3 months while a renewal is due or
  the request is not yet decided.

The work list of a regievoerder, an SWV or a gemeente is the same conditions on a
narrower queryset. ``Case.last_event_on`` and ``Case.next_deadline`` are kept by the
services, so every condition is a comparison of a column with a constant.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from . import dates
from .models import (
    Agreement,
    AgreementStatus,
    CaseCategory,
    CaseEvent,
    EventKind,
    Exemption,
    ExemptionGround,
)


@dataclass(frozen=True)
class Signal:
    key: str
    label: str
    explanation: str


CASE_SIGNALS = {
    "thuiszitter": Signal(
        "thuiszitter",
        _("Thuiszitter: relatief verzuim langer dan 4 weken"),
        _("Open relatief verzuim van meer dan 28 dagen zonder passend aanbod."),
    ),
    "pact": Signal(
        "pact",
        _("Langer dan 3 maanden zonder passend aanbod"),
        _(
            "Het Thuiszitterspact: geen kind langer dan 3 maanden thuis zonder passend "
            "aanbod. Bespreek de casus in het doorbraakberaad."
        ),
    ),
    "agreement": Signal(
        "agreement",
        _("Afspraak over de deadline"),
        _("Een afspraak is niet op tijd nagekomen: afspraak is afspraak."),
    ),
    "stagnant": Signal(
        "stagnant",
        _("Geen beweging: voorstel voor het doorbraakberaad"),
        _("Er is al %(days)s dagen niets vastgelegd in de tijdlijn."),
    ),
}
EXEMPTION_SIGNALS = {
    "renewal": Signal(
        "renewal",
        _("Vrijstelling 5 onder a: verlengen vóór 1 juli"),
        _("De vrijstelling loopt af aan het eind van dit schooljaar en is nog niet verlengd."),
    ),
    "statement": Signal(
        "statement",
        _("Vrijstelling 5 onder a: verklaring ouder dan 3 maanden"),
        _("Voor de aanvraag of verlenging is een verklaring van hooguit 3 maanden oud nodig."),
    ),
}


def stagnation_days() -> int:
    return settings.KANSRIJK["STAGNATION_DAYS"]


def case_conditions(today: datetime.date) -> dict[str, Q]:
    """Each signal of an open case as a condition on the case row."""
    no_offer = Q(offer_date__isnull=True) | Q(offer_date__gt=today)
    quiet_since = today - datetime.timedelta(days=stagnation_days())
    return {
        "thuiszitter": Q(category=CaseCategory.RELATIVE, start_date__lt=today - dates.FOUR_WEEKS)
        & no_offer,
        "pact": Q(
            category__in=[CaseCategory.ABSOLUTE, CaseCategory.RELATIVE],
            start_date__lt=dates.earliest_start_reaching(today, 3),
        )
        & no_offer,
        "agreement": Q(next_deadline__lt=today),
        "stagnant": Q(last_event_on__lt=quiet_since)
        | Q(last_event_on__isnull=True, start_date__lt=quiet_since),
    }


def any_signal(conditions: dict[str, Q]) -> Q:
    combined = Q(pk__in=[])
    for condition in conditions.values():
        combined |= condition
    return combined


def cases_with_signals(cases, today: datetime.date, only: str | None = None):
    """The open cases with at least one signal (or with signal ``only``), each annotated
    with ``signal_<key>`` booleans."""
    conditions = case_conditions(today)
    filtered = cases.filter(end_date__isnull=True)
    filtered = filtered.filter(conditions[only] if only in conditions else any_signal(conditions))
    return filtered.annotate(
        **{
            f"signal_{key}": ExpressionWrapper(condition, output_field=BooleanField())
            for key, condition in conditions.items()
        }
    )


def signal_counts(cases, today: datetime.date) -> dict[str, int]:
    """How many open cases carry each signal, in one aggregate query."""
    conditions = case_conditions(today)
    return cases.filter(end_date__isnull=True).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in conditions.items()}
    )


def case_signals(case, today: datetime.date) -> list[Signal]:
    """The signals of one case, evaluated in Python on the loaded row (its page)."""
    if case.end_date is not None:
        return []
    found = []
    no_offer = case.offer_date is None or case.offer_date > today
    if (
        case.category == CaseCategory.RELATIVE
        and case.start_date < today - dates.FOUR_WEEKS
        and no_offer
    ):
        found.append(CASE_SIGNALS["thuiszitter"])
    if (
        case.category in (CaseCategory.ABSOLUTE, CaseCategory.RELATIVE)
        and dates.add_months(case.start_date, 3) < today
        and no_offer
    ):
        found.append(CASE_SIGNALS["pact"])
    if case.next_deadline is not None and case.next_deadline < today:
        found.append(CASE_SIGNALS["agreement"])
    quiet_since = today - datetime.timedelta(days=stagnation_days())
    if (case.last_event_on or case.start_date) < quiet_since:
        found.append(CASE_SIGNALS["stagnant"])
    return found


def renewal_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(show from, due on): 1 July of the current school year and the notice before it."""
    due = datetime.date(dates.school_year_end(today).year, 7, 1)
    notice = datetime.timedelta(days=settings.KANSRIJK["EXEMPTION_RENEWAL_NOTICE_DAYS"])
    return due - notice, due


def exemption_conditions(today: datetime.date) -> dict[str, Q]:
    show_from, _due = renewal_window(today)
    school_year_end = dates.school_year_end(today)
    renewed = Exists(
        Exemption.objects.filter(
            young_person=OuterRef("young_person"),
            ground=ExemptionGround.ART_5_UNDER_A,
            valid_from__gt=OuterRef("valid_from"),
        )
    )
    if today < show_from:
        renewal_due = Q(pk__in=[])  # too early in the school year to remind anyone
    else:
        renewal_due = Q(
            valid_to__isnull=False, valid_to__gte=today, valid_to__lte=school_year_end
        ) & ~Q(renewed)
    statement_old = Q(statement_on__lt=dates.add_months(today, -3))
    return {
        "renewal": renewal_due,
        "statement": statement_old & (renewal_due | Q(decided_on__isnull=True)),
    }


def exemptions_with_signals(exemptions, today: datetime.date):
    conditions = exemption_conditions(today)
    return (
        exemptions.filter(ground=ExemptionGround.ART_5_UNDER_A)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .filter(any_signal(conditions))
        .annotate(
            **{
                f"signal_{key}": ExpressionWrapper(condition, output_field=BooleanField())
                for key, condition in conditions.items()
            }
        )
    )


def escalation_candidates(cases, today: datetime.date):
    """The cases for the doorbraakberaad (actietafel): open, and stuck (pact broken, no
    movement, an agreement overdue) or with an agreement that was not kept; those already
    escalated are marked."""
    conditions = case_conditions(today)
    broken = Exists(Agreement.objects.filter(case=OuterRef("pk"), status=AgreementStatus.NOT_KEPT))
    escalated = Exists(CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.BREAKTHROUGH))
    stuck = conditions["pact"] | conditions["stagnant"] | conditions["agreement"] | Q(broken)
    return (
        cases.filter(end_date__isnull=True)
        .filter(stuck)
        .annotate(
            signal_pact=ExpressionWrapper(conditions["pact"], output_field=BooleanField()),
            signal_stagnant=ExpressionWrapper(conditions["stagnant"], output_field=BooleanField()),
            signal_agreement=ExpressionWrapper(
                conditions["agreement"], output_field=BooleanField()
            ),
            has_broken_agreement=broken,
            is_escalated=escalated,
        )
    )
