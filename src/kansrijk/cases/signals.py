"""The signals of the register: one function per rule, each saying where the rule comes from.

A rule is a condition (``Q``) on an open case row, so that the work list filters, counts
and orders in the database (``worklist``); the page of one case asks the same conditions
about its one row (``case_signals``). Rules belong to a category (domain.md, "Signals per
category"):

* **thuiszitter signals**, for absoluut and relatief verzuim only: 4 weeks, 3 months (the
  Thuiszitterspact), an agreement past its deadline, a thuiszitter without a regievoerder,
  no movement;
* **vrijstelling 5 onder a**: the renewal before 1 July and the age of the doctor's
  statement. A vrijstelling is an exemption, not an episode of absence: the
  Thuiszitterspact never applies to it.

The conditions read the case's own columns plus a few facts that ``with_signal_facts``
adds as annotations: the date of the latest movement and the young person's vrijstelling
5 onder a. ``URGENCY`` ranks the rules, most urgent first, and ``reason`` says in one Dutch
sentence why a case is on the list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as CaseWhen
from django.db.models.functions import Coalesce, Greatest
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import dates
from .models import Case, CaseCategory, Exemption, ExemptionGround

THUISZITTER_CATEGORIES = (CaseCategory.ABSOLUTE, CaseCategory.RELATIVE)


@dataclass(frozen=True)
class Signal:
    key: str
    label: str
    explanation: str


CASE_SIGNALS = {
    "pact": Signal(
        "pact",
        gettext_lazy("Langer dan 3 maanden zonder passend aanbod"),
        gettext_lazy(
            "Het Thuiszitterspact: geen kind langer dan 3 maanden thuis zonder passend "
            "aanbod. Bespreek de casus in het doorbraakberaad."
        ),
    ),
    "agreement": Signal(
        "agreement",
        gettext_lazy("Afspraak over de deadline"),
        gettext_lazy("Een afspraak is niet op tijd nagekomen: afspraak is afspraak."),
    ),
    "thuiszitter": Signal(
        "thuiszitter",
        gettext_lazy("Thuiszitter: relatief verzuim langer dan 4 weken"),
        gettext_lazy("Open relatief verzuim van meer dan 28 dagen zonder passend aanbod."),
    ),
    "renewal": Signal(
        "renewal",
        gettext_lazy("Vrijstelling 5 onder a: verlengen vóór 1 juli"),
        gettext_lazy(
            "De vrijstelling 5 onder a geldt per schooljaar: de verlenging voor het komende "
            "schooljaar moet vóór 1 juli rond zijn."
        ),
    ),
    "statement": Signal(
        "statement",
        gettext_lazy("Vrijstelling 5 onder a: verklaring ouder dan 3 maanden"),
        gettext_lazy(
            "Voor de aanvraag of verlenging is een verklaring van een arts, psycholoog of "
            "orthopedagoog van hooguit 3 maanden oud nodig."
        ),
    ),
    "stagnant": Signal(
        "stagnant",
        gettext_lazy("Geen beweging: voorstel voor het doorbraakberaad"),
        gettext_lazy(
            "Er is al %(days)s dagen niets vastgelegd: geen gebeurtenis, afspraak of wijziging."
        ),
    ),
    "case_manager": Signal(
        "case_manager",
        gettext_lazy("Thuiszitter zonder regievoerder"),
        gettext_lazy("Elke thuiszitter heeft één regievoerder die de casus leidt."),
    ),
}
# The order of the work list: the first rule a case meets decides its place and its
# sentence. A broken legal deadline first, then a broken agreement, then the deadlines
# still running, then what needs organising.
URGENCY = tuple(CASE_SIGNALS)
# The signals of a vrijstelling 5 onder a, also on a vrijstelling without an open case.
EXEMPTION_SIGNALS = {key: CASE_SIGNALS[key] for key in ("renewal", "statement")}


def stagnation_days() -> int:
    return settings.KANSRIJK["STAGNATION_DAYS"]


def renewal_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(show from, due on): 1 July of the current school year and the notice before it."""
    due = datetime.date(dates.school_year_end(today).year, 7, 1)
    notice = datetime.timedelta(days=settings.KANSRIJK["EXEMPTION_RENEWAL_NOTICE_DAYS"])
    return due - notice, due


