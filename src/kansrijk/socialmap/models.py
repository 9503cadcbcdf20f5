"""The sociale kaart in the shape of Open Referral HSDS 3: providers (HSDS organization),
services, locations with their address, service at location, schedules, phones, contacts,
languages, cost options, service areas, and the taxonomies of themes and audiences.

Every record carries a stable ``uuid``: the HSDS ``id``, so that an export imported
elsewhere (or back here) updates rows in place instead of duplicating them. Where the
HSDS field has a name, the model uses it (``minimum_age``, ``assured_date``,
``application_process``...); ``docs/formats/hsds.md`` maps every field.

Beside the catalogue: participation counts per service, period and school or wijk
(numbers only, never persons), and the needs (ondersteuningsbehoeften) per school or wijk
by theme and age, from which the gap page is computed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kansrijk import limits
from kansrijk.organisations.models import Organisation, Region
from kansrijk.organisations.validators import validate_postcode

from . import validators
from .queries import NeedQuerySet, ParticipationQuerySet, ServiceQuerySet
from .taxonomy import AUDIENCE as AUDIENCE_TAXONOMY
from .taxonomy import THEME as THEME_TAXONOMY


class Taxonomy(models.Model):
    """A classification from which terms are drawn (HSDS ``taxonomy``)."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("naam"), max_length=120)
    description = limits.BoundedTextField(_("omschrijving"), max_length=limits.TEXT, blank=True)
    uri = models.CharField(_("uri"), max_length=255, blank=True)
    version = models.CharField(_("versie"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("taxonomie")
        verbose_name_plural = _("taxonomieën")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """One term of a taxonomy: a theme (sport, huiswerk...), an audience (ouders...)."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, models.PROTECT, related_name="terms")
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("naam"), max_length=120)
    description = limits.BoundedTextField(_("omschrijving"), max_length=limits.TEXT, blank=True)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children"
    )
    language = models.CharField(_("taal"), max_length=8, default="nl")
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("termen")
        ordering = ["taxonomy__code", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="unique_term_per_taxonomy")
        ]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """An organisation that offers services (HSDS ``organization``).

    Usually a Kansrijk organisation (``organisation``): its members maintain the
    entries. A provider that came in through an import, or that the seeds name without
    it taking part in Kansrijk, has no organisation; the beleidsmedewerkers of the
    gemeenten its services are offered in maintain those entries.
    """

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.OneToOneField(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="socialmap_provider",
        verbose_name=_("organisatie in Kansrijk"),
    )
    name = models.CharField(_("naam"), max_length=200)
    alternate_name = models.CharField(_("andere naam"), max_length=200, blank=True)
    description = limits.BoundedTextField(_("omschrijving"), max_length=limits.TEXT, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    website = models.URLField(_("website"), max_length=255, blank=True)
    source_note = limits.BoundedTextField(_("bron"), max_length=limits.TEXT, blank=True)

    class Meta:
        verbose_name = _("aanbieder")
        verbose_name_plural = _("aanbieders")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceStatus(models.TextChoices):
    CONCEPT = "concept", _("concept")
    SUBMITTED = "submitted", _("ter goedkeuring")
    PUBLISHED = "published", _("gepubliceerd")
    ARCHIVED = "archived", _("gearchiveerd")


AGE_VALIDATORS = [MinValueValidator(0), MaxValueValidator(120)]
GROUP_VALIDATORS = [MinValueValidator(1), MaxValueValidator(8)]


class Service(models.Model):
    """One offer on the sociale kaart (HSDS ``service``)."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        verbose_name=_("aanbieder"),
        help_text=_("Leeg als de bron geen aanbieder noemt."),
    )
    name = models.CharField(_("naam"), max_length=255)
    alternate_name = models.CharField(_("andere naam"), max_length=255, blank=True)
    description = limits.BoundedTextField(
        _("wat is het?"),
        max_length=limits.TEXT,
        help_text=_("In gewone taal (B1): korte zinnen, geen vaktaal."),
    )
    url = models.URLField(_("website"), max_length=255, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)
    # Said explicitly, so that an entry without a location is a choice and not something
    # forgotten: such an entry is offered for approval only then (submit_service).
    without_location = models.BooleanField(
        _("zonder vaste locatie"),
        default=False,
        help_text=_(
            "Online of op afspraak, bijvoorbeeld bij het gezin thuis. Dan hoeft er geen "
            "locatie bij."
        ),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.CONCEPT
    )
    alert = limits.BoundedTextField(
        _("let op"),
        max_length=limits.TEXT,
        blank=True,
        help_text=_("Iets tijdelijks, zoals een wachtlijst of 'nog niet gestart'."),
    )
    minimum_age = models.DecimalField(
        _("leeftijd vanaf"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=AGE_VALIDATORS,
    )
    maximum_age = models.DecimalField(
        _("leeftijd tot en met"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=AGE_VALIDATORS,
    )
    minimum_group = models.PositiveSmallIntegerField(
        _("vanaf groep"), null=True, blank=True, validators=GROUP_VALIDATORS
    )
    maximum_group = models.PositiveSmallIntegerField(
        _("tot en met groep"), null=True, blank=True, validators=GROUP_VALIDATORS
    )
    eligibility_description = limits.BoundedTextField(
        _("voor wie precies?"), max_length=limits.TEXT, blank=True
    )
    requires_referral = models.BooleanField(
        _("op indicatie"),
        default=False,
        help_text=_("Alleen met een indicatie of verwijzing, bijvoorbeeld van het CJG."),
    )
    has_income_limit = models.BooleanField(
        _("inkomensgrens"),
        default=False,
        help_text=_("Alleen voor gezinnen met een laag inkomen."),
    )
    fees_description = limits.BoundedTextField(
        _("wat kost het?"), max_length=limits.TEXT, blank=True
    )
    is_free = models.BooleanField(_("gratis"), default=False)
    accepts_jeugdfonds = models.BooleanField(
        _("Jeugdfonds Sport & Cultuur"),
        default=False,
        help_text=_("Het Jeugdfonds Sport & Cultuur kan de kosten betalen."),
    )
    application_process = limits.BoundedTextField(
        _("hoe meld je je aan?"), max_length=limits.TEXT, blank=True
    )
    themes = models.ManyToManyField(
        TaxonomyTerm,
        blank=True,
        related_name="themed_services",
        limit_choices_to={"taxonomy__code": THEME_TAXONOMY},
        verbose_name=_("thema's"),
    )
    audiences = models.ManyToManyField(
        TaxonomyTerm,
        blank=True,
        related_name="audience_services",
        limit_choices_to={"taxonomy__code": AUDIENCE_TAXONOMY},
        verbose_name=_("voor wie"),
    )
    goals = models.ManyToManyField(
        "agenda.Goal",
        blank=True,
        related_name="socialmap_services",
        verbose_name=_("dient de doelen"),
    )
    interventions = models.ManyToManyField(
        "agenda.Intervention",
        blank=True,
        related_name="socialmap_services",
        verbose_name=_("voert de interventies uit"),
    )
    assured_date = models.DateField(
        _("laatst gecontroleerd"),
        null=True,
        blank=True,
        help_text=_("De datum waarop iemand heeft nagekeken dat alles nog klopt."),
    )
    source_note = limits.BoundedTextField(
        _("bron"),
        max_length=limits.TEXT,
        blank=True,
        help_text=_("Waar deze informatie vandaan komt."),
    )
    review_note = limits.BoundedTextField(
        _("opmerking bij de beoordeling"), max_length=limits.NOTE, blank=True
    )
    submitted_at = models.DateTimeField(_("ingediend op"), null=True, blank=True)
    # Who offered it for approval: they may not approve it themselves (four eyes).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # HSDS last_modified: set by the services (and kept by an import), not auto_now,
    # so that an export imported elsewhere keeps its own date.
    last_modified = models.DateTimeField(_("laatst gewijzigd"), null=True, blank=True)
    # Free-text search reads one folded column (name, provider, themes, description):
    # one LIKE instead of an OR over joins. Rebuilt by ``services.refresh_search_text``.
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("aanbod")
        verbose_name_plural = _("aanbod")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(maximum_age__gte=models.F("minimum_age")),
                name="service_ages_in_order",
            ),
            models.CheckConstraint(
                condition=Q(minimum_group__isnull=True)
                | Q(maximum_group__isnull=True)
                | Q(maximum_group__gte=models.F("minimum_group")),
                name="service_groups_in_order",
            ),
        ]
        indexes = [models.Index(fields=["status", "name"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("socialmap:detail", args=[self.uuid])

    def get_manage_url(self) -> str:
        return reverse("socialmap:manage_detail", args=[self.uuid])

    def clean(self) -> None:
        errors = {}
        if (
            self.minimum_age is not None
            and self.maximum_age is not None
            and self.maximum_age < self.minimum_age
        ):
            errors["maximum_age"] = _("De leeftijd 'tot en met' ligt onder de leeftijd 'vanaf'.")
        if (
            self.minimum_group is not None
            and self.maximum_group is not None
            and self.maximum_group < self.minimum_group
        ):
            errors["maximum_group"] = _("De groep 'tot en met' ligt onder de groep 'vanaf'.")
        if errors:
            raise ValidationError(errors)

    @property
    def is_published(self) -> bool:
        return self.status == ServiceStatus.PUBLISHED

    @property
    def organisation(self) -> Organisation | None:
        """The Kansrijk organisation behind the provider, for scoping and audit."""
        return self.provider.organisation if self.provider_id else None


class ServiceArea(models.Model):
    """A gemeente or wijk in which the service is offered (HSDS ``service_area``).

    ``municipality`` is the gemeente of the area (the area itself for a gemeente, its
    gemeente for a wijk), kept so that searches and the gap page compare in one join.
    """

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, models.CASCADE, related_name="areas")
    region = models.ForeignKey(
        Region, models.PROTECT, related_name="socialmap_areas", verbose_name=_("gebied")
    )
    municipality = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    description = models.CharField(_("toelichting"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("werkgebied")
        verbose_name_plural = _("werkgebieden")
        ordering = ["municipality__name", "region__name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "region"], name="unique_service_area")
        ]
        indexes = [models.Index(fields=["municipality", "region"])]

    def __str__(self) -> str:
        return f"{self.service} · {self.region}"


class LocationType(models.TextChoices):
    PHYSICAL = "physical", _("adres")
    VIRTUAL = "virtual", _("online")


class Location(models.Model):
    """A place where services are given (HSDS ``location`` with its ``address``): an
    address, a school from the reference data, or online."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(
        Provider, models.SET_NULL, null=True, blank=True, related_name="locations"
    )
    location_type = models.CharField(
        _("soort locatie"),
        max_length=20,
        choices=LocationType.choices,
        default=LocationType.PHYSICAL,
    )
    name = models.CharField(_("naam van de locatie"), max_length=200)
    description = limits.BoundedTextField(_("toelichting"), max_length=limits.TEXT, blank=True)
    url = models.URLField(_("webadres (online)"), max_length=255, blank=True)
    school = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="socialmap_locations",
        limit_choices_to={"kind": "school_location"},
        verbose_name=_("school"),
    )
    address_1 = models.CharField(_("straat en huisnummer"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postcode"), max_length=7, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("plaats"), max_length=100, blank=True)
    municipality = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="socialmap_locations",
        limit_choices_to={"kind": "municipality"},
        verbose_name=_("gemeente"),
    )
    district = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="socialmap_district_locations",
        limit_choices_to={"kind": "district"},
        verbose_name=_("wijk of kern"),
    )
    latitude = models.DecimalField(
        _("breedtegraad"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("lengtegraad"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        verbose_name = _("locatie")
        verbose_name_plural = _("locaties")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def address_line(self) -> str:
        parts = [self.address_1, " ".join(p for p in (self.postal_code, self.city) if p)]
        return ", ".join(p for p in parts if p)


class ServiceAtLocation(models.Model):
    """A service given at a location (HSDS ``service_at_location``)."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, models.CASCADE, related_name="service_at_locations")
    description = limits.BoundedTextField(_("toelichting"), max_length=limits.TEXT, blank=True)

    class Meta:
        verbose_name = _("aanbod op locatie")
        verbose_name_plural = _("aanbod op locaties")
        ordering = ["location__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="unique_service_at_location"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} · {self.location}"


class Frequency(models.TextChoices):
    WEEKLY = "WEEKLY", _("elke week")
    MONTHLY = "MONTHLY", _("elke maand")


class Schedule(models.Model):
    """When a service is given, at one location or in general (HSDS ``schedule``, the
    iCal subset: freq, byday, opens_at, closes_at, valid_from, valid_to)."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        Service, models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, models.CASCADE, null=True, blank=True, related_name="schedules"
    )
    freq = models.CharField(_("hoe vaak"), max_length=10, choices=Frequency.choices, blank=True)
    byday = models.CharField(
        _("dagen"), max_length=40, blank=True, validators=[validators.validate_byday]
    )
    opens_at = models.TimeField(_("van"), null=True, blank=True)
    closes_at = models.TimeField(_("tot"), null=True, blank=True)
    valid_from = models.DateField(_("geldig vanaf"), null=True, blank=True)
    valid_to = models.DateField(_("geldig tot en met"), null=True, blank=True)
    description = limits.BoundedTextField(_("omschrijving"), max_length=limits.TEXT, blank=True)

    class Meta:
        verbose_name = _("tijden")
        verbose_name_plural = _("tijden")
        ordering = ["valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False, service_at_location__isnull=True)
                | Q(service__isnull=True, service_at_location__isnull=False),
                name="schedule_of_one_service_or_location",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="schedule_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True)
                | Q(opens_at__isnull=True)
                | Q(closes_at__gt=models.F("opens_at")),
                name="schedule_times_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.description or f"{self.byday} {self.opens_at}-{self.closes_at}"

    def clean(self) -> None:
        errors = {}
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            errors["valid_to"] = _("De einddatum ligt voor de begindatum.")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("De eindtijd ligt niet na de begintijd.")
        if errors:
            raise ValidationError(errors)

    @property
    def day_names(self) -> list[str]:
        return [str(validators.DAY_NAMES[day]) for day in self.byday.split(",") if day]


class Phone(models.Model):
    """A telephone number of a service or a location (HSDS ``phone``)."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        Service, models.CASCADE, null=True, blank=True, related_name="phones"
    )
    location = models.ForeignKey(
        Location, models.CASCADE, null=True, blank=True, related_name="phones"
    )
    number = models.CharField(
        _("telefoonnummer"), max_length=30, validators=[validators.validate_phone]
    )
    description = models.CharField(_("toelichting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("telefoonnummer")
        verbose_name_plural = _("telefoonnummers")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | Q(location__isnull=False),
                name="phone_of_service_or_location",
            )
        ]

    def __str__(self) -> str:
        return self.number


class Contact(models.Model):
    """A way to reach the service (HSDS ``contact``). Deliberately without a person's
    name: the sociale kaart holds no personal data, so a contact is a function or a
    department with a functional e-mail address."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, models.CASCADE, related_name="contacts")
    title = models.CharField(_("functie"), max_length=200, blank=True)
    department = models.CharField(_("afdeling of organisatie"), max_length=200, blank=True)
    email = models.EmailField(_("e-mailadres"), blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacten")
        ordering = ["pk"]

    def __str__(self) -> str:
        return " · ".join(part for part in (self.title, self.department, self.email) if part)


class Language(models.Model):
    """A language the service is given in (HSDS ``language``)."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, models.CASCADE, related_name="languages")
    code = models.CharField(
        _("taalcode"), max_length=3, validators=[validators.validate_language_code]
    )
    name = models.CharField(_("taal"), max_length=60)
    note = models.CharField(_("toelichting"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("taal")
        verbose_name_plural = _("talen")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="unique_service_language")
        ]

    def __str__(self) -> str:
        return self.name


class CostOption(models.Model):
    """A price of the service (HSDS ``cost_option``), in euro."""

    uuid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, models.CASCADE, related_name="cost_options")
    option = models.CharField(_("voor wie of wanneer"), max_length=200, blank=True)
    amount = models.DecimalField(
        _("bedrag"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    currency = models.CharField(_("munt"), max_length=3, default="EUR")
    amount_description = models.CharField(
        _("toelichting op het bedrag"), max_length=200, blank=True
    )
    valid_from = models.DateField(_("geldig vanaf"), null=True, blank=True)
    valid_to = models.DateField(_("geldig tot en met"), null=True, blank=True)

    class Meta:
        verbose_name = _("prijs")
        verbose_name_plural = _("prijzen")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.option} {self.amount}"


# ------------------------------------------------------------------ participation, needs


class Participation(models.Model):
    """How many took part in a service in a period, at a school or in a wijk (or the
    whole gemeente). A count, never a person; published through the suppression of small
    numbers (``kansrijk.indicators.suppression``)."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="participations")
    period_start = models.DateField(_("periode vanaf"))
    period_end = models.DateField(_("periode tot en met"))
    period_label = models.CharField(_("periode"), max_length=40)
    school = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="socialmap_participations",
        limit_choices_to={"kind": "school_location"},
        verbose_name=_("school"),
    )
    region = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="socialmap_participations",
        verbose_name=_("wijk of gemeente"),
    )
    # The gemeente of the scope (the school's, the wijk's, or the gemeente itself), kept
    # so the participation rate per gemeente is one grouped query.
    municipality = models.ForeignKey(
        Region, models.PROTECT, related_name="+", verbose_name=_("gemeente")
    )
    participants = models.PositiveIntegerField(_("aantal deelnemers"))
    is_illustrative = models.BooleanField(
        _("illustratief"),
        default=False,
        help_text=_("Geen echt cijfer: een voorbeeld voor de demo."),
    )
    source = models.CharField(_("bron"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("deelname")
        verbose_name_plural = _("deelname")
        ordering = ["service", "period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school__isnull=False, region__isnull=True)
                | Q(school__isnull=True, region__isnull=False),
                name="participation_at_a_school_or_in_a_region",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="participation_period_in_order",
            ),
            models.UniqueConstraint(
                fields=["service", "period_start", "period_end", "school"],
                condition=Q(school__isnull=False),
                name="one_participation_per_school_and_period",
            ),
            models.UniqueConstraint(
                fields=["service", "period_start", "period_end", "region"],
                condition=Q(region__isnull=False),
                name="one_participation_per_region_and_period",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "period_start"]),
            # The API's cursor (decision 0045).
            models.Index(fields=["service", "period_start", "id"], name="participation_keyset"),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.period_label} {self.scope}: {self.participants}"

    @property
    def scope(self):
        return self.school or self.region


class Need(models.Model):
    """A need (ondersteuningsbehoefte) found at a school or in a wijk or gemeente: a theme
    and an age range, as in the inventory of seed 002. No persons."""

    municipality = models.ForeignKey(
        Region,
        models.PROTECT,
        related_name="socialmap_needs",
        limit_choices_to={"kind": "municipality"},
        verbose_name=_("gemeente"),
    )
    district = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="socialmap_district_needs",
        limit_choices_to={"kind": "district"},
        verbose_name=_("wijk of kern"),
    )
    school = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="socialmap_needs",
        limit_choices_to={"kind": "school_location"},
        verbose_name=_("school"),
    )
    theme = models.ForeignKey(
        TaxonomyTerm,
        models.PROTECT,
        related_name="needs",
        limit_choices_to={"taxonomy__code": THEME_TAXONOMY},
        verbose_name=_("thema"),
    )
    minimum_age = models.DecimalField(
        _("leeftijd vanaf"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=AGE_VALIDATORS,
    )
    maximum_age = models.DecimalField(
        _("leeftijd tot en met"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=AGE_VALIDATORS,
    )
    minimum_group = models.PositiveSmallIntegerField(
        _("vanaf groep"), null=True, blank=True, validators=GROUP_VALIDATORS
    )
    maximum_group = models.PositiveSmallIntegerField(
        _("tot en met groep"), null=True, blank=True, validators=GROUP_VALIDATORS
    )
    description = limits.BoundedTextField(_("wat is er nodig?"), max_length=limits.TEXT)
    period_label = models.CharField(_("periode"), max_length=40, blank=True)
    is_illustrative = models.BooleanField(
        _("illustratief"),
        default=False,
        help_text=_("Geen echte behoefte: een voorbeeld voor de demo."),
    )
    source = models.CharField(_("bron"), max_length=255, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("bijgewerkt"), auto_now=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("behoefte")
        verbose_name_plural = _("behoeften")
        ordering = ["municipality__name", "theme__position", "minimum_age", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=False, maximum_age__isnull=False)
                | Q(minimum_group__isnull=False, maximum_group__isnull=False),
                name="need_has_ages_or_groups",
            ),
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(maximum_age__gte=models.F("minimum_age")),
                name="need_ages_in_order",
            ),
            models.CheckConstraint(
                condition=Q(minimum_group__isnull=True)
                | Q(maximum_group__isnull=True)
                | Q(maximum_group__gte=models.F("minimum_group")),
                name="need_groups_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.theme} {self.minimum_age}-{self.maximum_age} · {self.scope}"

    @property
    def scope(self):
        return self.school or self.district or self.municipality

    def clean(self) -> None:
        errors = {}
        ages = (self.minimum_age, self.maximum_age)
        groups = (self.minimum_group, self.maximum_group)
        if None in ages and None in groups:
            errors["minimum_age"] = _(
                "Vul een leeftijd vanaf en tot en met in, of een groep vanaf en tot en met."
            )
        if None not in ages and ages[1] < ages[0]:
            errors["maximum_age"] = _("De leeftijd 'tot en met' ligt onder de leeftijd 'vanaf'.")
        if None not in groups and groups[1] < groups[0]:
            errors["maximum_group"] = _("De groep 'tot en met' ligt onder de groep 'vanaf'.")
        if errors:
            raise ValidationError(errors)


class Reminder(models.Model):
    """A reminder sent to a provider that an entry was not verified for 12 months."""

    service = models.ForeignKey(Service, models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(_("verstuurd op"))
    recipients = models.PositiveIntegerField(_("aantal ontvangers"))

    class Meta:
        verbose_name = _("herinnering")
        verbose_name_plural = _("herinneringen")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.service} · {self.sent_at:%Y-%m-%d}"
