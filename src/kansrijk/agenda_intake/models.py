"""A draft agenda read from a policy document: what the reader proposed, what the officer
decided about each item, and the document itself (decision 0053).

Nothing of a draft is in the agenda tables until the officer confirms it: the proposal
and every edit live here, as JSON, so that a reload keeps them and a discarded draft
leaves no agenda behind. The document's bytes stay with the draft, also after it became
an agenda: it is that agenda's source, downloadable by whoever may edit it.

No string representation carries anything from the document: ``str()`` may end up in a
log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kansrijk.reports.progress import percent_done


class DraftStatus(models.TextChoices):
    READING = "reading", _("wordt gelezen")
    READY = "ready", _("klaar voor controle")
    FAILED = "failed", _("niet gelezen")
    CONFIRMED = "confirmed", _("overgenomen als conceptagenda")
    DISCARDED = "discarded", _("weggegooid")


class ItemDecision(models.TextChoices):
    """What the officer decided about one proposed item (its key in ``AgendaDraft.review``;
    an item without a decision is still open and is not written)."""

    ACCEPTED = "accepted", _("overnemen")
    DROPPED = "dropped", _("weglaten")
    MERGED = "merged", _("samengevoegd")


class AgendaDraftQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The uploader's drafts, and the drafts owned by an organisation of which the
        user is beleidsmedewerker or beheerder (who may start its agendas)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from kansrijk.organisations.models import Membership, Role

        editor_orgs = Membership.objects.filter(
            user=user, is_active=True, role__in=[Role.POLICY_OFFICER, Role.ADMIN]
        ).values("organisation_id")
        return self.filter(models.Q(uploaded_by=user) | models.Q(owner_id__in=editor_orgs))

    def without_document(self):
        """Everything but the document's bytes, which only the download needs."""
        return self.defer("document")


class AgendaDraft(models.Model):
    owner = models.ForeignKey(
        "organisations.Organisation",
        models.PROTECT,
        related_name="+",
        verbose_name=_("eigenaar"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("geüpload door"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=DraftStatus.choices, default=DraftStatus.READING
    )
    # The document as uploaded (or the pasted text as UTF-8): kept as the agenda's source.
    original_name = models.CharField(_("bestandsnaam"), max_length=255)
    content_type = models.CharField(_("soort bestand"), max_length=100)
    size = models.PositiveBigIntegerField(_("grootte"), default=0)
    document = models.BinaryField(_("document"))
    # ``Proposal.to_dict()``, edited in place by the review (fields, parents, merges).
    proposal = models.JSONField(_("voorstel"), default=dict, blank=True)
    # The officer's decision per item key: accepted, dropped, or merged (into another).
    review = models.JSONField(_("beoordeling"), default=dict, blank=True)
    # Why the document could not be read, in Dutch, for the uploader.
    error = models.CharField(_("fout"), max_length=1000, blank=True)
    done = models.PositiveIntegerField(_("gelezen"), default=0)
    total = models.PositiveIntegerField(_("totaal"), default=0)
    step = models.CharField(_("stap"), max_length=200, blank=True)
    language = models.CharField(_("taal"), max_length=10, blank=True)
    task_id = models.CharField(_("taak"), max_length=64, blank=True)
    heartbeat_at = models.DateTimeField(_("laatste teken van leven"), null=True, blank=True)
    agenda = models.ForeignKey(
        "agenda.Agenda",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="source_drafts",
        verbose_name=_("agenda"),
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    read_at = models.DateTimeField(_("gelezen op"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("overgenomen op"), null=True, blank=True)
    # The last change of the review: a draft left alone this long expires (the sweep).
    changed_at = models.DateTimeField(_("laatst gewijzigd"), null=True, blank=True)

    objects = AgendaDraftQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda uit een document")
        verbose_name_plural = _("agenda's uit een document")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"agenda draft {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("agenda_intake:draft", args=[self.pk])

    @property
    def is_reading(self) -> bool:
        return self.status == DraftStatus.READING

    @property
    def percent(self) -> int | None:
        return percent_done(self.done, self.total)
