"""Masking of secrets and BSNs before anything is written to the audit trail."""

from __future__ import annotations

import datetime
import decimal
import re
import uuid
from typing import Any

from kansrijk.organisations.validators import is_valid_bsn, is_valid_onderwijsnummer

MASK = "••••••"
SENSITIVE_KEY_PARTS = (
    "password",
    "wachtwoord",
    "secret",
    "token",
    "key",
    "otp",
    "bsn",
    "onderwijsnummer",
    "citizen_number",
    "education_number",
)
NINE_DIGITS_RE = re.compile(r"(?<!\d)\d{9}(?!\d)")


def is_sensitive_key(key: str) -> bool:
    lowered = str(key).lower()
    return any(part in lowered for part in SENSITIVE_KEY_PARTS)


def _mask_numbers(text: str) -> str:
    def replace(match: re.Match) -> str:
        number = match.group(0)
        if is_valid_bsn(number) or is_valid_onderwijsnummer(number):
            return MASK
        return number

    return NINE_DIGITS_RE.sub(replace, text)


def mask(value: Any) -> Any:
    """A JSON-safe copy of ``value`` with secrets and BSN-like numbers masked.

    Keys that name a secret or an identifier lose their value whatever it is; any other
    string loses every nine-digit number that passes the elfproef (BSN) or the
    onderwijsnummer check, so a BSN typed into a free-text field does not leak either.
    """
    if isinstance(value, dict):
        return {
            str(k): (MASK if is_sensitive_key(k) and v not in (None, "") else mask(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [mask(v) for v in value]
    if isinstance(value, str):
        return _mask_numbers(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return MASK if _mask_numbers(str(value)) == MASK else value
    if isinstance(value, bool | float) or value is None:
        return value
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return _mask_numbers(str(value))
