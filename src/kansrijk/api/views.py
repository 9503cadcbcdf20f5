"""Read endpoints of the agenda, and the voortrekker's progress update.

Every queryset starts from ``Agenda.objects.visible_to(request.user)``: anonymous callers
see published agendas, a key sees what a partner of its organisation sees. An item the
caller may not see answers 404, the same as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, DecimalField, Prefetch, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponsePermanentRedirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.models import (
    CURRENT_FUNDING,
    Activity,
    ActivityKind,
    Agenda,
    Commitment,
    FundingLine,
    FundingSource,
    Goal,
    Intervention,
    Involvement,
    InvolvementRole,
    Spearhead,
    WorkStatus,
)
from kansrijk.input_guard import id_from

from . import serializers
from .permissions import UpdateProgress

# ------------------------------------------------------------------ query filters


@dataclass(frozen=True)
class Filter:
    """A query parameter, its lookup and its schema, declared once."""

    name: str
    lookup: str | Callable  # a field lookup, or (queryset, value) -> queryset
    description: str
    type: type = str
    choices: type | None = None

    def parameter(self) -> OpenApiParameter:
        return OpenApiParameter(
            self.name,
            OpenApiTypes.INT if self.type is int else OpenApiTypes.STR,
            description=self.description,
            enum=[value for value, _label in self.choices.choices] if self.choices else None,
        )

    def value(self, raw: str):
        # A NUL never gets here: the middleware refuses it (kansrijk.input_guard).
        if self.type is int:
            value = id_from(raw)
            if value is None:
                raise ValidationError({self.name: [_("Geef een geheel getal van 0 of groter.")]})
            return value
        if self.choices is not None and raw not in self.choices.values:
            raise ValidationError({self.name: [_("Onbekende waarde: %(value)s.") % {"value": raw}]})
        return raw


AGENDA_FILTER = Filter("agenda", "agenda__slug", "Only items of the agenda with this slug.")
STATUS_FILTER = Filter(
    "status", "status", "Only items with this status (gepland, lopend, …).", choices=WorkStatus
)


def led_by(queryset, organisation_id: int):
    # A subquery rather than a join: an item with two lead rows stays one row.
    leads = Involvement.objects.filter(role=InvolvementRole.LEAD, organisation_id=organisation_id)
    return queryset.filter(pk__in=leads.values(queryset.model._meta.model_name))


LEAD_FILTER = Filter(
    "lead_organisation",
    led_by,
    "Only items whose voortrekker (lead) is the organisation with this id.",
    type=int,
)


def apply_filters(queryset, request, filters: list[Filter]):
    for spec in filters:
        raw = request.query_params.get(spec.name)
        if raw in (None, ""):
            continue
        value = spec.value(raw)
        if callable(spec.lookup):
            queryset = spec.lookup(queryset, value)
        else:
            queryset = queryset.filter(**{spec.lookup: value})
    return queryset


def list_schema(filters: list[Filter], summary: str, description: str = ""):
    return extend_schema(
        summary=summary, description=description, parameters=[f.parameter() for f in filters]
    )


ERRORS = {
    400: OpenApiResponse(description="Invalid data; the body names each field and its error."),
    401: OpenApiResponse(description="No, an invalid or a revoked API key."),
    403: OpenApiResponse(description="The caller may see the item but does not lead it."),
    404: OpenApiResponse(description="No such item, or not visible to the caller."),
}


def detail_schema(summary: str, serializer):
    return extend_schema(summary=summary, responses={200: serializer, 404: ERRORS[404]})


# ------------------------------------------------------------------ scoping


def visible_agendas(request):
    return Agenda.objects.visible_to(request.user)


class ScopedItemViewSet(viewsets.ReadOnlyModelViewSet):
    """An item type of the agenda tree, limited to the agendas the caller may see."""

    model = None
    filters: list[Filter] = [AGENDA_FILTER]

    def base_queryset(self):
        return self.model.objects.select_related("agenda")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        # An archived item is kept for the agenda's history, not offered (decision 0037).
        queryset = self.base_queryset().filter(
            agenda__in=visible_agendas(self.request).values("pk"), archived_on=None
        )
        if self.action == "list":
            queryset = apply_filters(queryset, self.request, self.filters)
        return queryset


# ------------------------------------------------------------------ agendas


@extend_schema_view(
    list=extend_schema(
        summary="List agendas",
        description=(
            "Agendas the caller may see: published (openbare) agendas for everyone; with an "
            "API key also the agendas its organisation owns or takes part in, and those of "
            "the regions it works in."
        ),
    ),
    retrieve=detail_schema(
        "An agenda with its themes, evaluation moments and commitments",
        serializers.AgendaDetailSerializer,
    ),
)
class AgendaViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    serializer_class = serializers.AgendaSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Agenda.objects.none()
        queryset = (
            visible_agendas(self.request)
            .select_related("region")
            .prefetch_related("owners", "regions")
            .order_by("title", "pk")
        )
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                "themes",
                "evaluation_moments",
                Prefetch("commitments", queryset=Commitment.objects.select_related("owner")),
            )
        return queryset

    def get_serializer_class(self):
        if self.action == "retrieve":
            return serializers.AgendaDetailSerializer
        return super().get_serializer_class()

    @extend_schema(
        summary="Funding totals per year and source",
        description=(
            "Planned and realised amounts of all funding lines (financieringsregels) of the "
            "agenda, on interventions and activities, summed per year and source."
        ),
        responses={200: serializers.FundingTotalSerializer(many=True), 404: ERRORS[404]},
    )
    @action(detail=True, url_path="funding-totals", pagination_class=None)
    def funding_totals(self, request, slug=None):
        agenda = self.get_object()
        totals = (
            FundingLine.objects.filter(
                Q(intervention__agenda=agenda) | Q(activity__agenda=agenda), CURRENT_FUNDING
            )
            .values("year", "source")
            .annotate(
                planned_amount=Sum("planned_amount"),
                realised_amount=Sum("realised_amount"),
                lines=Count("pk"),
                estimated_lines=Count("pk", filter=Q(is_estimate=True)),
            )
            .order_by("year", "source")
        )
        return Response(serializers.FundingTotalSerializer(totals, many=True).data)


# ------------------------------------------------------------------ the tree


@extend_schema_view(
    list=list_schema([AGENDA_FILTER], "List spearheads (speerpunten)"),
    retrieve=detail_schema("A spearhead (speerpunt)", serializers.SpearheadSerializer),
)
class SpearheadViewSet(ScopedItemViewSet):
    model = Spearhead
    serializer_class = serializers.SpearheadSerializer

    def base_queryset(self):
        return super().base_queryset().prefetch_related("goals")


GOAL_FILTERS = [
    AGENDA_FILTER,
    Filter("spearhead", "spearhead_id", "Only goals of the spearhead with this id.", type=int),
]


@extend_schema_view(
    list=list_schema(GOAL_FILTERS, "List goals (doelen)"),
    retrieve=detail_schema("A goal (doel) with its indicator text", serializers.GoalSerializer),
)
class GoalViewSet(ScopedItemViewSet):
    model = Goal
    serializer_class = serializers.GoalSerializer
    filters = GOAL_FILTERS

    def base_queryset(self):
        return super().base_queryset().prefetch_related("themes")


class ProgressUpdateMixin(mixins.UpdateModelMixin):
    """PATCH of status, progress and a progress note, through the audited service."""

    http_method_names = ["get", "patch", "head", "options"]
    permission_classes = [UpdateProgress]

    def partial_update(self, request, *args, **kwargs):
        item = self.get_object()  # 404 outside the caller's scope, 403 without the right
        update = serializers.ProgressUpdateSerializer(data=request.data)
        update.is_valid(raise_exception=True)
        try:
            agenda_services.update_progress(item, actor=request.user, **update.validated_data)
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "error_dict") else error.messages
            ) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    def update(self, request, *args, **kwargs):  # PUT is not offered: only PATCH
        return self.http_method_not_allowed(request, *args, **kwargs)


def progress_schema(kind: str, serializer):
    return extend_schema(
        summary=f"Report status and progress of an {kind}",
        description=(
            f"For the voortrekker (lead organisation) of the {kind}, with an API key of that "
            "organisation, and for the beleidsmedewerkers of the agenda's owners. Only "
            "`status`, `progress` (0–100) and a progress note (`note`, optionally a "
            "milestone, with a `date`) can be changed; every change is kept in the "
            "history and the audit trail."
        ),
        request=serializers.ProgressUpdateSerializer,
        responses={200: serializer, **ERRORS},
    )


ACTIVITY_FILTERS = [
    AGENDA_FILTER,
    Filter("goal", "goal_id", "Only activities of the goal with this id.", type=int),
    Filter("parent", "parent_id", "Only sub-activities of the activity with this id.", type=int),
    Filter("kind", "kind", "Only activities of this kind.", choices=ActivityKind),
    STATUS_FILTER,
    LEAD_FILTER,
]


@extend_schema_view(
    list=list_schema(
        ACTIVITY_FILTERS,
        "List activities (hoofd- en subactiviteiten)",
        "Main activities, sub-activities (with `parent`) and planning lines, with their "
        "planned months, voortrekker and partners, status and progress.",
    ),
    retrieve=detail_schema("An activity", serializers.ActivitySerializer),
    partial_update=progress_schema("activity", serializers.ActivitySerializer),
)
class ActivityViewSet(ProgressUpdateMixin, ScopedItemViewSet):
    model = Activity
    serializer_class = serializers.ActivitySerializer
    filters = ACTIVITY_FILTERS

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .prefetch_related(
                "planned_months",
                "children",
                "progress_notes",
                Prefetch(
                    "involvements",
                    queryset=Involvement.objects.select_related("organisation", "person"),
                ),
            )
        )


def linked_to_goal(queryset, goal_id: int):
    links = Intervention.goals.through.objects.filter(goal_id=goal_id)
    return queryset.filter(pk__in=links.values("intervention_id"))


INTERVENTION_FILTERS = [
    AGENDA_FILTER,
    Filter("goal", linked_to_goal, "Only interventions linked to the goal with this id.", type=int),
    STATUS_FILTER,
    LEAD_FILTER,
]


@extend_schema_view(
    list=list_schema(
        INTERVENTION_FILTERS,
        "List interventions (interventiekaarten)",
        "The intervention cards: parties, planning, goal, target group with ages, location, "
        "activities, monitoring and evaluation, financing, online information and contact, "
        "with the totals of their funding lines.",
    ),
    retrieve=detail_schema("An intervention card", serializers.InterventionSerializer),
    partial_update=progress_schema("intervention", serializers.InterventionSerializer),
)
class InterventionViewSet(ProgressUpdateMixin, ScopedItemViewSet):
    model = Intervention
    serializer_class = serializers.InterventionSerializer
    filters = INTERVENTION_FILTERS

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .annotate(
                planned_total=Coalesce(
                    Sum("funding_lines__planned_amount"),
                    Value(Decimal(0)),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                ),
                realised_total=Sum("funding_lines__realised_amount"),
            )
            .order_by("position", "pk")  # an aggregate drops Meta.ordering
            .prefetch_related(
                "goals",
                "locations",
                "planned_months",
                "progress_notes",
                Prefetch(
                    "involvements",
                    queryset=Involvement.objects.select_related("organisation", "person"),
                ),
            )
        )


FUNDING_FILTERS = [
    Filter(
        "agenda",
        "agenda_slug",
        "Only funding lines of interventions and activities of the agenda with this slug.",
    ),
    Filter("year", "year", "Only lines of this year.", type=int),
    Filter("source", "source", "Only lines from this source.", choices=FundingSource),
    Filter("intervention", "intervention_id", "Only lines of this intervention.", type=int),
    Filter("activity", "activity_id", "Only lines of this activity.", type=int),
]


@extend_schema_view(
    list=list_schema(
        FUNDING_FILTERS,
        "List funding lines (financieringsregels)",
        "Money for an intervention or activity in one year from one source. `unit_amount` "
        "× `quantity` × `share` is what the document wrote (e.g. circa € 120.000 per "
        "locatie per jaar, half OAB); `planned_amount` is the amount that counts in totals; "
        "`is_estimate` marks 'circa'.",
    ),
    retrieve=detail_schema("A funding line", serializers.FundingLineSerializer),
)
class FundingLineViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.FundingLineSerializer
    filters = FUNDING_FILTERS

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FundingLine.objects.none()
        visible = visible_agendas(self.request).values("pk")
        queryset = (
            FundingLine.objects.select_related("payer")
            .annotate(agenda_slug=Coalesce("intervention__agenda__slug", "activity__agenda__slug"))
            .filter(
                Q(intervention__agenda__in=visible) | Q(activity__agenda__in=visible),
                CURRENT_FUNDING,
            )
        )
        if self.action == "list":
            queryset = apply_filters(queryset, self.request, self.filters)
        return queryset


# ------------------------------------------------------------------ documentation


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI served from this server (drf-spectacular-sidecar), with no inline script
    or style, so it runs under the site's Content Security Policy."""

    template_name = "api/swagger_ui.html"


# ------------------------------------------------------------------ the slash paths of before


@csrf_exempt
def slash_redirect(request, *args, **kwargs):
    """308 from an address with the trailing slash of before to the one without: a client
    that follows redirects keeps working, with its method and body, for as long as v1
    lives (decision 0045). Exempt from the CSRF check: the view it leads to checks."""
    target = request.path.removesuffix("/")
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(
        f"{target}?{query}" if query else target, preserve_request=True
    )
