"""What a public document shows, as one fingerprint read by the database: the part of a
shared build's key that gives visitors a new build as soon as anything in the document
was edited (decisions 0051, 0054).

A fingerprint is one query: the agenda's (or the indicator's) row with one scalar
subquery per table the document reads, each scoped to that agenda or indicator and each
an aggregate, so that no row is read into Python. Three kinds of table:

- **with a history table** (the agenda's tree, its involvements and funding lines, the
  indicators and their measurements): the latest ``history_date``. Every save and every
  delete writes a history row, so an edit, an addition and a deletion all move it.
- **rows that are only added and deleted**, never changed in place (planned months, the
  links between items): how many there are and the highest id. An added row gets an id
  higher than any before it (ids are never used twice: PostgreSQL's sequences,
  SQLite's ``AUTOINCREMENT``), a deleted one lowers the count.
- **rows changed in place without a history** (evaluation moments, commitments,
  baselines, targets): how many there are and the latest ``updated_at``. A save sets
  it, an addition too, and a deletion lowers the count.

What is not in it: the names of organisations, people and regions that the document
repeats (renamed rarely, and at most ``REUSE_SECONDS`` old in a shared build).
"""

from __future__ import annotations

from django.db.models import Count, Max, OuterRef, Q, Subquery, Value
from django.db.models.expressions import BaseExpression


def _aggregate(queryset, aggregate) -> Subquery:
    """``aggregate`` over ``queryset`` as a scalar subquery: one row, grouped by a
    constant."""
    return Subquery(
        queryset.order_by()
        .annotate(everything=Value(1))
        .values("everything")
        .annotate(result=aggregate)
        .values("result")[:1]
    )


def _edited(queryset) -> dict[str, BaseExpression]:
    """A table with a history: its latest history row."""
    return {"": _aggregate(queryset, Max("history_date"))}


def _added_or_deleted(queryset) -> dict[str, BaseExpression]:
    """Rows never changed in place: the count and the highest id."""
    return {
        "n": _aggregate(queryset, Count("pk", distinct=True)),
        "last": _aggregate(queryset, Max("pk")),
    }


def _changed_in_place(queryset) -> dict[str, BaseExpression]:
    """Rows without a history: the count and the latest change."""
    return {
        "n": _aggregate(queryset, Count("pk", distinct=True)),
        "at": _aggregate(queryset, Max("updated_at")),
    }


def _parts(**tables: dict[str, BaseExpression]) -> dict[str, BaseExpression]:
    return {
        # Prefixed: "themes" or "measurements" alone would clash with a relation's name.
        f"changed_{table}_{suffix}".rstrip("_"): expression
        for table, expressions in tables.items()
        for suffix, expression in expressions.items()
    }


def agenda_parts() -> dict[str, BaseExpression]:
    """Everything an agenda's documents (agenda.exporting: the Word, PDF, Excel and CSV
    documents; the council's report and the indicator page read the same tree) show of
    the agenda, for an ``Agenda`` row."""
    from kansrijk.agenda.models import (
        Activity,
        Agenda,
        Commitment,
        CurveStory,
        EvaluationMoment,
        FundingLine,
        Goal,
        Intervention,
        Involvement,
        PlannedMonth,
        Spearhead,
        Theme,
    )

    agenda = OuterRef("pk")
    return _parts(
        agenda=_edited(Agenda.history.filter(id=agenda)),
        themes=_edited(Theme.history.filter(agenda_id=agenda)),
        spearheads=_edited(Spearhead.history.filter(agenda_id=agenda)),
        goals=_edited(Goal.history.filter(agenda_id=agenda)),
        activities=_edited(Activity.history.filter(agenda_id=agenda)),
        interventions=_edited(Intervention.history.filter(agenda_id=agenda)),
        stories=_edited(CurveStory.history.filter(agenda_id=agenda)),
        # An activity's or a card's: two subqueries, each along one index.
        activity_roles=_edited(Involvement.history.filter(activity__agenda_id=agenda)),
        card_roles=_edited(Involvement.history.filter(intervention__agenda_id=agenda)),
        activity_funding=_edited(FundingLine.history.filter(activity__agenda_id=agenda)),
        card_funding=_edited(FundingLine.history.filter(intervention__agenda_id=agenda)),
        activity_months=_added_or_deleted(PlannedMonth.objects.filter(activity__agenda_id=agenda)),
        card_months=_added_or_deleted(PlannedMonth.objects.filter(intervention__agenda_id=agenda)),
        owners=_added_or_deleted(Agenda.owners.through.objects.filter(agenda_id=agenda)),
        regions=_added_or_deleted(Agenda.regions.through.objects.filter(agenda_id=agenda)),
        goal_themes=_added_or_deleted(Goal.themes.through.objects.filter(goal__agenda_id=agenda)),
        card_goals=_added_or_deleted(
            Intervention.goals.through.objects.filter(intervention__agenda_id=agenda)
        ),
        card_locations=_added_or_deleted(
            Intervention.locations.through.objects.filter(intervention__agenda_id=agenda)
        ),
        evaluations=_changed_in_place(EvaluationMoment.objects.filter(agenda_id=agenda)),
        commitments=_changed_in_place(Commitment.objects.filter(agenda_id=agenda)),
    )


def figures_parts() -> dict[str, BaseExpression]:
    """What the council's report and the indicator page show of the agenda's indicators
    (and the national series they are compared with), for an ``Agenda`` row."""
    from kansrijk.indicators.models import Baseline, Indicator, Measurement, Target

    linked = Indicator.objects.filter(goals__agenda_id=OuterRef(OuterRef("pk")))

    def shown(field: str) -> Q:
        return Q(**{f"{field}__in": linked.values("pk")}) | Q(
            **{f"{field}__in": linked.values("comparison_id")}
        )

    return _parts(
        indicator_goals=_added_or_deleted(
            Indicator.goals.through.objects.filter(goal__agenda_id=OuterRef("pk"))
        ),
        indicators=_edited(Indicator.history.filter(shown("id"))),
        measurements=_edited(Measurement.history.filter(shown("indicator_id"))),
        baselines=_changed_in_place(Baseline.objects.filter(shown("indicator_id"))),
        targets=_changed_in_place(Target.objects.filter(shown("indicator_id"))),
    )


def indicator_parts() -> dict[str, BaseExpression]:
    """What an indicator's measurements export shows, for an ``Indicator`` row."""
    from kansrijk.indicators.models import Indicator, Measurement

    indicator = OuterRef("pk")
    return _parts(
        indicator=_edited(Indicator.history.filter(id=indicator)),
        measurements=_edited(Measurement.history.filter(indicator_id=indicator)),
    )


def fingerprint(rows, parts: dict[str, BaseExpression]) -> str:
    """The parts read for the first of ``rows`` in one query, as text ("" when there is
    no such row)."""
    values = rows.annotate(**parts).values_list(*parts).first()
    if values is None:
        return ""
    return "|".join("" if value is None else str(value) for value in values)
