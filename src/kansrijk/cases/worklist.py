"""The work list: the open cases with a signal (``signals``), most urgent first.

The list of a regievoerder, an SWV or a gemeente is the same query on a narrower
queryset: the rules, the rank and the date that orders them are annotations, so a page
costs the same few queries whether the user has 40 open cases or 4,000. Vrijstellingen 5
onder a registered without an open case have a section of their own.
"""

from __future__ import annotations

import datetime

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q

from .models import (
    Agreement,
    AgreementStatus,
    Case,
    CaseCategory,
    CaseEvent,
    EventKind,
    ExemptionGround,
)
from .signals import (
    URGENCY,
    annotate_signals,
    any_signal,
    case_conditions,
    exemption_conditions,
    with_signal_facts,
)


def cases_with_signals(cases, today: datetime.date, only: str | None = None, keys=URGENCY):
    """The open cases with at least one of the signals ``keys`` (or with signal
    ``only``), annotated by ``signals.annotate_signals`` and ordered by urgency: the rank
    of their most urgent signal, then how long it has been due."""
    conditions = case_conditions(today, keys)
    wanted = conditions[only] if only in conditions else any_signal(conditions)
    return (
        annotate_signals(cases.filter(end_date__isnull=True), today, keys)
        .filter(wanted)
        .order_by("urgency", "urgent_since", "pk")
    )


def signal_counts(cases, today: datetime.date, keys=URGENCY) -> dict[str, int]:
    """How many open cases carry each signal, in one aggregate query."""
    conditions = case_conditions(today, keys)
    return with_signal_facts(cases.filter(end_date__isnull=True)).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in conditions.items()}
    )


def exemptions_with_signals(exemptions, today: datetime.date):
    """Current vrijstellingen 5 onder a with a signal, of young people without an open
    case of that category (those are on the list of cases)."""
    conditions = exemption_conditions(today)
    with_case = Case.objects.filter(
        young_person=OuterRef("young_person"),
        category=CaseCategory.EXEMPTION_5_UNDER_A,
        end_date__isnull=True,
    )
    return (
        exemptions.filter(ground=ExemptionGround.ART_5_UNDER_A)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .exclude(Exists(with_case))
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
    escalated are marked. Only thuiszitter cases: a vrijstelling is not escalated."""
    conditions = case_conditions(today, ("pact", "stagnant", "agreement"))
    broken = Exists(Agreement.objects.filter(case=OuterRef("pk"), status=AgreementStatus.NOT_KEPT))
    escalated = Exists(CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.BREAKTHROUGH))
    stuck = any_signal(conditions) | (
        Q(broken) & Q(category__in=[CaseCategory.ABSOLUTE, CaseCategory.RELATIVE])
    )
    return (
        with_signal_facts(cases.filter(end_date__isnull=True))
        .filter(stuck)
        .annotate(
            **{
                f"signal_{key}": ExpressionWrapper(condition, output_field=BooleanField())
                for key, condition in conditions.items()
            },
            has_broken_agreement=broken,
            is_escalated=escalated,
        )
    )
