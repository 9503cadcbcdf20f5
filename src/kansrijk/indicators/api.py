"""API of the monitor: /api/v1/indicators, /api/v1/targets, /api/v1/measurements.

Reading is scoped by ``Indicator.objects.visible_to``. An anonymous caller only gets
published measurements. Whoever is not entitled to the detail gets every figure through
the disclosure boundary (``disclosure.Disclosure``): the numbers that may be published,
``published_value``/``_numerator``/``_denominator`` as text, and in ``suppression`` the
marker of a hidden figure ("<5", or "." for one hidden to protect a small one). An
authenticated partner may POST a measurement for an organisation they may submit for
(``indicators.submit_measurement``); it is stored as "ingediend" through
``services.submit_measurement`` and published only after a beleidsmedewerker approves it
(approval is not in the API).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from kansrijk.api.fields import BLANKABLE_URLS
from kansrijk.api.pagination import KeysetPagination
from kansrijk.organisations.models import Membership, Organisation

from . import services
from .disclosure import Disclosure
from .importing import COMPUTED_IS_NOT_ENTERED
from .models import Indicator, Measurement, SourceKind, Target


class IndicatorSerializer(serializers.ModelSerializer):
    serializer_field_mapping = BLANKABLE_URLS

    # Null for the national indicators no organisation owns.
    owner = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Indicator
        fields = [
            "code",
            "name",
            "definition",
            "unit",
            "polarity",
            "numerator_definition",
            "denominator_definition",
            "period_type",
            "breakdown_levels",
            "source_kind",
            "source_name",
            "source_url",
            "owner",
            "is_public",
            "suppression_threshold",
            "decimals",
        ]
        read_only_fields = fields


class TargetSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Target
        fields = ["id", "indicator", "region", "organisation", "date", "period_label", "value"]
        read_only_fields = fields


class MeasurementSerializer(serializers.ModelSerializer):
    indicator = serializers.SlugRelatedField(slug_field="code", queryset=Indicator.objects.none())
    # Null in an answer: a figure of a region (the country, a gemeente) has no
    # organisation, one of an organisation no region. A partner still names its own.
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), allow_null=True
    )
    region = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    published_value = serializers.SerializerMethodField()
    published_numerator = serializers.SerializerMethodField()
    published_denominator = serializers.SerializerMethodField()
    suppression = serializers.SerializerMethodField()

    class Meta:
        model = Measurement
        fields = [
            "id",
            "indicator",
            "region",
            "organisation",
            "period_start",
            "period_end",
            "period_label",
            "breakdown_key",
            "breakdown_value",
            "value",
            "numerator",
            "denominator",
            "published_value",
            "published_numerator",
            "published_denominator",
            "suppression",
            "is_final",
            "story",
            "source",
            "is_generated",
            "approval",
            "computed_at",
        ]
        read_only_fields = ["id", "region", "is_generated", "approval", "computed_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["indicator"].queryset = Indicator.objects.visible_to(request.user)

    def _figure(self, measurement):
        disclosure = self.context.get("disclosure")
        if disclosure is None:
            request = self.context.get("request")
            disclosure = self.context["disclosure"] = Disclosure(
                request.user if request is not None else None,
                public=request is None,
            )
        return disclosure.figure(measurement)

    def get_published_value(self, measurement) -> str:
        """The figure as it may be published: "<5" for a small count, "." for a figure
        hidden to protect one (docs/small-numbers.md)."""
        return self._figure(measurement).value.text

    def get_published_numerator(self, measurement) -> str:
        return self._figure(measurement).numerator.text

    def get_published_denominator(self, measurement) -> str:
        return self._figure(measurement).denominator.text

    def get_suppression(self, measurement) -> str:
        """Empty when the figure is shown; otherwise its marker ("<5" or ".")."""
        return self._figure(measurement).value.marker

    def to_representation(self, instance):
        data = super().to_representation(instance)
        figure = self._figure(instance)
        if not figure.detail:
            # Not entitled to the detail: the numbers that may be published, nothing else.
            decimal = serializers.DecimalField(max_digits=14, decimal_places=4)
            for name, part in (
                ("value", figure.value if instance.value is not None else None),
                ("numerator", figure.numerator),
                ("denominator", figure.denominator),
            ):
                number = part.number if part is not None else None
                data[name] = decimal.to_representation(number) if number is not None else None
            data["story"] = figure.story
        return data

    def validate_organisation(self, organisation):
        if organisation is None:
            raise ValidationError(_("Noem de organisatie waarvoor je meet."))
        return organisation

    def validate(self, attrs):
        if attrs["indicator"].source_kind == SourceKind.COMPUTED:
            raise ValidationError(
                {"indicator": str(COMPUTED_IS_NOT_ENTERED % {"code": attrs["indicator"].code})}
            )
        numerator, denominator = attrs.get("numerator"), attrs.get("denominator")
        if attrs.get("value") is None and (numerator is None or denominator is None):
            raise ValidationError("Geef een waarde, of teller en noemer.")
        if denominator is not None and denominator <= 0:
            raise ValidationError({"denominator": "De noemer moet groter zijn dan 0."})
        if numerator is not None and denominator is not None and numerator > denominator:
            raise ValidationError({"numerator": "De teller is groter dan de noemer."})
        if attrs["period_end"] < attrs["period_start"]:
            raise ValidationError({"period_end": "Het einde ligt voor het begin."})
        return attrs


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    lookup_field = "code"

    def get_queryset(self):
        return Indicator.objects.visible_to(self.request.user).select_related("owner")


class TargetViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TargetSerializer

    def get_queryset(self):
        queryset = Target.objects.filter(
            indicator__in=Indicator.objects.visible_to(self.request.user)
        ).select_related("indicator", "region", "organisation")
        code = self.request.query_params.get("indicator")
        return queryset.filter(indicator__code=code) if code else queryset.order_by("pk")


class SubmitOwnScope(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.method == "POST" and request.user.is_authenticated


class MeasurementViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = MeasurementSerializer
    permission_classes = [SubmitOwnScope]
    # Grows with every period: a cursor (decision 0045).
    pagination_class = KeysetPagination
    # Local columns, so that the index on (indicator, period_start, ...) serves the order,
    # not a sort on the joined code.
    keyset = ("indicator_id", "period_start", "pk")

    def get_queryset(self):
        user = self.request.user
        queryset = Measurement.objects.filter(
            indicator__in=Indicator.objects.visible_to(user)
        ).select_related("indicator", "region", "organisation")
        if not user.is_authenticated:
            queryset = queryset.published()
        elif not user.is_superuser:
            # Members see approved figures, and the ones their own organisations submitted.
            own = Membership.objects.filter(user=user, is_active=True).values("organisation")
            queryset = queryset.filter(approval="approved") | queryset.filter(organisation__in=own)
        code = self.request.query_params.get("indicator")
        if code:
            queryset = queryset.filter(indicator__code=code)
        return queryset.order_by("indicator_id", "period_start", "pk")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["disclosure"] = self.disclosure
        return context

    @property
    def disclosure(self) -> Disclosure:
        if not hasattr(self, "_disclosure"):
            self._disclosure = Disclosure(self.request.user)
        return self._disclosure

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.disclosure.figures(page)  # the masks of the whole page in one query
        return page

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if not self.request.user.has_perm("indicators.submit_measurement", data["organisation"]):
            raise PermissionDenied("Je mag alleen cijfers aanleveren voor je eigen organisatie.")
        try:
            serializer.instance = services.submit_measurement(
                actor=self.request.user, approve=False, **data
            )
        except DjangoValidationError as error:
            raise ValidationError(
                error.message_dict if hasattr(error, "message_dict") else error.messages
            ) from None
