"""The monitor pages: thin views over ``queries`` (who sees what), ``services`` (every
change), ``status`` (how an indicator is doing), ``suppression`` (what may leave for
someone not entitled to the detail) and ``charts`` (the SVG pictures).

An indicator a user may not see answers 404, the same as one that does not exist. Every
figure shown to someone outside the owner's network (the public dashboard, anonymous
visitors of a public indicator) goes through the suppression functions."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kansrijk.agenda.models import Agenda, Goal
from kansrijk.organisations.models import Membership, Organisation, Region, RegionMembership, Role

from . import charts, services, status, suppression
from .forms import DecisionForm, MeasurementForm, scopes_for
from .models import ApprovalStatus, Indicator, Measurement, SourceKind, Unit

HISTORY_LENGTH = 20
QUEUE_LENGTH = 100


# ------------------------------------------------------------------ look-ups and checks


def get_visible_indicator_or_404(user, code: str) -> Indicator:
    return get_object_or_404(
        Indicator.objects.visible_to(user).select_related("owner__municipality"), code=code
    )


def entitled_to_detail(user, indicator: Indicator) -> bool:
    """Members of the owner's network see the figures as they are; everyone else gets
    them through the suppression of small numbers."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or indicator.owner_id is None:
        return True
    return Organisation.objects.visible_to(user).filter(pk=indicator.owner_id).exists()


def home_region(indicator: Indicator) -> Region | None:
    """The scope an indicator is followed for by default: its owner's gemeente."""
    owner = indicator.owner
    return owner.municipality if owner is not None else None


def indicator_status(indicator: Indicator, region: Region | None):
    if region is None:
        return None
    return status.indicator_status(indicator, region=region)


def shown_value(measurement: Measurement, *, suppress: bool):
    """The figure of one measurement as it may be shown: as it is for the entitled,
    through the one suppression function for everyone else."""
    if suppress:
        return suppression.publish_measurement(measurement)
    return measurement.display_value


def shown_part(number, indicator: Indicator, *, suppress: bool):
    """A numerator or denominator: a count, so below the threshold it shows as "<5"."""
    if number is None or not suppress:
        return number
    return suppression.publish_count(number, threshold=indicator.suppression_threshold)


def _history(item) -> list:
    return list(
        item.history.select_related("history_user").order_by("-history_id")[:HISTORY_LENGTH]
    )


def _indicator_with_status(indicators):
    """Each indicator with its status for its owner's gemeente, in three queries for
    the whole list (not three per indicator)."""
    pairs = [(indicator, home_region(indicator)) for indicator in indicators]
    statuses = status.statuses_for_regions(pairs)
    for indicator, region in pairs:
        indicator.home_region = region
        indicator.status = statuses.get((indicator.pk, region.pk)) if region else None
    return indicators


# ------------------------------------------------------------------ overview and agenda


def overview(request):
    """Every indicator the user may see, grouped by the agenda goal it measures."""
    indicators = list(
        Indicator.objects.visible_to(request.user)
        .select_related("owner__municipality")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.select_related("agenda")))
        .order_by("name")
    )
    _indicator_with_status(indicators)
    groups: dict[object, list] = defaultdict(list)
    loose = []
    for indicator in indicators:
        goals = list(indicator.goals.all())
        if not goals:
            loose.append(indicator)
        for goal in goals:
            groups[goal].append(indicator)
    goal_groups = sorted(groups.items(), key=lambda pair: (pair[0].agenda.title, pair[0].number))
    return render(
        request,
        "indicators/overview.html",
        {"goal_groups": goal_groups, "loose": loose, "count": len(indicators)},
    )


def _series(indicator, region, *, suppress: bool):
    measurements = [
        m
        for m in indicator.series_measurements
        if m.region_id == (region.pk if region else None) and not m.breakdown_key
    ]
    return [(m.period_label, shown_value(m, suppress=suppress)) for m in measurements]


def agenda_monitor(request, slug):
    agenda = get_object_or_404(Agenda.objects.visible_to(request.user), slug=slug)
    visible = Indicator.objects.visible_to(request.user)
    measurements = (
        Measurement.objects.approved().select_related("indicator").order_by("period_start")
    )
    if not request.user.is_authenticated:
        measurements = measurements.filter(indicator__is_public=True)
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
        goal.monitor_indicators = _indicator_with_status(list(goal.indicators.all()))
        for indicator in goal.monitor_indicators:
            suppress = not entitled_to_detail(request.user, indicator)
            indicator.chart = charts.trend_chart(
                _series(indicator, indicator.home_region, suppress=suppress),
                unit=indicator.unit,
                decimals=indicator.decimals,
                title=_("%(name)s in %(scope)s")
                % {
                    "name": indicator.name,
                    "scope": indicator.home_region.name if indicator.home_region else "–",
                },
                chart_id=f"chart-{goal.pk}-{indicator.pk}",
            )
    return render(request, "indicators/agenda_monitor.html", {"agenda": agenda, "goals": goals})


