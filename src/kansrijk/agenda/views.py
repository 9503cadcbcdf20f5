"""The agenda pages: thin views over ``queries`` (who sees what) and ``services`` (every
change). An agenda a user may not see answers 404, the same as one that does not exist;
an adopted, published agenda is readable without logging in."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Prefetch, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kansrijk.input_guard import id_from
from kansrijk.organisations.models import Membership, Organisation, Role
from kansrijk.throttling import services as throttle
from kansrijk.throttling.responses import refused

from . import authoring, extensions, services
from .commitments import commitment_status, occurrence_counts, overdue_commitments
from .commitments import due_in_month as commitments_due_in_month
from .evaluations import with_states
from .forms import (
    AdoptForm,
    NominationForm,
    NominationStatusForm,
    OccurrenceForm,
    PlanningFilterForm,
    ProgressForm,
    VersionForm,
    parse_month,
)
from .models import (
    CURRENT_FUNDING,
    Activity,
    ActivityKind,
    Agenda,
    AgendaKind,
    AgendaStatus,
    CommitmentOccurrence,
    EducationPrize,
    FundingLine,
    FundingSource,
    Intervention,
    Involvement,
    Nomination,
    NominationStatus,
    PlannedMonth,
    PrizeCategory,
    ThemeKind,
)
from .payers import split_by_payer
from .progress import roll_up
from .queries import due_in_month, my_commitments, my_evaluations
from .steering_views import can_see_reminders

AGENDAS_PER_PAGE = 25
HISTORY_LENGTH = 20


# ------------------------------------------------------------------ look-ups and checks


def get_visible_agenda_or_404(user, slug: str) -> Agenda:
    """One answer for 'not yours' and 'does not exist': 404."""
    return get_object_or_404(Agenda.objects.visible_to(user), slug=slug)


def can_edit(user, agenda: Agenda) -> bool:
    return user.has_perm("agenda.change_agenda", agenda)


def _deny(request):
    """Not allowed: log in first if not logged in, else 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def _require_edit(request, agenda: Agenda) -> None:
    if not can_edit(request.user, agenda):
        raise PermissionDenied


