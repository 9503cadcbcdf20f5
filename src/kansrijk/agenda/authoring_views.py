"""The pages for writing an agenda: start one, the editor with its tree, and the item
forms. Thin views: ``authoring_forms`` validates, ``authoring`` changes.

Every form works as a plain POST with a redirect; with htmx (``HX-Request``) the edit
form replaces the item in place and, once saved, the item comes back in its place. The
buttons to move an item ("Omhoog", "Omlaag", "Verplaatsen naar") are ordinary forms, so
a keyboard does all of it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kansrijk.organisations.models import Membership, Role

from . import authoring
from .authoring_forms import (
    ActivityForm,
    AgendaFactsForm,
    EvaluationMomentForm,
    FundingLineForm,
    GoalForm,
    GoalIndicatorForm,
    InterventionForm,
    MoveForm,
    SpearheadForm,
    StartAgendaForm,
)
from .models import (
    Activity,
    ActivityKind,
    AgendaStatus,
    EvaluationMoment,
    FundingLine,
    Goal,
    Intervention,
    Involvement,
    InvolvementRole,
    PlannedMonth,
    Spearhead,
)
from .views import can_edit, get_visible_agenda_or_404


@dataclass(frozen=True)
class Kind:
    """One kind of item in the editor: its model, form, id prefix and its words (whole
    sentences, as Dutch says "het doel" and "de activiteit")."""

    model: type
    form: type
    prefix: str
    label: str
    new_title: str
    added: str
    archived: str
    movable: bool = True


KINDS = {
    "speerpunt": Kind(
        Spearhead,
        SpearheadForm,
        "speerpunt",
        gettext_lazy("speerpunt"),
        gettext_lazy("Nieuw speerpunt"),
        gettext_lazy("Het speerpunt is toegevoegd."),
        gettext_lazy("Het speerpunt en zijn doelen zijn gearchiveerd."),
    ),
    "doel": Kind(
        Goal,
        GoalForm,
        "doel",
        gettext_lazy("doel"),
        gettext_lazy("Nieuw doel"),
        gettext_lazy("Het doel is toegevoegd."),
        gettext_lazy("Het doel en zijn activiteiten zijn gearchiveerd."),
    ),
    "activiteit": Kind(
        Activity,
        ActivityForm,
        "activiteit",
        gettext_lazy("activiteit"),
        gettext_lazy("Nieuwe activiteit"),
        gettext_lazy("De activiteit is toegevoegd."),
        gettext_lazy("De activiteit is gearchiveerd."),
    ),
    "interventie": Kind(
        Intervention,
        InterventionForm,
        "interventie",
        gettext_lazy("interventie"),
        gettext_lazy("Nieuwe interventie"),
        gettext_lazy("De interventie is toegevoegd."),
        gettext_lazy("De interventie is gearchiveerd."),
    ),
    "evaluatie": Kind(
        EvaluationMoment,
        EvaluationMomentForm,
        "evaluatie",
        gettext_lazy("evaluatiemoment"),
        gettext_lazy("Nieuw evaluatiemoment"),
        gettext_lazy("Het evaluatiemoment is toegevoegd."),
        gettext_lazy("Het evaluatiemoment is gearchiveerd."),
        movable=False,
    ),
    "financiering": Kind(
        FundingLine,
        FundingLineForm,
        "financiering",
        gettext_lazy("financieringsregel"),
        gettext_lazy("Nieuwe financieringsregel"),
        gettext_lazy("De financieringsregel is toegevoegd."),
        gettext_lazy("De financieringsregel is gearchiveerd."),
        movable=False,
    ),
}


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def editor_url(agenda, item=None, kind: str | None = None) -> str:
    url = reverse("agenda:editor", args=[agenda.slug])
    return f"{url}#item-{kind}-{item.pk}" if item is not None else url


def _not_editable(request, agenda, error: ValidationError):
    messages.error(request, " ".join(error.messages))
    if _is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = editor_url(agenda)
        return response
    return redirect(editor_url(agenda))


def _unless_concept(request, agenda):
    """Back to the editor with the reason when the agenda is adopted; None for a concept."""
    try:
        authoring.ensure_concept(agenda)
    except authoring.NotEditable as error:
        return _not_editable(request, agenda, error)
    return None


# ------------------------------------------------------------------ a new agenda


@login_required
def start(request):
    """A new agenda, empty or as a copy of one the user can read."""
    if not request.user.has_perm("agenda.start_agenda"):
        raise PermissionDenied
    form = StartAgendaForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agenda = authoring.start_agenda(
            actor=request.user,
            owner=data["owner"],
            title=data["title"],
            kind=data["kind"],
            period_start=data["period_start"],
            period_end=data["period_end"],
            copy_of=data["copy_of"],
        )
        messages.success(
            request,
            _(
                "De conceptagenda '%(title)s' is gemaakt. Voeg nu speerpunten, doelen en activiteiten toe."
            )
            % {"title": agenda.title},
        )
        return redirect("agenda:editor", slug=agenda.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "agenda/authoring/start.html", {"form": form}, status=status)


# ------------------------------------------------------------------ the editor


def _lead_item_ids(user) -> tuple[set[int], set[int]]:
    """The activities and interventions the user's organisations lead (not as lezer)."""
    mine = (
        Membership.objects.filter(user=user, is_active=True)
        .exclude(role=Role.READER)
        .values("organisation_id")
    )
    leads = Involvement.objects.filter(role=InvolvementRole.LEAD, organisation_id__in=mine)
    return (
        set(leads.exclude(activity=None).values_list("activity_id", flat=True)),
        set(leads.exclude(intervention=None).values_list("intervention_id", flat=True)),
    )


