"""The register in the demo (``kansrijk load_demo``): synthetic, labelled cases for the
three seed regions, so that the work list, the quarterly count, the reconciliation and
the monitor have something to show.

* **Synthetic cases** for Midden-Kennemerland, Maassluis and Vijfheerenlanden:
  ``synthetic.generate(scale="region")`` with a fixed seed over the five years up to
  today, so the signals are current on the day the demo is loaded.
* **Example cases** (dossiers ``SYN-DEMO-…``), made through the services like real ones,
  each showing one signal of the work list: a thuiszitter past 28 days, a pact breach
  (3 months without an offer), an agreement past its deadline, no movement for 30 days, a
  broken agreement for the doorbraakberaad, a doorbraakberaad decision with the party
  with doorzettingsmacht, a vrijstelling 5 onder a due for renewal and one whose doctor's
  statement is more than 3 months old, and absoluut verzuim without a regievoerder yet.
  They are in Beverwijk, at the school of the demo
  school contact, with the demo users ``leerplicht`` and ``swv`` as regievoerder.
* **Regievoerders**: some open synthetic cases get the demo users ``leerplicht``,
  ``leerrecht`` and ``swv`` as regievoerder (only in the run that generates them).
* **Reported counts** for the last peildatum by the schools of PO2711 (Passend Onderwijs
  IJmond): the register's own numbers with a few deliberate differences (one more, one
  less, a school that did not report, a split by woongemeente that is off by one), so
  the reconciliation lists differences. Source "demo (illustratief)".
* **Computed indicators** of the monitor (``cases.indicators``) for the last eight
  peildata and quarters, stored as approved measurements marked as generated (they are
  computed from synthetic cases), only where they differ from what is stored.

Everything is labelled: ``is_synthetic`` on young people and cases, dossiers ``SYN-``,
reported counts with source "demo (illustratief)", measurements ``is_generated``. A second
run on the same day changes nothing and writes no audit row. Only with DEBUG on.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from kansrijk.organisations.models import Organisation, Region, User

from . import dates, reporting, services, synthetic
from .indicators import DURATION_KEY, OFFER_KEY, STOCK_KEY
from .models import (
    Case,
    CaseCategory,
    CountDefinition,
    EventKind,
    ExemptionGround,
    IdentifierKind,
    MasRoute,
    YoungPerson,
)
from .queries import scope_of

DEMO_SEED = 2022  # the first year of the Midden-Kennemerland agenda (seed 002)
EXAMPLE_PREFIX = "SYN-DEMO-"
# 8-digit prefixes of the example young people's BSNs: a block the generator never uses.
EXAMPLE_BSN_PREFIX = 90_000_000
COUNT_SOURCE = "demo (illustratief)"
PARTNERSHIP = "PO2711"


class CasesDemoRefused(Exception):
    pass


@dataclass
class CasesDemoReport:
    generated: synthetic.GenerationReport | None = None
    synthetic_cases: int = 0
    examples_created: int = 0
    examples: int = 0
    case_managers_assigned: int = 0
    peildatum: datetime.date | None = None
    counts_saved: int = 0
    measurements_saved: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(
            self.generated
            or self.examples_created
            or self.case_managers_assigned
            or self.counts_saved
            or self.measurements_saved
        )


def _user(username: str):
    return User.objects.filter(username=username).first()


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


# ------------------------------------------------------------------ example cases


@dataclass
class _Place:
    school: Organisation
    municipality: Region
    partnership: Organisation
    leerplicht: object
    swv: object


def _place() -> _Place | None:
    """The demo school contact's school: the first school location (by BRIN6) of
    Beverwijk with SWV PO2711 (``demo_data/organisations.toml``)."""
    school = (
        Organisation.objects.schools()
        .filter(municipality__code="GM0375", partnership__code=PARTNERSHIP)
        .select_related("municipality", "partnership")
        .order_by("code")
        .first()
    )
    if school is None:
        return None
    return _Place(
        school=school,
        municipality=school.municipality,
        partnership=school.partnership,
        leerplicht=_user("leerplicht"),
        swv=_user("swv"),
    )


def _young_person(number: int, birth_date, place: _Place, given_name: str) -> YoungPerson:
    prefix = EXAMPLE_BSN_PREFIX + number
    while (bsn := synthetic.bsn_with_prefix(prefix)) is None:
        prefix += 100
    existing = services.find_young_person(bsn)
    if existing is not None:
        return existing
    return services.register_young_person(
        actor=None,
        identifier_kind=IdentifierKind.BSN,
        identifier=bsn,
        birth_date=birth_date,
        municipality=place.municipality,
        given_name=given_name,
        family_name="Voorbeeld (synthetisch)",
        is_synthetic=True,
    )


def _open(place: _Place, number: int, category: str, start, *, case_manager, age=10):
    birth = dates.birthday(start - _days(120), -age)
    person = _young_person(number, birth, place, EXAMPLE_NAMES[number])
    return services.open_case(
        actor=None,
        young_person=person,
        category=category,
        start_date=start,
        school=place.school,
        municipality=place.municipality,
        case_manager=case_manager,
        dossier_id=f"{EXAMPLE_PREFIX}{number:02d}",
        participants=[place.partnership],
        is_synthetic=True,
    )


EXAMPLE_NAMES = {
    1: "Anouk",
    2: "Bram",
    3: "Chaima",
    4: "Daan",
    5: "Esra",
    6: "Finn",
    7: "Gijs",
    8: "Hiba",
    9: "Ilias",
}


def _thuiszitter(place, today):
    """Relatief verzuim for 40 days, still no offer: a thuiszitter (signal after 28)."""
    case = _open(place, 1, CaseCategory.RELATIVE, today - _days(40), case_manager=place.leerplicht)
    services.record_event(case, actor=None, kind=EventKind.ABSENCE_MEETING, date=today - _days(36))
    services.record_event(case, actor=None, kind=EventKind.HOME_VISIT, date=today - _days(12))


def _pact_breach(place, today):
    """Absoluut verzuim for more than 3 calendar months without a suitable offer."""
    start = dates.add_months(today, -3) - _days(12)
    case = _open(place, 2, CaseCategory.ABSOLUTE, start, case_manager=place.leerplicht, age=13)
    services.record_event(case, actor=None, kind=EventKind.ABSENCE_MEETING, date=start + _days(5))
    services.record_event(
        case, actor=None, kind=EventKind.MAS_ROUTE, date=start + _days(20), mas_route=MasRoute.CARE
    )
    services.record_event(case, actor=None, kind=EventKind.HOME_VISIT, date=today - _days(6))
    services.add_agreement(
        case,
        actor=None,
        description="Het samenwerkingsverband zoekt een passende plek.",
        deadline=today + _days(10),
        responsible_organisation=place.partnership,
    )


def _overdue_agreement(place, today):
    """An offer started, but the school's agreement is past its deadline."""
    case = _open(place, 3, CaseCategory.RELATIVE, today - _days(75), case_manager=place.swv)
    services.record_offer(
        case, actor=None, offer_date=today - _days(30), description="Aangepast lesprogramma."
    )
    services.add_agreement(
        case,
        actor=None,
        description="School stelt een aangepast rooster op.",
        deadline=today - _days(6),
        responsible_organisation=place.school,
    )
    services.record_event(
        case,
        actor=None,
        kind=EventKind.NOTE,
        date=today - _days(4),
        description="Rooster nagevraagd.",
    )


