"""The thuiszitters and verzuim register: the only place in Kansrijk with personal data.

* ``YoungPerson`` holds the BSN or onderwijsnummer encrypted (``crypto``) with a keyed hash
  for look-ups, the name and birth date, the woongemeente with its history
  (``Residence``) and the parents or guardians (``Contact``).
* ``Enrolment`` (inschrijving) at a school location, ``AbsenceReport`` (verzuimmelding)
  with DUO's kinds and statuses, ``Exemption`` (vrijstelling) with its ground.
* ``Case`` is one thuiszitter episode (absoluut verzuim, relatief verzuim or vrijstelling
  5 onder a) with its timeline (``CaseEvent``) and agreements (``Agreement``).
* ``ReportedCount`` is what a school or SWV reports for a peildatum (a number, no person);
  ``ImportRun`` follows one file through the import.

No string representation carries a name, birth date or number: ``str()`` ends up in the
audit trail, which outlives the retention terms of the register.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kansrijk import limits
from kansrijk.organisations.models import Organisation, Region, Sector

from . import crypto, dates
from .queries import CaseQuerySet, ExemptionQuerySet, YoungPersonQuerySet


class IdentifierKind(models.TextChoices):
    BSN = "bsn", _("BSN")
    EDUCATION_NUMBER = "onderwijsnummer", _("onderwijsnummer")


class YoungPerson(models.Model):
    """A pupil or young person (jongere) known to leerplicht or RMC."""

    identifier_kind = models.CharField(
        _("soort nummer"), max_length=20, choices=IdentifierKind.choices
    )
    # A Fernet token of the number (never the number itself) and its keyed hash.
    identifier_encrypted = models.TextField(_("nummer (versleuteld)"), editable=False)
    identifier_hash = models.CharField(_("zoeksleutel"), max_length=64, editable=False)
    given_name = models.CharField(_("voornaam"), max_length=100, blank=True)
    family_name = models.CharField(_("achternaam"), max_length=150, blank=True)
    birth_date = models.DateField(_("geboortedatum"))
    start_qualification_on = models.DateField(
        _("startkwalificatie behaald op"), null=True, blank=True
    )
    is_synthetic = models.BooleanField(
        _("synthetisch"), default=False, help_text=_("Gegenereerd voor demo of benchmark.")
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)

    objects = YoungPersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("jongere")
        verbose_name_plural = _("jongeren")
        # A constraint rather than unique=True: on PostgreSQL that also builds a LIKE
        # index, which no query uses (the hash is only ever compared whole) and every
        # import would keep up to date.
        constraints = [
            models.UniqueConstraint(fields=["identifier_hash"], name="one_young_person_per_hash")
        ]

    def __str__(self) -> str:
        return f"jongere {self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def identifier(self) -> str:
        """The decrypted number. Only the views that audit a reveal call this."""
        return crypto.decrypt(self.identifier_encrypted)

    def set_identifier(self, kind: str, number: str) -> None:
        self.identifier_kind = kind
        self.identifier_encrypted = crypto.encrypt(number)
        self.identifier_hash = crypto.identifier_hash(number)

    # The ages of the Leerplichtwet (``dates``).
    @property
    def compulsory_education_start(self) -> datetime.date:
        return dates.compulsory_education_start(self.birth_date)

    @property
    def compulsory_education_end(self) -> datetime.date:
        return dates.compulsory_education_end(self.birth_date)

    @property
    def qualification_duty_end(self) -> datetime.date:
        return dates.qualification_duty_end(self.birth_date, self.start_qualification_on)

    @property
    def rmc_horizon(self) -> datetime.date:
        return dates.rmc_horizon(self.birth_date, settings.KANSRIJK["RMC_UPPER_AGE"])

    def age_on(self, day: datetime.date) -> int:
        return dates.age_on(self.birth_date, day)

    def municipality_on(self, day: datetime.date) -> Region | None:
        residence = (
            self.residences.filter(valid_from__lte=day)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=day))
            .select_related("municipality")
            .first()
        )
        return residence.municipality if residence else None


class Residence(models.Model):
    """The woongemeente from ``valid_from`` up to (not including) ``valid_to``."""

    young_person = models.ForeignKey(YoungPerson, models.CASCADE, related_name="residences")
    municipality = models.ForeignKey(
        Region,
        models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "municipality"},
        verbose_name=_("woongemeente"),
    )
    valid_from = models.DateField(_("woont er vanaf"))
    valid_to = models.DateField(_("tot"), null=True, blank=True)

    class Meta:
        verbose_name = _("woongemeente")
        verbose_name_plural = _("woongemeenten")
        ordering = ["valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["young_person", "valid_from"], name="one_residence_per_start"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=models.F("valid_from")),
                name="residence_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"woongemeente {self.municipality_id} vanaf {self.valid_from}"


class ContactRelation(models.TextChoices):
    PARENT = "ouder", _("ouder")
    GUARDIAN = "voogd", _("voogd")
    CARER = "verzorger", _("verzorger")
    OTHER = "anders", _("anders")


class Contact(models.Model):
    """A parent, guardian or carer (ouder/verzorger) of the young person."""

    young_person = models.ForeignKey(YoungPerson, models.CASCADE, related_name="contacts")
    relation = models.CharField(_("relatie"), max_length=20, choices=ContactRelation.choices)
    name = models.CharField(_("naam"), max_length=200)
    has_parental_authority = models.BooleanField(_("heeft gezag"), default=True)
    phone = models.CharField(_("telefoon"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("adres"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("contactpersoon")
        verbose_name_plural = _("contactpersonen")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"contactpersoon {self.pk}"


class EnrolmentReason(models.TextChoices):
    FIRST = "eerste_inschrijving", _("eerste inschrijving")
    SCHOOL_CHANGE = "overstap", _("overstap naar een andere school")
    MOVE = "verhuizing", _("verhuizing")
    SPECIAL_EDUCATION = "plaatsing_so", _("plaatsing in het (voortgezet) speciaal onderwijs")
    REMOVAL = "verwijdering", _("definitieve verwijdering")
    EMIGRATION = "emigratie", _("vertrek naar het buitenland")
    OTHER = "anders", _("anders")


class Enrolment(models.Model):
    """An inschrijving at a school location (BRIN6 from the reference data)."""

    young_person = models.ForeignKey(YoungPerson, models.CASCADE, related_name="enrolments")
    school = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "school_location"},
        verbose_name=_("school"),
    )
    start_date = models.DateField(_("ingeschreven vanaf"))
    end_date = models.DateField(_("uitgeschreven op"), null=True, blank=True)
    reason = models.CharField(
        _("reden"), max_length=30, choices=EnrolmentReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("inschrijving")
        verbose_name_plural = _("inschrijvingen")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="enrolment_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"inschrijving {self.pk}"


class AbsenceKind(models.TextChoices):
    """DUO's kinds of verzuimmelding (duo.nl, "Verzuim: hoe het werkt")."""

    SIXTEEN_HOURS = "16_uur", _("16 uur in 4 weken")
    LONG_RELATIVE = "lrv", _("langdurig relatief verzuim (langer dan 4 weken)")
    RMC = "rmc", _("RMC-verzuim (18 tot 23 jaar, niet meer leerplichtig)")
    LUXURY = "luxe", _("luxe verzuim")
    OTHER = "overig", _("overig verzuim (minder dan 16 uur)")


