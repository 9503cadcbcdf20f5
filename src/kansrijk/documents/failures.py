"""The beheerder's page of failed background work (/beheer/taken/, decision 0047): the
failed document jobs, import jobs and case import runs of the users of the
organisations the beheerder administers, the failed shared builds of the public
documents those organisations answer for (decision 0054), and whether and how each can
be tried again.

A retry goes through each kind's own service function and is audited there. A case
import cannot be retried: its file holds BSNs and is deleted the moment the run ends
(decision 0016); nor can an import job whose file is gone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from kansrijk.cases.models import ImportRun, ImportStatus
from kansrijk.imports import jobs as import_jobs
from kansrijk.imports.models import ImportJob
from kansrijk.imports.models import JobStatus as ImportJobStatus

from . import services
from .kinds import KINDS
from .models import DocumentJob, administered_users

SHOWN_PER_KIND = 100
DOCUMENT, IMPORT_JOB, CASE_IMPORT = "document", "import", "casusimport"


@dataclass(frozen=True)
class Failure:
    kind: str  # DOCUMENT, IMPORT_JOB or CASE_IMPORT: what the retry button posts
    pk: int
    when: object
    what: str
    who: str
    error: str
    retryable: bool
    why_not: str = ""


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


def _of_administered(queryset, field: str, user):
    if user.is_superuser:
        return queryset
    return queryset.filter(Q(**{f"{field}__in": administered_users(user)}))


def _name(user) -> str:
    if user is None:
        return _("(verwijderde gebruiker)")
    return user.get_full_name() or user.username


def _asked_by(job: DocumentJob) -> str:
    if job.is_shared:
        # Nobody asked for it by name: every visitor who is not logged in shares it.
        return _("openbaar document, voor bezoekers")
    return _name(job.requested_by)


def failed_document_jobs(user):
    return DocumentJob.objects.failed_for_beheerder(user).select_related("requested_by")


def failed_import_jobs(user):
    failed = ImportJob.objects.filter(status=ImportJobStatus.FAILED)
    return _of_administered(failed, "uploaded_by", user).select_related("uploaded_by")


def failed_case_imports(user):
    failed = ImportRun.objects.filter(status__in=[ImportStatus.FAILED, ImportStatus.INTERRUPTED])
    return _of_administered(failed, "uploaded_by", user).select_related("uploaded_by")


def failed_count(user) -> int:
    return (
        failed_document_jobs(user).count()
        + failed_import_jobs(user).count()
        + failed_case_imports(user).count()
    )


def failed_for(user) -> list[Failure]:
    """Everything that failed, newest first."""
    found = []
    for job in failed_document_jobs(user)[:SHOWN_PER_KIND]:
        document = KINDS.get(job.kind)
        personal = document is not None and document.personal_data
        found.append(
            Failure(
                DOCUMENT,
                job.pk,
                job.finished_at or job.created_at,
                job.title or (str(document.title) if document else job.kind),
                _asked_by(job),
                job.error,
                services.may_retry(job, user),
                _(
                    "Dit document bevat persoonsgegevens: alleen wie het vroeg kan het opnieuw maken."
                )
                if personal and job.requested_by_id != user.pk
                else "",
            )
        )
    for job in failed_import_jobs(user)[:SHOWN_PER_KIND]:
        kept = import_jobs.file_kept(job)
        found.append(
            Failure(
                IMPORT_JOB,
                job.pk,
                job.finished_at or job.created_at,
                _("Import van %(kind)s: %(name)s")
                % {"kind": job.get_kind_display(), "name": job.original_name},
                _name(job.uploaded_by),
                (job.result or {}).get("error", ""),
                kept,
                ""
                if kept
                else _("Het bestand is na de mislukte import verwijderd; upload het opnieuw."),
            )
        )
    for run in failed_case_imports(user)[:SHOWN_PER_KIND]:
        problems = run.problems or []
        found.append(
            Failure(
                CASE_IMPORT,
                run.pk,
                run.finished_at or run.created_at,
                _("Import van casussen"),
                _name(run.uploaded_by),
                # The register's problems never repeat a BSN (cases.importing).
                problems[0].get("message", "") if problems else run.get_status_display(),
                False,
                _(
                    "Het bestand met BSN's wordt verwijderd zodra de import stopt; upload het "
                    "opnieuw."
                ),
            )
        )
    return sorted(found, key=lambda failure: failure.when, reverse=True)


def retry(kind: str, pk: str, *, actor) -> Outcome:
    """Try one failed task again, if the actor sees it on the page and it can be."""
    if not pk.isdigit():
        return Outcome(False, _("Deze taak bestaat niet (meer)."))
    if kind == DOCUMENT:
        job = failed_document_jobs(actor).filter(pk=pk).first()
        if job is None or not services.may_retry(job, actor):
            return Outcome(False, _("Deze taak kan niet opnieuw worden geprobeerd."))
        try:
            services.retry(job, actor=actor)
        except services.AlreadyUnderway:
            return Outcome(
                False,
                _(
                    "Er wordt al een nieuwe versie van dit openbare document gemaakt: een "
                    "bezoeker vroeg het intussen op."
                ),
            )
        return Outcome(True, _("Het document wordt opnieuw gemaakt."))
    if kind == IMPORT_JOB:
        job = failed_import_jobs(actor).filter(pk=pk).first()
        if job is None or not import_jobs.file_kept(job):
            return Outcome(
                False, _("Deze import kan niet opnieuw: het bestand is niet meer bewaard.")
            )
        import_jobs.retry(job, actor=actor)
        return Outcome(True, _("De import staat opnieuw in de wachtrij."))
    return Outcome(False, _("Deze taak kan niet opnieuw worden geprobeerd."))
