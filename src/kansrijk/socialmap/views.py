"""The pages of the sociale kaart: thin views over ``queries`` (who sees what, the search,
the gaps), ``services`` (every change) and ``suppression`` (the participation counts the
public sees).

The public pages need no login: the search form, the results, an entry, the gap page
and the open data. An entry a user may not see answers 404, the same as one that does not
exist; an entry a user may see but not change answers 403 on its editing pages.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kansrijk.agenda.models import Agenda, Goal, Intervention
from kansrijk.documents.views import start_download
from kansrijk.imports import jobs
from kansrijk.imports.models import JobKind
from kansrijk.indicators import suppression
from kansrijk.organisations.models import Organisation, Region, RegionKind, RegionMembership
from kansrijk.periods import format_period

from . import importing, services
from .disclosure import participation_mask
from .forms import (
    ImportForm,
    LocationForm,
    NeedForm,
    ParticipationForm,
    ReasonForm,
    SearchForm,
    ServiceForm,
)
from .models import (
    Need,
    Participation,
    Provider,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
)
from .queries import approver_municipality_ids, editing_organisation_ids, one_year_before

RESULTS_PER_PAGE = 20
MANAGE_PER_PAGE = 25
GAPS_PER_PAGE = 25


# ------------------------------------------------------------------ look-ups


def get_visible_service_or_404(user, uuid) -> Service:
    """One answer for 'not yours' and 'does not exist': 404."""
    return get_object_or_404(
        Service.objects.visible_to(user).select_related("provider__organisation"), uuid=uuid
    )


def get_editable_service(request, uuid) -> Service:
    service = get_visible_service_or_404(request.user, uuid)
    if not request.user.has_perm("socialmap.change_service", service):
        raise PermissionDenied
    return service


def is_past_its_check(service: Service) -> bool:
    if service.assured_date is None:
        return True
    return service.assured_date < one_year_before(timezone.localdate())


def next_step(service: Service) -> tuple[str, str] | None:
    """What the provider should do about an entry, and the page where they do it: the
    line in 'Mijn aanbod' that says what to check. ``location_count`` is annotated."""
    if service.status == ServiceStatus.PUBLISHED and is_past_its_check(service):
        return (
            _("Controleer of alles nog klopt: langer dan een jaar niet nagekeken"),
            service.get_manage_url(),
        )
    if service.status == ServiceStatus.CONCEPT:
        if service.review_note:
            return _("Pas aan wat de gemeente vraagt"), service.get_manage_url()
        if not service.without_location and not service.location_count:
            return (
                _("Voeg een locatie toe, of kies 'zonder vaste locatie'"),
                reverse("socialmap:add_location", args=[service.uuid]),
            )
        return _("Bied het aan ter goedkeuring"), service.get_manage_url()
    return None


def search_regions() -> list[Region]:
    """The gemeenten in which published services are offered: the choices of the search."""
    ids = ServiceArea.objects.filter(service__status=ServiceStatus.PUBLISHED).values(
        "municipality_id"
    )
    return list(Region.objects.filter(pk__in=ids))


def region_scope(code: str) -> set[int] | None:
    """The areas a search for a gemeente or wijk matches: a gemeente and its wijken; a
    wijk and its gemeente (an offer for the whole gemeente is also in the wijk)."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        return None
    today = timezone.localdate()
    memberships = RegionMembership.objects.valid_on(today)
    ids = {region.pk}
    if region.kind == RegionKind.MUNICIPALITY:
        ids |= set(
            memberships.filter(parent=region, child__kind=RegionKind.DISTRICT).values_list(
                "child_id", flat=True
            )
        )
    else:
        ids |= set(
            memberships.filter(child=region, parent__kind=RegionKind.MUNICIPALITY).values_list(
                "parent_id", flat=True
            )
        )
    return ids


def searched_services(data: dict):
    region_ids = region_scope(data["gebied"]) if data.get("gebied") else None
    return Service.objects.published().search(
        text=data.get("q") or "",
        age=data.get("leeftijd"),
        group=data.get("groep"),
        theme=data.get("thema") or "",
        audience=data.get("voor") or "",
        region_ids=region_ids,
    )


def with_card_details(queryset):
    """What a result card shows, in a fixed number of queries for the whole page."""
    return queryset.select_related("provider").prefetch_related(
        "themes",
        Prefetch("areas", queryset=ServiceArea.objects.select_related("region")),
    )


