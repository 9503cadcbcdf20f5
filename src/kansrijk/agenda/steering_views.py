"""Steering pages beside the agenda: what reminders were sent (decision 0039). The
"deze maand" page itself lives in ``views`` with the other agenda pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from kansrijk.organisations.models import Membership, Role
from kansrijk.paging import keyset_page

from .models import SentReminder

REMINDERS_PER_PAGE = 50
# Who keeps the agenda of an organisation reads what was sent on its behalf.
REMINDER_READER_ROLES = (Role.POLICY_OFFICER, Role.ADMIN)


def reminder_organisations(user):
    """The organisations whose sent reminders ``user`` may read (ids, a subquery)."""
    return Membership.objects.filter(
        user=user, is_active=True, role__in=REMINDER_READER_ROLES
    ).values("organisation_id")


def can_see_reminders(user) -> bool:
    return user.is_authenticated and (user.is_superuser or reminder_organisations(user).exists())


@login_required
def sent_reminders(request):
    """What was sent, when and to whom, on behalf of my organisations (newest first)."""
    if not can_see_reminders(request.user):
        raise PermissionDenied
    reminders = SentReminder.objects.select_related("agenda", "organisation", "recipient")
    if not request.user.is_superuser:
        reminders = reminders.filter(organisation__in=reminder_organisations(request.user))
    # Every month adds reminders and none go away: keyset pages (decision 0044).
    page = keyset_page(request, reminders, ("-sent_at", "-pk"), per_page=REMINDERS_PER_PAGE)
    return render(request, "agenda/sent_reminders.html", {"page": page})
