"""API of the sociale kaart: /api/v1/socialmap/services, /participation, /needs and
/taxonomy-terms.

Reading is public: without a key only published entries, and participation counts only
through the suppression of small numbers (``published_participants``: "<5"). Writing is
scoped: a member of a provider organisation (or its API key) creates entries for it and
changes them (``socialmap.change_service``), and enters participation counts for them;
every change goes through ``services`` and waits for the gemeente's approval like an
entry made on the pages. Approval is not in the API.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
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

from kansrijk.api.fields import BLANKABLE_URLS
from kansrijk.api.pagination import KeysetPagination
from kansrijk.indicators import suppression
from kansrijk.organisations.models import Organisation, Region

from . import services, taxonomy
from .disclosure import participation_mask
from .forms import parse_period
from .models import (
    Need,
    Participation,
    Provider,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from .queries import editing_organisation_ids
from .validators import LANGUAGES, normalise_url

MESSAGE_NOT_YOURS = gettext_lazy("Je mag alleen aanbod van je eigen organisatie bijhouden.")


def _django_error(error: DjangoValidationError) -> ValidationError:
    return ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class ProviderSerializer(serializers.ModelSerializer):
    serializer_field_mapping = BLANKABLE_URLS

    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = Provider
        fields = ["id", "name", "website"]
        read_only_fields = fields


class LocationSerializer(serializers.ModelSerializer):
    serializer_field_mapping = BLANKABLE_URLS

    id = serializers.UUIDField(source="uuid", read_only=True)
    name = serializers.CharField(source="location.name", read_only=True)
    address_1 = serializers.CharField(source="location.address_1", read_only=True)
    postal_code = serializers.CharField(source="location.postal_code", read_only=True)
    city = serializers.CharField(source="location.city", read_only=True)
    municipality = serializers.CharField(
        source="location.municipality.code", read_only=True, default=None, allow_null=True
    )
    school = serializers.CharField(
        source="location.school.code", read_only=True, default=None, allow_null=True
    )
    latitude = serializers.DecimalField(
        source="location.latitude", max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        source="location.longitude", max_digits=9, decimal_places=6, read_only=True, allow_null=True
    )

    class Meta:
        model = ServiceAtLocation
        fields = [
            "id",
            "name",
            "address_1",
            "postal_code",
            "city",
            "municipality",
            "school",
            "latitude",
            "longitude",
            "description",
        ]
        read_only_fields = fields


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class RegionCodes(serializers.Field):
    """The areas of an entry as region codes (a gemeente GM0556, or a wijk)."""

    def to_representation(self, value):
        return [area.region.code for area in value.all()]

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
            raise ValidationError(_("Geef een lijst met gemeente- of wijkcodes."))
        regions = {
            r.code: r
            for r in Region.objects.filter(code__in=data, kind__in=["municipality", "district"])
        }
        unknown = [code for code in data if code not in regions]
        if unknown:
            raise ValidationError(
                _("Onbekende gemeente of wijk: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return [regions[code] for code in dict.fromkeys(data)]


@extend_schema_field({"type": "array", "items": {"type": "string", "enum": sorted(LANGUAGES)}})
class LanguageCodes(serializers.Field):
    """The languages of an entry as ISO 639-1 codes."""

    def to_representation(self, value):
        return [language.code for language in value.all()]

    def to_internal_value(self, data):
        if not isinstance(data, list) or not all(isinstance(code, str) for code in data):
            raise ValidationError(_("Geef een lijst met taalcodes."))
        unknown = [code for code in data if code not in LANGUAGES]
        if unknown:
            raise ValidationError(
                _("Onbekende taalcode: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return list(dict.fromkeys(data))


class ServiceSerializer(serializers.ModelSerializer):
    """An entry. ``themes`` and ``audiences`` are term codes (see taxonomy-terms),
    ``service_areas`` region codes (GM0556, or a wijk), ``languages`` ISO 639-1 codes."""

    serializer_field_mapping = BLANKABLE_URLS

    id = serializers.UUIDField(source="uuid", read_only=True)
    # Null for an entry whose provider is not (yet) a known organisation.
    organization = ProviderSerializer(source="provider", read_only=True, allow_null=True)
    provider = serializers.UUIDField(
        write_only=True,
        required=False,
        help_text="On create: the id of the provider (organization). May be left out when "
        "the caller works for one organisation.",
    )
    themes = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=TaxonomyTerm.objects.none()
    )
    audiences = serializers.SlugRelatedField(
        slug_field="code", many=True, required=False, queryset=TaxonomyTerm.objects.none()
    )
    service_areas = RegionCodes(source="areas", required=False)
    languages = LanguageCodes(required=False)
    url = serializers.CharField(required=False, allow_blank=True, max_length=255)
    service_at_locations = LocationSerializer(many=True, read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "organization",
            "provider",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "alert",
            "minimum_age",
            "maximum_age",
            "minimum_group",
            "maximum_group",
            "eligibility_description",
            "requires_referral",
            "has_income_limit",
            "fees_description",
            "is_free",
            "accepts_jeugdfonds",
            "application_process",
            "themes",
            "audiences",
            "service_areas",
            "languages",
            "service_at_locations",
            "assured_date",
            "last_modified",
        ]
        read_only_fields = ["id", "status", "assured_date", "last_modified"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].child_relation.queryset = taxonomy.themes()
        self.fields["audiences"].child_relation.queryset = taxonomy.audiences()

    def validate_url(self, value):
        value = normalise_url(value)
        if value:
            serializers.URLField().run_validation(value)
        return value

    def validate(self, attrs):
        low, high = attrs.get("minimum_age"), attrs.get("maximum_age")
        if low is not None and high is not None and high < low:
            raise ValidationError(
                {"maximum_age": _("De leeftijd 'tot en met' ligt onder 'vanaf'.")}
            )
        low, high = attrs.get("minimum_group"), attrs.get("maximum_group")
        if low is not None and high is not None and high < low:
            raise ValidationError({"maximum_group": _("De groep 'tot en met' ligt onder 'vanaf'.")})
        return attrs


class ParticipationSerializer(serializers.ModelSerializer):
    service = serializers.SlugRelatedField(slug_field="uuid", queryset=Service.objects.none())
    period = serializers.CharField(
        max_length=40,
        source="period_label",
        help_text="A school year (2023/2024) or a calendar year (2023).",
    )
    school = serializers.SlugRelatedField(
        slug_field="code",
        required=False,
        allow_null=True,
        queryset=Organisation.objects.filter(kind="school_location"),
    )
    region = serializers.SlugRelatedField(
        slug_field="code",
        required=False,
        allow_null=True,
        queryset=Region.objects.filter(kind__in=["municipality", "district"]),
    )
    participants = serializers.IntegerField(
        min_value=0,
        allow_null=True,
        help_text="The count as entered; null for callers who only get the published count.",
    )
    published_participants = serializers.SerializerMethodField()

    class Meta:
        model = Participation
        fields = [
            "id",
            "service",
            "period",
            "period_start",
            "period_end",
            "school",
            "region",
            "participants",
            "published_participants",
            "is_illustrative",
        ]
        read_only_fields = ["id", "period_start", "period_end", "is_illustrative"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["service"].queryset = Service.objects.visible_to(request.user)

    def get_published_participants(self, row) -> str:
        """The count as it may be published: "<5" below the threshold, "." when it is
        hidden so that a small count cannot be worked out from a total
        (``socialmap.disclosure``)."""
        mask = self.context.get("mask")
        if mask is None:
            mask = participation_mask(periods={(row.period_start, row.period_end)})
        marker = mask.of_count(row) if row.service.status == "published" else ""
        return marker or suppression.publish_count(
            row.participants, threshold=suppression.default_threshold()
        )

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.service_id not in self.context.get("editable", set()):
            data["participants"] = None
        return data

    def validate(self, attrs):
        if attrs.get("participants") is None:
            raise ValidationError({"participants": _("Geef een aantal.")})
        if bool(attrs.get("school")) == bool(attrs.get("region")):
            raise ValidationError(_("Geef een school óf een wijk of gemeente."))
        try:
            attrs["period_start"], attrs["period_end"], attrs["period_label"] = parse_period(
                attrs["period_label"]
            )
        except DjangoValidationError as error:
            raise ValidationError({"period": error.messages}) from None
        return attrs


class NeedSerializer(serializers.ModelSerializer):
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    school = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    theme = serializers.SlugRelatedField(slug_field="code", read_only=True)
    has_offer = serializers.BooleanField(read_only=True)

    class Meta:
        model = Need
        fields = [
            "id",
            "municipality",
            "district",
            "school",
            "theme",
            "minimum_age",
            "maximum_age",
            "minimum_group",
            "maximum_group",
            "description",
            "period_label",
            "is_illustrative",
            "has_offer",
        ]
        read_only_fields = fields


class TaxonomyTermSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    taxonomy = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = TaxonomyTerm
        fields = ["id", "taxonomy", "code", "name", "description"]
        read_only_fields = fields


class EditOwnEntries(permissions.BasePermission):
    """Reads for everyone (the queryset scopes them); POST for a logged-in caller or key;
    PATCH for those who may change the entry."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.has_perm("socialmap.change_service", obj)


