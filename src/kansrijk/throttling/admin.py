from django.contrib import admin

from .models import ThrottleCounter


@admin.register(ThrottleCounter)
class ThrottleCounterAdmin(admin.ModelAdmin):
    """Deleting a counter lifts its limit at once (docs/operations.md); the key is a hash,
    so a counter is found by its limit and its time, not by address or user name."""

    list_display = ["limit_name", "count", "window_start", "expires_at"]
    list_filter = ["limit_name"]
    ordering = ["-window_start"]
    readonly_fields = ["limit_name", "key_hash", "window_start", "expires_at", "count"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
