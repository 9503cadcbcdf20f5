"""Forms of the sociale kaart: the public search, the provider's entry and its locations,
participation counts, needs, the approver's reason, and the import upload.

Every form validates what it takes in (postcode, BRIN6, ages and groups in order, known
codes) with Dutch messages that say what a correct value looks like.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk import forms as shared_forms
from kansrijk import limits
from kansrijk.organisations.models import Organisation, Region, RegionKind, RegionMembership
from kansrijk.organisations.validators import normalise_postcode, validate_brin6

from . import taxonomy
from .models import (
    Frequency,
    Location,
    LocationType,
    Need,
    Schedule,
    Service,
    ServiceArea,
    TaxonomyTerm,
)
from .validators import DAY_NAMES, LANGUAGES, normalise_url, validate_age_range

GROUP_CHOICES = [("", gettext_lazy("Geen groep gekozen"))] + [
    (str(group), gettext_lazy("Groep %(group)s") % {"group": group}) for group in range(1, 9)
]


def _term_choices(terms, empty_label):
    return [("", empty_label)] + [(term.code, term.name) for term in terms]


def districts_of(municipality_ids, day: datetime.date | None = None) -> dict[int, list[Region]]:
    """The wijken and kernen of gemeenten (by their dated memberships), one query."""
    day = day or timezone.localdate()
    memberships = (
        RegionMembership.objects.valid_on(day)
        .filter(parent_id__in=municipality_ids, child__kind=RegionKind.DISTRICT)
        .select_related("child")
        .order_by("child__name")
    )
    result: dict[int, list[Region]] = {}
    for membership in memberships:
        result.setdefault(membership.parent_id, []).append(membership.child)
    return result


def area_choices(municipalities) -> list:
    """A choice list of gemeenten, each followed by its wijken (as an option group)."""
    municipalities = sorted(municipalities, key=lambda region: region.name)
    districts = districts_of([m.pk for m in municipalities])
    choices = []
    for municipality in municipalities:
        wijken = districts.get(municipality.pk, [])
        if wijken:
            options = [
                (municipality.code, _("%(name)s (hele gemeente)") % {"name": municipality.name})
            ]
            options += [(w.code, w.name) for w in wijken]
            choices.append((municipality.name, options))
        else:
            choices.append((municipality.code, municipality.name))
    return choices


def school_by_code(value: str) -> Organisation:
    """A school location from the reference data by its BRIN6 ('08WT00')."""
    code = (value or "").strip().upper()
    validate_brin6(code)
    school = Organisation.objects.schools().filter(code=code).select_related("municipality").first()
    if school is None:
        raise ValidationError(
            _("Er is geen school met vestigingscode %(code)s in de referentiedata.")
            % {"code": code}
        )
    return school


# ------------------------------------------------------------------ public search


class SearchForm(forms.Form):
    """The public search (GET). Every field is optional."""

    q = forms.CharField(
        label=gettext_lazy("Waar zoek je naar?"),
        help_text=gettext_lazy("Bijvoorbeeld: huiswerkbegeleiding, sport of opvoeden."),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    leeftijd = forms.IntegerField(
        label=gettext_lazy("Leeftijd van het kind"),
        help_text=gettext_lazy("In jaren. Of kies hieronder een groep."),
        required=False,
        min_value=0,
        max_value=27,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    groep = forms.ChoiceField(
        label=gettext_lazy("Groep op de basisschool"),
        required=False,
        choices=GROUP_CHOICES,
    )
    thema = forms.ChoiceField(label=gettext_lazy("Onderwerp"), required=False)
    voor = forms.ChoiceField(label=gettext_lazy("Voor wie"), required=False)
    gebied = forms.ChoiceField(label=gettext_lazy("Gemeente of wijk"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["thema"].choices = _term_choices(taxonomy.themes(), _("Alle onderwerpen"))
        self.fields["voor"].choices = _term_choices(taxonomy.audiences(), _("Iedereen"))
        self.fields["gebied"].choices = [("", _("Alle gemeenten")), *area_choices(regions)]

    def clean_groep(self):
        value = self.cleaned_data["groep"]
        return int(value) if value else None

    def area_groups(self) -> list[dict]:
        """The gemeenten (and their wijken) for the template, which writes this select
        itself: with every gemeente of the country, rendering 342 options through the
        widget templates would cost more than the search."""
        groups = []
        for value, label in self.fields["gebied"].choices[1:]:
            if isinstance(label, list | tuple):
                groups.append({"label": value, "options": label})
            else:
                groups.append({"label": None, "options": [(value, label)]})
        return groups

    @property
    def is_filtered(self) -> bool:
        return (
            self.is_bound
            and self.is_valid()
            and any(value not in (None, "") for value in self.cleaned_data.values())
        )


# ------------------------------------------------------------------ the provider's entry


class ServiceForm(forms.ModelForm):
    """An entry as the provider writes it. Contact, phone and languages are the HSDS
    contact, phone and language records; areas the service areas."""

    provider = forms.ChoiceField(label=gettext_lazy("Aanbieder"))
    url = forms.URLField(
        max_length=limits.URL, label=gettext_lazy("Website"), required=False, assume_scheme="https"
    )
    areas = forms.MultipleChoiceField(
        label=gettext_lazy("Waar is het aanbod?"),
        help_text=gettext_lazy(
            "Kies de gemeente, of alleen de wijken waar het aanbod is. Een beleidsmedewerker "
            "van die gemeente keurt het goed."
        ),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("In welke talen?"),
        choices=sorted(LANGUAGES.items(), key=lambda item: (item[0] != "nl", item[1])),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    phone = forms.CharField(label=gettext_lazy("Telefoonnummer"), required=False, max_length=30)
    contact_title = forms.CharField(
        label=gettext_lazy("Contact: functie"),
        help_text=gettext_lazy("Bijvoorbeeld 'jongerenwerker'. Geen namen van personen."),
        required=False,
        max_length=200,
    )
    contact_department = forms.CharField(
        label=gettext_lazy("Contact: afdeling of team"), required=False, max_length=200
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Contact: e-mailadres"),
        help_text=gettext_lazy("Een algemeen adres, zoals info@…"),
        required=False,
    )

    class Meta:
        model = Service
        fields = [
            "name",
            "alternate_name",
            "description",
            "themes",
            "audiences",
            "minimum_age",
            "maximum_age",
            "minimum_group",
            "maximum_group",
            "eligibility_description",
            "requires_referral",
            "has_income_limit",
            "fees_description",
            "is_free",
            "accepts_jeugdfonds",
            "application_process",
            "alert",
            "without_location",
            "url",
            "email",
            "goals",
            "interventions",
        ]
        widgets = {
            "themes": forms.CheckboxSelectMultiple,
            "audiences": forms.CheckboxSelectMultiple,
            "goals": forms.CheckboxSelectMultiple,
            "interventions": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 5}),
            "eligibility_description": forms.Textarea(attrs={"rows": 3}),
            "fees_description": forms.Textarea(attrs={"rows": 3}),
            "application_process": forms.Textarea(attrs={"rows": 3}),
            "alert": forms.Textarea(attrs={"rows": 2}),
        }

    # The form in the order a parent reads the entry, each part a fieldset with a legend.
    SECTIONS = (
        (
            gettext_lazy("Wat"),
            ("provider", "name", "alternate_name", "description", "themes", "alert"),
        ),
        (
            gettext_lazy("Voor wie"),
            (
                "audiences",
                "minimum_age",
                "maximum_age",
                "minimum_group",
                "maximum_group",
                "eligibility_description",
                "requires_referral",
                "has_income_limit",
                "languages",
            ),
        ),
        (gettext_lazy("Waar en wanneer"), ("areas", "without_location")),
        (
            gettext_lazy("Kosten en aanmelden"),
            ("is_free", "fees_description", "accepts_jeugdfonds", "application_process"),
        ),
        (
            gettext_lazy("Contact"),
            ("url", "email", "phone", "contact_title", "contact_department", "contact_email"),
        ),
        (gettext_lazy("Hoort bij de agenda"), ("goals", "interventions")),
    )

    def sections(self) -> list[tuple[str, list]]:
        """(legend, bound fields) per part, leaving out the fields this form does not have."""
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.SECTIONS
            if any(name in self.fields for name in names)
        ]

    def __init__(self, *args, providers=(), regions=(), goals=None, interventions=None, **kwargs):
        super().__init__(*args, **kwargs)
        service = self.instance
        self.providers = {str(p.pk): p for p in providers}
        if service.pk:
            del self.fields["provider"]
        else:
            self.fields["provider"].choices = [(key, p.name) for key, p in self.providers.items()]
            if len(self.providers) == 1:
                self.fields["provider"].initial = next(iter(self.providers))
        self.fields["themes"].queryset = taxonomy.themes()
        self.fields["audiences"].queryset = taxonomy.audiences()
        self.fields["without_location"].label = _("Zonder vaste locatie: online of op afspraak")
        self.fields["without_location"].help_text = _(
            "Kruis dit aan als er geen adres is waar ouders heen gaan, bijvoorbeeld bij het "
            "gezin thuis. Anders voeg je na het opslaan een locatie toe; zonder locatie kun je "
            "het aanbod niet aanbieden ter goedkeuring."
        )
        current = list(service.areas.select_related("region")) if service.pk else []
        choice_regions = {r.pk: r for r in regions if r.kind == RegionKind.MUNICIPALITY}
        for area in current:
            choice_regions.setdefault(area.municipality_id, area.municipality)
        self.fields["areas"].choices = _flat(area_choices(choice_regions.values()))
        for area in current:  # a wijk outside the list stays choosable
            if area.region.code not in dict(self.fields["areas"].choices):
                self.fields["areas"].choices.append((area.region.code, area.region.name))
        self.fields["goals"].queryset = (
            goals if goals is not None else self.fields["goals"].queryset.none()
        )
        self.fields["goals"].label_from_instance = lambda goal: f"{goal.agenda.title}: {goal}"
        self.fields["interventions"].queryset = (
            interventions
            if interventions is not None
            else self.fields["interventions"].queryset.none()
        )
        self.fields["interventions"].label_from_instance = lambda intervention: (
            f"{intervention.agenda.title}: {intervention.name}"
        )
        self.fields["goals"].required = self.fields["interventions"].required = False
        for name in ("goals", "interventions"):
            if not self.fields[name].queryset.exists() and not (
                service.pk and getattr(service, name).exists()
            ):
                del self.fields[name]
        if service.pk:
            self.initial["areas"] = [area.region.code for area in current]
            self.initial["languages"] = list(service.languages.values_list("code", flat=True))
            phone = service.phones.first()
            self.initial["phone"] = phone.number if phone else ""
            contact = service.contacts.first()
            if contact:
                self.initial.update(
                    contact_title=contact.title,
                    contact_department=contact.department,
                    contact_email=contact.email,
                )
        elif not self.is_bound and len(self.fields["areas"].choices) == 1:
            self.initial["areas"] = [self.fields["areas"].choices[0][0]]

    def clean_url(self):
        return normalise_url(self.cleaned_data["url"])

    def clean_provider(self):
        key = self.cleaned_data["provider"]
        if key not in self.providers:
            raise ValidationError(_("Kies een aanbieder uit de lijst."))
        return self.providers[key]

    def clean_areas(self):
        codes = self.cleaned_data["areas"]
        regions = {r.code: r for r in Region.objects.filter(code__in=codes)}
        return [regions[code] for code in codes if code in regions]

    def clean(self):
        data = super().clean()
        try:
            validate_age_range(data.get("minimum_age"), data.get("maximum_age"))
        except ValidationError as error:
            self.add_error("maximum_age", error)
        low, high = data.get("minimum_group"), data.get("maximum_group")
        if low is not None and high is not None and high < low:
            self.add_error("maximum_group", _("De groep 'tot en met' ligt onder de groep 'vanaf'."))
        if data.get("is_free") and data.get("fees_description", "").strip() == "":
            data["fees_description"] = ""
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name] for name in self.Meta.fields if name not in M2M_FIELDS and name in data
        }
        if "provider" in data:
            fields["provider"] = data["provider"]
        return fields

    def links(self):
        from .services import Links

        data = self.cleaned_data
        contact = {
            "title": data["contact_title"],
            "department": data["contact_department"],
            "email": data["contact_email"],
        }
        return Links(
            themes=data["themes"],
            audiences=data["audiences"],
            areas=data["areas"],
            goals=data.get("goals"),
            interventions=data.get("interventions"),
            languages=data["languages"],
            phones=[(data["phone"], "")] if data["phone"] else [],
            contacts=[contact] if any(contact.values()) else [],
        )


M2M_FIELDS = {"themes", "audiences", "goals", "interventions"}


def _flat(choices) -> list:
    """Option groups flattened (checkboxes have no groups): 'Gemeente (hele gemeente)',
    then its wijken."""
    flat = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            flat.extend(label)
        else:
            flat.append((value, label))
    return flat


class LocationForm(forms.Form):
    """Where the service is given: a school from the reference data (by BRIN6), an address,
    or online; with the days and times."""

    school = forms.CharField(
        label=gettext_lazy("Op een school: vestigingscode (BRIN6)"),
        help_text=gettext_lazy(
            "Bijvoorbeeld 08WT00. Dan nemen we naam, adres en gemeente van de school over."
        ),
        required=False,
        max_length=6,
    )
    name = forms.CharField(
        label=gettext_lazy("Naam van de locatie"), required=False, max_length=200
    )
    address_1 = forms.CharField(
        label=gettext_lazy("Straat en huisnummer"), required=False, max_length=200
    )
    postal_code = forms.CharField(
        label=gettext_lazy("Postcode"),
        help_text=gettext_lazy("Zoals 3145 NG."),
        required=False,
        max_length=7,
    )
    city = forms.CharField(label=gettext_lazy("Plaats"), required=False, max_length=100)
    municipality = forms.ChoiceField(label=gettext_lazy("Gemeente"), required=False)
    district = forms.ChoiceField(label=gettext_lazy("Wijk of kern"), required=False)
    latitude = forms.DecimalField(
        label=gettext_lazy("Breedtegraad"),
        help_text=gettext_lazy("Mag leeg blijven; bij een school nemen we die van de school."),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Lengtegraad"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "0.000001"}),
    )
    url = forms.URLField(
        max_length=limits.URL,
        label=gettext_lazy("Of online: webadres"),
        required=False,
        assume_scheme="https",
    )
    description = forms.CharField(
        max_length=limits.TEXT,
        label=gettext_lazy("Toelichting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    days = forms.MultipleChoiceField(
        label=gettext_lazy("Op welke dagen?"),
        choices=list(DAY_NAMES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    opens_at = forms.TimeField(
        label=gettext_lazy("Van"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes_at = forms.TimeField(
        label=gettext_lazy("Tot"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Vanaf datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_to = forms.DateField(
        label=gettext_lazy("Tot en met datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    schedule_description = forms.CharField(
        label=gettext_lazy("Tijden in woorden"),
        help_text=gettext_lazy("Bijvoorbeeld: 'in de schoolvakanties' of 'na schooltijd'."),
        required=False,
        max_length=500,
    )

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = sorted(municipalities, key=lambda r: r.name)
        self.municipalities = {r.code: r for r in municipalities}
        self.fields["municipality"].choices = [("", _("Kies een gemeente"))] + [
            (r.code, r.name) for r in municipalities
        ]
        districts = districts_of([r.pk for r in municipalities])
        self.districts = {w.code: w for wijken in districts.values() for w in wijken}
        self.district_parent = {
            w.code: parent for parent, wijken in districts.items() for w in wijken
        }
        self.fields["district"].choices = [("", _("Geen wijk"))] + [
            (w.code, w.name) for w in sorted(self.districts.values(), key=lambda r: r.name)
        ]

    WHERE = (
        "school",
        "name",
        "address_1",
        "postal_code",
        "city",
        "municipality",
        "district",
        "latitude",
        "longitude",
        "url",
        "description",
    )
    WHEN = ("days", "opens_at", "closes_at", "valid_from", "valid_to", "schedule_description")

    def where_fields(self):
        return [self[name] for name in self.WHERE]

    def when_fields(self):
        return [self[name] for name in self.WHEN]

    def clean_school(self):
        value = self.cleaned_data["school"]
        return school_by_code(value) if value.strip() else None

    def clean_postal_code(self):
        value = self.cleaned_data["postal_code"]
        return normalise_postcode(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        school = data.get("school")
        municipality = self.municipalities.get(data.get("municipality") or "")
        district = self.districts.get(data.get("district") or "")
        if district and municipality and self.district_parent[district.code] != municipality.pk:
            self.add_error("district", _("Deze wijk ligt niet in de gekozen gemeente."))
        has_address = any(data.get(name) for name in ("address_1", "postal_code", "city"))
        if not school and not data.get("url"):
            if not data.get("name"):
                self.add_error("name", _("Geef de locatie een naam, of kies een school."))
            if has_address:
                for name in ("address_1", "postal_code", "city"):
                    if not data.get(name):
                        self.add_error(name, _("Vul het hele adres in."))
            if not municipality:
                self.add_error("municipality", _("Kies de gemeente van de locatie."))
        if school and municipality is None and school.municipality is None:
            self.add_error("school", _("Deze school ligt niet in een bekende gemeente."))
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("De eindtijd ligt niet na de begintijd."))
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("De einddatum ligt voor de begindatum."))
        data["municipality"] = municipality
        data["district"] = district
        return data

    def location(self) -> Location:
        data = self.cleaned_data
        return Location(
            location_type=LocationType.VIRTUAL
            if data["url"] and not data["school"] and not data["address_1"]
            else LocationType.PHYSICAL,
            name=data["name"],
            url=data["url"],
            school=data["school"],
            address_1=data["address_1"],
            postal_code=data["postal_code"],
            city=data["city"],
            municipality=data["municipality"],
            district=data["district"],
            latitude=data["latitude"],
            longitude=data["longitude"],
        )

    def schedules(self) -> list[Schedule]:
        data = self.cleaned_data
        if not any(
            data.get(name) for name in ("days", "opens_at", "closes_at", "valid_from", "valid_to")
        ) and not data.get("schedule_description"):
            return []
        days = [day for day in DAY_NAMES if day in data["days"]]
        return [
            Schedule(
                freq=Frequency.WEEKLY if days else "",
                byday=",".join(days),
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                valid_from=data["valid_from"],
                valid_to=data["valid_to"],
                description=data["schedule_description"],
            )
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Wat moet er anders?"),
        help_text=gettext_lazy("De aanbieder leest dit bij het aanbod."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
    )


# ------------------------------------------------------------------ participation and needs

# Participation is counted per school year or calendar year.
PARTICIPATION_PERIODS = (shared_forms.SCHOOL_YEAR, shared_forms.CALENDAR_YEAR)


def parse_period(text: str) -> tuple[datetime.date, datetime.date, str]:
    """'2023/2024' → the school year 1 Aug 2023 – 31 Jul 2024; '2023' → the calendar year
    (the shared period notation, for the import and the API)."""
    period = shared_forms.parse_period(text, PARTICIPATION_PERIODS)
    return period.start, period.end, period.label


class ParticipationForm(forms.Form):
    period = shared_forms.PeriodField(kinds=PARTICIPATION_PERIODS)
    school = forms.CharField(
        label=gettext_lazy("School: vestigingscode (BRIN6)"),
        help_text=gettext_lazy("Bijvoorbeeld 08WT00. Of kies hieronder een wijk of gemeente."),
        required=False,
        max_length=6,
    )
    region = forms.ChoiceField(label=gettext_lazy("Of: wijk of gemeente"), required=False)
    participants = forms.IntegerField(
        label=gettext_lazy("Aantal deelnemers"),
        help_text=gettext_lazy("Alleen een aantal: nooit namen of andere gegevens van kinderen."),
        min_value=0,
        max_value=1_000_000,
    )

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {}
        municipalities = [r for r in regions if r.kind == RegionKind.MUNICIPALITY]
        choices = area_choices(municipalities)
        for value, _label in _flat(choices):
            self.regions[value] = value
        self.fields["region"].choices = [("", _("Geen: ik kies een school")), *choices]

    def clean_school(self):
        value = self.cleaned_data["school"]
        return school_by_code(value) if value.strip() else None

    def clean(self):
        data = super().clean()
        school, region_code = data.get("school"), data.get("region")
        if bool(school) == bool(region_code):
            raise ValidationError(_("Kies een school óf een wijk of gemeente."))
        data["region"] = Region.objects.get(code=region_code) if region_code else None
        return data


class NeedForm(forms.ModelForm):
    municipality = forms.ChoiceField(label=gettext_lazy("Gemeente"))
    period_label = shared_forms.PeriodField(required=False)
    district = forms.ChoiceField(label=gettext_lazy("Wijk of kern"), required=False)
    school_code = forms.CharField(
        label=gettext_lazy("School: vestigingscode (BRIN6)"),
        help_text=gettext_lazy("Alleen als de behoefte bij één school hoort, bijv. 08WT00."),
        required=False,
        max_length=6,
    )

    class Meta:
        model = Need
        fields = [
            "theme",
            "minimum_age",
            "maximum_age",
            "minimum_group",
            "maximum_group",
            "description",
            "period_label",
            "is_illustrative",
            "source",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        municipalities = sorted(municipalities, key=lambda r: r.name)
        self.municipalities = {r.code: r for r in municipalities}
        self.fields["municipality"].choices = [(r.code, r.name) for r in municipalities]
        districts = districts_of([r.pk for r in municipalities])
        self.districts = {w.code: (w, parent) for parent, ws in districts.items() for w in ws}
        self.fields["district"].choices = [("", _("De hele gemeente"))] + [
            (code, w.name)
            for code, (w, _parent) in sorted(self.districts.items(), key=lambda i: i[1][0].name)
        ]
        self.fields["theme"].queryset = taxonomy.themes()
        self.fields["theme"].empty_label = None
        need = self.instance
        if need.pk:
            self.initial["municipality"] = need.municipality.code
            self.initial["district"] = need.district.code if need.district_id else ""
            self.initial["school_code"] = need.school.code if need.school_id else ""

    def clean_school_code(self):
        value = self.cleaned_data["school_code"]
        return school_by_code(value) if value.strip() else None

    def clean_period_label(self):
        period = self.cleaned_data["period_label"]
        return period.label if period else ""

    def clean(self):
        data = super().clean()
        municipality = self.municipalities.get(data.get("municipality") or "")
        if municipality is None:
            self.add_error("municipality", _("Kies een gemeente uit de lijst."))
            return data
        district_code = data.get("district") or ""
        district = None
        if district_code:
            district, parent = self.districts[district_code]
            if parent != municipality.pk:
                self.add_error("district", _("Deze wijk ligt niet in de gekozen gemeente."))
        school = data.get("school_code")
        if school and school.municipality_id != municipality.pk:
            self.add_error("school_code", _("Deze school ligt niet in de gekozen gemeente."))
        try:
            validate_age_range(data.get("minimum_age"), data.get("maximum_age"))
        except ValidationError as error:
            self.add_error("maximum_age", error)
        ages = (data.get("minimum_age"), data.get("maximum_age"))
        groups = (data.get("minimum_group"), data.get("maximum_group"))
        if None in ages and None in groups:
            self.add_error(
                "minimum_age",
                _("Vul een leeftijd vanaf en tot en met in, of een groep vanaf en tot en met."),
            )
        if None not in groups and groups[1] < groups[0]:
            self.add_error("maximum_group", _("De groep 'tot en met' ligt onder de groep 'vanaf'."))
        data["municipality"], data["district"], data["school"] = municipality, district, school
        return data

    def need_fields(self) -> dict:
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields}
        fields.update(
            municipality=data["municipality"], district=data["district"], school=data["school"]
        )
        return fields


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bestand"),
        help_text=gettext_lazy("Een .xlsx- of .csv-bestand (hoogstens 5 MB)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Alleen controleren, nog niets opslaan"), required=False
    )

    def clean_file(self):
        from kansrijk.agenda.importing import MAX_FILE_BYTES

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Kies een .xlsx- of .csv-bestand."))
        if upload.size > MAX_FILE_BYTES:
            raise ValidationError(_("Het bestand is groter dan 5 MB."))
        return upload


__all__ = [
    "ImportForm",
    "LocationForm",
    "NeedForm",
    "ParticipationForm",
    "ReasonForm",
    "SearchForm",
    "ServiceArea",
    "ServiceForm",
    "TaxonomyTerm",
    "parse_period",
]