# ------------------------------------------------------------------ the facts rules read


def _exemptions_of_case():
    return Exemption.objects.filter(
        young_person=OuterRef("young_person"), ground=ExemptionGround.ART_5_UNDER_A
    )


def with_signal_facts(cases):
    """The case rows with what the rules read besides their own columns:
    ``movement_on`` (the later of the latest timeline event and the latest change, the
    start for a case with neither), and of the young person's vrijstellingen 5 onder a:
    ``exemption_until`` (the last end date), ``exemption_open_ended`` (one without an
    end), and ``statement_on``/``exemption_decided_on`` of the latest request."""
    latest = _exemptions_of_case().order_by("-valid_from", "-pk")
    return cases.annotate(
        movement_on=Greatest(
            Coalesce("last_event_on", "start_date"), Coalesce("last_movement_on", "start_date")
        ),
        exemption_until=Subquery(
            _exemptions_of_case()
            .filter(valid_to__isnull=False)
            .order_by("-valid_to")
            .values("valid_to")[:1],
            output_field=DateField(),
        ),
        exemption_open_ended=Exists(_exemptions_of_case().filter(valid_to__isnull=True)),
        statement_on=Subquery(latest.values("statement_on")[:1], output_field=DateField()),
        exemption_decided_on=Subquery(latest.values("decided_on")[:1], output_field=DateField()),
    )


# ------------------------------------------------------------------ the rules


def _no_offer(today: datetime.date) -> Q:
    return Q(offer_date__isnull=True) | Q(offer_date__gt=today)


def _thuiszitter_case() -> Q:
    return Q(category__in=THUISZITTER_CATEGORIES)


def pact_deadline_passed(today: datetime.date) -> Q:
    """Thuiszitterspact (2016): no child more than 3 months at home without a suitable
    offer. Absoluut or relatief verzuim whose ``pact_deadline`` (start + 3 calendar
    months) has passed without an offer."""
    return _thuiszitter_case() & Q(pact_deadline__lt=today) & _no_offer(today)


def agreement_overdue(today: datetime.date) -> Q:
    """ "Afspraak is afspraak" (seed 001, Actietafel): an open agreement past its
    deadline. ``next_deadline`` is the earliest deadline of the open agreements."""
    return _thuiszitter_case() & Q(next_deadline__lt=today)


def four_weeks_relative(today: datetime.date) -> Q:
    """OCW (2016): relatief verzuim longer than 4 weeks (28 days) makes a thuiszitter;
    the system flags it at 4 weeks until there is an offer."""
    return Q(category=CaseCategory.RELATIVE, start_date__lt=today - dates.FOUR_WEEKS) & _no_offer(
        today
    )


def renewal_due(today: datetime.date) -> Q:
    """Leerplichtwet art. 5 onder a with art. 7: the vrijstelling holds for one school
    year; the renewal for the next must be in before 1 July. Flagged from
    ``EXEMPTION_RENEWAL_NOTICE_DAYS`` before 1 July while no vrijstelling covers the first
    day of the coming school year, and at any time once none covers today (or none is on
    record at all)."""
    show_from, _due = renewal_window(today)
    next_school_year = dates.school_year_end(today) + datetime.timedelta(days=1)
    not_covered_next_year = Q(exemption_until__isnull=True) | Q(
        exemption_until__lt=next_school_year
    )
    lapsed = Q(exemption_until__isnull=True) | Q(exemption_until__lt=today)
    in_season = Q(pk__isnull=False) if today >= show_from else Q(pk__in=[])
    return (
        Q(category=CaseCategory.EXEMPTION_5_UNDER_A, exemption_open_ended=False)
        & not_covered_next_year
        & (in_season | lapsed)
    )


def statement_too_old(today: datetime.date) -> Q:
    """Leerplichtwet art. 7: a request for vrijstelling 5 onder a comes with a statement
    of a doctor, psychologist or orthopedagoog; the register asks for one of at most
    3 months old. Flagged while the latest statement is older and a renewal is due or
    the request is still undecided."""
    return (
        Q(category=CaseCategory.EXEMPTION_5_UNDER_A)
        & Q(statement_on__lt=dates.add_months(today, -3))
        & (renewal_due(today) | Q(exemption_decided_on__isnull=True))
    )


