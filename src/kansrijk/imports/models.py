"""``ImportJob`` follows one uploaded file of the agenda, measurement, participation,
needs or reported-count import through the background worker (decision 0029).

The case register keeps its own ``ImportRun`` (decision 0016): its file holds BSNs and
its run writes in phases the others do not have. No string representation carries
anything from the file: ``str()`` may end up in a log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class JobKind(models.TextChoices):
    AGENDA = "agenda", _("agenda")
    MEASUREMENTS = "metingen", _("metingen")
    PARTICIPATION = "deelname", _("deelname")
    NEEDS = "behoeften", _("behoeften")
    COUNTS = "aantallen", _("opgegeven aantallen")


class JobStatus(models.TextChoices):
    QUEUED = "wacht", _("wacht op de verwerking")
    RUNNING = "bezig", _("bezig met controleren")
    # The file passed the check and is being written in short batches (decision 0030):
    # a job that dies now is run again, not failed.
    WRITING = "opslaan", _("bezig met opslaan")
    DONE = "klaar", _("klaar")
    REJECTED = "afgewezen", _("afgewezen")
    FAILED = "mislukt", _("mislukt")


ENDED = (JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The uploader's own jobs, and the jobs for an agenda the user may import into.
        The other kinds are not for one organisation (a file may name many), so only
        their uploader sees them: the report names rows another user may not see."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from kansrijk.agenda.models import Agenda

        editable = Agenda.objects.editable_by(user).values("pk")
        return self.filter(
            models.Q(uploaded_by=user) | models.Q(kind=JobKind.AGENDA, agenda__in=editable)
        )

    def ended(self):
        return self.filter(status__in=ENDED)

    def unended(self):
        return self.exclude(status__in=ENDED)


class ImportJob(models.Model):
    kind = models.CharField(_("soort"), max_length=20, choices=JobKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("geüpload door"),
    )
    agenda = models.ForeignKey(
        "agenda.Agenda",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agenda"),
    )
    original_name = models.CharField(_("bestandsnaam"), max_length=255)
    # The kept file's reference (kansrijk.kept_files); empty once the file is deleted (in
    # every end state).
    stored_file = models.CharField(_("opgeslagen bestand"), max_length=255, blank=True)
    dry_run = models.BooleanField(_("alleen controleren"), default=False)
    language = models.CharField(_("taal"), max_length=10, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveIntegerField(_("verwerkt"), default=0)
    total = models.PositiveIntegerField(_("totaal"), default=0)
    # Rows of the file saved so far, batch by batch (decision 0030), and how often the
    # sweep has handed the job to a worker again after its worker died while writing.
    written_rows = models.PositiveIntegerField(_("opgeslagen rijen"), default=0)
    attempts = models.PositiveSmallIntegerField(_("nieuwe pogingen"), default=0)
    heartbeat_at = models.DateTimeField(_("laatste teken van leven"), null=True, blank=True)
    # What the page shows afterwards: summary lines, warnings and problems (see jobs.py).
    result = models.JSONField(_("uitkomst"), default=dict, blank=True)
    task_id = models.CharField(_("taak"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    started_at = models.DateTimeField(_("begonnen"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("importtaak")
        verbose_name_plural = _("importtaken")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "heartbeat_at"])]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.kind})"

    def get_absolute_url(self) -> str:
        return reverse("imports:status", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in ENDED