class ReportStatus(models.TextChoices):
    """DUO's statuses of a verzuimmelding; ``REPORT_TRANSITIONS`` is the lifecycle."""

    REGISTERED = "geregistreerd", _("geregistreerd")
    IN_PROGRESS = "in_behandeling", _("in behandeling")
    CLOSED = "afgesloten", _("afgesloten")
    ACKNOWLEDGED = "ter_kennisgeving", _("ter kennisgeving aangenomen")
    WITHDRAWN = "ingetrokken", _("ingetrokken")


# Geregistreerd (by the school) → In behandeling (by the gemeente) → Afgesloten with a
# reason; the gemeente may also take a report ter kennisgeving aan, and the school may
# withdraw it. The last three are final.
REPORT_TRANSITIONS: dict[str, frozenset[str]] = {
    ReportStatus.REGISTERED: frozenset(
        {ReportStatus.IN_PROGRESS, ReportStatus.ACKNOWLEDGED, ReportStatus.WITHDRAWN}
    ),
    ReportStatus.IN_PROGRESS: frozenset({ReportStatus.CLOSED, ReportStatus.WITHDRAWN}),
    ReportStatus.CLOSED: frozenset(),
    ReportStatus.ACKNOWLEDGED: frozenset(),
    ReportStatus.WITHDRAWN: frozenset(),
}