# ------------------------------------------------------------------ public pages


@require_GET
def search(request):
    """Step 1: the search form."""
    form = SearchForm(regions=search_regions())
    return render(request, "socialmap/search.html", {"form": form})


@require_GET
def results(request):
    """Step 2: the results of the search, 20 a page, with the form to search again."""
    form = SearchForm(request.GET, regions=search_regions())
    if not form.is_valid():
        return render(request, "socialmap/results.html", {"form": form, "page": None}, status=400)
    services = with_card_details(searched_services(form.cleaned_data)).order_by("name", "pk")
    page = Paginator(services, RESULTS_PER_PAGE).get_page(request.GET.get("pagina"))
    today = timezone.localdate()
    cutoff = one_year_before(today)
    for service in page:
        service.is_past_its_check = service.assured_date is None or service.assured_date < cutoff
    return render(request, "socialmap/results.html", {"form": form, "page": page})


@require_GET
def detail(request, uuid):
    service = get_visible_service_or_404(request.user, uuid)
    at_locations = service.service_at_locations.select_related(
        "location__municipality", "location__district", "location__school"
    ).prefetch_related("schedules")
    visible_agendas = Agenda.objects.visible_to(request.user).values("pk")
    participation = list(
        Participation.objects.filter(service=service)
        .values("period_label", "period_start", "period_end")
        .annotate(
            total=Sum("participants"), illustrative=Count("pk", filter=Q(is_illustrative=True))
        )
        .order_by("period_start")
    )
    threshold = suppression.default_threshold()
    # The same mask as the API and the monitor: a total here can be hidden to protect a
    # small count at a school or in a gemeente.
    mask = participation_mask(periods={(r["period_start"], r["period_end"]) for r in participation})
    context = {
        "service": service,
        "themes": service.themes.all(),
        "audiences": service.audiences.all(),
        "areas": service.areas.select_related("region"),
        "at_locations": at_locations,
        "schedules": service.schedules.all(),
        "phones": service.phones.all(),
        "contacts": service.contacts.all(),
        "service_languages": service.languages.all(),
        "cost_options": service.cost_options.all(),
        "goals": service.goals.filter(agenda__in=visible_agendas).select_related("agenda"),
        "interventions": service.interventions.filter(agenda__in=visible_agendas).select_related(
            "agenda"
        ),
        "participation": [
            {
                "period": format_period((row["period_start"], row["period_end"])),
                "shown": (
                    mask.of_entry(service.pk, row["period_start"], row["period_end"])
                    if service.status == "published"
                    else ""
                )
                or suppression.publish_count(row["total"], threshold=threshold),
                "illustrative": bool(row["illustrative"]),
            }
            for row in participation
        ],
        "is_past_its_check": is_past_its_check(service),
        "can_edit": request.user.has_perm("socialmap.change_service", service),
    }
    context["legend"] = suppression.legend_for(row["shown"] for row in context["participation"])
    return render(request, "socialmap/detail.html", context)


@require_GET
def gaps(request):
    """Needs without an offer in their area and age range, and offers nobody asked for."""
    regions = Region.objects.filter(
        Q(pk__in=Need.objects.values("municipality_id"))
        | Q(
            pk__in=ServiceArea.objects.filter(service__status="published").values("municipality_id")
        )
    ).order_by("name")
    code = request.GET.get("gemeente", "")
    chosen = next((region for region in regions if region.code == code), None)
    needs = Need.objects.all()
    # Offers nobody asked for, per gemeente: across the whole country that list would be
    # thousands long, and every entry is checked against every need of its areas.
    offers = Service.objects.none()
    if chosen is not None:
        needs = needs.filter(municipality=chosen)
        # The few ids of the gemeente first: the check then runs for those rows only.
        ids = list(
            ServiceArea.objects.filter(municipality=chosen, service__status="published")
            .values_list("service_id", flat=True)
            .distinct()
        )
        offers = (
            Service.objects.filter(pk__in=ids)
            .with_asked(municipality_ids=[chosen.pk])
            .filter(is_asked=False)
        )
    # One pass of the matching over the needs; the page then reads its rows by id.
    unmet_ids = list(
        needs.with_offer()
        .filter(has_offer=False)
        .order_by("municipality__name", "theme__position", "minimum_age", "pk")
        .values_list("pk", flat=True)
    )
    totals = {"total": needs.count(), "without": len(unmet_ids)}
    page = Paginator(unmet_ids, GAPS_PER_PAGE).get_page(request.GET.get("pagina"))
    rows = Need.objects.select_related("theme", "municipality", "district", "school").in_bulk(
        list(page.object_list)
    )
    page.object_list = [rows[pk] for pk in page.object_list]
    context = {
        "regions": regions,
        "chosen": chosen,
        "totals": totals,
        "needs": page,
        "offers": Paginator(
            with_card_details(offers).order_by("name", "pk"), GAPS_PER_PAGE
        ).get_page(request.GET.get("pagina_aanbod")),
    }
    return render(request, "socialmap/gaps.html", context)