def _move_options(agenda) -> dict[str, list]:
    """The places items may move to, fetched once for the whole editor."""
    goals = agenda.goals.filter(archived_on=None)
    mains = agenda.activities.filter(archived_on=None, parent=None).exclude(kind=ActivityKind.SUB)
    return {
        "spearheads": [(s.pk, s.title) for s in agenda.spearheads.filter(archived_on=None)]
        + [(None, _("Geen speerpunt (algemeen doel)"))],
        "goals": [(g.pk, str(g)) for g in goals],
        "mains": [(a.pk, a.title) for a in mains],
    }


def prepare(item, kind: str, *, can_change: bool, options: dict):
    """What the editor's item template asks of an item: may the user change it, may it
    move among its siblings, and where else it may go."""
    item.can_change = can_change
    item.movable = KINDS[kind].movable
    item.move_options, item.current_parent = [], None
    item.heading = {"speerpunt": "h3", "doel": "h4", "interventie": "h3"}.get(kind)
    if kind == "doel":
        item.move_options, item.current_parent = options["spearheads"], item.spearhead_id
    elif kind == "activiteit" and item.parent_id:
        item.move_options = [(pk, title) for pk, title in options["mains"] if pk != item.pk]
        item.current_parent = item.parent_id
    elif kind == "activiteit":
        item.move_options, item.current_parent = options["goals"], item.goal_id
    return item


def _require_writer(request, agenda) -> bool:
    """Editors and voortrekkers open the editor; returns whether the user edits it all."""
    if not request.user.has_perm("agenda.write_agenda", agenda):
        raise PermissionDenied
    return can_edit(request.user, agenda)


