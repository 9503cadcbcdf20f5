"""The agenda as living data: the tree of an uitvoeringsagenda, its planning, its
interventions and their money, recurring commitments and the education prize.

Every item has an ``external_id`` that is stable across exports and imports, so a
spreadsheet round trip updates rows in place instead of duplicating them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kansrijk import limits
from kansrijk.organisations.models import Organisation, Region

from .queries import AgendaQuerySet

# Paths under /agenda/ that are pages of their own, not agendas.
RESERVED_SLUGS = frozenset({"deze-maand", "prijs", "nominatie", "nieuw", "uit-document"})


class AgendaKind(models.TextChoices):
    EXECUTION_AGENDA = "execution_agenda", _("uitvoeringsagenda")
    LOCAL_EDUCATION_AGENDA = "lea", _("LEA/LEJA")
    EQUAL_OPPORTUNITIES = "gka_agenda", _("GKA-agenda")
    EDUCATIONAL_OPPORTUNITIES = "educational_opportunities", _("onderwijskansenbeleid")
    POLICY_FRAMEWORK = "policy_framework", _("beleidskader")
    GUIDANCE = "guidance", _("handreiking")


class AgendaStatus(models.TextChoices):
    CONCEPT = "concept", _("concept")
    ADOPTED = "adopted", _("vastgesteld")
    EVALUATED = "evaluated", _("geëvalueerd")
    # A handreiking is published by its authors, not adopted by a body (seeds 000, 001).
    PUBLISHED = "published", _("gepubliceerd")


class Agenda(models.Model):
    slug = models.SlugField(_("korte naam"), max_length=80, unique=True)
    title = models.CharField(_("titel"), max_length=255)
    subtitle = models.CharField(_("ondertitel"), max_length=255, blank=True)
    kind = models.CharField(_("soort"), max_length=40, choices=AgendaKind.choices)
    owners = models.ManyToManyField(
        Organisation, related_name="owned_agendas", verbose_name=_("eigenaren")
    )
    region = models.ForeignKey(
        Region, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("regio")
    )
    regions = models.ManyToManyField(
        Region, blank=True, related_name="agendas", verbose_name=_("gemeenten en gebieden")
    )
    period_start = models.DateField(_("looptijd vanaf"))
    period_end = models.DateField(_("looptijd tot en met"))
    vision = limits.BoundedTextField(_("visie"), max_length=limits.CHAPTER, blank=True)
    introduction = limits.BoundedTextField(_("inleiding"), max_length=limits.CHAPTER, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AgendaStatus.choices, default=AgendaStatus.CONCEPT
    )
    adopted_on = models.DateField(_("vastgesteld op"), null=True, blank=True)
    adopted_by = models.CharField(_("vastgesteld door"), max_length=200, blank=True)
    is_public = models.BooleanField(
        _("openbaar"),
        default=False,
        help_text=_("Alleen een vastgestelde agenda kan openbaar zijn."),
    )
    source = limits.BoundedTextField(_("bron"), max_length=limits.TEXT, blank=True)
    history = HistoricalRecords()

    objects = AgendaQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda")
        verbose_name_plural = _("agenda's")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="agenda_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(is_public=False) | ~Q(status="concept"),
                name="agenda_public_only_when_adopted",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:detail", args=[self.slug])

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": _("'%(slug)s' is gereserveerd voor een pagina.") % {"slug": self.slug}}
            )


class AgendaItem(models.Model):
    """What every node of the tree shares: its agenda, a stable id and a position."""

    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="+")
    external_id = models.CharField(_("extern id"), max_length=80)
    position = models.PositiveIntegerField(_("volgorde"), default=0)
    # Archived, not deleted: the item leaves the agenda's pages and stays in its history.
    archived_on = models.DateField(_("gearchiveerd op"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]


class ThemeKind(models.TextChoices):
    FACTOR = "factor", _("factor")
    CROSS_CUTTING = "cross_cutting", _("dwarsverband")
    ADVICE = "advice", _("advies")
    INSTRUMENT = "instrument", _("instrument")


class Theme(AgendaItem):
    """A framework theme or factor (seed 000), a cross-cutting theme (seed 002), advice."""

    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="themes")
    kind = models.CharField(_("soort"), max_length=20, choices=ThemeKind.choices)
    number = models.CharField(_("nummer"), max_length=10, blank=True)
    title = models.CharField(_("titel"), max_length=255)
    background = limits.BoundedTextField(_("achtergrond"), max_length=limits.TEXT, blank=True)
    sources = limits.BoundedTextField(_("bronnen"), max_length=limits.TEXT, blank=True)
    history = HistoricalRecords()

    class Meta(AgendaItem.Meta):
        verbose_name = _("thema")
        verbose_name_plural = _("thema's")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "external_id"], name="unique_theme_id")
        ]

    def __str__(self) -> str:
        return self.title


class Spearhead(AgendaItem):
    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="spearheads")
    number = models.CharField(_("nummer"), max_length=10, blank=True)
    title = models.CharField(_("titel"), max_length=255)
    description = limits.BoundedTextField(_("toelichting"), max_length=limits.TEXT, blank=True)
    intended_result = limits.BoundedTextField(
        _("beoogd resultaat"), max_length=limits.TEXT, blank=True
    )
    priority = models.PositiveSmallIntegerField(_("prioriteit"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta(AgendaItem.Meta):
        verbose_name = _("speerpunt")
        verbose_name_plural = _("speerpunten")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "external_id"], name="unique_spearhead_id")
        ]

    def __str__(self) -> str:
        return self.title


class Goal(AgendaItem):
    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="goals")
    spearhead = models.ForeignKey(
        Spearhead, models.CASCADE, null=True, blank=True, related_name="goals"
    )
    themes = models.ManyToManyField(Theme, blank=True, related_name="goals")
    number = models.CharField(_("nummer"), max_length=10, blank=True)
    text = limits.BoundedTextField(_("doel"), max_length=limits.TEXT)
    indicator_text = limits.BoundedTextField(
        _("hoe meten we dat?"), max_length=limits.TEXT, blank=True
    )
    priority = models.CharField(_("prioriteit"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta(AgendaItem.Meta):
        verbose_name = _("doel")
        verbose_name_plural = _("doelen")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "external_id"], name="unique_goal_id")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}" if self.number else self.text


class WorkStatus(models.TextChoices):
    PLANNED = "planned", _("gepland")
    RUNNING = "running", _("lopend")
    DONE = "done", _("afgerond")
    POSTPONED = "postponed", _("uitgesteld")
    CANCELLED = "cancelled", _("vervallen")


class ActivityKind(models.TextChoices):
    MAIN = "main", _("hoofdactiviteit")
    SUB = "sub", _("subactiviteit")
    PLANNING = "planning", _("planningsactiviteit")


class Activity(AgendaItem):
    """A main activity, a sub-activity (with a parent) or a line of the planning table.

    Progress of an activity with children is the mean of its children's progress
    (cancelled children left out); see ``services.rolled_up_progress``.
    """

    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="activities")
    goal = models.ForeignKey(Goal, models.CASCADE, null=True, blank=True, related_name="activities")
    parent = models.ForeignKey(
        "self", models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("soort"), max_length=20, choices=ActivityKind.choices)
    title = limits.BoundedTextField(_("activiteit"), max_length=limits.TEXT)
    description = limits.BoundedTextField(_("toelichting"), max_length=limits.TEXT, blank=True)
    planned_text = models.CharField(
        _("planning zoals geschreven"),
        max_length=200,
        blank=True,
        help_text=_("Bijv. 'jan–dec' of 'begin 2023'."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(
        _("voortgang (%)"), null=True, blank=True, help_text=_("0 tot en met 100.")
    )
    history = HistoricalRecords()

    class Meta(AgendaItem.Meta):
        verbose_name = _("activiteit")
        verbose_name_plural = _("activiteiten")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "external_id"], name="unique_activity_id"),
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__lte=100),
                name="activity_progress_at_most_100",
            ),
        ]
        indexes = [models.Index(fields=["agenda", "goal", "kind"])]

    def __str__(self) -> str:
        return self.title


class Intervention(AgendaItem):
    """An intervention card (seed 004)."""

    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="interventions")
    goals = models.ManyToManyField(Goal, blank=True, related_name="interventions")
    name = models.CharField(_("naam"), max_length=255)
    parties_text = limits.BoundedTextField(
        _("betrokken partijen"), max_length=limits.TEXT, blank=True
    )
    planning_text = limits.BoundedTextField(_("planning"), max_length=limits.TEXT, blank=True)
    goal_text = limits.BoundedTextField(
        _("doel van de interventie"), max_length=limits.TEXT, blank=True
    )
    target_group = limits.BoundedTextField(_("doelgroep"), max_length=limits.TEXT, blank=True)
    age_min = models.DecimalField(
        _("leeftijd vanaf"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    age_max = models.DecimalField(
        _("leeftijd tot en met"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    location_text = limits.BoundedTextField(
        _("locatie (wijk, school)"), max_length=limits.TEXT, blank=True
    )
    locations = models.ManyToManyField(Region, blank=True, related_name="interventions")
    activities_text = limits.BoundedTextField(_("activiteiten"), max_length=limits.TEXT, blank=True)
    monitoring_text = limits.BoundedTextField(
        _("monitoring en evaluatie"), max_length=limits.TEXT, blank=True
    )
    financing_text = limits.BoundedTextField(
        _("financiering zoals geschreven"), max_length=limits.TEXT, blank=True
    )
    online_information = models.CharField(_("online informatie"), max_length=255, blank=True)
    contact = limits.BoundedTextField(_("contact"), max_length=limits.TEXT, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("voortgang (%)"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta(AgendaItem.Meta):
        verbose_name = _("interventie")
        verbose_name_plural = _("interventies")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "external_id"], name="unique_intervention_id")
        ]

    def __str__(self) -> str:
        return self.name


class InvolvementRole(models.TextChoices):
    LEAD = "lead", _("voortrekker")
    PARTNER = "partner", _("partner")
    FUNDER = "funder", _("financier")
    EXECUTOR = "executor", _("uitvoerder")


class Involvement(models.Model):
    """An organisation (or a party named in the text, like 'alle kinderopvanginstellingen')
    in a role on an activity or an intervention; optionally a person of that organisation
    (a user with a membership of it), when a werkgroep names who carries it.

    Roles are set through ``services.set_roles``: at most one voortrekker per item."""

    activity = models.ForeignKey(
        Activity, models.CASCADE, null=True, blank=True, related_name="involvements"
    )
    intervention = models.ForeignKey(
        Intervention, models.CASCADE, null=True, blank=True, related_name="involvements"
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="agenda_involvements"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="agenda_involvements",
        verbose_name=_("persoon"),
        help_text=_("Iemand van de organisatie, als de rol bij één persoon ligt."),
    )
    party_name = models.CharField(_("partij (als tekst)"), max_length=200, blank=True)
    role = models.CharField(_("rol"), max_length=20, choices=InvolvementRole.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("betrokkenheid")
        verbose_name_plural = _("betrokkenheden")
        constraints = [
            # A person takes part for an organisation, never on their own.
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(organisation__isnull=False),
                name="involvement_person_of_an_organisation",
            ),
            models.UniqueConstraint(
                fields=["activity"],
                condition=Q(role="lead", activity__isnull=False),
                name="one_lead_per_activity",
            ),
            models.UniqueConstraint(
                fields=["intervention"],
                condition=Q(role="lead", intervention__isnull=False),
                name="one_lead_per_intervention",
            ),
            models.CheckConstraint(
                condition=Q(activity__isnull=False, intervention__isnull=True)
                | Q(activity__isnull=True, intervention__isnull=False),
                name="involvement_on_one_item",
            ),
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | ~Q(party_name=""),
                name="involvement_names_a_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party_label()} ({self.get_role_display()})"

    def party_label(self) -> str:
        """How a reader sees the party: 'Jan de Vries (Gemeente Maassluis)', the
        organisation's name, or the party as the text wrote it."""
        if self.organisation_id is None:
            return self.party_name
        if self.person_id is not None:
            person = self.person.get_full_name() or self.person.username
            return f"{person} ({self.organisation.name})"
        return self.organisation.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from kansrijk.organisations.models import Membership

        if self.person_id is None:
            return
        if self.organisation_id is None:
            raise ValidationError(
                {"person": _("Kies ook de organisatie waarvoor deze persoon werkt.")}
            )
        member = Membership.objects.filter(
            user_id=self.person_id, organisation_id=self.organisation_id, is_active=True
        )
        if not member.exists():
            raise ValidationError(
                {
                    "person": _("%(person)s werkt niet (meer) voor %(organisation)s.")
                    % {"person": self.person, "organisation": self.organisation.name}
                }
            )


