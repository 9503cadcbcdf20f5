"""Checks and normal forms for what the sociale kaart stores: days of the week (iCal),
telephone numbers, language codes, web addresses, school groups and ages, and the folded
text that free-text search compares."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# iCal two-letter days, in the order of a Dutch week.
DAY_NAMES = {
    "MO": gettext_lazy("maandag"),
    "TU": gettext_lazy("dinsdag"),
    "WE": gettext_lazy("woensdag"),
    "TH": gettext_lazy("donderdag"),
    "FR": gettext_lazy("vrijdag"),
    "SA": gettext_lazy("zaterdag"),
    "SU": gettext_lazy("zondag"),
}

# ISO 639-1 codes of the languages a service in a Dutch gemeente is most often given in,
# with their Dutch names. An import or form refuses any other code.
LANGUAGES = {
    "nl": "Nederlands",
    "fy": "Fries",
    "en": "Engels",
    "de": "Duits",
    "fr": "Frans",
    "es": "Spaans",
    "pl": "Pools",
    "tr": "Turks",
    "ar": "Arabisch",
    "ber": "Berbers (Tamazight)",
    "ti": "Tigrinya",
    "so": "Somalisch",
    "fa": "Perzisch (Farsi)",
    "uk": "Oekraïens",
    "ru": "Russisch",
    "bg": "Bulgaars",
    "ro": "Roemeens",
    "pt": "Portugees",
    "pap": "Papiaments",
    "srn": "Sranantongo",
    "zh": "Chinees",
    "sgn": "Nederlandse Gebarentaal",
}

PHONE_RE = re.compile(r"\+?[0-9][0-9 \-()]{5,22}[0-9]")


def validate_byday(value: str) -> None:
    """Comma-separated iCal days: 'MO,WE'."""
    if not value:
        return
    days = value.split(",")
    unknown = [day for day in days if day not in DAY_NAMES]
    if unknown or len(set(days)) != len(days):
        raise ValidationError(
            _("'%(value)s' zijn geen geldige dagen: gebruik MO, TU, WE, TH, FR, SA, SU.")
            % {"value": value},
            code="invalid_byday",
        )


def validate_phone(value: str) -> None:
    if not isinstance(value, str) or not PHONE_RE.fullmatch(value.strip()):
        raise ValidationError(
            _("'%(value)s' is geen telefoonnummer: gebruik cijfers, spaties en streepjes.")
            % {"value": value},
            code="invalid_phone",
        )


def validate_language_code(value: str) -> None:
    if value not in LANGUAGES:
        raise ValidationError(
            _("'%(value)s' is geen bekende taalcode; kies uit %(codes)s.")
            % {"value": value, "codes": ", ".join(sorted(LANGUAGES))},
            code="invalid_language",
        )


def normalise_url(value: str) -> str:
    """'www.vijfheerenlanden.nl' (as documents write it) becomes
    'https://www.vijfheerenlanden.nl'."""
    value = (value or "").strip()
    if value and not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        return "https://" + value
    return value


def fold(text: str) -> str:
    """Lower case without accents, so that 'youke' finds 'Youké'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def parse_age(value, *, field: str = "") -> Decimal | None:
    """An age in years: '10', '2,5' or 2.5; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("'%(value)s' is geen leeftijd.") % {"value": value}) from None
    if not number.is_finite() or not 0 <= number <= 120:
        raise ValidationError(_("'%(value)s' is geen leeftijd.") % {"value": value})
    return number.quantize(Decimal("0.1"))


def validate_age_range(minimum, maximum) -> None:
    if minimum is not None and maximum is not None and maximum < minimum:
        raise ValidationError(
            _(
                "De leeftijd 'tot en met' (%(maximum)s) ligt onder de leeftijd 'vanaf' (%(minimum)s)."
            )
            % {"minimum": minimum, "maximum": maximum}
        )


def ages_of_group(group: int) -> tuple[int, int]:
    """The usual ages in a school group: groep 1 is 4 to 5, groep 7 is 10 to 11."""
    return group + 3, group + 4
