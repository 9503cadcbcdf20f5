"""The documents Kansrijk builds in the background, one entry per kind (decision 0047).

Each kind says how to build its document from the job's parameters (by calling the
module's own exporting function: nothing of their logic lives here), what the file is
called, its content type, and who may have it. ``allowed`` repeats the check of the
download view that asks for the job, and is asked again by the worker just before it
builds: a user who lost a role in between gets no document.

``build(user, params, progress)`` returns the bytes and the filename (the name follows
from what the builder loaded, so it is not loaded twice). The command line builds with
``user=None``: the whole register and every agenda, as its commands always did. ``progress(done, total, step)``
says how far it is, with a Dutch step text; the exporters themselves do not call back,
so the steps are coarse: gathering the figures, making the document.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    # One line for the command line about what is in it (the web shows the document).
    summary: str = ""


Builder = Callable[[Any, dict, Progress], Built]


@dataclass(frozen=True)
class DocumentKind:
    title: Any  # lazy Dutch text: "Agenda als Word-document"
    build: Builder
    content_type: Callable[[dict], str]
    allowed: Callable[[Any, dict], bool]
    # The document names people (the Inspectie registration): only its requester
    # downloads it, and a beheerder cannot rebuild it in the requester's name.
    personal_data: bool = False


def _gathering(progress: Progress, total: int = 2) -> None:
    progress(0, total, _("De gegevens worden verzameld."))


def _rendering(progress: Progress, done: int = 1, total: int = 2) -> None:
    progress(done, total, _("Het document wordt opgemaakt."))


# ------------------------------------------------------------------ agenda


def _visible_agenda(user, params):
    from kansrijk.agenda.models import Agenda

    agendas = Agenda.objects.all() if user is None else Agenda.objects.visible_to(user)
    return agendas.filter(slug=params.get("agenda", "")).first()


def _agenda_allowed(user, params) -> bool:
    # As export_agenda: an agenda the user may see (get_visible_agenda_or_404).
    return _visible_agenda(user, params) is not None


def _build_agenda(user, params, progress):
    from kansrijk.agenda import exporting

    _gathering(progress)
    agenda = _visible_agenda(user, params)
    _rendering(progress)
    content = exporting.export_agenda(agenda, params["fmt"])
    return Built(content, exporting.export_filename(agenda, params["fmt"]))


def _agenda_content_type(params) -> str:
    from kansrijk.agenda import exporting

    return exporting.CONTENT_TYPES[params["fmt"]]


# ------------------------------------------------------------------ progress report


def _build_progress_report(user, params, progress):
    from kansrijk.indicators import report

    _gathering(progress)
    agenda = _visible_agenda(user, params)
    _rendering(progress)
    content = report.export_report(agenda, params["fmt"], user=user)
    return Built(content, report.report_filename(agenda, params["fmt"]))


def _progress_report_content_type(params) -> str:
    from kansrijk.indicators import report

    return report.CONTENT_TYPES[params["fmt"]]


# ------------------------------------------------------------------ one indicator's page


def _curve_indicator(user, params):
    from kansrijk.indicators.models import Indicator

    agenda = _visible_agenda(user, params)
    if agenda is None:
        return None, None
    # As curve.get_council_indicator_or_404: linked to the agenda and visible to the user.
    indicators = Indicator.objects.all() if user is None else Indicator.objects.visible_to(user)
    indicator = (
        indicators.filter(goals__agenda=agenda, code=params.get("indicator", "")).distinct().first()
    )
    return agenda, indicator


def _curve_allowed(user, params) -> bool:
    return _curve_indicator(user, params)[1] is not None


def _build_curve(user, params, progress):
    from kansrijk.agenda import curve

    _gathering(progress)
    agenda, indicator = _curve_indicator(user, params)
    page = curve.build_curve(agenda, indicator)
    _rendering(progress)
    return Built(curve.render_curve_pdf(page), curve.curve_filename(agenda, indicator))


# ------------------------------------------------------------------ quarterly report


def _quarterly_allowed(user, params) -> bool:
    # As report_download: the permission to see the register's figures.
    return user.has_perm("cases.view_figures")


def _build_quarterly(user, params, progress):
    from kansrijk.cases import exporting, reporting

    _gathering(progress)
    built = reporting.build_report(
        peildatum=datetime.date.fromisoformat(params["peildatum"]),
        level=params["niveau"],
        definition=params["definitie"],
        user=user,
        # The command line's --openbaar; the web's figures are suppressed by the user's role.
        public=bool(params.get("openbaar")),
    )
    _rendering(progress)
    fmt = params["fmt"]
    total = built.total.shown("thuiszitters", built.threshold)
    summary = _(
        "%(rows)s rij(en) en een totaal, %(total)s thuiszitters op %(day)s (%(definition)s)"
    ) % {
        "rows": len(built.rows),
        "total": total,
        "day": params["peildatum"],
        "definition": built.definition,
    }
    return Built(
        exporting.export_report(built, fmt), exporting.report_filename(built, fmt), summary
    )


def _quarterly_content_type(params) -> str:
    from kansrijk.cases import exporting

    return exporting.CONTENT_TYPES[params["fmt"]]


# ------------------------------------------------------------------ Inspectie registration


def _partnership(params):
    from kansrijk.organisations.models import Organisation

    return Organisation.objects.partnerships().filter(code=params.get("swv", "")).first()


def _inspectie_allowed(user, params) -> bool:
    # As inspectie_export: the permission on that very SWV.
    swv = _partnership(params)
    return swv is not None and user.has_perm("cases.export_inspectie_registration", swv)


def _build_inspectie(user, params, progress):
    from kansrijk.cases import registration

    swv = _partnership(params)
    start = datetime.date.fromisoformat(params["start"])
    end = datetime.date.fromisoformat(params["end"])
    _rendering(progress, 0, 1)
    # Every episode in it is recorded as read by the requester, as the download did.
    content = registration.export_registration(swv, start, end, params["fmt"], actor=user)
    return Built(content, registration.registration_filename(swv, start, end, params["fmt"]))


def _spreadsheet_content_type(params) -> str:
    from kansrijk.reports.exporting import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

    return {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}[params["fmt"]]


# ------------------------------------------------------------------ annual report


def _annual_choice(user, params):
    """The areas and the view's choice (school year, gemeenten, definition), or None."""
    from kansrijk.cases import registration

    if not user.has_perm("cases.view_annual_report"):
        return None
    areas = registration.annual_report_areas(user)
    code = params.get("gemeente", "")
    if not areas.all or (code and areas.by_code(code) is None) or (areas.everything and not code):
        return None
    chosen = [areas.by_code(code)] if code else (areas.full or areas.aggregate)
    return areas, (params["schooljaar"], chosen, params["definitie"])


