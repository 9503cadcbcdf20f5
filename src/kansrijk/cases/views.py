"""The register's pages: thin views over ``queries`` (who sees which case, and how much),
``rules`` (the named permissions), ``services`` (every change), ``worklist`` (the
signals) and ``reporting`` (the quarterly count).

* What a user may not see answers 404, the same as what does not exist; what they may
  see but not change answers 403 on the changing pages.
* Every page that shows cases writes one audit row per case shown
  (``services.record_reads``), with the page as its route.
* A BSN or onderwijsnummer only travels in the body of a POST (the searches and the
  forms that register a young person), is never put in a URL, and is shown only to
  leerplicht of the woongemeente after pressing "Toon BSN" (``services.reveal_identifier``,
  audited). Pages with personal data are never cached.
* Users who may only see aggregates (policy officers, readers) get the quarterly report,
  suppressed; the dossier pages send them there.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kansrijk.documents.views import start_download
from kansrijk.indicators import charts, suppression
from kansrijk.input_guard import id_from
from kansrijk.organisations.models import (
    Organisation,
    OrganisationKind,
    Region,
)
from kansrijk.paging import keyset_page

from . import dates, exporting, reporting, services, signals, worklist
from .forms import (
    AbsenceFilterForm,
    AbsenceReportForm,
    AgreementForm,
    AssignForm,
    CaseEditForm,
    CaseFilterForm,
    CloseForm,
    ContactForm,
    EndEnrolmentForm,
    EnrolForm,
    EventForm,
    ExemptionForm,
    MoveForm,
    NewCaseForm,
    NumberSearchForm,
    OfferForm,
    ReportForm,
    ReportStatusForm,
    ResolveAgreementForm,
    WorklistFilterForm,
    add_service_errors,
    ask_to_retype,
)
from .models import (
    AbsenceKind,
    AbsenceReport,
    Agreement,
    AgreementStatus,
    Case,
    CaseCategory,
    CaseEvent,
    Contact,
    Enrolment,
    EventKind,
    Exemption,
    ReportStatus,
    Residence,
    YoungPerson,
)
from .queries import (
    EPISODE,
    FULL,
    PARTIAL,
    area_schools,
    case_manager_candidates,
    manages_cases,
    registering_municipalities,
    scope_of,
)
from .rules import access_level, young_person_level

PER_PAGE = 50
EXEMPTIONS_SHOWN = 50
TREND_PEILDATA = 8
CASE_RELATED = ("young_person", "school__partnership", "municipality", "case_manager")
NETWORK_KINDS_WITHOUT_SCHOOLS = [
    kind
    for kind in OrganisationKind.values
    if kind
    not in (
        OrganisationKind.SCHOOL_LOCATION,
        OrganisationKind.SCHOOL_INSTITUTION,
        OrganisationKind.SCHOOL_BOARD,
    )
]


# ------------------------------------------------------------------ the user's place


# A school contact (PARTIAL) sees the signals that follow from what it sees: the dates
# and the offer. "No movement" reads the timeline, "agreement overdue" may be another
# party's agreement, and who leads the case is leerplicht's and the SWV's concern: none
# of them is shown at that level.
PARTIAL_SIGNALS = ("pact", "thuiszitter")


def works_with_dossiers(user) -> bool:
    """Leerplicht, SWV coordinator, school contact, or regievoerder of a case: someone
    who opens dossiers, not only aggregates."""
    return scope_of(user).has_dossier_role or manages_cases(user)


def sees_episodes(user) -> bool:
    """Leerplicht, the SWV or a regievoerder: access to whole episodes, not only part."""
    scope = scope_of(user)
    return (
        scope.is_superuser
        or bool(scope.full_region_ids or scope.partnership_ids)
        or manages_cases(user)
    )


def episode_cases(user):
    """The visible cases this user sees at level EPISODE or FULL (not only in part):
    the same rule as ``CaseScope.dossier_q`` without the school contact's share."""
    scope = scope_of(user)
    cases = Case.objects.visible_to(user)
    if scope.is_superuser:
        return cases
    condition = Q(case_manager_id=user.pk)
    if scope.full_region_ids:
        condition |= Q(municipality_id__in=scope.full_region_ids)
    if scope.partnership_ids:
        condition |= Q(school__partnership_id__in=scope.partnership_ids)
    return cases.filter(condition)


def scope_municipalities(user):
    """The gemeenten of the user's work: those of the leerplicht office, those the SWV
    works for, those of the schools. Filters offer only these."""
    scope = scope_of(user)
    regions = Region.objects.municipalities().order_by("name")
    if scope.is_superuser:
        return regions
    served = Organisation.served_regions.through.objects.filter(
        organisation_id__in=scope.partnership_ids
    ).values("region_id")
    located = Organisation.objects.filter(pk__in=scope.school_ids).values("municipality_id")
    return regions.filter(
        Q(pk__in=scope.full_region_ids) | Q(pk__in=served) | Q(pk__in=located)
    ).distinct()


def scope_partnerships(user):
    """The SWVs of the user's work: their own, those of their schools, and those that
    work for the gemeenten of their leerplicht office."""
    scope = scope_of(user)
    partnerships = Organisation.objects.partnerships().order_by("name")
    if scope.is_superuser:
        return partnerships
    serving = Organisation.served_regions.through.objects.filter(
        region_id__in=scope.full_region_ids
    ).values("organisation_id")
    of_schools = Organisation.objects.filter(pk__in=scope.school_ids).values("partnership_id")
    return partnerships.filter(
        Q(pk__in=scope.partnership_ids) | Q(pk__in=serving) | Q(pk__in=of_schools)
    ).distinct()


def network_organisations(user, case: Case):
    """The organisations that can take part in a case: the partners (not every school)
    that work for or in the woongemeente and those in the user's network, the case's
    school and those already taking part."""
    partners = Organisation.objects.filter(kind__in=NETWORK_KINDS_WITHOUT_SCHOOLS)
    condition = (
        Q(pk__in=case.participants.values("pk"))
        | Q(pk=case.school_id)
        | Q(pk__in=partners.filter(served_regions=case.municipality_id).values("pk"))
        | Q(pk__in=partners.filter(municipality_id=case.municipality_id).values("pk"))
    )
    if not user.is_superuser:
        network = Organisation.objects.visible_to(user).filter(
            kind__in=NETWORK_KINDS_WITHOUT_SCHOOLS
        )
        condition |= Q(pk__in=network.values("pk"))
    return Organisation.objects.filter(condition).order_by("name")


