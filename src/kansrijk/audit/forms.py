from django import forms
from django.utils.translation import gettext_lazy as _

from kansrijk import limits


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        max_length=limits.SEARCH,
        label=_("Handeling"),
        required=False,
        help_text=_("Bijvoorbeeld auth.login of organisation."),
    )
    actor = forms.CharField(max_length=limits.SEARCH, label=_("Door"), required=False)
    target_type = forms.CharField(max_length=limits.SEARCH, label=_("Soort object"), required=False)
    date_from = forms.DateField(
        label=_("Vanaf"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Tot en met"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("De begindatum ligt na de einddatum."))
        return data
