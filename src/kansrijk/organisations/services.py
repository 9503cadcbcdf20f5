"""Every change to organisations, users and memberships goes through these functions.

Each takes a keyword-only ``actor``, runs in one transaction and writes its audit record
in that same transaction: the web pages, the admin, the commands and the tests all call
them, so no path can change data without leaving a trace.
"""

from __future__ import annotations

from django.db import transaction

from kansrijk.audit import services as audit

from .models import Membership, Organisation, Region, Role, User


@transaction.atomic
def create_organisation(*, actor, served_regions=(), **fields) -> Organisation:
    organisation = Organisation(**fields)
    organisation.full_clean()
    organisation.save()
    if served_regions:
        organisation.served_regions.set(served_regions)
    audit.record(
        "organisation.create",
        actor=actor,
        target=organisation,
        organisation=organisation,
        after=audit.snapshot(organisation),
    )
    return organisation


@transaction.atomic
def update_organisation(organisation: Organisation, *, actor, **changes) -> Organisation:
    before = audit.snapshot(organisation)
    served_regions = changes.pop("served_regions", None)
    for field, value in changes.items():
        setattr(organisation, field, value)
    organisation.full_clean()
    organisation.save()
    if served_regions is not None:
        organisation.served_regions.set(served_regions)
    audit.record(
        "organisation.update",
        actor=actor,
        target=organisation,
        organisation=organisation,
        before=before,
        after=audit.snapshot(organisation),
    )
    return organisation


@transaction.atomic
def create_user(
    *, actor, username: str, password: str | None = None, email: str = "", **fields
) -> User:
    user = User(username=username, email=email, **fields)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        "user.create",
        actor=actor,
        target=user,
        after=audit.snapshot(user, USER_AUDIT_FIELDS),
    )
    return user


@transaction.atomic
def add_membership(*, actor, user: User, organisation: Organisation, role: str) -> Membership:
    Role(role)  # refuses unknown roles with a ValueError
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"is_active": True}
    )
    if not created and membership.is_active:
        return membership
    if not created:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
    audit.record(
        "membership.add",
        actor=actor,
        target=membership,
        organisation=organisation,
        after={"user": user.username, "role": role, "organisation": organisation.name},
    )
    return membership


@transaction.atomic
def end_membership(membership: Membership, *, actor) -> Membership:
    if not membership.is_active:
        return membership
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit.record(
        "membership.end",
        actor=actor,
        target=membership,
        organisation=membership.organisation,
        before={"is_active": True},
        after={"is_active": False},
    )
    return membership


@transaction.atomic
def save_region(region: Region, *, actor) -> Region:
    """Create or change a region (admin); reference data uses its own bulk loader."""
    creating = region.pk is None
    before = None if creating else audit.snapshot(Region.objects.get(pk=region.pk))
    region.full_clean()
    region.save()
    audit.record(
        "region.create" if creating else "region.update",
        actor=actor,
        target=region,
        before=before,
        after=audit.snapshot(region),
    )
    return region


USER_AUDIT_FIELDS = [
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
]


@transaction.atomic
def save_user(user: User, *, actor) -> User:
    """Create or change a user account (admin). The password hash is never recorded."""
    creating = user.pk is None
    before = None if creating else audit.snapshot(User.objects.get(pk=user.pk), USER_AUDIT_FIELDS)
    user.save()
    audit.record(
        "user.create" if creating else "user.update",
        actor=actor,
        target=user,
        before=before,
        after=audit.snapshot(user, USER_AUDIT_FIELDS),
    )
    return user
