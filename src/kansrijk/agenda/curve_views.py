"""The council's pages of an agenda's indicators ("turn the curve"): the list "Indicatoren
voor de raad", one page per indicator, the same page as a one-page PDF, and the form in
which the agenda's editors write the story behind the curve.

Visibility follows the agenda (``views.get_visible_agenda_or_404``: a public agenda opens
without logging in) and the indicator (``Indicator.objects.visible_to``); anything else
answers 404. What is on the pages is built by ``curve.build_curve``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from kansrijk.documents.views import start_download

from . import curve, services
from .forms import CurveStoryForm
from .models import CurveStory
from .views import can_edit, get_visible_agenda_or_404


@require_GET
def curve_list(request, slug):
    agenda = get_visible_agenda_or_404(request.user, slug)
    context = {"agenda": agenda, "indicators": curve.council_indicators(agenda, request.user)}
    return render(request, "agenda/curve/list.html", context)


@require_GET
def curve_page(request, slug, code):
    agenda = get_visible_agenda_or_404(request.user, slug)
    indicator = curve.get_council_indicator_or_404(agenda, request.user, code)
    context = {
        "agenda": agenda,
        "page": curve.build_curve(agenda, indicator),
        "can_edit": can_edit(request.user, agenda),
    }
    return render(request, "agenda/curve/page.html", context)


@require_GET
def curve_pdf(request, slug, code):
    agenda = get_visible_agenda_or_404(request.user, slug)
    indicator = curve.get_council_indicator_or_404(agenda, request.user, code)
    # Built by the worker and followed on its status page (decisions 0047, 0051); a
    # visitor who is not logged in shares the one build of the public agenda's page.
    return start_download(
        request, "indicatorpagina", {"agenda": agenda.slug, "indicator": indicator.code}
    )


@login_required
@require_http_methods(["GET", "POST"])
def curve_story(request, slug, code):
    agenda = get_visible_agenda_or_404(request.user, slug)
    indicator = curve.get_council_indicator_or_404(agenda, request.user, code)
    if not can_edit(request.user, agenda):
        raise PermissionDenied
    story = CurveStory.objects.filter(agenda=agenda, indicator=indicator).first()
    initial = {"text": story.text if story else ""}
    form = CurveStoryForm(request.POST or None, indicator=indicator, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_curve_story(
            agenda, indicator, actor=request.user, text=form.cleaned_data["text"]
        )
        messages.success(request, _("Het verhaal achter de curve is bewaard."))
        return redirect(reverse("agenda:curve", args=[agenda.slug, indicator.code]) + "#verhaal")
    context = {"agenda": agenda, "indicator": indicator, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "agenda/curve/story_form.html", context, status=status)
