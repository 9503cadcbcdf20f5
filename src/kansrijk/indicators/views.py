"""The monitor pages: thin views over ``queries`` (who sees what), ``services`` (every
change), ``status`` (how an indicator is doing), ``suppression`` (what may leave for
someone not entitled to the detail) and ``charts`` (the SVG pictures).

An indicator a user may not see answers 404, the same as one that does not exist. Every
figure is shown through ``disclosure.Disclosure``: as entered to those entitled to the
detail, through the suppression of small numbers to everyone else."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kansrijk.agenda.models import Agenda, Goal
from kansrijk.organisations.models import Region, RegionMembership
from kansrijk.periods import format_period

from . import charts, services, status, suppression
from .disclosure import Disclosure, small_number_warning
from .disclosure import status_for as disclosure_status
from .forms import DecisionForm, MeasurementForm, scopes_for
from .models import ApprovalStatus, Indicator, Measurement, SourceKind, Unit
from .status import target_label

HISTORY_LENGTH = 20
QUEUE_LENGTH = 100


# ------------------------------------------------------------------ look-ups and checks


def get_visible_indicator_or_404(user, code: str) -> Indicator:
    return get_object_or_404(
        Indicator.objects.visible_to(user).select_related("owner__municipality"), code=code
    )


def home_region(indicator: Indicator) -> Region | None:
    """The scope an indicator is followed for by default: its owner's gemeente."""
    owner = indicator.owner
    return owner.municipality if owner is not None else None


def _history(item) -> list:
    return list(
        item.history.select_related("history_user").order_by("-history_id")[:HISTORY_LENGTH]
    )


def _indicator_with_status(indicators, disclosure: Disclosure):
    """Each indicator with its status for its owner's gemeente, as the viewer may see it,
    in a few queries for the whole list (not per indicator)."""
    pairs = [(indicator, home_region(indicator)) for indicator in indicators]
    statuses = status.statuses_for_regions(pairs)
    for indicator, region in pairs:
        indicator.home_region = region
        indicator.status = (
            disclosure_status(disclosure, statuses.get((indicator.pk, region.pk)))
            if region
            else None
        )
    return indicators


def _goals_of(indicator, visible_agenda_ids: set[int]) -> list:
    """The goals an indicator measures, of the agendas the viewer may open."""
    return [goal for goal in indicator.goals.all() if goal.agenda_id in visible_agenda_ids]


# ------------------------------------------------------------------ overview and agenda


def overview(request):
    """Every indicator the user may see, grouped by the agenda goal it measures. With
    ``?aanleveren=1`` only those the user can deliver a figure for (the same test as the
    indicator page's "Een cijfer aanleveren"), each with that link: the home page's task."""
    disclosure = Disclosure(request.user)
    visible_agenda_ids = set(Agenda.objects.visible_to(request.user).values_list("pk", flat=True))
    delivering = request.GET.get("aanleveren") == "1" and bool(scopes_for(request.user))
    visible = Indicator.objects.visible_to(request.user)
    if delivering:
        visible = visible.exclude(source_kind=SourceKind.COMPUTED)
    indicators = list(
        visible.select_related("owner__municipality")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.select_related("agenda")))
        .order_by("name")
    )
    _indicator_with_status(indicators, disclosure)
    groups: dict[object, list] = defaultdict(list)
    loose = []
    for indicator in indicators:
        goals = _goals_of(indicator, visible_agenda_ids)
        if not goals:
            loose.append(indicator)
        for goal in goals:
            groups[goal].append(indicator)
    goal_groups = sorted(groups.items(), key=lambda pair: (pair[0].agenda.title, pair[0].number))
    return render(
        request,
        "indicators/overview.html",
        {
            "goal_groups": goal_groups,
            "loose": loose,
            "count": len(indicators),
            "delivering": delivering,
        },
    )


