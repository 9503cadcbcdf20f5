"""JSON shapes of the agenda for partner systems.

Field names are the English model names; values of choice fields are the stable codes
(``planned``), with the Dutch labels (``gepland``) listed in the schema. Relations are
numeric ids; every node also carries its ``external_id``, stable across exports and
imports, and the slug of its agenda. Money is a decimal string in euros.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.models import (
    Activity,
    Agenda,
    Commitment,
    EvaluationMoment,
    FundingLine,
    FundingSource,
    Goal,
    Intervention,
    Involvement,
    ProgressNote,
    Spearhead,
    Theme,
    WorkStatus,
)
from kansrijk.organisations.models import Organisation

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "pattern": MONTH_PATTERN, "example": "2022-09"},
        "description": "Planned months (geplande maanden) as YYYY-MM, in order.",
    }
)
class PlannedMonthsField(serializers.Field):
    """The months an activity or intervention is planned in, from prefetched rows."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "planned_months")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return [f"{row.month:%Y-%m}" for row in value.all()]


# Every model field read-only: the API changes data only through ProgressUpdateSerializer.
# Read-only fields also drop the database's integer ranges from the schema, which differ
# between SQLite and PostgreSQL. (A comment, not a docstring: drf-spectacular would copy
# a docstring into every subclass's schema.)
class ReadOnlyModelSerializer(serializers.ModelSerializer):
    def get_extra_kwargs(self):
        extra_kwargs = super().get_extra_kwargs()
        for name in self.Meta.fields:
            extra_kwargs[name] = {**extra_kwargs.get(name, {}), "read_only": True}
        return extra_kwargs


class OrganisationReferenceSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "code", "kind"]


class InvolvementSerializer(ReadOnlyModelSerializer):
    organisation = OrganisationReferenceSerializer(
        read_only=True,
        allow_null=True,
        help_text="The organisation, or null when the party is only named (party_name).",
    )
    person_name = serializers.SerializerMethodField(
        help_text=(
            "The person of the organisation who carries the role (voortrekker, partner, "
            "financier), by full name; empty when the role lies with the organisation."
        )
    )

    class Meta:
        model = Involvement
        fields = ["organisation", "person_name", "party_name", "role"]

    def get_person_name(self, involvement) -> str:
        # The full name only: a username is a login name and stays out of the API.
        return involvement.person.get_full_name() if involvement.person_id else ""


class ProgressNoteSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = ProgressNote
        fields = ["date", "text", "is_milestone"]


class ThemeSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Theme
        fields = [
            "id",
            "external_id",
            "position",
            "kind",
            "number",
            "title",
            "background",
            "sources",
        ]


