"""The status of an indicator for one scope: gehaald, op koers, risico, achter, geen data.

The latest approved measurement is compared with the straight path from the baseline
(nulmeting) to the target; the method, with a worked example, is in
docs/indicators-status.md.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.periods import format_period

from .models import Baseline, Indicator, Measurement, Polarity, Target, Unit
from .suppression import format_decimal

# How far short of the path still counts as "risico": 10 % of the distance from the
# baseline to the target.
RISK_MARGIN = Decimal("0.10")

LABELS = {
    "achieved": "doel gehaald",
    "on_track": "op schema",
    "at_risk": "iets achter",
    "behind": "ruim achter",
    "no_target": "geen streefwaarde",
    "no_data": "geen gegevens",
    "suppressed": "afgeschermd",
}


@dataclass(frozen=True)
class IndicatorStatus:
    code: str
    label: str
    latest_value: Decimal | None
    expected_value: Decimal | None
    target: Decimal | None
    baseline: Decimal | None
    explanation: str
    latest_period: str = ""
    target_date: datetime.date | None = None
    # The figures the status was made from, so that the disclosure boundary can tell
    # whether the viewer may see them (kansrijk.indicators.disclosure.status_for).
    latest: object = field(default=None, compare=False, repr=False)
    baseline_record: object = field(default=None, compare=False, repr=False)


def _value(indicator: Indicator, figure) -> Decimal | None:
    if figure.numerator is not None and figure.denominator:
        ratio = Decimal(figure.numerator) / Decimal(figure.denominator)
        return ratio * 100 if indicator.unit == Unit.PERCENTAGE else ratio
    return figure.value


def _text(indicator: Indicator, value: Decimal | None) -> str:
    if value is None:
        return "–"
    text = format_decimal(value, max(indicator.decimals, 0) or 1).removesuffix(",0")
    return text + ("%" if indicator.unit == Unit.PERCENTAGE else "")


def _direction(indicator: Indicator, baseline: Decimal | None, target: Decimal) -> int:
    if indicator.polarity == Polarity.LOWER_IS_BETTER:
        return -1
    if indicator.polarity == Polarity.NEUTRAL and baseline is not None and target < baseline:
        return -1
    return 1


def _status(code: str, **fields) -> IndicatorStatus:
    return IndicatorStatus(code=code, label=LABELS[code], **fields)


def expected_on(
    baseline_date: datetime.date,
    baseline_value: Decimal,
    target_date: datetime.date,
    target_value: Decimal,
    day: datetime.date,
) -> Decimal:
    """The value on the straight path from baseline to target on ``day`` (clamped)."""
    span = (target_date - baseline_date).days
    if span <= 0:
        return target_value
    fraction = Decimal(min(max((day - baseline_date).days, 0), span)) / Decimal(span)
    return baseline_value + (target_value - baseline_value) * fraction


def indicator_status(
    indicator: Indicator,
    *,
    region=None,
    organisation=None,
    today: datetime.date | None = None,
) -> IndicatorStatus:
    """The status of ``indicator`` for a region or an organisation (three small queries)."""
    if (region is None) == (organisation is None):
        raise ValueError("give exactly one of region and organisation")
    today = today or timezone.localdate()
    scope = {"region": region} if region is not None else {"organisation": organisation}

    latest = (
        Measurement.objects.approved()
        .filter(indicator=indicator, breakdown_key="", period_start__lte=today, **scope)
        .order_by("-period_end", "-period_start")
        .first()
    )
    targets = list(Target.objects.filter(indicator=indicator, **scope).order_by("date"))
    baseline = Baseline.objects.filter(indicator=indicator, **scope).first()
    return status_from(indicator, latest=latest, targets=targets, baseline=baseline)


def target_label(target) -> str:
    """A target's period as a reader writes it: its own label ("2021", "2021/2022"), or
    else the year of its date."""
    return format_period(target.period_label) or str(target.date.year)


def _figure(indicator: Indicator, value, period) -> str:
    return f"{_text(indicator, value)} in {format_period(period)}"


def _goal(indicator: Indicator, target) -> str:
    return f"{_text(indicator, target.value)} in {target_label(target)}"


def _start(indicator: Indicator, baseline, baseline_value) -> str:
    return _("vertrekpunt %(figure)s") % {"figure": _figure(indicator, baseline_value, baseline)}


def _sentence(code: str, *, figure: str, goal: str, start: str, expected: str) -> str:
    """One Dutch sentence per state. ``start`` is empty without a nulmeting, ``expected``
    is empty when the target date has passed (the figure is then held against the goal
    itself, not against a point on the way to it)."""
    parts = {"figure": figure, "goal": goal, "start": start, "expected": expected}
    if code == "achieved":
        return _("Doel gehaald: %(figure)s, en het doel was %(goal)s.") % parts
    if not start:
        if expected:
            return (
                _(
                    "Nog niet gehaald: %(figure)s, terwijl het doel %(goal)s is; zonder nulmeting "
                    "is niet te zeggen of dat op schema is."
                )
                % parts
            )
        return _("Ruim achter op schema: %(figure)s, terwijl het doel %(goal)s was.") % parts
    if not expected:
        lead = _("Iets achter op schema") if code == "at_risk" else _("Ruim achter op schema")
        return _("%(lead)s: %(figure)s, terwijl het doel %(goal)s was (%(start)s).") % {
            "lead": lead,
            **parts,
        }
    return {
        "on_track": _(
            "Op schema: %(figure)s, en op weg naar het doel van %(goal)s (%(start)s) was "
            "%(expected)s nodig."
        ),
        "at_risk": _(
            "Iets achter op schema: %(figure)s, terwijl op weg naar het doel van %(goal)s "
            "(%(start)s) %(expected)s nodig was."
        ),
        "behind": _(
            "Ruim achter op schema: %(figure)s, terwijl op weg naar het doel van %(goal)s "
            "(%(start)s) %(expected)s nodig was."
        ),
    }[code] % parts


def status_from(indicator: Indicator, *, latest, targets: list, baseline) -> IndicatorStatus:
    """The status from figures already read (the latest approved measurement, the
    targets in date order and the baseline of one scope)."""
    baseline_value = _value(indicator, baseline) if baseline else None

    if latest is None or not targets:
        # Figures without a target are not "no data": say what is missing.
        if latest is None:
            explanation = _("Geen gegevens: er is nog geen goedgekeurde meting.")
        else:
            explanation = _(
                "Geen streefwaarde: er is een meting, maar geen doel om die aan af te meten."
            )
        return _status(
            "no_data" if latest is None else "no_target",
            latest_value=_value(indicator, latest) if latest else None,
            expected_value=None,
            target=targets[-1].value if targets else None,
            baseline=baseline_value,
            explanation=explanation,
            latest_period=latest.period_label if latest else "",
            latest=latest,
            baseline_record=baseline,
        )

    latest_value = _value(indicator, latest)
    reference = latest.period_end
    # The next target not yet passed when the figure was measured, or else the last one.
    target = next((t for t in targets if t.date >= reference), targets[-1])
    direction = _direction(indicator, baseline_value, target.value)
    common = {
        "latest_value": latest_value,
        "target": target.value,
        "baseline": baseline_value,
        "latest_period": latest.period_label,
        "target_date": target.date,
        "latest": latest,
        "baseline_record": baseline,
    }
    words = {
        "figure": _figure(indicator, latest_value, latest),
        "goal": _goal(indicator, target),
        "start": _start(indicator, baseline, baseline_value) if baseline else "",
        "expected": "",
    }

    if direction * (latest_value - target.value) >= 0:
        return _status(
            "achieved",
            expected_value=target.value,
            explanation=_sentence("achieved", **words),
            **common,
        )
    if baseline is None:
        code = "at_risk" if reference < target.date else "behind"
        if code == "at_risk":
            words["expected"] = _text(indicator, target.value)
        return _status(
            code, expected_value=target.value, explanation=_sentence(code, **words), **common
        )

    expected = expected_on(baseline.date, baseline_value, target.date, target.value, reference)
    shortfall = direction * (expected - latest_value)
    if shortfall <= 0:
        code = "on_track"
    elif shortfall <= RISK_MARGIN * abs(target.value - baseline_value):
        code = "at_risk"
    else:
        code = "behind"
    if reference < target.date:
        words["expected"] = _text(indicator, expected)
    return _status(code, expected_value=expected, explanation=_sentence(code, **words), **common)


def statuses_for_regions(pairs, *, today: datetime.date | None = None) -> dict:
    """Statuses for many (indicator, region) pairs in three queries, for list pages.

    The latest approved measurement per pair is chosen in SQL (a correlated subquery),
    so no series is read into Python. Returns {(indicator_pk, region_pk): status}.
    """
    pairs = [(indicator, region) for indicator, region in pairs if region is not None]
    if not pairs:
        return {}
    today = today or timezone.localdate()
    indicator_ids = {indicator.pk for indicator, _ in pairs}
    region_ids = {region.pk for _, region in pairs}
    newest_of_cell = (
        Measurement.objects.approved()
        .filter(
            indicator=OuterRef("indicator"),
            region=OuterRef("region"),
            breakdown_key="",
            period_start__lte=today,
        )
        .order_by("-period_end", "-period_start")
        .values("pk")[:1]
    )
    latest = {
        (m.indicator_id, m.region_id): m
        for m in Measurement.objects.filter(
            indicator_id__in=indicator_ids, region_id__in=region_ids, breakdown_key=""
        )
        .annotate(newest=Subquery(newest_of_cell))
        .filter(pk=F("newest"))
        .select_related("indicator")
    }
    targets: dict = {}
    for target in Target.objects.filter(
        indicator_id__in=indicator_ids, region_id__in=region_ids
    ).order_by("date"):
        targets.setdefault((target.indicator_id, target.region_id), []).append(target)
    baselines = {
        (b.indicator_id, b.region_id): b
        for b in Baseline.objects.filter(indicator_id__in=indicator_ids, region_id__in=region_ids)
    }
    return {
        (indicator.pk, region.pk): status_from(
            indicator,
            latest=latest.get((indicator.pk, region.pk)),
            targets=targets.get((indicator.pk, region.pk), []),
            baseline=baselines.get((indicator.pk, region.pk)),
        )
        for indicator, region in pairs
    }


__all__ = [
    "LABELS",
    "RISK_MARGIN",
    "IndicatorStatus",
    "expected_on",
    "indicator_status",
    "status_from",
    "statuses_for_regions",
    "target_label",
]
