"""Who sees which case, and how much of it: the one place the register's access is decided.

A user's place is read once (``scope_of``): the gemeenten their leerplicht/RMC office
works for, the SWVs they coordinate, the schools they are contact person of, and the
regions and organisations they work for in any role. From that place:

* ``Case.objects.visible_to(user)`` — the episodes whose page they may open:
  - leerplicht/RMC (``attendance_officer``) of the **woongemeente**: the whole dossier,
    including the decrypted BSN (level ``FULL``);
  - the SWV coordinator: the episodes at the SWV's member schools, without BSN
    (``EPISODE``); so does the regievoerder a case is assigned to;
  - the school contact: the own pupils' episodes, in part (``PARTIAL``: category, dates,
    offer, regievoerder and the agreements the school must keep; no timeline, no BSN).
* ``Case.objects.countable_for(user)`` — what their *aggregates* may count: the visible
  episodes plus, for every other role, the episodes of the gemeenten, SWVs and schools
  they work for. Those figures leave the register only through the suppression of small
  numbers (``reporting``).

A superuser sees everything. Anyone without a role sees nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Exists, OuterRef, Q

FULL = "full"
EPISODE = "episode"
PARTIAL = "partial"
LEVEL_ORDER = {PARTIAL: 1, EPISODE: 2, FULL: 3}

DOSSIER_ROLES = ("attendance_officer", "swv_coordinator", "school_contact")


@dataclass(frozen=True)
class CaseScope:
    user_id: int | None
    is_superuser: bool = False
    # Dossier access, by the rule of each role.
    full_region_ids: frozenset[int] = frozenset()
    partnership_ids: frozenset[int] = frozenset()
    school_ids: frozenset[int] = frozenset()
    # Aggregate-only reach: any role.
    aggregate_region_ids: frozenset[int] = frozenset()
    aggregate_partnership_ids: frozenset[int] = frozenset()
    aggregate_school_ids: frozenset[int] = frozenset()
    # Organisation that grants each kind of access, for the audit trail.
    granting: dict = field(default_factory=dict, compare=False, hash=False)
    # Is the user the regievoerder of some case? Only then does "or I am its regievoerder"
    # join the conditions: that OR across two columns keeps the database from using the
    # index of the open cases per gemeente (bench/RESULTS.md, the case list).
    manages_cases: bool = False

    @property
    def has_dossier_role(self) -> bool:
        return self.is_superuser or bool(
            self.full_region_ids or self.partnership_ids or self.school_ids
        )

    @staticmethod
    def _schools_of(partnership_ids) -> Q:
        # The SWV's schools as a subquery on the school_id column: a condition on the
        # joined school (school__partnership_id) made the database read every open case
        # and its school (bench/RESULTS.md).
        from kansrijk.organisations.models import Organisation

        return Q(
            school_id__in=Organisation.objects.filter(partnership_id__in=partnership_ids).values(
                "pk"
            )
        )

    def dossier_q(self) -> Q:
        q = Q(pk__in=[])
        if self.full_region_ids:
            q |= Q(municipality_id__in=self.full_region_ids)
        if self.partnership_ids:
            q |= self._schools_of(self.partnership_ids)
        if self.school_ids:
            q |= Q(school_id__in=self.school_ids)
        if self.user_id is not None and self.manages_cases:
            q |= Q(case_manager_id=self.user_id)
        return q

    def aggregate_q(self) -> Q:
        q = self.dossier_q()
        if self.aggregate_region_ids:
            q |= Q(municipality_id__in=self.aggregate_region_ids)
        if self.aggregate_partnership_ids:
            q |= self._schools_of(self.aggregate_partnership_ids)
        if self.aggregate_school_ids:
            q |= Q(school_id__in=self.aggregate_school_ids)
        return q

    def level_for(self, case) -> str | None:
        """How much of ``case`` this user may see: FULL, EPISODE, PARTIAL or None."""
        if self.is_superuser or case.municipality_id in self.full_region_ids:
            return FULL
        partnership_id = case.school.partnership_id if case.school_id else None
        if partnership_id in self.partnership_ids or (
            self.user_id is not None and case.case_manager_id == self.user_id
        ):
            return EPISODE
        if case.school_id in self.school_ids:
            return PARTIAL
        return None

    def granting_organisation(self, case):
        """The organisation through which the user reads ``case`` (for the audit trail)."""
        if case.municipality_id in self.full_region_ids:
            return self.granting.get(("region", case.municipality_id))
        partnership_id = case.school.partnership_id if case.school_id else None
        if partnership_id in self.partnership_ids:
            return self.granting.get(("partnership", partnership_id))
        if case.school_id in self.school_ids:
            return self.granting.get(("school", case.school_id))
        return None


NOBODY = CaseScope(user_id=None)


def scope_of(user) -> CaseScope:
    """The user's place in the register, read in a fixed number of queries and kept on
    the user object for the rest of the request."""
    if not user.is_authenticated:
        return NOBODY
    cached = getattr(user, "_case_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        scope = CaseScope(user_id=user.pk, is_superuser=True, manages_cases=True)
        user._case_scope = scope
        return scope
    from kansrijk.organisations.models import Membership, Organisation, OrganisationKind

    memberships = list(
        Membership.objects.active_for(user).values_list(
            "role", "organisation_id", "organisation__kind", "organisation__municipality_id"
        )
    )
    organisation_ids = {organisation_id for _r, organisation_id, _k, _m in memberships}
    served: dict[int, set[int]] = {pk: set() for pk in organisation_ids}
    for organisation_id, region_id in Organisation.served_regions.through.objects.filter(
        organisation_id__in=organisation_ids
    ).values_list("organisation_id", "region_id"):
        served[organisation_id].add(region_id)
    # A contact person of an instelling or bestuur is contact for its locations. Two
    # look-ups by parent (each on the parent_id index): one query with "parent in … or
    # grandparent in …" and the kind made the database scan every school location.
    below: dict[int, set[int]] = {pk: {pk} for pk in organisation_ids}
    children = list(
        Organisation.objects.filter(parent_id__in=organisation_ids).values_list(
            "pk", "parent_id", "kind"
        )
    )
    grandchildren = (
        Organisation.objects.filter(parent_id__in=[pk for pk, _p, _k in children]).values_list(
            "pk", "parent_id", "kind"
        )
        if children
        else []
    )
    parent_of = {pk: parent_id for pk, parent_id, _kind in children}
    for pk, parent_id, kind in [*children, *grandchildren]:
        if kind != OrganisationKind.SCHOOL_LOCATION:
            continue
        for ancestor in (parent_id, parent_of.get(parent_id)):
            if ancestor in below:
                below[ancestor].add(pk)

    full, partnerships, schools = set(), set(), set()
    agg_regions, agg_partnerships, agg_schools = set(), set(), set()
    granting: dict = {}
    for role, organisation_id, kind, municipality_id in memberships:
        regions = served[organisation_id] | ({municipality_id} - {None})
        is_school = kind in ("school_location", "school_institution", "school_board")
        if role == "attendance_officer":
            full |= regions
            for region_id in regions:
                granting.setdefault(("region", region_id), organisation_id)
        elif role == "swv_coordinator" and kind == OrganisationKind.PARTNERSHIP:
            partnerships.add(organisation_id)
            granting.setdefault(("partnership", organisation_id), organisation_id)
        elif role == "school_contact" and is_school:
            schools |= below[organisation_id]
            for school_id in below[organisation_id]:
                granting.setdefault(("school", school_id), organisation_id)
        # Every role counts, in aggregates, what its organisation works for.
        if kind == OrganisationKind.PARTNERSHIP:
            agg_partnerships.add(organisation_id)
        elif is_school:
            agg_schools |= below[organisation_id]
        else:
            agg_regions |= regions
    scope = CaseScope(
        user_id=user.pk,
        full_region_ids=frozenset(full),
        partnership_ids=frozenset(partnerships),
        school_ids=frozenset(schools),
        aggregate_region_ids=frozenset(agg_regions),
        aggregate_partnership_ids=frozenset(agg_partnerships),
        aggregate_school_ids=frozenset(agg_schools),
        granting=granting,
        manages_cases=manages_cases(user),
    )
    user._case_scope = scope
    return scope


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = scope_of(user)
        if scope.is_superuser:
            return self.all()
        if not scope.user_id:
            return self.none()
        return self.filter(scope.dossier_q())

    def countable_for(self, user):
        scope = scope_of(user)
        if scope.is_superuser:
            return self.all()
        if not scope.user_id:
            return self.none()
        return self.filter(scope.aggregate_q())

    def open(self):
        return self.filter(end_date__isnull=True)

    def open_on(self, day):
        return self.filter(start_date__lte=day).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=day)
        )


class YoungPersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Young people of a visible case, those who live in a gemeente of the user's
        leerplicht office, and the pupils (enrolment or verzuimmelding) of the user's
        schools and SWVs."""
        scope = scope_of(user)
        if scope.is_superuser:
            return self.all()
        if not scope.user_id:
            return self.none()
        from .models import AbsenceReport, Case, Enrolment, Residence

        condition = Q(Exists(Case.objects.visible_to(user).filter(young_person=OuterRef("pk"))))
        if scope.full_region_ids:
            condition |= Q(
                Exists(
                    Residence.objects.filter(
                        young_person=OuterRef("pk"),
                        valid_to__isnull=True,
                        municipality_id__in=scope.full_region_ids,
                    )
                )
            )
        school_q = Q(school_id__in=scope.school_ids) | Q(
            school__partnership_id__in=scope.partnership_ids
        )
        if scope.school_ids or scope.partnership_ids:
            for model in (Enrolment, AbsenceReport):
                condition |= Q(Exists(model.objects.filter(school_q, young_person=OuterRef("pk"))))
        return self.filter(condition)


