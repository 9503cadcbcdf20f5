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
        """
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from .models import Membership, Organisation, Region

        own = Organisation.objects.filter(
            pk__in=Membership.objects.filter(user=user, is_active=True).values("organisation")
        )
        own_regions = Region.objects.filter(
            Q(serving_organisations__in=own) | Q(located_organisations__in=own)
        )
        non_school_own = own.exclude(kind__in=SCHOOL_KINDS)
        non_school_regions = Region.objects.filter(
            Q(serving_organisations__in=non_school_own)
            | Q(located_organisations__in=non_school_own)
        )
        member_schools = Organisation.objects.filter(partnership__in=own)
        return self.filter(
            Q(pk__in=own)
            | Q(pk__in=own.values("parent"))
            | Q(pk__in=own.values("parent__parent"))
            | Q(parent__in=own)
            | Q(parent__parent__in=own)
            | Q(pk__in=own.values("partnership"))
            | Q(pk__in=member_schools)
            | Q(pk__in=member_schools.values("parent"))
            | Q(pk__in=Organisation.objects.filter(served_regions__in=own_regions).values("pk"))
            | Q(municipality__in=non_school_regions)
        )
