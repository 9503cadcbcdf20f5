"""Documents off the request (decisions 0047, 0051): every state change of a
``DocumentJob``.

``request_document`` starts a job (or hands back the user's own recent one of the same
document); ``request_shared_document`` does so for a visitor who is not logged in, with
one build of a public document shared by all of them; ``run_document_job`` is the worker's: it claims the job once, builds the
document through its kind, writes progress and stores the file; ``retry`` queues a
failed job again; ``expire_documents`` deletes the files whose time is up and fails jobs
whose worker died. All of them are safe to call from any process.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import secrets

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kansrijk import kept_files
from kansrijk.audit import services as audit
from kansrijk.pulse import Pulse, pulsing
from kansrijk.throttling import services as throttle

from .kinds import KINDS
from .models import DocumentJob, DocumentStatus

logger = logging.getLogger(__name__)

DOCUMENT_DIR = "documents"
HEARTBEAT_SECONDS = 1.0


def _failed_message() -> str:
    return _("Het document kon niet worden gemaakt. Probeer het opnieuw.")


def _settings() -> dict:
    return settings.DOCUMENT_JOBS


def params_key(params: dict) -> str:
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _store(content: bytes, filename: str) -> str:
    """The document kept in the database (``kansrijk.kept_files``: encrypted, served by
    a web machine other than the worker's that built it)."""
    return kept_files.keep(DOCUMENT_DIR, filename, [content])


def open_stored(job: DocumentJob):
    """The document as a seekable binary file that reads from the database as it goes;
    ``FileNotFoundError`` when it is not kept (any more)."""
    return kept_files.open(job.stored_file)


def _delete_file(job: DocumentJob) -> None:
    kept_files.delete(job.stored_file)


# ------------------------------------------------------------------ asking for a document


def request_document(user, kind: str, params: dict) -> DocumentJob:
    """A job that builds ``kind`` with ``params`` for ``user``: the user's own job of the
    same document when it is waiting, running, or finished within the last
    ``REUSE_SECONDS`` and not expired (a second click, the back button), else a new
    one, handed to the worker. A document with personal data is built anew every time,
    so that every copy has its audited reads, as the download had before.

    Raises ``PermissionDenied`` when the kind's check refuses the user."""
    document = KINDS[kind]
    if not user.is_authenticated or not document.allowed(user, params):
        raise PermissionDenied
    key = params_key(params)
    now = timezone.now()
    if not document.personal_data:
        recent = (
            DocumentJob.objects.filter(
                requested_by=user,
                kind=kind,
                params_key=key,
                created_at__gte=now - datetime.timedelta(seconds=_settings()["REUSE_SECONDS"]),
                status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING, DocumentStatus.DONE],
            )
            .order_by("-created_at", "-pk")
            .first()
        )
        if recent is not None and _still_there(recent, now):
            return recent
    with transaction.atomic():
        job = DocumentJob.objects.create(
            kind=kind,
            params=params,
            params_key=key,
            requested_by=user,
            language=translation.get_language() or "",
            title=document.heading(user, params)[:300],
        )
    _enqueue(job)
    job.refresh_from_db()
    return job


# The limit on new shared builds per address (kansrijk.throttling, decision 0051).
SHARED_PER_ADDRESS = throttle.PUBLIC_DOCUMENT_PER_ADDRESS


def request_shared_document(kind: str, params: dict, *, address: str):
    """For a visitor who is not logged in: ``(job, None)`` with the shared build of this
    public document, or ``(None, refusal)`` when this address started too many builds.

    A public document is the same for every such visitor, so one build serves them all:
    the one waiting, running, or finished within ``REUSE_SECONDS`` since what it shows
    last changed (the kind's ``changed``, part of the key). Only a new build counts
    against the address's limit; at most one shared build of a document waits or runs
    at a time (a constraint), so two visitors who click at once share it too.

    Raises ``PermissionDenied`` when the document is not public (a private agenda)."""
    document = KINDS[kind]
    visitor = AnonymousUser()
    if not document.public or not document.allowed(visitor, params):
        raise PermissionDenied
    key = shared_key(document, params)
    now = timezone.now()
    recent = _recent_shared(kind, key, now)
    if recent is not None:
        return recent, None
    refusal = throttle.attempt(SHARED_PER_ADDRESS, address)
    if refusal is not None:
        return None, refusal
    try:
        with transaction.atomic():
            job = DocumentJob.objects.create(
                kind=kind,
                params=params,
                params_key=key,
                requested_by=None,
                access_token=secrets.token_urlsafe(32),
                language=translation.get_language() or "",
                title=document.heading(visitor, params)[:300],
            )
    except IntegrityError:
        # Another visitor's click wrote the waiting build first: share it.
        return _recent_shared(kind, key, now), None
    _enqueue(job)
    job.refresh_from_db()
    return job, None


