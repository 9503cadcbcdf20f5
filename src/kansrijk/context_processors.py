from django.conf import settings
from django.contrib import admin


def can_open_admin(request) -> bool:
    """The admin site's own check (``AdminSite.has_permission``: active and staff), so a
    link to Beheer appears exactly when the admin will open for the user."""
    return hasattr(request, "user") and admin.site.has_permission(request)


def kansrijk(request):
    return {"DEBUG": settings.DEBUG, "can_open_admin": can_open_admin(request)}
