"""The forms of the upload and the review: each validates and names the field that is
wrong, in Dutch. The item forms follow the kind of the item: the values the agenda file
format keeps for it (``docs/formats/agenda-toml.md``)."""

from __future__ import annotations

import re

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kansrijk import limits
from kansrijk.agenda.forms import DateInput
from kansrijk.agenda.models import AgendaKind, FundingSource, InvolvementRole, WorkStatus
from kansrijk.indicators.models import Unit
from kansrijk.organisations.models import Membership, Organisation, Region, Role

from . import register, services, tree


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


class ListField(forms.CharField):
    """A list the file format keeps as a list, written in one field as "a, b": shown
    joined by commas, read back split on commas and spaces."""

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(part) for part in value)
        return value

    def parts(self, value) -> list[str]:
        text = super().clean(value)
        return [part for part in re.split(r"[,\s]+", text or "") if part]


class MonthsField(ListField):
    """Months as "2020-01, 2020-09" (the file format's "YYYY-MM")."""

    def clean(self, value):
        months = self.parts(value)
        wrong = [month for month in months if not MONTH.match(month)]
        if wrong:
            raise forms.ValidationError(
                _("Schrijf maanden als jjjj-mm, bijvoorbeeld 2020-09; ‘%(month)s’ is dat niet.")
                % {"month": wrong[0][:20]}
            )
        return months


class RegionCodesField(ListField):
    """Regions as "GM0556, GM0556-KOOG" (``Region.code``, as the file format's
    ``locations``), each known to the register."""

    def clean(self, value):
        codes = list(dict.fromkeys(self.parts(value)))
        known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(
                _(
                    "Het register kent geen regio met de code ‘%(code)s’. Schrijf regiocodes "
                    "zoals GM0556, gescheiden door komma's."
                )
                % {"code": unknown[0][:40]}
            )
        return codes


class OrganisationInput(forms.TextInput):
    """A text box with the organisations of the owner's gemeenten as suggestions (a
    datalist): pick one or type a name or code. It works without JavaScript: the text is
    resolved on submit (``register.find``)."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.suggestions = Organisation.objects.none()

    def render(self, name, value, attrs=None, renderer=None):
        labels = [register.label(organisation) for organisation in self.suggestions]
        if not labels:
            return super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or name}_suggestions"
        attrs = {**(attrs or {}), "list": list_id}
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            format_html_join("", '<option value="{}"></option>', ((text,) for text in labels)),
        )


class OrganisationField(forms.CharField):
    """One organisation of the register, typed or picked; cleans to the Organisation, or
    None when left empty. An unknown or ambiguous text is refused with a message that
    says which, so that what the officer chose is what the agenda gets."""

    widget = OrganisationInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 250)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")

    @property
    def suggestions(self):
        return self.widget.suggestions

    @suggestions.setter
    def suggestions(self, organisations) -> None:
        self.widget.suggestions = organisations

    def prepare_value(self, value):
        return register.label(value) if isinstance(value, Organisation) else value

    def clean(self, value):
        text = super().clean(value)
        if not text or not text.strip():
            return None
        try:
            organisation = register.find(text, self.suggestions)
        except register.NotFound as refused:
            raise forms.ValidationError(refused.message) from None
        if register.reference_of(organisation) is None:
            raise forms.ValidationError(
                _(
                    "‘%(name)s’ heeft geen code en deelt haar naam met een andere organisatie, "
                    "dus de agenda kan haar niet aanwijzen. Vul haar in als partij."
                )
                % {"name": organisation.name}
            )
        return organisation


def _text(label, *, required=False, long=False, max_length=limits.TEXT):
    widget = forms.Textarea(attrs={"rows": 3}) if long else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget)


def _months_field() -> MonthsField:
    return MonthsField(
        label=_("Maanden"),
        required=False,
        max_length=2000,
        help_text=_("Als jjjj-mm, gescheiden door komma's: 2020-01, 2020-09."),
    )


def _age(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, max_digits=4, decimal_places=2, min_value=0, max_value=99
    )


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
            "months": _months_field(),
        }
    if kind == "intervention":
        # The card as the file format's [[intervention]] keeps it; its goal is where it
        # hangs ("Verplaatsen"), its organisations are the involvements below.
        return {
            "name": _text(_("Naam"), required=True, max_length=255),
            "goal_text": _text(_("Doel van de interventie"), long=True),
            "target_group": _text(_("Doelgroep"), max_length=255),
            "age_min": _age(_("Leeftijd vanaf (jaar)")),
            "age_max": _age(_("Leeftijd tot en met (jaar)")),
            "parties_text": _text(_("Betrokken partijen zoals geschreven"), long=True),
            "activities_text": _text(_("Activiteiten"), long=True),
            "location_text": _text(_("Locatie (wijk, school)"), long=True),
            "locations": RegionCodesField(
                label=_("Gebieden"),
                required=False,
                max_length=2000,
                help_text=_("Regiocodes, gescheiden door komma's: GM0556."),
            ),
            "planning_text": _text(_("Planning zoals geschreven"), long=True),
            "months": _months_field(),
            "monitoring_text": _text(_("Monitoring en evaluatie"), long=True),
            "financing_text": _text(_("Financiering zoals geschreven"), long=True),
            "online_information": _text(_("Online informatie"), max_length=255),
            "contact": _text(_("Contact"), long=True),
            "status": forms.ChoiceField(label=_("Status"), choices=WorkStatus.choices),
            "progress": forms.IntegerField(
                label=_("Voortgang (%)"),
                required=False,
                min_value=0,
                max_value=100,
                help_text=_("Een getal van 0 tot en met 100. Laat leeg als je het niet weet."),
            ),
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
            "payer": OrganisationField(
                label=_("Betaler"),
                help_text=_(
                    "De organisatie die dit bedrag betaalt: kies er een of typ haar naam of "
                    "code. Laat leeg als het document niet zegt wie betaalt."
                ),
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


# The kinds whose organisations and parties take a role (the file format's involvements).
WITH_INVOLVEMENTS = ("activity", "intervention")
ROLE_CHOICES = [(value, capfirst(label)) for value, label in InvolvementRole.choices]


def who(entry: dict, known: dict[str, Organisation]) -> str:
    """An involvement's organisation or party as the officer reads it."""
    if "organisation" in entry:
        reference = str(entry["organisation"])
        return known[reference].name if reference in known else reference
    return str(entry.get("party") or "")


