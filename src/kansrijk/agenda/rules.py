"""Named permission predicates of the agenda (used in views, templates and the API)."""

import rules

from kansrijk.organisations.models import Membership, Role


@rules.predicate
def can_view_agenda(user, agenda) -> bool:
    from .models import Agenda

    return agenda is not None and Agenda.objects.visible_to(user).filter(pk=agenda.pk).exists()


@rules.predicate
def can_edit_agenda(user, agenda) -> bool:
    from .models import Agenda

    return agenda is not None and Agenda.objects.editable_by(user).filter(pk=agenda.pk).exists()


@rules.predicate
def leads_item(user, item) -> bool:
    """A member of the voortrekker organisation of an activity or intervention (a lezer
    of that organisation reads, and does not update)."""
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


@rules.predicate
def can_edit_item_agenda(user, item) -> bool:
    return item is not None and can_edit_agenda(user, item.agenda)


can_update_progress = can_edit_item_agenda | leads_item

rules.add_perm("agenda.view_agenda", can_view_agenda)
rules.add_perm("agenda.change_agenda", can_edit_agenda)
rules.add_perm("agenda.update_progress", can_update_progress)
