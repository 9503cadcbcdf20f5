"""One page per indicator for the council ("turn the curve", Results-Based Accountability):
the trend beside its target and the national line, the story behind the curve, the
partners with a role, what works and the plan of action, for each indicator of an agenda.

``build_curve(agenda, indicator)`` reads it all into one plain object; the web page and the
one-page PDF render that same object. The page is written for the council, a public
document, so every figure on it is the published one (``Disclosure(public=True)``), whoever
opens it: a count below the threshold reads "<5", a figure hidden to protect one ".", and
neither is drawn (as the council progress report does, ``indicators.report``).

What it reads from the agenda: the goals of this agenda that the indicator measures, the
main and sub-activities under them (the plan of action), the organisations and parties
with a role on those activities and on the interventions linked to those goals (the
partners), and those interventions (what works).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Min, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.indicators import charts, suppression
from kansrijk.indicators.disclosure import (
    Disclosure,
    has_number,
    status_for,
)
from kansrijk.indicators.models import Baseline, Indicator, Measurement, Target
from kansrijk.indicators.status import indicator_status, target_label
from kansrijk.operations.metrics import timed_document
from kansrijk.periods import format_period

from . import services
from .exporting import format_date
from .extensions import GoalSection, register_goal_section
from .models import (
    Activity,
    ActivityKind,
    Agenda,
    CurveStory,
    Goal,
    Intervention,
    Involvement,
    InvolvementRole,
    PlannedMonth,
)

# The order in which a partner's roles are named: who leads first.
ROLE_ORDER = [
    InvolvementRole.LEAD,
    InvolvementRole.FUNDER,
    InvolvementRole.PARTNER,
    InvolvementRole.EXECUTOR,
]


# ------------------------------------------------------------------ which indicators


def council_indicators(agenda: Agenda, user):
    """The indicators of ``agenda`` that ``user`` may see, in the order of the first goal
    of the agenda each one measures, each with ``agenda_goals`` (its goals in this agenda)."""
    goals = Goal.objects.filter(agenda=agenda).order_by("position", "pk")
    return (
        Indicator.objects.visible_to(user)
        .filter(goals__agenda=agenda)
        .annotate(first_goal=Min("goals__position"))
        .order_by("first_goal", "name", "pk")
        .prefetch_related(Prefetch("goals", queryset=goals, to_attr="agenda_goals"))
    )


def get_council_indicator_or_404(agenda: Agenda, user, code: str) -> Indicator:
    """One answer for an indicator that is not linked to the agenda, not visible to the
    user, or does not exist: 404."""
    return get_object_or_404(
        Indicator.objects.visible_to(user)
        .filter(goals__agenda=agenda)
        .distinct()
        .select_related("owner__municipality", "comparison"),
        code=code,
    )


@register_goal_section
def council_pages_of_goals(user, goals) -> dict[int, GoalSection]:
    """Under each goal of the agenda page: its indicators, linked to their page for the
    council (one query for all goals)."""
    links = (
        Indicator.goals.through.objects.filter(
            goal_id__in=[goal.pk for goal in goals],
            indicator__in=Indicator.objects.visible_to(user).values("pk"),
        )
        .values_list("goal_id", "goal__agenda__slug", "indicator__code", "indicator__name")
        .order_by("indicator__name")
    )
    sections: dict[int, GoalSection] = {}
    for goal_id, slug, code, name in links:
        section = sections.setdefault(goal_id, GoalSection(title=_("Indicatoren voor de raad")))
        section.links.append((name, reverse("agenda:curve", args=[slug, code])))
    return sections


# ------------------------------------------------------------------ the page's content


@dataclass
class Partner:
    name: str
    roles: list[str]
    leads: bool


@dataclass
class ActionLine:
    activity: Activity
    depth: int
    months: list
    progress: int | None


@dataclass
class CurvePage:
    agenda: Agenda
    indicator: Indicator
    goals: list[Goal]
    scope_name: str
    chart: charts.Chart
    baseline_text: str
    baseline_period: str
    targets: list[tuple[str, str]]
    latest_text: str
    latest_period: str
    status: object
    story: CurveStory | None
    story_withheld: bool
    partners: list[Partner]
    interventions: list[Intervention]
    actions: list[ActionLine]
    national_name: str = ""
    has_generated: bool = False
    legend: list[tuple[str, str]] = field(default_factory=list)

    @property
    def story_text(self) -> str:
        if self.story is None or self.story_withheld:
            return ""
        return self.story.text


def _scope(agenda: Agenda, indicator: Indicator, totals: list[Measurement]):
    """The area the page follows: the agenda's own area when the indicator has figures
    there, else the owner's gemeente when it has, else whichever of the two is known."""
    owner_region = indicator.owner.municipality if indicator.owner_id else None
    candidates = [region for region in (agenda.region, owner_region) if region is not None]
    with_figures = {m.region_id for m in totals}
    for region in candidates:
        if region.pk in with_figures:
            return region
    return candidates[0] if candidates else None


