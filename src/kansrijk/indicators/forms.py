"""Forms of the monitor pages: entering a figure and deciding on one."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kansrijk import limits
from kansrijk.forms import ALL_KINDS as PERIOD_KINDS
from kansrijk.forms import FigureField, PeriodField, organisation_and_region_choices
from kansrijk.organisations.models import Membership, Organisation, Region, Role

from .disclosure import small_number_warning
from .models import Unit


def scopes_for(user) -> list[tuple[str, str, object]]:
    """Where ``user`` may submit figures: every organisation in which they hold a role
    other than lezer (indicators.submit_measurement), and for beleidsmedewerkers and
    beheerders also the gemeente of that organisation; each gemeente once (the shared
    choices helper). Keys "org-<pk>" / "region-<pk>"."""
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
    organisations = [o for o in organisations if user.has_perm("indicators.submit_measurement", o)]
    regions = [o.municipality for o in organisations if o.pk in officer_ids and o.municipality_id]
    return organisation_and_region_choices(organisations, regions)


class MeasurementForm(forms.Form):
    """One figure for one cell. A value for every unit ("94,5 %" for a percentage); for a
    rate defined by a numerator and denominator, those instead or beside it. What is
    stored is the indicator's to decide (Indicator.figure_to_store)."""

    scope = forms.ChoiceField(
        label=_("Voor"),
        help_text=_("De organisatie of gemeente waarvoor je dit cijfer aanlevert."),
    )
    period = PeriodField()
    value = FigureField(label=_("Waarde"), required=False)
    numerator = FigureField(label=_("Teller"), required=False, min_value=0)
    denominator = FigureField(label=_("Noemer"), required=False, min_value=0)
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
        # The indicator's own kind of period, so a school-year series gets no calendar year.
        if indicator.period_type in PERIOD_KINDS:
            self.fields["period"] = PeriodField(kinds=[indicator.period_type])
        value = self.fields["value"]
        if indicator.unit == Unit.PERCENTAGE:
            value.label = _("Percentage")
            value.help_text = _("Bijvoorbeeld 94,5 of 94,5 %.")
        if indicator.is_rate:
            value.help_text = _(
                "Vul de teller en de noemer in; dan rekenen we de waarde uit. "
                "Heb je alleen de waarde, vul dan die in."
            )
            self.fields["numerator"].help_text = indicator.numerator_definition
            self.fields["denominator"].help_text = indicator.denominator_definition
        else:
            value.required = True
            del self.fields["numerator"]
            del self.fields["denominator"]

    def clean(self):
        data = super().clean()
        # The figure as a whole is judged once its parts could be read, beside any other
        # error (a period mistyped), so that one submit shows every mistake.
        if not {"value", "numerator", "denominator"} & set(self.errors):
            try:
                data.update(
                    self.indicator.figure_to_store(
                        value=data.get("value"),
                        numerator=data.get("numerator"),
                        denominator=data.get("denominator"),
                    )
                )
            except ValidationError as error:
                self.add_error(None, error)
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
        period = data["period"]
        return {
            "indicator": self.indicator,
            "region": scope if isinstance(scope, Region) else None,
            "organisation": scope if isinstance(scope, Organisation) else None,
            "period_start": period.start,
            "period_end": period.end,
            "period_label": period.label,
            "value": data["value"],
            "numerator": data.get("numerator"),
            "denominator": data.get("denominator"),
            "is_final": data["is_final"],
            "story": data["story"],
            "source": data["source"],
        }


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