def _stagnant(place, today):
    """Nothing on the timeline for 55 days: propose it for the doorbraakberaad."""
    case = _open(place, 4, CaseCategory.RELATIVE, today - _days(80), case_manager=place.swv)
    services.record_offer(
        case, actor=None, offer_date=today - _days(55), description="Start op een andere school."
    )


def _broken_agreement(place, today):
    """An agreement that was not kept: the doorbraakberaad sees it."""
    start = dates.add_months(today, -4)
    case = _open(place, 5, CaseCategory.RELATIVE, start, case_manager=place.leerplicht, age=11)
    services.record_event(case, actor=None, kind=EventKind.ABSENCE_MEETING, date=start + _days(4))
    agreement = services.add_agreement(
        case,
        actor=None,
        description="Ouders melden zich bij het jeugdteam.",
        deadline=today - _days(30),
        responsible_person="ouders",
    )
    services.resolve_agreement(
        agreement, actor=None, kept=False, on=today - _days(28), note="Niet gebeurd."
    )
    services.record_event(case, actor=None, kind=EventKind.HOME_VISIT, date=today - _days(8))


def _breakthrough(place, today):
    """A doorbraakberaad took a decision and named the party with doorzettingsmacht."""
    start = dates.add_months(today, -5)
    case = _open(place, 6, CaseCategory.ABSOLUTE, start, case_manager=place.leerplicht, age=12)
    services.record_event(case, actor=None, kind=EventKind.ABSENCE_MEETING, date=start + _days(3))
    agreement = services.add_agreement(
        case,
        actor=None,
        description="School en zorgaanbieder maken een plan voor gedeeltelijke terugkeer.",
        deadline=today - _days(45),
        responsible_organisation=place.school,
    )
    services.resolve_agreement(agreement, actor=None, kept=False, on=today - _days(44))
    services.record_event(
        case,
        actor=None,
        kind=EventKind.BREAKTHROUGH,
        date=today - _days(14),
        decision=(
            "Illustratief besluit: het samenwerkingsverband regelt binnen vier weken een plek "
            "met onderwijszorgarrangement; de gemeente financiert de zorg."
        ),
        mandated_organisation=place.partnership,
    )
    services.add_agreement(
        case,
        actor=None,
        description="Plek met onderwijszorgarrangement geregeld (besluit doorbraakberaad).",
        deadline=today + _days(14),
        responsible_organisation=place.partnership,
    )