# ------------------------------------------------------------------ per region


def region_monitor(request, code):
    region = get_object_or_404(Region, code=code)
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
    for m in measurements:
        (own if m.region_id == region.pk else of_children)[m.indicator_id].append(m)
    rows = []
    for pk in sorted(set(own) | set(of_children), key=lambda pk: by_pk[pk].name):
        indicator = by_pk[pk]
        suppress = not entitled_to_detail(request.user, indicator)
        row = {"indicator": indicator, "trend": None, "bars": None}
        if own[pk]:
            row["trend"] = charts.trend_chart(
                [(m.period_label, shown_value(m, suppress=suppress)) for m in own[pk]],
                unit=indicator.unit,
                decimals=indicator.decimals,
                title=_("%(name)s in %(scope)s") % {"name": indicator.name, "scope": region.name},
                chart_id=f"trend-{indicator.pk}",
            )
        if of_children[pk]:
            latest = max(m.period_start for m in of_children[pk])
            latest_rows = sorted(
                (m for m in of_children[pk] if m.period_start == latest),
                key=lambda m: m.region.name,
            )
            row["period"] = latest_rows[0].period_label
            row["bars"] = charts.bar_chart(
                [(m.region.name, shown_value(m, suppress=suppress)) for m in latest_rows],
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
        {"region": region, "rows": rows, "children": sorted(children.values(), key=str)},
    )


# ------------------------------------------------------------------ indicator detail


def indicator_detail(request, code):
    indicator = get_visible_indicator_or_404(request.user, code)
    suppress = not entitled_to_detail(request.user, indicator)
    region = home_region(indicator)
    requested = request.GET.get("regio")
    if requested:
        region = get_object_or_404(Region, code=requested)
    measurements = Measurement.objects.filter(indicator=indicator, region=region).select_related(
        "indicator", "region", "entered_by"
    )
    if suppress or not request.user.has_perm("indicators.approve_measurement", indicator):
        measurements = measurements.approved()
    measurements = list(measurements.order_by("period_start", "breakdown_key", "breakdown_value"))
    for m in measurements:
        m.shown = shown_value(m, suppress=suppress)
        m.shown_numerator = shown_part(m.numerator, indicator, suppress=suppress)
        m.shown_denominator = shown_part(m.denominator, indicator, suppress=suppress)
    baseline = indicator.baselines.filter(region=region).first() if region else None
    targets = list(indicator.targets.filter(region=region)) if region else []
    national = None
    if region is None or region.kind != "country":
        # The national series: the indicator's own figures for the country, or those of
        # the national indicator it is compared with (e.g. the NJi VE reach).
        national_indicator = indicator.comparison or indicator
        national_rows = list(
            Measurement.objects.approved()
            .filter(indicator=national_indicator, region__kind="country", breakdown_key="")
            .select_related("indicator")
            .order_by("period_start")
        )
        if national_rows:
            national = [(m.period_label, shown_value(m, suppress=suppress)) for m in national_rows]
    baseline_shown = None
    if baseline is not None:
        baseline_shown = (
            suppression.publish_measurement(baseline) if suppress else baseline_value(baseline)
        )
    scope_name = region.name if region else _("alle gebieden")
    chart = charts.trend_chart(
        [
            (m.period_label, m.shown)
            for m in measurements
            if m.approval == ApprovalStatus.APPROVED and not m.breakdown_key
        ],
        baseline=(baseline.period_label, baseline_shown) if baseline else None,
        targets=[(t.period_label or str(t.date.year), t.value) for t in targets],
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
        "measurements": measurements,
        "baseline": baseline,
        "baseline_text": charts.format_value(baseline_shown, indicator.unit, indicator.decimals),
        "targets": targets,
        "chart": chart,
        "status": indicator_status(indicator, region) if region else None,
        "suppressed": suppress,
        "is_external": indicator.source_kind == SourceKind.EXTERNAL,
        "can_submit": request.user.is_authenticated and bool(scopes_for(request.user)),
        "history": _history(indicator) if request.user.is_authenticated else [],
    }
    return render(request, "indicators/indicator_detail.html", context)


def baseline_value(baseline):
    if baseline.numerator is not None and baseline.denominator:
        ratio = baseline.numerator / baseline.denominator
        return ratio * 100 if baseline.indicator.unit == Unit.PERCENTAGE else ratio
    return baseline.value