class ExemptionQuerySet(models.QuerySet):
    def monitored_by(self, user):
        """The vrijstellingen a leerplicht office watches: those of the young people who
        live in one of its gemeenten now (every one for a superuser, none for others).

        The condition is on the exemption's own ``young_person_id``, so the database
        starts from the few current exemptions and looks up each one's residence; a
        filter on "young people who live here" first read every young person
        (bench/RESULTS.md, the work list at national scale)."""
        scope = scope_of(user)
        if scope.is_superuser:
            return self.all()
        if not scope.full_region_ids:
            return self.none()
        from .models import Residence

        return self.filter(
            Exists(
                Residence.objects.filter(
                    young_person=OuterRef("young_person"),
                    valid_to__isnull=True,
                    municipality_id__in=scope.full_region_ids,
                )
            )
        )


def forget_scope(user) -> None:
    """Drop what ``scope_of`` and ``manages_cases`` kept on ``user``: a service that makes
    the user regievoerder changes what they see."""
    if user is not None:
        user.__dict__.pop("_case_scope", None)
        user.__dict__.pop("_manages_cases", None)


def manages_cases(user) -> bool:
    """Is ``user`` the regievoerder of a case? (Then they see its episode.) Kept on the
    user object for the rest of the request."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_manages_cases", None)
    if cached is None:
        from .models import Case

        cached = user._manages_cases = Case.objects.filter(case_manager_id=user.pk).exists()
    return cached


# ------------------------------------------------------------------ choices of the forms


def registering_municipalities(user):
    """The gemeenten a leerplichtambtenaar opens cases for: those of their office."""
    from kansrijk.organisations.models import Region

    scope = scope_of(user)
    regions = Region.objects.municipalities().order_by("name")
    return regions if scope.is_superuser else regions.filter(pk__in=scope.full_region_ids)


def area_schools(user):
    """The schools of the user's work, for the choice lists (and the schools a user may
    report verzuim for: ``rules.can_report_for_school``). None for the superuser: all
    8,600 schools are too many for a list, the form asks for the BRIN6."""
    from kansrijk.organisations.models import Organisation

    scope = scope_of(user)
    if scope.is_superuser:
        return None
    return Organisation.objects.schools().filter(
        Q(pk__in=scope.school_ids)
        | Q(partnership_id__in=scope.partnership_ids)
        | Q(municipality_id__in=scope.full_region_ids)
    )


def case_manager_candidates(user, include=None):
    """Who can be regievoerder: leerplicht and SWV coordinators in the user's network
    (and the current regievoerder)."""
    from django.contrib.auth import get_user_model

    from kansrijk.organisations.models import Organisation, Role

    User = get_user_model()
    network = Organisation.objects.visible_to(user).values("pk")
    condition = Q(
        memberships__is_active=True,
        memberships__role__in=[Role.ATTENDANCE_OFFICER, Role.SWV_COORDINATOR],
        memberships__organisation__in=network,
    )
    if include is not None:
        condition |= Q(pk=include.pk)
    ids = User.objects.filter(condition).values("pk")
    return User.objects.filter(pk__in=ids, is_active=True).order_by(
        "first_name", "last_name", "username"
    )
