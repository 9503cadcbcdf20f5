"""Forms of the agenda pages. They only validate: the views hand the cleaned data to the
service functions, which make the change."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kansrijk import limits
from kansrijk.organisations.models import Organisation

from .models import Nomination, NominationStatus, Spearhead, WorkStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ProgressForm(forms.Form):
    """What a voortrekker records: status, progress and what happened."""

    status = forms.ChoiceField(label=_("Status"), choices=WorkStatus.choices)
    progress = forms.IntegerField(
        label=_("Voortgang (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Een getal van 0 tot en met 100. Laat leeg als je het niet weet."),
    )
    note = forms.CharField(
        max_length=limits.TEXT,
        label=_("Wat is er gebeurd?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Een korte notitie voor de partners, bijvoorbeeld een afgeronde stap."),
    )
    is_milestone = forms.BooleanField(label=_("Dit is een mijlpaal"), required=False)
    date = forms.DateField(label=_("Datum van de notitie"), required=False, widget=DateInput())

    def __init__(self, *args, item=None, with_progress: bool = True, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if item is not None:
            initial.setdefault("status", item.status)
            initial.setdefault("progress", item.progress)
        initial.setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)
        if not with_progress:
            # The progress of an activity with sub-activities is calculated from them.
            del self.fields["progress"]

    def clean(self):
        data = super().clean()
        if data.get("is_milestone") and not data.get("note"):
            self.add_error("note", _("Beschrijf de mijlpaal."))
        return data


class VersionForm(forms.Form):
    label = forms.CharField(
        label=_("Omschrijving van de versie"),
        max_length=200,
        help_text=_("Bijvoorbeeld 'Na de tussentijdse evaluatie van begin 2023'."),
    )


class AdoptForm(forms.Form):
    adopted_on = forms.DateField(label=_("Vastgesteld op"), widget=DateInput())
    adopted_by = forms.CharField(
        label=_("Vastgesteld door"),
        max_length=200,
        help_text=_(
            "Het orgaan dat de agenda vaststelt, bijvoorbeeld 'OOGO Midden-Kennemerland' "
            "of 'gemeenteraad'."
        ),
    )

    def clean_adopted_on(self):
        adopted_on = self.cleaned_data["adopted_on"]
        if adopted_on > timezone.localdate():
            raise forms.ValidationError(_("Een datum in de toekomst kan niet."))
        return adopted_on


class OccurrenceForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    note = forms.CharField(
        max_length=limits.TEXT,
        label=_("Notitie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bijvoorbeeld het onderwerp van de bijeenkomst."),
    )

    def __init__(self, *args, commitment=None, **kwargs):
        self.commitment = commitment
        super().__init__(*args, **kwargs)

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(
                _("Leg vast wat al is gebeurd: een datum in de toekomst kan niet.")
            )
        if self.commitment is not None:
            agenda = self.commitment.agenda
            if not agenda.period_start <= date <= agenda.period_end:
                raise forms.ValidationError(
                    _(
                        "De datum valt buiten de looptijd van de agenda (%(start)s tot en met %(end)s)."
                    )
                    % {
                        "start": agenda.period_start.strftime("%d-%m-%Y"),
                        "end": agenda.period_end.strftime("%d-%m-%Y"),
                    }
                )
        return date


class NominationForm(forms.ModelForm):
    """The public nomination form of the education prize (no login needed)."""

    class Meta:
        model = Nomination
        fields = ["category", "nominee", "motivation", "submitted_by", "co_signers"]
        labels = {
            "category": _("Categorie"),
            "nominee": _("Wie draag je voor?"),
            "motivation": _("Motivatie"),
            "submitted_by": _("Jouw naam"),
            "co_signers": _("Mede-ondertekenaars"),
        }
        help_texts = {
            "nominee": _("De naam van de leerling, de medewerker of de groep."),
            "motivation": _("Waarom verdient deze genomineerde de prijs?"),
            "submitted_by": _("Bijvoorbeeld 'Fatima el Amrani, ouder van een leerling'."),
            "co_signers": _("Wie steunen de nominatie? Eén naam per regel."),
        }
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 6}),
            "co_signers": forms.Textarea(attrs={"rows": 4}),
        }


class NominationStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=NominationStatus.choices)


class PlanningFilterForm(forms.Form):
    """The filters of the month-by-month planning (GET)."""

    speerpunt = forms.ModelChoiceField(
        label=_("Speerpunt"),
        queryset=Spearhead.objects.none(),
        required=False,
        empty_label=_("Alle speerpunten"),
    )
    organisatie = forms.ModelChoiceField(
        label=_("Organisatie"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Alle organisaties"),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    jaar = forms.TypedChoiceField(label=_("Jaar"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, agenda, organisations, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["speerpunt"].queryset = agenda.spearheads.all()
        self.fields["speerpunt"].label_from_instance = lambda s: (
            f"{s.number}. {s.title}" if s.number else s.title
        )
        self.fields["speerpunt"].to_field_name = "external_id"
        self.fields["organisatie"].queryset = organisations
        self.fields["status"].choices = [("", _("Alle statussen")), *WorkStatus.choices]
        self.fields["jaar"].choices = [("", _("De hele looptijd"))] + [(y, y) for y in years]

    @property
    def is_filtered(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)


def parse_month(value: str | None) -> datetime.date | None:
    """'2022-03' → 1 March 2022; anything else → None."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return None


class CurveStoryForm(forms.Form):
    """The story behind the curve of one indicator, for the council's page."""

    text = forms.CharField(
        label=_("Het verhaal achter de curve"),
        max_length=limits.TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
    )

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["text"].help_text = _(
            "Waar komt het verloop van dit cijfer vandaan: wat helpt, wat werkt tegen? De "
            "pagina is openbaar voor de raad: noem geen aantallen onder de %(threshold)s."
        ) % {"threshold": indicator.suppression_threshold}

    def clean_text(self) -> str:
        from kansrijk.indicators.disclosure import small_number_warning

        text = self.cleaned_data["text"].strip()
        problem = small_number_warning(text, self.indicator.suppression_threshold)
        if problem:
            raise forms.ValidationError(problem)
        return text