class InvolvementRow:
    """One proposed involvement in the form: who, whether the register knows them, and
    the fields that change its role or remove it."""

    def __init__(self, form: ItemForm, index: int, entry: dict, name: str, registered: bool):
        self.index, self.entry, self.name, self.registered = index, entry, name, registered
        self.role = form[f"involvement_{index}_role"]
        self.remove = form[f"involvement_{index}_remove"]


class ItemForm(forms.Form):
    """An item's values for its kind; ``values()`` gives them as the proposal keeps
    them (numbers as numbers, months as "YYYY-MM" strings, organisations as the
    references an agenda file uses).

    An activity's or an intervention's involvements are one row each (its role, or
    removed) and one row to add an organisation of the register or a party by name;
    at most one of them leads. ``owner``: the draft's owner, whose gemeenten's
    organisations are suggested."""

    def __init__(self, *args, kind: str, owner: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields.update(_fields(kind))
        suggestions = register.candidates(owner) if owner is not None else None
        self.involvements: list[dict] = []
        self.known: dict[str, Organisation] = {}
        if kind in WITH_INVOLVEMENTS:
            self.involvements = [
                entry
                for entry in self.initial.get("involvements") or []
                if isinstance(entry, dict) and (entry.get("organisation") or entry.get("party"))
            ]
            self.known = register.names(
                entry["organisation"] for entry in self.involvements if "organisation" in entry
            )
            self._add_involvement_fields(suggestions)
        if "payer" in self.fields:
            if suggestions is not None:
                self.fields["payer"].suggestions = suggestions
            payer = self.initial.get("payer")
            if payer:
                self.initial["payer"] = register.resolve(payer) or payer
        if "status" in self.fields:
            self.initial.setdefault("status", WorkStatus.PLANNED)

    def _add_involvement_fields(self, suggestions) -> None:
        for index, entry in enumerate(self.involvements):
            name = who(entry, self.known)
            if "party" in entry:
                note = _("Een partij als tekst: komt zo in de agenda.")
            elif str(entry["organisation"]) in self.known:
                note = ""
            else:
                note = _("Staat niet in het register: komt als partij in de agenda.")
            self.fields[f"involvement_{index}_role"] = forms.ChoiceField(
                label=_("Rol van %(name)s") % {"name": name},
                choices=ROLE_CHOICES,
                help_text=note,
                # A form posted without the row (an older page) keeps the proposed role.
                required=False,
            )
            self.initial[f"involvement_{index}_role"] = entry.get("role", "executor")
            self.fields[f"involvement_{index}_remove"] = forms.BooleanField(
                label=_("%(name)s weghalen") % {"name": name}, required=False
            )
        self.fields["new_organisation"] = OrganisationField(
            label=_("Organisatie uit het register"),
            help_text=_("Kies er een of typ haar naam of code."),
        )
        if suggestions is not None:
            self.fields["new_organisation"].suggestions = suggestions
        self.fields["new_party"] = forms.CharField(
            label=_("Of een partij als tekst"),
            required=False,
            max_length=200,
            help_text=_("Voor wie niet één organisatie is, zoals ‘de scholen’."),
        )
        self.fields["new_role"] = forms.ChoiceField(
            label=_("Rol"),
            required=False,
            choices=[("", _("Kies een rol")), *ROLE_CHOICES],
        )

    @property
    def has_involvements(self) -> bool:
        return self.kind in WITH_INVOLVEMENTS

    def plain_fields(self) -> list[forms.BoundField]:
        """The item's own values (not its involvements), in their order."""
        return [self[name] for name in self.fields if not name.startswith(("involvement_", "new_"))]

    def involvement_rows(self) -> list[InvolvementRow]:
        return [
            InvolvementRow(
                self,
                index,
                entry,
                who(entry, self.known),
                "party" in entry or str(entry["organisation"]) in self.known,
            )
            for index, entry in enumerate(self.involvements)
        ]

    def new_involvement_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("new_organisation", "new_party", "new_role")]

    def clean_month(self):
        month = self.cleaned_data["month"].strip()
        if not MONTH.match(month):
            raise forms.ValidationError(_("Schrijf de maand als jjjj-mm, bijvoorbeeld 2023-01."))
        return month

    def clean(self):
        data = super().clean()
        young, old = data.get("age_min"), data.get("age_max")
        if young is not None and old is not None and old < young:
            self.add_error("age_max", _("Deze leeftijd ligt onder de leeftijd vanaf."))
        if (
            self.kind == "funding"
            and "planned_amount" in data
            and data["planned_amount"] is None
            and not self.initial.get("unit_amount")
        ):
            # The agenda computes an amount only from a unit amount; without either, the
            # line could not be saved at the confirmation.
            self.add_error("planned_amount", _("Vul het begrote bedrag in."))
        if self.has_involvements:
            self.cleaned_involvements = self._clean_involvements(data)
        return data

    def _clean_involvements(self, data) -> list[dict]:
        kept: list[tuple[dict, str]] = []  # (entry, the field that set its role)
        for index, entry in enumerate(self.involvements):
            role = data.get(f"involvement_{index}_role") or entry.get("role", "executor")
            if data.get(f"involvement_{index}_remove"):
                continue
            kept.append(({**entry, "role": role}, f"involvement_{index}_role"))
        organisation = data.get("new_organisation")
        party = " ".join((data.get("new_party") or "").split())
        role = data.get("new_role")
        if "new_organisation" in self.errors:
            return [entry for entry, _field in kept]
        if organisation is not None and party:
            self.add_error("new_party", _("Vul een organisatie of een partij in, niet allebei."))
        elif (organisation is not None or party) and not role:
            self.add_error("new_role", _("Kies de rol van wie je toevoegt."))
        elif role and organisation is None and not party:
            self.add_error(
                "new_organisation",
                _("Kies een organisatie of vul een partij in bij deze rol, of laat de rol leeg."),
            )
        elif organisation is not None:
            reference = register.reference_of(organisation)
            if any(entry.get("organisation") == reference for entry, _field in kept):
                self.add_error(
                    "new_organisation",
                    _("%(name)s staat er al bij; verander daar de rol.")
                    % {"name": organisation.name},
                )
            else:
                kept.append(({"organisation": reference, "role": role}, "new_role"))
        elif party:
            kept.append(({"party": party, "role": role}, "new_role"))
        leads = [(entry, field) for entry, field in kept if entry["role"] == InvolvementRole.LEAD]
        for _entry, field in leads[1:]:
            self.add_error(
                field,
                _(
                    "%(name)s is al voortrekker, en een onderdeel heeft hoogstens één "
                    "voortrekker. Kies voor een van beide een andere rol."
                )
                % {"name": who(leads[0][0], self.known)},
            )
        return [entry for entry, _field in kept]

    def values(self) -> dict:
        found = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(("involvement_", "new_")):
                continue
            if hasattr(value, "as_tuple"):  # Decimal: JSON keeps it as a number
                value = int(value) if value == value.to_integral_value() else float(value)
            elif isinstance(value, Organisation):
                value = register.reference_of(value)
            found[name] = value
        if self.has_involvements:
            found["involvements"] = self.cleaned_involvements
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
