from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the admin offers no way to add, change or delete an audit record."""

    list_display = [
        "created_at",
        "sequence",
        "actor_display",
        "action",
        "target_type",
        "target_display",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_display", "action", "target_display"]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}