def _national_figures(indicator: Indicator, disclosure: Disclosure):
    """The national line: the indicator's own figures for the country, or those of the
    national series it is compared with (the NJi VE reach beside a gemeente's reach)."""
    national_indicator = indicator.comparison or indicator
    rows = (
        Measurement.objects.approved()
        .filter(indicator=national_indicator, region__kind="country", breakdown_key="")
        .select_related("indicator")
        .order_by("period_start")
    )
    return national_indicator, disclosure.figures(rows)


def _actions(goals: list[Goal]) -> list[ActionLine]:
    """The main activities of the goals with their sub-activities beneath them, each with
    its planned months and progress (three queries)."""
    goal_ids = [goal.pk for goal in goals]
    activities = list(
        Activity.objects.filter(kind__in=[ActivityKind.MAIN, ActivityKind.SUB])
        .filter(
            Q(goal_id__in=goal_ids)
            | Q(parent__goal_id__in=goal_ids)
            | Q(parent__parent__goal_id__in=goal_ids)
        )
        .prefetch_related(
            Prefetch("planned_months", queryset=PlannedMonth.objects.order_by("month"))
        )
        .order_by("position", "pk")
    )
    by_pk = {activity.pk: activity for activity in activities}
    children: dict[int | None, list[Activity]] = defaultdict(list)
    for activity in activities:
        parent = activity.parent_id if activity.parent_id in by_pk else None
        children[parent].append(activity)
    goal_rank = {goal.pk: index for index, goal in enumerate(goals)}
    roots = sorted(
        children[None], key=lambda a: (goal_rank.get(a.goal_id, len(goals)), a.position, a.pk)
    )
    lines: list[ActionLine] = []

    def add(activity: Activity, depth: int) -> None:
        own_children = children.get(activity.pk, [])
        lines.append(
            ActionLine(
                activity=activity,
                depth=depth,
                months=[pm.month for pm in activity.planned_months.all()],
                progress=services.rolled_up_progress(activity, own_children),
            )
        )
        for child in own_children:
            add(child, depth + 1)

    for root in roots:
        add(root, 0)
    return lines


def _partners(activities: list[Activity], interventions: list[Intervention]) -> list[Partner]:
    """Every organisation or named party with a role on the plan or on what works, once,
    with all its roles; those who lead first."""
    involvements = (
        Involvement.objects.filter(
            Q(activity__in=[a.pk for a in activities])
            | Q(intervention__in=[i.pk for i in interventions])
        )
        .select_related("organisation")
        .order_by("pk")
    )
    roles: dict[str, set[str]] = defaultdict(set)
    for involvement in involvements:
        name = involvement.organisation.name if involvement.organisation else involvement.party_name
        roles[name].add(involvement.role)
    partners = [
        Partner(
            name=name,
            roles=[str(role.label) for role in ROLE_ORDER if role in found],
            leads=InvolvementRole.LEAD in found,
        )
        for name, found in roles.items()
    ]
    return sorted(partners, key=lambda p: (not p.leads, p.name.lower()))


