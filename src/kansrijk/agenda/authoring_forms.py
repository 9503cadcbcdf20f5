"""The forms of writing an agenda. They validate, in Dutch; the views hand the cleaned
data to ``authoring`` (the services), which makes the change."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.forms.models import fields_for_model, model_to_dict
from django.utils.translation import gettext_lazy as _

from kansrijk.indicators.models import Unit
from kansrijk.organisations.models import Membership, Organisation, Role, User
from kansrijk.periods import SHORT_MONTH_NAMES

from .forms import DateInput
from .models import (
    Activity,
    Agenda,
    AgendaKind,
    EvaluationMoment,
    FundingLine,
    Goal,
    Intervention,
    InvolvementRole,
    Spearhead,
)

REQUIRED_TITLE = {"required": _("Vul de titel in.")}


def month_choices(agenda: Agenda) -> list[tuple[str, str]]:
    """Every month of the agenda's period as ('2020-08', 'aug 2020')."""
    choices = []
    day = datetime.date(agenda.period_start.year, agenda.period_start.month, 1)
    while day <= agenda.period_end:
        choices.append((f"{day:%Y-%m}", f"{SHORT_MONTH_NAMES[day.month - 1]} {day.year}"))
        day = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return choices


def as_month(value: str) -> datetime.date:
    year, month = value.split("-")
    return datetime.date(int(year), int(month), 1)


OUTSIDE_PERIOD = _(
    "Kies een maand binnen de looptijd van de agenda (%(start)s tot en met %(end)s)."
)


def _period_words(agenda: Agenda) -> dict:
    return {
        "start": f"{SHORT_MONTH_NAMES[agenda.period_start.month - 1]} {agenda.period_start.year}",
        "end": f"{SHORT_MONTH_NAMES[agenda.period_end.month - 1]} {agenda.period_end.year}",
    }


class PercentageField(forms.IntegerField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 100)
        kwargs.setdefault(
            "error_messages",
            {
                "min_value": _("Een percentage ligt tussen 0 en 100."),
                "max_value": _("Een percentage ligt tussen 0 en 100."),
                "invalid": _("Vul een heel getal in, zonder %-teken."),
            },
        )
        super().__init__(**kwargs)


# ------------------------------------------------------------------ a new agenda


class StartAgendaForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Eigenaar"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("De organisatie die de agenda opstelt; jij bent er beleidsmedewerker."),
    )
    title = forms.CharField(label=_("Titel"), max_length=255, error_messages=REQUIRED_TITLE)
    kind = forms.ChoiceField(label=_("Soort agenda"), choices=AgendaKind.choices)
    period_start = forms.DateField(
        label=_("Looptijd vanaf"),
        widget=DateInput(),
        error_messages={"required": _("Vul de eerste dag van de looptijd in.")},
    )
    period_end = forms.DateField(
        label=_("Looptijd tot en met"),
        widget=DateInput(),
        error_messages={"required": _("Vul de laatste dag van de looptijd in.")},
    )
    copy_of = forms.ModelChoiceField(
        label=_("Begin met een kopie van"),
        queryset=Agenda.objects.none(),
        required=False,
        empty_label=_("Niets: een lege agenda"),
        help_text=_(
            "De speerpunten, doelen, activiteiten, interventies en financiering van een "
            "agenda die je kunt lezen worden gekopieerd naar de nieuwe conceptagenda."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        editor_orgs = Organisation.objects.all()
        if not user.is_superuser:
            editor_orgs = editor_orgs.filter(
                pk__in=Membership.objects.filter(
                    user=user, is_active=True, role__in=[Role.POLICY_OFFICER, Role.ADMIN]
                ).values("organisation_id")
            )
        self.fields["owner"].queryset = editor_orgs.order_by("name")
        self.fields["copy_of"].queryset = Agenda.objects.visible_to(user).order_by("title")

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("De looptijd kan niet eindigen voordat hij begint."))
        return data


class AgendaFactsForm(forms.Form):
    """What the agenda says about itself: title, kind, period, vision, introduction. A
    plain form over the model's fields: the period rule is said here in words, and the
    database constraint behind it is checked by the service, not a second time here."""

    FIELDS = ["title", "subtitle", "kind", "period_start", "period_end", "vision", "introduction"]

    def __init__(self, *args, instance: Agenda, **kwargs):
        kwargs.setdefault("initial", model_to_dict(instance, fields=self.FIELDS))
        super().__init__(*args, **kwargs)
        self.fields.update(
            fields_for_model(
                Agenda,
                fields=self.FIELDS,
                labels={
                    "title": _("Titel"),
                    "subtitle": _("Ondertitel"),
                    "kind": _("Soort agenda"),
                    "period_start": _("Looptijd vanaf"),
                    "period_end": _("Looptijd tot en met"),
                    "vision": _("Visie"),
                    "introduction": _("Inleiding"),
                },
                error_messages={
                    "title": REQUIRED_TITLE,
                    "period_start": {"required": _("Vul de eerste dag van de looptijd in.")},
                    "period_end": {"required": _("Vul de laatste dag van de looptijd in.")},
                },
                widgets={
                    "period_start": DateInput(),
                    "period_end": DateInput(),
                    "vision": forms.Textarea(attrs={"rows": 6}),
                    "introduction": forms.Textarea(attrs={"rows": 6}),
                },
            )
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("De looptijd kan niet eindigen voordat hij begint."))
        return data

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


# ------------------------------------------------------------------ items


class ItemForm(forms.ModelForm):
    """The model fields of one item; subclasses add what is not a model field."""

    def __init__(self, *args, agenda: Agenda, **kwargs):
        self.agenda = agenda
        super().__init__(*args, **kwargs)

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class SpearheadForm(ItemForm):
    class Meta:
        model = Spearhead
        fields = ["number", "title", "description", "intended_result"]
        labels = {"number": _("Nummer"), "title": _("Titel"), "description": _("Toelichting")}
        error_messages = {"title": REQUIRED_TITLE}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "intended_result": forms.Textarea(attrs={"rows": 3}),
        }


