"""API keys in the admin (/beheer/): read-only, for platform beheerders only.

A key is made with ``kansrijk create_api_token`` (the plaintext is printed once); the
admin shows who has which key and when it was last used, and can revoke keys.
"""

from django.contrib import admin

from . import services
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "organisation__name", "organisation__code", "prefix"]
    list_select_related = ["organisation"]
    fields = [
        "organisation",
        "name",
        "prefix",
        "user",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="API-sleutels intrekken")
    def revoke(self, request, queryset):
        for token in queryset.filter(revoked_at__isnull=True):
            services.revoke_api_token(token, actor=request.user)
