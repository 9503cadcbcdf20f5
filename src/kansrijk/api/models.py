"""API keys for partner systems, scoped to one organisation.

A key is shown once, when it is made, and only its SHA-256 hash is stored: a leaked
database does not leak working keys. Each key acts through its own service user, a
member of the organisation in the role *partner*, so the API answers with exactly what a
partner of that organisation may see and do, through the same scoping querysets and
``rules`` predicates as the web pages, and the audit trail names the key as the actor.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk.organisations.models import Organisation


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user):
        """Platform beheerders (superusers) see every key; nobody else sees any."""
        if user.is_authenticated and user.is_superuser:
            return self.all()
        return self.none()


class ApiToken(models.Model):
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="api_tokens", verbose_name=_("organisatie")
    )
    name = models.CharField(
        _("naam"),
        max_length=100,
        help_text=_("Waarvoor de sleutel is, bijv. 'planningskoppeling'."),
    )
    # The first characters of the key, to recognise it in lists; never enough to use it.
    prefix = models.CharField(_("begin van de sleutel"), max_length=12)
    key_hash = models.CharField(_("SHA-256 van de sleutel"), max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="api_token",
        verbose_name=_("servicegebruiker"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gemaakt door"),
    )
    created_at = models.DateTimeField(_("gemaakt op"), default=timezone.now)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["organisation", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                condition=Q(revoked_at__isnull=True),
                name="unique_active_api_token_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.name}, {self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
