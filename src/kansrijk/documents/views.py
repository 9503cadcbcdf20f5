"""The status page of a document job, the fragment it polls, the file, and the
beheerder's page of failed background work (decisions 0047, 0051).

A job is its requester's alone: anyone else gets 404, the same answer as "does not
exist", and so does a job whose file has expired. A shared public document (asked for by
a visitor who is not logged in) is opened by its unguessable token instead, and only
while its document is still public.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kansrijk.audit import services as audit
from kansrijk.throttling import services as throttle
from kansrijk.throttling.responses import refused

from . import failures, services
from .kinds import KINDS
from .models import DocumentJob, DocumentStatus


def start_download(request, kind: str, params: dict):
    """What a download link answers now: a job for the document (or the user's own recent
    one), and a 303 to its status page. The caller has checked, as it always did, that
    the user may have the document; the job checks it again. A visitor who is not logged
    in gets the shared build of the public document (decision 0051), or 429 when their
    address started too many builds."""
    if request.user.is_authenticated:
        job = services.request_document(request.user, kind, params)
    else:
        job, refusal = services.request_shared_document(
            kind, params, address=throttle.client_address(request)
        )
        if refusal is not None:
            return refused(request, refusal)
    if not _asks_for_a_page(request):
        return _answer_a_program(job)
    # 303: the browser asks for the status page with GET, whatever asked for the document.
    # The mark says the page was opened by asking for the document: if it is ready by
    # then, the download starts by itself (one click, as the link was before).
    response = HttpResponseRedirect(f"{job.get_absolute_url()}?{JUST_ASKED}=1")
    response.status_code = 303
    return response


# How long a program that asked for a file waits before it asks again.
RETRY_SECONDS = 5


def _asks_for_a_page(request) -> bool:
    """A browser asks for HTML; a program that fetches the open data (a harvester of a
    data portal, curl, a spreadsheet's web query) asks for anything but (curl and most
    libraries send ``*/*``). A request without the header is taken for a browser."""
    accept = request.headers.get("Accept")
    return accept is None or "text/html" in accept


def _answer_a_program(job: DocumentJob) -> HttpResponse:
    """A program gets the file itself, never an HTML status page it cannot read: a 303
    straight to the file when it is ready, else 202 with ``Retry-After`` and the link to
    ask again (the same address, which finds this job again)."""
    if job.status == DocumentStatus.DONE and job.expires_at > timezone.now():
        response = HttpResponseRedirect(job.get_file_url())
        response.status_code = 303
        return response
    if job.status == DocumentStatus.FAILED:
        return HttpResponse(
            job.error or _("Het document kon niet worden gemaakt."),
            status=500,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(
        _("Het bestand wordt gemaakt. Vraag het over %(seconds)s seconden opnieuw op.")
        % {"seconds": RETRY_SECONDS},
        status=202,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_SECONDS)
    return response


# The mark of a status page opened by the download link itself (also when it handed back
# a document made a few minutes before): the user asked for the file just now.
JUST_ASKED = "gevraagd"


def _own_job(request, pk: int) -> DocumentJob:
    return get_object_or_404(DocumentJob.objects.visible_to(request.user), pk=pk)


def _shared_job(token: str) -> DocumentJob:
    job = services.shared_job(token)
    if job is None:
        raise Http404
    return job


def _context(job: DocumentJob) -> dict:
    document = KINDS.get(job.kind)
    # The heading names the document (decision 0051); a job from before that has only
    # its kind.
    title = job.title or (document.title if document else _("Document"))
    return {"job": job, "title": title, "percent": job.percent}


def _status_page(request, job: DocumentJob):
    context = _context(job)
    context["download_now"] = (
        request.GET.get(JUST_ASKED) == "1"
        and job.status == DocumentStatus.DONE
        and job.expires_at > timezone.now()
    )
    return render(request, "documents/job_status.html", context)


def _progress_fragment(request, job: DocumentJob):
    """The fragment the status page polls every second. The status it last saw comes
    along: the live region changes only when the status does, and the download starts
    by itself only when the job became ready while the page was open."""
    context = _context(job)
    seen = request.GET.get("status")
    context["status_changed"] = seen != job.status
    context["download_now"] = job.status == DocumentStatus.DONE and seen != job.status
    return render(request, "documents/job_progress.html", context)


def _file(request, job: DocumentJob):
    now = timezone.now()
    if job.status != DocumentStatus.DONE or not job.stored_file or job.expires_at <= now:
        raise Http404
    try:
        handle = services.open_stored(job)  # FileResponse closes it
    except FileNotFoundError:
        raise Http404 from None
    if KINDS[job.kind].personal_data:
        # Each copy that leaves the server is a read of the people in it.
        with transaction.atomic():
            audit.record("documents.download", actor=request.user, target=job)
    response = FileResponse(handle, content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@login_required
def status(request, pk: int):
    return _status_page(request, _own_job(request, pk))


@require_GET
@login_required
def progress(request, pk: int):
    return _progress_fragment(request, _own_job(request, pk))


@require_GET
@login_required
def download(request, pk: int):
    return _file(request, _own_job(request, pk))


# A shared public document: no login, the token is the address (decision 0051).


@require_GET
def shared_status(request, token: str):
    return _status_page(request, _shared_job(token))


@require_GET
def shared_progress(request, token: str):
    return _progress_fragment(request, _shared_job(token))


@require_GET
def shared_download(request, token: str):
    return _file(request, _shared_job(token))


# ------------------------------------------------------------------ beheer: failed tasks


def _require_beheerder(request) -> None:
    # The same permission the home page asks before it shows the beheerder's section.
    if not request.user.has_perm("audit.view_auditevent"):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def failed_tasks(request):
    _require_beheerder(request)
    if request.method == "POST":
        outcome = failures.retry(
            request.POST.get("soort", ""), request.POST.get("id", ""), actor=request.user
        )
        if outcome.ok:
            messages.success(request, outcome.message)
        else:
            messages.error(request, outcome.message)
        return redirect("failed_tasks")
    return render(
        request, "documents/failed_tasks.html", {"failures": failures.failed_for(request.user)}
    )