class ReportCloseReason(models.TextChoices):
    ABSENCE_STOPPED = "verzuim_gestopt", _("het verzuim is gestopt")
    CARE = "hulpverlening", _("verwezen naar hulpverlening (MAS-route 1)")
    HALT = "halt", _("verwezen naar Halt (MAS-route 2)")
    CHILD_PROTECTION = "raad", _("melding bij de Raad voor de Kinderbescherming (MAS-route 3)")
    OFFICIAL_REPORT = "proces_verbaal", _("proces-verbaal (MAS-route 4)")
    MOVED = "verhuisd", _("verhuisd naar een andere gemeente")
    UNENROLLED = "uitgeschreven", _("uitgeschreven")
    OTHER = "anders", _("andere reden")


class AbsenceReport(models.Model):
    """A verzuimmelding by a school, as in DUO's verzuimregister."""

    young_person = models.ForeignKey(YoungPerson, models.CASCADE, related_name="absence_reports")
    school = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "school_location"},
        verbose_name=_("school"),
    )
    case = models.ForeignKey(
        "Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="absence_reports",
        verbose_name=_("casus"),
    )
    kind = models.CharField(_("soort verzuim"), max_length=20, choices=AbsenceKind.choices)
    start_date = models.DateField(_("eerste verzuimdag"))
    end_date = models.DateField(_("laatste verzuimdag"), null=True, blank=True)
    hours = models.PositiveSmallIntegerField(_("verzuimde uren"), null=True, blank=True)
    reported_on = models.DateField(_("gemeld op"))
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.REGISTERED
    )
    status_changed_on = models.DateField(_("status sinds"))
    close_reason = models.CharField(
        _("reden van afsluiten"), max_length=30, choices=ReportCloseReason.choices, blank=True
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("verzuimmelding")
        verbose_name_plural = _("verzuimmeldingen")
        ordering = ["-reported_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="absence_report_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.CLOSED) | ~Q(close_reason=""),
                name="closed_report_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "reported_on"]),
            # The list of meldingen seeks on (reported_on, id), decision 0044.
            models.Index(fields=["reported_on", "id"], name="absence_report_on_id"),
        ]

    def __str__(self) -> str:
        return f"verzuimmelding {self.pk}"

    @property
    def next_statuses(self) -> list[str]:
        return sorted(REPORT_TRANSITIONS[self.status])


class ExemptionGround(models.TextChoices):
    """Grounds of vrijstelling under the Leerplichtwet. '5 onder a' and '5a' are different
    articles and never the same value."""

    ART_5_UNDER_A = "5_onder_a", _("art. 5 onder a: lichamelijke of psychische gronden")
    ART_5_UNDER_B = "5_onder_b", _("art. 5 onder b: bedenkingen tegen de richting")
    ART_5_UNDER_C = "5_onder_c", _("art. 5 onder c: ingeschreven op een school in het buitenland")
    ART_5A = "5a", _("art. 5a")
    ART_15 = "15", _("art. 15")
    ART_11_A = "11_a", _("art. 11 onder a")
    ART_11_B = "11_b", _("art. 11 onder b")
    ART_11_C = "11_c", _("art. 11 onder c")
    ART_11_D = "11_d", _("art. 11 onder d")
    ART_11_E = "11_e", _("art. 11 onder e")
    ART_11_F = "11_f", _("art. 11 onder f")
    ART_11_G = "11_g", _("art. 11 onder g")
    ART_3A = "3a", _("art. 3a: vervangende leerplicht")
    ART_3B = "3b", _("art. 3b: vervangende leerplicht")