def agenda_monitor(request, slug):
    agenda = get_object_or_404(Agenda.objects.visible_to(request.user), slug=slug)
    disclosure = Disclosure(request.user)
    visible = Indicator.objects.visible_to(request.user)
    measurements = (
        Measurement.objects.approved()
        .filter(breakdown_key="")
        .select_related("indicator")
        .order_by("period_start")
    )
    goals = list(
        agenda.goals.prefetch_related(
            Prefetch(
                "indicators",
                queryset=visible.select_related("owner__municipality").prefetch_related(
                    Prefetch("measurements", queryset=measurements, to_attr="series_measurements")
                ),
            )
        ).order_by("number")
    )
    for goal in goals:
        goal.monitor_indicators = _indicator_with_status(list(goal.indicators.all()), disclosure)
        for indicator in goal.monitor_indicators:
            region = indicator.home_region
            series = [
                m
                for m in indicator.series_measurements
                if m.region_id == (region.pk if region else None)
            ]
            indicator.chart = charts.trend_chart(
                [(f.measurement, f.chart_value) for f in disclosure.figures(series)],
                unit=indicator.unit,
                decimals=indicator.decimals,
                title=_("%(name)s in %(scope)s")
                % {"name": indicator.name, "scope": region.name if region else "–"},
                chart_id=f"chart-{goal.pk}-{indicator.pk}",
            )
    return render(
        request,
        "indicators/agenda_monitor.html",
        {"agenda": agenda, "goals": goals},
    )


# ------------------------------------------------------------------ per region


def region_monitor(request, code):
    region = get_object_or_404(Region, code=code)
    disclosure = Disclosure(request.user)
    today = timezone.localdate()
    child_ids = list(
        RegionMembership.objects.valid_on(today)
        .filter(parent=region)
        .values_list("child_id", flat=True)
    )
    children = {r.pk: r for r in Region.objects.filter(pk__in=child_ids)}
    indicators = list(Indicator.objects.visible_to(request.user).select_related("owner"))
    by_pk = {i.pk: i for i in indicators}
    measurements = (
        Measurement.objects.approved()
        .filter(indicator__in=indicators, breakdown_key="")
        .filter(region__in=[region.pk, *children])
        .select_related("indicator", "region")
        .order_by("period_start")
    )
    own: dict[int, list] = defaultdict(list)
    of_children: dict[int, list] = defaultdict(list)
    for figure in disclosure.figures(measurements):
        m = figure.measurement
        (own if m.region_id == region.pk else of_children)[m.indicator_id].append(figure)
    rows = []
    for pk in sorted(set(own) | set(of_children), key=lambda pk: by_pk[pk].name):
        indicator = by_pk[pk]
        row = {"indicator": indicator, "trend": None, "bars": None}
        if own[pk]:
            row["trend"] = charts.trend_chart(
                [(f.measurement, f.chart_value) for f in own[pk]],
                unit=indicator.unit,
                decimals=indicator.decimals,
                title=_("%(name)s in %(scope)s") % {"name": indicator.name, "scope": region.name},
                chart_id=f"trend-{indicator.pk}",
            )
        if of_children[pk]:
            latest = max(f.measurement.period_start for f in of_children[pk])
            latest_rows = sorted(
                (f for f in of_children[pk] if f.measurement.period_start == latest),
                key=lambda f: f.measurement.region.name,
            )
            row["period"] = format_period(latest_rows[0].measurement)
            row["bars"] = charts.bar_chart(
                [(f.measurement.region.name, f.chart_value) for f in latest_rows],
                unit=indicator.unit,
                decimals=indicator.decimals,
                title=_("%(name)s per gebied in %(region)s, %(period)s")
                % {"name": indicator.name, "region": region.name, "period": row["period"]},
                chart_id=f"bars-{indicator.pk}",
            )
        rows.append(row)
    return render(
        request,
        "indicators/region_monitor.html",
        {
            "region": region,
            "rows": rows,
            "children": sorted(children.values(), key=str),
        },
    )


# ------------------------------------------------------------------ indicator detail


