"""The documents Kansrijk builds in the background, one entry per kind (decisions 0047
and 0051).

Each kind says how to build its document from the job's parameters (by calling the
module's own exporting function: nothing of their logic lives here), what the file is
called, its content type, and who may have it. ``allowed`` repeats the check of the
download view that asks for the job, and is asked again by the worker just before it
builds: a user who lost a role in between gets no document. ``user`` is an anonymous
user for a shared public document: ``allowed`` then says whether the document is public.

``build(user, params, progress)`` returns the bytes and the filename (the name follows
from what the builder loaded, so it is not loaded twice). The command line builds with
``user=None``: the whole register and every agenda, as its commands always did.
``progress(done, total, step)`` says how far it is, with a Dutch step text; the builders
hand the exporters a ``reports.progress.Steps`` around it, and the long exporters call it
per goal, section or part (decision 0051).

``subject(user, params)`` says what the document is about (an agenda's title, a
peildatum), for the status page's heading; ``changed(params)`` when what a public
document shows last changed, so that a shared build is not handed out after an edit.

``answered_by`` says which organisations answer for a public document (an agenda's
owners, an indicator's owner): their beheerders see its failed shared build on
/beheer/taken/ and may try it again (decision 0054). A kind without it is answered for
by the superusers alone (the whole sociale kaart has no owner).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.reports.progress import Steps

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Built:
    content: bytes
    filename: str
    # One line for the command line about what is in it (the web shows the document).
    summary: str = ""


Builder = Callable[[Any, dict, Progress], Built]


@dataclass(frozen=True)
class AnsweredBy:
    """Who answers for a public document, told both ways from one parameter: the
    organisations that answer for the thing a job names (its retry), and the things a
    set of organisations answers for (the beheerder's list, one query for every job)."""

    # The parameter that names the thing: "agenda" (a slug), "indicator" (a code).
    param: str
    # The organisations that answer for the thing with this value.
    organisations: Callable[[str], Any]
    # The values of the things that these organisations answer for (a values() queryset).
    things: Callable[[Any], Any]


def _nothing_about(user, params) -> str:
    return ""


FORMAT_LABELS = {
    "pdf": "PDF",
    "docx": "Word",
    "xlsx": "Excel",
    "csv": "CSV",
    "sdmx": "SDMX-CSV",
    "json": "JSON",
    "zip": "zip",
}


@dataclass(frozen=True)
class DocumentKind:
    title: Any  # lazy Dutch text: "Agenda"
    build: Builder
    content_type: Callable[[dict], str]
    allowed: Callable[[Any, dict], bool]
    # The document names people (the Inspectie registration): only its requester
    # downloads it, and a beheerder cannot rebuild it in the requester's name.
    personal_data: bool = False
    # A visitor who is not logged in may ask for it (a public agenda's document): one
    # build is shared by every such visitor (decision 0051).
    public: bool = False
    subject: Callable[[Any, dict], str] = _nothing_about
    # When what the document shows last changed (a text, compared for equality), or
    # None: a shared build made before that is not handed out again.
    changed: Callable[[dict], str] | None = None
    # Which organisations' beheerders answer for a failed shared build (decision 0054).
    answered_by: AnsweredBy | None = None
    format_labels: dict = field(default_factory=dict)

    def answerable(self, params: dict):
        """The organisations whose beheerders answer for this public document; none for
        a kind that names no owner (then the superusers alone answer for it)."""
        from kansrijk.organisations.models import Organisation

        if self.answered_by is None:
            return Organisation.objects.none()
        return self.answered_by.organisations(str(params.get(self.answered_by.param, "")))

    def heading(self, user, params: dict) -> str:
        """What the status page calls the document: the kind, what it is about and the
        format ("Agenda ‘Uitvoeringsnota’ (PDF)"). No person: the subjects are agendas,
        indicators, organisations and periods."""
        about = self.subject(user, params)
        fmt = params.get("fmt", "pdf")
        label = self.format_labels.get(fmt) or FORMAT_LABELS.get(fmt, fmt.upper())
        return " ".join(part for part in (str(self.title), about, f"({label})") if part)


def _quoted(text: str) -> str:
    return f"‘{text}’"


def _day(value: str) -> str:
    return date_format(datetime.date.fromisoformat(value), "j F Y")


# ------------------------------------------------------------------ agenda


def _visible_agenda(user, params):
    from kansrijk.agenda.models import Agenda

    agendas = Agenda.objects.all() if user is None else Agenda.objects.visible_to(user)
    return agendas.filter(slug=params.get("agenda", "")).first()


def _agenda_allowed(user, params) -> bool:
    # As export_agenda: an agenda the user may see (get_visible_agenda_or_404); for a
    # visitor who is not logged in, a public agenda.
    return _visible_agenda(user, params) is not None


def _agenda_subject(user, params) -> str:
    agenda = _visible_agenda(user, params)
    return _quoted(agenda.title) if agenda else ""


def _agenda_changed(params) -> str:
    """Everything the agenda's documents show, as one fingerprint (``changes``)."""
    from kansrijk.agenda.models import Agenda

    from .changes import agenda_parts, fingerprint

    return fingerprint(Agenda.objects.filter(slug=params.get("agenda", "")), agenda_parts())


def _agenda_figures_changed(params) -> str:
    """For the council's documents: the agenda's tree and its indicators' figures, in
    the same query."""
    from kansrijk.agenda.models import Agenda

    from .changes import agenda_parts, figures_parts, fingerprint

    return fingerprint(
        Agenda.objects.filter(slug=params.get("agenda", "")),
        {**agenda_parts(), **figures_parts()},
    )


def _agenda_owners(slug: str):
    from kansrijk.organisations.models import Organisation

    return Organisation.objects.filter(owned_agendas__slug=slug)


def _agendas_of(organisations):
    from kansrijk.agenda.models import Agenda

    return Agenda.objects.filter(owners__in=organisations).values("slug")


# The agenda's documents answer to the agenda's owners, as its pages do.
AGENDA_OWNERS = AnsweredBy("agenda", _agenda_owners, _agendas_of)


def _build_agenda(user, params, progress):
    from kansrijk.agenda import exporting

    agenda = _visible_agenda(user, params)
    content = exporting.export_agenda(agenda, params["fmt"], Steps(progress))
    return Built(content, exporting.export_filename(agenda, params["fmt"]))


def _agenda_content_type(params) -> str:
    from kansrijk.agenda import exporting

    return exporting.CONTENT_TYPES[params["fmt"]]


# ------------------------------------------------------------------ progress report


def _build_progress_report(user, params, progress):
    from kansrijk.indicators import report

    agenda = _visible_agenda(user, params)
    content = report.export_report(agenda, params["fmt"], user=user, progress=Steps(progress))
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


def _curve_subject(user, params) -> str:
    # The indicator's name alone: with the agenda's title the heading grew past four lines.
    _agenda, indicator = _curve_indicator(user, params)
    return _quoted(indicator.name) if indicator else ""


def _build_curve(user, params, progress):
    from kansrijk.agenda import curve

    steps = Steps(progress).expect(2)
    steps(_("De cijfers worden gelezen."))
    agenda, indicator = _curve_indicator(user, params)
    page = curve.build_curve(agenda, indicator)
    steps(_("De pagina wordt opgemaakt."))
    return Built(curve.render_curve_pdf(page), curve.curve_filename(agenda, indicator))


# ------------------------------------------------------------------ measurements


def _measured_indicator(user, params):
    from kansrijk.indicators.models import Indicator

    # As export_measurements: an indicator the user may see.
    indicators = Indicator.objects.all() if user is None else Indicator.objects.visible_to(user)
    return indicators.filter(code=params.get("indicator", "")).first()


def _measurements_allowed(user, params) -> bool:
    return _measured_indicator(user, params) is not None


def _measurements_subject(user, params) -> str:
    indicator = _measured_indicator(user, params)
    return _quoted(indicator.name) if indicator else ""


def _measurements_changed(params) -> str:
    from kansrijk.indicators.models import Indicator

    from .changes import fingerprint, indicator_parts

    return fingerprint(
        Indicator.objects.filter(code=params.get("indicator", "")), indicator_parts()
    )


def _indicator_owner(code: str):
    from kansrijk.organisations.models import Organisation

    return Organisation.objects.filter(indicators__code=code)


def _indicators_of(organisations):
    from kansrijk.indicators.models import Indicator

    return Indicator.objects.filter(owner__in=organisations).values("code")


def _build_measurements(user, params, progress):
    from kansrijk.indicators import exporting

    indicator = _measured_indicator(user, params)
    Steps(progress).expect(1)(_("De metingen worden gelezen en geschreven."))
    # The user's own view of the figures: suppressed for whoever may not see the detail.
    content = exporting.export_indicator(indicator, params["fmt"], user=user)
    return Built(content, exporting.export_filename(indicator, params["fmt"]))


def _measurements_content_type(params) -> str:
    from kansrijk.indicators import exporting

    return exporting.CONTENT_TYPES[params["fmt"]]


# ------------------------------------------------------------------ the sociale kaart's open data

SOCIAL_MAP_FILES = {
    "csv": ("sociale-kaart-aanbod.csv", "text/csv; charset=utf-8"),
    "json": ("sociale-kaart-hsds.json", "application/json"),
    "zip": ("sociale-kaart-hsds.zip", "application/zip"),
}


def _social_map_changed(params) -> str:
    from django.db.models import Max

    from kansrijk.socialmap.models import Service

    latest = Service.objects.aggregate(t=Max("last_modified"), p=Max("published_at"))
    return "|".join(value.isoformat() for value in latest.values() if value is not None)


def _build_social_map(user, params, progress):
    from kansrijk.socialmap import exporting, hsds
    from kansrijk.socialmap.models import Service

    steps = Steps(progress).expect(2)
    steps(_("Het gepubliceerde aanbod wordt gelezen."))
    fmt = params["fmt"]
    # The same for everyone: what the open-data page offers, the published entries.
    if fmt == "csv":
        content = exporting.catalogue_csv(Service.objects.published())
        steps(_("Het bestand wordt geschreven."))
    else:
        tables = hsds.export_tables(Service.objects.published())
        steps(_("Het bestand wordt geschreven."))
        content = hsds.write_json(tables) if fmt == "json" else hsds.write_zip(tables)
    return Built(content, SOCIAL_MAP_FILES[fmt][0])


# ------------------------------------------------------------------ quarterly report


def _quarterly_allowed(user, params) -> bool:
    # As report_download: the permission to see the register's figures.
    return user.has_perm("cases.view_figures")


def _quarterly_subject(user, params) -> str:
    return _("peildatum %(day)s") % {"day": _day(params["peildatum"])}


def _build_quarterly(user, params, progress):
    from kansrijk.cases import exporting, reporting

    fmt = params["fmt"]
    steps = Steps(progress).expect(reporting.QUARTERLY_REPORT_STEPS + exporting.EXPORT_STEPS[fmt])
    built = reporting.build_report(
        peildatum=datetime.date.fromisoformat(params["peildatum"]),
        level=params["niveau"],
        definition=params["definitie"],
        user=user,
        # The command line's --openbaar; the web's figures are suppressed by the user's role.
        public=bool(params.get("openbaar")),
        progress=steps,
    )
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
        exporting.export_report(built, fmt, steps), exporting.report_filename(built, fmt), summary
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


def _inspectie_subject(user, params) -> str:
    # The SWV and the period: an organisation, not the young people in the file.
    swv = _partnership(params)
    return _("%(swv)s, %(start)s tot en met %(end)s") % {
        "swv": swv.name if swv else params.get("swv", ""),
        "start": _day(params["start"]),
        "end": _day(params["end"]),
    }


def _build_inspectie(user, params, progress):
    from kansrijk.cases import registration

    swv = _partnership(params)
    start = datetime.date.fromisoformat(params["start"])
    end = datetime.date.fromisoformat(params["end"])
    Steps(progress).expect(1)(_("De registratie wordt samengesteld."))
    # Every episode in it is recorded as read by the requester, as the download did.
    content = registration.export_registration(swv, start, end, params["fmt"], actor=user)
    return Built(content, registration.registration_filename(swv, start, end, params["fmt"]))


def _spreadsheet_content_type(params) -> str:
    from kansrijk.reports.exporting import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

    return {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}[params["fmt"]]


# ------------------------------------------------------------------ reconciliation


def _reconciliation_allowed(user, params) -> bool:
    # As reconciliation_csv: the permission to compare the counts.
    return user.has_perm("cases.reconcile_counts")


def _build_reconciliation(user, params, progress):
    from kansrijk.cases import reconciliation

    steps = Steps(progress).expect(2)
    steps(_("De tellingen worden vergeleken met het register."))
    result = reconciliation.compare(
        peildatum=datetime.date.fromisoformat(params["peildatum"]),
        definition=params["definitie"],
        user=user,
    )
    steps(_("Het bestand wordt geschreven."))
    return Built(
        reconciliation.export_differences(result), reconciliation.differences_filename(result)
    )


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


def _annual_subject(user, params) -> str:
    about = _("schooljaar %(year)s") % {"year": params["schooljaar"]}
    choice = _annual_choice(user, params)
    if choice is not None and params.get("gemeente"):
        _areas, (_year, chosen, _definition) = choice
        _pk, _code, name = chosen[0]
        about += ", " + name
    return about


def _build_annual(user, params, progress):
    from kansrijk.cases import oversight_views, registration

    steps = Steps(progress).expect(registration.ANNUAL_REPORT_STEPS + 1)
    areas, choice = _annual_choice(user, params)
    report = oversight_views.annual_report_for(areas, choice, steps)
    fmt = params["fmt"]
    return Built(
        registration.export_annual_report(report, fmt, steps),
        registration.annual_report_filename(report, fmt),
    )


KINDS: dict[str, DocumentKind] = {
    "agenda": DocumentKind(
        gettext_lazy("Agenda"),
        _build_agenda,
        _agenda_content_type,
        _agenda_allowed,
        public=True,
        subject=_agenda_subject,
        changed=_agenda_changed,
        answered_by=AGENDA_OWNERS,
    ),
    "voortgangsrapportage": DocumentKind(
        gettext_lazy("Voortgangsrapportage voor de raad"),
        _build_progress_report,
        _progress_report_content_type,
        _agenda_allowed,
        public=True,
        subject=_agenda_subject,
        changed=_agenda_figures_changed,
        answered_by=AGENDA_OWNERS,
    ),
    "indicatorpagina": DocumentKind(
        gettext_lazy("Indicator op één pagina"),
        _build_curve,
        lambda params: "application/pdf",
        _curve_allowed,
        public=True,
        subject=_curve_subject,
        changed=_agenda_figures_changed,
        answered_by=AGENDA_OWNERS,
    ),
    "metingen": DocumentKind(
        gettext_lazy("Metingen van de indicator"),
        _build_measurements,
        _measurements_content_type,
        _measurements_allowed,
        public=True,
        subject=_measurements_subject,
        changed=_measurements_changed,
        answered_by=AnsweredBy("indicator", _indicator_owner, _indicators_of),
    ),
    "sociale-kaart": DocumentKind(
        gettext_lazy("Aanbod van de sociale kaart"),
        _build_social_map,
        lambda params: SOCIAL_MAP_FILES[params["fmt"]][1],
        lambda user, params: params.get("fmt") in SOCIAL_MAP_FILES,
        public=True,
        changed=_social_map_changed,
        # The published catalogue as a whole has no owner: each entry is approved per
        # gemeente, an entry for no gemeente by a platform beheerder. Superusers only.
        format_labels={"json": "HSDS, JSON", "zip": "HSDS, zip"},
    ),
    "kwartaalrapportage": DocumentKind(
        gettext_lazy("Kwartaalrapportage thuiszitters"),
        _build_quarterly,
        _quarterly_content_type,
        _quarterly_allowed,
        subject=_quarterly_subject,
    ),
    "inspectie": DocumentKind(
        gettext_lazy("Thuiszittersregistratie voor de Inspectie"),
        _build_inspectie,
        _spreadsheet_content_type,
        _inspectie_allowed,
        personal_data=True,
        subject=_inspectie_subject,
    ),
    "afstemming": DocumentKind(
        gettext_lazy("Afstemming van de tellingen"),
        _build_reconciliation,
        lambda params: "text/csv; charset=utf-8",
        _reconciliation_allowed,
        subject=_quarterly_subject,
        format_labels={"csv": "CSV"},
    ),
    "jaarverslag": DocumentKind(
        gettext_lazy("Jaarverslag leerplicht"),
        _build_annual,
        _spreadsheet_content_type,
        _annual_allowed,
        subject=_annual_subject,
    ),
}


def answered_by_organisations(organisations) -> tuple[dict, Any]:
    """The aliases and the condition that select, from ``DocumentJob``, the shared builds
    that ``organisations`` answer for: one condition per kind with ``answered_by``, each
    a subquery, so the beheerder's list stays one query however many jobs failed."""
    from django.db.models import Q
    from django.db.models.fields.json import KT

    aliases = {}
    condition = Q(pk__in=[])
    for name, document in KINDS.items():
        if document.answered_by is None:
            continue
        param = document.answered_by.param
        alias = f"answered_{param}"
        aliases[alias] = KT(f"params__{param}")
        condition |= Q(kind=name, **{f"{alias}__in": document.answered_by.things(organisations)})
    return aliases, Q(requested_by__isnull=True) & condition
