"""The sociale kaart in the Django admin (/beheer/), for platform beheerders: to look
things up. Changes are made on the pages (or through the API and the imports), which call
the audited service functions; here the entries are read-only, with two audited actions
(approve, archive) that go through the same services."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import (
    Need,
    Participation,
    Provider,
    Reminder,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AreaInline(ReadOnlyInline):
    model = ServiceArea
    fields = ["region", "municipality"]


class LocationInline(ReadOnlyInline):
    model = ServiceAtLocation
    fields = ["location", "description"]


@admin.action(description=_("Goedkeuren en publiceren"))
def approve(modeladmin, request, queryset):
    _run(request, queryset, services.approve_service)


@admin.action(description=_("Archiveren"))
def archive(modeladmin, request, queryset):
    _run(request, queryset, services.archive_service)


def _run(request, queryset, function) -> None:
    done = 0
    for service in queryset:
        try:
            function(service, actor=request.user)
            done += 1
        except ValidationError as error:
            messages.error(request, f"{service}: {' '.join(error.messages)}")
    if done:
        messages.success(request, _("%(n)s aanbod bijgewerkt.") % {"n": done})


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["name", "provider", "status", "assured_date", "last_modified"]
    list_filter = ["status", "themes"]
    search_fields = ["name", "provider__name", "uuid"]
    list_select_related = ["provider"]
    inlines = [AreaInline, LocationInline]
    actions = [approve, archive]

    def has_change_permission(self, request, obj=None):
        # The actions need it; the form itself stays read-only (every field is).
        return request.user.is_superuser

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + ["themes", "audiences"]


@admin.register(Provider)
class ProviderAdmin(ReadOnlyAdmin):
    list_display = ["name", "organisation"]
    search_fields = ["name", "uuid"]


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = [
        "service",
        "period_label",
        "school",
        "region",
        "participants",
        "is_illustrative",
    ]
    list_filter = ["is_illustrative", "period_label"]
    list_select_related = ["service", "school", "region"]


@admin.register(Need)
class NeedAdmin(ReadOnlyAdmin):
    list_display = ["description", "theme", "municipality", "district", "school", "is_illustrative"]
    list_filter = ["theme", "is_illustrative"]
    list_select_related = ["theme", "municipality", "district", "school"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    list_display = ["service", "sent_at", "recipients"]


@admin.register(TaxonomyTerm)
class TaxonomyTermAdmin(ReadOnlyAdmin):
    list_display = ["name", "code", "taxonomy"]
    list_filter = ["taxonomy"]