class PlannedMonth(models.Model):
    """One month in which an activity or intervention is planned (first day of the month)."""

    activity = models.ForeignKey(
        Activity, models.CASCADE, null=True, blank=True, related_name="planned_months"
    )
    intervention = models.ForeignKey(
        Intervention, models.CASCADE, null=True, blank=True, related_name="planned_months"
    )
    month = models.DateField(_("maand"))

    class Meta:
        verbose_name = _("geplande maand")
        verbose_name_plural = _("geplande maanden")
        ordering = ["month"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, intervention__isnull=True)
                | Q(activity__isnull=True, intervention__isnull=False),
                name="planned_month_on_one_item",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="planned_month_first_day"),
            models.UniqueConstraint(fields=["activity", "month"], name="unique_activity_month"),
            models.UniqueConstraint(
                fields=["intervention", "month"], name="unique_intervention_month"
            ),
        ]
        indexes = [models.Index(fields=["month"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class ProgressNote(models.Model):
    activity = models.ForeignKey(
        Activity, models.CASCADE, null=True, blank=True, related_name="progress_notes"
    )
    intervention = models.ForeignKey(
        Intervention, models.CASCADE, null=True, blank=True, related_name="progress_notes"
    )
    date = models.DateField(_("datum"))
    text = limits.BoundedTextField(_("notitie"), max_length=limits.TEXT)
    is_milestone = models.BooleanField(_("mijlpaal"), default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("voortgangsnotitie")
        verbose_name_plural = _("voortgangsnotities")
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, intervention__isnull=True)
                | Q(activity__isnull=True, intervention__isnull=False),
                name="progress_note_on_one_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date}: {self.text[:40]}"


class EvaluationMoment(models.Model):
    """A dated evaluation of the agenda (interim, final) or of one intervention."""

    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="evaluation_moments")
    intervention = models.ForeignKey(
        Intervention, models.CASCADE, null=True, blank=True, related_name="evaluation_moments"
    )
    external_id = models.CharField(_("extern id"), max_length=80)
    month = models.DateField(_("maand"), help_text=_("Eerste dag van de maand."))
    planned_text = models.CharField(_("planning zoals geschreven"), max_length=200, blank=True)
    description = limits.BoundedTextField(_("omschrijving"), max_length=limits.TEXT)
    done_on = models.DateField(_("uitgevoerd op"), null=True, blank=True)
    archived_on = models.DateField(_("gearchiveerd op"), null=True, blank=True)
    # Without a history table: the key of a shared public document sees an edit by this
    # (decision 0054).
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)

    class Meta:
        verbose_name = _("evaluatiemoment")
        verbose_name_plural = _("evaluatiemomenten")
        ordering = ["month", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "external_id"], name="unique_evaluation_id"),
            models.CheckConstraint(condition=Q(month__day=1), name="evaluation_month_first_day"),
        ]

    def __str__(self) -> str:
        return self.description