def _renewal_due(place, today):
    """A vrijstelling 5 onder a for this school year, not yet renewed: the renewal is due
    before 1 July (the work list shows it from EXEMPTION_RENEWAL_NOTICE_DAYS before)."""
    start = dates.school_year_start(today)
    case = _open(place, 7, CaseCategory.EXEMPTION_5_UNDER_A, start, case_manager=None, age=9)
    services.grant_exemption(
        actor=None,
        young_person=case.young_person,
        ground=ExemptionGround.ART_5_UNDER_A,
        requested_on=start - _days(30),
        decided_on=start - _days(20),
        statement_on=start - _days(40),
        valid_from=start,
        valid_to=dates.school_year_end(today),
        reason="Illustratief: psychische gronden.",
    )


def _old_statement(place, today):
    """A request for vrijstelling 5 onder a not yet decided, with a doctor's statement that
    is now more than 3 months old."""
    start = today - _days(80)
    case = _open(place, 8, CaseCategory.EXEMPTION_5_UNDER_A, start, case_manager=None, age=8)
    services.grant_exemption(
        actor=None,
        young_person=case.young_person,
        ground=ExemptionGround.ART_5_UNDER_A,
        requested_on=start,
        statement_on=today - _days(100),
        valid_from=start,
        valid_to=dates.school_year_end(today),
        reason="Illustratief: lichamelijke gronden; besluit volgt.",
    )


def _no_case_manager(place, today):
    """Absoluut verzuim reported ten days ago, a home visit last week, no regievoerder
    yet: a thuiszitter from the first day, and new, so no question of "no movement"."""
    case = _open(place, 9, CaseCategory.ABSOLUTE, today - _days(10), case_manager=None, age=14)
    services.record_event(case, actor=None, kind=EventKind.HOME_VISIT, date=today - _days(6))


EXAMPLES = {
    1: _thuiszitter,
    2: _pact_breach,
    3: _overdue_agreement,
    4: _stagnant,
    5: _broken_agreement,
    6: _breakthrough,
    7: _renewal_due,
    8: _old_statement,
    9: _no_case_manager,
}


def _recorded_as_it_happened(dossier_id: str) -> None:
    """The services stamp today as a case's latest movement; an example tells a history of
    weeks, so its latest movement is its latest event, as if each step had been recorded
    on the day it happened (``signals.no_movement``)."""
    Case.objects.filter(dossier_id=dossier_id).update(last_movement_on=F("last_event_on"))


def _examples(today, report: CasesDemoReport) -> None:
    place = _place()
    if place is None:
        report.notes.append(
            f"Geen voorbeeldcasussen: geen school van {PARTNERSHIP} in Beverwijk in de "
            "referentiegegevens."
        )
        return
    existing = set(
        Case.objects.filter(dossier_id__startswith=EXAMPLE_PREFIX).values_list(
            "dossier_id", flat=True
        )
    )
    for number, make in EXAMPLES.items():
        if f"{EXAMPLE_PREFIX}{number:02d}" not in existing:
            make(place, today)
            _recorded_as_it_happened(f"{EXAMPLE_PREFIX}{number:02d}")
            report.examples_created += 1
    report.examples = len(EXAMPLES)


# ------------------------------------------------------------------ synthetic cases


def _assign_case_managers(today, report: CasesDemoReport) -> None:
    """Some open long-running synthetic cases get a demo user as regievoerder."""
    for username, limit in (("leerplicht", 20), ("leerrecht", 10), ("swv", 10)):
        user = _user(username)
        if user is None:
            continue
        scope = scope_of(user)
        reach = Q(municipality_id__in=scope.full_region_ids) | Q(
            school__partnership_id__in=scope.partnership_ids
        )
        cases = (
            Case.objects.filter(reach, is_synthetic=True, end_date__isnull=True)
            .filter(case_manager__isnull=True)
            .filter(category__in=[CaseCategory.ABSOLUTE, CaseCategory.RELATIVE])
            .filter(start_date__lt=today - dates.FOUR_WEEKS)
            .exclude(dossier_id__startswith=EXAMPLE_PREFIX)
            .order_by("dossier_id")[:limit]
        )
        for case in cases:
            services.assign_case_manager(case, actor=None, case_manager=user)
            report.case_managers_assigned += 1