@extend_schema_field({"type": "string", "pattern": MONTH_PATTERN, "example": "2022-09"})
class MonthField(serializers.DateField):
    """A date shown as its month (YYYY-MM): the schema says so, not "a date"."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class EvaluationMomentSerializer(ReadOnlyModelSerializer):
    month = MonthField(read_only=True, help_text="YYYY-MM")

    class Meta:
        model = EvaluationMoment
        fields = [
            "id",
            "external_id",
            "intervention",
            "month",
            "planned_text",
            "description",
            "done_on",
        ]


class CommitmentSerializer(ReadOnlyModelSerializer):
    owner = OrganisationReferenceSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Commitment
        fields = ["id", "external_id", "text", "owner", "times_per_year", "at_least"]


class AgendaSerializer(ReadOnlyModelSerializer):
    owners = OrganisationReferenceSerializer(many=True, read_only=True)
    region = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Main region code."
    )
    regions = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        read_only=True,
        help_text="Codes of the gemeenten and districts the agenda covers.",
    )

    class Meta:
        model = Agenda
        fields = [
            "slug",
            "title",
            "subtitle",
            "kind",
            "status",
            "period_start",
            "period_end",
            "adopted_on",
            "adopted_by",
            "is_public",
            "owners",
            "region",
            "regions",
        ]


class AgendaDetailSerializer(AgendaSerializer):
    themes = ThemeSerializer(many=True, read_only=True)
    evaluation_moments = EvaluationMomentSerializer(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta(AgendaSerializer.Meta):
        fields = [
            *AgendaSerializer.Meta.fields,
            "vision",
            "introduction",
            "source",
            "themes",
            "evaluation_moments",
            "commitments",
        ]


class FundingTotalSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    source = serializers.ChoiceField(choices=FundingSource.choices)
    planned_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    realised_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    lines = serializers.IntegerField(help_text="Number of funding lines in this total.")
    estimated_lines = serializers.IntegerField(
        help_text="How many of those lines are estimates ('circa')."
    )


class AgendaItemSerializer(ReadOnlyModelSerializer):
    agenda = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, help_text="Slug of the agenda."
    )


class SpearheadSerializer(AgendaItemSerializer):
    goals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Spearhead
        fields = [
            "id",
            "external_id",
            "agenda",
            "position",
            "number",
            "title",
            "description",
            "intended_result",
            "priority",
            "goals",
        ]


class GoalSerializer(AgendaItemSerializer):
    themes = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id",
            "external_id",
            "agenda",
            "position",
            "spearhead",
            "number",
            "text",
            "indicator_text",
            "priority",
            "themes",
        ]


PROGRESS_HELP = "Progress (voortgang) in percent, 0 to 100; null when not reported."


class ActivitySerializer(AgendaItemSerializer):
    months = PlannedMonthsField()
    progress = serializers.IntegerField(
        read_only=True, allow_null=True, min_value=0, max_value=100, help_text=PROGRESS_HELP
    )
    rolled_up_progress = serializers.SerializerMethodField(
        help_text=(
            "Progress in percent: the mean of the children's progress (cancelled children "
            "left out), or the activity's own progress when it has no children."
        )
    )
    involvements = InvolvementSerializer(many=True, read_only=True)
    progress_notes = ProgressNoteSerializer(many=True, read_only=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "external_id",
            "agenda",
            "position",
            "goal",
            "parent",
            "kind",
            "title",
            "description",
            "planned_text",
            "months",
            "status",
            "progress",
            "rolled_up_progress",
            "involvements",
            "progress_notes",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=0, max_value=100))
    def get_rolled_up_progress(self, activity) -> int | None:
        return agenda_services.rolled_up_progress(activity, children=activity.children.all())


class InterventionSerializer(AgendaItemSerializer):
    goals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    locations = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Region codes (gemeente, wijk)."
    )
    months = PlannedMonthsField()
    progress = serializers.IntegerField(
        read_only=True, allow_null=True, min_value=0, max_value=100, help_text=PROGRESS_HELP
    )
    involvements = InvolvementSerializer(many=True, read_only=True)
    progress_notes = ProgressNoteSerializer(many=True, read_only=True)
    planned_total = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="Sum of the planned amounts of the intervention's funding lines.",
    )
    realised_total = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Sum of the realised amounts (null while nothing is realised).",
    )

    class Meta:
        model = Intervention
        fields = [
            "id",
            "external_id",
            "agenda",
            "position",
            "goals",
            "name",
            "parties_text",
            "planning_text",
            "goal_text",
            "target_group",
            "age_min",
            "age_max",
            "location_text",
            "locations",
            "activities_text",
            "monitoring_text",
            "financing_text",
            "online_information",
            "contact",
            "months",
            "status",
            "progress",
            "involvements",
            "progress_notes",
            "planned_total",
            "realised_total",
        ]


class FundingLineSerializer(ReadOnlyModelSerializer):
    agenda = serializers.CharField(
        source="agenda_slug", read_only=True, help_text="Slug of the agenda."
    )
    payer = OrganisationReferenceSerializer(
        read_only=True,
        allow_null=True,
        help_text=(
            "The organisation that pays this amount; null when the agenda does not say "
            "which organisation pays (the notes say why)."
        ),
    )

    class Meta:
        model = FundingLine
        fields = [
            "id",
            "external_id",
            "agenda",
            "intervention",
            "activity",
            "year",
            "source",
            "payer",
            "unit_amount",
            "unit",
            "quantity",
            "share",
            "planned_amount",
            "realised_amount",
            "is_estimate",
            "notes",
        ]


class ProgressUpdateSerializer(serializers.Serializer):
    """What a voortrekker reports: status, progress and what happened."""

    status = serializers.ChoiceField(choices=WorkStatus.choices, required=False)
    progress = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=100,
        help_text="Progress in percent, 0 to 100.",
        error_messages={
            "min_value": _("Voortgang is een percentage van 0 tot en met 100."),
            "max_value": _("Voortgang is een percentage van 0 tot en met 100."),
            "invalid": _("Voortgang is een geheel getal van 0 tot en met 100."),
        },
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text="A progress note (voortgangsnotitie), kept with the date.",
    )
    is_milestone = serializers.BooleanField(
        required=False, default=False, help_text="Mark the note as a milestone (mijlpaal)."
    )
    date = serializers.DateField(required=False, help_text="Date of the note; today when left out.")

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [
                            _(
                                "Dit veld kan niet via de API worden gewijzigd; alleen status, "
                                "progress, note, is_milestone en date."
                            )
                        ]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)

    def validate(self, attrs):
        if "status" not in attrs and "progress" not in attrs and not attrs.get("note"):
            raise serializers.ValidationError(
                _("Geef ten minste een status, een voortgang of een notitie.")
            )
        return attrs
