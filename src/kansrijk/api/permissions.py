"""Who may do what through the API.

Reading needs no permission class: every queryset is scoped with
``Agenda.objects.visible_to(user)``, so what a caller may not see answers 404, the same
as what does not exist. Writing is limited to status and progress of activities and
interventions, under the agenda's own predicate ``agenda.update_progress``.
"""

import rules
from rest_framework import permissions

from kansrijk.agenda.rules import can_edit_item_agenda
from kansrijk.organisations.models import Membership, Role


class ReadOnly(permissions.BasePermission):
    """The default for every endpoint: GET, HEAD and OPTIONS only. A method the view does
    not offer at all passes here, so that it is answered 405, not 403."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or not hasattr(
            view, request.method.lower()
        )


@rules.predicate
def leads_item_in_working_role(user, item) -> bool:
    """A member of the voortrekker organisation in a role that does the work: a lezer
    (reader) of that organisation reads, but does not report progress."""
    if item is None or not user.is_authenticated:
        return False
    lead_ids = (
        item.involvements.filter(role="lead").exclude(organisation=None).values("organisation_id")
    )
    return (
        Membership.objects.filter(user=user, is_active=True, organisation_id__in=lead_ids)
        .exclude(role=Role.READER)
        .exists()
    )


# agenda.update_progress (kansrijk.agenda.rules) lets any member of the lead organisation
# through; the API narrows it to members who are not only lezer.
may_report_progress = can_edit_item_agenda | leads_item_in_working_role


class UpdateProgress(permissions.BasePermission):
    """Reads for everyone (scoped by the queryset); PATCH of status and progress for the
    voortrekker organisation of the item and the editors of its agenda."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return user.has_perm("agenda.update_progress", obj) and may_report_progress(user, obj)
