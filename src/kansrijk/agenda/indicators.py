"""Computed indicators that the agenda registers in the monitor.

Imported from ``AgendaConfig.ready()``; the import goes from agenda to indicators only.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from kansrijk.indicators.computed import ComputedFigure, register

from .models import Activity, Agenda, WorkStatus

ON_SCHEDULE_KEY = "agenda-activities-on-schedule"


def _agenda_region_code(agenda: Agenda) -> str:
    if agenda.region_id:
        return agenda.region.code
    for owner in agenda.owners.all():
        if owner.municipality_id:
            return owner.municipality.code
    return ""


@register(ON_SCHEDULE_KEY)
def activities_on_schedule(
    indicator=None,
    *,
    agenda: Agenda | str | None = None,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    **kwargs,
):
    """Share of activities on schedule, per agenda, up to ``period_end``.

    Numerator: activities with a planned month on or before ``period_end`` that are running
    or done. Denominator: all activities with a planned month on or before ``period_end``
    that are not cancelled. The agendas are ``agenda`` (an Agenda or its slug) or else the
    agendas of the indicator's goals. The counts come from one aggregate query.
    """
    period_end = period_end or timezone.localdate()
    period_start = period_start or period_end.replace(day=1)
    if agenda is not None:
        slug = agenda.slug if isinstance(agenda, Agenda) else agenda
        agendas = Agenda.objects.filter(slug=slug)
    elif indicator is not None:
        agendas = Agenda.objects.filter(goals__indicators=indicator).distinct()
    else:
        agendas = Agenda.objects.none()
    agendas = {
        a.pk: a for a in agendas.select_related("region").prefetch_related("owners__municipality")
    }
    if not agendas:
        return []
    counts = (
        Activity.objects.filter(agenda__in=list(agendas), planned_months__month__lte=period_end)
        .exclude(status=WorkStatus.CANCELLED)
        .values("agenda")
        .annotate(
            total=Count("pk", distinct=True),
            on_schedule=Count(
                "pk",
                distinct=True,
                filter=Q(status__in=[WorkStatus.RUNNING, WorkStatus.DONE]),
            ),
        )
        .order_by("agenda")
    )
    figures = []
    for row in counts:
        if not row["total"]:
            continue
        agenda_obj = agendas[row["agenda"]]
        region_code = _agenda_region_code(agenda_obj)
        if not region_code:
            continue
        figures.append(
            ComputedFigure(
                period_start=period_start,
                period_end=period_end,
                period_label=f"{period_end:%Y-%m}",
                region_code=region_code,
                numerator=Decimal(row["on_schedule"]),
                denominator=Decimal(row["total"]),
                story=(
                    f"{row['on_schedule']} van de {row['total']} activiteiten van "
                    f"'{agenda_obj.title}' die tot en met {period_end:%m-%Y} gepland waren, "
                    "zijn gestart of afgerond."
                ),
                extra={"agenda": agenda_obj.slug},
            )
        )
    return figures
