"""Dates and periods written the Dutch way, for every page, chart and document.

One function for the long form a reader sees in a sentence or a table ("2 juli – 1 oktober
2026", "schooljaar 2022/2023", "2023", "1e kwartaal 2024", "juni 2024", "2 juli 2026")
and one for the short form under a chart's time axis ("2022/2023", "K1 2024", "jun 2024").
A figure is stored with its first and last day; the label typed in with it ("2021/2022",
"2022-10-01", "2026-07-02/2026-10-01") is read back into those two days when that is all
there is. The notation is recorded in docs/decisions/0036-words-and-dates-for-people.md.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

MONTH_NAMES = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]
SHORT_MONTH_NAMES = [
    "jan",
    "feb",
    "mrt",
    "apr",
    "mei",
    "jun",
    "jul",
    "aug",
    "sep",
    "okt",
    "nov",
    "dec",
]
SCHOOL_YEAR_START_MONTH = 8
DASH = "\N{EN DASH}"

_YEAR = re.compile(r"(\d{4})")
_SCHOOL_YEAR = re.compile(r"(\d{4})/(\d{4})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_DAY = r"\d{4}-\d{2}-\d{2}"
_DAYS = re.compile(rf"({_DAY})(?:/({_DAY}))?")


def format_day(day: datetime.date | None) -> str:
    """2 juli 2026."""
    if day is None:
        return ""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _month_end(year: int, month: int) -> datetime.date:
    first_of_next = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """A stretch of days from ``start`` up to and including ``end``."""

    start: datetime.date
    end: datetime.date

    @property
    def kind(self) -> str:
        """day, month, quarter, school_year, year, years (whole calendar years) or span."""
        start, end = self.start, self.end
        if start == end:
            return "day"
        if start.day != 1 or end != _month_end(end.year, end.month):
            return "span"
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        if months == 1:
            return "month"
        if months == 3 and start.month % 3 == 1:
            return "quarter"
        if months == 12 and start.month == 1:
            return "year"
        if months == 12 and start.month == SCHOOL_YEAR_START_MONTH:
            return "school_year"
        if months % 12 == 0 and start.month == 1:
            return "years"
        return "span"

    @property
    def middle(self) -> datetime.date:
        """Where a chart places the figure on its time axis."""
        return self.start + (self.end - self.start) / 2

    @property
    def label(self) -> str:
        """The long form, for sentences and tables."""
        start, end, kind = self.start, self.end, self.kind
        if kind == "day":
            return format_day(start)
        if kind == "month":
            return f"{MONTH_NAMES[start.month - 1]} {start.year}"
        if kind == "quarter":
            return _("%(number)se kwartaal %(year)s") % {
                "number": (start.month + 2) // 3,
                "year": start.year,
            }
        if kind == "year":
            return str(start.year)
        if kind == "years":
            return f"{start.year}{DASH}{end.year}"
        if kind == "school_year":
            return _("schooljaar %(years)s") % {"years": f"{start.year}/{end.year}"}
        if start.year != end.year:
            return f"{format_day(start)} {DASH} {format_day(end)}"
        if start.month != end.month:
            first = f"{start.day} {MONTH_NAMES[start.month - 1]}"
            return f"{first} {DASH} {format_day(end)}"
        return f"{start.day} {DASH} {format_day(end)}"

    @property
    def short(self) -> str:
        """The short form, for the ticks of a time axis."""
        start, end, kind = self.start, self.end, self.kind
        if kind == "month":
            return f"{SHORT_MONTH_NAMES[start.month - 1]} {start.year}"
        if kind == "quarter":
            return f"K{(start.month + 2) // 3} {start.year}"
        if kind == "school_year":
            return f"{start.year}/{end.year}"
        if kind in ("year", "years"):
            return self.label
        if kind == "day":
            return f"{start.day} {SHORT_MONTH_NAMES[start.month - 1]} {start.year}"
        first, last = SHORT_MONTH_NAMES[start.month - 1], SHORT_MONTH_NAMES[end.month - 1]
        if start.year != end.year:
            return f"{first} {start.year}{DASH}{last} {end.year}"
        return f"{first}{DASH}{last} {end.year}" if first != last else f"{first} {end.year}"

    def next(self) -> Period | None:
        """The period of the same kind that follows (None where there is no such kind)."""
        months = {"month": 1, "quarter": 3, "year": 12, "school_year": 12}.get(self.kind)
        if months is None:
            return None
        index = self.start.year * 12 + self.start.month - 1 + months
        start = datetime.date(index // 12, index % 12 + 1, 1)
        index += months - 1
        return Period(start, _month_end(index // 12, index % 12 + 1))


def period_from_label(text: str) -> Period | None:
    """A typed-in period read back: "2019", "2021/2022", "2024-06", "2022-10-01",
    "2026-07-02/2026-10-01"; None for a text that is no period."""
    text = str(text or "").strip()
    try:
        if match := _YEAR.fullmatch(text):
            year = int(match[1])
            return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
        if (match := _SCHOOL_YEAR.fullmatch(text)) and int(match[2]) == int(match[1]) + 1:
            first = int(match[1])
            return Period(
                datetime.date(first, SCHOOL_YEAR_START_MONTH, 1), datetime.date(first + 1, 7, 31)
            )
        if match := _MONTH.fullmatch(text):
            year, month = int(match[1]), int(match[2])
            return Period(datetime.date(year, month, 1), _month_end(year, month))
        if match := _DAYS.fullmatch(text):
            start = datetime.date.fromisoformat(match[1])
            end = datetime.date.fromisoformat(match[2]) if match[2] else start
            return Period(start, end) if end >= start else None
    except ValueError:
        return None
    return None


def as_period(value) -> Period | None:
    """A Period from whatever a page holds: a Period, a figure with ``period_start`` and
    ``period_end``, a figure with only a ``period_label`` (a baseline), a date, a
    (start, end) pair or a typed-in label; None when it says no period."""
    if isinstance(value, Period):
        return value
    start = getattr(value, "period_start", None)
    end = getattr(value, "period_end", None)
    if isinstance(start, datetime.date) and isinstance(end, datetime.date):
        return Period(start, end)
    if hasattr(value, "period_label"):
        return period_from_label(value.period_label)
    if isinstance(value, datetime.datetime):
        return Period(value.date(), value.date())
    if isinstance(value, datetime.date):
        return Period(value, value)
    if isinstance(value, tuple | list) and len(value) == 2:
        first, last = value
        if isinstance(first, datetime.date) and isinstance(last, datetime.date):
            return Period(first, last)
        return None
    if isinstance(value, str):
        return period_from_label(value)
    return None


def format_period(value) -> str:
    """The long Dutch form of any period (see ``as_period``); a text that is no period is
    returned as it is, and nothing as ""."""
    if value is None or value == "":
        return ""
    period = as_period(value)
    if period is not None:
        return period.label
    return str(getattr(value, "period_label", value))


__all__ = [
    "MONTH_NAMES",
    "Period",
    "as_period",
    "format_day",
    "format_period",
    "period_from_label",
]
