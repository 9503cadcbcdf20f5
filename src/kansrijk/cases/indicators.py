"""Computed indicators that the register registers in the monitor.

Imported from ``CasesConfig.ready()``; the import goes from cases to indicators only. Each
function returns counts (never a person) per gemeente (``region_code``) and, for the
stock, per SWV (``organisation_id``). The monitor stores them as measurements and
publishes them through its suppression of small numbers like any other count.

* ``cases-thuiszitters-peildatum`` — thuiszitters (definition ocw) on the peildatum
  ``period_end``;
* ``cases-aanbod-binnen-3-maanden`` — of the episodes (absoluut and relatief verzuim) whose
  Thuiszitterspact deadline (start + 3 calendar months) fell in the period and that were
  still running at that deadline or had an offer by then, the share with a suitable offer
  on or before that deadline (an episode that ended earlier without an offer, back at
  school after a week, never had a deadline to meet);
* ``cases-mediane-duur`` — the median duration in days of the episodes that ended in the
  period (absoluut and relatief verzuim), for a gemeente with at least as many episodes
  as the small-number threshold (the median of one or two episodes is one child's
  duration, and a median cannot be suppressed afterwards like a count).

The gemeente of an episode is where the young person lived (``Residence``) on the day
the figure looks at: the peildatum for the stock, the Thuiszitterspact deadline for the
offers, the end date for the durations; without residence history it is the case's
woongemeente. Figures are made for the gemeenten as they exist on the peildatum or the
last day of the period: a residence in a gemeente that had merged by then counts in its
successor, and a gemeente asked for that did not exist yet is computed as its
predecessors (so that ``aggregation.series_across_mergers`` can add them up).

A figure computed for a gemeente (or SWV) whose register holds synthetic cases (the demo)
is marked as generated, never as a real figure.

Live (docs/decisions/0022): each key is registered with a plan. The stock is kept up to
date on the last ``REFRESHED_PERIODS`` peildata (``KANSRIJK_PEILDATA``), the rates and
medians on the quarters ending on them: the same two years the register's trend chart
and the demo show; older figures stay as they were computed. ``changed_cases`` is what
the register's services and import call when a case changes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import BigIntegerField, Count, F, Q, When, Window
from django.db.models import Case as SqlCase
from django.db.models.functions import RowNumber
from django.utils import timezone

from kansrijk.indicators import computed
from kansrijk.indicators.computed import ComputedFigure, Run, register
from kansrijk.organisations.models import Organisation, OrganisationKind, Region
from kansrijk.organisations.queries import successors_on

from . import dates
from .models import Case, CaseCategory, CountDefinition
from .reporting import (
    Cutoffs,
    counted_q,
    fold_into_successors,
    municipality_on_day,
    peildata_between,
    with_home_on,
)

STOCK_KEY = "cases-thuiszitters-peildatum"
OFFER_KEY = "cases-aanbod-binnen-3-maanden"
DURATION_KEY = "cases-mediane-duur"
EPISODE_CATEGORIES = [CaseCategory.ABSOLUTE, CaseCategory.RELATIVE]
SOURCE = "cases"
REFRESHED_PERIODS = 8  # peildata (and the quarters ending on them) kept up to date
GENERATED_STORY = " Berekend uit het synthetische demoregister: geen echt cijfer."

# The stories hold no number: they sit beside figures that may be hidden as small
# numbers, and the figures are in the table beside them (kansrijk.indicators.disclosure).
STOCK_STORY = "Thuiszitters (definitie ocw) in het register op de peildatum, naar woongemeente."
PARTNERSHIP_STOCK_STORY = (
    "Thuiszitters (definitie ocw) op de scholen van het samenwerkingsverband op de peildatum."
)
OFFER_STORY = (
    "Het deel van de thuiszitters van wie de termijn van drie maanden in deze periode "
    "afliep, dat toen een passend aanbod had."
)
DURATION_STORY = "Mediane duur in dagen van de episodes die in deze periode zijn beëindigd."


def _municipalities(indicator, regions) -> list[Region]:
    """The gemeenten to compute for: those asked for; or the gemeenten of the agendas
    whose goals the indicator measures together with the werkgebied of its owner; or
    else every gemeente with a case."""
    if regions:
        return list(Region.objects.filter(code__in=regions, kind="municipality"))
    followed = Q(pk__in=[])
    if indicator is not None and indicator.pk is not None:
        followed |= Q(pk__in=Region.objects.filter(agendas__goals__indicators=indicator))
    owner = getattr(indicator, "owner", None)
    if owner is not None:
        followed |= Q(pk__in=owner.served_regions.values("pk"))
    found = list(Region.objects.filter(followed, kind="municipality").order_by("code"))
    if found:
        return found
    return list(Region.objects.filter(pk__in=Case.objects.values("municipality_id").distinct()))


def _with_synthetic_cases(field_name: str, ids) -> set[int]:
    """The gemeenten (``municipality_id``) or SWVs (``school__partnership_id``) among
    ``ids`` whose register holds synthetic cases: their figures are demo figures."""
    return set(
        Case.objects.filter(is_synthetic=True, **{f"{field_name}__in": list(ids)})
        .values_list(field_name, flat=True)
        .distinct()
    )


def _generated(story: str, is_generated: bool) -> dict:
    return {
        "story": story + GENERATED_STORY if is_generated else story,
        "is_generated": is_generated,
    }


def _as_on(municipalities: list[Region], day: datetime.date) -> list[Region]:
    """The gemeenten asked for as they are on ``day``: one that did not exist yet is
    replaced by its predecessors of that day (Vijfheerenlanden in 2018 by Leerdam, Vianen
    and Zederik); one that had already merged is left out (its figure is its
    successor's). A few regions, read per level of the merger tree."""
    found: dict[int, Region] = {}
    pending = list(municipalities)
    seen: set[int] = set()
    while pending:
        later = []
        for region in pending:
            if region.pk in seen:
                continue
            seen.add(region.pk)
            if region.exists_on(day):
                found[region.pk] = region
            elif region.valid_from is not None and region.valid_from > day:
                later.append(region.pk)
        pending = list(Region.objects.filter(successions__successor_id__in=later).distinct())
    return sorted(found.values(), key=lambda region: (region.name, region.code))


def _sources_of(municipalities: list[Region], day: datetime.date) -> set[int]:
    """The gemeenten whose residents count for ``municipalities`` on ``day``: themselves
    and the gemeenten that had merged into them by then."""
    targets = {region.pk for region in municipalities}
    return targets | {old for old, new in successors_on(day).items() if new in targets}


def _successor_expression(field_name: str, day: datetime.date):
    """The gemeente id in ``field_name`` with a gemeente that had merged by ``day``
    replaced by its successor, in SQL: for a window partition, which a Python fold cannot
    reach. At most one branch per merged gemeente (about ninety)."""
    successor = successors_on(day)
    if not successor:
        return F(field_name)
    return SqlCase(
        *[When(Q(**{field_name: old}), then=new) for old, new in sorted(successor.items())],
        default=F(field_name),
        output_field=BigIntegerField(),
    )


def _period(period_start, period_end):
    period_end = period_end or timezone.localdate()
    return period_start or period_end.replace(month=1, day=1), period_end


# ------------------------------------------------------------------ live refresh


def refreshed_peildata(today: datetime.date) -> list[datetime.date]:
    """The last ``REFRESHED_PERIODS`` peildata up to ``today``: the stock is kept up to
    date on these. Between two peildata the latest figure stays that of the last
    peildatum, as in the register's quarterly report."""
    first = dates.add_months(today, -3 * REFRESHED_PERIODS - 3)
    return peildata_between(first, today)[-REFRESHED_PERIODS:]


def refreshed_quarters(today: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The quarters ending on those peildata, (P − 3 months, P], as first and last day."""
    return [
        (dates.quarter_start(day) + datetime.timedelta(days=1), day)
        for day in refreshed_peildata(today)
    ]


def _followed_codes(indicator, municipality_ids, *, with_partnerships: bool) -> list[str]:
    """The codes of the gemeenten ``indicator`` follows; none when a change touched
    ``municipality_ids`` and none of them is followed (nor, for an indicator with SWV
    figures, served by one of the SWVs of the gemeenten followed)."""
    municipalities = _municipalities(indicator, None)
    if municipality_ids is not None:
        reach = {region.pk for region in municipalities}
        if with_partnerships:
            partnerships = Organisation.objects.filter(
                kind=OrganisationKind.PARTNERSHIP, served_regions__in=municipalities
            )
            reach |= set(
                Region.objects.filter(serving_organisations__in=partnerships).values_list(
                    "pk", flat=True
                )
            )
        if not reach & set(municipality_ids):
            return []
    return [region.code for region in municipalities]


def _stock_plan(indicator, *, today, municipality_ids=None) -> list[Run]:
    codes = _followed_codes(indicator, municipality_ids, with_partnerships=True)
    if not codes:
        return []
    # The SWV figures are not covered: an SWV whose cell is not computed again keeps it.
    return [
        Run(
            {"period_end": day, "regions": codes},
            Q(period_start=day, period_end=day, region__code__in=codes),
        )
        for day in refreshed_peildata(today)
    ]


def _quarter_plan(indicator, *, today, municipality_ids=None) -> list[Run]:
    codes = _followed_codes(indicator, municipality_ids, with_partnerships=False)
    if not codes:
        return []
    return [
        Run(
            {"period_start": start, "period_end": end, "regions": codes},
            Q(period_start=start, period_end=end, region__code__in=codes),
        )
        for start, end in refreshed_quarters(today)
    ]


def changed_cases(scopes: Iterable[tuple[int | None, int | None]]) -> None:
    """Cases changed in the current transaction, given as (woongemeente id, school id),
    before and after the change: after the commit the computed figures of those
    gemeenten, and of the gemeenten the schools are in (for the SWV figures), are
    brought up to date in the background (``computed.changed``)."""
    municipality_ids: set[int] = set()
    school_ids: set[int] = set()
    for municipality_id, school_id in scopes:
        if municipality_id:
            municipality_ids.add(municipality_id)
        if school_id:
            school_ids.add(school_id)
    if school_ids:
        municipality_ids |= set(
            Organisation.objects.filter(pk__in=school_ids)
            .exclude(municipality=None)
            .values_list("municipality_id", flat=True)
            .distinct()
        )
    computed.changed(SOURCE, municipality_ids)


@register(STOCK_KEY, counts_people=True, source=SOURCE, plan=_stock_plan)
def thuiszitters_on_peildatum(
    indicator=None,
    *,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    regions=None,
    include_partnerships: bool = True,
    **kwargs,
):
    peildatum = period_end or timezone.localdate()
    cut = Cutoffs.on(peildatum)
    municipalities = _as_on(_municipalities(indicator, regions), peildatum)
    counted = (
        with_home_on(Case.objects.filter(counted_q(cut, CountDefinition.OCW)), peildatum)
        .annotate(unit=municipality_on_day())
        .filter(unit__in=_sources_of(municipalities, peildatum))
        .values("unit")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_municipality = {
        pk: counts["n"]
        for pk, counts in fold_into_successors(
            {row["unit"]: {"n": row["n"]} for row in counted}, peildatum
        ).items()
    }
    label = peildatum.isoformat()
    synthetic = _with_synthetic_cases("municipality_id", [r.pk for r in municipalities])
    figures = [
        ComputedFigure(
            period_start=peildatum,
            period_end=peildatum,
            period_label=label,
            region_code=region.code,
            value=Decimal(by_municipality.get(region.pk, 0)),
            **_generated(
                STOCK_STORY,
                region.pk in synthetic,
            ),
        )
        for region in municipalities
    ]
    if include_partnerships:
        partnerships = list(
            Organisation.objects.filter(
                kind=OrganisationKind.PARTNERSHIP, served_regions__in=municipalities
            )
            .distinct()
            .order_by("code")
        )
        synthetic = _with_synthetic_cases("school__partnership_id", [p.pk for p in partnerships])
        by_partnership = dict(
            Case.objects.filter(school__partnership__in=partnerships)
            .filter(counted_q(cut, CountDefinition.OCW))
            .values("school__partnership_id")
            .annotate(n=Count("pk"))
            .values_list("school__partnership_id", "n")
        )
        figures += [
            ComputedFigure(
                period_start=peildatum,
                period_end=peildatum,
                period_label=label,
                organisation_id=partnership.pk,
                value=Decimal(by_partnership.get(partnership.pk, 0)),
                **_generated(
                    PARTNERSHIP_STOCK_STORY,
                    partnership.pk in synthetic,
                ),
            )
            for partnership in partnerships
        ]
    return figures


@register(OFFER_KEY, counts_people=True, source=SOURCE, plan=_quarter_plan)
def offer_within_three_months(
    indicator=None,
    *,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    regions=None,
    **kwargs,
):
    period_start, period_end = _period(period_start, period_end)
    municipalities = _as_on(_municipalities(indicator, regions), period_end)
    # The gemeente on the deadline: where the young person lived when the offer was due.
    rows = (
        with_home_on(
            Case.objects.filter(
                category__in=EPISODE_CATEGORIES,
                pact_deadline__gte=period_start,
                pact_deadline__lte=period_end,
            ),
            F("pact_deadline"),
        )
        .annotate(unit=municipality_on_day())
        .filter(unit__in=_sources_of(municipalities, period_end))
        .filter(
            Q(offer_date__lte=F("pact_deadline"))
            | Q(end_date__isnull=True)
            | Q(end_date__gt=F("pact_deadline"))
        )
        .values("unit")
        .annotate(
            due=Count("pk"),
            in_time=Count("pk", filter=Q(offer_date__lte=F("pact_deadline"))),
        )
        .order_by()
    )
    by_municipality = fold_into_successors({row.pop("unit"): row for row in rows}, period_end)
    synthetic = _with_synthetic_cases("municipality_id", list(by_municipality))
    figures = []
    for region in municipalities:
        row = by_municipality.get(region.pk)
        if not row or not row["due"]:
            continue
        figures.append(
            ComputedFigure(
                period_start=period_start,
                period_end=period_end,
                period_label=f"{period_start:%Y-%m-%d}/{period_end:%Y-%m-%d}",
                region_code=region.code,
                numerator=Decimal(row["in_time"]),
                denominator=Decimal(row["due"]),
                **_generated(
                    OFFER_STORY,
                    region.pk in synthetic,
                ),
            )
        )
    return figures


def median_durations(
    cases, minimum: int = 1, *, on_day: datetime.date | None = None, among=None
) -> dict[int, Decimal]:
    """{municipality id: median duration in days} of the given ended episodes, for the
    gemeenten with at least ``minimum`` of them. The gemeente of an episode is where the
    young person lived on its end date, as the gemeenten are on ``on_day`` (default: the
    case's woongemeente, ``Case.municipality``); ``among``: only the episodes of these
    gemeenten (before folding merged ones into their successors).

    The rows are numbered per gemeente by duration in the database (a window function,
    on SQLite and PostgreSQL alike); only the one or two middle rows of each gemeente
    come back to be averaged."""
    if on_day is None:
        unit = F("municipality_id")
    else:
        cases = with_home_on(cases, F("end_date")).annotate(_home_unit=municipality_on_day())
        if among is not None:
            cases = cases.filter(_home_unit__in=among)
        unit = _successor_expression("_home_unit", on_day)
    ranked = cases.annotate(
        unit=unit,
        duration=F("end_date") - F("start_date"),
    ).annotate(
        position=Window(
            RowNumber(),
            partition_by=[F("unit")],
            order_by=[F("end_date") - F("start_date"), F("pk")],
        ),
        size=Window(Count("pk"), partition_by=[F("unit")]),
    )
    middle = ranked.filter(
        Q(position=(F("size") + 1) / 2) | Q(position=(F("size") + 2) / 2)
    ).values_list("unit", "duration", "size")
    found: dict[int, list] = {}
    for municipality_id, duration, size in middle:
        if size >= minimum:
            found.setdefault(municipality_id, []).append(Decimal(duration.days))
    return {pk: sum(values) / len(values) for pk, values in found.items()}


@register(DURATION_KEY, counts_people=True, source=SOURCE, plan=_quarter_plan)
def median_duration(
    indicator=None,
    *,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    regions=None,
    **kwargs,
):
    period_start, period_end = _period(period_start, period_end)
    municipalities = _as_on(_municipalities(indicator, regions), period_end)
    ended = Case.objects.filter(
        category__in=EPISODE_CATEGORIES,
        end_date__gte=period_start,
        end_date__lte=period_end,
    )
    medians = median_durations(
        ended,
        minimum=settings.KANSRIJK["SMALL_NUMBER_THRESHOLD"],
        on_day=period_end,
        among=_sources_of(municipalities, period_end),
    )
    synthetic = _with_synthetic_cases("municipality_id", list(medians))
    return [
        ComputedFigure(
            period_start=period_start,
            period_end=period_end,
            period_label=f"{period_start:%Y-%m-%d}/{period_end:%Y-%m-%d}",
            region_code=region.code,
            value=medians[region.pk].quantize(Decimal("0.1")),
            **_generated(
                DURATION_STORY,
                region.pk in synthetic,
            ),
        )
        for region in municipalities
        if region.pk in medians
    ]
