"""Named permission predicates of the monitor."""

import rules

from kansrijk.organisations.models import Membership, Role


@rules.predicate
def can_view_indicator(user, indicator) -> bool:
    from .models import Indicator

    return (
        indicator is not None
        and Indicator.objects.visible_to(user).filter(pk=indicator.pk).exists()
    )


@rules.predicate
def can_edit_indicator(user, indicator) -> bool:
    """Beleidsmedewerkers and beheerders of the owner edit the definition and approve."""
    if indicator is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return indicator.owner_id in Membership.objects.organisation_ids_of(
        user, [Role.POLICY_OFFICER, Role.ADMIN]
    )


@rules.predicate
def can_submit_for_organisation(user, organisation) -> bool:
    """Partners (and every role but lezer) submit figures for their own organisation."""
    if organisation is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return organisation.pk in Membership.objects.organisation_ids_of(
        user, [r for r in Role.values if r != Role.READER]
    )


@rules.predicate
def can_approve_figures(user) -> bool:
    """Has an approval queue: approves the figures of at least one indicator. The queue,
    the menu and the home page ask this one question."""
    from .models import Indicator

    return Indicator.objects.approvable_by(user).exists()


rules.add_perm("indicators.view_indicator", can_view_indicator)
rules.add_perm("indicators.change_indicator", can_edit_indicator)
rules.add_perm("indicators.approve_measurement", can_edit_indicator)
rules.add_perm("indicators.approve_figures", can_approve_figures)
rules.add_perm("indicators.submit_measurement", can_submit_for_organisation)