SEARCH_PARAMETERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description="Words in name, provider or description."),
    OpenApiParameter("age", OpenApiTypes.INT, description="An age in years within the range."),
    OpenApiParameter("group", OpenApiTypes.INT, description="A school group (1–8)."),
    OpenApiParameter("theme", OpenApiTypes.STR, description="A theme code (taxonomy-terms)."),
    OpenApiParameter("audience", OpenApiTypes.STR, description="An audience code."),
    OpenApiParameter("region", OpenApiTypes.STR, description="A gemeente or wijk code (GM0556)."),
]


def _integer(request, name, low, high):
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Geef een geheel getal.")]}) from None
    if not low <= value <= high:
        raise ValidationError(
            {
                name: [
                    _("Geef een getal van %(low)s tot en met %(high)s.")
                    % {"low": low, "high": high}
                ]
            }
        )
    return value


def _text(request, name) -> str:
    # Control characters never get here: kansrijk.input_guard refuses them at the door.
    return request.query_params.get(name, "")[:100]


@extend_schema_view(
    list=extend_schema(
        summary="Search the sociale kaart",
        description="Published entries for everyone; with a key also the entries its "
        "organisation maintains, whatever their status.",
        parameters=SEARCH_PARAMETERS,
    ),
    retrieve=extend_schema(summary="An entry of the sociale kaart"),
    create=extend_schema(
        summary="Add an entry (a concept)",
        description="For a member (or API key) of the provider organisation. The entry is a "
        "concept until it is submitted and a beleidsmedewerker of its gemeente approves it.",
    ),
    partial_update=extend_schema(
        summary="Change an entry",
        description="A change to a published entry by someone who may not approve it sends "
        "it back for approval.",
    ),
)
class ServiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ServiceSerializer
    permission_classes = [EditOwnEntries]
    lookup_field = "uuid"
    lookup_url_kwarg = "id"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Service.objects.none()
        queryset = Service.objects.visible_to(self.request.user)
        if self.action == "list":
            request = self.request
            region = _text(request, "region")
            region_ids = None
            if region:
                from .views import region_scope

                region_ids = region_scope(region) or set()
            queryset = queryset.search(
                text=_text(request, "q"),
                age=_integer(request, "age", 0, 120),
                group=_integer(request, "group", 1, 8),
                theme=_text(request, "theme"),
                audience=_text(request, "audience"),
                region_ids=region_ids,
            )
        return (
            queryset.select_related("provider")
            .prefetch_related(
                "themes",
                "audiences",
                "languages",
                "areas__region",
                "service_at_locations__location__municipality",
                "service_at_locations__location__school",
            )
            .order_by("name", "pk")
        )

    def _links(self, data):
        links = services.Links(
            themes=data.pop("themes", None),
            audiences=data.pop("audiences", None),
            areas=data.pop("areas", None),
            languages=data.pop("languages", None),
        )
        return links

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        user = self.request.user
        provider_id = data.pop("provider", None)
        if provider_id is not None:
            provider = Provider.objects.filter(uuid=provider_id).first()
            if provider is None or not user.has_perm("socialmap.add_service_for", provider):
                raise PermissionDenied(MESSAGE_NOT_YOURS)
        else:
            own = list(Organisation.objects.filter(pk__in=editing_organisation_ids(user)))
            if len(own) != 1:
                raise ValidationError({"provider": [_("Kies de aanbieder (provider).")]})
            provider = services.provider_for_organisation(own[0], actor=user)
        links = self._links(data)
        try:
            serializer.instance = services.create_service(
                actor=user, links=links, provider=provider, **data
            )
        except DjangoValidationError as error:
            raise _django_error(error) from None

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("provider", None)
        links = self._links(data)
        try:
            services.update_service(
                serializer.instance, actor=self.request.user, links=links, **data
            )
        except DjangoValidationError as error:
            raise _django_error(error) from None
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)


