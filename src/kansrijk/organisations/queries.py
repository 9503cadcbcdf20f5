"""Reads of regions and organisations: permission scoping and look-ups.

Scoping lives here, in the queryset, so that a list page, a detail page, the API and an
export all answer the same question the same way: ``Organisation.objects.visible_to(user)``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

SCHOOL_KINDS = ("school_location", "school_institution", "school_board")


class RegionQuerySet(models.QuerySet):
    def municipalities(self):
        return self.filter(kind="municipality")

    def needing_review(self):
        return self.exclude(review_note="")

    def existing_on(self, day):
        """The regions that exist on ``day``: begun (or no known start) and not yet ended."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )


def successors_on(day) -> dict[int, int]:
    """{id of a gemeente that had ended by ``day``: id of the gemeente its whole territory
    belongs to on ``day``}, following a chain of mergers (Graafstroom → Molenwaard →
    Molenlanden). A gemeente that was split (Littenseradiel, Winsum) has no single
    successor and is left out: where its residents went is not known from the region.

    A few hundred rows at most, read in one query; callers fold per-gemeente aggregates
    with it, never rows of cases."""
    from .models import RegionSuccession

    whole: dict[int, tuple[int, object]] = {}
    split: set[int] = set()
    for predecessor, successor, date, is_whole in RegionSuccession.objects.filter(
        date__lte=day
    ).values_list("predecessor_id", "successor_id", "date", "whole"):
        if not is_whole or predecessor in whole:
            split.add(predecessor)
        whole[predecessor] = (successor, date)
    found: dict[int, int] = {}
    for start in whole:
        if start in split:
            continue
        current, seen = start, {start}
        while current in whole and current not in split:
            current = whole[current][0]
            if current in seen:  # a cycle in hand-entered data: stop where it closes
                break
            seen.add(current)
        found[start] = current
    return found


class MembershipQuerySet(models.QuerySet):
    def active_for(self, user, roles=None):
        """The active memberships of ``user``, optionally only in ``roles``."""
        memberships = self.filter(user=user, is_active=True)
        return memberships.filter(role__in=roles) if roles is not None else memberships

    def organisation_ids_of(self, user, roles=None) -> set[int]:
        """The ids of the organisations ``user`` works for (in ``roles``): the one place
        every module's scoping starts from."""
        return set(self.active_for(user, roles).values_list("organisation_id", flat=True))


class OrganisationQuerySet(models.QuerySet):
    def schools(self):
        return self.filter(kind="school_location")

    def partnerships(self):
        return self.filter(kind="partnership")

    def visible_to(self, user):
        """The organisations ``user`` may open: their own and the network around them.

        For every active membership in an organisation O the network is:
        O itself, the organisations above and below it (vestiging ↔ instelling ↔ bestuur),
        its samenwerkingsverband and, for an SWV, its schools; every organisation that
        works for O's gemeente(n) (the gemeente, leerplicht, the SWV, the jeugdteam); and,
        unless O is a school, every organisation located in O's gemeente(n).
        A platform superuser sees everything. Anyone else sees nothing.

        The few ids that describe the user's own place (their organisations, the ones
        directly below, their regions) are read first; the network is then one query
        whose conditions each hit an index, instead of a join on every row.
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from .models import Membership, Organisation

        own_ids = Membership.objects.organisation_ids_of(user)
        if not own_ids:
            return self.none()
        served_through = Organisation.served_regions.through.objects
        own_rows = Organisation.objects.filter(pk__in=own_ids).values_list(
            "pk", "kind", "parent_id", "parent__parent_id", "partnership_id", "municipality_id"
        )
        regions_of = {pk: set() for pk in own_ids}
        for organisation_id, region_id in served_through.filter(
            organisation_id__in=own_ids
        ).values_list("organisation_id", "region_id"):
            regions_of[organisation_id].add(region_id)
        above_ids, partnership_ids = set(), set()
        region_ids, non_school_region_ids = set(), set()
        for pk, kind, parent_id, grandparent_id, partnership_id, municipality_id in own_rows:
            above_ids |= {parent_id, grandparent_id} - {None}
            partnership_ids |= {partnership_id} - {None}
            regions = regions_of[pk] | ({municipality_id} - {None})
            region_ids |= regions
            if kind not in SCHOOL_KINDS:
                non_school_region_ids |= regions
        child_ids = set(
            Organisation.objects.filter(parent_id__in=own_ids).values_list("pk", flat=True)
        )
        served = served_through.filter(region_id__in=region_ids)
        member_school_parents = Organisation.objects.filter(partnership_id__in=own_ids)
        return self.filter(
            Q(pk__in=own_ids | above_ids | partnership_ids | child_ids)
            | Q(parent_id__in=own_ids | child_ids)
            | Q(partnership_id__in=own_ids)
            | Q(pk__in=member_school_parents.values("parent_id"))
            | Q(pk__in=served.values("organisation_id"))
            | Q(municipality_id__in=non_school_region_ids)
        )
