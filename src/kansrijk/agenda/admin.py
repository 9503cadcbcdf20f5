"""The agenda in the Django admin (/beheer/), for platform beheerders.

Every save goes through ``services.save_item`` (or the specific service), so a change
made here has the same version history and audit record as one made on the agenda pages.
Nothing is deleted here: the agenda is a living document whose history must stay whole.
Rows that have no service of their own yet (involvements, progress notes, occurrences)
are shown read-only.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kansrijk import limits

from . import services
from .models import (
    Activity,
    Agenda,
    AgendaVersion,
    Commitment,
    CommitmentOccurrence,
    EducationPrize,
    EvaluationMoment,
    FundingLine,
    Goal,
    Intervention,
    Involvement,
    Nomination,
    ProgressNote,
    Spearhead,
    Theme,
)


class ServiceSavedAdmin(admin.ModelAdmin):
    """Saves through the audited service; never deletes."""

    def save_model(self, request, obj, form, change):
        services.save_item(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class InvolvementInline(ReadOnlyInline):
    model = Involvement
    fields = ["organisation", "party_name", "role"]
    readonly_fields = fields


class ProgressNoteInline(ReadOnlyInline):
    model = ProgressNote
    fields = ["date", "text", "is_milestone", "author"]
    readonly_fields = fields


class PlannedMonthsForm(forms.ModelForm):
    """The planned months as text ('2022-03, 2022-06'), saved by set_planned_months."""

    planned_months_text = forms.CharField(
        max_length=limits.NOTE,
        label=_("Geplande maanden"),
        required=False,
        help_text=_("JJJJ-MM, gescheiden door komma's, bijvoorbeeld '2022-03, 2022-06'."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            months = self.instance.planned_months.values_list("month", flat=True)
            self.fields["planned_months_text"].initial = ", ".join(
                f"{month:%Y-%m}" for month in months
            )

    def clean_planned_months_text(self) -> list[datetime.date]:
        months = []
        for part in self.cleaned_data["planned_months_text"].replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            try:
                year, month = (int(x) for x in part.split("-"))
                months.append(datetime.date(year, month, 1))
            except ValueError:
                raise forms.ValidationError(
                    _("'%(value)s' is geen maand: schrijf JJJJ-MM, bijvoorbeeld 2022-03."),
                    params={"value": part},
                ) from None
        return months


class PlannedItemAdmin(ServiceSavedAdmin):
    form = PlannedMonthsForm
    inlines = [InvolvementInline, ProgressNoteInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.set_planned_months(
            form.instance, form.cleaned_data["planned_months_text"], actor=request.user
        )


@admin.register(Agenda)
class AgendaAdmin(ServiceSavedAdmin):
    list_display = ["title", "kind", "status", "is_public", "period_start", "period_end"]
    list_filter = ["kind", "status", "is_public"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["owners", "region", "regions"]


class AgendaItemAdmin(ServiceSavedAdmin):
    list_select_related = ["agenda"]
    list_filter = ["agenda"]
    autocomplete_fields = ["agenda"]


@admin.register(Theme)
class ThemeAdmin(AgendaItemAdmin):
    list_display = ["title", "kind", "number", "agenda"]
    search_fields = ["title", "external_id"]


@admin.register(Spearhead)
class SpearheadAdmin(AgendaItemAdmin):
    list_display = ["title", "number", "priority", "agenda"]
    search_fields = ["title", "external_id"]


@admin.register(Goal)
class GoalAdmin(AgendaItemAdmin):
    list_display = ["__str__", "spearhead", "priority", "agenda"]
    search_fields = ["text", "external_id"]
    autocomplete_fields = ["agenda", "spearhead", "themes"]


@admin.register(Activity)
class ActivityAdmin(PlannedItemAdmin):
    list_display = ["title", "kind", "status", "progress", "goal", "agenda"]
    list_filter = ["agenda", "kind", "status"]
    list_select_related = ["agenda", "goal"]
    search_fields = ["title", "external_id"]
    autocomplete_fields = ["agenda", "goal", "parent"]


@admin.register(Intervention)
class InterventionAdmin(PlannedItemAdmin):
    list_display = ["name", "status", "progress", "agenda"]
    list_filter = ["agenda", "status"]
    list_select_related = ["agenda"]
    search_fields = ["name", "external_id"]
    autocomplete_fields = ["agenda", "goals", "locations"]


@admin.register(FundingLine)
class FundingLineAdmin(ServiceSavedAdmin):
    list_display = [
        "external_id",
        "intervention",
        "activity",
        "year",
        "source",
        "planned_amount",
        "realised_amount",
        "is_estimate",
    ]
    list_filter = ["year", "source", "is_estimate"]
    list_select_related = ["intervention", "activity"]
    search_fields = ["external_id", "intervention__name", "activity__title"]
    autocomplete_fields = ["intervention", "activity"]


@admin.register(EvaluationMoment)
class EvaluationMomentAdmin(AgendaItemAdmin):
    list_display = ["description", "month", "done_on", "agenda"]
    search_fields = ["description", "external_id"]
    autocomplete_fields = ["agenda", "intervention"]


class CommitmentOccurrenceInline(ReadOnlyInline):
    model = CommitmentOccurrence
    fields = ["date", "note", "recorded_by"]
    readonly_fields = fields


@admin.register(Commitment)
class CommitmentAdmin(AgendaItemAdmin):
    list_display = ["text", "owner", "times_per_year", "at_least", "agenda"]
    search_fields = ["text", "external_id"]
    autocomplete_fields = ["agenda", "owner"]
    inlines = [CommitmentOccurrenceInline]


class PrizeForm(forms.ModelForm):
    class Meta:
        model = EducationPrize
        fields = [
            "agenda",
            "organiser",
            "name",
            "year",
            "cycle_years",
            "nominations_from",
            "nominations_until",
            "nominations_open",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The audit record of a prize names the agenda's owner: a prize needs its agenda.
        self.fields["agenda"].required = True


@admin.register(EducationPrize)
class EducationPrizeAdmin(ServiceSavedAdmin):
    form = PrizeForm
    list_display = [
        "name",
        "year",
        "organiser",
        "nominations_from",
        "nominations_until",
        "nominations_open",
        "agenda",
    ]
    list_filter = ["year", "nominations_open"]
    search_fields = ["name"]
    autocomplete_fields = ["agenda", "organiser"]


@admin.register(Nomination)
class NominationAdmin(admin.ModelAdmin):
    """Nominations come in through the public form; here only their status changes."""

    list_display = ["nominee", "category", "status", "prize", "submitted_at"]
    list_filter = ["prize", "category", "status"]
    list_select_related = ["prize"]
    search_fields = ["nominee", "submitted_by"]
    readonly_fields = [
        "prize",
        "category",
        "nominee",
        "motivation",
        "submitted_by",
        "co_signers",
        "submitted_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        current = Nomination.objects.get(pk=obj.pk)
        if current.status != obj.status:
            services.set_nomination_status(current, actor=request.user, status=obj.status)


@admin.register(AgendaVersion)
class AgendaVersionAdmin(admin.ModelAdmin):
    """Frozen versions: to read, never to change."""

    list_display = ["agenda", "number", "label", "created_at", "created_by"]
    list_filter = ["agenda"]
    list_select_related = ["agenda", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