@login_required
def editor(request, slug):
    agenda = get_visible_agenda_or_404(request.user, slug)
    full = _require_writer(request, agenda)
    lead_activities, lead_interventions = set(), set()
    if not full:
        lead_activities, lead_interventions = _lead_item_ids(request.user)
    involvements = Prefetch(
        "involvements",
        queryset=Involvement.objects.select_related("organisation", "person").order_by(
            "role", "pk"
        ),
    )
    living_lines = Prefetch("funding_lines", queryset=FundingLine.objects.filter(archived_on=None))
    spearheads = list(agenda.spearheads.filter(archived_on=None))
    goals = list(agenda.goals.filter(archived_on=None).prefetch_related("indicators"))
    activities = list(
        agenda.activities.filter(archived_on=None)
        .prefetch_related(
            involvements,
            living_lines,
            Prefetch("planned_months", queryset=PlannedMonth.objects.order_by("month")),
        )
        .order_by("position", "pk")
    )
    interventions = list(
        agenda.interventions.filter(archived_on=None).prefetch_related(involvements, living_lines)
    )
    options = _move_options(agenda)
    indicator_owners = set(
        Membership.objects.organisation_ids_of(request.user, [Role.POLICY_OFFICER, Role.ADMIN])
    )
    children = defaultdict(list)
    mains_by_goal = defaultdict(list)
    for activity in activities:
        prepare(
            activity,
            "activiteit",
            can_change=full or activity.pk in lead_activities,
            options=options,
        )
        for line in activity.funding_lines.all():
            prepare(line, "financiering", can_change=activity.can_change, options=options)
        if activity.parent_id:
            children[activity.parent_id].append(activity)
        else:
            mains_by_goal[activity.goal_id].append(activity)
    for activity in activities:
        activity.subs = children[activity.pk]
    goals_by_spearhead = defaultdict(list)
    for goal in goals:
        prepare(goal, "doel", can_change=full, options=options)
        for indicator in goal.indicators.all():
            # indicators.change_indicator, asked once for the page instead of per row.
            indicator.can_change = full and (
                request.user.is_superuser or indicator.owner_id in indicator_owners
            )
        goal.mains = mains_by_goal[goal.pk]
        goals_by_spearhead[goal.spearhead_id].append(goal)
    for spearhead in spearheads:
        prepare(spearhead, "speerpunt", can_change=full, options=options)
        spearhead.goal_list = goals_by_spearhead[spearhead.pk]
    for intervention in interventions:
        prepare(
            intervention,
            "interventie",
            can_change=full or intervention.pk in lead_interventions,
            options=options,
        )
        for line in intervention.funding_lines.all():
            prepare(line, "financiering", can_change=intervention.can_change, options=options)
    evaluations = list(
        agenda.evaluation_moments.filter(archived_on=None).select_related("intervention")
    )
    for moment in evaluations:
        prepare(moment, "evaluatie", can_change=full, options=options)
    is_concept = agenda.status == AgendaStatus.CONCEPT
    context = {
        "agenda": agenda,
        "full": full and is_concept,
        "is_concept": is_concept,
        "can_edit": full,
        "spearheads": spearheads,
        "loose_goals": goals_by_spearhead[None],
        "loose_activities": mains_by_goal[None],
        "interventions": interventions,
        "evaluations": evaluations,
    }
    return render(request, "agenda/authoring/editor.html", context)


@login_required
def facts(request, slug):
    """Title, kind, period, vision and introduction of the agenda itself."""
    agenda = get_visible_agenda_or_404(request.user, slug)
    if not can_edit(request.user, agenda):
        raise PermissionDenied
    refusal = _unless_concept(request, agenda)
    if refusal is not None:
        return refusal
    form = AgendaFactsForm(request.POST or None, instance=agenda)
    if request.method == "POST" and form.is_valid():
        authoring.save_item(agenda, actor=request.user, **form.changes())
        messages.success(request, _("De gegevens van de agenda zijn opgeslagen."))
        return redirect("agenda:editor", slug=agenda.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "agenda/authoring/facts.html", {"agenda": agenda, "form": form}, status=status
    )


@login_required
@require_POST
def new_concept(request, slug):
    """'Wijzigen in een nieuwe conceptversie'."""
    agenda = get_visible_agenda_or_404(request.user, slug)
    if not can_edit(request.user, agenda):
        raise PermissionDenied
    try:
        version = authoring.open_new_concept(agenda, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "De agenda is nu een concept. De vastgestelde inhoud staat in versie "
                "%(number)s; als je de agenda opnieuw vaststelt, zie je wat er is veranderd."
            )
            % {"number": version.number},
        )
    return redirect("agenda:editor", slug=agenda.slug)


# ------------------------------------------------------------------ items