def _synthetic(today, report: CasesDemoReport) -> None:
    generated = Case.objects.filter(
        dossier_id__startswith=f"{synthetic.DOSSIER_PREFIX}{DEMO_SEED}-"
    )
    if generated.exists():
        return
    if synthetic.has_synthetic_data():
        report.notes.append(
            "Er stonden al andere synthetische gegevens in het register: geen nieuwe gemaakt."
        )
        return
    try:
        report.generated = synthetic.generate(scale="region", seed=DEMO_SEED, until=today)
    except synthetic.SyntheticDataError as error:
        report.notes.append(f"Geen synthetische casussen: {error}")
        return
    _assign_case_managers(today, report)


# ------------------------------------------------------------------ reported counts


def _reported_counts(today, report: CasesDemoReport) -> None:
    """The schools of PO2711 report their thuiszitters for the last peildatum: the
    register's numbers, with deliberate differences."""
    peildatum = reporting.latest_peildatum(today)
    report.peildatum = peildatum
    schools = list(
        Organisation.objects.schools().filter(partnership__code=PARTNERSHIP).order_by("code")
    )
    if not schools:
        return
    register = reporting.unit_counts(
        Case.objects.filter(school__in=schools),
        peildatum=peildatum,
        level="school",
        definition=CountDefinition.OCW,
    )
    cut = reporting.Cutoffs.on(peildatum)
    split_done = False
    for index, school in enumerate(schools):
        count = register.get(school.pk, {}).get("thuiszitters", 0)
        if index % 9 == 8:
            continue  # this school did not report: the reconciliation misses it
        if count >= 2 and not split_done:
            # One school reports per woongemeente, one of them off by one.
            split_done = True
            per_municipality = {}
            for municipality_id in (
                Case.objects.filter(reporting.counted_q(cut, CountDefinition.OCW), school=school)
                .order_by("municipality__code")
                .values_list("municipality_id", flat=True)
            ):
                per_municipality[municipality_id] = per_municipality.get(municipality_id, 0) + 1
            for position, (municipality_id, number) in enumerate(per_municipality.items()):
                saved = services.report_count(
                    actor=None,
                    reference_date=peildatum,
                    school=school,
                    municipality=Region.objects.get(pk=municipality_id),
                    count=number + 1 if position == 0 else number,
                    source=COUNT_SOURCE,
                )[1]
                report.counts_saved += saved
            continue
        if index % 4 == 1:
            count += 1
        elif index % 5 == 2 and count > 0:
            count -= 1
        report.counts_saved += services.report_count(
            actor=None, reference_date=peildatum, school=school, count=count, source=COUNT_SOURCE
        )[1]


# ------------------------------------------------------------------ indicators


def refresh_indicators(*, today=None, actor=None) -> int:
    """Bring the register's computed indicators of the demo up to date, as the live
    refresh does (docs/decisions/0022): the last peildata and quarters, for the gemeenten
    of the Midden-Kennemerland agenda they measure; marked as generated, since the
    register is synthetic; only what differs from what is stored. Returns how many
    measurements were written."""
    from kansrijk.indicators import services as indicator_services
    from kansrijk.indicators.models import Indicator

    written = 0
    for indicator in Indicator.objects.filter(
        computed_key__in=[STOCK_KEY, OFFER_KEY, DURATION_KEY]
    ).order_by("code"):
        written += indicator_services.bring_up_to_date(indicator, actor=actor, today=today).written
    return written


# ------------------------------------------------------------------ loading


def load_demo_cases(*, today: datetime.date | None = None, actor=None) -> CasesDemoReport:
    """Everything of the register for ``kansrijk load_demo``: after the organisations
    (demo users) and the indicators (computed indicators to refresh)."""
    if not settings.DEBUG:
        raise CasesDemoRefused("Demogegevens worden alleen geladen met DEBUG aan.")
    today = today or timezone.localdate()
    report = CasesDemoReport()
    with transaction.atomic():
        _synthetic(today, report)
        _examples(today, report)
        _reported_counts(today, report)
        report.measurements_saved = refresh_indicators(today=today, actor=actor)
    report.synthetic_cases = Case.objects.filter(is_synthetic=True).count()
    return report


__all__ = [
    "CasesDemoRefused",
    "CasesDemoReport",
    "load_demo_cases",
    "refresh_indicators",
]