def indicator_detail(request, code):
    indicator = get_visible_indicator_or_404(request.user, code)
    disclosure = Disclosure(request.user)
    entitled = disclosure.entitled(indicator)
    region = home_region(indicator)
    requested = request.GET.get("regio")
    if requested:
        region = get_object_or_404(Region, code=requested)
    measurements = Measurement.objects.filter(indicator=indicator, region=region).select_related(
        "indicator", "region", "entered_by"
    )
    if not entitled:
        measurements = measurements.approved()
    figures = disclosure.figures(
        measurements.order_by("period_start", "breakdown_key", "breakdown_value")
    )
    baseline = indicator.baselines.filter(region=region).first() if region else None
    targets = list(indicator.targets.filter(region=region)) if region else []
    national = None
    if region is None or region.kind != "country":
        # The national series: the indicator's own figures for the country, or those of
        # the national indicator it is compared with (e.g. the NJi VE reach).
        national_indicator = indicator.comparison or indicator
        national_rows = (
            Measurement.objects.approved()
            .filter(indicator=national_indicator, region__kind="country", breakdown_key="")
            .select_related("indicator")
            .order_by("period_start")
        )
        national = [
            (f.measurement, f.chart_value) for f in disclosure.figures(national_rows)
        ] or None
    baseline_shown = None
    if baseline is not None:
        baseline_shown = (
            baseline_value(baseline) if entitled else suppression.publish_measurement(baseline)
        )
    scope_name = region.name if region else _("alle gebieden")
    chart = charts.trend_chart(
        [
            (f.measurement, f.chart_value)
            for f in figures
            if f.measurement.approval == ApprovalStatus.APPROVED and not f.measurement.breakdown_key
        ],
        baseline=(format_period(baseline), baseline_shown) if baseline else None,
        targets=[(target_label(t), t.value) for t in targets],
        national=national,
        unit=indicator.unit,
        decimals=indicator.decimals,
        title=_("%(name)s in %(scope)s") % {"name": indicator.name, "scope": scope_name},
        series_label=scope_name,
        chart_id="indicator-chart",
    )
    context = {
        "indicator": indicator,
        "region": region,
        "figures": figures,
        "baseline": baseline,
        "baseline_text": charts.format_value(baseline_shown, indicator.unit, indicator.decimals),
        "targets": targets,
        "chart": chart,
        "status": (
            disclosure_status(disclosure, status.indicator_status(indicator, region=region))
            if region
            else None
        ),
        "suppressed": not entitled,
        "legend": suppression.legend_for(
            part.text for f in figures for part in (f.value, f.numerator, f.denominator)
        ),
        "is_external": indicator.source_kind == SourceKind.EXTERNAL,
        "can_submit": indicator.source_kind != SourceKind.COMPUTED
        and request.user.is_authenticated
        and bool(scopes_for(request.user)),
        "history": _history(indicator) if request.user.is_authenticated else [],
    }
    return render(request, "indicators/indicator_detail.html", context)


def baseline_value(baseline):
    if baseline.numerator is not None and baseline.denominator:
        ratio = baseline.numerator / baseline.denominator
        return ratio * 100 if baseline.indicator.unit == Unit.PERCENTAGE else ratio
    return baseline.value


# ------------------------------------------------------------------ public dashboard


def _public_choices(indicators, published):
    """What the public dashboard lets a visitor start from: the areas with published
    figures (gemeenten first) and the public indicators that have any."""
    regions = list(
        Region.objects.filter(pk__in=published.values("region")).order_by("kind", "name")
    )
    regions.sort(key=lambda region: (region.kind != "municipality", region.name))
    with_figures = set(published.values_list("indicator_id", flat=True).distinct())
    return regions, [indicator for indicator in indicators if indicator.pk in with_figures]


def _latest_cells(published) -> dict[int, list]:
    """Per indicator the figures of its latest period (all areas of that period)."""
    latest: dict[int, list] = defaultdict(list)
    for m in published.order_by("indicator_id", "-period_start", "region__name"):
        cells = latest[m.indicator_id]
        if cells and cells[0].period_start != m.period_start:
            continue
        cells.append(m)
    return latest


def _public_section(indicator, rows: list, *, chart) -> dict:
    return {
        "indicator": indicator,
        "period": format_period(rows[0].measurement) if rows else "",
        "rows": rows,
        "generated": any(f.measurement.is_generated for f in rows),
        "legend": suppression.legend_for(
            part.text for f in rows for part in (f.value, f.numerator, f.denominator)
        ),
        "chart": chart,
    }


def _sections_for_region(indicators, published, region, disclosure) -> list[dict]:
    """One gemeente: every public indicator's published series there, on a time axis."""
    series: dict[int, list] = defaultdict(list)
    for figure in disclosure.figures(published.filter(region=region).order_by("period_start")):
        series[figure.measurement.indicator_id].append(figure)
    sections = []
    for indicator in indicators:
        figures = series.get(indicator.pk)
        if not figures:
            continue
        chart = charts.trend_chart(
            [(f.measurement, f.chart_value) for f in figures],
            unit=indicator.unit,
            decimals=indicator.decimals,
            title=_("%(name)s in %(scope)s") % {"name": indicator.name, "scope": region.name},
            series_label=region.name,
            chart_id=f"public-{indicator.pk}",
        )
        sections.append(_public_section(indicator, figures[-1:], chart=chart))
    return sections