def _kind_or_404(kind: str) -> Kind:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _item_or_404(agenda, kind: Kind, pk: int):
    if kind.model is FundingLine:
        queryset = FundingLine.objects.filter(
            Q(activity__agenda=agenda) | Q(intervention__agenda=agenda)
        ).select_related("activity__agenda", "intervention__agenda")
    else:
        queryset = kind.model.objects.filter(agenda=agenda)
    return get_object_or_404(queryset.filter(archived_on=None), pk=pk)


def _form_for(kind: Kind, agenda, request, item, *, with_roles: bool):
    kwargs = {"agenda": agenda, "instance": item, "prefix": f"{kind.prefix}-{item.pk or 'nieuw'}"}
    if kind.form in (ActivityForm, InterventionForm):
        kwargs["with_roles"] = with_roles
    form = kind.form(request.POST or None, **kwargs)
    if _is_htmx(request):
        # The form takes the item's place: the focus goes with it (htmx honours
        # autofocus in swapped content), so a keyboard user is not sent back to the top.
        first = next(iter(form.fields.values()))
        first.widget.attrs["autofocus"] = True
    return form


def _save(form, kind: Kind, item, *, actor) -> None:
    authoring.save_item(item, actor=actor, **form.changes())
    if isinstance(form, ActivityForm):
        authoring.set_months(item, form.planned_months(), actor=actor)
    if isinstance(form, InterventionForm):
        authoring.set_links(item, "goals", form.cleaned_data["goals"], actor=actor)
    if getattr(form, "has_roles", False):
        authoring.set_roles(
            item,
            actor=actor,
            lead=form.cleaned_data["lead"],
            lead_person=form.cleaned_data["lead_person"],
            partners=form.cleaned_data["partners"],
            funders=form.cleaned_data["funders"],
        )


def _new_item(request, agenda, kind_name: str, kind: Kind):
    """The unsaved item with its parent from the query string (?onder=<pk>)."""
    parent_pk = request.GET.get("onder") or request.POST.get("onder")
    parent_pk = int(parent_pk) if parent_pk and parent_pk.isdigit() else None
    external_id = authoring.next_external_id(agenda, kind.model, kind.prefix)
    if kind.model is Spearhead:
        return Spearhead(agenda=agenda, external_id=external_id), None
    if kind.model is Goal:
        spearhead = (
            get_object_or_404(agenda.spearheads.filter(archived_on=None), pk=parent_pk)
            if parent_pk
            else None
        )
        return Goal(agenda=agenda, spearhead=spearhead, external_id=external_id), spearhead
    if kind.model is Activity:
        sub = request.GET.get("soort") == "sub" or request.POST.get("soort") == "sub"
        if sub:
            parent = get_object_or_404(
                agenda.activities.filter(archived_on=None, parent=None), pk=parent_pk
            )
            item = Activity(
                agenda=agenda,
                parent=parent,
                goal=parent.goal,
                kind=ActivityKind.SUB,
                external_id=external_id,
            )
            return item, parent
        goal = get_object_or_404(agenda.goals.filter(archived_on=None), pk=parent_pk)
        item = Activity(agenda=agenda, goal=goal, kind=ActivityKind.MAIN, external_id=external_id)
        return item, goal
    if kind.model is Intervention:
        return Intervention(agenda=agenda, external_id=external_id), None
    if kind.model is EvaluationMoment:
        return EvaluationMoment(agenda=agenda, external_id=external_id), None
    # A funding line pays for an activity (?activiteit=) or an intervention (?onder=).
    if request.GET.get("soort") == "activiteit" or request.POST.get("soort") == "activiteit":
        parent = get_object_or_404(agenda.activities.filter(archived_on=None), pk=parent_pk)
        return FundingLine(activity=parent, external_id=external_id), parent
    parent = get_object_or_404(agenda.interventions.filter(archived_on=None), pk=parent_pk)
    return FundingLine(intervention=parent, external_id=external_id), parent


