"""Writing the audit trail. Called by every service function, inside its transaction."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.forms.models import model_to_dict

from .masking import mask
from .models import AuditEvent


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The field values of ``instance`` as a masked, JSON-safe dict (for before/after)."""
    data = model_to_dict(instance, fields=fields)
    return mask(data)


def with_history_user(instance: models.Model, actor) -> models.Model:
    """Name ``actor`` as the author of the history row django-simple-history writes when
    ``instance`` is saved (a request sets it through its middleware; commands and
    services have no request)."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        instance._history_user = actor
    return instance


def record(
    action: str,
    *,
    actor,
    target: models.Model | None = None,
    organisation=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event. Must run inside the transaction of the change it records,
    so that the change and its record are written together or not at all."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside transaction.atomic()")
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_display=str(actor) if authenticated else "systeem",
        organisation=organisation,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_display=mask(str(target))[:255] if target is not None else "",
        before=mask(before) if before is not None else None,
        after=mask(after) if after is not None else None,
        reason=mask(reason)[:255],
    )
