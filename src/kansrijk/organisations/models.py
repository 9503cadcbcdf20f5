"""Regions, organisations, users and their roles: the ground every module stands on."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kansrijk import limits

from . import validators
from .queries import MembershipQuerySet, OrganisationQuerySet, RegionQuerySet


class RegionKind(models.TextChoices):
    COUNTRY = "country", _("land")
    PROVINCE = "province", _("provincie")
    MUNICIPALITY = "municipality", _("gemeente")
    DISTRICT = "district", _("wijk/kern")
    RMC_REGION = "rmc_region", _("RMC-regio")
    YOUTH_CARE_REGION = "youth_care_region", _("jeugdhulpregio")


class Region(models.Model):
    """An area: a gemeente (CBS ``GM####``), a wijk or kern, a province, an RMC region..."""

    kind = models.CharField(_("soort"), max_length=20, choices=RegionKind.choices)
    # CBS codes (GM0375, PV27) or, for areas without one, our own (GM1961-MEERKERK).
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("naam"), max_length=200)
    # Reference data is sometimes ambiguous (an RMC region of a merged gemeente). We keep
    # the doubt visible instead of guessing: the note says what a person has to check.
    review_note = limits.BoundedTextField(_("te controleren"), max_length=limits.NOTE, blank=True)
    # A region exists from ``valid_from`` up to (not including) ``valid_to``: a gemeente
    # begins or ends with a merger (herindeling) on 1 January. Empty means "as far as the
    # reference data knows": a gemeente without an end date still exists.
    valid_from = models.DateField(_("bestaat vanaf"), null=True, blank=True)
    valid_to = models.DateField(_("bestaat tot"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("regio")
        verbose_name_plural = _("regio's")
        ordering = ["kind", "name"]
        indexes = [models.Index(fields=["kind", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="region_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == RegionKind.MUNICIPALITY:
            validators.validate_gm_code(self.code)

    def exists_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to > day
        )

    def parents_on(self, day, kind: str | None = None):
        """The regions this region belongs to on ``day`` (memberships carry validity dates)."""
        memberships = self.parent_memberships.valid_on(day)
        if kind:
            memberships = memberships.filter(parent__kind=kind)
        return Region.objects.filter(pk__in=memberships.values("parent"))


class RegionMembershipQuerySet(models.QuerySet):
    def valid_on(self, day):
        return self.filter(Q(valid_from__lte=day) | Q(valid_from__isnull=True)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )


class RegionMembership(models.Model):
    """``child`` lies in ``parent`` from ``valid_from`` up to (not including) ``valid_to``.

    Gemeenten merge every 1 January; old figures stay attached to the code they were
    measured for, so memberships are dated instead of overwritten.
    """

    child = models.ForeignKey(Region, models.CASCADE, related_name="parent_memberships")
    parent = models.ForeignKey(Region, models.CASCADE, related_name="child_memberships")
    valid_from = models.DateField(_("geldig vanaf"), null=True, blank=True)
    valid_to = models.DateField(_("geldig tot"), null=True, blank=True)
    source = models.CharField(_("bron"), max_length=200, blank=True)

    objects = RegionMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("regiolidmaatschap")
        verbose_name_plural = _("regiolidmaatschappen")
        constraints = [
            models.UniqueConstraint(
                fields=["child", "parent", "valid_from"], name="unique_region_membership"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gt=models.F("valid_from")),
                name="region_membership_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.child} ⊂ {self.parent}"


class RegionSuccession(models.Model):
    """On ``date`` the territory of ``predecessor`` went to ``successor`` (a herindeling).

    A merger gives every old gemeente one row to the new one; a split (Littenseradiel,
    Winsum, Haaren) gives the old gemeente a row to each receiving gemeente, marked as not
    ``whole``. A renaming with a new CBS code (Groesbeek → Berg en Dal) is a whole
    succession too. Figures measured for the old code stay with it; these rows let a
    report or a series carry them over to the successor.
    """

    predecessor = models.ForeignKey(
        Region, models.CASCADE, related_name="successions", verbose_name=_("voorganger")
    )
    successor = models.ForeignKey(
        Region, models.CASCADE, related_name="predecessions", verbose_name=_("opvolger")
    )
    date = models.DateField(_("datum herindeling"))
    whole = models.BooleanField(
        _("geheel"),
        default=True,
        help_text=_("Ging het hele grondgebied van de voorganger naar deze opvolger?"),
    )
    source = models.CharField(_("bron"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("herindeling")
        verbose_name_plural = _("herindelingen")
        ordering = ["date", "successor", "predecessor"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unique_region_succession"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")),
                name="region_succession_not_to_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.date})"


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("gemeente")
    SCHOOL_BOARD = "school_board", _("schoolbestuur")
    SCHOOL_INSTITUTION = "school_institution", _("school (instelling, BRIN)")
    SCHOOL_LOCATION = "school_location", _("schoolvestiging")
    PARTNERSHIP = "partnership", _("samenwerkingsverband passend onderwijs")
    ATTENDANCE_OFFICE = "attendance_office", _("leerplicht/RMC")
    YOUTH_TEAM = "youth_team", _("CJG/jeugdteam")
    YOUTH_HEALTH = "youth_health", _("JGZ/GGD")
    CHILDCARE = "childcare", _("kinderopvang")
    CARE_PROVIDER = "care_provider", _("zorgaanbieder")
    LIBRARY = "library", _("bibliotheek")
    WELFARE = "welfare", _("welzijn, sport of cultuur")
    OTHER = "other", _("overig")


class Sector(models.TextChoices):
    PO = "PO", _("primair onderwijs")
    SBO = "SBO", _("speciaal basisonderwijs")
    SO_VSO = "SO/VSO", _("(voortgezet) speciaal onderwijs")
    VO = "VO", _("voortgezet onderwijs")
    MBO = "MBO", _("middelbaar beroepsonderwijs")


class Organisation(models.Model):
    """Any organisation that takes part: school location, SWV, gemeente, partner...

    One table for every kind keeps look-ups, scoping and audit uniform; fields that only
    apply to schools are empty for the others.
    """

    kind = models.CharField(_("soort"), max_length=30, choices=OrganisationKind.choices)
    name = models.CharField(_("naam"), max_length=200)
    # BRIN6 for a school location, BRIN4 for an institution, normalised SWV code for a
    # partnership (PO2711), GM code for a gemeente. Unique per kind, empty for partners.
    code = models.CharField(_("code"), max_length=20, blank=True)
    parent = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("valt onder"),
        help_text=_(
            "Een vestiging valt onder haar instelling (BRIN4); een school onder het bestuur."
        ),
    )
    municipality = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="located_organisations",
        limit_choices_to={"kind": RegionKind.MUNICIPALITY},
        verbose_name=_("gemeente"),
    )
    partnership = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="member_schools",
        limit_choices_to={"kind": OrganisationKind.PARTNERSHIP},
        verbose_name=_("samenwerkingsverband"),
    )
    # The regions an organisation works for: a gemeente its own area, an SWV its
    # gemeenten, Leerrecht the three gemeenten of its bureau. Scoping reads this.
    served_regions = models.ManyToManyField(
        Region, blank=True, related_name="serving_organisations", verbose_name=_("werkgebied")
    )
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, blank=True)
    education_type = models.CharField(_("onderwijstype"), max_length=60, blank=True)
    denomination = models.CharField(_("denominatie"), max_length=60, blank=True)
    street = models.CharField(_("straat"), max_length=120, blank=True)
    house_number = models.CharField(_("huisnummer"), max_length=20, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, validators=[validators.validate_postcode]
    )
    town = models.CharField(_("plaats"), max_length=80, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    pupil_count = models.PositiveIntegerField(_("leerlingen"), null=True, blank=True)
    pupil_count_date = models.DateField(_("peildatum leerlingen"), null=True, blank=True)
    latitude = models.DecimalField(
        _("breedtegraad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("lengtegraad"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    is_active = models.BooleanField(_("actief"), default=True)
    source = models.CharField(_("bron"), max_length=200, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "code"],
                condition=~Q(code=""),
                name="unique_organisation_code_per_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "name"]),
            models.Index(fields=["code"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

    def get_absolute_url(self) -> str:
        return reverse("organisations:detail", args=[self.pk])

    def clean(self) -> None:
        code_validators = {
            OrganisationKind.SCHOOL_LOCATION: validators.validate_brin6,
            OrganisationKind.SCHOOL_INSTITUTION: validators.validate_brin4,
            OrganisationKind.PARTNERSHIP: validators.validate_swv_code,
            OrganisationKind.MUNICIPALITY: validators.validate_gm_code,
        }
        if self.code and self.kind in code_validators:
            code_validators[self.kind](self.code)

    @property
    def is_school(self) -> bool:
        return self.kind == OrganisationKind.SCHOOL_LOCATION

    @property
    def brin4(self) -> str:
        return self.code[:4] if self.is_school else ""


class Role(models.TextChoices):
    ADMIN = "admin", _("beheerder")
    POLICY_OFFICER = "policy_officer", _("beleidsmedewerker")
    ATTENDANCE_OFFICER = "attendance_officer", _("leerplichtambtenaar/casusregisseur")
    SWV_COORDINATOR = "swv_coordinator", _("SWV-coördinator")
    SCHOOL_CONTACT = "school_contact", _("schoolcontactpersoon")
    PARTNER = "partner", _("partner")
    READER = "reader", _("lezer")


# The roles that will see personal data in the case register must log in with a second
# factor (TOTP). The beheerder reads the audit trail, which names cases, so it is included.
TWO_FACTOR_ROLES = frozenset(
    {Role.ADMIN, Role.ATTENDANCE_OFFICER, Role.SWV_COORDINATOR, Role.SCHOOL_CONTACT}
)
# Other reasons to require a second factor, registered by the apps that know them (the
# case register: a partner who is the regievoerder of a case sees that child's episode).
# This app never imports them: each is a function of the user.
TWO_FACTOR_REASONS: list = []


class User(AbstractUser):
    """A person who logs in. What they may see follows from their memberships."""

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def active_memberships(self):
        return self.memberships.filter(is_active=True).select_related("organisation")

    def roles(self) -> set[str]:
        return set(self.memberships.filter(is_active=True).values_list("role", flat=True))

    def requires_two_factor(self) -> bool:
        return (
            self.is_superuser
            or bool(self.roles() & TWO_FACTOR_ROLES)
            or any(reason(self) for reason in TWO_FACTOR_REASONS)
        )


class Membership(models.Model):
    """A user works for an organisation in a role. One user may hold several."""

    user = models.ForeignKey(User, models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, models.CASCADE, related_name="memberships")
    role = models.CharField(_("rol"), max_length=30, choices=Role.choices)
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"