class GoalForm(ItemForm):
    class Meta:
        model = Goal
        fields = ["number", "text", "indicator_text", "priority"]
        labels = {
            "number": _("Nummer"),
            "text": _("Doel"),
            "indicator_text": _("Hoe meten we dat?"),
            "priority": _("Prioriteit"),
        }
        help_texts = {"number": _("Bijvoorbeeld 3, zoals in het document.")}
        error_messages = {"text": {"required": _("Beschrijf het doel.")}}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "indicator_text": forms.Textarea(attrs={"rows": 2}),
        }


class RolesMixin(forms.Form):
    """Voortrekker (one), partners and financiers: organisations from the register that
    work in the agenda's gemeenten, plus those already named."""

    lead = forms.ModelChoiceField(
        label=_("Voortrekker"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Nog niemand"),
        help_text=_("De ene organisatie die het voortouw neemt."),
    )
    lead_person = forms.ModelChoiceField(
        label=_("Persoon bij de voortrekker"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Geen persoon: de organisatie"),
        help_text=_("Iemand die bij de voortrekker werkt en het voortouw neemt (niet verplicht)."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    funders = forms.ModelMultipleChoiceField(
        label=_("Financiers"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def setup_roles(self, with_roles: bool) -> None:
        if not with_roles:
            for name in ("lead", "lead_person", "partners", "funders"):
                del self.fields[name]
            return
        candidates = candidate_organisations(self.agenda, self.instance)
        for name in ("lead", "partners", "funders"):
            self.fields[name].queryset = candidates
            self.fields[name].label_from_instance = lambda organisation: organisation.name
        # The people of those organisations; clean_roles checks they work for the lead.
        self.fields["lead_person"].queryset = (
            User.objects.filter(
                memberships__organisation__in=candidates, memberships__is_active=True
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        self.fields["lead_person"].label_from_instance = lambda person: (
            person.get_full_name() or person.username
        )
        if self.instance.pk:
            current = self.instance.involvements.exclude(organisation=None)
            lead = next((i for i in current if i.role == InvolvementRole.LEAD), None)
            self.initial.setdefault("lead", lead.organisation_id if lead else None)
            self.initial.setdefault("lead_person", lead.person_id if lead else None)
            self.initial.setdefault(
                "partners",
                [i.organisation_id for i in current if i.role == InvolvementRole.PARTNER],
            )
            self.initial.setdefault(
                "funders", [i.organisation_id for i in current if i.role == InvolvementRole.FUNDER]
            )

    def clean_roles(self, data) -> None:
        lead, person = data.get("lead"), data.get("lead_person")
        if person and not lead:
            self.add_error("lead", _("Kies de organisatie waar deze persoon voor werkt."))
        elif person and not person.memberships.filter(organisation=lead, is_active=True).exists():
            self.add_error(
                "lead_person",
                _("%(person)s werkt niet bij %(organisation)s.")
                % {"person": person.get_full_name() or person.username, "organisation": lead.name},
            )
        if lead and lead in (data.get("partners") or []):
            self.add_error(
                "partners",
                _("%(name)s is al voortrekker; een organisatie is voortrekker of partner.")
                % {"name": lead.name},
            )

    @property
    def has_roles(self) -> bool:
        return "lead" in self.fields


def candidate_organisations(agenda: Agenda, item=None):
    """Who can take a role: the owners, organisations in or serving the agenda's
    gemeenten (not every school of the country), and whoever already has a role."""
    region_ids = list(agenda.regions.values_list("pk", flat=True))
    if agenda.region_id:
        region_ids.append(agenda.region_id)
    condition = (
        Q(owned_agendas=agenda)
        | Q(municipality_id__in=region_ids)
        | Q(served_regions__in=region_ids)
    )
    if item is not None and item.pk:
        condition |= Q(pk__in=item.involvements.values("organisation_id"))
    return Organisation.objects.filter(condition).distinct().order_by("name")


class ActivityForm(RolesMixin, ItemForm):
    progress = PercentageField(
        label=_("Voortgang (%)"),
        help_text=_("Een getal van 0 tot en met 100. Laat leeg als je het niet weet."),
    )
    months = forms.MultipleChoiceField(
        label=_("Geplande maanden"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Activity
        fields = ["title", "description", "planned_text", "status", "progress"]
        labels = {
            "title": _("Activiteit"),
            "description": _("Toelichting"),
            "planned_text": _("Planning zoals geschreven"),
            "status": _("Status"),
        }
        error_messages = {"title": {"required": _("Beschrijf de activiteit.")}}
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, with_roles: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = month_choices(self.agenda)
        self.fields["months"].error_messages["invalid_choice"] = OUTSIDE_PERIOD % _period_words(
            self.agenda
        )
        if self.instance.pk:
            self.initial.setdefault(
                "months",
                [
                    f"{m:%Y-%m}"
                    for m in self.instance.planned_months.values_list("month", flat=True)
                ],
            )
        self.setup_roles(with_roles)

    def clean(self):
        data = super().clean()
        self.clean_roles(data)
        return data

    def planned_months(self) -> list[datetime.date]:
        return [as_month(value) for value in self.cleaned_data["months"]]


class InterventionForm(RolesMixin, ItemForm):
    progress = PercentageField(label=_("Voortgang (%)"))
    goals = forms.ModelMultipleChoiceField(
        label=_("Doelen waaraan de interventie werkt"),
        queryset=Goal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Intervention
        fields = [
            "name",
            "goal_text",
            "target_group",
            "location_text",
            "activities_text",
            "planning_text",
            "monitoring_text",
            "financing_text",
            "contact",
            "status",
            "progress",
        ]
        labels = {"name": _("Naam"), "status": _("Status")}
        error_messages = {"name": {"required": _("Vul de naam van de interventie in.")}}
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "goal_text",
                "target_group",
                "location_text",
                "activities_text",
                "planning_text",
                "monitoring_text",
                "financing_text",
                "contact",
            )
        }

    def __init__(self, *args, with_roles: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].queryset = self.agenda.goals.filter(archived_on=None)
        if self.instance.pk:
            self.initial.setdefault("goals", list(self.instance.goals.values_list("pk", flat=True)))
        self.setup_roles(with_roles)

    def clean(self):
        data = super().clean()
        self.clean_roles(data)
        return data


class EvaluationMomentForm(ItemForm):
    month = forms.ChoiceField(label=_("Maand"))
    intervention = forms.ModelChoiceField(
        label=_("Wat wordt geëvalueerd"),
        queryset=Intervention.objects.none(),
        required=False,
        empty_label=_("De hele agenda"),
    )

    class Meta:
        model = EvaluationMoment
        fields = ["description", "planned_text", "done_on"]
        labels = {
            "description": _("Omschrijving"),
            "planned_text": _("Planning zoals geschreven"),
            "done_on": _("Uitgevoerd op"),
        }
        help_texts = {"planned_text": _("Bijvoorbeeld 'begin 2023'.")}
        error_messages = {"description": {"required": _("Beschrijf de evaluatie.")}}
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "done_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = month_choices(self.agenda)
        self.fields["month"].error_messages["invalid_choice"] = OUTSIDE_PERIOD % _period_words(
            self.agenda
        )
        self.fields["month"].error_messages["required"] = _("Kies de maand van de evaluatie.")
        self.fields["intervention"].queryset = self.agenda.interventions.filter(archived_on=None)
        if self.instance.pk:
            self.initial.setdefault("month", f"{self.instance.month:%Y-%m}")
            self.initial.setdefault("intervention", self.instance.intervention_id)
        # The month first: it is what a reader looks for.
        self.order_fields(["month", "intervention", "description", "planned_text", "done_on"])

    def changes(self) -> dict:
        return super().changes() | {
            "month": as_month(self.cleaned_data["month"]),
            "intervention": self.cleaned_data["intervention"],
        }


class FundingLineForm(ItemForm):
    class Meta:
        model = FundingLine
        fields = ["year", "source", "planned_amount", "realised_amount", "is_estimate", "notes"]
        labels = {
            "year": _("Jaar"),
            "source": _("Bron"),
            "planned_amount": _("Begroot (€)"),
            "realised_amount": _("Gerealiseerd (€)"),
            "is_estimate": _("Het bedrag is een schatting (circa)"),
            "notes": _("Toelichting"),
        }
        error_messages = {
            "planned_amount": {"required": _("Vul het begrote bedrag in.")},
            "year": {"required": _("Vul het jaar in.")},
        }
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not self.agenda.period_start.year <= year <= self.agenda.period_end.year:
            raise forms.ValidationError(
                _("Kies een jaar binnen de looptijd van de agenda (%(start)s–%(end)s).")
                % {"start": self.agenda.period_start.year, "end": self.agenda.period_end.year}
            )
        return year

    def clean_planned_amount(self):
        amount = self.cleaned_data["planned_amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("Een bedrag kan niet negatief zijn."))
        return amount

    def clean_realised_amount(self):
        amount = self.cleaned_data["realised_amount"]
        if amount is not None and amount < 0:
            raise forms.ValidationError(_("Een bedrag kan niet negatief zijn."))
        return amount


class GoalIndicatorForm(forms.Form):
    """A figure that measures the goal, with its nulmeting and streefwaarde."""

    name = forms.CharField(
        label=_("Naam van de indicator"),
        max_length=255,
        error_messages={"required": _("Vul de naam van de indicator in.")},
        help_text=_("Bijvoorbeeld 'Bereik VVE: peuters met een VVE-indicatie op de voorschool'."),
    )
    unit = forms.ChoiceField(label=_("Eenheid"), choices=Unit.choices, initial=Unit.PERCENTAGE)
    baseline_value = forms.DecimalField(
        label=_("Nulmeting"),
        max_digits=14,
        decimal_places=2,
        error_messages={"required": _("Vul de waarde van de nulmeting in.")},
    )
    baseline_year = forms.IntegerField(
        label=_("Jaar van de nulmeting"),
        min_value=1990,
        max_value=2100,
        error_messages={"required": _("Vul het jaar van de nulmeting in.")},
    )
    target_value = forms.DecimalField(
        label=_("Streefwaarde"),
        max_digits=14,
        decimal_places=2,
        error_messages={"required": _("Vul de streefwaarde in.")},
    )
    target_year = forms.IntegerField(
        label=_("Jaar van de streefwaarde"),
        min_value=1990,
        max_value=2100,
        error_messages={"required": _("Vul het jaar in waarin de streefwaarde gehaald moet zijn.")},
    )

    def __init__(self, *args, agenda: Agenda, **kwargs):
        self.agenda = agenda
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("unit") == Unit.PERCENTAGE:
            for name in ("baseline_value", "target_value"):
                value = data.get(name)
                if value is not None and not 0 <= value <= 100:
                    self.add_error(name, _("Een percentage ligt tussen 0 en 100."))
        baseline_year, target_year = data.get("baseline_year"), data.get("target_year")
        if baseline_year and target_year and target_year < baseline_year:
            self.add_error("target_year", _("De streefwaarde ligt na de nulmeting, niet ervoor."))
        return data


class MoveForm(forms.Form):
    """'Verplaatsen naar': the parents an item may move to, as a plain select."""

    # Not required: the empty choice is a real place ("geen speerpunt") where offered.
    to = forms.ChoiceField(label=_("Verplaatsen naar"), required=False)

    def __init__(self, *args, parents: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.parents = {str(parent.pk) if parent else "": parent for _l, parent in parents}
        self.fields["to"].choices = [
            (str(parent.pk) if parent else "", label) for label, parent in parents
        ]
        self.fields["to"].error_messages["invalid_choice"] = _(
            "Daarheen kan dit onderdeel niet verplaatst worden."
        )

    def clean_to(self):
        value = self.cleaned_data["to"]
        if value not in self.parents:
            raise forms.ValidationError(_("Daarheen kan dit onderdeel niet verplaatst worden."))
        return self.parents[value]
