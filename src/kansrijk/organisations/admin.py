"""The Django admin (/beheer/) for platform beheerders.

Changes made here go through the same service functions as everywhere else, so they are
audited the same way. Memberships are ended, never deleted: the trail must keep them.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Membership, Organisation, Region, RegionMembership, RegionSuccession, User


class RegionMembershipInline(admin.TabularInline):
    model = RegionMembership
    fk_name = "child"
    extra = 0
    autocomplete_fields = ["parent"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "valid_from", "valid_to", "review_note"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    inlines = [RegionMembershipInline]
    readonly_fields = ["herindelingen"]

    @admin.display(description=_("herindelingen"))
    def herindelingen(self, obj):
        """The mergers come from the reference data (``load_reference_data``), which audits
        them; the admin shows them and does not edit them."""
        if obj is None or obj.pk is None:
            return "–"
        lines = [
            f"{s.date:%d-%m-%Y}: {s.predecessor} → {s.successor}"
            + ("" if s.whole else f" ({_('deels')})")
            for s in RegionSuccession.objects.filter(
                Q(predecessor=obj) | Q(successor=obj)
            ).select_related("predecessor", "successor")
        ]
        return "; ".join(lines) or "–"

    def save_model(self, request, obj, form, change):
        services.save_region(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "municipality", "partnership", "pupil_count"]
    list_filter = ["kind", "sector"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "municipality", "partnership", "served_regions"]
    list_select_related = ["municipality", "partnership"]

    def save_model(self, request, obj, form, change):
        fields = dict(form.cleaned_data)
        if change:
            # A fresh copy: the form has already written the new values onto ``obj``,
            # and the audit record needs the values as they were.
            services.update_organisation(
                Organisation.objects.get(pk=obj.pk), actor=request.user, **fields
            )
        else:
            created = services.create_organisation(actor=request.user, **fields)
            obj.pk = created.pk
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # served_regions was saved by the service, inside its audited transaction.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    actions = ["end_memberships"]

    def get_readonly_fields(self, request, obj=None):
        # A membership is a fact in the audit trail: to change a role, end the membership
        # and add a new one. Only "actief" can be switched on an existing one.
        return ["user", "organisation", "role", "created_at"] if obj else ["created_at"]

    def save_model(self, request, obj, form, change):
        current = Membership.objects.get(pk=obj.pk) if change else None
        if current is not None and current.is_active and not obj.is_active:
            services.end_membership(current, actor=request.user)
        elif current is None or (obj.is_active and not current.is_active):
            created = services.add_membership(
                actor=request.user, user=obj.user, organisation=obj.organisation, role=obj.role
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Lidmaatschappen beëindigen")
    def end_memberships(self, request, queryset):
        for membership in queryset.filter(is_active=True):
            services.end_membership(membership, actor=request.user)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    def save_model(self, request, obj, form, change):
        services.save_user(obj, actor=request.user)

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, not deleted: the audit trail refers to them.
        return False
