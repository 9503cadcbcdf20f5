"""The indicator monitor: definitions, baselines (nulmetingen), targets and measurements.

A rate stores its numerator and denominator; the value is derived from them, and an
aggregate over regions is the sum of numerators over the sum of denominators, never the
mean of percentages.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kansrijk import limits
from kansrijk.organisations.models import Organisation, Region

from .queries import IndicatorQuerySet, MeasurementQuerySet


class Unit(models.TextChoices):
    PERCENTAGE = "percentage", _("percentage")
    COUNT = "count", _("aantal")
    HOURS = "hours", _("uren")
    EURO = "euro", _("euro")
    SCORE = "score", _("score")


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("hoger is beter")
    LOWER_IS_BETTER = "lower", _("lager is beter")
    NEUTRAL = "neutral", _("neutraal")


class PeriodType(models.TextChoices):
    SCHOOL_YEAR = "school_year", _("schooljaar")
    CALENDAR_YEAR = "calendar_year", _("kalenderjaar")
    QUARTER = "quarter", _("kwartaal")
    MONTH = "month", _("maand")
    REFERENCE_DATE = "reference_date", _("peildatum")


class SourceKind(models.TextChoices):
    ENTERED = "entered", _("ingevoerd")
    IMPORTED = "imported", _("geïmporteerd")
    COMPUTED = "computed", _("berekend")
    EXTERNAL = "external", _("externe bron")


def default_threshold() -> int:
    return settings.KANSRIJK["SMALL_NUMBER_THRESHOLD"]


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("naam"), max_length=255)
    definition = limits.BoundedTextField(_("definitie"), max_length=limits.TEXT, blank=True)
    unit = models.CharField(_("eenheid"), max_length=20, choices=Unit.choices)
    polarity = models.CharField(
        _("richting"), max_length=10, choices=Polarity.choices, default=Polarity.HIGHER_IS_BETTER
    )
    numerator_definition = limits.BoundedTextField(_("teller"), max_length=limits.TEXT, blank=True)
    denominator_definition = limits.BoundedTextField(
        _("noemer"),
        max_length=limits.TEXT,
        blank=True,
        help_text=_("Alleen voor een verhoudingsgetal."),
    )
    period_type = models.CharField(_("soort periode"), max_length=20, choices=PeriodType.choices)
    breakdown_levels = models.JSONField(
        _("uitsplitsing naar"),
        default=list,
        blank=True,
        help_text=_("Regiosoorten of 'school' waarnaar het cijfer mag worden uitgesplitst."),
    )
    source_kind = models.CharField(
        _("bron"), max_length=20, choices=SourceKind.choices, default=SourceKind.ENTERED
    )
    source_name = models.CharField(_("naam van de bron"), max_length=200, blank=True)
    source_url = models.URLField(_("adres van de bron"), blank=True)
    computed_key = models.CharField(
        _("berekening"),
        max_length=80,
        blank=True,
        help_text=_("Sleutel in het register van berekende indicatoren."),
    )
    owner = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("eigenaar"),
    )
    goals = models.ManyToManyField(
        "agenda.Goal", blank=True, related_name="indicators", verbose_name=_("doelen")
    )
    comparison = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("landelijke reeks ter vergelijking"),
        help_text=_("Bijv. het landelijke VVE-bereik naast het bereik in de gemeente."),
    )
    is_public = models.BooleanField(_("openbaar"), default=False)
    suppression_threshold = models.PositiveSmallIntegerField(
        _("drempel kleine aantallen"), default=default_threshold
    )
    decimals = models.PositiveSmallIntegerField(_("decimalen"), default=0)
    history = HistoricalRecords()

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicatoren")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("indicators:detail", args=[self.code])

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator_definition)

    def figure_to_store(self, *, value=None, numerator=None, denominator=None) -> dict:
        """What is stored of a figure as it was entered: for a rate the numerator and
        denominator when both are given (the value is derived from them, so regions
        add up), else the value itself. A value given beside them must agree with them.
        Raises a ValidationError (per field, in Dutch) for a figure that cannot be."""
        if not self.is_rate:
            numerator = denominator = None
        if numerator is None and denominator is None:
            if value is None:
                field = "value"
                message = (
                    _("Vul de waarde in, of de teller en de noemer.")
                    if self.is_rate
                    else _("Vul de waarde in.")
                )
                raise ValidationError({field: message})
            self._check_value(value)
            return {"value": value, "numerator": None, "denominator": None}
        if numerator is None or denominator is None:
            missing = "numerator" if numerator is None else "denominator"
            raise ValidationError(
                {missing: _("Vul de teller én de noemer in, of alleen de waarde.")}
            )
        if denominator <= 0:
            raise ValidationError({"denominator": _("De noemer moet groter zijn dan 0.")})
        if numerator < 0:
            raise ValidationError({"numerator": _("De teller kan niet negatief zijn.")})
        if numerator > denominator:
            raise ValidationError({"numerator": _("De teller kan niet groter zijn dan de noemer.")})
        derived = numerator / denominator * (100 if self.unit == Unit.PERCENTAGE else 1)
        if value is not None and abs(value - derived) > Decimal(1).scaleb(-self.decimals):
            raise ValidationError(
                {
                    "value": _(
                        "De waarde past niet bij teller en noemer: die geven %(derived)s. "
                        "Laat de waarde leeg of verbeter teller of noemer."
                    )
                    % {"derived": number_format(round(derived, max(self.decimals, 1)))}
                }
            )
        return {"value": None, "numerator": numerator, "denominator": denominator}

    def _check_value(self, value) -> None:
        if self.unit == Unit.PERCENTAGE and not 0 <= value <= 100:
            raise ValidationError({"value": _("Een percentage ligt tussen 0 en 100.")})


class ScopedFigure(models.Model):
    """A figure for one scope: a region (gemeente, RMC-regio, land) or an organisation."""

    region = models.ForeignKey(Region, models.PROTECT, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def scope(self):
        return self.region or self.organisation


SCOPE_IS_ONE = Q(region__isnull=False, organisation__isnull=True) | Q(
    region__isnull=True, organisation__isnull=False
)


class Baseline(ScopedFigure):
    """The nulmeting of an indicator for one scope."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="baselines")
    period_label = models.CharField(_("periode"), max_length=40)
    date = models.DateField(_("datum"))
    value = models.DecimalField(_("waarde"), max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(
        _("teller"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("noemer"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    note = limits.BoundedTextField(_("toelichting"), max_length=limits.TEXT, blank=True)
    source = models.CharField(_("bron"), max_length=255, blank=True)
    # Without a history table: the key of a shared public document sees an edit by this
    # (decision 0054).
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)

    class Meta:
        verbose_name = _("nulmeting")
        verbose_name_plural = _("nulmetingen")
        constraints = [
            models.CheckConstraint(condition=SCOPE_IS_ONE, name="baseline_one_scope"),
            models.UniqueConstraint(
                fields=["indicator", "region"],
                condition=Q(region__isnull=False),
                name="one_baseline_per_region",
            ),
            models.UniqueConstraint(
                fields=["indicator", "organisation"],
                condition=Q(organisation__isnull=False),
                name="one_baseline_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_label}: {self.value}"


class Target(ScopedFigure):
    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="targets")
    date = models.DateField(_("streefdatum"))
    period_label = models.CharField(_("periode"), max_length=40, blank=True)
    value = models.DecimalField(_("streefwaarde"), max_digits=14, decimal_places=4)
    note = limits.BoundedTextField(_("toelichting"), max_length=limits.TEXT, blank=True)
    source = models.CharField(_("bron"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)

    class Meta:
        verbose_name = _("streefwaarde")
        verbose_name_plural = _("streefwaarden")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(condition=SCOPE_IS_ONE, name="target_one_scope"),
            models.UniqueConstraint(
                fields=["indicator", "region", "date"],
                condition=Q(region__isnull=False),
                name="one_region_target_per_date",
            ),
            models.UniqueConstraint(
                fields=["indicator", "organisation", "date"],
                condition=Q(organisation__isnull=False),
                name="one_organisation_target_per_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.date}: {self.value}"


class ApprovalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("ingediend")
    APPROVED = "approved", _("goedgekeurd")
    REJECTED = "rejected", _("afgewezen")


class Measurement(ScopedFigure):
    """One figure: indicator × period × scope × optional breakdown (e.g. sector PO)."""

    indicator = models.ForeignKey(Indicator, models.CASCADE, related_name="measurements")
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="measurements"
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="measurements"
    )
    period_start = models.DateField(_("periode vanaf"))
    period_end = models.DateField(_("periode tot en met"))
    period_label = models.CharField(_("periode"), max_length=40)
    breakdown_key = models.CharField(_("uitsplitsing"), max_length=40, blank=True)
    breakdown_value = models.CharField(_("categorie"), max_length=80, blank=True)
    value = models.DecimalField(_("waarde"), max_digits=14, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(
        _("teller"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("noemer"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    is_final = models.BooleanField(_("definitief"), default=False)
    story = limits.BoundedTextField(
        _("het verhaal achter het cijfer"), max_length=limits.TEXT, blank=True
    )
    source = models.CharField(_("bron"), max_length=255, blank=True)
    is_generated = models.BooleanField(
        _("gegenereerd voor de demo"),
        default=False,
        help_text=_("Geen echt cijfer: alleen voor de demo."),
    )
    withheld = models.BooleanField(
        _("afgeschermd door de bron"),
        default=False,
        help_text=_(
            "Een berekend cijfer dat de module met de gegevens afschermt om een klein "
            "aantal elders te beschermen; het wordt nergens getoond."
        ),
    )
    approval = models.CharField(
        _("goedkeuring"),
        max_length=20,
        choices=ApprovalStatus.choices,
        default=ApprovalStatus.SUBMITTED,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the refresh last computed a computed figure, whether or not it changed: the
    # figure is up to date with the register or the sociale kaart as of this moment
    # (docs/decisions/0022). Not editable, and not in the audit's before and after.
    computed_at = models.DateTimeField(_("berekend op"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("meting")
        verbose_name_plural = _("metingen")
        ordering = ["indicator", "period_start"]
        constraints = [
            models.CheckConstraint(condition=SCOPE_IS_ONE, name="measurement_one_scope"),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="measurement_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=False)
                | Q(numerator__isnull=False, denominator__isnull=False),
                name="measurement_has_a_value",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="measurement_denominator_positive",
            ),
            # Two partial constraints: NULLs are distinct in a plain unique constraint.
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "period_start",
                    "period_end",
                    "region",
                    "breakdown_key",
                    "breakdown_value",
                ],
                condition=Q(region__isnull=False),
                name="one_region_measurement_per_cell",
            ),
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "period_start",
                    "period_end",
                    "organisation",
                    "breakdown_key",
                    "breakdown_value",
                ],
                condition=Q(organisation__isnull=False),
                name="one_organisation_measurement_per_cell",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "period_start", "region"]),
            models.Index(fields=["indicator", "approval"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_label} {self.scope}: {self.display_value}"

    @property
    def display_value(self) -> Decimal | None:
        """The value, or for a rate numerator/denominator (× 100 for a percentage)."""
        if self.numerator is not None and self.denominator:
            ratio = self.numerator / self.denominator
            return ratio * 100 if self.indicator.unit == Unit.PERCENTAGE else ratio
        return self.value