def month_range(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first days of every month from ``start`` to ``end`` inclusive."""
    months = []
    day = datetime.date(start.year, start.month, 1)
    while day <= end:
        months.append(day)
        day = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _history(item) -> list[dict]:
    """Who changed a record when, and which fields (newest first)."""
    records = list(
        item.history.select_related("history_user").order_by("-history_id")[: HISTORY_LENGTH + 1]
    )
    fields = {f.name: f.verbose_name for f in type(item)._meta.fields}
    entries = []
    for index, record in enumerate(records[:HISTORY_LENGTH]):
        changed = []
        if index + 1 < len(records):
            delta = record.diff_against(records[index + 1], excluded_fields=["position"])
            changed = [str(fields.get(change.field, change.field)) for change in delta.changes]
        entries.append({"record": record, "changed": changed})
    return entries


def _money_totals(queryset) -> dict:
    """Planned and realised sums and whether any line is 'circa', in one query."""
    return queryset.aggregate(
        planned=Sum("planned_amount"),
        realised=Sum("realised_amount"),
        estimates=Count("pk", filter=Q(is_estimate=True)),
        lines=Count("pk"),
    )


def _totals_by_year(queryset):
    return (
        queryset.values("year")
        .annotate(
            planned=Sum("planned_amount"),
            realised=Sum("realised_amount"),
            estimates=Count("pk", filter=Q(is_estimate=True)),
        )
        .order_by("year")
    )


# ------------------------------------------------------------------ list and document


def agenda_list(request):
    visible = (
        Agenda.objects.visible_to(request.user)
        .prefetch_related("owners")
        .order_by("-period_start", "title", "pk")
    )
    # Handreikingen (seeds 000, 001) are read for guidance, not worked on: their own
    # heading below the agendas, on every page (there are few).
    agendas = visible.exclude(kind=AgendaKind.GUIDANCE)
    page = Paginator(agendas, AGENDAS_PER_PAGE).get_page(request.GET.get("pagina"))
    guidance = visible.filter(kind=AgendaKind.GUIDANCE)
    return render(request, "agenda/agenda_list.html", {"page": page, "guidance": guidance})


def _document_tree(agenda: Agenda):
    """Spearheads with their goals, and per goal its main and sub-activities: the rows of
    the four-column table. Three queries, whatever the size of the agenda."""
    # Archived items are kept for the history and the diff, not shown (decision 0037).
    spearheads = list(agenda.spearheads.filter(archived_on=None))
    goals = list(agenda.goals.filter(archived_on=None))
    activities = list(
        agenda.activities.filter(kind__in=[ActivityKind.MAIN, ActivityKind.SUB], archived_on=None)
    )
    goal_of = {a.pk: a.goal_id for a in activities}
    main_by_goal: dict[int | None, list] = defaultdict(list)
    sub_by_goal: dict[int | None, list] = defaultdict(list)
    for activity in activities:
        goal_id = activity.goal_id or goal_of.get(activity.parent_id)
        if activity.kind == ActivityKind.MAIN:
            main_by_goal[goal_id].append(activity)
        else:
            sub_by_goal[goal_id].append(activity)
    goals_by_spearhead: dict[int | None, list] = defaultdict(list)
    for goal in goals:
        goal.main_activities = main_by_goal[goal.pk]
        goal.sub_activities = sub_by_goal[goal.pk]
        goals_by_spearhead[goal.spearhead_id].append(goal)
    for spearhead in spearheads:
        spearhead.goal_rows = goals_by_spearhead[spearhead.pk]
    return spearheads, goals_by_spearhead[None]


def agenda_detail(request, slug):
    agenda = get_visible_agenda_or_404(request.user, slug)
    themes = list(agenda.themes.all())
    theme_groups = [
        (label, [t for t in themes if t.kind == kind])
        for kind, label in ThemeKind.choices
        if any(t.kind == kind for t in themes)
    ]
    spearheads, general_goals = _document_tree(agenda)
    goals = [g for s in spearheads for g in s.goal_rows] + general_goals
    sections = extensions.goal_sections(request.user, goals)
    for goal in goals:
        goal.extra_sections = sections.get(goal.pk, [])
    # Progress rolled up from the rows already fetched (decision 0039): no extra query.
    steering = roll_up(
        spearheads, goals, [a for g in goals for a in g.main_activities + g.sub_activities]
    )
    for goal in goals:
        goal.progress = steering.goals[goal.pk]
    for spearhead in spearheads:
        spearhead.progress = steering.spearheads[spearhead.pk]
    context = {
        "agenda": agenda,
        "owners": agenda.owners.all(),
        "theme_groups": theme_groups,
        "spearheads": spearheads,
        "general_goals": general_goals,
        "interventions": agenda.interventions.filter(archived_on=None),
        "evaluations": with_states(
            agenda.evaluation_moments.filter(
                archived_on=None, intervention__archived_on=None
            ).select_related("intervention"),
            timezone.localdate(),
        ),
        "progress": steering.agenda,
        "prizes": agenda.prizes.all(),
        "latest_version": agenda.versions.order_by("-number").first(),
        "can_edit": can_edit(request.user, agenda),
        "can_write": request.user.has_perm("agenda.write_agenda", agenda),
    }
    if context["can_edit"]:
        # The document the agenda was read from (decision 0053): for its editors only.
        context["source_documents"] = agenda.source_drafts.only("pk", "original_name", "size")
    return render(request, "agenda/agenda_detail.html", context)


# ------------------------------------------------------------------ planning


def _planning_rows(items, months, url_name, agenda):
    month_index = {month: i for i, month in enumerate(months)}
    rows = []
    for item in items:
        cells = [False] * len(months)
        planned = [pm.month for pm in item.planned_months.all()]
        for month in planned:
            if month in month_index:
                cells[month_index[month]] = True
        rows.append(
            {
                "item": item,
                "cells": cells,
                "planned": planned,
                # How the document wrote it: "jan–dec", "Leerdam geheel 2022; ..."
                "written": getattr(item, "planned_text", "") or getattr(item, "planning_text", ""),
                "url": reverse(url_name, args=[agenda.slug, item.external_id]),
            }
        )
    return rows


def _evaluation_rows(evaluations, months, agenda, today):
    """Evaluation moments as rows of the timeline: one marked month and where it stands."""
    month_index = {month: i for i, month in enumerate(months)}
    rows = []
    for evaluation in with_states(evaluations, today):
        if evaluation.month not in month_index:
            continue
        cells = [False] * len(months)
        cells[month_index[evaluation.month]] = True
        url = (
            reverse("agenda:intervention", args=[agenda.slug, evaluation.intervention.external_id])
            if evaluation.intervention
            else reverse("agenda:detail", args=[agenda.slug]) + "#agenda-evaluations"
        )
        rows.append(
            {
                "item": evaluation,
                "cells": cells,
                "planned": [evaluation.month],
                "written": evaluation.planned_text,
                "url": url,
                "state": evaluation.state,
                "mark": _("evaluatie"),
            }
        )
    return rows


def planning(request, slug):
    """Month by month: which activities and interventions are planned when, and the
    evaluation moments."""
    agenda = get_visible_agenda_or_404(request.user, slug)
    # The agenda's period, widened to months planned outside it ("eind 2021" in an agenda
    # that starts in 2022) so that nothing planned drops off the grid.
    planned_span = PlannedMonth.objects.filter(
        Q(activity__agenda=agenda) | Q(intervention__agenda=agenda)
    ).aggregate(first=Min("month"), last=Max("month"))
    evaluation_span = agenda.evaluation_moments.aggregate(first=Min("month"), last=Max("month"))
    all_months = month_range(
        min(filter(None, [agenda.period_start, planned_span["first"], evaluation_span["first"]])),
        max(filter(None, [agenda.period_end, planned_span["last"], evaluation_span["last"]])),
    )
    years = sorted({month.year for month in all_months})
    organisations = (
        Organisation.objects.filter(
            Q(agenda_involvements__activity__agenda=agenda)
            | Q(agenda_involvements__intervention__agenda=agenda)
        )
        .distinct()
        .order_by("name")
    )
    form = PlanningFilterForm(
        request.GET or None, agenda=agenda, organisations=organisations, years=years
    )
    # Main activities, and sub-activities where they carry months of their own (seed 002:
    # the planning lives on the activities).
    activities = agenda.activities.filter(
        Q(kind__in=[ActivityKind.PLANNING, ActivityKind.MAIN]) | Q(planned_months__isnull=False),
        archived_on=None,
    ).select_related("goal", "goal__spearhead")
    interventions = agenda.interventions.filter(archived_on=None)
    year = None
    if form.is_valid():
        data = form.cleaned_data
        if data["speerpunt"]:
            activities = activities.filter(goal__spearhead=data["speerpunt"])
            interventions = interventions.filter(goals__spearhead=data["speerpunt"])
        if data["organisatie"]:
            activities = activities.filter(involvements__organisation=data["organisatie"])
            interventions = interventions.filter(involvements__organisation=data["organisatie"])
        if data["status"]:
            activities = activities.filter(status=data["status"])
            interventions = interventions.filter(status=data["status"])
        year = data["jaar"]
    months = [m for m in all_months if year is None or m.year == year]
    planned_months = Prefetch("planned_months", queryset=PlannedMonth.objects.order_by("month"))
    activities = activities.distinct().order_by("goal__position", "position", "pk")
    interventions = interventions.distinct().order_by("position", "pk")
    year_groups = [(y, sum(1 for m in months if m.year == y)) for y in years if year in (None, y)]
    context = {
        "agenda": agenda,
        "form": form,
        "months": months,
        "year_groups": year_groups,
        "activity_rows": _planning_rows(
            activities.prefetch_related(planned_months), months, "agenda:activity", agenda
        ),
        "intervention_rows": _planning_rows(
            interventions.prefetch_related(planned_months),
            months,
            "agenda:intervention",
            agenda,
        ),
        # Evaluations of the whole agenda always; those of an intervention follow the
        # interventions the filters leave.
        "evaluation_rows": _evaluation_rows(
            agenda.evaluation_moments.filter(
                Q(intervention=None) | Q(intervention__in=interventions)
            ).select_related("intervention"),
            months,
            agenda,
            timezone.localdate(),
        ),
    }
    return render(request, "agenda/planning.html", context)


def planning_table(request, slug):
    """The planning table of seed 002: Speerpunt | Doel | Planning activiteiten <jaar>,
    consecutive goals of the same spearhead grouped as in the document."""
    agenda = get_visible_agenda_or_404(request.user, slug)
    goals = list(agenda.goals.select_related("spearhead"))
    # The lines: separate planning rows where an agenda still has them, otherwise every
    # activity with a planning of its own (its months or its planning as written).
    lines = agenda.activities.filter(kind=ActivityKind.PLANNING, archived_on=None)
    if not lines.exists():
        lines = agenda.activities.filter(
            Q(planned_months__isnull=False) | ~Q(planned_text=""), archived_on=None
        ).distinct()
    lines = lines.order_by("position", "pk").prefetch_related(
        Prefetch("planned_months", queryset=PlannedMonth.objects.order_by("month"))
    )
    lines_by_goal = defaultdict(list)
    for line in lines:
        lines_by_goal[line.goal_id].append(line)
    groups: list[dict] = []
    for goal in goals:
        goal.planning_lines = lines_by_goal[goal.pk]
        if groups and groups[-1]["spearhead_id"] == goal.spearhead_id:
            groups[-1]["goals"].append(goal)
        else:
            groups.append(
                {"spearhead_id": goal.spearhead_id, "spearhead": goal.spearhead, "goals": [goal]}
            )
    # The table is "Planning activiteiten 2022": the year most of its months fall in
    # (a line may say "eind 2021" or "begin 2023").
    main_year = (
        PlannedMonth.objects.filter(activity__in=lines.values("pk"))
        .annotate(year=ExtractYear("month"))
        .values("year")
        .annotate(count=Count("pk"))
        .order_by("-count", "year")
        .first()
    )
    year_label = str(main_year["year"] if main_year else agenda.period_start.year)
    context = {
        "agenda": agenda,
        "groups": groups,
        "year_label": year_label,
        "has_lines": bool(lines_by_goal),
        "unassigned": lines_by_goal.get(None, []),
    }
    return render(request, "agenda/planning_table.html", context)


@login_required
def this_month(request):
    """What is due this month for the organisations I work for."""
    today = timezone.localdate()
    month = parse_month(request.GET.get("maand")) or today.replace(day=1)
    my_organisations = Membership.objects.filter(user=request.user, is_active=True).values(
        "organisation_id"
    )
    mine = Prefetch(
        "involvements",
        queryset=Involvement.objects.filter(organisation__in=my_organisations).select_related(
            "organisation"
        ),
        to_attr="my_involvements",
    )
    activities = (
        due_in_month(Activity.objects, request.user, month)
        .select_related("agenda", "goal")
        .prefetch_related(mine)
        .order_by("agenda__title", "position", "pk")
    )
    interventions = (
        due_in_month(Intervention.objects, request.user, month)
        .select_related("agenda")
        .prefetch_related(mine)
        .order_by("agenda__title", "position", "pk")
    )
    # Evaluations and commitments my organisations answer for (queries.my_*), not every
    # public agenda's.
    evaluations = with_states(
        my_evaluations(request.user)
        .filter(month=month)
        .select_related("agenda", "intervention")
        .order_by("agenda__title", "pk"),
        today,
    )
    commitments = list(
        my_commitments(request.user)
        .filter(times_per_year__isnull=False)
        .select_related("agenda", "owner")
        .order_by("agenda__title", "position", "pk")
    )
    counts = occurrence_counts(commitments)
    previous_month = (month - datetime.timedelta(days=1)).replace(day=1)
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    context = {
        "month": month,
        "is_current_month": month == today.replace(day=1),
        "previous_month": previous_month,
        "next_month": next_month,
        "activities": activities,
        "interventions": interventions,
        "evaluations": evaluations,
        "due_commitments": commitments_due_in_month(commitments, month, counts),
        "overdue": overdue_commitments(commitments, today),
        "has_memberships": Membership.objects.filter(user=request.user, is_active=True).exists(),
        "can_see_reminders": can_see_reminders(request.user),
    }
    return render(request, "agenda/this_month.html", context)


# ------------------------------------------------------------------ activities, interventions


def _progress_post(request, item, *, with_progress: bool):
    """Handle the progress form; returns (form, response or None)."""
    form = ProgressForm(request.POST, item=item, with_progress=with_progress)
    if form.is_valid():
        data = form.cleaned_data
        # Only what changed: an unchanged status is not a new version of the item.
        progress = data.get("progress")
        services.update_progress(
            item,
            actor=request.user,
            status=data["status"] if data["status"] != item.status else None,
            progress=progress if progress is not None and progress != item.progress else None,
            note=data["note"],
            is_milestone=data["is_milestone"],
            date=data["date"],
        )
        messages.success(request, _("De voortgang is bijgewerkt."))
        return form, redirect(request.path)
    return form, None


def activity_detail(request, slug, external_id):
    agenda = get_visible_agenda_or_404(request.user, slug)
    activity = get_object_or_404(
        Activity.objects.filter(agenda=agenda).select_related("goal", "goal__spearhead", "parent"),
        external_id=external_id,
    )
    children = list(activity.children.order_by("position", "pk"))
    can_update = request.user.has_perm("agenda.update_progress", activity)
    form = None
    if request.method == "POST":
        if not can_update:
            return _deny(request)
        form, response = _progress_post(request, activity, with_progress=not children)
        if response:
            return response
    elif can_update:
        form = ProgressForm(item=activity, with_progress=not children)
    funding = activity.funding_lines.filter(archived_on=None).select_related("payer")
    context = {
        "agenda": agenda,
        "activity": activity,
        "children": children,
        "progress": services.rolled_up_progress(activity, children),
        "own_progress": services.effective_progress(activity),
        "involvements": activity.involvements.select_related("organisation", "person"),
        "planned_months": [pm.month for pm in activity.planned_months.all()],
        "notes": activity.progress_notes.select_related("author"),
        "funding_lines": funding,
        "funding_total": _money_totals(funding),
        "form": form,
        "can_update": can_update,
        "history": _history(activity) if request.user.is_authenticated else [],
    }
    return render(request, "agenda/activity_detail.html", context)


def intervention_detail(request, slug, external_id):
    agenda = get_visible_agenda_or_404(request.user, slug)
    intervention = get_object_or_404(
        Intervention.objects.filter(agenda=agenda).prefetch_related("goals", "locations"),
        external_id=external_id,
    )
    can_update = request.user.has_perm("agenda.update_progress", intervention)
    form = None
    if request.method == "POST":
        if not can_update:
            return _deny(request)
        form, response = _progress_post(request, intervention, with_progress=True)
        if response:
            return response
    elif can_update:
        form = ProgressForm(item=intervention)
    funding = intervention.funding_lines.filter(archived_on=None).select_related("payer")
    context = {
        "agenda": agenda,
        "intervention": intervention,
        "involvements": intervention.involvements.select_related("organisation", "person"),
        "planned_months": [pm.month for pm in intervention.planned_months.all()],
        "funding_lines": funding,
        "funding_by_year": _totals_by_year(funding),
        "funding_total": _money_totals(funding),
        "evaluations": with_states(intervention.evaluation_moments.all(), timezone.localdate()),
        "notes": intervention.progress_notes.select_related("author"),
        "form": form,
        "can_update": can_update,
        "history": _history(intervention) if request.user.is_authenticated else [],
    }
    return render(request, "agenda/intervention_detail.html", context)


# ------------------------------------------------------------------ money

CHART_LABEL_WIDTH = 300
CHART_BAR_WIDTH = 420
CHART_VALUE_WIDTH = 140
CHART_ROW_HEIGHT = 36


def funding_bar_chart(rows: list[dict]) -> dict:
    """Geometry of a horizontal bar chart (server-side SVG, no script): one bar per row
    with ``label`` and ``value``; the page shows the same numbers in a table."""
    largest = max((row["value"] or Decimal(0) for row in rows), default=Decimal(0))
    bars = []
    for index, row in enumerate(rows):
        value = row["value"] or Decimal(0)
        width = int(CHART_BAR_WIDTH * value / largest) if largest else 0
        y = index * CHART_ROW_HEIGHT
        bars.append(
            row
            | {
                "y": y,
                "text_y": y + CHART_ROW_HEIGHT // 2 + 5,
                "bar_y": y + 6,
                "bar_height": CHART_ROW_HEIGHT - 12,
                "width": max(width, 2 if value else 0),
                "value_x": CHART_LABEL_WIDTH + max(width, 2) + 8,
            }
        )
    return {
        "bars": bars,
        "label_width": CHART_LABEL_WIDTH,
        "label_x": CHART_LABEL_WIDTH - 10,
        "width": CHART_LABEL_WIDTH + CHART_BAR_WIDTH + CHART_VALUE_WIDTH,
        "height": max(len(rows), 1) * CHART_ROW_HEIGHT,
    }


def financing(request, slug):
    """The money of an agenda by source and year, per intervention and in total; every
    sum is computed by the database."""
    agenda = get_visible_agenda_or_404(request.user, slug)
    # Archived lines and the lines of archived items are kept for the history, not
    # counted (decision 0037).
    lines = FundingLine.objects.filter(
        Q(intervention__agenda=agenda) | Q(activity__agenda=agenda), CURRENT_FUNDING
    )
    sums = {
        "planned": Sum("planned_amount"),
        "realised": Sum("realised_amount"),
        "estimates": Count("pk", filter=Q(is_estimate=True)),
    }
    source_labels = dict(FundingSource.choices)
    by_year_source = list(
        lines.values("year", "source").annotate(**sums).order_by("year", "source")
    )
    by_year = {row["year"]: row for row in lines.values("year").annotate(**sums).order_by("year")}
    by_source = list(lines.values("source").annotate(**sums).order_by("-planned", "source"))
    for row in by_year_source + by_source:
        row["label"] = source_labels.get(row["source"], row["source"])
    years = [
        {"year": year, "total": total, "rows": [r for r in by_year_source if r["year"] == year]}
        for year, total in by_year.items()
    ]
    current = Q(funding_lines__archived_on=None)
    line_sums = {
        "planned": Sum("funding_lines__planned_amount", filter=current),
        "realised": Sum("funding_lines__realised_amount", filter=current),
        "estimates": Count("funding_lines", filter=current & Q(funding_lines__is_estimate=True)),
        "line_count": Count("funding_lines", filter=current),
    }
    per_intervention = (
        agenda.interventions.filter(archived_on=None)
        .annotate(**line_sums)
        .filter(line_count__gt=0)
        .order_by("position", "pk")
    )
    per_activity = (
        agenda.activities.filter(archived_on=None)
        .annotate(**line_sums)
        .filter(line_count__gt=0)
        .order_by("position", "pk")
    )
    chart = funding_bar_chart(
        [
            {"label": row["label"], "value": row["planned"], "estimate": row["estimates"] > 0}
            for row in by_source
        ]
    )
    context = {
        "agenda": agenda,
        "years": years,
        "by_source": by_source,
        "per_intervention": per_intervention,
        "per_activity": per_activity,
        "total": _money_totals(lines),
        "chart": chart,
        "payer_splits": split_by_payer(lines),
    }
    return render(request, "agenda/financing.html", context)


# ------------------------------------------------------------------ commitments


def _render_commitments(request, agenda, *, bound_form=None, status=200):
    today = timezone.localdate()
    commitments = list(
        agenda.commitments.select_related("owner", "agenda").prefetch_related(
            Prefetch(
                "occurrences",
                queryset=CommitmentOccurrence.objects.select_related("recorded_by").order_by(
                    "-date", "-pk"
                ),
            )
        )
    )
    counts = occurrence_counts(commitments)
    editable = can_edit(request.user, agenda)
    for commitment in commitments:
        commitment.years = commitment_status(commitment, today, counts)
        if editable:
            if bound_form is not None and bound_form.commitment.pk == commitment.pk:
                commitment.form = bound_form
            else:
                commitment.form = OccurrenceForm(
                    prefix=f"afspraak-{commitment.pk}",
                    commitment=commitment,
                    initial={"date": today},
                )
    context = {"agenda": agenda, "commitments": commitments, "can_edit": editable, "today": today}
    return render(request, "agenda/commitments.html", context, status=status)


def commitments(request, slug):
    agenda = get_visible_agenda_or_404(request.user, slug)
    return _render_commitments(request, agenda)


@login_required
@require_POST
def record_occurrence(request, slug, pk):
    agenda = get_visible_agenda_or_404(request.user, slug)
    commitment = get_object_or_404(agenda.commitments.select_related("agenda"), pk=pk)
    _require_edit(request, agenda)
    form = OccurrenceForm(request.POST, prefix=f"afspraak-{pk}", commitment=commitment)
    if not form.is_valid():
        return _render_commitments(request, agenda, bound_form=form, status=400)
    services.record_commitment_occurrence(
        commitment,
        actor=request.user,
        date=form.cleaned_data["date"],
        note=form.cleaned_data["note"],
    )
    messages.success(
        request,
        _("Vastgelegd: de afspraak is op %(date)s nagekomen.")
        % {"date": form.cleaned_data["date"].strftime("%d-%m-%Y")},
    )
    return redirect(reverse("agenda:commitments", args=[agenda.slug]) + f"#afspraak-{pk}")


# ------------------------------------------------------------------ versions, adoption


def versions(request, slug):
    agenda = get_visible_agenda_or_404(request.user, slug)
    editable = can_edit(request.user, agenda)
    form = VersionForm() if editable else None
    status = 200
    if request.method == "POST":
        if not editable:
            return _deny(request)
        form = VersionForm(request.POST)
        if form.is_valid():
            version = services.save_version(
                agenda, actor=request.user, label=form.cleaned_data["label"]
            )
            messages.success(
                request, _("Versie %(number)s is bewaard.") % {"number": version.number}
            )
            return redirect("agenda:versions", slug=agenda.slug)
        status = 400
    version_list = list(agenda.versions.select_related("created_by").order_by("-number"))
    for index, version in enumerate(version_list):
        version.previous_number = (
            version_list[index + 1].number if index + 1 < len(version_list) else None
        )
    context = {"agenda": agenda, "versions": version_list, "form": form, "can_edit": editable}
    return render(request, "agenda/versions.html", context, status=status)


def versions_compare(request, slug):
    """The compare form (GET) leads to the readable diff."""
    agenda = get_visible_agenda_or_404(request.user, slug)
    old, new = id_from(request.GET.get("van")), id_from(request.GET.get("naar"))
    if old is None or new is None:
        return redirect("agenda:versions", slug=agenda.slug)
    return redirect("agenda:version_diff", slug=agenda.slug, a=old, b=new)


CURRENT = 0  # version number that stands for the tree as it is now


def version_diff(request, slug, a, b):
    agenda = get_visible_agenda_or_404(request.user, slug)
    versions_by_number = {v.number: v for v in agenda.versions.filter(number__in=[a, b])}
    if a not in versions_by_number or (b != CURRENT and b not in versions_by_number):
        raise Http404
    old = versions_by_number[a]
    new = versions_by_number.get(b)
    new_snapshot = new.snapshot if new else services.agenda_snapshot(agenda)
    context = {
        "agenda": agenda,
        "old": old,
        "new": new,
        "diff": services.diff_snapshots(old.snapshot, new_snapshot),
        "all_versions": agenda.versions.order_by("-number"),
    }
    return render(request, "agenda/version_diff.html", context)


@login_required
def adopt(request, slug):
    agenda = get_visible_agenda_or_404(request.user, slug)
    _require_edit(request, agenda)
    form = AdoptForm(request.POST or None, initial={"adopted_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        version = services.adopt_agenda(
            agenda,
            actor=request.user,
            adopted_on=form.cleaned_data["adopted_on"],
            adopted_by=form.cleaned_data["adopted_by"],
        )
        messages.success(
            request,
            _("De agenda is vastgesteld; de inhoud is bewaard als versie %(number)s.")
            % {"number": version.number},
        )
        return redirect(agenda.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    # What changed since the last adoption, read before the agenda is adopted again.
    context = {"agenda": agenda, "form": form, "changes": authoring.changes_since_adoption(agenda)}
    return render(request, "agenda/adopt.html", context, status=status)


@login_required
@require_POST
def publication(request, slug):
    agenda = get_visible_agenda_or_404(request.user, slug)
    _require_edit(request, agenda)
    make_public = request.POST.get("openbaar") == "1"
    if make_public and agenda.status == AgendaStatus.CONCEPT:
        messages.error(request, _("Alleen een vastgestelde agenda kan openbaar worden."))
    else:
        try:
            services.set_publication(agenda, actor=request.user, is_public=make_public)
        except ValidationError as error:  # pragma: no cover - guarded above
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("De agenda is openbaar: iedereen kan hem lezen zonder in te loggen.")
                if make_public
                else _("De agenda is niet meer openbaar."),
            )
    return redirect(agenda.get_absolute_url())


# ------------------------------------------------------------------ the education prize


def can_manage_prize(user, prize: EducationPrize) -> bool:
    """Editors of the prize's agenda, or beleidsmedewerkers of the organiser."""
    if not user.is_authenticated:
        return False
    if prize.agenda_id is not None:
        return can_edit(user, prize.agenda)
    return (
        user.is_superuser
        or Membership.objects.filter(
            user=user,
            is_active=True,
            organisation_id=prize.organiser_id,
            role__in=[Role.POLICY_OFFICER, Role.ADMIN],
        ).exists()
    )


PUBLIC_NOMINATION_STATUSES = [NominationStatus.SHORTLISTED, NominationStatus.WINNER]


def prize_detail(request, pk):
    """The prize is a public call: anyone may read it and nominate. Who was nominated is
    public only once shortlisted; the organisers see every nomination."""
    prize = get_object_or_404(EducationPrize.objects.select_related("agenda", "organiser"), pk=pk)
    manager = can_manage_prize(request.user, prize)
    nominations = prize.nominations.all()
    if not manager:
        nominations = nominations.filter(status__in=PUBLIC_NOMINATION_STATUSES)
    by_category = defaultdict(list)
    for nomination in nominations.order_by("category", "-status", "submitted_at", "pk"):
        if manager:
            nomination.status_form = NominationStatusForm(
                prefix=f"nominatie-{nomination.pk}", initial={"status": nomination.status}
            )
        by_category[nomination.category].append(nomination)
    categories = [
        {"value": value, "label": label, "nominations": by_category[value]}
        for value, label in PrizeCategory.choices
    ]
    agenda_visible = (
        prize.agenda is not None
        and Agenda.objects.visible_to(request.user).filter(pk=prize.agenda_id).exists()
    )
    context = {
        "prize": prize,
        "categories": categories,
        "can_manage": manager,
        "agenda_visible": agenda_visible,
        "counts": prize.nominations.aggregate(
            total=Count("pk"),
            shortlisted=Count("pk", filter=Q(status=NominationStatus.SHORTLISTED)),
            winners=Count("pk", filter=Q(status=NominationStatus.WINNER)),
        )
        if manager
        else None,
    }
    return render(request, "agenda/prize_detail.html", context)


def nominate(request, pk):
    prize = get_object_or_404(EducationPrize.objects.select_related("organiser"), pk=pk)
    today = timezone.localdate()
    refusal = services.nominations_refusal(prize, today)
    if refusal is not None:
        # An edition outside its window refuses, and points to the edition that is open.
        context = {
            "prize": prize,
            "form": None,
            "refusal": refusal,
            "open_edition": prize.later_editions().taking_nominations(today).first(),
        }
        status = 403 if request.method == "POST" else 200
        return render(request, "agenda/nominate.html", context, status=status)
    if request.method == "POST":
        # Anyone may nominate without an account: every post counts, valid or not.
        refusal = throttle.attempt(
            throttle.PUBLIC_FORM_PER_ADDRESS, throttle.client_address(request)
        )
        if refusal is not None:
            return refused(request, refusal)
    form = NominationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.submit_nomination(prize, actor=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("Dank je wel! De nominatie van %(nominee)s is ontvangen.")
            % {"nominee": form.cleaned_data["nominee"]},
        )
        return redirect("agenda:prize", pk=prize.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "agenda/nominate.html", {"prize": prize, "form": form}, status=status)


@login_required
@require_POST
def nomination_status(request, pk):
    nomination = get_object_or_404(
        Nomination.objects.select_related("prize", "prize__agenda", "prize__organiser"), pk=pk
    )
    if not can_manage_prize(request.user, nomination.prize):
        raise Http404
    form = NominationStatusForm(request.POST, prefix=f"nominatie-{pk}")
    if form.is_valid():
        services.set_nomination_status(
            nomination, actor=request.user, status=form.cleaned_data["status"]
        )
        messages.success(
            request,
            _("%(nominee)s: %(status)s.")
            % {"nominee": nomination.nominee, "status": nomination.get_status_display()},
        )
    else:
        messages.error(request, _("Kies een geldige status."))
    return redirect(reverse("agenda:prize", args=[nomination.prize_id]) + f"#nominatie-{pk}")
