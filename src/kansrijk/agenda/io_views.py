"""Download an agenda as DOCX, PDF, XLSX or CSV; upload a spreadsheet to update it.

Downloads follow what a user may see (a public agenda without logging in); an agenda a
user may not see answers 404, the same as one that does not exist. Every format is built
by the worker and followed on its status page (decisions 0047, 0051). Importing needs
``agenda.change_agenda`` (a beleidsmedewerker of an owning organisation); the upload is
imported by the background worker and followed on its job's status page (decision 0029).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from kansrijk.documents.views import start_download
from kansrijk.imports import jobs
from kansrijk.imports.models import JobKind

from . import importing
from .models import Agenda


def get_visible_agenda_or_404(user, slug: str) -> Agenda:
    return get_object_or_404(Agenda.objects.visible_to(user), slug=slug)


@require_GET
def export_agenda(request, slug: str, fmt: str):
    agenda = get_visible_agenda_or_404(request.user, slug)
    # A visitor who is not logged in shares the one build of the public agenda's document.
    return start_download(request, "agenda", {"agenda": agenda.slug, "fmt": fmt})


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("Een .xlsx- of .csv-bestand in het formaat van de export (hoogstens 5 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=_("Alleen controleren, nog niets opslaan"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Kies een .xlsx- of .csv-bestand."))
        if upload.size > importing.MAX_FILE_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 5 MB."))
        return upload


def _agenda_page(agenda: Agenda) -> str | None:
    # The agenda pages are wired in by kansrijk.agenda.urls; link back when they exist.
    try:
        return agenda.get_absolute_url()
    except NoReverseMatch:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def import_agenda(request, slug: str):
    agenda = get_visible_agenda_or_404(request.user, slug)
    if not request.user.has_perm("agenda.change_agenda", agenda):
        raise PermissionDenied
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            job = jobs.start(
                JobKind.AGENDA,
                form.cleaned_data["file"],
                actor=request.user,
                dry_run=form.cleaned_data["dry_run"],
                agenda=agenda,
            )
            return redirect(job)
    else:
        form = ImportForm()
    context = {
        "agenda": agenda,
        "agenda_url": _agenda_page(agenda),
        "form": form,
        "recent_jobs": jobs.recent(request.user, JobKind.AGENDA, agenda=agenda),
        "downloads": [
            (fmt, reverse("agenda_io:export", args=[agenda.slug, fmt])) for fmt in ("xlsx", "csv")
        ],
    }
    return render(request, "agenda/import.html", context)
