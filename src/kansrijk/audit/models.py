"""The append-only audit trail: who did what to which record, when, before and after.

Rows are only ever inserted. The model refuses updates and deletes, the queryset refuses
bulk updates and deletes, the admin offers neither, and a database trigger (migration
0003) refuses them for anything that bypasses Django.

Every row also has its place in one hash chain (``chain.py``, decision 0025): a
sequence number and the hash of its content together with the hash of the row before.
A row inserted, changed or removed behind Django's back breaks the chain, and
``kansrijk audit_verify`` says where.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit record."""


class AuditEventQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Rows written together still join the chain one by one, in the given order."""
        from .chain import link

        objs = list(objs)
        with transaction.atomic(using=self.db):
            link(objs)
            return super().bulk_create(objs, *args, **kwargs)

    def update(self, **kwargs):
        raise AppendOnlyError("Audit records cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit records cannot be deleted.")

    def visible_to(self, user):
        """Platform superusers read everything; a beheerder the events of their organisations."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from kansrijk.organisations.models import Membership, Role

        admin_organisations = Membership.objects.filter(
            user=user, role=Role.ADMIN, is_active=True
        ).values("organisation")
        # Logins and two-factor events belong to a person, not to an organisation: a
        # beheerder sees them for the people who work in their organisations.
        colleagues = Membership.objects.filter(organisation__in=admin_organisations).values("user")
        return self.filter(
            models.Q(organisation__in=admin_organisations)
            | models.Q(organisation__isnull=True, actor__in=colleagues)
        )


class AuditEvent(models.Model):
    created_at = models.DateTimeField(_("tijdstip"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    # A snapshot of the actor's name: the trail must stay readable if a name changes.
    actor_display = models.CharField(_("door (naam)"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
    )
    action = models.CharField(_("handeling"), max_length=80, db_index=True)
    target_type = models.CharField(_("soort object"), max_length=80, blank=True)
    target_id = models.CharField(_("object-id"), max_length=64, blank=True)
    target_display = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("voor"), null=True, blank=True)
    after = models.JSONField(_("na"), null=True, blank=True)
    reason = models.CharField(_("reden of route"), max_length=255, blank=True)
    # The place in the hash chain, set by chain.link() under the lock on the chain's head.
    sequence = models.BigIntegerField(_("volgnummer"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("hash van de vorige regel"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("auditregel")
        verbose_name_plural = _("audittrail")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["organisation", "created_at"]),
            # The trail's pages seek on (created_at, id), decision 0044.
            models.Index(fields=["created_at", "id"], name="audit_event_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_display} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit records cannot be changed.")
        from .chain import link

        with transaction.atomic(using=kwargs.get("using")):
            link([self])
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit records cannot be deleted.")

    def changed_fields(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every key whose value differs."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class AuditChainHead(models.Model):
    """The last link of the audit chain: one row, locked by every writer of the trail so
    that the chain never forks. Not part of the evidence itself (anyone who can rewrite
    the trail can rewrite this row too); the anchors outside the database are."""

    sequence = models.BigIntegerField(_("volgnummer"), default=0)
    hash = models.CharField(_("hash"), max_length=64)
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    class Meta:
        verbose_name = _("kop van de auditketen")
        verbose_name_plural = _("kop van de auditketen")

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash}"