@login_required
def item_new(request, slug, kind):
    agenda = get_visible_agenda_or_404(request.user, slug)
    kind_def = _kind_or_404(kind)
    item, parent = _new_item(request, agenda, kind, kind_def)
    # A voortrekker adds money to what it leads; the rest is for the agenda's editors.
    allowed = (
        request.user.has_perm("agenda.change_item", item)
        if kind_def.model is FundingLine
        else can_edit(request.user, agenda)
    )
    if not allowed:
        raise PermissionDenied
    refusal = _unless_concept(request, agenda)
    if refusal is not None:
        return refusal
    form = _form_for(kind_def, agenda, request, item, with_roles=can_edit(request.user, agenda))
    if request.method == "POST" and form.is_valid():
        try:
            _save(form, kind_def, item, actor=request.user)
        except ValidationError as error:
            return _not_editable(request, agenda, error)
        messages.success(request, kind_def.added)
        target = editor_url(agenda, item, kind)
        if _is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    context = {
        "agenda": agenda,
        "kind": kind,
        "kind_def": kind_def,
        "item": item,
        "parent": parent,
        "form": form,
        "action": request.get_full_path(),
        "is_new": True,
        "inline": _is_htmx(request),
    }
    return _render_item_form(request, context)


def _render_item_form(request, context):
    """An item's form: in its place in the editor (htmx), or as a page of its own. A
    refused plain POST answers 400; htmx shows the errors in place."""
    status = 400 if request.method == "POST" and not _is_htmx(request) else 200
    template = (
        "agenda/authoring/_item_form.html"
        if _is_htmx(request)
        else "agenda/authoring/item_form.html"
    )
    return render(request, template, context, status=status)


@login_required
def item_edit(request, slug, kind, pk):
    agenda = get_visible_agenda_or_404(request.user, slug)
    kind_def = _kind_or_404(kind)
    item = _item_or_404(agenda, kind_def, pk)
    if not request.user.has_perm("agenda.change_item", item):
        raise PermissionDenied
    refusal = _unless_concept(request, agenda)
    if refusal is not None:
        return refusal
    form = _form_for(kind_def, agenda, request, item, with_roles=can_edit(request.user, agenda))
    if request.method == "POST" and form.is_valid():
        try:
            _save(form, kind_def, item, actor=request.user)
        except ValidationError as error:
            return _not_editable(request, agenda, error)
        if _is_htmx(request) and request.GET.get("plek") == "editor":
            # Back in its place in the editor, the way the tree shows it.
            full = can_edit(request.user, agenda)
            item = prepare(
                _item_or_404(agenda, kind_def, pk),
                kind,
                can_change=True,
                options=_move_options(agenda),
            )
            context = {
                "agenda": agenda,
                "kind": kind,
                "item": item,
                "full": full,
                "is_concept": True,
            }
            return render(request, "agenda/authoring/_item_saved.html", context)
        messages.success(request, _("De wijziging is opgeslagen."))
        return redirect(editor_url(agenda, item, kind))
    context = {
        "agenda": agenda,
        "kind": kind,
        "kind_def": kind_def,
        "item": item,
        "form": form,
        "action": request.get_full_path(),
        "is_new": False,
        "inline": _is_htmx(request),
    }
    return _render_item_form(request, context)


def _editor_item(request, slug, kind, pk):
    """The agenda and one living item, for the structural changes only editors make."""
    agenda = get_visible_agenda_or_404(request.user, slug)
    kind_def = _kind_or_404(kind)
    item = _item_or_404(agenda, kind_def, pk)
    if not can_edit(request.user, agenda):
        raise PermissionDenied
    return agenda, kind_def, item


@login_required
@require_POST
def item_order(request, slug, kind, pk):
    agenda, kind_def, item = _editor_item(request, slug, kind, pk)
    direction = {"omhoog": "up", "omlaag": "down"}.get(request.POST.get("richting"))
    if not kind_def.movable or direction is None:
        raise Http404
    try:
        moved = authoring.move(item, actor=request.user, direction=direction)
    except ValidationError as error:
        return _not_editable(request, agenda, error)
    if not moved:
        messages.info(
            request,
            _("Dit onderdeel staat al bovenaan.")
            if direction == "up"
            else _("Dit onderdeel staat al onderaan."),
        )
    return redirect(editor_url(agenda, item, kind))