def case_parties(case: Case):
    """The parties around the table of a case: the participants, the school with its
    board and SWV, the gemeente and leerplicht of the woongemeente, and the
    regievoerder's organisations. Agreements and the doorbraakberaad name one of them."""
    ids = set(case.participants.values_list("pk", flat=True))
    if case.school_id:
        school = case.school
        ids |= {school.pk, school.partnership_id}
        if school.parent_id:
            ids.add(school.parent.parent_id)  # the board of the school's institution
    ids |= set(
        Organisation.objects.filter(
            kind__in=[OrganisationKind.MUNICIPALITY, OrganisationKind.ATTENDANCE_OFFICE],
            served_regions=case.municipality_id,
        ).values_list("pk", flat=True)
    )
    if case.case_manager_id:
        ids |= set(
            case.case_manager.memberships.filter(is_active=True).values_list(
                "organisation_id", flat=True
            )
        )
    ids.discard(None)
    # A school is one party: its location (BRIN6), not again its institution (BRIN4)
    # under the same name.
    return (
        Organisation.objects.filter(pk__in=ids)
        .exclude(kind=OrganisationKind.SCHOOL_INSTITUTION, children__pk__in=ids)
        .order_by("name")
    )


# ------------------------------------------------------------------ look-ups


def get_visible_case_or_404(user, pk) -> Case:
    """One answer for "not yours" and "does not exist": 404."""
    return get_object_or_404(Case.objects.visible_to(user).select_related(*CASE_RELATED), pk=pk)


def get_changeable_case(request, pk) -> Case:
    case = get_visible_case_or_404(request.user, pk)
    if not request.user.has_perm("cases.change_case", case):
        raise PermissionDenied
    return case


def get_visible_young_person_or_404(user, pk) -> YoungPerson:
    return get_object_or_404(YoungPerson.objects.visible_to(user), pk=pk)


def get_changeable_young_person(request, pk) -> YoungPerson:
    person = get_visible_young_person_or_404(request.user, pk)
    if not request.user.has_perm("cases.change_young_person", person):
        raise PermissionDenied
    return person


def absence_reports_visible_to(user):
    """The verzuimmeldingen a user sees: the school its own, the SWV those of its
    schools, leerplicht those of pupils who lived in its gemeenten when reported (or
    live there now), the regievoerder those of their cases."""
    scope = scope_of(user)
    reports = AbsenceReport.objects.all()
    if scope.is_superuser:
        return reports
    if not scope.user_id:
        return reports.none()
    condition = Q(case__case_manager_id=scope.user_id)
    if scope.school_ids:
        condition |= Q(school_id__in=scope.school_ids)
    if scope.partnership_ids:
        condition |= Q(school__partnership_id__in=scope.partnership_ids)
    if scope.full_region_ids:
        lived_there = Residence.objects.filter(
            young_person=OuterRef("young_person"), municipality_id__in=scope.full_region_ids
        ).filter(
            Q(valid_to__isnull=True)
            | Q(valid_from__lte=OuterRef("reported_on"), valid_to__gt=OuterRef("reported_on"))
        )
        condition |= Q(Exists(lived_there))
    return reports.filter(condition)


def get_visible_report_or_404(user, pk) -> AbsenceReport:
    return get_object_or_404(
        absence_reports_visible_to(user).select_related("young_person", "school", "case"), pk=pk
    )


def with_signal_list(cases, today, keys=signals.URGENCY, scope=None) -> list:
    """Each annotated case with the list of its signals, most urgent first, and the
    sentence that says why it is on the list (its most urgent signal); with ``scope``, a
    case seen in part shows only the signals of its level."""
    rows = list(cases)
    for case in rows:
        row_keys = keys
        if scope is not None and scope.level_for(case) == PARTIAL:
            row_keys = [key for key in keys if key in PARTIAL_SIGNALS]
        case.signal_list = [
            signals.CASE_SIGNALS[key]
            for key in signals.URGENCY
            if key in row_keys and getattr(case, f"signal_{key}", False)
        ]
        case.reason = (
            signals.reason(case, case.signal_list[0].key, today) if case.signal_list else ""
        )
    return rows


def register_nav(user) -> dict:
    """What the register's own menu offers this user."""
    schools = area_schools(user)
    return {
        "dossiers": works_with_dossiers(user),
        "escalation": sees_episodes(user),
        "figures": user.has_perm("cases.view_figures"),
        "add_case": user.has_perm("cases.add_case"),
        "report_absence": schools is None or schools.exists(),
    }


def render_page(request, template: str, context: dict, status: int = 200):
    """Render a page of the register, with its menu."""
    context["register_nav"] = register_nav(request.user)
    return render(request, template, context, status=status)


def signal_explanation(key: str) -> str:
    text = str(signals.CASE_SIGNALS[key].explanation)
    return text % {"days": signals.stagnation_days()} if "%(days)s" in text else text


def aggregate_only(request, title: str):
    """The page for users who may only see aggregates: where their figures are."""
    if not request.user.has_perm("cases.view_figures"):
        raise PermissionDenied
    return render_page(request, "cases/aggregate_only.html", {"title": title})


# ------------------------------------------------------------------ work list