class Exemption(models.Model):
    """A vrijstelling (or vervangende leerplicht) granted to a young person."""

    young_person = models.ForeignKey(YoungPerson, models.CASCADE, related_name="exemptions")
    ground = models.CharField(_("grond"), max_length=20, choices=ExemptionGround.choices)
    requested_on = models.DateField(_("aangevraagd op"))
    decided_on = models.DateField(_("besloten op"), null=True, blank=True)
    valid_from = models.DateField(_("geldig vanaf"))
    valid_to = models.DateField(_("geldig tot en met"), null=True, blank=True)
    # 5 onder a: the statement of a doctor, psychologist or orthopedagoog.
    statement_on = models.DateField(_("datum verklaring (arts)"), null=True, blank=True)
    reason = models.CharField(_("reden"), max_length=200, blank=True)

    objects = ExemptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("vrijstelling")
        verbose_name_plural = _("vrijstellingen")
        ordering = ["-valid_from"]
        # The work list reads the current exemptions of one ground (the signals).
        indexes = [models.Index(fields=["ground", "valid_to"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="exemption_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"vrijstelling {self.pk} ({self.ground})"


class CaseCategory(models.TextChoices):
    ABSOLUTE = "absoluut", _("absoluut verzuim")
    RELATIVE = "relatief", _("relatief verzuim")
    EXEMPTION_5_UNDER_A = "vrijstelling_5_onder_a", _("vrijstelling 5 onder a")


class CaseOutcome(models.TextChoices):
    BACK_TO_SCHOOL = "terug_naar_school", _("terug naar de eigen school")
    OTHER_SCHOOL = "andere_school", _("naar een andere school")
    SPECIAL_EDUCATION = "speciaal_onderwijs", _("naar het (voortgezet) speciaal onderwijs")
    EDUCATION_CARE = "onderwijszorgarrangement", _("onderwijszorgarrangement of maatwerk")
    CARE = "zorg_dagbesteding", _("zorg of dagbesteding")
    EXEMPTION = "vrijstelling", _("vrijstelling verleend")
    WORK_OR_MBO = "werk_of_mbo", _("werk, mbo of startkwalificatie")
    MOVED = "verhuisd", _("verhuisd naar een andere gemeente")
    EMIGRATED = "emigratie", _("vertrokken naar het buitenland")
    OTHER = "anders", _("anders")


class Case(models.Model):
    """One thuiszitter episode (casus) of one young person."""

    dossier_id = models.CharField(_("dossiernummer"), max_length=40, unique=True)
    young_person = models.ForeignKey(YoungPerson, models.PROTECT, related_name="cases")
    category = models.CharField(_("categorie"), max_length=30, choices=CaseCategory.choices)
    start_date = models.DateField(_("startdatum"))
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    outcome = models.CharField(
        _("uitkomst"), max_length=30, choices=CaseOutcome.choices, blank=True
    )
    # The school of the episode; empty for absoluut verzuim without a school. School and
    # woongemeente have no index of their own: the (school|municipality, start_date)
    # indexes below serve every look-up by them, and an import keeps fewer up to date.
    school = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        limit_choices_to={"kind": "school_location"},
        verbose_name=_("school"),
    )
    municipality = models.ForeignKey(
        Region,
        models.PROTECT,
        db_index=False,
        related_name="+",
        limit_choices_to={"kind": "municipality"},
        verbose_name=_("woongemeente"),
    )
    sector = models.CharField(_("sector"), max_length=10, choices=Sector.choices, blank=True)
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_cases",
        verbose_name=_("regievoerder"),
    )
    participants = models.ManyToManyField(
        Organisation, blank=True, related_name="+", verbose_name=_("betrokken organisaties")
    )
    offer_date = models.DateField(_("passend aanbod gestart op"), null=True, blank=True)
    # Start + 3 calendar months (the Thuiszitterspact), stored so that SQL can compare it
    # with the offer date: calendar-month arithmetic differs between SQLite and PostgreSQL.
    # ``save`` keeps it; bulk writers call ``set_derived_fields``.
    pact_deadline = models.DateField(_("uiterlijk passend aanbod"), editable=False)
    # Kept up to date by the services, so that the signals need no subquery per case:
    # the date of the latest timeline event, and the earliest deadline of an open agreement.
    last_event_on = models.DateField(_("laatste gebeurtenis"), null=True, blank=True)
    next_deadline = models.DateField(_("eerstvolgende deadline"), null=True, blank=True)
    # The day anything was last recorded on the case in the register (opened, changed, an
    # event, an agreement made or resolved): "no movement" reads the later of this and
    # ``last_event_on`` (``signals.no_movement``). Empty for rows written in bulk (import,
    # synthetic data), which fall back to the timeline.
    last_movement_on = models.DateField(_("laatste beweging"), null=True, blank=True)
    is_synthetic = models.BooleanField(_("synthetisch"), default=False)
    import_run = models.ForeignKey(
        "ImportRun", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("casus")
        verbose_name_plural = _("casussen")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="case_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(offer_date__isnull=True) | Q(offer_date__gte=models.F("start_date")),
                name="case_offer_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(end_date__isnull=True) & Q(outcome=""))
                | (Q(end_date__isnull=False) & ~Q(outcome="")),
                name="case_outcome_with_end",
            ),
        ]
        indexes = [
            models.Index(fields=["start_date", "end_date"]),
            models.Index(fields=["municipality", "start_date"]),
            models.Index(fields=["school", "start_date"]),
            models.Index(fields=["end_date"]),
            # The list of cases seeks on (start_date, id), decision 0044.
            models.Index(fields=["start_date", "id"], name="case_start_id"),
            # The open cases: the work lists and signals read only these.
            models.Index(
                fields=["municipality", "start_date"],
                condition=Q(end_date__isnull=True),
                name="open_cases_by_municipality",
            ),
            models.Index(
                fields=["school", "start_date"],
                condition=Q(end_date__isnull=True),
                name="open_cases_by_school",
            ),
        ]

    def __str__(self) -> str:
        return f"casus {self.dossier_id}"

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "start_date" in update_fields:
            kwargs["update_fields"] = {*update_fields, "pact_deadline"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    def set_derived_fields(self) -> None:
        if self.start_date is not None:
            self.pact_deadline = dates.add_months(self.start_date, 3)

    def clean_fields(self, exclude=None):
        self.set_derived_fields()
        super().clean_fields(exclude=exclude)

    @property
    def is_open(self) -> bool:
        return self.end_date is None

    def is_open_on(self, day: datetime.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date > day)


class DossierNumberSequence(models.Model):
    """The last dossier number handed out in a year: new numbers are ``TZ-2026-00123``,
    one counter per year, drawn inside the transaction that opens the case
    (``services.new_dossier_id``; decision 0032)."""

    year = models.PositiveSmallIntegerField(_("jaar"), unique=True)
    last_number = models.PositiveIntegerField(_("laatste nummer"), default=0)

    class Meta:
        verbose_name = _("reeks dossiernummers")
        verbose_name_plural = _("reeksen dossiernummers")

    def __str__(self) -> str:
        return f"dossiernummers {self.year}: {self.last_number}"


class EventKind(models.TextChoices):
    ABSENCE_MEETING = "verzuimgesprek", _("verzuimgesprek")
    HOME_VISIT = "huisbezoek", _("huisbezoek")
    WARNING = "waarschuwing", _("waarschuwing")
    MAS_ROUTE = "mas_route", _("MAS-route gekozen")
    HALT = "halt", _("Halt-verwijzing")
    CHILD_PROTECTION = "raad_kinderbescherming", _("melding Raad voor de Kinderbescherming")
    OFFICIAL_REPORT = "proces_verbaal", _("proces-verbaal")
    REFERRAL_INDEX = "verwijsindex", _("signaal in de verwijsindex")
    EDUCATION_CONSULTANT = "onderwijsconsulent", _("onderwijsconsulent ingeschakeld")
    BREAKTHROUGH = "doorbraakberaad", _("doorbraakberaad")
    OFFER = "aanbod", _("passend aanbod gestart")
    NOTE = "notitie", _("notitie")


class MasRoute(models.IntegerChoices):
    """The four routes of the Methodische Aanpak Schoolverzuim."""

    CARE = 1, _("route 1: vrijwillige hulpverlening")
    HALT = 2, _("route 2: Halt")
    CIVIL = 3, _("route 3: civielrechtelijk (Raad voor de Kinderbescherming)")
    CRIMINAL = 4, _("route 4: strafrechtelijk (proces-verbaal naar het OM)")


class OffenceArticle(models.TextChoices):
    ART_2 = "art_2", _("art. 2 Leerplichtwet: de ouders (inschrijving en schoolbezoek)")
    ART_4A = "art_4a", _("art. 4a Leerplichtwet: de jongere (12 jaar en ouder)")
    ART_4B = "art_4b", _("art. 4b Leerplichtwet: kwalificatieplicht")


class CaseEvent(models.Model):
    """One moment on the timeline of a case. Some kinds carry fields of their own."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="events")
    kind = models.CharField(_("soort"), max_length=30, choices=EventKind.choices)
    date = models.DateField(_("datum"))
    description = limits.BoundedTextField(_("omschrijving"), max_length=limits.TEXT, blank=True)
    mas_route = models.PositiveSmallIntegerField(
        _("MAS-route"), choices=MasRoute.choices, null=True, blank=True
    )
    # Proces-verbaal.
    report_number = models.CharField(_("nummer proces-verbaal"), max_length=40, blank=True)
    offence_article = models.CharField(
        _("overtreden artikel"), max_length=10, choices=OffenceArticle.choices, blank=True
    )
    sent_to_prosecutor_on = models.DateField(_("naar het OM gestuurd op"), null=True, blank=True)
    # Doorbraakberaad.
    decision = limits.BoundedTextField(_("besluit"), max_length=limits.TEXT, blank=True)
    mandated_organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partij met doorzettingsmacht"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("gebeurtenis")
        verbose_name_plural = _("gebeurtenissen")
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=EventKind.MAS_ROUTE) | Q(mas_route__in=[1, 2, 3, 4]),
                name="mas_event_has_route",
            ),
            models.CheckConstraint(
                condition=~Q(kind=EventKind.OFFICIAL_REPORT) | ~Q(report_number=""),
                name="official_report_has_number",
            ),
        ]
        indexes = [models.Index(fields=["case", "date"]), models.Index(fields=["kind", "date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("open")
    KEPT = "nagekomen", _("nagekomen")
    NOT_KEPT = "niet_nagekomen", _("niet nagekomen")


class Agreement(models.Model):
    """An afspraak: who does what before when. "Afspraak is afspraak" (seed 001): one that
    is not kept stays visible to the doorbraakberaad."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="agreements")
    description = limits.BoundedTextField(_("afspraak"), max_length=limits.TEXT)
    responsible_organisation = models.ForeignKey(
        Organisation,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisatie"),
    )
    responsible_person = models.CharField(_("persoon"), max_length=200, blank=True)
    deadline = models.DateField(_("uiterlijk op"))
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.OPEN
    )
    resolved_on = models.DateField(_("afgehandeld op"), null=True, blank=True)
    resolution_note = limits.BoundedTextField(_("toelichting"), max_length=limits.NOTE, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(responsible_organisation__isnull=False) | ~Q(responsible_person=""),
                name="agreement_has_someone_responsible",
            ),
            models.CheckConstraint(
                condition=(Q(status=AgreementStatus.OPEN) & Q(resolved_on__isnull=True))
                | (~Q(status=AgreementStatus.OPEN) & Q(resolved_on__isnull=False)),
                name="agreement_resolved_with_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self) -> str:
        return f"afspraak {self.pk}"

    def is_overdue(self, today: datetime.date) -> bool:
        return self.status == AgreementStatus.OPEN and self.deadline < today


class CountDefinition(models.TextChoices):
    OCW = "ocw", _("OCW: absoluut verzuim en relatief verzuim langer dan 4 weken")
    OCW_5A = "ocw_5a", _("OCW, met de vrijstellingen 5 onder a")


class ReportedCount(models.Model):
    """The number of thuiszitters a school (or its SWV for it) reports for a peildatum,
    optionally split by woongemeente. A number, never a person."""

    reference_date = models.DateField(_("peildatum"))
    school = models.ForeignKey(
        Organisation,
        models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "school_location"},
        verbose_name=_("school"),
    )
    municipality = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("woongemeente"),
    )
    count = models.PositiveIntegerField(_("aantal"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("bron"), max_length=40, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("opgegeven aantal")
        verbose_name_plural = _("opgegeven aantallen")
        ordering = ["reference_date", "school"]
        # The API pages by this order (a cursor, decision 0045): an index serves it.
        indexes = [
            models.Index(fields=["reference_date", "school", "id"], name="reported_count_keyset")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference_date", "school"],
                condition=Q(municipality__isnull=True),
                name="one_reported_count_per_school",
            ),
            models.UniqueConstraint(
                fields=["reference_date", "school", "municipality"],
                condition=Q(municipality__isnull=False),
                name="one_reported_count_per_school_and_municipality",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference_date} {self.school_id}: {self.count}"


class ImportStatus(models.TextChoices):
    QUEUED = "wachtrij", _("in de wachtrij")
    CHECKING = "controleren", _("bezig met controleren")
    SAVING = "opslaan", _("bezig met opslaan")
    DONE = "klaar", _("geïmporteerd")
    REJECTED = "afgewezen", _("afgewezen: er is niets opgeslagen")
    FAILED = "mislukt", _("mislukt: er is niets opgeslagen")
    # Part of the file saved, the rest could not follow (decision 0034).
    INTERRUPTED = "onderbroken", _("onderbroken: deels opgeslagen")


class ImportRun(models.Model):
    """One case file on its way through the import (web upload or command line)."""

    original_name = models.CharField(_("bestandsnaam"), max_length=255)
    # The uploaded file holds BSNs: it is deleted as soon as the import has ended, in
    # whatever state, and never kept longer than IMPORT_FILE_MAX_AGE_HOURS.
    stored_file = models.CharField(max_length=500, blank=True, editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dry_run = models.BooleanField(_("alleen controleren"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField(default=0)
    checked_rows = models.PositiveIntegerField(default=0)
    written_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # The first problems (row, column, message): messages never repeat a BSN.
    problems = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written by the running import now and then: a run whose heartbeat stops is found
    # and marked failed by the worker's sweep (cases.import_recovery).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The background task's result id (django-tasks), marked failed with a dead run.
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    # Attempts after the first: a run interrupted after part of its file was saved is
    # taken up again (decision 0034). Each attempt owns the run only while this count
    # is its own, so that a process that was taken for dead writes nothing more.
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("import van casussen")
        verbose_name_plural = _("imports van casussen")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.original_name})"

    @property
    def is_finished(self) -> bool:
        return self.status in (
            ImportStatus.DONE,
            ImportStatus.REJECTED,
            ImportStatus.FAILED,
            ImportStatus.INTERRUPTED,
        )
