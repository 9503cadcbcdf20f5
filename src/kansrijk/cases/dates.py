"""The calendar rules of the register: calendar months, school years and the ages of the
Leerplichtwet. Pure functions of dates, so the report, the signals and the pages all
count the same way (docs/formats/thuiszitters-report.md writes them down).
"""

from __future__ import annotations

import calendar
import datetime

SCHOOL_YEAR_START_MONTH = 8  # a school year runs from 1 August to 31 July
FOUR_WEEKS = datetime.timedelta(days=28)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole calendar months; a day that does not exist in the target
    month becomes its last day (31 August + 3 months = 30 November)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def earliest_start_reaching(day: datetime.date, months: int) -> datetime.date:
    """The first start date *s* with ``add_months(s, months) >= day``.

    "Started more than three calendar months before P" is ``add_months(start, 3) < P``.
    Because ``add_months`` clamps month ends, that is *not* the same as
    ``start < add_months(P, -3)`` (start 30 September, P 31 December: 30 December < 31
    December, yet 30 September is not before 30 September). Comparing the start with
    this cut-off gives exactly ``add_months(start, months) < day`` and lets the database
    compare a column with one constant.
    """
    candidate = add_months(day, -months)
    while add_months(candidate, months) < day:
        candidate += datetime.timedelta(days=1)
    while add_months(candidate - datetime.timedelta(days=1), months) >= day:
        candidate -= datetime.timedelta(days=1)
    return candidate


def birthday(birth_date: datetime.date, age: int) -> datetime.date:
    """The day someone born on ``birth_date`` turns ``age`` (29 February → 28 February)."""
    year = birth_date.year + age
    return datetime.date(
        year, birth_date.month, min(birth_date.day, calendar.monthrange(year, birth_date.month)[1])
    )


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    years = day.year - birth_date.year
    return years if birthday(birth_date, years) <= day else years - 1


def school_year_start(day: datetime.date) -> datetime.date:
    """1 August of the school year that ``day`` falls in."""
    year = day.year if day.month >= SCHOOL_YEAR_START_MONTH else day.year - 1
    return datetime.date(year, SCHOOL_YEAR_START_MONTH, 1)


def school_year_end(day: datetime.date) -> datetime.date:
    """31 July of the school year that ``day`` falls in."""
    return datetime.date(school_year_start(day).year + 1, 7, 31)


def school_year_label(day: datetime.date) -> str:
    start = school_year_start(day).year
    return f"{start}/{start + 1}"


def parse_school_year(label: str) -> tuple[datetime.date, datetime.date]:
    """'2023/2024' → (2023-08-01, 2024-07-31); raises ValueError otherwise."""
    first, _, second = label.partition("/")
    start, end = int(first), int(second)
    if end != start + 1:
        raise ValueError(label)
    return datetime.date(start, 8, 1), datetime.date(end, 7, 31)


def compulsory_education_start(birth_date: datetime.date) -> datetime.date:
    """Leerplicht starts on the first school day of the month after the 5th birthday; we
    store the first day of that month (school days are the school's calendar)."""
    fifth = birthday(birth_date, 5)
    return add_months(fifth.replace(day=1), 1)


def compulsory_education_end(birth_date: datetime.date) -> datetime.date:
    """The end of the school year in which the young person turns 16."""
    return school_year_end(birthday(birth_date, 16))


def qualification_duty_end(
    birth_date: datetime.date, start_qualification_on: datetime.date | None = None
) -> datetime.date:
    """Kwalificatieplicht ends on the 18th birthday, or earlier with a startkwalificatie."""
    eighteenth = birthday(birth_date, 18)
    if start_qualification_on is not None and start_qualification_on < eighteenth:
        return start_qualification_on
    return eighteenth


def rmc_horizon(birth_date: datetime.date, upper_age: int) -> datetime.date:
    """The day RMC/Doorstroompunt stops following the young person (the 23rd birthday;
    the age is a setting because it is due to rise to 27)."""
    return birthday(birth_date, upper_age)


def quarter_start(peildatum: datetime.date) -> datetime.date:
    """The quarter ending on P is (P − 3 months, P]; this is P − 3 months (exclusive)."""
    return add_months(peildatum, -3)