@require_GET
def open_data(request):
    return render(
        request,
        "socialmap/open_data.html",
        {"count": Service.objects.published().count()},
    )


# The open data is built by the worker and followed on its status page (decision 0051):
# the same file for everyone, one build shared by the visitors who are not logged in.


@require_GET
def export_csv(request):
    return start_download(request, "sociale-kaart", {"fmt": "csv"})


@require_GET
def export_hsds(request, fmt):
    return start_download(request, "sociale-kaart", {"fmt": fmt})


# ------------------------------------------------------------------ maintaining entries


def offering_organisations(user):
    """The organisations ``user`` may add entries for."""
    if user.is_superuser:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=editing_organisation_ids(user)).order_by("name")


def provider_choices(user) -> list:
    """Who a new entry may be for: the user's own organisations, and (for approvers) the
    providers outside Kansrijk with entries in their gemeenten."""
    choices = [_OrganisationChoice(o) for o in offering_organisations(user)]
    outside = Provider.objects.filter(organisation=None)
    if not user.is_superuser:
        outside = outside.filter(
            services__areas__municipality_id__in=approver_municipality_ids(user)
        )
    choices += [_ProviderChoice(p) for p in outside.distinct().order_by("name")]
    return choices


class _OrganisationChoice:
    def __init__(self, organisation):
        self.pk, self.name, self.organisation = (
            f"org-{organisation.pk}",
            organisation.name,
            organisation,
        )

    def provider(self, actor):
        return services.provider_for_organisation(self.organisation, actor=actor)


class _ProviderChoice:
    def __init__(self, provider):
        self.pk, self.name, self.existing = f"provider-{provider.pk}", provider.name, provider

    def provider(self, actor):
        return self.existing


def regions_for(user, service: Service | None = None) -> list[Region]:
    """The gemeenten to choose areas from: those the user's organisations work for or are
    in, those the user approves for, and the service's own."""
    ids = set(approver_municipality_ids(user))
    own = Organisation.objects.filter(pk__in=editing_organisation_ids(user))
    ids |= set(own.exclude(municipality=None).values_list("municipality_id", flat=True))
    ids |= set(
        Organisation.served_regions.through.objects.filter(
            organisation_id__in=own.values("pk"), region__kind=RegionKind.MUNICIPALITY
        ).values_list("region_id", flat=True)
    )
    if service is not None and service.pk:
        ids |= set(service.areas.values_list("municipality_id", flat=True))
    if user.is_superuser and not ids:
        return list(Region.objects.municipalities())
    return list(Region.objects.filter(pk__in=ids))


def agenda_items_for(user, regions):
    """Goals and interventions of the agendas the user may see, for these gemeenten."""
    agendas = Agenda.objects.visible_to(user).filter(regions__in=regions).values("pk")
    goals = (
        Goal.objects.filter(agenda__in=agendas)
        .select_related("agenda")
        .order_by("agenda__title", "position", "pk")
    )
    interventions = (
        Intervention.objects.filter(agenda__in=agendas)
        .select_related("agenda")
        .order_by("agenda__title", "position", "pk")
    )
    return goals, interventions