@login_required
@never_cache
@require_GET
def worklist_page(request):
    """What needs attention today: the signal counts and the open cases with a signal,
    for me, one SWV or one gemeente; the vrijstellingen 5 onder a in their own section."""
    user = request.user
    if not works_with_dossiers(user):
        return aggregate_only(request, _("Werkvoorraad"))
    today = timezone.localdate()
    scope = scope_of(user)
    partnerships = list(scope_partnerships(user))
    municipalities = list(scope_municipalities(user))
    keys = signals.URGENCY if sees_episodes(user) else PARTIAL_SIGNALS
    form = WorklistFilterForm(
        request.GET or None,
        partnerships=partnerships,
        municipalities=municipalities,
        signal_keys=keys,
    )
    cases = Case.objects.visible_to(user)
    chosen = {"signaal": "", "wie": ""}
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data
    who = chosen.get("wie") or ""
    if who == "mijn":
        cases = cases.filter(case_manager=user)
    elif who.startswith("swv:"):
        cases = cases.filter(school__partnership__code=who.removeprefix("swv:"))
    elif who.startswith("gemeente:"):
        cases = cases.filter(municipality__code=who.removeprefix("gemeente:"))
    counts = worklist.signal_counts(cases, today, keys)
    signal = chosen.get("signaal") or None
    flagged = worklist.cases_with_signals(cases, today, only=signal, keys=keys).select_related(
        *CASE_RELATED
    )
    page = Paginator(flagged, PER_PAGE).get_page(request.GET.get("pagina"))
    page.object_list = with_signal_list(page.object_list, today, keys=keys, scope=scope)
    services.record_reads(user, page.object_list, route="werkvoorraad")

    exemptions, exemption_total = [], 0
    if scope.is_superuser or scope.full_region_ids:
        signalled = worklist.exemptions_with_signals(Exemption.objects.monitored_by(user), today)
        exemptions = list(
            signalled.select_related("young_person").order_by("valid_to", "pk")[:EXEMPTIONS_SHOWN]
        )
        # Counted apart only when there are more than the page shows.
        exemption_total = (
            len(exemptions) if len(exemptions) < EXEMPTIONS_SHOWN else signalled.count()
        )
        for exemption in exemptions:
            exemption.signal_list = [
                signal_info
                for key, signal_info in signals.EXEMPTION_SIGNALS.items()
                if getattr(exemption, f"signal_{key}", False)
            ]
    signal_tiles = [
        {"key": key, "signal": info, "count": counts.get(key, 0), "active": key == signal}
        for key, info in signals.CASE_SIGNALS.items()
        if key in keys
    ]
    context = {
        "form": form,
        "page": page,
        "signal_tiles": signal_tiles,
        "signal": signals.CASE_SIGNALS.get(signal) if signal else None,
        "signal_explanation": signal_explanation(signal) if signal else "",
        "stagnation_days": signals.stagnation_days(),
        "who": who,
        "exemptions": exemptions,
        "exemption_total": exemption_total,
        "shows_exemptions": scope.is_superuser or bool(scope.full_region_ids),
        "today": today,
    }
    return render_page(request, "cases/worklist.html", context)


# ------------------------------------------------------------------ case list


def filtered_cases(user, data: dict):
    cases = Case.objects.visible_to(user)
    status = data.get("status") or "open"
    if status == "open":
        cases = cases.filter(end_date__isnull=True)
    elif status == "gesloten":
        cases = cases.filter(end_date__isnull=False)
    if data.get("q"):
        cases = cases.filter(dossier_id__icontains=data["q"].strip())
    if data.get("categorie"):
        cases = cases.filter(category=data["categorie"])
    if data.get("gemeente"):
        cases = cases.filter(municipality__code=data["gemeente"])
    if data.get("school"):
        cases = cases.filter(school__code=data["school"])
    manager = data.get("regievoerder") or ""
    if manager == "mij":
        cases = cases.filter(case_manager=user)
    elif manager == "geen":
        cases = cases.filter(case_manager__isnull=True)
    elif manager.isdigit():
        cases = cases.filter(case_manager_id=int(manager))
    return cases


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("nummer")
@sensitive_variables("number")
def case_list(request):
    """The cases a user may open, 50 a page, with filters (GET) and the search by BSN or
    onderwijsnummer (POST: the number never goes into the address)."""
    user = request.user
    if not works_with_dossiers(user):
        return aggregate_only(request, _("Casussen"))
    filter_form = CaseFilterForm(
        request.GET or None,
        municipalities=list(scope_municipalities(user)),
        case_managers=list(case_manager_candidates(user)),
    )
    search_form = NumberSearchForm()
    searched, found_person = False, None
    if request.method == "POST":
        search_form = NumberSearchForm(request.POST)
        if search_form.is_valid():
            searched = True
            number = search_form.cleaned_data["nummer"]
            person = services.find_young_person(number)
            cases = Case.objects.none()
            if person is not None:
                # Not visible and not registered give the same answer: nothing found.
                cases = Case.objects.visible_to(user).filter(young_person=person)
                found_person = YoungPerson.objects.visible_to(user).filter(pk=person.pk).first()
            # A fresh, empty form: the number is not printed back into the page.
            search_form = NumberSearchForm()
        else:
            cases = Case.objects.none()
    else:
        data = filter_form.cleaned_data if filter_form.is_bound and filter_form.is_valid() else {}
        cases = filtered_cases(user, data)
    # Closed cases stay until retention: the list grows with time, so keyset pages
    # (decision 0044).
    page = keyset_page(
        request, cases.select_related(*CASE_RELATED), ("-start_date", "-pk"), per_page=PER_PAGE
    )
    scope = scope_of(user)
    for case in page.object_list:
        case.level = scope.level_for(case)
    services.record_reads(user, page.object_list, route="lijst")
    context = {
        "filter_form": filter_form,
        "search_form": search_form,
        "searched": searched,
        "searching": request.method == "POST",
        "found_person": found_person,
        "page": page,
        "can_add": user.has_perm("cases.add_case"),
        "today": timezone.localdate(),
    }
    status = 400 if request.method == "POST" and search_form.errors else 200
    return render_page(request, "cases/case_list.html", context, status=status)


# ------------------------------------------------------------------ opening a case


