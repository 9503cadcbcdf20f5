"""Forms of the register's pages: filters and searches, opening a case, the actions on a
case and on a young person, verzuimmeldingen and the quarterly report.

The forms check what a person types (elfproef, BRIN6, dates in order) and say in Dutch
what is wrong; the rules of the register itself stay in ``services``, whose
``ValidationError`` the views put on the form with ``add_service_errors``. A message
never repeats a BSN or onderwijsnummer.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk import limits
from kansrijk.organisations.models import Organisation, Region, Sector
from kansrijk.organisations.validators import (
    is_valid_bsn,
    is_valid_onderwijsnummer,
    validate_brin6,
)

from . import reporting
from .models import (
    AbsenceKind,
    AgreementStatus,
    CaseCategory,
    CaseOutcome,
    Contact,
    CountDefinition,
    EnrolmentReason,
    EventKind,
    ExemptionGround,
    IdentifierKind,
    MasRoute,
    OffenceArticle,
    ReportCloseReason,
    ReportStatus,
)
from .signals import CASE_SIGNALS

# A select lists at most this many schools; with more, the form asks for the BRIN6.
SCHOOL_SELECT_LIMIT = 300


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def date_field(label, *, required=True, help_text="", initial=None) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text, initial=initial, widget=DateInput()
    )


def add_service_errors(form: forms.Form, error: ValidationError, field_map=None) -> None:
    """Put the errors of a service on the form: on the field of the same name (or the
    one ``field_map`` names), on the form itself for anything else."""
    field_map = field_map or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        target = field_map.get(name, name)
        if target not in form.fields or target == NON_FIELD_ERRORS:
            target = None
        for item in errors:
            form.add_error(target, item)


def identifier_kind_of(number: str) -> str | None:
    """BSN or onderwijsnummer, told apart by the check (a BSN's sum is ≡ 0 mod 11, an
    onderwijsnummer's ≡ 5 and it starts with 10: no number passes both)."""
    if is_valid_bsn(number):
        return IdentifierKind.BSN
    if is_valid_onderwijsnummer(number):
        return IdentifierKind.EDUCATION_NUMBER
    return None


def school_by_code(value: str) -> Organisation:
    """A school location from the reference data by its BRIN6 ('07NU00')."""
    code = (value or "").strip().upper()
    validate_brin6(code)
    school = Organisation.objects.schools().filter(code=code).first()
    if school is None:
        raise ValidationError(
            _("Er is geen school met vestigingscode %(code)s in de referentiedata.")
            % {"code": code}
        )
    return school


class NumberInput(forms.TextInput):
    """The box for a BSN or onderwijsnummer. What was typed is never printed back into
    the page (after an error the number is typed again): a page with a number could be
    kept by the browser or a proxy, and only "Toon BSN" shows a number."""

    def __init__(self, attrs=None):
        defaults = {"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}
        super().__init__(attrs={**defaults, **(attrs or {})})

    def format_value(self, value):
        return None


RETYPE_NUMBER = gettext_lazy(
    "Vul het nummer opnieuw in: Kansrijk toont een ingevuld nummer niet terug."
)


def number_field(label=None, help_text=None) -> forms.CharField:
    return forms.CharField(
        label=label or gettext_lazy("BSN of onderwijsnummer"),
        help_text=help_text
        or gettext_lazy("Negen cijfers. Het nummer komt nooit in een adres of logbestand."),
        max_length=20,
        widget=NumberInput(),
    )


def ask_to_retype(form, name: str) -> None:
    """After an error elsewhere in the form, say why the number box is empty."""
    if form.is_bound and form.errors and name in form.fields and name not in form.errors:
        form.fields[name].help_text = RETYPE_NUMBER


class SchoolFieldsMixin:
    """A school chosen from a short list of the user's schools, or typed as BRIN6.

    The form declares ``school`` (the list) and ``school_code`` (the BRIN6 box);
    ``setup_school`` fills the list or, with too many schools, drops it. ``chosen_school``
    gives the school (or None) from the cleaned data."""

    school_required = False

    def setup_school(self, schools, *, initial=None) -> None:
        options = []
        if schools is not None:
            options = list(
                schools.order_by("name", "code").values_list("code", "name")[
                    : SCHOOL_SELECT_LIMIT + 1
                ]
            )
        if 0 < len(options) <= SCHOOL_SELECT_LIMIT:
            self.fields["school"].choices = [("", _("Kies een school"))] + [
                (code, f"{name} ({code})") for code, name in options
            ]
            self.fields["school_code"].label = _("Of een andere school: vestigingscode (BRIN6)")
            if initial is None and len(options) == 1:
                # A school contact person reports for their own school: chosen already.
                self.initial.setdefault("school", options[0][0])
            elif initial is not None:
                if initial.code in {code for code, _name in options}:
                    self.initial.setdefault("school", initial.code)
                else:
                    self.initial.setdefault("school_code", initial.code)
        else:
            del self.fields["school"]
            if initial is not None:
                self.initial.setdefault("school_code", initial.code)

    def chosen_school(self) -> Organisation | None:
        picked = self.cleaned_data.get("school") or ""
        typed = (self.cleaned_data.get("school_code") or "").strip().upper()
        if picked and typed and picked != typed:
            self.add_error(
                "school_code",
                _("Kies een school uit de lijst óf vul een vestigingscode in, niet allebei."),
            )
            return None
        code = picked or typed
        if not code:
            if self.school_required:
                field = "school" if "school" in self.fields else "school_code"
                self.add_error(field, _("Kies de school."))
            return None
        try:
            return school_by_code(code)
        except ValidationError as error:
            self.add_error("school_code" if typed else "school", error)
            return None


SCHOOL_CODE_HELP = gettext_lazy("Zes tekens: BRIN en vestigingsnummer, bijvoorbeeld 07NU00.")


def school_fields(label):
    return (
        forms.ChoiceField(label=label, required=False, choices=[]),
        forms.CharField(
            label=label, required=False, max_length=6, help_text=SCHOOL_CODE_HELP, strip=True
        ),
    )


def user_choice_label(user) -> str:
    return str(user)


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return user_choice_label(obj)


# ------------------------------------------------------------------ lists and searches


class NumberSearchForm(forms.Form):
    """Find a young person by BSN or onderwijsnummer. Always sent by POST."""

    nummer = number_field()

    def clean_nummer(self) -> str:
        number = "".join((self.cleaned_data["nummer"] or "").split())
        if not number.isdigit() or len(number) != 9:
            raise ValidationError(_("Een BSN of onderwijsnummer heeft negen cijfers."))
        kind = identifier_kind_of(number)
        if kind is None:
            raise ValidationError(
                _("Dit is geen geldig BSN of onderwijsnummer: het voldoet niet aan de elfproef.")
            )
        self.identifier_kind = kind
        return number


SIGNAL_CHOICES = [("", gettext_lazy("Alle signalen"))] + [
    (key, signal.label) for key, signal in CASE_SIGNALS.items()
]


class WorklistFilterForm(forms.Form):
    """What the work list shows: one signal, and the cases of me, one SWV or one
    gemeente (only those in the user's own scope)."""

    signaal = forms.ChoiceField(label=gettext_lazy("Signaal"), required=False)
    wie = forms.ChoiceField(label=gettext_lazy("Casussen van"), required=False)

    def __init__(self, *args, partnerships=(), municipalities=(), signal_keys=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signaal"].choices = [
            (key, label)
            for key, label in SIGNAL_CHOICES
            if not key or signal_keys is None or key in signal_keys
        ]
        choices = [
            ("", _("Alles in mijn werkgebied")),
            ("mijn", _("Mijn casussen (ik ben regievoerder)")),
        ]
        if partnerships:
            choices.append(
                (
                    _("Samenwerkingsverband"),
                    [(f"swv:{p.code}", p.name) for p in partnerships],
                )
            )
        if municipalities:
            choices.append(
                (_("Woongemeente"), [(f"gemeente:{m.code}", m.name) for m in municipalities])
            )
        self.fields["wie"].choices = choices


STATUS_CHOICES = [
    ("open", gettext_lazy("Open")),
    ("gesloten", gettext_lazy("Beëindigd")),
    ("alle", gettext_lazy("Open en beëindigd")),
]


class CaseFilterForm(forms.Form):
    """The filters of the case list (GET): no personal data, so they may be in the URL."""

    q = forms.CharField(
        label=gettext_lazy("Dossiernummer"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=STATUS_CHOICES, initial="open"
    )
    categorie = forms.ChoiceField(label=gettext_lazy("Categorie"), required=False)
    gemeente = forms.ChoiceField(label=gettext_lazy("Woongemeente"), required=False)
    school = forms.CharField(
        label=gettext_lazy("School (BRIN6)"),
        required=False,
        max_length=6,
        help_text=gettext_lazy("Bijvoorbeeld 07NU00."),
    )
    regievoerder = forms.ChoiceField(label=gettext_lazy("Regievoerder"), required=False)

    def __init__(self, *args, municipalities=(), case_managers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categorie"].choices = [("", _("Alle categorieën")), *CaseCategory.choices]
        self.fields["gemeente"].choices = [("", _("Alle gemeenten"))] + [
            (m.code, m.name) for m in municipalities
        ]
        self.fields["regievoerder"].choices = [
            ("", _("Iedereen")),
            ("mij", _("Ik")),
            ("geen", _("Nog geen regievoerder")),
        ] + [(str(u.pk), user_choice_label(u)) for u in case_managers]

    def clean_school(self) -> str:
        code = (self.cleaned_data.get("school") or "").strip().upper()
        if code:
            validate_brin6(code)
        return code


# ------------------------------------------------------------------ opening a case


class YoungPersonFieldsMixin:
    """Number, birth date, names and woongemeente of a young person who may be new."""

    def clean_identity(self) -> str | None:
        """The number, checked against its kind (BSN or onderwijsnummer), or None. Only a
        checked number may be looked up: the keyed hash takes nine ASCII digits."""
        kind = self.cleaned_data.get("identifier_kind")
        number = "".join((self.cleaned_data.get("identifier") or "").split())
        if not kind or not number:
            return None
        from .services import normalise_identifier

        try:
            self.cleaned_data["identifier"] = normalise_identifier(kind, number)
        except ValidationError as error:
            self.add_error("identifier", error)
            return None
        return self.cleaned_data["identifier"]


IDENTIFIER_KIND_FIELD_HELP = gettext_lazy(
    "Een leerling zonder BSN heeft een onderwijsnummer (begint met 10)."
)


class NewCaseForm(SchoolFieldsMixin, YoungPersonFieldsMixin, forms.Form):
    """Open a case: the young person (found by number, or registered), then the episode.

    With ``person`` (a young person already in the register) the identity fields are
    left out."""

    identifier_kind = forms.ChoiceField(
        label=gettext_lazy("Soort nummer"),
        choices=IdentifierKind.choices,
        initial=IdentifierKind.BSN,
        widget=forms.RadioSelect,
        help_text=IDENTIFIER_KIND_FIELD_HELP,
    )
    identifier = number_field(
        label=gettext_lazy("BSN of onderwijsnummer"),
        help_text=gettext_lazy(
            "Negen cijfers. Staat de jongere al in het register, dan wordt de casus bij die "
            "jongere geopend."
        ),
    )
    birth_date = date_field(gettext_lazy("Geboortedatum"))
    given_name = forms.CharField(label=gettext_lazy("Voornaam"), max_length=100, required=False)
    family_name = forms.CharField(label=gettext_lazy("Achternaam"), max_length=150, required=False)
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Woongemeente"),
        queryset=Region.objects.none(),
        empty_label=gettext_lazy("Kies de woongemeente"),
    )
    living_since = date_field(
        gettext_lazy("Woont daar sinds"),
        required=False,
        help_text=gettext_lazy("Leeg: sinds de geboorte."),
    )
    category = forms.ChoiceField(
        label=gettext_lazy("Categorie"), choices=CaseCategory.choices, widget=forms.RadioSelect
    )
    start_date = date_field(
        gettext_lazy("Startdatum"),
        help_text=gettext_lazy(
            "De eerste dag van het verzuim; de 4 weken en 3 maanden tellen vanaf hier."
        ),
    )
    school, school_code = school_fields(gettext_lazy("School"))
    case_manager = UserChoiceField(
        label=gettext_lazy("Regievoerder"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Nog geen regievoerder"),
        help_text=gettext_lazy(
            "Eén regievoerder per casus: leerplicht of het samenwerkingsverband."
        ),
    )

    # Without these when the young person is known; the woongemeente of the case stays.
    identity_fields = (
        "identifier_kind",
        "identifier",
        "birth_date",
        "given_name",
        "family_name",
        "living_since",
    )

    def __init__(
        self,
        *args,
        person=None,
        municipalities,
        schools,
        case_managers,
        initial_school=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.person = person
        self.existing_person = person
        self.fields["municipality"].queryset = municipalities
        self.fields["case_manager"].queryset = case_managers
        self.setup_school(schools, initial=initial_school)
        if person is not None:
            for name in self.identity_fields:
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        if self.person is None:
            number = self.clean_identity()
            if number:
                from .services import find_young_person

                existing = find_young_person(number)
                birth_date = cleaned.get("birth_date")
                if existing is not None and birth_date and existing.birth_date != birth_date:
                    self.add_error(
                        "birth_date",
                        _(
                            "Deze geboortedatum hoort volgens het register niet bij dit nummer. "
                            "Controleer het nummer en de geboortedatum."
                        ),
                    )
                self.existing_person = existing
            birth_date, since = cleaned.get("birth_date"), cleaned.get("living_since")
            if birth_date and since and since < birth_date:
                self.add_error("living_since", _("Deze datum ligt voor de geboortedatum."))
        cleaned["school_obj"] = self.chosen_school()
        start = cleaned.get("start_date")
        if start and start > timezone.localdate():
            self.add_error("start_date", _("De startdatum ligt in de toekomst."))
        return cleaned

    def full_clean(self):
        super().full_clean()
        ask_to_retype(self, "identifier")


# ------------------------------------------------------------------ actions on a case


EVENT_KIND_FIELDS = {
    EventKind.MAS_ROUTE: ("mas_route",),
    EventKind.OFFICIAL_REPORT: ("report_number", "offence_article", "sent_to_prosecutor_on"),
    EventKind.BREAKTHROUGH: ("decision", "mandated_organisation"),
}
EVENT_SPECIFIC_FIELDS = tuple(name for names in EVENT_KIND_FIELDS.values() for name in names)


class EventForm(forms.Form):
    """A moment on the timeline; some kinds have fields of their own (grouped below)."""

    kind = forms.ChoiceField(label=gettext_lazy("Soort"), choices=EventKind.choices)
    date = date_field(gettext_lazy("Datum"))
    description = forms.CharField(
        max_length=limits.TEXT,
        label=gettext_lazy("Omschrijving"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Wat is er besproken of besloten? Noem geen BSN."),
    )
    mas_route = forms.TypedChoiceField(
        label=gettext_lazy("MAS-route"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", gettext_lazy("Kies een route")), *MasRoute.choices],
    )
    report_number = forms.CharField(
        label=gettext_lazy("Nummer proces-verbaal"), required=False, max_length=40
    )
    offence_article = forms.ChoiceField(
        label=gettext_lazy("Overtreden artikel"),
        required=False,
        choices=[("", gettext_lazy("Kies het artikel")), *OffenceArticle.choices],
    )
    sent_to_prosecutor_on = date_field(gettext_lazy("Naar het OM gestuurd op"), required=False)
    decision = forms.CharField(
        max_length=limits.TEXT,
        label=gettext_lazy("Besluit"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    mandated_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Partij met doorzettingsmacht"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("Geen partij gekozen"),
    )

    groups = (
        (gettext_lazy("De gebeurtenis"), ("kind", "date", "description")),
        (gettext_lazy("Alleen bij een MAS-route"), ("mas_route",)),
        (
            gettext_lazy("Alleen bij een proces-verbaal"),
            ("report_number", "offence_article", "sent_to_prosecutor_on"),
        ),
        (gettext_lazy("Alleen bij een doorbraakberaad"), ("decision", "mandated_organisation")),
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mandated_organisation"].queryset = parties

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        keep = EVENT_KIND_FIELDS.get(kind, ())
        # Fields of another kind are not stored, whatever was typed in them.
        empty = {"mas_route": None, "sent_to_prosecutor_on": None, "mandated_organisation": None}
        for name in EVENT_SPECIFIC_FIELDS:
            if name not in keep and name in cleaned:
                cleaned[name] = empty.get(name, "")
        return cleaned

    def event_fields(self) -> dict:
        cleaned = self.cleaned_data
        fields = {"description": cleaned.get("description") or ""}
        for name in EVENT_KIND_FIELDS.get(cleaned["kind"], ()):
            value = cleaned.get(name)
            if value not in (None, ""):
                fields[name] = value
        return fields


class AgreementForm(forms.Form):
    description = forms.CharField(
        max_length=limits.TEXT,
        label=gettext_lazy("Afspraak"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Wat gebeurt er? Afspraak is afspraak."),
    )
    responsible_organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisatie die de afspraak nakomt"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("Geen organisatie"),
    )
    responsible_person = forms.CharField(
        label=gettext_lazy("Of: persoon die de afspraak nakomt"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Vul een organisatie of een persoon in (of allebei)."),
    )
    deadline = date_field(gettext_lazy("Uiterlijk op"))

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_organisation"].queryset = parties

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("responsible_organisation")
            and not (cleaned.get("responsible_person") or "").strip()
        ):
            self.add_error(
                "responsible_person", _("Vul in welke organisatie of persoon de afspraak nakomt.")
            )
        return cleaned


class ResolveAgreementForm(forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Is de afspraak nagekomen?"),
        choices=[
            (AgreementStatus.KEPT, gettext_lazy("Ja, nagekomen")),
            (AgreementStatus.NOT_KEPT, gettext_lazy("Nee, niet nagekomen")),
        ],
        widget=forms.RadioSelect,
    )
    on = date_field(gettext_lazy("Afgehandeld op"), initial=timezone.localdate)
    note = forms.CharField(
        max_length=limits.NOTE,
        label=gettext_lazy("Toelichting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day > timezone.localdate():
            raise ValidationError(_("Deze datum ligt in de toekomst."))
        return day


class OfferForm(forms.Form):
    offer_date = date_field(
        gettext_lazy("Passend aanbod gestart op"),
        help_text=gettext_lazy("Hiermee stopt de klok van het Thuiszitterspact."),
    )
    description = forms.CharField(
        max_length=limits.TEXT,
        label=gettext_lazy("Welk aanbod?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_offer_date(self):
        day = self.cleaned_data["offer_date"]
        if day > timezone.localdate():
            raise ValidationError(_("Deze datum ligt in de toekomst."))
        return day


class CloseForm(forms.Form):
    end_date = date_field(gettext_lazy("Einddatum"), initial=timezone.localdate)
    outcome = forms.ChoiceField(
        label=gettext_lazy("Uitkomst"),
        choices=[("", gettext_lazy("Kies de uitkomst")), *CaseOutcome.choices],
    )


class AssignForm(forms.Form):
    case_manager = UserChoiceField(
        label=gettext_lazy("Regievoerder"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("Geen regievoerder"),
        help_text=gettext_lazy(
            "De regievoerder ziet de casus zonder BSN en kan de tijdlijn en afspraken bijhouden."
        ),
    )

    def __init__(self, *args, case_managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = case_managers


class OrganisationCheckboxes(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class CaseEditForm(SchoolFieldsMixin, forms.Form):
    category = forms.ChoiceField(
        label=gettext_lazy("Categorie"), choices=CaseCategory.choices, widget=forms.RadioSelect
    )
    start_date = date_field(gettext_lazy("Startdatum"))
    school, school_code = school_fields(gettext_lazy("School"))
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Woongemeente"), queryset=Region.objects.none(), empty_label=None
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"),
        required=False,
        choices=[("", gettext_lazy("Die van de school")), *Sector.choices],
    )
    participants = OrganisationCheckboxes(
        label=gettext_lazy("Betrokken organisaties"),
        queryset=Organisation.objects.none(),
        required=False,
    )

    def __init__(self, *args, case, municipalities, schools, organisations, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("category", case.category)
        initial.setdefault("start_date", case.start_date)
        initial.setdefault("municipality", case.municipality_id)
        initial.setdefault("sector", case.sector)
        initial.setdefault("participants", [p.pk for p in case.participants.all()])
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["municipality"].queryset = municipalities
        self.fields["participants"].queryset = organisations
        self.setup_school(schools, initial=case.school)

    def clean(self):
        cleaned = super().clean()
        cleaned["school_obj"] = self.chosen_school()
        start = cleaned.get("start_date")
        if start and start > timezone.localdate():
            self.add_error("start_date", _("De startdatum ligt in de toekomst."))
        if start and self.case.offer_date and start > self.case.offer_date:
            self.add_error("start_date", _("De startdatum ligt na de start van het aanbod."))
        if start and self.case.end_date and start > self.case.end_date:
            self.add_error("start_date", _("De startdatum ligt na de einddatum."))
        return cleaned


# ------------------------------------------------------------------ the young person


class MoveForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Nieuwe woongemeente"),
        queryset=Region.objects.municipalities().order_by("name"),
        empty_label=gettext_lazy("Kies de gemeente"),
    )
    valid_from = date_field(gettext_lazy("Woont daar vanaf"))


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["relation", "name", "has_parental_authority", "phone", "email", "address"]
        widgets = {
            "phone": forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "address": forms.TextInput(attrs={"autocomplete": "off"}),
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
        }


class EnrolForm(SchoolFieldsMixin, forms.Form):
    school_required = True
    school, school_code = school_fields(gettext_lazy("School"))
    start_date = date_field(gettext_lazy("Ingeschreven vanaf"))
    reason = forms.ChoiceField(
        label=gettext_lazy("Reden"),
        required=False,
        choices=[("", gettext_lazy("Geen reden opgegeven")), *EnrolmentReason.choices],
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_school(schools)

    def clean(self):
        cleaned = super().clean()
        cleaned["school_obj"] = self.chosen_school()
        return cleaned


class EndEnrolmentForm(forms.Form):
    end_date = date_field(gettext_lazy("Uitgeschreven op"), initial=timezone.localdate)
    reason = forms.ChoiceField(
        label=gettext_lazy("Reden"),
        required=False,
        choices=[("", gettext_lazy("Ongewijzigd")), *EnrolmentReason.choices],
    )


class ExemptionForm(forms.Form):
    ground = forms.ChoiceField(
        label=gettext_lazy("Grond"),
        choices=[("", gettext_lazy("Kies de grond")), *ExemptionGround.choices],
        help_text=gettext_lazy(
            "Let op: artikel 5 onder a en artikel 5a zijn verschillende gronden."
        ),
    )
    requested_on = date_field(gettext_lazy("Aangevraagd op"))
    decided_on = date_field(gettext_lazy("Besloten op"), required=False)
    valid_from = date_field(gettext_lazy("Geldig vanaf"))
    valid_to = date_field(gettext_lazy("Geldig tot en met"), required=False)
    statement_on = date_field(
        gettext_lazy("Datum verklaring (arts, psycholoog of orthopedagoog)"),
        required=False,
        help_text=gettext_lazy(
            "Verplicht bij 5 onder a; de verklaring is hooguit 3 maanden oud op de datum "
            "van de aanvraag."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Toelichting"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Kort, zonder medische details."),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("Deze datum ligt voor de begindatum."))
        requested, decided = cleaned.get("requested_on"), cleaned.get("decided_on")
        if requested and decided and decided < requested:
            self.add_error("decided_on", _("Het besluit ligt voor de aanvraag."))
        return cleaned


# ------------------------------------------------------------------ verzuimmeldingen


class AbsenceReportForm(SchoolFieldsMixin, YoungPersonFieldsMixin, forms.Form):
    """A school reports verzuim for a pupil. The pupil is found by number; a pupil who is
    not yet in the register is registered with the same details. The form asks the same
    questions either way, so it does not tell whether a number is known."""

    school_required = True
    school, school_code = school_fields(gettext_lazy("School"))
    identifier_kind = forms.ChoiceField(
        label=gettext_lazy("Soort nummer"),
        choices=IdentifierKind.choices,
        initial=IdentifierKind.BSN,
        widget=forms.RadioSelect,
        help_text=IDENTIFIER_KIND_FIELD_HELP,
    )
    identifier = number_field(label=gettext_lazy("BSN of onderwijsnummer van de leerling"))
    birth_date = date_field(gettext_lazy("Geboortedatum"))
    given_name = forms.CharField(label=gettext_lazy("Voornaam"), max_length=100, required=False)
    family_name = forms.CharField(label=gettext_lazy("Achternaam"), max_length=150, required=False)
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Woongemeente"),
        queryset=Region.objects.municipalities().order_by("name"),
        empty_label=gettext_lazy("Kies de woongemeente"),
        help_text=gettext_lazy("De melding gaat naar leerplicht van deze gemeente."),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Soort verzuim"), choices=AbsenceKind.choices, widget=forms.RadioSelect
    )
    start_date = date_field(gettext_lazy("Eerste verzuimdag"))
    end_date = date_field(gettext_lazy("Laatste verzuimdag"), required=False)
    hours = forms.IntegerField(
        label=gettext_lazy("Verzuimde uren"),
        required=False,
        min_value=0,
        max_value=2000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_school(schools)
        self.allowed_school_ids = (
            None if schools is None else set(schools.values_list("pk", flat=True))
        )
        # A report goes to leerplicht of a gemeente that exists today, not to one that
        # merged away (the reference data keeps those for history).
        self.fields["municipality"].queryset = (
            Region.objects.municipalities().existing_on(timezone.localdate()).order_by("name")
        )

    def clean(self):
        cleaned = super().clean()
        number = self.clean_identity()
        self.existing_person = None
        if number:
            from .services import find_young_person

            existing = find_young_person(number)
            birth_date = cleaned.get("birth_date")
            if existing is not None and birth_date and existing.birth_date != birth_date:
                self.add_error(
                    "birth_date",
                    _(
                        "Deze geboortedatum hoort volgens het register niet bij dit nummer. "
                        "Controleer het nummer en de geboortedatum."
                    ),
                )
            self.existing_person = existing
        school = self.chosen_school()
        if (
            school is not None
            and self.allowed_school_ids is not None
            and school.pk not in self.allowed_school_ids
        ):
            self.add_error(
                "school_code" if "school" not in self.fields else "school",
                _("Voor deze school kun je geen verzuim melden."),
            )
            school = None
        cleaned["school_obj"] = school
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        today = timezone.localdate()
        if start and start > today:
            self.add_error("start_date", _("De eerste verzuimdag ligt in de toekomst."))
        if start and end and end < start:
            self.add_error("end_date", _("De laatste verzuimdag ligt voor de eerste."))
        return cleaned

    def full_clean(self):
        super().full_clean()
        ask_to_retype(self, "identifier")


class ReportStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Nieuwe status"), widget=forms.RadioSelect)
    close_reason = forms.ChoiceField(
        label=gettext_lazy("Reden van afsluiten"),
        required=False,
        choices=[
            ("", gettext_lazy("Kies een reden (alleen bij afsluiten)")),
            *ReportCloseReason.choices,
        ],
    )

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(value, ReportStatus(value).label) for value in statuses]
        if ReportStatus.CLOSED not in statuses:
            del self.fields["close_reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ReportStatus.CLOSED and not cleaned.get("close_reason"):
            self.add_error("close_reason", _("Geef de reden van afsluiten."))
        return cleaned


class AbsenceFilterForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Alle statussen")), *ReportStatus.choices]


# ------------------------------------------------------------------ the quarterly report


class ReportForm(forms.Form):
    """The quarterly report's choices (GET): peildatum, level and definition."""

    peildatum = date_field(gettext_lazy("Peildatum"))
    niveau = forms.ChoiceField(label=gettext_lazy("Niveau"), choices=[])
    definitie = forms.ChoiceField(label=gettext_lazy("Definitie"), choices=CountDefinition.choices)

    def __init__(self, data=None, *, today: datetime.date, **kwargs):
        defaults = {
            "peildatum": reporting.latest_peildatum(today).isoformat(),
            "niveau": "gemeente",
            "definitie": CountDefinition.OCW,
        }
        if data is not None:
            merged = dict(defaults)
            merged.update({key: value for key, value in data.items() if value})
            data = merged
        else:
            data = defaults
        super().__init__(data, **kwargs)
        self.fields["niveau"].choices = [(key, label) for key, label in reporting.LEVELS.items()]

    def clean_peildatum(self):
        day = self.cleaned_data["peildatum"]
        if day.year < 2000 or day.year > 2100:
            raise ValidationError(_("Kies een peildatum tussen 2000 en 2100."))
        return day
