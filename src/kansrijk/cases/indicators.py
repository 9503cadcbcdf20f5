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
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from kansrijk.indicators.computed import ComputedFigure, register
from kansrijk.organisations.models import Organisation, OrganisationKind, Region

from .models import Case, CaseCategory, CountDefinition
from .reporting import Cutoffs, counted_q

STOCK_KEY = "cases-thuiszitters-peildatum"
OFFER_KEY = "cases-aanbod-binnen-3-maanden"
DURATION_KEY = "cases-mediane-duur"
EPISODE_CATEGORIES = [CaseCategory.ABSOLUTE, CaseCategory.RELATIVE]

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
    """The gemeenten to compute for: those asked for, or the werkgebied of the
    indicator's owner, or else every gemeente with a case."""
    if regions:
        return list(Region.objects.filter(code__in=regions, kind="municipality"))
    owner = getattr(indicator, "owner", None)
    if owner is not None:
        served = list(owner.served_regions.filter(kind="municipality"))
        if served:
            return served
    return list(Region.objects.filter(pk__in=Case.objects.values("municipality_id").distinct()))


def _period(period_start, period_end):
    period_end = period_end or timezone.localdate()
    return period_start or period_end.replace(month=1, day=1), period_end


@register(STOCK_KEY, counts_people=True)
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
    municipalities = _municipalities(indicator, regions)
    by_municipality = dict(
        Case.objects.filter(municipality__in=municipalities)
        .filter(counted_q(cut, CountDefinition.OCW))
        .values("municipality_id")
        .annotate(n=Count("pk"))
        .values_list("municipality_id", "n")
    )
    label = peildatum.isoformat()
    figures = [
        ComputedFigure(
            period_start=peildatum,
            period_end=peildatum,
            period_label=label,
            region_code=region.code,
            value=Decimal(by_municipality.get(region.pk, 0)),
            story=STOCK_STORY,
        )
        for region in municipalities
    ]
    if include_partnerships:
        partnerships = Organisation.objects.filter(
            kind=OrganisationKind.PARTNERSHIP, served_regions__in=municipalities
        ).distinct()
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
                story=PARTNERSHIP_STOCK_STORY,
            )
            for partnership in partnerships
        ]
    return figures


@register(OFFER_KEY, counts_people=True)
def offer_within_three_months(
    indicator=None,
    *,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    regions=None,
    **kwargs,
):
    period_start, period_end = _period(period_start, period_end)
    municipalities = _municipalities(indicator, regions)
    rows = (
        Case.objects.filter(
            municipality__in=municipalities,
            category__in=EPISODE_CATEGORIES,
            pact_deadline__gte=period_start,
            pact_deadline__lte=period_end,
        )
        .filter(
            Q(offer_date__lte=F("pact_deadline"))
            | Q(end_date__isnull=True)
            | Q(end_date__gt=F("pact_deadline"))
        )
        .values("municipality_id")
        .annotate(
            due=Count("pk"),
            in_time=Count("pk", filter=Q(offer_date__lte=F("pact_deadline"))),
        )
    )
    by_municipality = {row["municipality_id"]: row for row in rows}
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
                story=OFFER_STORY,
            )
        )
    return figures


def median_durations(cases, minimum: int = 1) -> dict[int, Decimal]:
    """{municipality id: median duration in days} of the given ended episodes, for the
    gemeenten with at least ``minimum`` of them.

    The rows are numbered per gemeente by duration in the database (a window function,
    on SQLite and PostgreSQL alike); only the one or two middle rows of each gemeente
    come back to be averaged."""
    ranked = cases.annotate(
        duration=F("end_date") - F("start_date"),
        position=Window(
            RowNumber(),
            partition_by=[F("municipality_id")],
            order_by=[F("end_date") - F("start_date"), F("pk")],
        ),
        size=Window(Count("pk"), partition_by=[F("municipality_id")]),
    )
    middle = ranked.filter(
        Q(position=(F("size") + 1) / 2) | Q(position=(F("size") + 2) / 2)
    ).values_list("municipality_id", "duration", "size")
    found: dict[int, list] = {}
    for municipality_id, duration, size in middle:
        if size >= minimum:
            found.setdefault(municipality_id, []).append(Decimal(duration.days))
    return {pk: sum(values) / len(values) for pk, values in found.items()}


@register(DURATION_KEY, counts_people=True)
def median_duration(
    indicator=None,
    *,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    regions=None,
    **kwargs,
):
    period_start, period_end = _period(period_start, period_end)
    municipalities = _municipalities(indicator, regions)
    ended = Case.objects.filter(
        municipality__in=municipalities,
        category__in=EPISODE_CATEGORIES,
        end_date__gte=period_start,
        end_date__lte=period_end,
    )
    medians = median_durations(ended, minimum=settings.KANSRIJK["SMALL_NUMBER_THRESHOLD"])
    return [
        ComputedFigure(
            period_start=period_start,
            period_end=period_end,
            period_label=f"{period_start:%Y-%m-%d}/{period_end:%Y-%m-%d}",
            region_code=region.code,
            value=medians[region.pk].quantize(Decimal("0.1")),
            story=DURATION_STORY,
        )
        for region in municipalities
        if region.pk in medians
    ]
