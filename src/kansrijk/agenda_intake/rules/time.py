"""Months and periods as Dutch policy documents write them: "4e kwartaal 2022",
"begin 2023", "voorjaar 2021", "jan-dec", "sept/okt", "vanaf 2021", "in 2020",
"schooljaar 2022-2023". The months are "YYYY-MM" strings; the words are kept as written
(``planned_text``), because an officer reads them and the months are only their reading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = {
    "januari": 1, "jan": 1,
    "februari": 2, "feb": 2, "febr": 2,
    "maart": 3, "mrt": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5,
    "juni": 6, "jun": 6,
    "juli": 7, "jul": 7,
    "augustus": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
YEAR = r"(20\d\d)"
SEASONS = {"voorjaar": (3, 5), "lente": (3, 5), "zomer": (6, 8), "najaar": (9, 11)}


@dataclass
class Period:
    months: list[str]
    text: str  # the words as written
    rule: str


def months_between(start_year: int, start_month: int, end_year: int, end_month: int) -> list[str]:
    months = []
    year, month = start_year, start_month
    while (year, month) <= (end_year, end_month) and len(months) < 240:
        months.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return months


def _month(word: str) -> int:
    return MONTHS[word.lower().rstrip(".")]


def find_periods(
    text: str,
    *,
    year: int | None = None,
    period_end: int | None = None,
    period_start: int | None = None,
) -> list[Period]:
    """Every time expression in ``text``, in the order of the text. ``year`` is the year a
    month without one belongs to (the year of a planning table); ``period_start`` and
    ``period_end`` the first and last year of the agenda, where "vanaf 2021" ends and
    what "doorlopend" covers."""
    found: list[Period] = []
    taken: list[tuple[int, int]] = []

    def add(match: re.Match, months: list[str], rule: str) -> None:
        span = match.span()
        if any(start < span[1] and span[0] < end for start, end in taken):
            return
        taken.append(span)
        found.append(Period(months, match.group(0).strip(), rule))

    # "vanaf" first: "vanaf schooljaar 2020/2021" runs on after that school year.
    for match in re.finditer(
        r"\bvanaf\s+(?:de\s+)?(2e|tweede)\s+(?:half\s?jaar|helft)\s+(?:van\s+)?" + YEAR, text, re.I
    ):
        y = int(match.group(2))
        add(match, months_between(y, 7, max(period_end or y, y), 12), "vanaf")
    for match in re.finditer(r"\bvanaf\s+(" + MONTH + r")\s+" + YEAR, text, re.I):
        y = int(match.group(2))
        add(match, months_between(y, _month(match.group(1)), max(period_end or y, y), 12), "vanaf")
    for match in re.finditer(
        r"\bvanaf\s+(?:het\s+)?(schooljaar\s+)?" + YEAR + r"(\s*[-/]\s*(?:20)?\d\d)?", text, re.I
    ):
        y = int(match.group(2))
        start = 8 if match.group(1) or match.group(3) else 1
        add(match, months_between(y, start, max(period_end or y, y), 12), "vanaf")
    if period_start and period_end:
        for match in re.finditer(
            r"\bdoorlopend\b|\bgedurende de (?:hele |gehele )?looptijd\b", text, re.I
        ):
            add(match, months_between(period_start, 1, period_end, 12), "doorlopend")
    for match in re.finditer(
        r"\b(?:schooljaar|schooljaren)\s+" + YEAR + r"\s*[-/–]\s*(20)?(\d\d)\b", text, re.I
    ):
        first = int(match.group(1))
        add(match, months_between(first, 8, first + 1, 7), "schooljaar")
    for match in re.finditer(r"\b([1-4])(?:e|ste|de)\s+kwartaal\s+(?:van\s+)?" + YEAR, text, re.I):
        quarter, y = int(match.group(1)), int(match.group(2))
        add(match, months_between(y, 3 * quarter - 2, y, 3 * quarter), "kwartaal")
    for match in re.finditer(r"\bQ([1-4])\s*(?:-\s*)?" + YEAR, text):
        quarter, y = int(match.group(1)), int(match.group(2))
        add(match, months_between(y, 3 * quarter - 2, y, 3 * quarter), "kwartaal")
    for match in re.finditer(
        r"\b(1e|eerste|2e|tweede)\s+(?:half\s?jaar|helft)\s+(?:van\s+)?" + YEAR, text, re.I
    ):
        y = int(match.group(2))
        first = match.group(1).lower() in ("1e", "eerste")
        add(match, months_between(y, 1 if first else 7, y, 6 if first else 12), "halfjaar")
    for match in re.finditer(
        r"\b(?:geheel|heel|het hele|gehele)\s+(?:jaar\s+)?" + YEAR, text, re.I
    ):
        y = int(match.group(1))
        add(match, months_between(y, 1, y, 12), "heel jaar")
    # What already happened is no plan: "gestart in 2021", "sinds 2019".
    for match in re.finditer(
        r"\b(?:gestart|begonnen|ingegaan|vastgesteld|sinds|afgerond)\s+(?:in\s+)?(?:"
        + MONTH
        + r"\s+)?"
        + YEAR,
        text,
        re.I,
    ):
        add(match, [], "verleden")
    for match in re.finditer(
        r"\bin\s+" + YEAR + r"\s+(?:is\s+|zijn\s+)?(?:gestart|begonnen|vastgesteld)\b", text, re.I
    ):
        add(match, [], "verleden")
    for match in re.finditer(r"\b(begin|eind|medio|halverwege)\s+(?:van\s+)?" + YEAR, text, re.I):
        word, y = match.group(1).lower(), int(match.group(2))
        if word == "begin":
            months = months_between(y, 1, y, 3)
        elif word == "eind":
            months = [f"{y}-12"]
        else:
            months = months_between(y, 6, y, 7)
        add(match, months, word)
    for match in re.finditer(r"\b(voorjaar|lente|zomer|najaar)\s+(?:van\s+)?" + YEAR, text, re.I):
        first, last = SEASONS[match.group(1).lower()]
        y = int(match.group(2))
        add(match, months_between(y, first, y, last), "seizoen")
    # Month ranges: "jan-dec", "maart t/m juni 2022", "sept/okt".
    for match in re.finditer(
        r"\b("
        + MONTH
        + r")\s*(?:-|–|t/m|tot en met|tot)\s*("
        + MONTH
        + r")(?:\s+"
        + YEAR
        + r")?\b",
        text,
        re.I,
    ):
        y = int(match.group(3)) if match.group(3) else year
        if y is None:
            continue
        start, end = _month(match.group(1)), _month(match.group(2))
        months = (
            months_between(y, start, y, end)
            if start <= end
            else months_between(y, start, y + 1, end)
        )
        add(match, months, "maanden van-tot")
    for match in re.finditer(
        r"\b(" + MONTH + r")((?:\s*/\s*" + MONTH + r")+)(?:\s+" + YEAR + r")?\b", text, re.I
    ):
        y = int(match.group(3)) if match.group(3) else year
        if y is None:
            continue
        names = [match.group(1), *re.split(r"\s*/\s*", match.group(2).strip(" /"))]
        add(match, sorted({f"{y}-{_month(name):02d}" for name in names if name}), "maanden")
    for match in re.finditer(r"\b(" + MONTH + r")\s+" + YEAR + r"\b", text, re.I):
        add(match, [f"{int(match.group(2))}-{_month(match.group(1)):02d}"], "maand")
    for match in re.finditer(
        r"\b(?:in|gedurende|heel)\s+" + YEAR + r"(?:\s+en\s+" + YEAR + r")?\b(?!\s*[-/])",
        text,
        re.I,
    ):
        years = [int(match.group(1))] + ([int(match.group(2))] if match.group(2) else [])
        add(match, [m for y in years for m in months_between(y, 1, y, 12)], "in jaar")
    if year is not None:
        # Months by their number: "4e, 7e, 10e, 1 maand", "de 3e en 9e maand".
        for match in re.finditer(
            r"\b((?:\d{1,2}(?:e|de|ste)?\s*(?:,|en)\s*)+\d{1,2}(?:e|de|ste)?)\s+maand\b", text, re.I
        ):
            numbers = {int(n) for n in re.findall(r"\d{1,2}", match.group(1))}
            if all(1 <= n <= 12 for n in numbers):
                add(match, [f"{year}-{n:02d}" for n in sorted(numbers)], "maanden genummerd")
        # A month without a year, in a planning table of one year ("mrt", "juni").
        bare = list(re.finditer(r"(?<![\w/])(" + MONTH + r")(?![\w/])", text, re.I))
        for match in bare:
            # "mei" and "mar" are short enough to be a name or an abbreviation: a month
            # only beside another month, a number or the word "maand" or "planning".
            if (
                match.group(1).lower().rstrip(".") in ("mei", "mar")
                and len(bare) < 2
                and not re.search(r"\d|maand|planning", text, re.I)
            ):
                continue
            add(match, [f"{year}-{_month(match.group(1)):02d}"], "maand zonder jaar")
    for match in re.finditer(r"\bjaarlijks\b", text, re.I):
        add(match, [], "jaarlijks")
    found.sort(key=lambda period: text.find(period.text))
    return found


def months_of(
    text: str,
    *,
    year: int | None = None,
    period_end: int | None = None,
    period_start: int | None = None,
) -> tuple[list[str], str]:
    """The months all time expressions of ``text`` name together, and their words."""
    periods = find_periods(text, year=year, period_end=period_end, period_start=period_start)
    months = sorted({month for period in periods for month in period.months})
    return months, "; ".join(period.text for period in periods)
