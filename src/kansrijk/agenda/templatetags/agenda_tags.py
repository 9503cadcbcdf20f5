"""Template helpers of the agenda pages: money as the seeds write it, planned months as
ranges ("jan–dec 2022"), the basis of an amount ("€ 120.000 per locatie per jaar × 4/12 ×
½"), status badges and the links to the document exports."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

register = template.Library()

EXPORT_FORMATS = [
    ("docx", "Word (DOCX)"),
    ("pdf", "PDF"),
    ("xlsx", "Excel (XLSX)"),
    ("csv", "CSV"),
]

WORK_STATUS_BADGES = {
    "planned": "neutral",
    "running": "active",
    "done": "success",
    "postponed": "warning",
    "cancelled": "inactive",
}
AGENDA_STATUS_BADGES = {
    "concept": "warning",
    "adopted": "success",
    "evaluated": "neutral",
    "published": "success",
}
NOMINATION_STATUS_BADGES = {
    "submitted": "neutral",
    "shortlisted": "active",
    "winner": "success",
    "not_selected": "inactive",
}
FRACTION_SYMBOLS = {
    Fraction(1, 2): "½",
    Fraction(1, 3): "⅓",
    Fraction(2, 3): "⅔",
    Fraction(1, 4): "¼",
    Fraction(3, 4): "¾",
}


@register.filter
def money(value) -> str:
    """€ 120.000 (whole euros) or € 1.234,50; '–' when there is no amount."""
    if value is None or value == "":
        return "–"
    amount = Decimal(value)
    decimals = 0 if amount == amount.to_integral_value() else 2
    return "€\N{NO-BREAK SPACE}" + number_format(amount, decimals, force_grouping=True)


def _fraction(value: Decimal, *, of_a_year: bool = False) -> str:
    """0.5 → ½; 0.3333 of a year → 4/12 (months); 2 → 2; otherwise a decimal number."""
    if value == value.to_integral_value():
        return str(int(value))
    if of_a_year and value < 1:
        months = value * 12
        if abs(months - round(months)) < Decimal("0.01"):
            return f"{round(months)}/12"
    fraction = Fraction(value).limit_denominator(12)
    if abs(Decimal(fraction.numerator) / fraction.denominator - value) < Decimal("0.0005"):
        return FRACTION_SYMBOLS.get(fraction, f"{fraction.numerator}/{fraction.denominator}")
    return number_format(value.normalize(), force_grouping=True)


@register.filter
def funding_basis(line) -> str:
    """How an amount was written: unit amount and unit, times quantity, times share."""
    if line.unit_amount is None:
        return ""
    parts = [f"{money(line.unit_amount)} {line.unit}".strip()]
    if line.quantity != 1:
        parts.append(_fraction(line.quantity, of_a_year="jaar" in line.unit))
    if line.share != 1:
        parts.append(_fraction(line.share))
    return " × ".join(parts)


def _month(day: datetime.date) -> str:
    return date_format(day, "b")


@register.filter
def month_label(day: datetime.date) -> str:
    """'mrt 2022'."""
    return f"{_month(day)} {day.year}"


@register.filter
def long_month_label(day: datetime.date) -> str:
    """'maart 2022'."""
    return date_format(day, "F Y")


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@register.filter
def month_ranges(months) -> str:
    """A set of planned months as the seeds write them: 'jan–dec 2022', 'mrt 2022',
    'nov 2022–feb 2023'."""
    days = sorted({m if isinstance(m, datetime.date) else m.month for m in months})
    if not days:
        return ""
    runs: list[list[datetime.date]] = [[days[0], days[0]]]
    for day in days[1:]:
        if day == _next_month(runs[-1][1]):
            runs[-1][1] = day
        else:
            runs.append([day, day])
    labels = []
    for first, last in runs:
        if first == last:
            labels.append(month_label(first))
        elif first.year == last.year:
            labels.append(f"{_month(first)}–{_month(last)} {first.year}")
        else:
            labels.append(f"{month_label(first)}–{month_label(last)}")
    return ", ".join(labels)


@register.filter
def work_status_badge(status: str) -> str:
    return WORK_STATUS_BADGES.get(status, "neutral")


@register.filter
def agenda_status_badge(status: str) -> str:
    return AGENDA_STATUS_BADGES.get(status, "neutral")


@register.filter
def nomination_status_badge(status: str) -> str:
    return NOMINATION_STATUS_BADGES.get(status, "neutral")


@register.simple_tag
def export_links(agenda) -> list[dict]:
    """The document exports of an agenda that exist (another module builds them: until
    its URLs are there, the page shows none rather than failing)."""
    links = []
    for fmt, label in EXPORT_FORMATS:
        try:
            url = reverse("agenda_io:export", args=[agenda.slug, fmt])
        except NoReverseMatch:
            continue
        links.append({"format": fmt, "label": label, "url": url})
    return links


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """The URL of a page another module provides, or "" while it does not exist."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@register.filter
def history_type(record) -> str:
    return {"+": _("aangemaakt"), "~": _("gewijzigd"), "-": _("verwijderd")}.get(
        record.history_type, record.history_type
    )
