"""Named permission predicates of the sociale kaart (views, templates and the API use the
same names).

- ``can_view_service``: published entries for everyone; the rest for those who maintain
  or approve them.
- ``can_edit_service``: members of the provider organisation in any role but lezer (a
  partner keeps the partner's own entries up to date), and the approvers.
- ``can_approve_service``: a beleidsmedewerker (or beheerder) of a gemeente in which the
  entry is offered. An entry for no gemeente is approved by a platform beheerder only.
- ``can_manage_needs``: a beleidsmedewerker or beheerder of a gemeente, for that gemeente.
- ``maintains_entries``: whoever maintains or approves at least one entry (and so may
  import participation counts).
"""

from __future__ import annotations

import rules

from .queries import approver_municipality_ids, editing_organisation_ids


@rules.predicate
def can_view_service(user, service) -> bool:
    from .models import Service

    return service is not None and Service.objects.visible_to(user).filter(pk=service.pk).exists()


@rules.predicate
def can_approve_service(user, service) -> bool:
    if service is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    municipalities = set(service.areas.values_list("municipality_id", flat=True))
    return bool(municipalities & approver_municipality_ids(user))


@rules.predicate
def can_edit_service(user, service) -> bool:
    if service is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    organisation_id = service.provider.organisation_id if service.provider_id else None
    if organisation_id is not None and organisation_id in editing_organisation_ids(user):
        return True
    return can_approve_service(user, service)


@rules.predicate
def can_offer_for(user, provider) -> bool:
    """May add entries for ``provider``: works for its organisation (not as lezer)."""
    if provider is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return (
        provider.organisation_id is not None
        and provider.organisation_id in editing_organisation_ids(user)
    )


@rules.predicate
def can_manage_needs(user, municipality=None) -> bool:
    """Records needs: for ``municipality`` (a Region), or for any gemeente when None."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    own = approver_municipality_ids(user)
    return bool(own) if municipality is None else municipality.pk in own


@rules.predicate
def maintains_entries(user) -> bool:
    """Maintains (or approves) at least one entry: has entries to keep up to date and may
    import their participation counts (the import refuses rows for other entries). The
    pages, their links and the home page ask this one question."""
    from .models import Service

    return Service.objects.editable_by(user).exists()


rules.add_perm("socialmap.view_service", can_view_service)
rules.add_perm("socialmap.change_service", can_edit_service)
rules.add_perm("socialmap.approve_service", can_approve_service)
rules.add_perm("socialmap.add_service_for", can_offer_for)
rules.add_perm("socialmap.manage_needs", can_manage_needs)
rules.add_perm("socialmap.maintain_entries", maintains_entries)
rules.add_perm("socialmap.import_participation", maintains_entries)