@login_required
@require_POST
def item_move(request, slug, kind, pk):
    agenda, _kind, item = _editor_item(request, slug, kind, pk)
    parents = authoring.parent_choices(item)
    if not parents:
        raise Http404
    form = MoveForm(request.POST, parents=parents)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["to"]))
        return redirect(editor_url(agenda, item, kind))
    try:
        authoring.move_to(item, form.cleaned_data["to"], actor=request.user)
    except ValidationError as error:
        return _not_editable(request, agenda, error)
    destination = form.cleaned_data["to"]
    messages.success(
        request,
        _("Verplaatst naar %(place)s.")
        % {"place": destination if destination is not None else _("de algemene doelen")},
    )
    return redirect(editor_url(agenda, item, kind))


@login_required
@require_POST
def item_archive(request, slug, kind, pk):
    agenda, kind_def, item = _editor_item(request, slug, kind, pk)
    try:
        authoring.archive(item, actor=request.user)
    except ValidationError as error:
        return _not_editable(request, agenda, error)
    messages.success(
        request,
        f"{kind_def.archived} "
        + _(
            "Wat gearchiveerd is, staat niet meer op de agenda en blijft in de geschiedenis bewaard."
        ),
    )
    return redirect(editor_url(agenda))


# ------------------------------------------------------------------ indicators of a goal


@login_required
def indicator_new(request, slug, pk):
    agenda = get_visible_agenda_or_404(request.user, slug)
    goal = get_object_or_404(agenda.goals.filter(archived_on=None), pk=pk)
    if not can_edit(request.user, agenda):
        raise PermissionDenied
    refusal = _unless_concept(request, agenda)
    if refusal is not None:
        return refusal
    form = GoalIndicatorForm(request.POST or None, agenda=agenda)
    if request.method == "POST" and form.is_valid():
        try:
            authoring.add_goal_indicator(goal, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("De indicator is toegevoegd aan het doel."))
            return redirect(editor_url(agenda, goal, "doel"))
    status = 400 if request.method == "POST" else 200
    context = {"agenda": agenda, "goal": goal, "form": form}
    return render(request, "agenda/authoring/indicator_form.html", context, status=status)


@login_required
def indicator_edit(request, slug, pk, indicator):
    """A goal's indicator, changed from the agenda: for editors of the agenda who may also
    change the indicator in the monitor (a shared or national series is not theirs)."""
    agenda = get_visible_agenda_or_404(request.user, slug)
    goal = get_object_or_404(agenda.goals.filter(archived_on=None), pk=pk)
    linked = get_object_or_404(goal.indicators.all(), pk=indicator)
    if not (
        can_edit(request.user, agenda)
        and request.user.has_perm("indicators.change_indicator", linked)
    ):
        raise PermissionDenied
    refusal = _unless_concept(request, agenda)
    if refusal is not None:
        return refusal
    form = GoalIndicatorForm(
        request.POST or None,
        agenda=agenda,
        initial=authoring.goal_indicator_values(goal, linked),
    )
    if request.method == "POST" and form.is_valid():
        try:
            authoring.update_goal_indicator(goal, linked, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("De indicator is bijgewerkt."))
            return redirect(editor_url(agenda, goal, "doel"))
    status = 400 if request.method == "POST" else 200
    context = {"agenda": agenda, "goal": goal, "form": form, "indicator": linked}
    return render(request, "agenda/authoring/indicator_form.html", context, status=status)


@login_required
@require_POST
def indicator_unlink(request, slug, pk, indicator):
    agenda = get_visible_agenda_or_404(request.user, slug)
    goal = get_object_or_404(agenda.goals.filter(archived_on=None), pk=pk)
    if not can_edit(request.user, agenda):
        raise PermissionDenied
    linked = get_object_or_404(goal.indicators.all(), pk=indicator)
    try:
        authoring.remove_goal_indicator(goal, linked, actor=request.user)
    except ValidationError as error:
        return _not_editable(request, agenda, error)
    messages.success(
        request,
        _("De indicator '%(name)s' hoort niet meer bij dit doel; hij blijft in de monitor.")
        % {"name": linked.name},
    )
    return redirect(editor_url(agenda, goal, "doel"))