def build_curve(agenda: Agenda, indicator: Indicator) -> CurvePage:
    """Everything on the page (and in the PDF) of ``indicator`` in ``agenda``."""
    disclosure = Disclosure(public=True)
    goals = list(
        Goal.objects.filter(agenda=agenda, indicators=indicator).order_by("position", "pk")
    )
    totals = list(
        indicator.measurements.approved()
        .filter(breakdown_key="", region__isnull=False)
        .select_related("indicator", "region")
        .order_by("period_start")
    )
    region = _scope(agenda, indicator, totals)
    series = disclosure.figures(m for m in totals if region and m.region_id == region.pk)
    # Without an area there is no nulmeting or target to draw (a region of None would
    # match those of an organisation).
    baseline = (
        Baseline.objects.filter(indicator=indicator, region=region).first() if region else None
    )
    targets = (
        list(Target.objects.filter(indicator=indicator, region=region).order_by("date"))
        if region
        else []
    )
    baseline_shown = suppression.publish_measurement(baseline) if baseline else None
    national_indicator, national = _national_figures(indicator, disclosure)
    scope_name = region.name if region else _("alle gebieden")
    chart = charts.trend_chart(
        [(f.measurement, f.chart_value) for f in series],
        baseline=(format_period(baseline), baseline_shown) if baseline else None,
        targets=[(target_label(t), t.value) for t in targets],
        national=[(f.measurement, f.chart_value) for f in national] or None,
        unit=indicator.unit,
        decimals=indicator.decimals,
        title=_("%(name)s in %(scope)s") % {"name": indicator.name, "scope": scope_name},
        series_label=scope_name,
        chart_id=f"curve-{indicator.code}",
    )
    status = status_for(disclosure, indicator_status(indicator, region=region)) if region else None
    latest = series[-1] if series else None
    interventions = list(
        Intervention.objects.filter(agenda=agenda, goals__in=goals)
        .distinct()
        .order_by("position", "pk")
    )
    actions = _actions(goals)
    story = CurveStory.objects.filter(agenda=agenda, indicator=indicator).first()
    # A story names no number beside a hidden figure: it could give the figure away.
    anything_hidden = any(f.hidden for f in [*series, *national]) or suppression.is_marker(
        baseline_shown
    )
    story_withheld = bool(story and anything_hidden and has_number(story.text))
    return CurvePage(
        agenda=agenda,
        indicator=indicator,
        goals=goals,
        scope_name=str(scope_name),
        chart=chart,
        baseline_text=charts.format_value(baseline_shown, indicator.unit, indicator.decimals),
        baseline_period=format_period(baseline) if baseline else "",
        targets=[
            (target_label(t), charts.format_value(t.value, indicator.unit, indicator.decimals))
            for t in targets
        ],
        latest_text=latest.value.text if latest else "",
        latest_period=format_period(latest.measurement) if latest else "",
        status=status,
        story=story,
        story_withheld=story_withheld,
        partners=_partners([line.activity for line in actions], interventions),
        interventions=interventions,
        actions=actions,
        national_name=national_indicator.name if national else "",
        has_generated=any(f.measurement.is_generated for f in series),
        legend=chart.legend,
    )


# ------------------------------------------------------------------ the one-page PDF

# Each step leaves out more of the long texts, until the page fits on one A4.
PDF_LEVELS = (
    {"actions": 14, "words": 28, "story_words": 160, "items": 10},
    {"actions": 10, "words": 16, "story_words": 90, "items": 7},
    {"actions": 6, "words": 10, "story_words": 45, "items": 4},
)


def render_curve_html(page: CurvePage, level: int = 0) -> str:
    limits = PDF_LEVELS[level]
    # The chart's table beside it: the periods with a figure of the area, the nulmeting
    # and the targets (the national series alone may go back twenty years).
    table_rows = [row for row in page.chart.table if row[1] != suppression.NO_FIGURE]
    return render_to_string(
        "agenda/curve/print.html",
        {
            "page": page,
            "generated_on": format_date(timezone.localdate()),
            "table_rows": table_rows,
            "limits": limits,
            "actions": page.actions[: limits["actions"]],
            "more_actions": max(len(page.actions) - limits["actions"], 0),
            "partners": page.partners[: limits["items"]],
            "more_partners": max(len(page.partners) - limits["items"], 0),
            "interventions": page.interventions[: limits["items"]],
            "more_interventions": max(len(page.interventions) - limits["items"], 0),
        },
    )


@timed_document("council_page", "pdf")
def render_curve_pdf(page: CurvePage) -> bytes:
    """One A4 page: rendered with the full texts first and, while it runs over, again
    with shorter ones (the web page keeps them whole). Nothing is fetched from outside."""
    from kansrijk.reports.pdf import html_to_document

    document = None
    for level in range(len(PDF_LEVELS)):
        document = html_to_document(render_curve_html(page, level))
        if len(document.pages) == 1:
            break
    return document.write_pdf()


def curve_filename(agenda: Agenda, indicator: Indicator) -> str:
    return f"{agenda.slug}-{indicator.code}-raad.pdf"
