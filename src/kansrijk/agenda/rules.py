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


@rules.predicate
def can_start_agenda(user) -> bool:
    """A beleidsmedewerker or beheerder of some organisation starts agendas it owns."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or (
        Membership.objects.filter(
            user=user, is_active=True, role__in=[Role.POLICY_OFFICER, Role.ADMIN]
        ).exists()
    )


@rules.predicate
def leads_an_item_of(user, agenda) -> bool:
    """The voortrekker of at least one activity or intervention of ``agenda``."""
    if agenda is None or not user.is_authenticated:
        return False
    from .models import Involvement

    mine = (
        Membership.objects.filter(user=user, is_active=True)
        .exclude(role=Role.READER)
        .values("organisation_id")
    )
    leads = Involvement.objects.filter(role="lead", organisation_id__in=mine)
    return (
        leads.filter(activity__agenda=agenda).exists()
        or leads.filter(intervention__agenda=agenda).exists()
    )


@rules.predicate
def can_change_item(user, item) -> bool:
    """Editors of the agenda change every item; a partner changes what it leads (a funding
    line belongs to the activity or intervention it pays for)."""
    if item is None:
        return False
    from .models import Activity, FundingLine, Intervention

    if isinstance(item, FundingLine):
        item = item.activity or item.intervention
    if can_edit_item_agenda(user, item):
        return True
    return isinstance(item, Activity | Intervention) and leads_item(user, item)


rules.add_perm("agenda.start_agenda", can_start_agenda)
rules.add_perm("agenda.write_agenda", can_edit_agenda | leads_an_item_of)
rules.add_perm("agenda.change_item", can_change_item)

rules.add_perm("agenda.view_agenda", can_view_agenda)
rules.add_perm("agenda.change_agenda", can_edit_agenda)
rules.add_perm("agenda.update_progress", can_update_progress)
