"""The register's accounting pages, mounted at /thuiszitters/:

* ``afstemming/`` — the reported counts against the register (``reconciliation``), with
  the upload (imported by the background worker, decision 0029), the form and a CSV of
  the differences;
* ``inspectie/`` — the SWV's cumulative registration for the Inspectie
  (``registration``), as CSV or XLSX; each exported episode is an audited case read;
* ``jaarverslag/`` — the figures of the leerplicht annual report, suppressed for roles
  that may only see aggregates.

Thin views: who may do what is a ``rules`` permission (``cases.reconcile_counts``,
``cases.export_inspectie_registration``, ``cases.view_annual_report``), what is counted
lives in ``reconciliation`` and ``registration``, every change goes through ``services``.
None of these pages shows a person, so none of them shows a BSN.
"""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from kansrijk.documents.views import start_download
from kansrijk.imports import jobs
from kansrijk.imports.models import JobKind
from kansrijk.indicators.charts import bar_chart
from kansrijk.organisations.models import Organisation, Region, RegionKind
from kansrijk.reports.exporting import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE

from . import dates, reconciliation, registration, reporting, services
from .models import CountDefinition
from .queries import scope_of

CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
DIFFERENCES_PER_PAGE = 100
SCHOOL_YEARS_BACK = 6
# Above this many schools the form asks for a BRIN6 instead of offering a list.
SCHOOL_CHOICE_LIMIT = 300


def _require(request, permission: str, obj=None) -> None:
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied


def date_input(label, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


def definition_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=gettext_lazy("Definitie"),
        choices=CountDefinition.choices,
        initial=CountDefinition.OCW,
        required=False,
    )


def school_year_choices(today: datetime.date) -> list[tuple[str, str]]:
    first = dates.school_year_start(today)
    labels = [
        dates.school_year_label(datetime.date(first.year - back, 8, 1))
        for back in range(SCHOOL_YEARS_BACK)
    ]
    return [(label, label) for label in labels]


# ------------------------------------------------------------------ afstemming


class ReconciliationFilterForm(forms.Form):
    peildatum = date_input(gettext_lazy("Peildatum"), required=False)
    definitie = definition_field()


class CountUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bestand"),
        help_text=gettext_lazy(
            "Een .csv- of .xlsx-bestand met de kolommen peildatum, brin6, aantal en eventueel "
            "woongemeente (hoogstens 5 MB)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Alleen controleren, nog niets opslaan"), required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Kies een .csv- of .xlsx-bestand."))
        if upload.size > reconciliation.MAX_FILE_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 5 MB."))
        return upload


