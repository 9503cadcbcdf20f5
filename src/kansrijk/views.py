"""Project-level pages: the home page per role and the accessibility statement."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    return render(request, "home.html", {})


def accessibility_statement(request):
    return render(request, "accessibility_statement.html")