def _sections_side_by_side(indicators, published, disclosure) -> list[dict]:
    """One or more indicators: the latest period of every area side by side."""
    latest = _latest_cells(published)
    figures = {
        f.measurement.pk: f
        for f in disclosure.figures(m for cells in latest.values() for m in cells)
    }
    sections = []
    for indicator in indicators:
        rows = [figures[m.pk] for m in latest.get(indicator.pk, [])]
        if not rows:
            continue
        period = format_period(rows[0].measurement)
        chart = charts.bar_chart(
            [(f.measurement.region.name, f.chart_value) for f in rows],
            unit=indicator.unit,
            decimals=indicator.decimals,
            title=_("%(name)s per gebied, %(period)s") % {"name": indicator.name, "period": period},
            chart_id=f"public-{indicator.pk}",
        )
        sections.append(_public_section(indicator, rows, chart=chart))
    return sections


def public_dashboard(request):
    """Published figures of public indicators, without login. It starts from a choice:
    a gemeente (every indicator's series there) or an onderwerp (that indicator in every
    area, side by side); without one it shows the choice and a table of contents, not
    every figure of every area. Each cell is published through the disclosure boundary
    (the same cells the indicator page hides, so the two never disagree)."""
    disclosure = Disclosure(public=True)
    indicators = list(Indicator.objects.visible_to(AnonymousUser()).order_by("name"))
    published = (
        Measurement.objects.published()
        .filter(indicator__in=indicators, breakdown_key="", region__isnull=False)
        .select_related("indicator", "region")
    )
    regions, topics = _public_choices(indicators, published)
    region = next((r for r in regions if r.code == request.GET.get("gebied")), None)
    topic = next((i for i in topics if i.code == request.GET.get("onderwerp")), None)
    chosen = [topic] if topic else topics
    if region is not None:
        sections = _sections_for_region(chosen, published, region, disclosure)
    elif topic is not None:
        sections = _sections_side_by_side(chosen, published, disclosure)
    else:
        sections = []
    context = {
        "regions": regions,
        "topics": topics,
        "region": region,
        "topic": topic,
        "sections": sections,
        "chosen": region is not None or topic is not None,
    }
    return render(request, "indicators/public_dashboard.html", context)


# ------------------------------------------------------------------ entry and approval


def _deny(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied


def submit(request, code):
    """A partner enters a figure for their own organisation; a beleidsmedewerker also
    for their gemeente. It waits for approval unless they may approve it themselves."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    indicator = get_visible_indicator_or_404(request.user, code)
    scopes = scopes_for(request.user)
    if not scopes or indicator.source_kind == SourceKind.COMPUTED:
        raise PermissionDenied
    form = MeasurementForm(request.POST or None, indicator=indicator, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        services.submit_measurement(actor=request.user, approve=False, **form.measurement_fields())
        messages.success(
            request, _("Het cijfer is ingediend. Een beleidsmedewerker keurt het goed.")
        )
        return redirect(indicator.get_absolute_url())
    return render(request, "indicators/submit.html", {"indicator": indicator, "form": form})


@login_required
def approval_queue(request):
    if not request.user.has_perm("indicators.approve_figures"):
        raise PermissionDenied
    waiting = list(
        Measurement.objects.filter(
            indicator__in=Indicator.objects.approvable_by(request.user),
            approval=ApprovalStatus.SUBMITTED,
        )
        .select_related("indicator", "region", "organisation", "entered_by")
        .order_by("created_at")[:QUEUE_LENGTH]
    )
    for m in waiting:
        m.is_own = services.is_own_figure(m, request.user)  # four eyes: no button for it
        # The approver publishes the story with the figure: warn about a small number in it.
        m.story_warning = (
            small_number_warning(m.story, m.indicator.suppression_threshold)
            if m.indicator.is_public
            else ""
        )
    return render(
        request,
        "indicators/approval_queue.html",
        {"waiting": waiting, "form": DecisionForm()},
    )


@require_POST
@login_required
def decide(request, pk):
    measurement = get_object_or_404(
        Measurement.objects.select_related("indicator"),
        pk=pk,
        indicator__in=Indicator.objects.visible_to(request.user),
    )
    if not request.user.has_perm("indicators.approve_measurement", measurement.indicator):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("indicators:approval_queue")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_measurement(
            measurement, actor=request.user, approve=approve, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("indicators:approval_queue")
    messages.success(
        request,
        _("Het cijfer is goedgekeurd en wordt gepubliceerd.")
        if approve
        else _("Het cijfer is afgewezen."),
    )
    return redirect("indicators:approval_queue")
