"""The forms of the upload and the review: each validates and names the field that is
wrong, in Dutch. The item forms follow the kind of the item: the values the agenda file
format keeps for it (``docs/formats/agenda-toml.md``)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk import limits
from kansrijk.agenda.forms import DateInput
from kansrijk.agenda.models import AgendaKind, FundingSource
from kansrijk.indicators.models import Unit
from kansrijk.organisations.models import Membership, Organisation, Role

from . import services, tree


def megabytes() -> int:
    return services.max_document_bytes() // (1024 * 1024)


def too_large_message() -> str:
    return _(
        "Het bestand is groter dan %(size)s MB; dat is de grens. Kies een kleiner "
        "document, of plak de tekst van het agendadeel."
    ) % {"size": megabytes()}


def owner_choices(user):
    """The organisations the user may start an agenda for (as ``agenda.start_agenda``)."""
    organisations = Organisation.objects.all()
    if not user.is_superuser:
        organisations = organisations.filter(
            pk__in=Membership.objects.filter(
                user=user, is_active=True, role__in=[Role.POLICY_OFFICER, Role.ADMIN]
            ).values("organisation_id")
        )
    return organisations.order_by("name")


class UploadForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Eigenaar"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        help_text=_("De organisatie van wie de agenda is; jij bent er beleidsmedewerker."),
    )
    file = forms.FileField(
        label=_("Document"),
        required=False,
        error_messages={"empty": _("Dit bestand is leeg. Kies het document opnieuw.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.pdf,.txt"}),
    )
    text = forms.CharField(
        label=_("Of plak de tekst"),
        required=False,
        max_length=limits.CHAPTER * 10,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Laat leeg als je een document kiest."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owner_choices(user)
        self.fields["file"].help_text = _(
            "Een Word-document (.docx), een PDF met tekst of een tekstbestand (.txt), "
            "hoogstens %(size)s MB."
        ) % {"size": megabytes()}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if services.document_format(upload.name) is None:
            raise forms.ValidationError(_("Kies een .docx-, .pdf- of .txt-bestand."))
        if upload.size > services.max_document_bytes():
            raise forms.ValidationError(too_large_message())
        if upload.size == 0:
            raise forms.ValidationError(_("Dit bestand is leeg. Kies het document opnieuw."))
        return upload

    def clean(self):
        data = super().clean()
        if "file" in self.errors:
            return data
        if data.get("file") and data.get("text", "").strip():
            self.add_error("text", _("Kies een document of plak tekst, niet allebei."))
        elif not data.get("file") and not data.get("text", "").strip():
            self.add_error("file", _("Kies een document, of plak de tekst hieronder."))
        return data


class FactsForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=255)
    kind = forms.ChoiceField(label=_("Soort agenda"), choices=AgendaKind.choices)
    period_start = forms.DateField(label=_("Looptijd vanaf"), widget=DateInput())
    period_end = forms.DateField(label=_("Looptijd tot en met"), widget=DateInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Het einde van de looptijd ligt voor het begin."))
        return data


MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class MonthsField(forms.CharField):
    """Months as "2020-01, 2020-09" (the file format's "YYYY-MM")."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(month) for month in value)
        return value

    def clean(self, value):
        text = super().clean(value)
        months = [part.strip() for part in re.split(r"[,\s]+", text or "") if part.strip()]
        wrong = [month for month in months if not MONTH.match(month)]
        if wrong:
            raise forms.ValidationError(
                _("Schrijf maanden als jjjj-mm, bijvoorbeeld 2020-09; ‘%(month)s’ is dat niet.")
                % {"month": wrong[0][:20]}
            )
        return months


def _text(label, *, required=False, long=False, max_length=limits.TEXT):
    widget = forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


def _fields(kind: str) -> dict[str, forms.Field]:
    if kind in ("theme", "spearhead"):
        found = {"title": _text(_("Titel"), required=True, max_length=255)}
        if kind == "spearhead":
            found = {
                "number": _text(_("Nummer"), max_length=20),
                **found,
                "description": _text(_("Toelichting"), long=True),
            }
        else:
            found["background"] = _text(_("Achtergrond"), long=True)
        return found
    if kind == "goal":
        return {
            "number": _text(_("Nummer"), max_length=20),
            "text": _text(_("Doel"), required=True, long=True),
            "indicator_text": _text(_("Hoe meten we dat?"), long=True),
        }
    if kind == "indicator":
        return {
            "name": _text(_("Naam van de indicator"), required=True, max_length=255),
            "unit": forms.ChoiceField(label=_("Eenheid"), choices=Unit.choices),
            "baseline_value": forms.DecimalField(
                label=_("Nulmeting"), required=False, max_digits=12, decimal_places=2
            ),
            "baseline_year": forms.IntegerField(
                label=_("Jaar van de nulmeting"), required=False, min_value=1990, max_value=2100
            ),
            "target_value": forms.DecimalField(
                label=_("Streefwaarde"), required=False, max_digits=12, decimal_places=2
            ),
            "target_year": forms.IntegerField(
                label=_("Jaar van de streefwaarde"), required=False, min_value=1990, max_value=2100
            ),
        }
    if kind == "activity":
        return {
            "title": _text(_("Activiteit"), required=True, long=True, max_length=500),
            "description": _text(_("Toelichting"), long=True),
            "planned_text": _text(_("Planning zoals geschreven"), max_length=200),
            "months": MonthsField(
                label=_("Maanden"),
                required=False,
                max_length=2000,
                help_text=_("Als jjjj-mm, gescheiden door komma's: 2020-01, 2020-09."),
            ),
        }
    if kind == "intervention":
        return {
            "name": _text(_("Naam"), required=True, max_length=255),
            "goal_text": _text(_("Doel van de interventie"), long=True),
            "target_group": _text(_("Doelgroep"), max_length=255),
        }
    if kind == "funding":
        return {
            "year": forms.IntegerField(label=_("Jaar"), min_value=1990, max_value=2100),
            "source": forms.ChoiceField(label=_("Bron"), choices=FundingSource.choices),
            "planned_amount": forms.DecimalField(
                label=_("Begroot bedrag (euro)"),
                required=False,
                max_digits=14,
                decimal_places=2,
                min_value=0,
            ),
            "notes": _text(_("Toelichting"), long=True, max_length=limits.NOTE),
        }
    if kind == "evaluation":
        return {
            "month": forms.CharField(
                label=_("Maand"),
                max_length=7,
                help_text=_("Als jjjj-mm, bijvoorbeeld 2023-01."),
            ),
            "planned_text": _text(_("Planning zoals geschreven"), max_length=200),
            "description": _text(_("Omschrijving"), required=True, long=True),
        }
    raise ValueError(kind)


class ItemForm(forms.Form):
    """An item's values for its kind; ``values()`` gives them as the proposal keeps
    them (numbers as numbers, months as "YYYY-MM" strings)."""

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields.update(_fields(kind))

    def clean_month(self):
        month = self.cleaned_data["month"].strip()
        if not MONTH.match(month):
            raise forms.ValidationError(_("Schrijf de maand als jjjj-mm, bijvoorbeeld 2023-01."))
        return month

    def values(self) -> dict:
        found = {}
        for name, value in self.cleaned_data.items():
            if hasattr(value, "as_tuple"):  # Decimal: JSON keeps it as a number
                value = int(value) if value == value.to_integral_value() else float(value)
            found[name] = value
        return found


def initial_values(item: dict) -> dict:
    return dict(item.get("fields", {}))


class PassageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort onderdeel"), choices=list(tree.KIND_LABELS.items()))
    parent = forms.ChoiceField(label=_("Hangt onder"), required=False)

    def __init__(self, *args, items: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("nergens onder"))] + [
            (item["key"], f"{tree.KIND_LABELS[item['kind']]}: {tree.label(item)}")
            for item in items
            if item["kind"] in ("spearhead", "goal", "activity", "intervention")
        ]
