"""Project-level pages: the home page per role and the accessibility statement."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .context_processors import can_open_admin
from .home import home_sections


@login_required
def home(request):
    sections = home_sections(
        request.user, timezone.localdate(), admin_access=can_open_admin(request)
    )
    return render(request, "home.html", {"sections": sections})


def accessibility_statement(request):
    return render(request, "accessibility_statement.html")