@login_required
@require_GET
def manage(request):
    """The entries a user maintains, and those waiting for their approval."""
    user = request.user
    entries = (
        Service.objects.editable_by(user)
        .select_related("provider")
        .annotate(location_count=Count("service_at_locations"))
        .order_by("name", "pk")
    )
    status = request.GET.get("status", "")
    if status in ServiceStatus.values:
        entries = entries.filter(status=status)
    waiting = (
        Service.objects.approvable_by(user)
        .filter(status=ServiceStatus.SUBMITTED)
        .select_related("provider")
        .order_by("submitted_at", "pk")[:MANAGE_PER_PAGE]
    )
    page = Paginator(entries, MANAGE_PER_PAGE).get_page(request.GET.get("pagina"))
    for service in page:
        service.to_do = next_step(service)
    context = {
        "page": page,
        "waiting": list(waiting),
        "status": status,
        "statuses": ServiceStatus.choices,
        "can_add": bool(provider_choices(user)),
        "can_manage_needs": user.has_perm("socialmap.manage_needs"),
    }
    return render(request, "socialmap/manage_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    choices = provider_choices(request.user)
    if not choices:
        raise PermissionDenied
    regions = regions_for(request.user)
    goals, interventions = agenda_items_for(request.user, regions)
    form = ServiceForm(
        request.POST or None,
        providers=choices,
        regions=regions,
        goals=goals,
        interventions=interventions,
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        fields["provider"] = fields["provider"].provider(request.user)
        try:
            service = services.create_service(actor=request.user, links=form.links(), **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Het aanbod is bewaard als concept. Bied het aan ter goedkeuring.")
                if service.without_location
                else _(
                    "Het aanbod is bewaard als concept. Voeg een locatie toe en bied het aan ter goedkeuring."
                ),
            )
            return redirect(service.get_manage_url())
    return render(
        request,
        "socialmap/service_form.html",
        {"form": form, "service": None},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, uuid):
    service = get_editable_service(request, uuid)
    regions = regions_for(request.user, service)
    goals, interventions = agenda_items_for(request.user, regions)
    form = ServiceForm(
        request.POST or None,
        instance=service,
        regions=regions,
        goals=goals,
        interventions=interventions,
    )
    if request.method == "POST" and form.is_valid():
        was_published = service.is_published
        try:
            changed = services.update_service(
                service, actor=request.user, links=form.links(), **form.service_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            service.refresh_from_db()
            if not changed:
                messages.info(request, _("Er was niets veranderd."))
            elif was_published and not service.is_published:
                messages.warning(
                    request,
                    _(
                        "De wijziging is bewaard. Een beleidsmedewerker keurt het aanbod opnieuw goed; tot dan staat het niet op de sociale kaart."
                    ),
                )
            else:
                messages.success(request, _("De wijziging is bewaard."))
            return redirect(service.get_manage_url())
    return render(
        request,
        "socialmap/service_form.html",
        {"form": form, "service": service},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def manage_detail(request, uuid):
    service = get_editable_service(request, uuid)
    context = {
        "service": service,
        "areas": service.areas.select_related("region"),
        "at_locations": service.service_at_locations.select_related(
            "location__municipality", "location__district", "location__school"
        ).prefetch_related("schedules"),
        "participations": service.participations.select_related("school", "region").order_by(
            "-period_start", "pk"
        ),
        "reminders": service.reminders.all()[:5],
        "can_approve": request.user.has_perm("socialmap.approve_service", service),
        "is_own_entry": services.is_own_entry(service, request.user),
        "is_past_its_check": is_past_its_check(service),
        "reason_form": ReasonForm(),
    }
    return render(request, "socialmap/manage_detail.html", context)


TRANSITIONS = {
    "indienen": (
        "change",
        services.submit_service,
        gettext_lazy("Het aanbod ligt nu ter goedkeuring bij de gemeente."),
    ),
    "goedkeuren": (
        "approve",
        services.approve_service,
        gettext_lazy("Het aanbod is goedgekeurd en staat op de sociale kaart."),
    ),
    "afwijzen": (
        "approve",
        services.reject_service,
        gettext_lazy("Het aanbod is teruggestuurd naar de aanbieder."),
    ),
    "controleren": (
        "change",
        services.verify_service,
        gettext_lazy("Bedankt: het aanbod is gecontroleerd."),
    ),
    "archiveren": ("change", services.archive_service, gettext_lazy("Het aanbod is gearchiveerd.")),
}


@login_required
@require_POST
def transition(request, uuid, action):
    if action not in TRANSITIONS:
        raise Http404
    service = get_visible_service_or_404(request.user, uuid)
    permission, function, message = TRANSITIONS[action]
    if not request.user.has_perm(f"socialmap.{permission}_service", service):
        raise PermissionDenied
    kwargs = {}
    if action == "afwijzen":
        form = ReasonForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Schrijf op wat er anders moet."))
            return redirect(service.get_manage_url())
        kwargs["reason"] = form.cleaned_data["reason"]
    try:
        function(service, actor=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(message))
    return redirect(service.get_manage_url())


@login_required
@require_http_methods(["GET", "POST"])
def add_location(request, uuid):
    service = get_editable_service(request, uuid)
    form = LocationForm(request.POST or None, municipalities=regions_for(request.user, service))
    if request.method == "POST" and form.is_valid():
        try:
            services.add_location(
                service,
                form.location(),
                actor=request.user,
                description=form.cleaned_data["description"],
                schedules=form.schedules(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("De locatie is toegevoegd."))
            return redirect(service.get_manage_url())
    return render(
        request,
        "socialmap/location_form.html",
        {"form": form, "service": service},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_POST
def remove_location(request, uuid, location_uuid):
    service = get_editable_service(request, uuid)
    at_location = get_object_or_404(ServiceAtLocation, service=service, uuid=location_uuid)
    services.remove_location(at_location, actor=request.user)
    messages.success(request, _("De locatie is verwijderd."))
    return redirect(service.get_manage_url())


@login_required
@require_http_methods(["GET", "POST"])
def participation(request, uuid):
    service = get_editable_service(request, uuid)
    form = ParticipationForm(request.POST or None, regions=regions_for(request.user, service))
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        try:
            _row, changed = services.save_participation(
                actor=request.user,
                service=service,
                period_start=period.start,
                period_end=period.end,
                period_label=period.label,
                school=form.cleaned_data["school"],
                region=form.cleaned_data["region"],
                participants=form.cleaned_data["participants"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Het aantal is bewaard.") if changed else _("Dit aantal stond er al."),
            )
            return redirect(service.get_manage_url())
    return render(
        request,
        "socialmap/participation_form.html",
        {"form": form, "service": service},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _import_page(request, *, kind: str, columns, title: str):
    """The upload form; a valid upload becomes an import job (decision 0029)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.start(
            kind,
            form.cleaned_data["file"],
            actor=request.user,
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect(job)
    context = {
        "form": form,
        "columns": columns,
        "title": title,
        "recent_jobs": jobs.recent(request.user, kind),
    }
    return render(request, "socialmap/import.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participation_import(request):
    if not request.user.has_perm("socialmap.import_participation"):
        raise PermissionDenied
    return _import_page(
        request,
        kind=JobKind.PARTICIPATION,
        columns=importing.PARTICIPATION_COLUMNS,
        title=_("Deelname importeren"),
    )


# ------------------------------------------------------------------ needs


def managed_municipalities(user) -> list[Region]:
    if user.is_superuser:
        return list(Region.objects.municipalities())
    return list(Region.objects.filter(pk__in=approver_municipality_ids(user)))


@login_required
@require_GET
def need_list(request):
    municipalities = managed_municipalities(request.user)
    if not municipalities:
        raise PermissionDenied
    needs = (
        Need.objects.with_offer()
        .filter(municipality__in=municipalities)
        .select_related("theme", "municipality", "district", "school")
        .order_by("municipality__name", "theme__position", "minimum_age", "pk")
    )
    page = Paginator(needs, MANAGE_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(request, "socialmap/need_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def need_form(request, pk=None):
    municipalities = managed_municipalities(request.user)
    if not municipalities:
        raise PermissionDenied
    need = None
    if pk is not None:
        need = get_object_or_404(Need, pk=pk, municipality__in=municipalities)
    form = NeedForm(request.POST or None, instance=need, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_need(need, actor=request.user, **form.need_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("De behoefte is bewaard."))
            return redirect("socialmap:need_list")
    return render(
        request,
        "socialmap/need_form.html",
        {"form": form, "need": need},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_POST
def need_delete(request, pk):
    need = get_object_or_404(Need, pk=pk, municipality__in=managed_municipalities(request.user))
    services.delete_need(need, actor=request.user)
    messages.success(request, _("De behoefte is verwijderd."))
    return redirect("socialmap:need_list")


@login_required
@require_http_methods(["GET", "POST"])
def need_import(request):
    if not managed_municipalities(request.user):
        raise PermissionDenied
    return _import_page(
        request,
        kind=JobKind.NEEDS,
        columns=importing.NEED_COLUMNS,
        title=_("Behoeften importeren"),
    )