def _annual_allowed(user, params) -> bool:
    return _annual_choice(user, params) is not None


def _build_annual(user, params, progress):
    from kansrijk.cases import oversight_views, registration

    _gathering(progress)
    areas, choice = _annual_choice(user, params)
    report = oversight_views.annual_report_for(areas, choice)
    _rendering(progress)
    fmt = params["fmt"]
    return Built(
        registration.export_annual_report(report, fmt),
        registration.annual_report_filename(report, fmt),
    )


KINDS: dict[str, DocumentKind] = {
    "agenda": DocumentKind(
        gettext_lazy("Agenda"), _build_agenda, _agenda_content_type, _agenda_allowed
    ),
    "voortgangsrapportage": DocumentKind(
        gettext_lazy("Voortgangsrapportage voor de raad"),
        _build_progress_report,
        _progress_report_content_type,
        _agenda_allowed,
    ),
    "indicatorpagina": DocumentKind(
        gettext_lazy("Indicator op één pagina"),
        _build_curve,
        lambda params: "application/pdf",
        _curve_allowed,
    ),
    "kwartaalrapportage": DocumentKind(
        gettext_lazy("Kwartaalrapportage thuiszitters"),
        _build_quarterly,
        _quarterly_content_type,
        _quarterly_allowed,
    ),
    "inspectie": DocumentKind(
        gettext_lazy("Thuiszittersregistratie voor de Inspectie"),
        _build_inspectie,
        _spreadsheet_content_type,
        _inspectie_allowed,
        personal_data=True,
    ),
    "jaarverslag": DocumentKind(
        gettext_lazy("Jaarverslag leerplicht"),
        _build_annual,
        _spreadsheet_content_type,
        _annual_allowed,
    ),
}