class FundingSource(models.TextChoices):
    GKA = "gka", _("Gelijke Kansen Alliantie (GKA)")
    OAB = "oab", _("onderwijsachterstandenmiddelen (OAB)")
    NPO = "npo", _("Nationaal Programma Onderwijs (NPO)")
    YOUTH_CARE = "youth_care", _("jeugdzorg/Jeugdwet")
    SWV = "swv", _("samenwerkingsverband")
    PARTNER_CONTRIBUTION = "partner_contribution", _("eigen bijdrage partners")
    CORONA = "corona", _("Perspectief voor jeugd/coronamiddelen")
    MUNICIPAL_EDUCATION = "municipal_education", _("gemeentelijk onderwijsbudget")
    OTHER = "other", _("overig")


# The funding lines that count: neither archived themselves nor of an archived card or
# activity (decision 0037). A line without a card matches on the card's side too (the
# outer join gives NULL), and the other way round.
CURRENT_FUNDING = Q(archived_on=None, intervention__archived_on=None, activity__archived_on=None)


class FundingLine(models.Model):
    """Money for an intervention or activity in one year from one source.

    Seed 004 writes amounts as "circa € 120.000 per locatie per jaar, helft OAB". We keep
    what was written (``unit_amount`` per ``unit``, times ``quantity``, times ``share``)
    and the amount that counts in totals, ``planned_amount``, computed from them when a
    unit amount is given. ``is_estimate`` marks "circa".
    """

    intervention = models.ForeignKey(
        Intervention, models.CASCADE, null=True, blank=True, related_name="funding_lines"
    )
    activity = models.ForeignKey(
        Activity, models.CASCADE, null=True, blank=True, related_name="funding_lines"
    )
    external_id = models.CharField(_("extern id"), max_length=80)
    year = models.PositiveSmallIntegerField(_("jaar"))
    source = models.CharField(_("bron"), max_length=30, choices=FundingSource.choices)
    payer = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="funding_lines",
        verbose_name=_("betaler"),
        help_text=_(
            "De organisatie die dit bedrag betaalt. Leeg als de bron niet zegt wie van de "
            "partners betaalt."
        ),
    )
    unit_amount = models.DecimalField(
        _("bedrag per eenheid"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(
        _("eenheid"), max_length=80, blank=True, help_text=_("Bijv. 'per locatie per jaar'.")
    )
    quantity = models.DecimalField(
        _("aantal eenheden"), max_digits=8, decimal_places=4, default=Decimal(1)
    )
    share = models.DecimalField(
        _("aandeel van deze bron"), max_digits=5, decimal_places=4, default=Decimal(1)
    )
    planned_amount = models.DecimalField(_("begroot (€)"), max_digits=12, decimal_places=2)
    realised_amount = models.DecimalField(
        _("gerealiseerd (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    is_estimate = models.BooleanField(_("circa"), default=False)
    notes = limits.BoundedTextField(_("toelichting"), max_length=limits.TEXT, blank=True)
    archived_on = models.DateField(_("gearchiveerd op"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("financieringsregel")
        verbose_name_plural = _("financieringsregels")
        ordering = ["year", "source", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(activity__isnull=False, intervention__isnull=True)
                | Q(activity__isnull=True, intervention__isnull=False),
                name="funding_line_on_one_item",
            ),
            models.CheckConstraint(
                condition=Q(planned_amount__gte=0), name="funding_planned_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=1), name="funding_share_between_0_and_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_source_display()} € {self.planned_amount}"

    def computed_amount(self) -> Decimal | None:
        if self.unit_amount is None:
            return None
        return (self.unit_amount * self.quantity * self.share).quantize(Decimal("0.01"))


class Commitment(models.Model):
    """A recurring promise: 'twice a year an administrative meeting with the alliance'."""

    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="commitments")
    external_id = models.CharField(_("extern id"), max_length=80)
    text = limits.BoundedTextField(_("afspraak"), max_length=limits.TEXT)
    owner = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="commitments"
    )
    times_per_year = models.PositiveSmallIntegerField(_("keer per jaar"), null=True, blank=True)
    at_least = models.BooleanField(_("minimaal"), default=False)
    position = models.PositiveIntegerField(default=0)
    # Without a history table: the key of a shared public document sees an edit by this
    # (decision 0054).
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)

    class Meta:
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "external_id"], name="unique_commitment_id")
        ]

    def __str__(self) -> str:
        return self.text