def shared_key(document, params: dict) -> str:
    """The params' key with the moment the document's content last changed: a build
    made before an edit has another key and is not handed out again."""
    changed = document.changed(params) if document.changed else ""
    return params_key({**params, "__changed": changed})


def _recent_shared(kind: str, key: str, now: datetime.datetime) -> DocumentJob | None:
    """The build waiting or running (however long: a second one would only queue behind
    it), or else the one finished within ``REUSE_SECONDS``."""
    since = now - datetime.timedelta(seconds=_settings()["REUSE_SECONDS"])
    recent = (
        DocumentJob.objects.shared()
        .filter(kind=kind, params_key=key)
        .filter(
            Q(status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING])
            | Q(status=DocumentStatus.DONE, created_at__gte=since)
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if recent is not None and _still_there(recent, now):
        return recent
    return None


def shared_job(token: str) -> DocumentJob | None:
    """The shared public document with this token while its document is still public
    (an agenda made private since is no longer handed out), else None."""
    if not token:
        return None
    job = DocumentJob.objects.shared().filter(access_token=token).first()
    if job is None or job.kind not in KINDS:
        return None
    document = KINDS[job.kind]
    if not document.public or not document.allowed(AnonymousUser(), job.params):
        return None
    return job


def _still_there(job: DocumentJob, now: datetime.datetime) -> bool:
    """Whether a recent job can be handed back: not yet expired and, once done, its file
    still kept (a restored backup may have lost it, a rotation its key)."""
    if job.status != DocumentStatus.DONE:
        return True
    return job.expires_at > now and bool(job.stored_file) and kept_files.exists(job.stored_file)


def _enqueue(job: DocumentJob) -> None:
    """Hand the job to the worker. Not deferred to the commit: the database backend
    writes its task row in the caller's transaction, so a worker sees task and job
    together or neither; the tests' immediate backend runs the job here and now."""
    from .tasks import run_document_job as task

    result = task.enqueue(job.pk)
    DocumentJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


# ------------------------------------------------------------------ running a job


def pulse_key(job_id: int) -> str:
    return f"document-job-pulse-{job_id}"


def _pulse(job_id: int) -> Pulse:
    """The job's sign of life while it runs (``kansrijk.pulse``)."""
    return Pulse(pulse_key(job_id), interval=HEARTBEAT_SECONDS)


def _pulsing(job_id: int, now: datetime.datetime, limit: float) -> bool:
    """Whether the job's thread has beaten within ``limit`` seconds before ``now``."""
    return pulsing(pulse_key(job_id), now, limit)


def _claim(job_id: int) -> DocumentJob | None:
    """The job, now running; None when it is not waiting (another worker has it, or it
    ended): one conditional update, so two workers never build it twice."""
    now = timezone.now()
    claimed = DocumentJob.objects.filter(pk=job_id, status=DocumentStatus.QUEUED).update(
        status=DocumentStatus.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return DocumentJob.objects.select_related("requested_by").get(pk=job_id)


def _progress(job: DocumentJob):
    def report(done: int, total: int, step: str) -> None:
        DocumentJob.objects.filter(pk=job.pk, status=DocumentStatus.RUNNING).update(
            done=done, total=total, step=str(step)[:200], heartbeat_at=timezone.now()
        )

    return report


def run_document_job(job_id: int) -> None:
    """The background task's work: build the document in its requester's scope and keep
    it until it expires. An error is logged by its type only (its text may quote data)
    and the user reads a Dutch sentence."""
    job = _claim(job_id)
    if job is None:
        return
    # A shared public document is built as a visitor who is not logged in sees it.
    user = job.requested_by or AnonymousUser()
    document = KINDS.get(job.kind)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        if document is None or not _may_still_have(user, document, job):
            _fail(job, _("Je mag dit document niet (meer) maken."))
            return
        try:
            with _pulse(job.pk):
                built = document.build(user, job.params, _progress(job))
        except Exception as error:
            logger.error("Document job %s (%s) failed: %s", job.pk, job.kind, type(error).__name__)
            _fail(job, _failed_message())
            return
    content, filename = built.content, built.filename
    stored = _store(content, filename)
    now = timezone.now()
    finished = DocumentJob.objects.filter(pk=job.pk, status=DocumentStatus.RUNNING).update(
        status=DocumentStatus.DONE,
        stored_file=stored,
        filename=filename[:255],
        content_type=document.content_type(job.params),
        size=len(content),
        done=F("total"),
        step="",
        error="",
        finished_at=now,
        expires_at=now + datetime.timedelta(hours=_settings()["EXPIRY_HOURS"]),
    )
    if not finished:  # the sweep took it for dead meanwhile: its verdict stands
        kept_files.delete(stored)


def _may_still_have(user, document, job: DocumentJob) -> bool:
    if job.requested_by_id is None:
        return document.public and document.allowed(user, job.params)
    return user.is_active and document.allowed(user, job.params)


def _fail(job: DocumentJob, message: str) -> None:
    DocumentJob.objects.filter(pk=job.pk).update(
        status=DocumentStatus.FAILED, error=str(message)[:1000], finished_at=timezone.now()
    )


# ------------------------------------------------------------------ retry and expiry


class AlreadyUnderway(Exception):
    """A failed shared build cannot be queued again while another build of the same
    public document waits or runs (``documents_one_shared_build_at_a_time``): a visitor
    asked for it meanwhile, and that build is the retry."""


def may_retry(job: DocumentJob, actor) -> bool:
    """The requester, or a beheerder of the requester's organisation; for a shared
    public document a beheerder of an organisation that answers for it; a document with
    personal data only by its requester (it is built, and its reads audited, in the
    requester's name)."""
    if job.status != DocumentStatus.FAILED or job.kind not in KINDS:
        return False
    if job.requested_by_id == actor.pk:
        return True
    if KINDS[job.kind].personal_data:
        return False
    return DocumentJob.objects.failed_for_beheerder(actor).filter(pk=job.pk).exists()


def retry(job: DocumentJob, *, actor) -> DocumentJob:
    """Queue a failed job again, as it was asked for, and record who did.

    Raises ``AlreadyUnderway`` for a shared build of which another one already waits
    or runs."""
    if not may_retry(job, actor):
        raise PermissionDenied
    if job.is_shared and _shared_build_underway(job):
        raise AlreadyUnderway
    try:
        with transaction.atomic():
            moved = DocumentJob.objects.filter(pk=job.pk, status=DocumentStatus.FAILED).update(
                status=DocumentStatus.QUEUED,
                error="",
                done=0,
                total=0,
                step="",
                heartbeat_at=None,
                started_at=None,
                finished_at=None,
            )
            if not moved:
                raise PermissionDenied
            audit.record(
                "documents.retry",
                actor=actor,
                target=job,
                after={
                    "kind": job.kind,
                    "requested_by": job.requested_by_id,
                    "shared": job.is_shared,
                },
            )
    except IntegrityError:
        # A visitor's click queued a build between the look above and the update.
        raise AlreadyUnderway from None
    _enqueue(job)
    job.refresh_from_db()
    return job


def _shared_build_underway(job: DocumentJob) -> bool:
    return (
        DocumentJob.objects.shared()
        .filter(
            kind=job.kind,
            params_key=job.params_key,
            status__in=[DocumentStatus.QUEUED, DocumentStatus.RUNNING],
        )
        .exclude(pk=job.pk)
        .exists()
    )


def expire_documents(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete the file of every document whose time is up and mark its job expired; fail
    a running job whose heartbeat and pulse both stopped (its worker died) and a job
    that waited longer than a document is kept; delete files in the directory that no
    job knows and that are older than that (a build whose job was lost). Safe to run at
    any time, from any process: each change is conditional on the state it saw."""
    now = now or timezone.now()
    expired = 0
    for job in DocumentJob.objects.filter(status=DocumentStatus.DONE, expires_at__lte=now):
        _delete_file(job)
        expired += DocumentJob.objects.filter(pk=job.pk, status=DocumentStatus.DONE).update(
            status=DocumentStatus.EXPIRED, stored_file=""
        )
    limit = settings.IMPORT_RECOVERY["STALE_SECONDS"]
    stale_before = now - datetime.timedelta(seconds=limit)
    failed = 0
    silent = DocumentJob.objects.filter(
        status=DocumentStatus.RUNNING, heartbeat_at__lt=stale_before
    )
    for job in silent:
        if _pulsing(job.pk, now, limit):
            continue
        failed += DocumentJob.objects.filter(
            pk=job.pk, status=DocumentStatus.RUNNING, heartbeat_at=job.heartbeat_at
        ).update(
            status=DocumentStatus.FAILED,
            error=_("Het maken van het document is onderbroken. Probeer het opnieuw."),
            finished_at=now,
        )
    kept = datetime.timedelta(hours=_settings()["EXPIRY_HOURS"])
    failed += DocumentJob.objects.filter(
        status=DocumentStatus.QUEUED, created_at__lt=now - kept
    ).update(
        status=DocumentStatus.FAILED,
        error=_("Het document wachtte te lang op de verwerking. Probeer het opnieuw."),
        finished_at=now,
    )
    deleted = _delete_unknown_files(now - kept)
    return {"expired": expired, "failed": failed, "deleted": deleted}


def _delete_unknown_files(old_before: datetime.datetime) -> int:
    claimed = DocumentJob.objects.exclude(stored_file="").values_list("stored_file", flat=True)
    return kept_files.delete_unclaimed(DOCUMENT_DIR, claimed, old_before)


def build_in_process(kind: str, params: dict, progress):
    """For the command line: the same kind's builder, in the foreground and without a
    job or a user (the commands see every agenda and the whole register, as they always
    did, and need no worker; decision 0047)."""
    return KINDS[kind].build(None, params, progress)