class ReportedCountForm(forms.Form):
    """One number for one school and peildatum (optionally for one woongemeente)."""

    peildatum = date_input(gettext_lazy("Peildatum"))
    school = forms.ChoiceField(label=gettext_lazy("School"))
    woongemeente = forms.ChoiceField(
        label=gettext_lazy("Woongemeente"),
        required=False,
        help_text=gettext_lazy(
            "Leeg: het aantal van de hele school. Geef je per woongemeente op, zet dan het "
            "aantal van de hele school op 0 of upload een bestand: dat vervangt de opgave."
        ),
    )
    aantal = forms.IntegerField(label=gettext_lazy("Aantal thuiszitters"), min_value=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = reconciliation.ReconciliationScope.of(user)
        schools = (
            Organisation.objects.schools().filter(self.scope.schools_q("")).order_by("name", "code")
        )
        choices = list(schools.values_list("code", "name")[: SCHOOL_CHOICE_LIMIT + 1])
        if len(choices) > SCHOOL_CHOICE_LIMIT:
            self.fields["school"] = forms.CharField(
                label=gettext_lazy("School (BRIN6)"),
                max_length=6,
                help_text=gettext_lazy("De vestigingscode, bijvoorbeeld 07NU00."),
            )
        else:
            self.fields["school"].choices = [
                ("", _("Kies een school")),
                *((code, f"{name} ({code})") for code, name in choices),
            ]
        self.fields["woongemeente"].choices = [
            ("", _("Niet uitgesplitst")),
            *Region.objects.filter(kind=RegionKind.MUNICIPALITY)
            .order_by("name")
            .values_list("code", "name"),
        ]

    def clean_peildatum(self):
        day = self.cleaned_data["peildatum"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("De peildatum ligt in de toekomst."))
        return day

    def clean_school(self):
        code = self.cleaned_data["school"].strip().upper()
        school = Organisation.objects.schools().filter(code=code).first()
        if school is None:
            raise forms.ValidationError(_("Er is geen schoolvestiging met deze BRIN6."))
        if not self.scope.may_report_for(school):
            raise forms.ValidationError(_("Voor deze school mag je geen aantallen opgeven."))
        return school

    def clean_woongemeente(self):
        code = self.cleaned_data.get("woongemeente")
        if not code:
            return None
        return Region.objects.get(kind=RegionKind.MUNICIPALITY, code=code)


def _chosen_peildatum(filter_form: ReconciliationFilterForm, user) -> datetime.date:
    if filter_form.is_bound and filter_form.is_valid() and filter_form.cleaned_data["peildatum"]:
        return filter_form.cleaned_data["peildatum"]
    reported = reconciliation.reported_peildata(user, limit=1)
    return reported[0] if reported else reporting.latest_peildatum(timezone.localdate())


def _chosen_definition(filter_form: ReconciliationFilterForm) -> str:
    if filter_form.is_bound and filter_form.is_valid():
        return filter_form.cleaned_data["definitie"] or CountDefinition.OCW
    return CountDefinition.OCW


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation_page(request):
    _require(request, "cases.reconcile_counts")
    user = request.user
    filter_form = ReconciliationFilterForm(request.GET or None)
    peildatum = _chosen_peildatum(filter_form, user)
    definition = _chosen_definition(filter_form)
    upload_form = CountUploadForm()
    count_form = ReportedCountForm(user=user, initial={"peildatum": peildatum}, prefix="opgave")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "upload":
            upload_form = CountUploadForm(request.POST, request.FILES)
            if upload_form.is_valid():
                job = jobs.start(
                    JobKind.COUNTS,
                    upload_form.cleaned_data["file"],
                    actor=user,
                    dry_run=upload_form.cleaned_data["dry_run"],
                )
                return redirect(job)
            status = 400
        elif action == "opgave":
            count_form = ReportedCountForm(request.POST, user=user, prefix="opgave")
            if count_form.is_valid():
                data = count_form.cleaned_data
                _reported, changed = services.report_count(
                    actor=user,
                    reference_date=data["peildatum"],
                    school=data["school"],
                    municipality=data["woongemeente"],
                    count=data["aantal"],
                    source="formulier",
                )
                messages.success(
                    request,
                    _("Het aantal is opgeslagen.")
                    if changed
                    else _("Dit aantal was al opgegeven; er is niets veranderd."),
                )
                query = urlencode(
                    {"peildatum": data["peildatum"].isoformat(), "definitie": definition}
                )
                return redirect(f"{reverse('cases_oversight:reconciliation')}?{query}")
            status = 400
        else:
            status = 400
    result = reconciliation.compare(peildatum=peildatum, definition=definition, user=user)
    page = Paginator(result.school_differences, DIFFERENCES_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    query = urlencode({"peildatum": peildatum.isoformat(), "definitie": definition})
    if not filter_form.is_bound or (
        filter_form.is_valid() and filter_form.cleaned_data["peildatum"] != peildatum
    ):
        # The peildatum shown is not the one asked for (a default, or the file's).
        filter_form = ReconciliationFilterForm(
            initial={"peildatum": peildatum, "definitie": definition}
        )
    context = {
        "filter_form": filter_form,
        "upload_form": upload_form,
        "recent_jobs": jobs.recent(user, JobKind.COUNTS),
        "count_form": count_form,
        "result": result,
        "page": page,
        "peildata": reconciliation.reported_peildata(user),
        "columns": reconciliation.COLUMNS,
        "csv_url": f"{reverse('cases_oversight:reconciliation_csv')}?{query}",
        "this_url": f"{reverse('cases_oversight:reconciliation')}?{query}",
    }
    return render(request, "cases/reconciliation.html", context, status=status)


@login_required
@require_GET
def reconciliation_csv(request):
    _require(request, "cases.reconcile_counts")
    filter_form = ReconciliationFilterForm(request.GET or None)
    # Built by the worker and followed on its status page (decision 0051). Counts per
    # school and woongemeente, no person: not a document with personal data.
    params = {
        "peildatum": _chosen_peildatum(filter_form, request.user).isoformat(),
        "definitie": _chosen_definition(filter_form),
        "fmt": "csv",
    }
    return start_download(request, "afstemming", params)


# ------------------------------------------------------------------ Inspectie

END_OF_YEAR = "einde"


def _partnerships_of(user):
    partnerships = Organisation.objects.partnerships().order_by("code")
    scope = scope_of(user)
    if scope.is_superuser:
        return partnerships
    return partnerships.filter(pk__in=scope.partnership_ids)


class InspectieForm(forms.Form):
    swv = forms.ChoiceField(label=gettext_lazy("Samenwerkingsverband"))
    schooljaar = forms.ChoiceField(label=gettext_lazy("Schooljaar"))
    moment = forms.ChoiceField(
        label=gettext_lazy("Tot en met"),
        help_text=gettext_lazy("Cumulatief vanaf 1 augustus."),
    )
    tot = date_input(
        gettext_lazy("Of tot en met een andere datum"),
        required=False,
        help_text=gettext_lazy("Laat leeg om het gekozen moment te gebruiken."),
    )

    def __init__(self, *args, partnerships, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.partnerships = {swv.code: swv for swv in partnerships}
        self.fields["swv"].choices = [
            (swv.code, f"{swv.name} ({swv.code})") for swv in self.partnerships.values()
        ]
        self.fields["schooljaar"].choices = school_year_choices(today)
        moments = []
        for text in _inspectie_days():
            day, month = text
            moments.append((f"{day}-{month}", _day_month_label(day, month)))
        moments.append((END_OF_YEAR, _("31 juli (het hele schooljaar)")))
        self.fields["moment"].choices = moments

    def clean(self):
        data = super().clean()
        swv = self.partnerships.get(data.get("swv"))
        label = data.get("schooljaar")
        if swv is None or not label:
            return data
        start, end = dates.parse_school_year(label)
        until = data.get("tot")
        if until is None:
            moment = data.get("moment")
            if moment and moment != END_OF_YEAR:
                day, month = (int(part) for part in moment.split("-"))
                year = start.year if month >= dates.SCHOOL_YEAR_START_MONTH else end.year
                until = datetime.date(year, month, day)
        try:
            data["period"] = registration.registration_period(label, until)
        except ValueError:
            self.add_error(
                "tot",
                _("Kies een datum in het schooljaar %(year)s (1 augustus tot en met 31 juli).")
                % {"year": label},
            )
        data["partnership"] = swv
        return data


def _inspectie_days() -> list[tuple[int, int]]:
    found = []
    for text in settings.KANSRIJK["INSPECTIE_PEILDATA"]:
        day, _sep, month = text.strip().partition("-")
        found.append((int(day), int(month)))
    # In the order of the school year: August first.
    return sorted(found, key=lambda dm: ((dm[1] - dates.SCHOOL_YEAR_START_MONTH) % 12, dm[0]))


def _day_month_label(day: int, month: int) -> str:
    return formats.date_format(datetime.date(2000, month, day), "j F")


def _inspectie_defaults(partnerships, today: datetime.date) -> dict:
    """The last Inspectie moment that has passed, in the current school year (or the
    previous one, early in August)."""
    label = dates.school_year_label(today)
    moments = [day for day in registration.inspectie_moments(label) if day <= today]
    if not moments:
        label = dates.school_year_label(dates.school_year_start(today) - datetime.timedelta(1))
        moments = registration.inspectie_moments(label)
    last = moments[-1]
    moment = END_OF_YEAR if (last.month, last.day) == (7, 31) else f"{last.day}-{last.month}"
    return {"swv": partnerships[0].code, "schooljaar": label, "moment": moment}


@login_required
@require_GET
def inspectie_page(request):
    partnerships = list(_partnerships_of(request.user))
    if not partnerships:
        raise PermissionDenied
    today = timezone.localdate()
    data = request.GET if "swv" in request.GET else _inspectie_defaults(partnerships, today)
    form = InspectieForm(data, partnerships=partnerships, today=today)
    summary = None
    downloads = []
    status = 200
    if form.is_valid():
        swv = form.cleaned_data["partnership"]
        _require(request, "cases.export_inspectie_registration", swv)
        start, end = form.cleaned_data["period"]
        summary = registration.registration_summary(swv, start, end)
        query = urlencode(
            {key: data.get(key, "") for key in ("swv", "schooljaar", "moment", "tot")}
        )
        downloads = [
            (fmt.upper(), f"{reverse('cases_oversight:inspectie_export', args=[fmt])}?{query}")
            for fmt in registration.REGISTRATION_FORMATS
        ]
    else:
        status = 400
    return render(
        request,
        "cases/inspectie.html",
        {
            "form": form,
            "summary": summary,
            "downloads": downloads,
            "moments": [_day_month_label(day, month) for day, month in _inspectie_days()],
        },
        status=status,
    )


@login_required
@require_GET
def inspectie_export(request, fmt: str):
    if fmt not in registration.REGISTRATION_FORMATS:
        raise Http404
    swv = Organisation.objects.partnerships().filter(code=request.GET.get("swv", "")).first()
    if swv is None or not request.user.has_perm("cases.export_inspectie_registration", swv):
        # Not yours and not there get the same answer.
        raise Http404
    form = InspectieForm(request.GET, partnerships=[swv])
    if not form.is_valid():
        return HttpResponse(
            _("Kies een schooljaar en een moment."), status=400, content_type="text/plain"
        )
    start, end = form.cleaned_data["period"]
    # Built by the worker, which records every episode in it as read by this user, and
    # downloadable by this user alone (decision 0047).
    params = {"swv": swv.code, "start": start.isoformat(), "end": end.isoformat(), "fmt": fmt}
    return start_download(request, "inspectie", params)


# ------------------------------------------------------------------ jaarverslag

ALL_AREAS = ""


class AnnualReportForm(forms.Form):
    schooljaar = forms.ChoiceField(label=gettext_lazy("Schooljaar"))
    gemeente = forms.ChoiceField(label=gettext_lazy("Gemeente"), required=False)
    definitie = definition_field()

    def __init__(self, *args, areas: registration.AnnualReportAreas, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        today = today or timezone.localdate()
        self.areas = areas
        self.fields["schooljaar"].choices = school_year_choices(today)
        first = [] if areas.everything else [(ALL_AREAS, _("Alle gemeenten van mijn werkgebied"))]
        self.fields["gemeente"].choices = [
            *first,
            *((code, name) for _pk, code, name in areas.all),
        ]
        if areas.everything:
            self.fields["gemeente"].required = True


def default_school_year(today: datetime.date) -> str:
    """The annual report is about the school year that ended last (due before 1 October)."""
    return dates.school_year_label(dates.school_year_start(today) - datetime.timedelta(days=1))


def _annual_report_from(request):
    """The form, the user's gemeenten and the choice (school year, gemeenten,
    definition), or None when there is nothing to show yet; a 403 for a user without
    gemeenten."""
    _require(request, "cases.view_annual_report")
    areas = registration.annual_report_areas(request.user)
    if not areas.all:
        raise PermissionDenied
    today = timezone.localdate()
    data = request.GET if "schooljaar" in request.GET else None
    form = AnnualReportForm(
        data,
        areas=areas,
        today=today,
        initial={"schooljaar": default_school_year(today), "definitie": CountDefinition.OCW},
    )
    if data is None:
        if areas.everything:
            return form, areas, None
        chosen = areas.full or areas.aggregate
        return form, areas, (default_school_year(today), chosen, CountDefinition.OCW)
    if not form.is_valid():
        return form, areas, None
    code = form.cleaned_data["gemeente"]
    chosen = [areas.by_code(code)] if code else (areas.full or areas.aggregate)
    return (
        form,
        areas,
        (
            form.cleaned_data["schooljaar"],
            chosen,
            form.cleaned_data["definitie"] or CountDefinition.OCW,
        ),
    )


@login_required
@require_GET
def annual_report_page(request):
    form, areas, choice = _annual_report_from(request)
    report = chart = None
    downloads = []
    status = 200 if choice is not None or not form.is_bound else 400
    if choice is not None:
        report = annual_report_for(areas, choice)
        stock = report.table("thuiszitters_peildata")
        column = registration.TOTAL if report.has_total_column else report.columns[0]
        chart = bar_chart(
            [(label, report.shown((stock.key, code, column))) for code, label in stock.rows],
            unit="count",
            title=_("Thuiszitters op de peildata van %(year)s") % {"year": report.school_year},
            label_header=_("Peildatum"),
            value_header=_("Thuiszitters"),
            chart_id="jaarverslag-peildata",
        )
        query = urlencode(
            {
                "schooljaar": report.school_year,
                "gemeente": request.GET.get("gemeente", ""),
                "definitie": report.definition,
            }
        )
        downloads = [
            (fmt.upper(), f"{reverse('cases_oversight:annual_report_export', args=[fmt])}?{query}")
            for fmt in registration.ANNUAL_REPORT_FORMATS
        ]
    return render(
        request,
        "cases/jaarverslag.html",
        {"form": form, "report": report, "chart": chart, "downloads": downloads},
        status=status,
    )


def annual_report_for(
    areas: registration.AnnualReportAreas, choice, progress=None
) -> registration.AnnualReport:
    school_year, chosen, definition = choice
    suppressed = not all(areas.is_full(pk) for pk, _code, _name in chosen)
    return registration.build_annual_report(
        school_year=school_year,
        municipality_ids=[pk for pk, _code, _name in chosen],
        suppressed=suppressed,
        definition=definition,
        progress=progress,
    )


@login_required
@require_GET
def annual_report_export(request, fmt: str):
    if fmt not in registration.ANNUAL_REPORT_FORMATS:
        raise Http404
    form, _areas, choice = _annual_report_from(request)
    if choice is None:
        return HttpResponse(
            _("Kies een schooljaar en een gemeente."), status=400, content_type="text/plain"
        )
    school_year, _chosen, definition = choice
    # Built by the worker and followed on its status page (decision 0047).
    params = {
        "schooljaar": school_year,
        "gemeente": form.cleaned_data["gemeente"] if form.is_bound else "",
        "definitie": definition,
        "fmt": fmt,
    }
    return start_download(request, "jaarverslag", params)
