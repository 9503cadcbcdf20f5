"""Named permission predicates. The same names are used in views, templates and the API."""

import rules

from .models import Membership, Role


@rules.predicate
def is_platform_admin(user) -> bool:
    return user.is_authenticated and user.is_superuser


@rules.predicate
def has_admin_role(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser
        or Membership.objects.filter(user=user, role=Role.ADMIN, is_active=True).exists()
    )


@rules.predicate
def can_view_organisation(user, organisation) -> bool:
    from .models import Organisation

    if organisation is None:
        return False
    return Organisation.objects.visible_to(user).filter(pk=organisation.pk).exists()


@rules.predicate
def is_admin_of_organisation(user, organisation) -> bool:
    if organisation is None:
        return user.is_authenticated and user.is_superuser
    return user.is_authenticated and (
        user.is_superuser
        or Membership.objects.filter(
            user=user, organisation=organisation, role=Role.ADMIN, is_active=True
        ).exists()
    )


rules.add_perm("organisations.view_organisation", can_view_organisation)
rules.add_perm("organisations.change_organisation", is_admin_of_organisation)
rules.add_perm("audit.view_auditevent", has_admin_role)
