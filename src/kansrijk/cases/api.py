"""API of the register: /api/v1/cases, /api/v1/case-counts, /api/v1/reported-counts.

* ``cases`` — the episodes the caller may see (``Case.objects.visible_to``), each with as
  much as the caller's level allows: FULL and EPISODE get the young person's name, birth
  date and the timeline; PARTIAL (a school contact) the episode and the agreements its
  school must keep. The API never returns a BSN or onderwijsnummer. Every case in a
  response is a read, written to the audit trail (``services.record_reads``).
* ``case-counts`` — the quarterly count of ``reporting.build_report``, suppressed for
  callers who may only see aggregates (an API key is a partner of its organisation, so
  it always gets suppressed figures).
* ``reported-counts`` — what schools report for a peildatum; a school contact, the SWV
  coordinator and leerplicht may POST a count for a school in their scope.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from kansrijk.api.pagination import KeysetPagination
from kansrijk.organisations.models import Organisation, Region

from . import reporting, services, signals
from .forms import NewCaseForm
from .models import Agreement, Case, CaseCategory, CaseEvent, CountDefinition, ReportedCount
from .queries import (
    EPISODE,
    FULL,
    PARTIAL,
    case_manager_candidates,
    registering_municipalities,
    scope_of,
)

# ------------------------------------------------------------------ cases


class YoungPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    given_name = serializers.CharField()
    family_name = serializers.CharField()
    birth_date = serializers.DateField(
        allow_null=True, help_text="Niet voor een schoolcontactpersoon (niveau partial)."
    )


class CaseEventSerializer(serializers.ModelSerializer):
    mandated_organisation = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )

    class Meta:
        model = CaseEvent
        fields = [
            "id",
            "kind",
            "date",
            "description",
            "mas_route",
            "report_number",
            "offence_article",
            "sent_to_prosecutor_on",
            "decision",
            "mandated_organisation",
        ]
        read_only_fields = fields


class AgreementSerializer(serializers.ModelSerializer):
    responsible_organisation = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )

    class Meta:
        model = Agreement
        fields = [
            "id",
            "description",
            "responsible_organisation",
            "responsible_person",
            "deadline",
            "status",
            "resolved_on",
        ]
        read_only_fields = fields


class CaseSerializer(serializers.ModelSerializer):
    access_level = serializers.SerializerMethodField()
    school = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    partnership = serializers.SerializerMethodField()
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    case_manager = serializers.SerializerMethodField()
    young_person = serializers.SerializerMethodField()
    signals = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = [
            "id",
            "dossier_id",
            "access_level",
            "category",
            "start_date",
            "end_date",
            "outcome",
            "school",
            "partnership",
            "municipality",
            "sector",
            "case_manager",
            "offer_date",
            "pact_deadline",
            "young_person",
            "signals",
        ]
        read_only_fields = fields

    def _level(self, case) -> str:
        return scope_of(self.context["request"].user).level_for(case)

    def get_access_level(self, case) -> str:
        """full (leerplicht of the woongemeente), episode (SWV, regievoerder) or partial
        (school contact)."""
        return self._level(case)

    def get_partnership(self, case) -> str | None:
        return (
            case.school.partnership.code if case.school_id and case.school.partnership_id else None
        )

    def get_case_manager(self, case) -> str | None:
        return str(case.case_manager) if case.case_manager_id else None

    @extend_schema_field(YoungPersonSerializer)
    def get_young_person(self, case) -> dict:
        person = case.young_person
        data = {
            "id": person.pk,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "birth_date": person.birth_date,
        }
        if self._level(case) == PARTIAL:
            data["birth_date"] = None
        return YoungPersonSerializer(data).data

    def get_signals(self, case) -> list[str]:
        return [signal.key for signal in signals.case_signals(case, timezone.localdate())]


class CaseDetailSerializer(CaseSerializer):
    events = serializers.SerializerMethodField()
    agreements = serializers.SerializerMethodField()

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "events", "agreements"]
        read_only_fields = fields

    @extend_schema_field(CaseEventSerializer(many=True))
    def get_events(self, case) -> list[dict]:
        """The timeline; empty for a school contact (partial)."""
        if self._level(case) not in (FULL, EPISODE):
            return []
        return CaseEventSerializer(
            case.events.select_related("mandated_organisation"), many=True
        ).data

    @extend_schema_field(AgreementSerializer(many=True))
    def get_agreements(self, case) -> list[dict]:
        """The agreements; a school contact gets those its school must keep."""
        agreements = case.agreements.select_related("responsible_organisation")
        if self._level(case) == PARTIAL:
            school_ids = scope_of(self.context["request"].user).school_ids
            agreements = agreements.filter(responsible_organisation_id__in=school_ids)
        return AgreementSerializer(agreements, many=True).data


class CaseIntakeSerializer(serializers.Serializer):
    """A new case, as on the page "Nieuwe casus": the young person (by number, registered
    when not yet in the register) and the episode. Checked by the same form and opened by
    the same service as the page."""

    identifier_kind = serializers.ChoiceField(
        choices=["bsn", "onderwijsnummer"], default="bsn", help_text="Soort nummer."
    )
    identifier = serializers.CharField(
        max_length=20,
        write_only=True,
        help_text="BSN of onderwijsnummer; komt nooit terug in een antwoord.",
    )
    birth_date = serializers.DateField()
    given_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    family_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    municipality = serializers.CharField(
        max_length=40, help_text="Woongemeente (GM-code), van je eigen bureau."
    )
    living_since = serializers.DateField(required=False, allow_null=True)
    category = serializers.ChoiceField(choices=CaseCategory.choices)
    start_date = serializers.DateField()
    school = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="School (BRIN6); leeg bij absoluut verzuim.",
    )
    case_manager = serializers.IntegerField(
        required=False, allow_null=True, help_text="De regievoerder (gebruiker-id)."
    )


CASE_FILTERS = [
    OpenApiParameter(
        "open", OpenApiTypes.BOOL, description="Only open (true) or ended (false) cases."
    ),
    OpenApiParameter(
        "category", OpenApiTypes.STR, enum=CaseCategory.values, description="The category."
    ),
    OpenApiParameter(
        "municipality", OpenApiTypes.STR, description="The municipality of residence (GM code)."
    ),
    OpenApiParameter("school", OpenApiTypes.STR, description="The school (BRIN6)."),
]


@extend_schema_view(
    list=extend_schema(
        parameters=CASE_FILTERS,
        description=(
            "The cases (thuiszitters episodes) the caller may see, newest start first, by "
            "cursor. Never a BSN. Every case shown is written to the audit trail."
        ),
    ),
    retrieve=extend_schema(
        description="One case with its timeline and agreements, as the access level allows."
    ),
    create=extend_schema(
        request=CaseIntakeSerializer,
        responses={201: CaseDetailSerializer},
        description=(
            "Opens a case as the page Nieuwe casus does: only for those who register cases "
            "(leerplicht, with two-factor authentication), never with an API key. The same "
            "checks; the errors name each field, in Dutch."
        ),
    ),
)
class CaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [permissions.IsAuthenticated]
    # Grows with every case: a cursor, newest start first (decision 0045).
    pagination_class = KeysetPagination
    keyset = ("-start_date", "-pk")

    def get_serializer_class(self):
        if self.action == "create":
            return CaseIntakeSerializer
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def get_queryset(self):
        # The signals as annotations: one query for a page, not one per case.
        queryset = (
            signals.annotate_signals(
                Case.objects.visible_to(self.request.user), timezone.localdate()
            )
            .select_related("school__partnership", "municipality", "case_manager", "young_person")
            .order_by("-start_date", "-pk")
        )
        params = self.request.query_params
        if params.get("open") in ("true", "false"):
            queryset = queryset.filter(end_date__isnull=params["open"] == "true")
        if params.get("category"):
            if params["category"] not in CaseCategory.values:
                raise ValidationError({"category": [_("Onbekende categorie.")]})
            queryset = queryset.filter(category=params["category"])
        if params.get("municipality"):
            queryset = queryset.filter(municipality__code=params["municipality"])
        if params.get("school"):
            queryset = queryset.filter(school__code=params["school"])
        return queryset

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        services.record_reads(request.user, page, route="api: lijst van casussen")
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        case = self.get_object()
        services.record_reads(request.user, [case], route="api: casus")
        return Response(self.get_serializer(case).data)

    def create(self, request, *args, **kwargs):
        """The page's form checks the intake and the page's service opens the case, so the
        API and the page cannot drift apart."""
        user = request.user
        if not user.has_perm("cases.add_case") or getattr(request, "auth", None) is not None:
            raise PermissionDenied(_("Alleen leerplicht opent casussen, niet een API-sleutel."))
        intake = CaseIntakeSerializer(data=request.data)
        intake.is_valid(raise_exception=True)
        data = dict(intake.validated_data)
        municipalities = registering_municipalities(user)
        municipality = municipalities.filter(code=data.pop("municipality")).first()
        form = NewCaseForm(
            {
                **{key: value for key, value in data.items() if value is not None},
                "municipality": municipality.pk if municipality else "",
                "school_code": data.pop("school", "") or "",
            },
            municipalities=municipalities,
            schools=None,
            case_managers=case_manager_candidates(user),
        )
        if not form.is_valid():
            raise ValidationError(_api_errors(form))
        try:
            case, _registered = services.intake_case(
                actor=user, young_person=form.existing_person, **form.cleaned_data
            )
        except services.DuplicateYoungPerson:
            raise ValidationError(
                {"identifier": [_("Deze jongere is zojuist door iemand anders ingeschreven.")]}
            ) from None
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "message_dict") else error.messages
            ) from None
        services.record_reads(user, [case], route="api: casus geopend")
        return Response(CaseDetailSerializer(case, context=self.get_serializer_context()).data, 201)


def _api_errors(form) -> dict:
    """The form's errors under the API's field names (school_code is school)."""
    names = {"school_code": "school", "__all__": "non_field_errors"}
    return {names.get(field, field): list(messages) for field, messages in form.errors.items()}


# ------------------------------------------------------------------ counts


class CountRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    is_total = serializers.BooleanField()
    counts = serializers.DictField(
        child=serializers.IntegerField(allow_null=True),
        help_text="Per kolom het aantal; null als het is afgeschermd (zie suppressed_fields).",
    )
    suppressed_fields = serializers.ListField(child=serializers.CharField())
    markers = serializers.DictField(
        child=serializers.CharField(),
        help_text=(
            'Per afgeschermde kolom het teken: "<5" voor een klein aantal, "." voor een '
            "aantal dat is afgeschermd om een klein aantal te beschermen (kan groot zijn)."
        ),
    )
    pupils = serializers.IntegerField(allow_null=True)
    per_1000_pupils = serializers.DecimalField(max_digits=8, decimal_places=1, allow_null=True)


class CountReportSerializer(serializers.Serializer):
    peildatum = serializers.DateField()
    level = serializers.ChoiceField(choices=list(reporting.LEVELS))
    definition = serializers.ChoiceField(choices=CountDefinition.choices)
    definition_text = serializers.CharField()
    suppressed = serializers.BooleanField()
    threshold = serializers.IntegerField()
    rows = CountRowSerializer(many=True)


def _row_data(row: reporting.UnitRow, threshold: int) -> dict:
    return {
        "code": row.code,
        "name": row.name,
        "is_total": row.is_total,
        "counts": {
            column: (None if column in row.hidden else row.counts[column])
            for column in reporting.COUNT_COLUMNS
        },
        "suppressed_fields": sorted(row.hidden),
        "markers": {column: row.marker(column, threshold) for column in sorted(row.hidden)},
        "pupils": row.pupils,
        "per_1000_pupils": None if "per_1000_leerlingen" in row.hidden else row.per_1000,
    }


class CaseCountsView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "peildatum", OpenApiTypes.DATE, description="The peildatum (by default the latest)."
            ),
            OpenApiParameter(
                "level",
                OpenApiTypes.STR,
                enum=list(reporting.LEVELS),
                description="school, swv, gemeente or rmc.",
            ),
            OpenApiParameter(
                "definition",
                OpenApiTypes.STR,
                enum=CountDefinition.values,
                description="ocw or ocw_5a.",
            ),
        ],
        responses=CountReportSerializer,
        description=(
            "The quarterly count of thuiszitters per unit. Who may only see totals gets small "
            "numbers suppressed (null, named in suppressed_fields)."
        ),
    )
    def get(self, request):
        if not request.user.has_perm("cases.view_figures"):
            raise PermissionDenied(_("Je hebt geen rol waarmee je deze cijfers mag zien."))
        params = request.query_params
        try:
            peildatum = (
                datetime.date.fromisoformat(params["peildatum"])
                if params.get("peildatum")
                else reporting.latest_peildatum(timezone.localdate())
            )
        except ValueError:
            raise ValidationError({"peildatum": [_("Schrijf de datum als JJJJ-MM-DD.")]}) from None
        level = params.get("level", "gemeente")
        definition = params.get("definition", CountDefinition.OCW)
        if level not in reporting.LEVELS:
            raise ValidationError({"level": [_("Kies school, swv, gemeente of rmc.")]})
        if definition not in CountDefinition.values:
            raise ValidationError({"definition": [_("Kies ocw of ocw_5a.")]})
        report = reporting.build_report(
            peildatum=peildatum, level=level, definition=definition, user=request.user
        )
        data = {
            "peildatum": report.peildatum,
            "level": report.level,
            "definition": report.definition,
            "definition_text": report.definition_text,
            "suppressed": report.suppressed,
            "threshold": report.threshold,
            "rows": [_row_data(row, report.threshold) for row in report.all_rows],
        }
        return Response(CountReportSerializer(data).data)


# ------------------------------------------------------------------ reported counts


MAX_REPORTED_COUNT = 100_000


class ReportedCountSerializer(serializers.ModelSerializer):
    school = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Organisation.objects.schools(),
        help_text="BRIN6 van de schoolvestiging.",
    )
    municipality = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Region.objects.municipalities(),
        required=False,
        allow_null=True,
        help_text="Woongemeente (GM-code), als het aantal per woongemeente is opgegeven.",
    )
    # Declared rather than derived from the model: a derived PositiveIntegerField takes its
    # maximum from the database backend, which made the published schema differ between
    # SQLite and PostgreSQL. No school reports more pupils than this.
    count = serializers.IntegerField(
        label=gettext_lazy("Aantal"), min_value=0, max_value=MAX_REPORTED_COUNT
    )

    class Meta:
        model = ReportedCount
        fields = ["id", "reference_date", "school", "municipality", "count", "source", "updated_at"]
        read_only_fields = ["id", "source", "updated_at"]
        # A count reported again replaces the earlier one (services.report_count), so the
        # unique constraints are not validation errors here.
        validators: list = []

    def validate_reference_date(self, value):
        if value > timezone.localdate():
            raise ValidationError(_("De peildatum ligt in de toekomst."))
        return value


class ReportCounts(permissions.BasePermission):
    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS or request.method == "POST"


@extend_schema_view(
    list=extend_schema(
        description=(
            "The numbers of thuiszitters reported by the schools in the caller's area, by cursor."
        )
    ),
    create=extend_schema(
        description=(
            "A school (its contact person), the SWV or leerplicht reports the number of "
            "thuiszitters on a peildatum. The same number again changes nothing."
        )
    ),
)
class ReportedCountViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReportedCountSerializer
    permission_classes = [ReportCounts]
    # Grows with every peildatum: a cursor (decision 0045).
    pagination_class = KeysetPagination
    # Local columns, so that an index serves the order (not the joined code).
    keyset = ("-reference_date", "school_id", "pk")

    def get_queryset(self):
        scope = scope_of(self.request.user)
        queryset = ReportedCount.objects.select_related("school", "municipality").order_by(
            "-reference_date", "school_id", "pk"
        )
        if scope.is_superuser:
            return queryset
        return queryset.filter(
            Q(school_id__in=scope.school_ids)
            | Q(school__partnership_id__in=scope.partnership_ids)
            | Q(school__municipality_id__in=scope.full_region_ids)
        )

    def perform_create(self, serializer):
        data = serializer.validated_data
        if not self.request.user.has_perm("cases.report_for_school", data["school"]):
            raise PermissionDenied(_("Je mag voor deze school geen aantallen opgeven."))
        try:
            serializer.instance, _changed = services.report_count(
                actor=self.request.user,
                reference_date=data["reference_date"],
                school=data["school"],
                municipality=data.get("municipality"),
                count=data["count"],
                source="api",
            )
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "message_dict") else error.messages
            ) from None
