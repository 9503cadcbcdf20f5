"""The computed indicator that the sociale kaart registers in the monitor: participation in
the offer ("meer leerlingen nemen deel aan voorliggende voorzieningen", seed 002).

participation rate = participants / pupils in scope, per period:

- per gemeente: the participants of every published service counted in the gemeente
  (at its schools, in its wijken or for the whole gemeente), over the pupils of all its
  school locations in the reference data (DUO);
- per school: the participants counted at the school, over its pupils.

It counts participations, not children: a child in two activities counts twice, so the
rate says how much the offer is used, not which share of the pupils is reached. The
reference data has no pupils per group or age, so the denominator is all pupils of the
school locations in scope.

Imported from ``SocialmapConfig.ready()``; the import goes from socialmap to indicators.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, Q, Sum

from kansrijk.indicators import computed
from kansrijk.indicators.computed import ComputedFigure, Run, register
from kansrijk.organisations.models import Organisation

from .disclosure import participation_mask
from .models import Participation

PARTICIPATION_KEY = "socialmap-participation-rate"
SOURCE = "socialmap"
ILLUSTRATIVE_NOTE = "Berekend uit illustratieve deelnamecijfers: geen echte cijfers."


def scope_municipality_ids(indicator) -> set[int] | None:
    """The gemeenten an indicator follows: the regions of the agendas whose goals it
    measures, and its owner's gemeente. ``None``: every gemeente with figures."""
    if indicator is None:
        return None
    ids: set[int] = set()
    for goal in indicator.goals.select_related("agenda").prefetch_related("agenda__regions"):
        ids |= {r.pk for r in goal.agenda.regions.all() if r.kind == "municipality"}
    if indicator.owner_id and indicator.owner.municipality_id:
        ids.add(indicator.owner.municipality_id)
    return ids or None


def _participation_plan(indicator, *, today, municipality_ids=None) -> list[Run]:
    """Live (docs/decisions/0022): every period with participation, for the gemeenten the
    indicator follows, in one call; none when a change touched none of them. The call is
    the whole truth for those gemeenten and their schools: the figure of a period whose
    only service was archived is withdrawn."""
    followed = scope_municipality_ids(indicator)
    if followed is None:
        return [Run({"municipality_ids": None})]
    if municipality_ids is not None and not followed & set(municipality_ids):
        return []
    return [
        Run(
            {"municipality_ids": followed},
            Q(region_id__in=followed) | Q(organisation__municipality_id__in=followed),
        )
    ]


def changed_participation(municipality_ids: Iterable[int | None]) -> None:
    """Participation counted in these gemeenten changed in the current transaction (a
    count entered or imported, a service published or no longer published): the
    participation indicators are brought up to date after the commit."""
    computed.changed(SOURCE, municipality_ids)


@register(PARTICIPATION_KEY, counts_people=True, source=SOURCE, plan=_participation_plan)
def participation_rate(
    indicator=None,
    *,
    period_start: datetime.date | None = None,
    period_end: datetime.date | None = None,
    municipality_ids=None,
    **kwargs,
) -> list[ComputedFigure]:
    """Figures for every period with participation (or only those within
    ``period_start``–``period_end``), per gemeente and per school. Four grouped queries
    whatever the number of rows."""
    if municipality_ids is None:
        municipality_ids = scope_municipality_ids(indicator)
    rows = Participation.objects.of_published_services()
    if municipality_ids is not None:
        rows = rows.filter(municipality_id__in=municipality_ids)
    if period_start is not None:
        rows = rows.filter(period_start__gte=period_start)
    if period_end is not None:
        rows = rows.filter(period_end__lte=period_end)
    period_fields = ("period_start", "period_end", "period_label")
    aggregates = {
        "participants": Sum("participants"),
        "services": Count("service", distinct=True),
        "illustrative": Count("pk", filter=Q(is_illustrative=True)),
    }
    by_municipality = list(
        rows.values(*period_fields, "municipality_id", "municipality__code", "municipality__name")
        .annotate(**aggregates)
        .order_by("period_start", "municipality__code")
    )
    by_school = list(
        rows.exclude(school=None)
        .values(*period_fields, "school_id", "school__name", "school__pupil_count")
        .annotate(**aggregates)
        .order_by("period_start", "school_id")
    )
    pupils = dict(
        Organisation.objects.schools()
        .filter(municipality_id__in={row["municipality_id"] for row in by_municipality})
        .values("municipality_id")
        .annotate(pupils=Sum("pupil_count"))
        .values_list("municipality_id", "pupils")
    )
    # The sociale kaart decides what may leave: a total hidden by its mask (to protect a
    # small count of one entry, also published per entry) is hidden in the monitor too.
    mask = participation_mask(
        periods={(row["period_start"], row["period_end"]) for row in by_municipality}
    )
    figures = []
    for row in by_municipality:
        denominator = pupils.get(row["municipality_id"]) or 0
        if not denominator:
            continue  # no school locations with pupils in the reference data
        figures.append(
            _figure(
                row,
                denominator,
                region_code=row["municipality__code"],
                pupils_of="de schoolvestigingen in de gemeente",
                withheld=bool(
                    mask.of_gemeente(row["municipality_id"], row["period_start"], row["period_end"])
                ),
            )
        )
    for row in by_school:
        denominator = row["school__pupil_count"] or 0
        if not denominator:
            continue
        figures.append(
            _figure(
                row,
                denominator,
                organisation_id=row["school_id"],
                pupils_of="de school",
                withheld=bool(
                    mask.of_school(row["school_id"], row["period_start"], row["period_end"])
                ),
            )
        )
    return figures


def _figure(
    row: dict, denominator: int, *, pupils_of: str, withheld: bool = False, **scope
) -> ComputedFigure:
    # No number in the story: it sits beside a figure that may be hidden as a small number.
    story = (
        f"Deelnames aan het aanbod van de sociale kaart, op de leerlingen van {pupils_of} "
        "(referentiedata DUO). Een kind dat aan twee activiteiten meedoet, telt twee keer."
    )
    if row["illustrative"]:
        story += " " + ILLUSTRATIVE_NOTE
    return ComputedFigure(
        period_start=row["period_start"],
        period_end=row["period_end"],
        period_label=row["period_label"],
        numerator=Decimal(row["participants"]),
        denominator=Decimal(denominator),
        story=story,
        withheld=withheld,
        is_generated=bool(row["illustrative"]),
        extra={"illustrative": bool(row["illustrative"])},
        **scope,
    )


def refresh_participation(indicator, *, actor) -> int:
    """Store the figures of a participation indicator as approved measurements, only
    those that differ from what is stored (a second run writes nothing). Figures computed
    from illustrative counts are marked as generated for the demo. Returns how many
    measurements were written."""
    from kansrijk.indicators import services as indicator_services

    return indicator_services.bring_up_to_date(indicator, actor=actor).written
