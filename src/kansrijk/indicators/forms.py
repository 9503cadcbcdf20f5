"""Forms of the monitor pages: entering a figure and deciding on one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk import limits
from kansrijk.organisations.models import Membership, Organisation, Region, Role

from .disclosure import small_number_warning


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def scopes_for(user) -> list[tuple[str, str, object]]:
    """Where ``user`` may submit figures: every organisation in which they hold a role
    other than lezer (indicators.submit_measurement), and for beleidsmedewerkers and
    beheerders also the gemeente of that organisation. Keys "org-<pk>" / "region-<pk>"."""
    if not user.is_authenticated:
        return []
    memberships = Membership.objects.filter(user=user, is_active=True).exclude(role=Role.READER)
    if user.is_superuser:
        organisations = list(Organisation.objects.select_related("municipality"))
        officer_ids = {o.pk for o in organisations}
    else:
        organisations = list(
            Organisation.objects.filter(pk__in=memberships.values("organisation")).select_related(
                "municipality"
            )
        )
        officer_ids = set(
            memberships.filter(role__in=[Role.POLICY_OFFICER, Role.ADMIN]).values_list(
                "organisation_id", flat=True
            )
        )
    scopes: list[tuple[str, str, object]] = []
    regions: dict[int, Region] = {}
    for organisation in sorted(organisations, key=lambda o: o.name):
        if not user.has_perm("indicators.submit_measurement", organisation):
            continue
        scopes.append((f"org-{organisation.pk}", organisation.name, organisation))
        if organisation.pk in officer_ids and organisation.municipality_id:
            regions[organisation.municipality_id] = organisation.municipality
    for region in sorted(regions.values(), key=lambda r: r.name):
        scopes.append((f"region-{region.pk}", f"{region.name} ({_('gemeente')})", region))
    return scopes


class MeasurementForm(forms.Form):
    """One figure for one cell. For a rate the numerator and denominator are entered and
    the value is derived; for other units the value itself."""

    scope = forms.ChoiceField(
        label=_("Voor"),
        help_text=_("De organisatie of gemeente waarvoor je dit cijfer aanlevert."),
    )
    period_label = forms.CharField(
        label=_("Periode"),
        max_length=40,
        help_text=_("Zoals het in de tabel komt, bijvoorbeeld 2024-2025 of 2025 K1."),
    )
    period_start = forms.DateField(label=_("Periode vanaf"), widget=DateInput())
    period_end = forms.DateField(label=_("Periode tot en met"), widget=DateInput())
    value = forms.DecimalField(label=_("Waarde"), required=False, max_digits=14, decimal_places=4)
    numerator = forms.DecimalField(
        label=_("Teller"), required=False, min_value=0, max_digits=14, decimal_places=4
    )
    denominator = forms.DecimalField(
        label=_("Noemer"), required=False, min_value=0, max_digits=14, decimal_places=4
    )
    is_final = forms.BooleanField(
        label=_("Definitief cijfer"),
        required=False,
        help_text=_("Laat leeg voor een voorlopig cijfer."),
    )
    story = forms.CharField(
        max_length=limits.TEXT,
        label=_("Het verhaal achter het cijfer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Wat verklaart dit cijfer? Wat zien jullie in de praktijk?"),
    )
    source = forms.CharField(label=_("Bron"), required=False, max_length=255)
    story_checked = forms.BooleanField(
        label=_("Het verhaal mag zo openbaar worden"),
        required=False,
        help_text=_("Alleen nodig als het verhaal een klein aantal noemt."),
    )

    def __init__(self, *args, indicator, scopes, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.scope_objects = {key: obj for key, _label, obj in scopes}
        self.fields["scope"].choices = [(key, label) for key, label, _obj in scopes]
        if indicator.is_rate:
            del self.fields["value"]
            self.fields["numerator"].required = True
            self.fields["denominator"].required = True
            self.fields["numerator"].help_text = indicator.numerator_definition
            self.fields["denominator"].help_text = indicator.denominator_definition
        else:
            del self.fields["numerator"]
            del self.fields["denominator"]
            self.fields["value"].required = True

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("Het einde van de periode ligt vóór het begin."))
        denominator = data.get("denominator")
        if self.indicator.is_rate and denominator is not None and denominator <= 0:
            self.add_error("denominator", _("De noemer moet groter zijn dan 0."))
        numerator = data.get("numerator")
        if numerator is not None and denominator and numerator > denominator:
            self.add_error("numerator", _("De teller kan niet groter zijn dan de noemer."))
        # A story about a figure that will be public is a published text too: a small
        # number in it gives away what the figure's suppression protects. The person
        # writing it is warned and must confirm, rather than being stopped.
        warning = (
            small_number_warning(data.get("story", ""), self.indicator.suppression_threshold)
            if self.indicator.is_public
            else ""
        )
        if warning and not data.get("story_checked"):
            self.add_error(
                "story",
                warning + " " + str(_("Of vink aan dat het verhaal zo openbaar mag worden.")),
            )
        return data

    def measurement_fields(self) -> dict:
        data = self.cleaned_data
        scope = self.scope_objects[data["scope"]]
        fields = {
            "indicator": self.indicator,
            "region": scope if isinstance(scope, Region) else None,
            "organisation": scope if isinstance(scope, Organisation) else None,
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "period_label": data["period_label"],
            "is_final": data["is_final"],
            "story": data["story"],
            "source": data["source"],
        }
        if self.indicator.is_rate:
            fields.update(numerator=data["numerator"], denominator=data["denominator"], value=None)
        else:
            fields.update(value=data["value"], numerator=None, denominator=None)
        return fields


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=[("approve", _("Goedkeuren")), ("reject", _("Afwijzen"))],
    )
    reason = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=500,
        help_text=_("Verplicht bij afwijzen: wat moet de partner aanpassen?"),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not data.get("reason"):
            self.add_error("reason", _("Schrijf op waarom je het cijfer afwijst."))
        return data
