"""Dates and periods as the Dutch read them, for every template of every app.

``{{ measurement|period }}`` prints "schooljaar 2022/2023", "1e kwartaal 2024", "2023" or
"2 juli – 1 oktober 2026"; ``{{ day|dutch_date }}`` prints "2 juli 2026". Both call
``kansrijk.periods``, which the charts and the status sentences use too.
"""

from __future__ import annotations

from django import template

from kansrijk.periods import format_day, format_period

register = template.Library()


@register.filter
def period(value) -> str:
    """A figure (with period_start and period_end, or a period_label), a date, a pair of
    dates or a typed-in label, as a Dutch period."""
    return format_period(value)


@register.filter(name="dutch_period")
def dutch_period(value) -> str:
    return format_period(value)


@register.filter
def dutch_date(value) -> str:
    """2 juli 2026; a value that is no date is printed as it is."""
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return format_day(value)
    return "" if value is None else str(value)