def no_movement(today: datetime.date) -> Q:
    """Thuiszitterspact and seed 002 (doorbraakberaad): a case with no progress goes to
    the escalation table. Any recorded event, agreement or change is movement
    (domain.md); none for ``STAGNATION_DAYS`` days is a proposal for the
    doorbraakberaad."""
    quiet_since = today - datetime.timedelta(days=stagnation_days())
    return _thuiszitter_case() & Q(movement_on__lt=quiet_since)


def thuiszitter_without_case_manager(today: datetime.date) -> Q:
    """Seed 001 (Actietafel Thuiszitters, Roermond): one regievoerder per case. Flagged
    for absoluut verzuim and for relatief verzuim past 4 weeks: a short absence is not
    yet a thuiszitter case."""
    thuiszitter = Q(category=CaseCategory.ABSOLUTE) | Q(
        category=CaseCategory.RELATIVE, start_date__lt=today - dates.FOUR_WEEKS
    )
    return thuiszitter & Q(case_manager__isnull=True)


RULES = {
    "pact": pact_deadline_passed,
    "agreement": agreement_overdue,
    "thuiszitter": four_weeks_relative,
    "renewal": renewal_due,
    "statement": statement_too_old,
    "stagnant": no_movement,
    "case_manager": thuiszitter_without_case_manager,
}


def case_conditions(today: datetime.date, keys=URGENCY) -> dict[str, Q]:
    """Each signal of an open case as a condition on a row of ``with_signal_facts``."""
    return {key: RULES[key](today) for key in keys}


def any_signal(conditions: dict[str, Q]) -> Q:
    combined = Q(pk__in=[])
    for condition in conditions.values():
        combined |= condition
    return combined


def _since(key: str):
    """The date that orders the cases of one signal: the earliest is the most overdue."""
    return {
        "pact": F("pact_deadline"),
        "agreement": F("next_deadline"),
        "thuiszitter": F("pact_deadline"),
        "renewal": Coalesce("exemption_until", "start_date"),
        "statement": F("statement_on"),
        "stagnant": F("movement_on"),
        "case_manager": F("start_date"),
    }[key]


def annotate_signals(cases, today: datetime.date, keys=URGENCY):
    """The rows with ``signal_<key>`` booleans, ``urgency`` (the rank of the first signal
    met, by ``URGENCY``) and ``urgent_since`` (that signal's date): order by both to put
    the most urgent first."""
    conditions = case_conditions(today, keys)
    ranked = [key for key in URGENCY if key in conditions]
    return with_signal_facts(cases).annotate(
        **{
            f"signal_{key}": ExpressionWrapper(condition, output_field=BooleanField())
            for key, condition in conditions.items()
        },
        urgency=CaseWhen(
            *[When(conditions[key], then=Value(rank)) for rank, key in enumerate(ranked)],
            default=Value(len(URGENCY)),
        ),
        urgent_since=CaseWhen(
            *[When(conditions[key], then=_since(key)) for key in ranked],
            default=F("start_date"),
            output_field=DateField(),
        ),
    )


def _annotated(case: Case, today: datetime.date, keys) -> Case:
    """The case with its signal annotations: as it is when it was read with
    ``annotate_signals``, otherwise read again with them (one query)."""
    if hasattr(case, "urgency"):
        return case
    return annotate_signals(Case.objects.filter(pk=case.pk), today, keys).get()


def case_signals(case: Case, today: datetime.date, keys=URGENCY) -> list[Signal]:
    """The signals of one case, most urgent first."""
    if case.end_date is not None:
        return []
    case = _annotated(case, today, keys)
    return [
        CASE_SIGNALS[key]
        for key in URGENCY
        if key in keys and getattr(case, f"signal_{key}", False)
    ]


def explained_signals(case: Case, today: datetime.date, keys=URGENCY) -> list[tuple]:
    """(signal, the sentence that explains it) for each signal of one case."""
    if case.end_date is not None:
        return []
    case = _annotated(case, today, keys)
    return [(signal, reason(case, signal.key, today)) for signal in case_signals(case, today, keys)]


# ------------------------------------------------------------------ the sentence