class CommitmentOccurrence(models.Model):
    commitment = models.ForeignKey(Commitment, models.CASCADE, related_name="occurrences")
    date = models.DateField(_("datum"))
    note = limits.BoundedTextField(_("notitie"), max_length=limits.TEXT, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("keer dat de afspraak is nagekomen")
        verbose_name_plural = _("keren dat de afspraak is nagekomen")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.commitment}: {self.date}"


class AgendaVersion(models.Model):
    """A frozen copy of the whole tree, made on adoption or on request (for the diff)."""

    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("versie"))
    label = models.CharField(_("omschrijving"), max_length=200)
    created_at = models.DateTimeField(_("gemaakt op"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+"
    )
    snapshot = models.JSONField(_("inhoud"))

    class Meta:
        verbose_name = _("versie")
        verbose_name_plural = _("versies")
        ordering = ["agenda", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agenda", "number"], name="unique_agenda_version")
        ]

    def __str__(self) -> str:
        return f"{self.agenda} v{self.number}"


class PrizeCategory(models.TextChoices):
    PUPIL_PRIMARY = "pupil_po", _("leerling PO")
    PUPIL_SECONDARY = "pupil_vo", _("leerling VO")
    STAFF = "staff", _("personeel onderwijs en opvang")
    OTHERS = "others", _("overige betrokkenen")


def default_nomination_window(year: int) -> tuple[datetime.date, datetime.date]:
    """Nominations for the edition of ``year``: from 1 September of the year before up to
    and including the last day of February, before the ceremony in the spring (seed 003:
    "De prijsuitreiking vindt plaats in het voorjaar"). The organiser may set other dates."""
    first_of_march = datetime.date(year, 3, 1)
    return datetime.date(year - 1, 9, 1), first_of_march - datetime.timedelta(days=1)


class EducationPrizeQuerySet(models.QuerySet):
    def taking_nominations(self, on: datetime.date):
        return self.filter(
            nominations_open=True, nominations_from__lte=on, nominations_until__gte=on
        )


class EducationPrize(models.Model):
    """One edition of the education prize of seed 003 ("tweejaarlijks", four categories).

    Editions follow each other every ``cycle_years``; an edition takes nominations only
    within its own window (``nominations_from`` to ``nominations_until``), so the edition
    of 2021 is closed in 2026 while that of 2027 may be open. ``nominations_open`` lets
    the organiser close an edition before its window ends."""

    agenda = models.ForeignKey(Agenda, models.CASCADE, null=True, blank=True, related_name="prizes")
    organiser = models.ForeignKey(Organisation, models.PROTECT, related_name="prizes")
    name = models.CharField(_("naam"), max_length=200)
    year = models.PositiveSmallIntegerField(_("jaar"))
    cycle_years = models.PositiveSmallIntegerField(
        _("om de hoeveel jaar"), default=2, help_text=_("2 voor een tweejaarlijkse prijs.")
    )
    nominations_from = models.DateField(
        _("nomineren kan vanaf"),
        blank=True,
        help_text=_("Leeg: 1 september van het jaar ervoor."),
    )
    nominations_until = models.DateField(
        _("nomineren kan tot en met"),
        blank=True,
        help_text=_("Leeg: de laatste dag van februari van het jaar van de prijs."),
    )
    nominations_open = models.BooleanField(
        _("nominaties open"),
        default=True,
        help_text=_("Zet dit uit om de nominaties eerder te sluiten dan de einddatum."),
    )

    objects = EducationPrizeQuerySet.as_manager()

    class Meta:
        verbose_name = _("onderwijsprijs")
        verbose_name_plural = _("onderwijsprijzen")
        ordering = ["organiser", "name", "year"]
        constraints = [
            models.UniqueConstraint(fields=["organiser", "name", "year"], name="unique_prize_year"),
            models.CheckConstraint(
                condition=Q(nominations_until__gte=models.F("nominations_from")),
                name="prize_nomination_window_in_order",
            ),
            models.CheckConstraint(condition=Q(cycle_years__gte=1), name="prize_cycle_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.year}"

    def save(self, *args, **kwargs):
        self._fill_window()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self._fill_window()
        if (
            self.nominations_from
            and self.nominations_until
            and self.nominations_until < self.nominations_from
        ):
            raise ValidationError(
                {"nominations_until": _("De einddatum ligt vóór de begindatum van het nomineren.")}
            )

    def _fill_window(self) -> None:
        """An empty window is the default one of the edition's year."""
        if self.year and not (self.nominations_from and self.nominations_until):
            default_from, default_until = default_nomination_window(self.year)
            self.nominations_from = self.nominations_from or default_from
            self.nominations_until = self.nominations_until or default_until

    def takes_nominations_on(self, day: datetime.date) -> bool:
        return (
            self.nominations_open
            and self.nominations_from is not None
            and self.nominations_until is not None
            and self.nominations_from <= day <= self.nominations_until
        )

    @property
    def takes_nominations(self) -> bool:
        """Whether the public may nominate today (for templates)."""
        return self.takes_nominations_on(timezone.localdate())

    @property
    def nominations_not_yet_open(self) -> bool:
        return (
            self.nominations_open
            and self.nominations_from is not None
            and timezone.localdate() < self.nominations_from
        )

    def later_editions(self):
        """The editions of the same prize after this one, the next first."""
        return EducationPrize.objects.filter(
            organiser_id=self.organiser_id, name=self.name, year__gt=self.year
        ).order_by("year")


class NominationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("ingediend")
    SHORTLISTED = "shortlisted", _("genomineerd (shortlist)")
    WINNER = "winner", _("winnaar")
    NOT_SELECTED = "not_selected", _("niet gekozen")


class Nomination(models.Model):
    prize = models.ForeignKey(EducationPrize, models.CASCADE, related_name="nominations")
    category = models.CharField(_("categorie"), max_length=20, choices=PrizeCategory.choices)
    nominee = models.CharField(_("genomineerde"), max_length=200)
    motivation = limits.BoundedTextField(_("motivatie"), max_length=limits.TEXT)
    submitted_by = models.CharField(_("ingediend door"), max_length=200)
    co_signers = limits.BoundedTextField(
        _("mede-ondertekenaars"),
        max_length=limits.NOTE,
        blank=True,
        help_text=_("Eén naam per regel."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=NominationStatus.choices,
        default=NominationStatus.SUBMITTED,
    )
    submitted_at = models.DateTimeField(_("ingediend op"), auto_now_add=True)

    class Meta:
        verbose_name = _("nominatie")
        verbose_name_plural = _("nominaties")
        ordering = ["category", "submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["prize", "category"],
                condition=Q(status="winner"),
                name="one_winner_per_prize_category",
            )
        ]

    def __str__(self) -> str:
        return f"{self.nominee} ({self.get_category_display()})"

    def co_signer_list(self) -> list[str]:
        return [line.strip() for line in self.co_signers.splitlines() if line.strip()]


class CurveStory(models.Model):
    """The story behind the curve (Results-Based Accountability) of one indicator in one
    agenda: what drives the trend, in the words of the agenda's editors, for the council.

    It belongs to the pair and not to the indicator alone: the same figure (the VVE reach
    of a gemeente) can be read differently by two agendas that steer on it. The story of a
    single figure stays on its measurement (``Measurement.story``)."""

    agenda = models.ForeignKey(Agenda, models.CASCADE, related_name="curve_stories")
    indicator = models.ForeignKey(
        "indicators.Indicator", models.CASCADE, related_name="+", verbose_name=_("indicator")
    )
    text = limits.BoundedTextField(
        _("het verhaal achter de curve"), max_length=limits.TEXT, blank=True
    )
    updated_at = models.DateTimeField(_("bijgewerkt op"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("verhaal achter de curve")
        verbose_name_plural = _("verhalen achter de curve")
        constraints = [
            models.UniqueConstraint(fields=["agenda", "indicator"], name="one_curve_story")
        ]

    def __str__(self) -> str:
        return f"{self.agenda}: {self.indicator}"


class ReminderKind(models.TextChoices):
    COMMITMENT = "commitment", _("afspraak")
    EVALUATION = "evaluation", _("evaluatiemoment")


class SentReminder(models.Model):
    """One reminder e-mail to one person about one thing that falls due in one month.

    ``key`` names the thing and its due period ("commitment:12:2026-06"); with the
    recipient it is unique, so a second run of the reminders sends nothing (decision
    0039). The links to the commitment or evaluation are kept loose (SET_NULL): what was
    sent stays on record when the item is removed, by its ``subject``."""

    key = models.CharField(_("sleutel"), max_length=120)
    kind = models.CharField(_("over"), max_length=20, choices=ReminderKind.choices)
    commitment = models.ForeignKey(
        Commitment, models.SET_NULL, null=True, blank=True, related_name="reminders"
    )
    evaluation_moment = models.ForeignKey(
        EvaluationMoment, models.SET_NULL, null=True, blank=True, related_name="reminders"
    )
    agenda = models.ForeignKey(
        Agenda, models.SET_NULL, null=True, blank=True, related_name="sent_reminders"
    )
    organisation = models.ForeignKey(
        Organisation,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_reminders",
        verbose_name=_("namens organisatie"),
    )
    due_month = models.DateField(_("maand"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ontvanger"),
    )
    email = models.EmailField(_("e-mailadres"))
    subject = models.CharField(_("onderwerp"), max_length=255)
    sent_at = models.DateTimeField(_("verstuurd op"))

    class Meta:
        verbose_name = _("verstuurde herinnering")
        verbose_name_plural = _("verstuurde herinneringen")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="one_reminder_per_recipient"),
            models.CheckConstraint(condition=Q(due_month__day=1), name="reminder_month_first_day"),
        ]
        indexes = [
            models.Index(fields=["organisation", "-sent_at"]),
            # The page of sent reminders seeks on (sent_at, id), decision 0044.
            models.Index(fields=["sent_at", "id"], name="sent_reminder_at_id"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.email}"
