"""Every change in the monitor: indicators, nulmetingen, targets, measurements and their
approval. Each runs in one transaction with its audit record; history via simple-history."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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


@transaction.atomic
def decide_measurement(
    measurement: Measurement, *, actor, approve: bool, reason: str = ""
) -> Measurement:
    """A beleidsmedewerker approves a figure (it may be published) or rejects it."""
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


@transaction.atomic
def refresh_computed(indicator: Indicator, *, actor, **kwargs) -> list[Measurement]:
    """Run the registered function of a computed indicator and store its figures as
    approved measurements (they come from the register itself, not from a person)."""
    from kansrijk.organisations.models import Organisation, Region

    if indicator.source_kind != SourceKind.COMPUTED or not indicator.computed_key:
        raise ValueError(f"{indicator.code} is not a computed indicator")
    stored = []
    for figure in computed.compute(indicator.computed_key, indicator=indicator, **kwargs):
        stored.append(
            submit_measurement(
                actor=actor,
                approve=True,
                indicator=indicator,
                period_start=figure.period_start,
                period_end=figure.period_end,
                period_label=figure.period_label,
                region=Region.objects.get(code=figure.region_code) if figure.region_code else None,
                organisation=(
                    Organisation.objects.get(pk=figure.organisation_id)
                    if figure.organisation_id
                    else None
                ),
                breakdown_key=figure.breakdown_key,
                breakdown_value=figure.breakdown_value,
                value=figure.value,
                numerator=figure.numerator,
                denominator=figure.denominator,
                story=figure.story,
                withheld=figure.withheld,
                source=f"berekend: {indicator.computed_key}",
                is_final=True,
            )
        )
    return stored


__all__ = [
    "Baseline",
    "Target",
    "decide_measurement",
    "refresh_computed",
    "save_figure",
    "submit_measurement",
]