def _day(day: datetime.date, today: datetime.date) -> str:
    return formats.date_format(day, "j F" if day.year == today.year else "j F Y")


def _late(days: int) -> str:
    return ngettext("%(days)s dag te laat", "%(days)s dagen te laat", days) % {"days": days}


def _left(days: int) -> str:
    return ngettext("nog %(days)s dag", "nog %(days)s dagen", days) % {"days": days}


def renewal_due_on(exemption_until: datetime.date | None, today: datetime.date) -> datetime.date:
    """When the renewal had to be in: 1 July before the vrijstelling ends (or the day
    after it ends, for one that ends earlier in the school year); without one on record,
    1 July of this school year."""
    if exemption_until is None:
        return renewal_window(today)[1]
    july = datetime.date(dates.school_year_end(exemption_until).year, 7, 1)
    return min(july, exemption_until + datetime.timedelta(days=1))


def reason(case: Case, key: str, today: datetime.date) -> str:
    """Why ``case`` is on the list because of signal ``key``, in one Dutch sentence."""
    if key == "pact":
        return _("Aanbod binnen 3 maanden verstreken op %(date)s: %(late)s") % {
            "date": _day(case.pact_deadline, today),
            "late": _late((today - case.pact_deadline).days),
        }
    if key == "agreement":
        return _("Afspraak verlopen op %(date)s: %(late)s") % {
            "date": _day(case.next_deadline, today),
            "late": _late((today - case.next_deadline).days),
        }
    if key == "thuiszitter":
        return _("Thuiszitter sinds %(date)s: %(left)s tot de termijn van 3 maanden") % {
            "date": _day(case.start_date + dates.FOUR_WEEKS, today),
            "left": _left(max((case.pact_deadline - today).days, 0)),
        }
    if key == "renewal":
        return _renewal_reason(case, today)
    if key == "statement":
        return _("Verklaring van %(date)s is ouder dan 3 maanden: vraag een nieuwe") % {
            "date": _day(case.statement_on, today)
        }
    if key == "stagnant":
        return _("Geen beweging sinds %(date)s: %(days)s dagen niets vastgelegd") % {
            "date": _day(case.movement_on, today),
            "days": (today - case.movement_on).days,
        }
    return _("Thuiszitter zonder regievoerder, open sinds %(date)s") % {
        "date": _day(case.start_date, today)
    }


def _renewal_reason(case: Case, today: datetime.date) -> str:
    if case.exemption_until is None:
        return _("Geen vrijstelling 5 onder a vastgelegd: leg de vrijstelling of de aanvraag vast")
    due = renewal_due_on(case.exemption_until, today)
    if due >= today:
        return _("Vrijstelling 5 onder a verlengen vóór %(date)s: %(left)s") % {
            "date": _day(due, today),
            "left": _left((due - today).days),
        }
    return _("Verlenging van de vrijstelling 5 onder a moest rond zijn op %(date)s: %(late)s") % {
        "date": _day(due, today),
        "late": _late((today - due).days),
    }


# ------------------------------------------------------------------ vrijstellingen without a case


def exemption_conditions(today: datetime.date) -> dict[str, Q]:
    """The two rules of a vrijstelling 5 onder a on an ``Exemption`` row, for young people
    whose vrijstelling is registered without an open case: ``renewal`` (it ends with this
    school year, is not renewed, and 1 July is near or past: ``renewal_due``) and
    ``statement`` (the statement is older than 3 months while a renewal is due or the
    request is undecided: ``statement_too_old``)."""
    show_from, _due = renewal_window(today)
    renewed = Exists(
        Exemption.objects.filter(
            young_person=OuterRef("young_person"),
            ground=ExemptionGround.ART_5_UNDER_A,
            valid_from__gt=OuterRef("valid_from"),
        )
    )
    if today < show_from:
        due = Q(pk__in=[])  # too early in the school year to remind anyone
    else:
        due = Q(
            valid_to__isnull=False,
            valid_to__gte=today,
            valid_to__lte=dates.school_year_end(today),
        ) & ~Q(renewed)
    statement_old = Q(statement_on__lt=dates.add_months(today, -3))
    return {"renewal": due, "statement": statement_old & (due | Q(decided_on__isnull=True))}
