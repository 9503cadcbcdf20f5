"""Reads of the sociale kaart: who sees and maintains which entry, the public search, the
entries past their check, and the matching of needs and offer for the gap page.

Everything is a queryset method, so the pages, the API and the exports answer the same
question the same way; every condition is evaluated in the database.
"""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

# Anyone who works for the provider may keep its entries up to date; a lezer only reads.
READER_ROLE = "reader"
APPROVER_ROLES = ("policy_officer", "admin")
AGE = DecimalField(max_digits=4, decimal_places=1)
OLDEST = Value(120, output_field=AGE)
YOUNGEST = Value(0, output_field=AGE)


def one_year_before(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def effective_ages(prefix: str = ""):
    """The age range of a service for matching: its ages, or else those of its school
    groups (groep 7 is 10 to 11), or else no limit (0 to 120)."""

    def field(name):
        return F(f"{prefix}{name}")

    low = Coalesce(
        field("minimum_age"),
        Cast(field("minimum_group") + 3, AGE),
        YOUNGEST,
        output_field=AGE,
    )
    high = Coalesce(
        field("maximum_age"),
        Cast(field("maximum_group") + 4, AGE),
        OLDEST,
        output_field=AGE,
    )
    return low, high


def group_range(prefix: str = ""):
    """The school groups of a service or need (a single bound counts for both), and
    whether it has any: two offers or needs that both name groups are compared by group,
    since ages alone cannot tell groep 6 (9 to 10) from groep 7 (10 to 11)."""
    low = Coalesce(F(f"{prefix}minimum_group"), F(f"{prefix}maximum_group"))
    high = Coalesce(F(f"{prefix}maximum_group"), F(f"{prefix}minimum_group"))
    has_groups = Case(
        When(
            Q(**{f"{prefix}minimum_group__isnull": False})
            | Q(**{f"{prefix}maximum_group__isnull": False}),
            then=Value(True),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )
    return low, high, has_groups


def approver_municipality_ids(user) -> set[int]:
    """The gemeenten (regions) for which ``user`` approves entries: beleidsmedewerker or
    beheerder of the gemeente's own organisation."""
    from kansrijk.organisations.models import Membership, Organisation

    organisation_ids = Membership.objects.organisation_ids_of(user, APPROVER_ROLES)
    return set(
        Organisation.objects.filter(pk__in=organisation_ids, kind="municipality")
        .exclude(municipality=None)
        .values_list("municipality_id", flat=True)
    )


def editing_organisation_ids(user) -> set[int]:
    from kansrijk.organisations.models import Membership, Role

    return Membership.objects.organisation_ids_of(
        user, [role for role in Role.values if role != READER_ROLE]
    )


class ServiceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published")

    def in_municipalities(self, municipality_ids):
        from .models import ServiceArea

        areas = ServiceArea.objects.filter(municipality_id__in=municipality_ids)
        return self.filter(pk__in=areas.values("service_id"))

    def approvable_by(self, user):
        """Entries a beleidsmedewerker of a gemeente they are offered in may approve."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        return self.in_municipalities(approver_municipality_ids(user))

    def editable_by(self, user):
        """Entries of the provider organisations ``user`` works for (not as lezer), and
        the entries the user may approve."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        own = editing_organisation_ids(user)
        return self.filter(
            Q(provider__organisation_id__in=own)
            | Q(pk__in=self.model.objects.approvable_by(user).values("pk"))
        )

    def visible_to(self, user):
        """Published entries for everyone; for members also every entry they maintain
        or approve, whatever its status."""
        if not user.is_authenticated:
            return self.published()
        if user.is_superuser:
            return self.all()
        from kansrijk.organisations.models import Membership

        own = Membership.objects.organisation_ids_of(user)
        return self.filter(
            Q(status="published")
            | Q(provider__organisation_id__in=own)
            | Q(pk__in=self.model.objects.approvable_by(user).values("pk"))
        )

    def with_effective_ages(self):
        low, high = effective_ages()
        return self.annotate(age_from=low, age_to=high)

    def search(
        self,
        *,
        text: str = "",
        age=None,
        group: int | None = None,
        theme: str = "",
        audience: str = "",
        region_ids=None,
    ):
        """The public search: every word of ``text`` in the folded search column, an age
        or a school group within the service's range, a theme and an audience by code,
        and an area among ``region_ids``. Each condition is one indexed look-up or one
        EXISTS; no join multiplies the rows."""
        from .models import ServiceArea
        from .validators import ages_of_group, fold

        queryset = self
        for word in fold(text).split():
            queryset = queryset.filter(search_text__contains=word)
        if age is not None or group is not None:
            queryset = queryset.with_effective_ages()
        if age is not None:
            queryset = queryset.filter(age_from__lte=age, age_to__gte=age)
        if group is not None:
            youngest, oldest = ages_of_group(group)
            by_group = Q(
                minimum_group__isnull=False, minimum_group__lte=group, maximum_group__gte=group
            )
            by_age = Q(minimum_group__isnull=True, age_from__lte=oldest, age_to__gte=youngest)
            queryset = queryset.filter(by_group | by_age)
        if theme:
            queryset = queryset.filter(
                Exists(
                    self.model.themes.through.objects.filter(
                        service_id=OuterRef("pk"), taxonomyterm__code=theme
                    )
                )
            )
        if audience:
            queryset = queryset.filter(
                Exists(
                    self.model.audiences.through.objects.filter(
                        service_id=OuterRef("pk"), taxonomyterm__code=audience
                    )
                )
            )
        if region_ids is not None:
            queryset = queryset.filter(
                Exists(
                    ServiceArea.objects.filter(service_id=OuterRef("pk"), region_id__in=region_ids)
                )
            )
        return queryset

    def past_their_check(self, today: datetime.date):
        """Published entries nobody has verified for twelve months (or ever)."""
        cutoff = one_year_before(today)
        return self.published().filter(Q(assured_date__lt=cutoff) | Q(assured_date__isnull=True))

    def with_asked(self, municipality_ids=None):
        """``is_asked``: some need in one of the service's areas has one of its themes and
        fits its school groups (when both name groups) or else its ages. The areas work
        as on the gap page: a need in a wijk is met by an offer for that wijk or for the
        whole gemeente. With ``municipality_ids`` only the needs of those gemeenten count
        (the gap page of one gemeente), which lets the database read just those."""
        from .models import Need, ServiceArea

        low, high = effective_ages()
        group_low, group_high, has_groups = group_range()
        queryset = self.annotate(
            age_from=low,
            age_to=high,
            group_from=group_low,
            group_to=group_high,
            has_groups=has_groups,
        )
        # Correlated subqueries (not joins): PostgreSQL would otherwise join every need to
        # every service with its theme before filtering (millions of rows nationally).
        of_this_service = {"service_id": OuterRef(OuterRef("pk"))}
        area_regions = ServiceArea.objects.filter(**of_this_service).order_by().values("region_id")
        area_municipalities = (
            ServiceArea.objects.filter(**of_this_service).order_by().values("municipality_id")
        )
        service_themes = (
            self.model.themes.through.objects.filter(**of_this_service)
            .order_by()
            .values("taxonomyterm_id")
        )
        need_low, need_high = effective_ages()
        need_group_low, need_group_high, _need_has_groups = group_range()
        needs = (
            # Every branch below implies the need's gemeente is one of the service's:
            # said first, so the needs of other gemeenten are never looked at.
            (
                Need.objects.all()
                if municipality_ids is None
                else Need.objects.filter(municipality_id__in=list(municipality_ids))
            )
            .filter(
                municipality_id__in=Subquery(area_municipalities),
                theme_id__in=Subquery(service_themes),
            )
            .annotate(
                need_from=need_low,
                need_to=need_high,
                need_group_from=need_group_low,
                need_group_to=need_group_high,
                service_has_groups=ExpressionWrapper(
                    OuterRef("has_groups"), output_field=BooleanField()
                ),
            )
            .filter(
                Q(
                    need_group_from__isnull=False,
                    need_group_from__lte=OuterRef("group_to"),
                    need_group_to__gte=OuterRef("group_from"),
                )
                | (
                    Q(need_from__lte=OuterRef("age_to"), need_to__gte=OuterRef("age_from"))
                    & (Q(need_group_from__isnull=True) | Q(service_has_groups=False))
                )
            )
            .filter(
                Q(district__isnull=True, municipality_id__in=Subquery(area_municipalities))
                | Q(district__isnull=False, municipality_id__in=Subquery(area_regions))
                | Q(district__isnull=False, district_id__in=Subquery(area_regions))
            )
        )
        return queryset.annotate(is_asked=Exists(needs))


class ParticipationQuerySet(models.QuerySet):
    def of_published_services(self):
        return self.filter(service__status="published")


class NeedQuerySet(models.QuerySet):
    def with_offer(self):
        """``has_offer``: a published service with the need's theme, offered in the need's
        area, that fits the need's school groups (when both name groups) or else its ages.
        For a need in a wijk the area is that wijk or the whole gemeente; for a need of a
        school or of the whole gemeente, anywhere in the gemeente."""
        from .models import ServiceArea

        low, high = effective_ages()
        group_low, group_high, has_groups = group_range()
        needs = self.annotate(
            need_from=low,
            need_to=high,
            need_group_from=group_low,
            need_group_to=group_high,
            need_has_groups=has_groups,
        )
        service_low, service_high = effective_ages("service__")
        service_group_low, service_group_high, _has = group_range("service__")
        offers = (
            ServiceArea.objects.filter(
                municipality_id=OuterRef("municipality_id"),
                service__status="published",
                service__themes=OuterRef("theme_id"),
            )
            .filter(
                # Without a wijk the second term compares region_id with itself: true.
                Q(region_id=OuterRef("municipality_id"))
                | Q(region_id=Coalesce(OuterRef("district_id"), F("region_id")))
            )
            .annotate(
                age_from=service_low,
                age_to=service_high,
                group_from=service_group_low,
                group_to=service_group_high,
                need_with_groups=ExpressionWrapper(
                    OuterRef("need_has_groups"), output_field=BooleanField()
                ),
            )
            .filter(
                Q(
                    group_from__isnull=False,
                    group_from__lte=OuterRef("need_group_to"),
                    group_to__gte=OuterRef("need_group_from"),
                )
                | (
                    Q(age_from__lte=OuterRef("need_to"), age_to__gte=OuterRef("need_from"))
                    & (Q(group_from__isnull=True) | Q(need_with_groups=False))
                )
            )
        )
        return needs.annotate(has_offer=Exists(offers))

    def without_offer(self):
        return self.with_offer().filter(has_offer=False)
