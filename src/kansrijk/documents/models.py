"""``DocumentJob`` follows one generated document (PDF, DOCX, XLSX, CSV) from the
request that asked for it, through the background worker, to its download and its
expiry (decision 0047).

The parameters say what to build (an agenda's slug, a format, a peildatum): never a
person. The result is a kept file (``kansrijk.kept_files``: in the database, encrypted), readable by the
application only; ``str()`` names no parameter, since it may end up in a log.

A job without a requester is a *shared* public document (decision 0051): one build of a
public agenda's document for every visitor who is not logged in, found by an unguessable
token, never by its id.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kansrijk.reports.progress import percent_done


class DocumentStatus(models.TextChoices):
    QUEUED = "wacht", _("wacht op de verwerking")
    RUNNING = "bezig", _("wordt gemaakt")
    DONE = "klaar", _("klaar")
    FAILED = "mislukt", _("mislukt")
    EXPIRED = "verlopen", _("verlopen")


ENDED = (DocumentStatus.DONE, DocumentStatus.FAILED, DocumentStatus.EXPIRED)


def administered_organisations(user):
    """The ids of the organisations ``user`` is beheerder of."""
    from kansrijk.organisations.models import Membership, Role

    return Membership.objects.active_for(user, [Role.ADMIN]).values("organisation_id")


def administered_users(user):
    """The users with an active role in an organisation ``user`` is beheerder of: whose
    failed background work that beheerder sees (the page /beheer/taken/)."""
    from kansrijk.organisations.models import Membership

    return Membership.objects.filter(
        is_active=True, organisation_id__in=administered_organisations(user)
    ).values("user_id")


class DocumentJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user's own jobs, and nobody else's: a document is built in its requester's
        scope (and some hold personal data), so not even a superuser opens another's.
        A shared public document is opened by its token alone (``shared``)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(requested_by=user)

    def shared(self):
        """The public documents built once for every visitor who is not logged in."""
        return self.filter(requested_by__isnull=True).exclude(access_token="")

    def failed_for_beheerder(self, user):
        """The failed jobs of the users of the organisations ``user`` administers, and
        the failed shared builds of the public documents those organisations answer for
        (the kind's ``answered_by``: an agenda's owners, an indicator's owner); all of
        them for a superuser. What the beheerder sees, not what they may download."""
        from .kinds import answered_by_organisations

        if not user.is_authenticated:
            return self.none()
        failed = self.filter(status=DocumentStatus.FAILED)
        if user.is_superuser:
            return failed
        # A public document that fails every time is seen by whoever answers for it,
        # not only noticed by the visitors who click in vain (decision 0054).
        aliases, answered = answered_by_organisations(administered_organisations(user))
        return failed.alias(**aliases).filter(
            Q(requested_by__in=administered_users(user)) | answered
        )

    def unended(self):
        return self.exclude(status__in=ENDED)


class DocumentJob(models.Model):
    kind = models.CharField(_("soort"), max_length=40)
    # What the kind needs to build the document: slugs, codes, dates, a format. Never a
    # person's data; the key is its canonical hash, for reusing a recent job.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    params_key = models.CharField(max_length=64, editable=False)
    # Empty for a shared public document (decision 0051).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="+",
        verbose_name=_("aangevraagd door"),
        null=True,
        blank=True,
    )
    # A shared public document's address (its status page and file): random, so that
    # nobody finds a document by counting; empty for a user's own job.
    access_token = models.CharField(_("toegangssleutel"), max_length=64, blank=True)
    # What the document is, for its status page: the kind, the agenda's title or the
    # period, and the format. Never a person's data (decision 0051).
    title = models.CharField(_("titel"), max_length=300, blank=True)
    language = models.CharField(_("taal"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.QUEUED
    )
    done = models.PositiveSmallIntegerField(_("stappen klaar"), default=0)
    total = models.PositiveSmallIntegerField(_("stappen"), default=0)
    step = models.CharField(_("stap"), max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(_("laatste teken van leven"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    # The kept file's reference; empty before the job is done and once it is deleted.
    stored_file = models.CharField(_("opgeslagen bestand"), max_length=255, blank=True)
    filename = models.CharField(_("bestandsnaam"), max_length=255, blank=True)
    content_type = models.CharField(_("soort bestand"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("grootte"), default=0)
    # For the user: a Dutch sentence, never a stack trace (the log has the error's type).
    error = models.TextField(_("foutmelding"), blank=True, max_length=1000)
    task_id = models.CharField(_("taak"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    started_at = models.DateTimeField(_("begonnen"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    expires_at = models.DateTimeField(_("verloopt op"), null=True, blank=True)

    objects = DocumentJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("documenttaak")
        verbose_name_plural = _("documenttaken")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["requested_by", "kind", "params_key", "created_at"]),
            models.Index(fields=["status", "expires_at"]),
            models.Index(
                fields=["access_token"],
                name="documents_shared_token",
                condition=~Q(access_token=""),
            ),
        ]
        constraints = [
            # Two visitors who click at once share one build: a second waiting or
            # running shared job of the same document cannot be written.
            models.UniqueConstraint(
                fields=["kind", "params_key"],
                condition=Q(requested_by__isnull=True, status__in=["wacht", "bezig"]),
                name="documents_one_shared_build_at_a_time",
            ),
        ]

    def __str__(self) -> str:
        return f"document {self.pk} ({self.kind})"

    def get_absolute_url(self) -> str:
        if self.is_shared:
            return reverse("documents:shared_status", args=[self.access_token])
        return reverse("documents:status", args=[self.pk])

    def get_file_url(self) -> str:
        if self.is_shared:
            return reverse("documents:shared_download", args=[self.access_token])
        return reverse("documents:download", args=[self.pk])

    @property
    def is_shared(self) -> bool:
        return self.requested_by_id is None and bool(self.access_token)

    @property
    def progress_url(self) -> str:
        if self.is_shared:
            return reverse("documents:shared_progress", args=[self.access_token])
        return reverse("documents:progress", args=[self.pk])

    @property
    def file_url(self) -> str:
        if self.is_shared:
            return reverse("documents:shared_download", args=[self.access_token])
        return reverse("documents:download", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in ENDED

    @property
    def percent(self) -> int | None:
        return percent_done(self.done, self.total)
