"""Download measurements (CSV, XLSX, SDMX-CSV) and the progress report; upload a file of
measurements.

Downloads follow what a user may see: an indicator or agenda a user may not see
answers 404. Users not entitled to the detail get suppressed figures (``exporting``).
Importing needs ``indicators.submit_measurement`` for at least one organisation; every
row is checked against the user's own scope, by the background worker (decision 0029).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from kansrijk.agenda.models import Agenda
from kansrijk.documents.views import start_download
from kansrijk.imports import jobs
from kansrijk.imports.models import JobKind
from kansrijk.organisations.models import Membership, Role

from . import exporting, importing, report
from .models import Indicator


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def export_measurements(request, code: str, fmt: str):
    indicator = get_object_or_404(Indicator.objects.visible_to(request.user), code=code)
    return _download(
        exporting.export_indicator(indicator, fmt, user=request.user),
        exporting.CONTENT_TYPES[fmt],
        exporting.export_filename(indicator, fmt),
    )


@require_GET
def progress_report(request, slug: str, fmt: str):
    agenda = get_object_or_404(Agenda.objects.visible_to(request.user), slug=slug)
    if request.user.is_authenticated:
        # Built by the worker and followed on its status page (decision 0047); a public
        # agenda's visitor has no job of their own to follow and gets it here, as before.
        return start_download(request, "voortgangsrapportage", {"agenda": agenda.slug, "fmt": fmt})
    return _download(
        report.export_report(agenda, fmt, user=request.user),
        report.CONTENT_TYPES[fmt],
        report.report_filename(agenda, fmt),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("Een .xlsx- of .csv-bestand in het formaat van de export (hoogstens 5 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(label=_("Alleen controleren, nog niets opslaan"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Kies een .xlsx- of .csv-bestand."))
        if upload.size > importing.MAX_FILE_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 5 MB."))
        return upload


def may_import(user) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, is_active=True).exclude(role=Role.READER).exists()


@login_required
@require_http_methods(["GET", "POST"])
def import_measurements(request):
    if not may_import(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = jobs.start(
                JobKind.MEASUREMENTS,
                form.cleaned_data["file"],
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
            return redirect(job)
    else:
        form = ImportForm()
    context = {
        "form": form,
        "columns": importing.COLUMNS,
        "recent_jobs": jobs.recent(request.user, JobKind.MEASUREMENTS),
    }
    return render(request, "indicators/import.html", context)
