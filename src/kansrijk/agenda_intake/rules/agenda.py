"""The agenda itself, from its title page: title, kind, period and owner."""

from __future__ import annotations

import re

from .time import YEAR

# The kind of agenda from the words of its title page, most specific first.
KINDS = (
    (r"\bGKA\b|gelijke kansen alliantie", "gka_agenda"),
    (r"\bLEA\b|\bLEJA\b|lokale educatieve", "lea"),
    (r"onderwijskansen|onderwijsachterstand|\bOAB\b", "educational_opportunities"),
    (r"uitvoeringsagenda|uitvoeringsnota|uitvoeringsplan|werkagenda", "execution_agenda"),
    (r"beleidskader|beleidsplan|beleidsnota|jeugdbeleid", "policy_framework"),
    (r"handreiking|leidraad|wegwijzer", "guidance"),
)
PERIOD = re.compile(
    r"\b" + YEAR + r"\s*(?:-|–|—|t/m|tot en met|tot)\s*" + YEAR + r"\b", re.IGNORECASE
)


def agenda_kind(text: str) -> str | None:
    for pattern, kind in KINDS:
        if re.search(pattern, text, re.IGNORECASE):
            return kind
    return None


def agenda_period(text: str) -> tuple[int, int] | None:
    """The first "2019-2022" or "2022 t/m 2024" of the text, as a pair of years."""
    for match in PERIOD.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end <= start + 12:
            return start, end
    return None