# ------------------------------------------------------------------ public dashboard


def public_dashboard(request):
    """Published figures of public indicators, without login; every cell through the
    suppression of small numbers, including secondary suppression per table."""
    indicators = list(Indicator.objects.public().order_by("name"))
    published = (
        Measurement.objects.published()
        .filter(breakdown_key="", region__isnull=False)
        .select_related("indicator", "region")
        .order_by("indicator_id", "-period_start", "region__name")
    )
    latest: dict[int, list] = defaultdict(list)
    for m in published:
        cells = latest[m.indicator_id]
        if cells and cells[0].period_start != m.period_start:
            continue
        cells.append(m)
    sections = []
    for indicator in indicators:
        cells = latest.get(indicator.pk, [])
        if not cells:
            continue
        published_rows = published_cells(indicator, cells)
        sections.append(
            {
                "indicator": indicator,
                "period": cells[0].period_label,
                "rows": published_rows,
                "generated": any(m.is_generated for m in cells),
                "chart": charts.bar_chart(
                    [(row["label"], row["shown"]) for row in published_rows],
                    unit=indicator.unit,
                    decimals=indicator.decimals,
                    title=_("%(name)s per gebied, %(period)s")
                    % {"name": indicator.name, "period": cells[0].period_label},
                    chart_id=f"public-{indicator.pk}",
                ),
            }
        )
    return render(request, "indicators/public_dashboard.html", {"sections": sections})


def published_cells(indicator: Indicator, cells: list[Measurement]) -> list[dict]:
    """One table of the public dashboard: per area its figure, numerator and denominator,
    hidden where small and secondarily where a hidden cell could be recovered from the
    total and its siblings (the total of the column is part of the table)."""
    threshold = indicator.suppression_threshold
    rate_cells = [m for m in cells if m.numerator is not None and m.denominator]
    if indicator.unit == Unit.COUNT or rate_cells:
        counts = [
            [int(m.numerator), int(m.denominator)]
            if m.numerator is not None and m.denominator
            else [int(m.value) if m.value is not None else None, None]
            for m in cells
        ]
        mask = suppression.suppress(counts, threshold=threshold, row_totals=False).cells
    else:
        mask = [[False, False] for _m in cells]
    rows = []
    for m, (hide_first, hide_second) in zip(cells, mask, strict=True):
        if m.numerator is not None and m.denominator:
            shown = suppression.publish_rate(
                m.numerator,
                m.denominator,
                threshold=threshold,
                unit=indicator.unit,
                decimals=indicator.decimals,
                hidden=hide_first or hide_second,
            )
            numerator = suppression.publish_count(
                m.numerator, threshold=threshold, hidden=hide_first
            )
            denominator = suppression.publish_count(
                m.denominator, threshold=threshold, hidden=hide_second
            )
        else:
            shown = suppression.publish_measurement(m, hidden=hide_first)
            numerator = denominator = suppression.NO_FIGURE
        rows.append(
            {
                "label": m.region.name,
                "shown": shown,
                "numerator": numerator,
                "denominator": denominator,
                "is_final": m.is_final,
                "is_generated": m.is_generated,
            }
        )
    return rows


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
    if not scopes:
        raise PermissionDenied
    form = MeasurementForm(request.POST or None, indicator=indicator, scopes=scopes)
    if request.method == "POST" and form.is_valid():
        services.submit_measurement(actor=request.user, approve=False, **form.measurement_fields())
        messages.success(
            request, _("Het cijfer is ingediend. Een beleidsmedewerker keurt het goed.")
        )
        return redirect(indicator.get_absolute_url())
    return render(request, "indicators/submit.html", {"indicator": indicator, "form": form})


def _approvable_indicators(user):
    if user.is_superuser:
        return Indicator.objects.all()
    owners = Membership.objects.filter(
        user=user, is_active=True, role__in=[Role.POLICY_OFFICER, Role.ADMIN]
    ).values("organisation")
    return Indicator.objects.filter(owner__in=owners)


@login_required
def approval_queue(request):
    indicators = _approvable_indicators(request.user)
    waiting = list(
        Measurement.objects.filter(indicator__in=indicators, approval=ApprovalStatus.SUBMITTED)
        .select_related("indicator", "region", "organisation", "entered_by")
        .order_by("created_at")[:QUEUE_LENGTH]
    )
    if not waiting and not indicators.exists():
        raise PermissionDenied
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
    services.decide_measurement(
        measurement, actor=request.user, approve=approve, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request,
        _("Het cijfer is goedgekeurd en wordt gepubliceerd.")
        if approve
        else _("Het cijfer is afgewezen."),
    )
    return redirect("indicators:approval_queue")
