"""Upload a case file and follow its import (docs/formats/cases-import.md).

Only users with ``cases.import_cases`` (leerplicht/RMC) upload; a run is shown only to
the user who uploaded it (anyone else gets 404, the same answer as "does not exist").
The upload is streamed to a temporary file, never held in memory, then kept in the
database, encrypted (``kansrijk.kept_files``), for the background task on any machine,
which deletes it when the import has
ended (the worker's sweep deletes it when the task died or never came, and after a day
at most: ``import_recovery``). The status page polls a fragment with htmx every second until the run is
finished.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from . import importing
from .models import CaseOutcome, ImportRun, ImportStatus

RECENT_RUNS = 10


class CaseImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("Een .csv-bestand in UTF-8, met komma's of puntkomma's (hoogstens 200 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(label=_("Alleen controleren, nog niets opslaan"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Kies een .csv-bestand."))
        if upload.size > importing.MAX_FILE_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 200 MB."))
        return upload


def _require_import_permission(user) -> None:
    if not user.has_perm("cases.import_cases"):
        raise PermissionDenied


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    # The upload goes to a temporary file on disk, however small: a file of BSNs is not
    # kept in memory. The handlers must be set before the body is read, so the CSRF
    # check runs in the inner view (Django's documented pattern).
    request.upload_handlers = [TemporaryFileUploadHandler(request)]
    return _upload(request)


@csrf_protect
def _upload(request):
    _require_import_permission(request.user)
    if request.method == "POST":
        form = CaseImportForm(request.POST, request.FILES)
        if form.is_valid():
            run = importing.start_import(
                form.cleaned_data["file"],
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
            return redirect("cases_import:status", pk=run.pk)
    else:
        form = CaseImportForm()
    runs = ImportRun.objects.filter(uploaded_by=request.user).order_by("-created_at", "-pk")[
        :RECENT_RUNS
    ]
    context = {"form": form, "outcomes": CaseOutcome.values, "runs": runs}
    return render(request, "cases/import.html", context, status=400 if form.errors else 200)


def _own_run(request, pk: int) -> ImportRun:
    _require_import_permission(request.user)
    return get_object_or_404(ImportRun.objects.filter(uploaded_by=request.user), pk=pk)


def _progress_context(run: ImportRun) -> dict:
    """What the progress bar shows: the rows checked, then the rows saved, which the
    running import writes into its run (decisions 0028 and 0034)."""
    value = maximum = None
    if run.status == ImportStatus.CHECKING:
        value, maximum = run.checked_rows, run.total_rows
    elif run.status == ImportStatus.SAVING:
        value, maximum = run.written_rows, run.total_rows
    if value is not None and maximum:
        value = min(value, maximum)
    return {
        "run": run,
        "value": value,
        "maximum": maximum,
        "problems": importing.problems_of(run),
        "more_problems": max(run.problem_count - len(run.problems), 0),
    }


@require_GET
@login_required
def status(request, pk: int):
    run = _own_run(request, pk)
    return render(request, "cases/import_status.html", _progress_context(run))


@require_GET
@login_required
def progress(request, pk: int):
    """The fragment the status page polls. The phase the page shows comes along (a
    status code, nothing else), so that the live region is only updated when the phase
    changes, not every second."""
    run = _own_run(request, pk)
    context = _progress_context(run)
    context["phase_changed"] = request.GET.get("fase") != run.status
    return render(request, "cases/import_progress.html", context)
