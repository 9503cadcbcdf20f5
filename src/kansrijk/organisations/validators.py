"""Validators and normalisers for the Dutch identifiers Kansrijk reads and stores.

Each ``validate_*`` raises ``ValidationError`` with a Dutch message that names the value
and what a correct one looks like; each ``normalise_*`` turns the ways people write a code
into the one form we store (or raises the same error).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Patterns are used with fullmatch(): "$" would also accept a trailing newline.
BRIN4_RE = re.compile(r"[0-9]{2}[A-Z]{2}")
BRIN6_RE = re.compile(r"[0-9]{2}[A-Z]{2}[0-9]{2}")
SWV_CODE_RE = re.compile(r"(PO|VO)[0-9]{4}")
SWV_CODE_LOOSE_RE = re.compile(r"\s*(PO|VO)[\s.\-]*([0-9]{2})[\s.\-]*([0-9]{2})\s*", re.I)
GM_CODE_RE = re.compile(r"GM[0-9]{4}")
POSTCODE_RE = re.compile(r"[1-9][0-9]{3} ?[A-Z]{2}")
# These letter pairs are never issued by PostNL.
NONEXISTENT_POSTCODE_LETTERS = frozenset({"SA", "SD", "SS"})


def validate_brin4(value: str) -> None:
    if not isinstance(value, str) or not BRIN4_RE.fullmatch(value):
        raise ValidationError(
            _(
                "'%(value)s' is geen geldige BRIN: verwacht 2 cijfers en 2 hoofdletters, zoals 05KO."
            ),
            code="invalid_brin4",
            params={"value": value},
        )


def validate_brin6(value: str) -> None:
    if not isinstance(value, str) or not BRIN6_RE.fullmatch(value):
        raise ValidationError(
            _(
                "'%(value)s' is geen geldige vestigingscode (BRIN6): verwacht 2 cijfers, "
                "2 hoofdletters en 2 cijfers, zoals 07NU00."
            ),
            code="invalid_brin6",
            params={"value": value},
        )


def validate_swv_code(value: str) -> None:
    if not isinstance(value, str) or not SWV_CODE_RE.fullmatch(value):
        raise ValidationError(
            _(
                "'%(value)s' is geen geldige code van een samenwerkingsverband: verwacht PO of "
                "VO gevolgd door 4 cijfers, zoals PO2711."
            ),
            code="invalid_swv_code",
            params={"value": value},
        )


def normalise_swv_code(value: str) -> str:
    """'PO 27-11', 'po 27.11', 'VO-25-07' and 'PO2711' all become 'PO2711'."""
    match = SWV_CODE_LOOSE_RE.fullmatch(value or "")
    if not match:
        validate_swv_code(value)  # raises with the Dutch message
    sector, region, number = match.groups()
    return f"{sector.upper()}{region}{number}"


def display_swv_code(code: str) -> str:
    """The way documents write it: 'PO2711' → 'PO 27-11'."""
    return f"{code[:2]} {code[2:4]}-{code[4:6]}" if SWV_CODE_RE.fullmatch(code or "") else code


def validate_gm_code(value: str) -> None:
    if not isinstance(value, str) or not GM_CODE_RE.fullmatch(value):
        raise ValidationError(
            _("'%(value)s' is geen geldige gemeentecode: verwacht GM en 4 cijfers, zoals GM0375."),
            code="invalid_gm_code",
            params={"value": value},
        )


def validate_postcode(value: str) -> None:
    if not isinstance(value, str) or not POSTCODE_RE.fullmatch(value):
        raise ValidationError(
            _(
                "'%(value)s' is geen geldige postcode: verwacht 4 cijfers en 2 letters, zoals 1941 AB."
            ),
            code="invalid_postcode",
            params={"value": value},
        )
    if value[-2:] in NONEXISTENT_POSTCODE_LETTERS:
        raise ValidationError(
            _(
                "'%(value)s' bestaat niet: postcodes met de letters SA, SD of SS worden niet uitgegeven."
            ),
            code="nonexistent_postcode",
            params={"value": value},
        )


def normalise_postcode(value: str) -> str:
    """'1941ab', '1941 AB' and ' 1941AB ' all become '1941 AB'."""
    compact = re.sub(r"\s+", "", value or "").upper()
    candidate = f"{compact[:4]} {compact[4:]}" if len(compact) == 6 else (value or "")
    validate_postcode(candidate)
    return candidate


def _weighted_sum(digits: str) -> int:
    """9·d1 + 8·d2 + … + 2·d8 − 1·d9 (the elfproef)."""
    return sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=False)) - int(digits[8])


NINE_ASCII_DIGITS_RE = re.compile(r"[0-9]{9}")


def _nine_digits(value) -> bool:
    # Not str.isdigit(): that also accepts full-width and superscript digits.
    return isinstance(value, str) and NINE_ASCII_DIGITS_RE.fullmatch(value) is not None


def is_valid_bsn(value: str) -> bool:
    return _nine_digits(value) and value != "000000000" and _weighted_sum(value) % 11 == 0


def is_valid_onderwijsnummer(value: str) -> bool:
    return _nine_digits(value) and value.startswith("10") and _weighted_sum(value) % 11 == 5


def validate_bsn(value: str) -> None:
    if not is_valid_bsn(value):
        # Never repeat the number itself: a BSN must not end up in logs or pages.
        raise ValidationError(
            _("Dit is geen geldig BSN: 9 cijfers die voldoen aan de elfproef."), code="invalid_bsn"
        )


def validate_onderwijsnummer(value: str) -> None:
    if not is_valid_onderwijsnummer(value):
        raise ValidationError(
            _("Dit is geen geldig onderwijsnummer: 9 cijfers, begint met 10, elfproef rest 5."),
            code="invalid_onderwijsnummer",
        )
