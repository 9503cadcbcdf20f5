"""Every change in the monitor: indicators, nulmetingen, targets, measurements and their
approval. Each runs in one transaction with its audit record; history via simple-history."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kansrijk.audit import services as audit

from . import computed
from .models import ApprovalStatus, Baseline, Indicator, Measurement, SourceKind, Target


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


@transaction.atomic
def save_figure(instance, *, actor, **changes):
    """Create or change an indicator, baseline or target (audited, with history)."""
    creating = instance.pk is None
    before = None if creating else audit.snapshot(type(instance).objects.get(pk=instance.pk))
    for name, value in changes.items():
        setattr(instance, name, value)
    instance.full_clean()
    audit.with_history_user(instance, actor).save()
    indicator = instance if isinstance(instance, Indicator) else instance.indicator
    audit.record(
        f"indicators.{type(instance).__name__.lower()}.{'create' if creating else 'update'}",
        actor=actor,
        target=instance,
        organisation=indicator.owner,
        before=before,
        after=audit.snapshot(instance),
    )
    return instance


@transaction.atomic
def submit_measurement(*, actor, approve: bool = False, **fields) -> Measurement:
    """Enter or correct one figure for a cell (indicator × period × scope × breakdown).

    A figure entered again for the same cell replaces the earlier one (its history is
    kept) and goes back to "ingediend" unless ``approve`` is given by someone entitled
    to approve (the caller checks ``indicators.approve_measurement``)."""
    lookup = {
        key: fields.pop(key)
        for key in (
            "indicator",
            "period_start",
            "period_end",
            "region",
            "organisation",
            "breakdown_key",
            "breakdown_value",
        )
        if key in fields
    }
    lookup.setdefault("breakdown_key", "")
    lookup.setdefault("breakdown_value", "")
    measurement = Measurement.objects.filter(**lookup).first() or Measurement(**lookup)
    creating = measurement.pk is None
    before = None if creating else audit.snapshot(measurement)
    for name, value in fields.items():
        setattr(measurement, name, value)
    measurement.entered_by = actor if _is_user(actor) else None
    if approve:
        measurement.approval = ApprovalStatus.APPROVED
        measurement.approved_by = actor if _is_user(actor) else None
        measurement.approved_at = timezone.now()
    else:
        measurement.approval = ApprovalStatus.SUBMITTED
        measurement.approved_by = None
        measurement.approved_at = None
    measurement.full_clean()
    audit.with_history_user(measurement, actor).save()
    audit.record(
        f"indicators.measurement.{'create' if creating else 'update'}",
        actor=actor,
        target=measurement,
        organisation=measurement.indicator.owner,
        before=before,
        after=audit.snapshot(measurement),
    )
    return measurement


def is_own_figure(measurement: Measurement, user) -> bool:
    """Whether ``user`` entered ``measurement``: then they may not approve it."""
    return _is_user(user) and measurement.entered_by_id == user.pk


@transaction.atomic
def decide_measurement(
    measurement: Measurement, *, actor, approve: bool, reason: str = ""
) -> Measurement:
    """A beleidsmedewerker approves a figure (it may be published) or rejects it.

    Four eyes: nobody approves a figure they entered themselves; a colleague does."""
    if approve and is_own_figure(measurement, actor):
        raise ValidationError(
            _("Je hebt dit cijfer zelf ingevoerd. Een collega keurt het goed, niet jij.")
        )
    before = {"approval": measurement.approval}
    measurement.approval = ApprovalStatus.APPROVED if approve else ApprovalStatus.REJECTED
    measurement.approved_by = actor if _is_user(actor) else None
    measurement.approved_at = timezone.now()
    audit.with_history_user(measurement, actor).save(
        update_fields=["approval", "approved_by", "approved_at"]
    )
    audit.record(
        "indicators.measurement.approve" if approve else "indicators.measurement.reject",
        actor=actor,
        target=measurement,
        organisation=measurement.indicator.owner,
        before=before,
        after={"approval": measurement.approval},
        reason=reason,
    )
    return measurement


# ------------------------------------------------------------------ computed figures

# What a computed figure is made of: a cell whose stored values equal these (and that is
# approved) is up to date and is not written again.
COMPUTED_FIELDS = (
    "period_label",
    "value",
    "numerator",
    "denominator",
    "story",
    "is_generated",
    "withheld",
    "is_final",
    "source",
)


@dataclass
class RefreshResult:
    """What a refresh did: figures written (new or changed), withdrawn (no longer
    computed) and confirmed unchanged."""

    indicators: int = 0
    written: int = 0
    withdrawn: int = 0
    unchanged: int = 0

    def add(self, other: RefreshResult) -> None:
        for name in ("indicators", "written", "withdrawn", "unchanged"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict:
        return asdict(self)


def _cell_key(period_start, period_end, region_id, organisation_id, breakdown_key, category):
    return (period_start, period_end, region_id, organisation_id, breakdown_key, category)


def _stored_cells(periods: Q, covers: Q | None) -> Q:
    """The stored cells to compare with: those of the computed periods and those the
    run covers. An empty ``covers`` is every cell of the indicator (``Q() | x`` would
    drop it)."""
    if covers is None:
        return periods
    if not covers:
        return Q()
    return periods | covers


@transaction.atomic
def withdraw_measurement(measurement: Measurement, *, actor, reason: str = "") -> None:
    """Remove a computed figure the data no longer gives (audited; its history keeps it)."""
    audit.record(
        "indicators.measurement.withdraw",
        actor=actor,
        target=measurement,
        organisation=measurement.indicator.owner,
        before=audit.snapshot(measurement),
        reason=reason,
    )
    audit.with_history_user(measurement, actor).delete()


@transaction.atomic
def store_computed(
    indicator: Indicator, figures, *, actor, covers: Q | None = None, now=None
) -> tuple[list[Measurement], RefreshResult]:
    """Store computed figures as approved measurements, only those that differ from what
    is stored: an unchanged figure gets no new row, history row or audit record, only
    its ``computed_at`` moves on (one UPDATE for all of them). With ``covers``, a
    computed cell within it that ``figures`` no longer holds is withdrawn."""
    from kansrijk.organisations.models import Organisation, Region

    now = now or timezone.now()
    source = f"berekend: {indicator.computed_key}"
    figures = list(figures)
    result = RefreshResult()
    periods = Q(pk__in=[])
    for period in {(f.period_start, f.period_end) for f in figures}:
        periods |= Q(period_start=period[0], period_end=period[1])
    stored = {
        _cell_key(
            m.period_start,
            m.period_end,
            m.region_id,
            m.organisation_id,
            m.breakdown_key,
            m.breakdown_value,
        ): m
        for m in Measurement.objects.filter(indicator=indicator).filter(
            _stored_cells(periods, covers)
        )
    }
    regions = {
        region.code: region
        for region in Region.objects.filter(code__in={f.region_code for f in figures} - {""})
    }
    organisations = Organisation.objects.in_bulk(
        {f.organisation_id for f in figures if f.organisation_id}
    )
    kept: set[int] = set()
    unchanged: list[int] = []
    written: list[Measurement] = []
    for figure in figures:
        region = regions[figure.region_code] if figure.region_code else None
        organisation = organisations[figure.organisation_id] if figure.organisation_id else None
        wanted = {
            "period_label": figure.period_label,
            "value": figure.value,
            "numerator": figure.numerator,
            "denominator": figure.denominator,
            "story": figure.story,
            "is_generated": figure.is_generated,
            "withheld": figure.withheld,
            "is_final": True,
            "source": source,
        }
        current = stored.get(
            _cell_key(
                figure.period_start,
                figure.period_end,
                region.pk if region else None,
                organisation.pk if organisation else None,
                figure.breakdown_key,
                figure.breakdown_value,
            )
        )
        if (
            current is not None
            and current.approval == ApprovalStatus.APPROVED
            and all(getattr(current, name) == wanted[name] for name in COMPUTED_FIELDS)
        ):
            unchanged.append(current.pk)
            kept.add(current.pk)
            continue
        measurement = submit_measurement(
            actor=actor,
            approve=True,
            indicator=indicator,
            period_start=figure.period_start,
            period_end=figure.period_end,
            region=region,
            organisation=organisation,
            breakdown_key=figure.breakdown_key,
            breakdown_value=figure.breakdown_value,
            computed_at=now,
            **wanted,
        )
        written.append(measurement)
        kept.add(measurement.pk)
    if unchanged:
        # A bare UPDATE: no history row, no audit record, for a figure that did not change.
        Measurement.objects.filter(pk__in=unchanged).update(computed_at=now)
    if covers is not None:
        covered_ids = set(
            Measurement.objects.filter(indicator=indicator)
            .filter(covers)
            .values_list("pk", flat=True)
        )
        for measurement in stored.values():
            if (
                measurement.pk in covered_ids
                and measurement.pk not in kept
                and measurement.source == source
            ):
                withdraw_measurement(
                    measurement, actor=actor, reason="niet meer berekend uit de gegevens"
                )
                result.withdrawn += 1
    result.written, result.unchanged = len(written), len(unchanged)
    return written, result


def refresh_computed(indicator: Indicator, *, actor, **kwargs) -> list[Measurement]:
    """Run the registered function of a computed indicator with ``kwargs`` and store its
    figures as approved measurements (they come from the register itself, not from a
    person); only what changed is written. Returns the measurements written."""
    if indicator.source_kind != SourceKind.COMPUTED or not indicator.computed_key:
        raise ValueError(f"{indicator.code} is not a computed indicator")
    figures = computed.compute(indicator.computed_key, indicator=indicator, **kwargs)
    written, _result = store_computed(indicator, figures, actor=actor)
    return written


def bring_up_to_date(
    indicator: Indicator, *, actor, today=None, municipality_ids: set[int] | None = None
) -> RefreshResult:
    """Everything the indicator's plan says brings it up to date on ``today``: for the
    gemeenten a change touched (``municipality_ids``), or in full. One transaction per
    indicator, so that a refresh never holds the database long."""
    today = today or timezone.localdate()
    result = RefreshResult()
    runs = computed.plan(
        indicator.computed_key, indicator, today=today, municipality_ids=municipality_ids
    )
    if not runs:
        return result
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                now = timezone.now()
                result = RefreshResult(indicators=1)
                for run in runs:
                    figures = computed.compute(
                        indicator.computed_key, indicator=indicator, **run.kwargs
                    )
                    _written, stored = store_computed(
                        indicator, figures, actor=actor, covers=run.covers, now=now
                    )
                    result.add(stored)
            return result
        except IntegrityError:
            # Two refreshes (the worker and the daily command) created the same new cell
            # at once: the second attempt finds it stored.
            if attempt == 2:
                raise
    return result


def _computed_indicators(keys):
    return Indicator.objects.filter(
        source_kind=SourceKind.COMPUTED, computed_key__in=list(keys)
    ).order_by("code")


def refresh_live(*, sources, municipality_ids: set[int] | None, actor) -> RefreshResult:
    """The background task's work: the indicators computed from ``sources``, for the
    gemeenten a change touched."""
    result = RefreshResult()
    for indicator in _computed_indicators(computed.keys_of(sources)):
        result.add(bring_up_to_date(indicator, actor=actor, municipality_ids=municipality_ids))
    return result


def refresh_all(*, actor, codes=None, today=None) -> RefreshResult:
    """``kansrijk refresh_computed``: every computed indicator with a plan (or those with
    ``codes``), in full."""
    indicators = _computed_indicators(computed.PLANS)
    if codes:
        indicators = indicators.filter(code__in=codes)
    result = RefreshResult()
    for indicator in indicators:
        result.add(bring_up_to_date(indicator, actor=actor, today=today))
    return result


__all__ = [
    "Baseline",
    "Target",
    "bring_up_to_date",
    "decide_measurement",
    "is_own_figure",
    "refresh_all",
    "refresh_computed",
    "refresh_live",
    "save_figure",
    "store_computed",
    "submit_measurement",
    "withdraw_measurement",
]
