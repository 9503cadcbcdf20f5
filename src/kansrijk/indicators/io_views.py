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
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from kansrijk.agenda.models import Agenda
from kansrijk.documents.views import start_download
from kansrijk.imports import jobs
from kansrijk.imports.models import JobKind
from kansrijk.organisations.models import Membership, Role

from . import importing
from .models import Indicator

# Both downloads are built by the worker and followed on their status page (decisions
# 0047, 0051); a visitor who is not logged in shares the one build of a public document.


@require_GET
def export_measurements(request, code: str, fmt: str):
    indicator = get_object_or_404(Indicator.objects.visible_to(request.user), code=code)
    return start_download(request, "metingen", {"indicator": indicator.code, "fmt": fmt})


@require_GET
def progress_report(request, slug: str, fmt: str):
    agenda = get_object_or_404(Agenda.objects.visible_to(request.user), slug=slug)
    return start_download(request, "voortgangsrapportage", {"agenda": agenda.slug, "fmt": fmt})


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