@extend_schema_view(
    list=extend_schema(
        summary="Participation counts",
        description="Counts per entry, period and school or wijk; `participants` only for "
        'those who maintain the entry, `published_participants` ("<5" when small) for '
        "everyone.",
        parameters=[OpenApiParameter("service", OpenApiTypes.UUID, description="An entry id.")],
    ),
    retrieve=extend_schema(summary="A participation count"),
    create=extend_schema(
        summary="Enter a participation count",
        description="For those who maintain the entry. The same service, period and school "
        "or wijk replaces the earlier count.",
    ),
)
class ParticipationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ParticipationSerializer
    permission_classes = [EditOwnEntries]
    # Grows with every period: a cursor (decision 0045), on local columns an index serves.
    pagination_class = KeysetPagination
    keyset = ("service_id", "period_start", "pk")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Participation.objects.none()
        visible = Service.objects.visible_to(self.request.user)
        queryset = Participation.objects.filter(service__in=visible.values("pk")).select_related(
            "service", "school", "region"
        )
        raw = _text(self.request, "service")
        if raw:
            queryset = queryset.filter(service__uuid__in=_uuids(raw))
        return queryset.order_by("service_id", "period_start", "pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["editable"] = (
            set(Service.objects.editable_by(user).values_list("pk", flat=True))
            if user.is_authenticated
            else set()
        )
        context["mask"] = getattr(self, "_mask", None)
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        rows = page if page is not None else []
        # One mask for the periods of the page, over every count of those periods.
        self._mask = participation_mask(periods={(r.period_start, r.period_end) for r in rows})
        return page

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if not self.request.user.has_perm("socialmap.change_service", data["service"]):
            raise PermissionDenied(MESSAGE_NOT_YOURS)
        try:
            serializer.instance, _changed = services.save_participation(
                actor=self.request.user, **data
            )
        except DjangoValidationError as error:
            raise _django_error(error) from None


