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


def agenda_period(text: str, *, title: str = "") -> tuple[int, int] | None:
    """The agenda's period as a pair of years: a "2019-2022" or "2022 t/m 2024" in the
    title, else one next to "looptijd", "periode" or "agenda", else the first in the
    text (a text may name the years of its preparation or of other plans first)."""
    candidates = []
    for match in PERIOD.finditer(text):
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end <= start + 12:
            before = text[max(0, match.start() - 60) : match.start()].lower()
            near = bool(re.search(r"looptijd|periode|agenda|nota|plan|beleid", before))
            candidates.append((not near, match.start(), (start, end)))
    for match in PERIOD.finditer(title):
        start, end = int(match.group(1)), int(match.group(2))
        if start <= end <= start + 12:
            return start, end
    return min(candidates)[2] if candidates else None