def open_from_report_initial(report: AbsenceReport) -> dict:
    return {
        "category": CaseCategory.RELATIVE
        if report.kind in (AbsenceKind.SIXTEEN_HOURS, AbsenceKind.LONG_RELATIVE)
        else "",
        "start_date": report.start_date,
    }


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("identifier")
@sensitive_variables("cleaned", "number")
def case_new(request):
    """Open a case: find or register the young person, then the episode. From the young
    person's page (``?jongere=``) or a verzuimmelding (``?melding=``) the person is known
    and only the episode is asked."""
    user = request.user
    if not user.has_perm("cases.add_case"):
        raise PermissionDenied
    person, report, initial = None, None, {}
    report_id, person_id = id_from(request.GET.get("melding")), id_from(request.GET.get("jongere"))
    if report_id is not None:
        report = get_visible_report_or_404(user, report_id)
        if not user.has_perm("cases.handle_report", report):
            raise PermissionDenied
        person = report.young_person
        initial = open_from_report_initial(report)
    elif person_id is not None:
        person = get_visible_young_person_or_404(user, person_id)
    municipalities = registering_municipalities(user)
    if person is not None:
        services.record_person_reads(user, [person], route="nieuwe casus")
        current = person.municipality_on(timezone.localdate())
        if current is not None:
            initial.setdefault("municipality", current.pk)
    form = NewCaseForm(
        request.POST or None,
        person=person,
        municipalities=municipalities,
        schools=area_schools(user),
        case_managers=case_manager_candidates(user),
        initial_school=report.school if report else None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            with transaction.atomic():
                case, registered = services.intake_case(
                    actor=user, young_person=form.person or form.existing_person, **cleaned
                )
                if report is not None:
                    if report.status == ReportStatus.REGISTERED:
                        services.change_report_status(
                            report, actor=user, status=ReportStatus.IN_PROGRESS, case=case
                        )
                    else:
                        services.link_report_to_case(report, actor=user, case=case)
        except services.DuplicateYoungPerson:
            form.add_error(
                "identifier",
                _("Deze jongere is zojuist door iemand anders ingeschreven. Verstuur opnieuw."),
            )
        except ValidationError as error:
            add_service_errors(
                form, error, {"birth_date": "birth_date", "valid_from": "living_since"}
            )
        else:
            if not registered and form.person is None:
                messages.info(
                    request,
                    _(
                        "Deze jongere stond al in het register. De casus is bij de bestaande "
                        "jongere geopend; naam en geboortedatum zijn niet gewijzigd."
                    ),
                )
            messages.success(
                request, _("Casus %(dossier)s is geopend.") % {"dossier": case.dossier_id}
            )
            return redirect(case.get_absolute_url())
    ask_to_retype(form, "identifier")
    groups = [
        (
            _("De jongere"),
            (
                "identifier_kind",
                "identifier",
                "birth_date",
                "given_name",
                "family_name",
                "municipality",
                "living_since",
            ),
        ),
        (_("De casus"), ("category", "start_date", "school", "school_code", "case_manager")),
    ]
    context = {
        "form": form,
        "groups": field_groups(form, groups),
        "person": person,
        "report": report,
        "title": _("Nieuwe casus"),
        "submit_label": _("Casus openen"),
        "back_url": reverse("cases:list"),
    }
    if person is not None:
        context["intro_person"] = person
    return render_page(
        request, "cases/case_new.html", context, status=400 if form.is_bound else 200
    )


def field_groups(form, groups) -> list:
    """[(legend, [bound fields])] for the fields the form still has."""
    result = []
    for legend, names in groups:
        fields = [form[name] for name in names if name in form.fields]
        if fields:
            result.append((legend, fields))
    return result


# ------------------------------------------------------------------ the case page


def timeline_picture(case: Case, today: datetime.date) -> dict:
    """Where the marks of the picture go: start, 4 weeks, 3 months (the Thuiszitterspact),
    the offer and today (or the end), on a 600-wide axis. Coordinates are strings with a
    decimal point: a template would print a float the Dutch way ("596,1")."""
    left, width = 20, 600
    until = case.end_date or today
    four_weeks = case.start_date + dates.FOUR_WEEKS
    # A vrijstelling is not an episode of absence: no 4-week or 3-month marks.
    pact_applies = case.category in signals.THUISZITTER_CATEGORIES
    axis_end = max(
        until, case.pact_deadline if pact_applies else until, case.offer_date or case.start_date
    )
    axis_end += datetime.timedelta(days=7)
    span = max((axis_end - case.start_date).days, 1)

    def x(day: datetime.date) -> float:
        return left + (day - case.start_date).days / span * width

    def coordinate(value: float) -> str:
        return f"{value:.1f}"

    def anchor(value: float, text_width: int) -> str:
        """Keep a label of about ``text_width`` pixels inside the picture."""
        if value - text_width / 2 < 0:
            return "start"
        if value + text_width / 2 > left + width + 20:
            return "end"
        return "middle"

    no_offer_in_time = case.offer_date is None or case.offer_date > case.pact_deadline
    if not pact_applies:
        state = "ok"
    elif case.offer_date is not None and case.offer_date <= until:
        state = "offer"
    elif until > case.pact_deadline:
        state = "late"
    elif until > four_weeks:
        state = "warning"
    else:
        state = "ok"
    return {
        "left": left,
        "bar_width": coordinate(x(until) - left),
        "four_weeks": four_weeks,
        "four_weeks_x": coordinate(x(four_weeks)),
        "four_weeks_anchor": anchor(x(four_weeks), 60),
        "pact_x": coordinate(x(case.pact_deadline)),
        "pact_anchor": anchor(x(case.pact_deadline), 200),
        "offer_x": coordinate(x(case.offer_date)) if case.offer_date else None,
        "offer_anchor": anchor(x(case.offer_date), 60) if case.offer_date else "middle",
        "until": until,
        "days": (until - case.start_date).days,
        "state": state,
        "pact_applies": pact_applies,
        "pact_missed": pact_applies and no_offer_in_time and until > case.pact_deadline,
        "is_closed": case.end_date is not None,
    }


@dataclass
class TimelineEntry:
    """One moment on a case's timeline: an event, or an agreement made or resolved."""

    date: datetime.date
    order: tuple
    event: CaseEvent | None = None
    agreement: Agreement | None = None
    resolved: bool = False


def case_timeline(case: Case, agreements: list[Agreement]) -> list[TimelineEntry]:
    """The events and the agreements of a case, newest first: an agreement is movement on
    the case as much as an event (``signals.no_movement``), so it is on the timeline."""
    entries = [
        TimelineEntry(event.date, (event.created_at, 0, event.pk), event=event)
        for event in case.events.select_related("mandated_organisation", "recorded_by")
    ]
    for agreement in agreements:
        made_on = timezone.localdate(agreement.created_at)
        entries.append(
            TimelineEntry(made_on, (agreement.created_at, 1, agreement.pk), agreement=agreement)
        )
        if agreement.resolved_on is not None:
            entries.append(
                TimelineEntry(
                    agreement.resolved_on,
                    (agreement.created_at, 2, agreement.pk),
                    agreement=agreement,
                    resolved=True,
                )
            )
    return sorted(entries, key=lambda entry: (entry.date, entry.order), reverse=True)


def render_case_page(request, case: Case, *, identifier: str | None = None):
    user = request.user
    today = timezone.localdate()
    level = access_level(user, case)
    person = case.young_person
    shows_episode = level in (FULL, EPISODE)
    agreements = case.agreements.select_related("responsible_organisation", "created_by")
    if level == PARTIAL:
        agreements = agreements.filter(responsible_organisation_id__in=scope_of(user).school_ids)
    agreements = list(agreements)
    for agreement in agreements:
        agreement.overdue = agreement.is_overdue(today)
    context = {
        "case": case,
        "person": person,
        "level": level,
        "is_full": level == FULL,
        "shows_episode": shows_episode,
        "is_partial": level == PARTIAL,
        "signals": signals.explained_signals(
            case, today, keys=PARTIAL_SIGNALS if level == PARTIAL else signals.URGENCY
        ),
        "stagnation_days": signals.stagnation_days(),
        "agreements": agreements,
        "open_agreements": [a for a in agreements if a.status == AgreementStatus.OPEN],
        "picture": timeline_picture(case, today),
        "today": today,
        "identifier": identifier,
        "can_change": user.has_perm("cases.change_case", case),
        "can_reveal": user.has_perm("cases.view_identifier", case),
        "can_see_person": user.has_perm("cases.view_young_person", person),
    }
    if shows_episode:
        context.update(
            {
                "timeline": case_timeline(case, agreements),
                "enrolments": list(
                    person.enrolments.select_related("school").order_by("-start_date")
                ),
                "participants": list(case.participants.order_by("name")),
                "reports": list(
                    absence_reports_visible_to(user)
                    .filter(case=case)
                    .select_related("school")
                    .order_by("-reported_on")
                ),
                "residence": person.municipality_on(today),
            }
        )
    if level == FULL:
        context["contacts"] = list(person.contacts.all())
    services.record_reads(user, [case], route="casuspagina")
    return render_page(request, "cases/case_detail.html", context)


@login_required
@never_cache
@require_GET
def case_detail(request, pk):
    case = get_visible_case_or_404(request.user, pk)
    return render_case_page(request, case)


@login_required
@never_cache
@require_POST
@sensitive_variables("identifier")
def case_reveal_identifier(request, pk):
    """Toon BSN: leerplicht of the woongemeente only; the reveal is in the audit trail.
    The number is in this one response (never cached), not in the address."""
    case = get_visible_case_or_404(request.user, pk)
    if not request.user.has_perm("cases.view_identifier", case):
        raise PermissionDenied
    identifier = services.reveal_identifier(case.young_person, actor=request.user, case=case)
    return render_case_page(request, case, identifier=identifier)


# ------------------------------------------------------------------ actions on a case


def action_page(
    request,
    *,
    form,
    title: str,
    perform,
    success_message: str,
    back_url: str,
    subject=None,
    case: Case | None = None,
    intro: str = "",
    submit_label: str | None = None,
    groups=None,
    field_map=None,
    route: str = "",
):
    """GET shows the form; POST validates, calls the service in one transaction, and on
    success returns to the page it came from. The service's errors go on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                perform(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error, field_map)
        else:
            messages.success(request, success_message)
            return redirect(back_url)
    if case is not None:
        services.record_reads(request.user, [case], route=route or title)
    elif isinstance(subject, YoungPerson):
        # A form about the young person shows their name: a read, as on their page.
        services.record_person_reads(request.user, [subject], route=route or title)
    context = {
        "form": form,
        "groups": field_groups(form, groups) if groups else None,
        "title": title,
        "intro": intro,
        "subject": subject,
        "case": case,
        "submit_label": submit_label or _("Opslaan"),
        "back_url": back_url,
    }
    return render_page(
        request,
        "cases/action_form.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


FORM_DECORATORS = (login_required, never_cache, require_http_methods(["GET", "POST"]))


def form_action(view):
    """A page with one form: logged in, never cached, GET and POST only."""
    for decorator in reversed(FORM_DECORATORS):
        view = decorator(view)
    return view


@form_action
def case_event(request, pk):
    case = get_changeable_case(request, pk)
    initial = {"date": timezone.localdate()}
    if request.GET.get("soort") in EventKind.values:
        initial["kind"] = request.GET["soort"]
    form = EventForm(request.POST or None, parties=case_parties(case), initial=initial)

    def perform(data):
        services.record_event(
            case, actor=request.user, kind=data["kind"], date=data["date"], **form.event_fields()
        )

    return action_page(
        request,
        form=form,
        title=_("Gebeurtenis vastleggen"),
        intro=_(
            "Vul bij een MAS-route, een proces-verbaal of een doorbraakberaad ook de velden "
            "in het blok van die soort in; de andere blokken blijven leeg."
        ),
        perform=perform,
        success_message=_("De gebeurtenis staat in de tijdlijn."),
        back_url=case.get_absolute_url() + "#tijdlijn",
        subject=case,
        case=case,
        groups=EventForm.groups,
        route="casus: gebeurtenis",
    )


@form_action
def case_agreement(request, pk):
    case = get_changeable_case(request, pk)
    form = AgreementForm(request.POST or None, parties=case_parties(case))

    def perform(data):
        services.add_agreement(
            case,
            actor=request.user,
            description=data["description"],
            deadline=data["deadline"],
            responsible_organisation=data.get("responsible_organisation"),
            responsible_person=data.get("responsible_person") or "",
        )

    return action_page(
        request,
        form=form,
        title=_("Afspraak toevoegen"),
        intro=_(
            "Wie doet wat, vóór wanneer. Een afspraak die niet wordt nagekomen, ziet het doorbraakberaad."
        ),
        perform=perform,
        success_message=_("De afspraak is vastgelegd."),
        back_url=case.get_absolute_url() + "#afspraken",
        subject=case,
        case=case,
        route="casus: afspraak",
    )


@form_action
def case_resolve_agreement(request, pk, agreement_pk):
    case = get_changeable_case(request, pk)
    agreement = get_object_or_404(Agreement, pk=agreement_pk, case=case)
    if agreement.status != AgreementStatus.OPEN:
        messages.info(request, _("Deze afspraak is al afgehandeld."))
        return redirect(case.get_absolute_url() + "#afspraken")
    form = ResolveAgreementForm(request.POST or None)

    def perform(data):
        services.resolve_agreement(
            agreement,
            actor=request.user,
            kept=data["outcome"] == AgreementStatus.KEPT,
            on=data["on"],
            note=data.get("note") or "",
        )

    return action_page(
        request,
        form=form,
        title=_("Afspraak afhandelen"),
        intro=agreement.description,
        perform=perform,
        success_message=_("De afspraak is afgehandeld."),
        back_url=case.get_absolute_url() + "#afspraken",
        subject=case,
        case=case,
        route="casus: afspraak afhandelen",
    )


@form_action
def case_offer(request, pk):
    case = get_changeable_case(request, pk)
    form = OfferForm(request.POST or None, initial={"offer_date": case.offer_date})

    def perform(data):
        services.record_offer(
            case,
            actor=request.user,
            offer_date=data["offer_date"],
            description=data.get("description") or "",
        )

    return action_page(
        request,
        form=form,
        title=_("Passend aanbod vastleggen"),
        intro=_("Uiterlijk %(date)s volgens het Thuiszitterspact (3 maanden na de start).")
        % {"date": dates_label(case.pact_deadline)},
        perform=perform,
        success_message=_("Het passend aanbod is vastgelegd."),
        back_url=case.get_absolute_url(),
        subject=case,
        case=case,
        route="casus: aanbod",
    )


def dates_label(day: datetime.date) -> str:
    return date_format(day, "j F Y")


@form_action
def case_close(request, pk):
    case = get_changeable_case(request, pk)
    if case.end_date is not None:
        messages.info(request, _("Deze casus is al beëindigd."))
        return redirect(case.get_absolute_url())
    form = CloseForm(request.POST or None)

    def perform(data):
        services.close_case(
            case, actor=request.user, end_date=data["end_date"], outcome=data["outcome"]
        )

    return action_page(
        request,
        form=form,
        title=_("Casus afsluiten"),
        perform=perform,
        success_message=_("De casus is afgesloten."),
        back_url=case.get_absolute_url(),
        subject=case,
        case=case,
        submit_label=_("Casus afsluiten"),
        route="casus: afsluiten",
    )


@login_required
@never_cache
@require_POST
def case_reopen(request, pk):
    case = get_changeable_case(request, pk)
    if case.end_date is not None:
        services.reopen_case(case, actor=request.user)
        messages.success(request, _("De casus is heropend."))
    return redirect(case.get_absolute_url())


@form_action
def case_assign(request, pk):
    case = get_changeable_case(request, pk)
    form = AssignForm(
        request.POST or None,
        case_managers=case_manager_candidates(request.user, include=case.case_manager),
        initial={"case_manager": case.case_manager_id},
    )

    def perform(data):
        services.assign_case_manager(
            case, actor=request.user, case_manager=data.get("case_manager")
        )

    return action_page(
        request,
        form=form,
        title=_("Regievoerder kiezen"),
        intro=_("Eén regievoerder per casus: die houdt de regie en spreekt de partijen aan."),
        perform=perform,
        success_message=_("De regievoerder is vastgelegd."),
        back_url=case.get_absolute_url(),
        subject=case,
        case=case,
        route="casus: regievoerder",
    )


@form_action
def case_edit(request, pk):
    case = get_changeable_case(request, pk)
    municipalities = Region.objects.filter(
        Q(pk__in=registering_municipalities(request.user).values("pk")) | Q(pk=case.municipality_id)
    ).order_by("name")
    form = CaseEditForm(
        request.POST or None,
        case=case,
        municipalities=municipalities,
        schools=area_schools(request.user),
        organisations=network_organisations(request.user, case),
    )

    def perform(data):
        services.update_case(
            case,
            actor=request.user,
            participants=list(data.get("participants") or []),
            category=data["category"],
            start_date=data["start_date"],
            school=data["school_obj"],
            municipality=data["municipality"],
            sector=data.get("sector") or (data["school_obj"].sector if data["school_obj"] else ""),
        )

    return action_page(
        request,
        form=form,
        title=_("Casus bewerken"),
        perform=perform,
        success_message=_("De casus is bijgewerkt."),
        back_url=case.get_absolute_url(),
        subject=case,
        case=case,
        field_map={"pact_deadline": "start_date", "end_date": "start_date"},
        route="casus: bewerken",
    )


# ------------------------------------------------------------------ the young person


def render_young_person_page(request, person: YoungPerson, *, identifier: str | None = None):
    user = request.user
    today = timezone.localdate()
    level = young_person_level(user, person)
    scope = scope_of(user)
    cases = list(
        Case.objects.visible_to(user)
        .filter(young_person=person)
        .select_related(*CASE_RELATED)
        .order_by("-start_date", "-pk")
    )
    enrolments = person.enrolments.select_related("school").order_by("-start_date")
    if level == PARTIAL:
        enrolments = enrolments.filter(school_id__in=scope.school_ids)
    shows_more = level in (FULL, EPISODE)
    context = {
        "person": person,
        "level": level,
        "is_full": level == FULL,
        "shows_more": shows_more,
        "cases": cases,
        "enrolments": list(enrolments),
        "reports": list(
            absence_reports_visible_to(user)
            .filter(young_person=person)
            .select_related("school")
            .order_by("-reported_on", "-pk")
        ),
        "identifier": identifier,
        "can_change": level == FULL,
        "can_add_case": user.has_perm("cases.add_case"),
        "today": today,
    }
    if shows_more:
        context["residences"] = list(
            person.residences.select_related("municipality").order_by("-valid_from")
        )
        context["exemptions"] = list(person.exemptions.order_by("-valid_from"))
    if level == FULL:
        context["contacts"] = list(person.contacts.all())
    services.record_person_reads(user, [person], route="jongerenpagina")
    services.record_reads(user, cases, route="jongerenpagina")
    return render_page(request, "cases/young_person.html", context)


@login_required
@never_cache
@require_GET
def young_person(request, pk):
    person = get_visible_young_person_or_404(request.user, pk)
    return render_young_person_page(request, person)


@login_required
@never_cache
@require_POST
@sensitive_variables("identifier")
def young_person_reveal(request, pk):
    person = get_changeable_young_person(request, pk)
    identifier = services.reveal_identifier(person, actor=request.user)
    return render_young_person_page(request, person, identifier=identifier)


def person_url(person: YoungPerson, anchor: str = "") -> str:
    url = reverse("cases:young_person", args=[person.pk])
    return f"{url}#{anchor}" if anchor else url


@form_action
def young_person_move(request, pk):
    person = get_changeable_young_person(request, pk)
    form = MoveForm(request.POST or None)

    def perform(data):
        services.record_move(
            person,
            actor=request.user,
            municipality=data["municipality"],
            valid_from=data["valid_from"],
        )

    return action_page(
        request,
        form=form,
        title=_("Verhuizing vastleggen"),
        intro=_("De huidige woongemeente eindigt op de verhuisdatum; de geschiedenis blijft."),
        perform=perform,
        success_message=_("De verhuizing is vastgelegd."),
        back_url=person_url(person, "woongemeenten"),
        subject=person,
    )


@form_action
def contact_add(request, pk):
    person = get_changeable_young_person(request, pk)
    form = ContactForm(request.POST or None, instance=Contact(young_person=person))

    def perform(data):
        services.save_contact(form.instance, actor=request.user)

    return action_page(
        request,
        form=form,
        title=_("Contactpersoon toevoegen"),
        intro=_("Een ouder, voogd of verzorger van de jongere."),
        perform=perform,
        success_message=_("De contactpersoon is toegevoegd."),
        back_url=person_url(person, "contactpersonen"),
        subject=person,
    )


@form_action
def contact_edit(request, pk, contact_pk):
    person = get_changeable_young_person(request, pk)
    contact = get_object_or_404(Contact, pk=contact_pk, young_person=person)
    form = ContactForm(request.POST or None, instance=contact)

    def perform(data):
        services.save_contact(form.instance, actor=request.user)

    return action_page(
        request,
        form=form,
        title=_("Contactpersoon wijzigen"),
        perform=perform,
        success_message=_("De contactpersoon is gewijzigd."),
        back_url=person_url(person, "contactpersonen"),
        subject=person,
    )


@login_required
@never_cache
@require_POST
def contact_remove(request, pk, contact_pk):
    person = get_changeable_young_person(request, pk)
    contact = get_object_or_404(Contact, pk=contact_pk, young_person=person)
    services.remove_contact(contact, actor=request.user)
    messages.success(request, _("De contactpersoon is verwijderd."))
    return redirect(person_url(person, "contactpersonen"))


@form_action
def enrolment_add(request, pk):
    person = get_changeable_young_person(request, pk)
    form = EnrolForm(
        request.POST or None, schools=area_schools(request.user), initial={"start_date": None}
    )

    def perform(data):
        services.enrol(
            person,
            actor=request.user,
            school=data["school_obj"],
            start_date=data["start_date"],
            reason=data.get("reason") or "",
        )

    return action_page(
        request,
        form=form,
        title=_("Inschrijving vastleggen"),
        perform=perform,
        success_message=_("De inschrijving is vastgelegd."),
        back_url=person_url(person, "inschrijvingen"),
        subject=person,
    )


@form_action
def enrolment_end(request, pk, enrolment_pk):
    person = get_changeable_young_person(request, pk)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("school"), pk=enrolment_pk, young_person=person
    )
    form = EndEnrolmentForm(request.POST or None)

    def perform(data):
        services.end_enrolment(
            enrolment,
            actor=request.user,
            end_date=data["end_date"],
            reason=data.get("reason") or "",
        )

    return action_page(
        request,
        form=form,
        title=_("Uitschrijving vastleggen"),
        intro=_("Inschrijving bij %(school)s vanaf %(date)s.")
        % {"school": enrolment.school.name, "date": dates_label(enrolment.start_date)},
        perform=perform,
        success_message=_("De uitschrijving is vastgelegd."),
        back_url=person_url(person, "inschrijvingen"),
        subject=person,
    )


@form_action
def exemption_add(request, pk):
    person = get_changeable_young_person(request, pk)
    form = ExemptionForm(request.POST or None)

    def perform(data):
        services.grant_exemption(
            actor=request.user,
            young_person=person,
            ground=data["ground"],
            requested_on=data["requested_on"],
            valid_from=data["valid_from"],
            valid_to=data.get("valid_to"),
            decided_on=data.get("decided_on"),
            statement_on=data.get("statement_on"),
            reason=data.get("reason") or "",
        )

    return action_page(
        request,
        form=form,
        title=_("Vrijstelling vastleggen"),
        perform=perform,
        success_message=_("De vrijstelling is vastgelegd."),
        back_url=person_url(person, "vrijstellingen"),
        subject=person,
    )


# ------------------------------------------------------------------ verzuimmeldingen


@login_required
@never_cache
@require_GET
def absence_list(request):
    user = request.user
    if not works_with_dossiers(user):
        return aggregate_only(request, _("Verzuimmeldingen"))
    form = AbsenceFilterForm(request.GET or None)
    reports = absence_reports_visible_to(user)
    if form.is_bound and form.is_valid() and form.cleaned_data.get("status"):
        reports = reports.filter(status=form.cleaned_data["status"])
    # Several hundred thousand meldingen a year nationally: keyset pages (decision 0044).
    page = keyset_page(
        request,
        reports.select_related("young_person", "school"),
        ("-reported_on", "-pk"),
        per_page=PER_PAGE,
    )
    context = {
        "form": form,
        "page": page,
        "can_report": user.is_superuser or area_schools(user).exists(),
    }
    services.record_person_reads(
        user, [report.young_person for report in page.object_list], route="verzuimmeldingen"
    )
    return render_page(request, "cases/absence_list.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("identifier")
@sensitive_variables("cleaned")
def absence_new(request):
    """A school reports verzuim. The pupil is found by number or, when new to the
    register, registered with the details the school gives (``register_young_person``,
    audited with the school contact as actor)."""
    user = request.user
    schools = area_schools(user)
    if schools is not None and not schools.exists():
        raise PermissionDenied
    form = AbsenceReportForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        cleaned = form.cleaned_data
        try:
            with transaction.atomic():
                person = form.existing_person
                if person is None:
                    person = services.register_young_person(
                        actor=user,
                        identifier_kind=cleaned["identifier_kind"],
                        identifier=cleaned["identifier"],
                        birth_date=cleaned["birth_date"],
                        municipality=cleaned["municipality"],
                        given_name=cleaned.get("given_name", ""),
                        family_name=cleaned.get("family_name", ""),
                    )
                report = services.report_absence(
                    actor=user,
                    young_person=person,
                    school=cleaned["school_obj"],
                    kind=cleaned["kind"],
                    start_date=cleaned["start_date"],
                    end_date=cleaned.get("end_date"),
                    hours=cleaned.get("hours"),
                )
        except services.DuplicateYoungPerson:
            form.add_error(
                "identifier",
                _("Deze leerling is zojuist door iemand anders ingeschreven. Verstuur opnieuw."),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "De verzuimmelding is geregistreerd. Leerplicht van de woongemeente behandelt haar."
                ),
            )
            return redirect("cases:absence_detail", pk=report.pk)
    ask_to_retype(form, "identifier")
    groups = [
        (_("De school"), ("school", "school_code")),
        (
            _("De leerling"),
            (
                "identifier_kind",
                "identifier",
                "birth_date",
                "given_name",
                "family_name",
                "municipality",
            ),
        ),
        (_("Het verzuim"), ("kind", "start_date", "end_date", "hours")),
    ]
    context = {
        "form": form,
        "groups": field_groups(form, groups),
        "title": _("Verzuim melden"),
        "submit_label": _("Melding versturen"),
        "back_url": reverse("cases:absence_list"),
    }
    return render_page(
        request, "cases/absence_new.html", context, status=400 if form.is_bound else 200
    )


def allowed_statuses(user, report: AbsenceReport) -> list[str]:
    """The next DUO statuses this user may give: leerplicht handles, the school withdraws."""
    allowed = []
    for status in report.next_statuses:
        permission = (
            "cases.withdraw_report" if status == ReportStatus.WITHDRAWN else "cases.handle_report"
        )
        if user.has_perm(permission, report):
            allowed.append(status)
    return allowed


def render_absence_detail(request, report: AbsenceReport, form=None, status=200):
    user = request.user
    statuses = allowed_statuses(user, report)
    if form is None and statuses:
        form = ReportStatusForm(statuses=statuses)
    linked_case = None
    if report.case_id:
        linked_case = Case.objects.visible_to(user).filter(pk=report.case_id).first()
    can_open_case = (
        report.case_id is None
        and report.status in (ReportStatus.REGISTERED, ReportStatus.IN_PROGRESS)
        and user.has_perm("cases.add_case")
        and user.has_perm("cases.handle_report", report)
    )
    context = {
        "report": report,
        "form": form,
        "linked_case": linked_case,
        "can_open_case": can_open_case,
        "can_see_person": user.has_perm("cases.view_young_person", report.young_person),
    }
    services.record_person_reads(user, [report.young_person], route="verzuimmelding")
    if linked_case is not None:
        services.record_reads(user, [linked_case], route="verzuimmelding")
    return render_page(request, "cases/absence_detail.html", context, status=status)


@login_required
@never_cache
@require_GET
def absence_detail(request, pk):
    report = get_visible_report_or_404(request.user, pk)
    return render_absence_detail(request, report)


@login_required
@never_cache
@require_POST
def absence_status(request, pk):
    report = get_visible_report_or_404(request.user, pk)
    statuses = allowed_statuses(request.user, report)
    if not statuses:
        raise PermissionDenied
    form = ReportStatusForm(request.POST, statuses=statuses)
    if form.is_valid():
        try:
            services.change_report_status(
                report,
                actor=request.user,
                status=form.cleaned_data["status"],
                close_reason=form.cleaned_data.get("close_reason") or "",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("De melding heeft nu de status '%(status)s'.")
                % {"status": report.get_status_display()},
            )
            return redirect("cases:absence_detail", pk=report.pk)
    return render_absence_detail(request, report, form=form, status=400)


# ------------------------------------------------------------------ doorbraakberaad


@login_required
@never_cache
@require_GET
def escalation(request):
    """The actietafel: open cases that are stuck (pact broken, no movement, an agreement
    overdue) or have a broken agreement; those already discussed are marked."""
    user = request.user
    if not works_with_dossiers(user):
        return aggregate_only(request, _("Doorbraakberaad"))
    today = timezone.localdate()
    only_new = request.GET.get("nieuw") == "1"
    # The actietafel is leerplicht's, the SWV's and the regievoerders': a case seen only
    # in part (by its school) is not on this list.
    candidates = worklist.escalation_candidates(episode_cases(user), today)
    if only_new:
        candidates = candidates.filter(is_escalated=False)
    page = Paginator(
        candidates.select_related(*CASE_RELATED).order_by("start_date", "pk"), PER_PAGE
    ).get_page(request.GET.get("pagina"))
    page.object_list = with_signal_list(
        page.object_list, today, keys=("pact", "stagnant", "agreement")
    )
    for case in page.object_list:
        case.can_change = user.has_perm("cases.change_case", case)
    services.record_reads(user, page.object_list, route="doorbraakberaad")
    context = {
        "page": page,
        "only_new": only_new,
        "stagnation_days": signals.stagnation_days(),
        "breakthrough": EventKind.BREAKTHROUGH,
        "sees_episodes": sees_episodes(user),
    }
    return render_page(request, "cases/escalation.html", context)


# ------------------------------------------------------------------ quarterly report


def stock_chart(user, report: reporting.QuarterlyReport) -> charts.Chart:
    first = dates.add_months(report.peildatum, -3 * TREND_PEILDATA - 3)
    peildata = reporting.peildata_between(first, report.peildatum)[-TREND_PEILDATA:]
    cases, _suppressed, _note = reporting.cases_for(user)
    series = reporting.stock_series(cases, peildata, report.definition)
    points = [
        (
            day,
            suppression.publish_count(count, threshold=report.threshold)
            if report.suppressed
            else count,
        )
        for day, count in series
    ]
    return charts.trend_chart(
        points,
        title=_("Thuiszitters op de laatste peildata (definitie %(definition)s)")
        % {"definition": report.definition_label},
        series_label=_("Thuiszitters"),
        chart_id="thuiszitters-trend",
    )


@login_required
@require_GET
def quarterly_report(request):
    """The quarterly report: per unit the stock on the peildatum by category and duration,
    the flows of the quarter, rates per 1,000 pupils, and the trend over the peildata."""
    user = request.user
    if not user.has_perm("cases.view_figures"):
        raise PermissionDenied
    form = ReportForm(request.GET or None, today=timezone.localdate())
    context = {"form": form, "report": None}
    if form.is_valid():
        data = form.cleaned_data
        built = reporting.build_report(
            peildatum=data["peildatum"],
            level=data["niveau"],
            definition=data["definitie"],
            user=user,
        )
        query = urlencode(
            {
                "peildatum": data["peildatum"].isoformat(),
                "niveau": data["niveau"],
                "definitie": data["definitie"],
            }
        )
        columns = [*reporting.COUNT_COLUMNS, "leerlingen", "per_1000_leerlingen"]
        # A school-level report of a whole region has thousands of rows: 50 a page, the
        # total always below them; the downloads hold every row.
        rows = Paginator(built.rows, PER_PAGE).get_page(request.GET.get("pagina"))
        context.update(
            {
                "report": built,
                "page": rows,
                "columns": [(column, reporting.COLUMN_LABELS[column]) for column in columns],
                "chart": stock_chart(user, built),
                "downloads": [
                    (fmt, f"{reverse('cases:report_download', args=[fmt])}?{query}")
                    for fmt in exporting.FORMATS
                ],
                "unit_label": reporting.LEVELS[data["niveau"]],
            }
        )
    return render_page(
        request, "cases/report.html", context, status=200 if form.is_valid() else 400
    )


@login_required
@require_GET
def report_download(request, fmt):
    user = request.user
    if not user.has_perm("cases.view_figures"):
        raise PermissionDenied
    if fmt not in exporting.FORMATS:
        raise Http404
    form = ReportForm(request.GET or None, today=timezone.localdate())
    if not form.is_valid():
        return render_page(request, "cases/report.html", {"form": form, "report": None}, status=400)
    data = form.cleaned_data
    # Built by the worker and followed on its status page (decision 0047).
    params = {
        "peildatum": data["peildatum"].isoformat(),
        "niveau": data["niveau"],
        "definitie": data["definitie"],
        "fmt": fmt,
    }
    return start_download(request, "kwartaalrapportage", params)