def _uuids(raw: str) -> list[str]:
    import uuid

    try:
        return [str(uuid.UUID(raw))]
    except ValueError:
        raise ValidationError({"service": [_("Geef het id van een aanbod.")]}) from None


@extend_schema_view(
    list=extend_schema(
        summary="Needs (ondersteuningsbehoeften)",
        description="Per school, wijk or gemeente by theme and age, with `has_offer`: whether "
        "a published entry with that theme and age is offered in that area.",
        parameters=[
            OpenApiParameter("municipality", OpenApiTypes.STR, description="A gemeente code."),
            OpenApiParameter("without_offer", OpenApiTypes.BOOL, description="Only unmet needs."),
        ],
    ),
    retrieve=extend_schema(summary="A need"),
)
class NeedViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = NeedSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Need.objects.none()
        queryset = Need.objects.with_offer().select_related(
            "municipality", "district", "school", "theme"
        )
        if code := _text(self.request, "municipality"):
            queryset = queryset.filter(municipality__code=code)
        if self.request.query_params.get("without_offer") in ("true", "1"):
            queryset = queryset.filter(has_offer=False)
        return queryset.order_by("municipality__code", "pk")


@extend_schema_view(
    list=extend_schema(summary="Themes, audiences and features of the sociale kaart"),
    retrieve=extend_schema(summary="A taxonomy term"),
)
class TaxonomyTermViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaxonomyTermSerializer
    lookup_field = "uuid"
    lookup_url_kwarg = "id"

    def get_queryset(self):
        return TaxonomyTerm.objects.select_related("taxonomy").order_by(
            "taxonomy__code", "position", "pk"
        )
