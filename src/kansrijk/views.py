"""Project-level pages: the home page per role and the accessibility statement."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .home import home_sections


@login_required
def home(request):
    sections = home_sections(request.user, timezone.localdate())
    return render(request, "home.html", {"sections": sections})


def accessibility_statement(request):
    return render(request, "accessibility_statement.html")
