"""Form pieces every module shares: one way to ask for a period, and one list of
organisations and gemeenten to choose from (docs/decisions/0035).

A period is written the way the pages print it: schooljaar "2022/2023", kalenderjaar
"2023", kwartaal "2023 K1", maand "januari 2023", peildatum "1 oktober 2022". The field
also reads the spellings people type ("2022-2023", "K1 2023", "2023-01", "1-10-2022")
and stores the site's own.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.periods import MONTH_NAMES

# The kinds of period, with the values of indicators.PeriodType.
SCHOOL_YEAR, CALENDAR_YEAR, QUARTER, MONTH, REFERENCE_DATE = (
    "school_year",
    "calendar_year",
    "quarter",
    "month",
    "reference_date",
)
ALL_KINDS = (SCHOOL_YEAR, CALENDAR_YEAR, QUARTER, MONTH, REFERENCE_DATE)
EXAMPLES = {
    SCHOOL_YEAR: gettext_lazy("schooljaar 2022/2023"),
    CALENDAR_YEAR: gettext_lazy("kalenderjaar 2023"),
    QUARTER: gettext_lazy("kwartaal 2023 K1"),
    MONTH: gettext_lazy("maand januari 2023"),
    REFERENCE_DATE: gettext_lazy("peildatum 1 oktober 2022"),
}
FIRST_YEAR, LAST_YEAR = 1990, 2100


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str
    kind: str


def school_year(first: int) -> Period:
    return Period(
        datetime.date(first, 8, 1),
        datetime.date(first + 1, 7, 31),
        f"{first}/{first + 1}",
        SCHOOL_YEAR,
    )


def calendar_year(year: int) -> Period:
    return Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31), str(year), CALENDAR_YEAR)


def quarter(year: int, number: int) -> Period:
    start = datetime.date(year, 3 * number - 2, 1)
    return Period(start, _month_end(year, 3 * number), f"{year} K{number}", QUARTER)


def month(year: int, number: int) -> Period:
    return Period(
        datetime.date(year, number, 1),
        _month_end(year, number),
        f"{MONTH_NAMES[number - 1]} {year}",
        MONTH,
    )


def reference_date(day: datetime.date) -> Period:
    return Period(day, day, f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}", REFERENCE_DATE)


def _month_end(year: int, number: int) -> datetime.date:
    following = datetime.date(year + number // 12, number % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


_MONTH = "|".join(MONTH_NAMES)
_PATTERNS = (
    (SCHOOL_YEAR, re.compile(r"(?P<year>\d{4})\s*[/-]\s*(?P<second>\d{2}|\d{4})")),
    (CALENDAR_YEAR, re.compile(r"(?P<year>\d{4})")),
    (QUARTER, re.compile(r"(?P<year>\d{4})\s*-?\s*[kq](?P<number>[1-4])", re.I)),
    (QUARTER, re.compile(r"[kq](?P<number>[1-4])\s*-?\s*(?P<year>\d{4})", re.I)),
    # As the pages print a quarter: "1e kwartaal 2023".
    (QUARTER, re.compile(r"(?P<number>[1-4])e\s+kwartaal\s+(?P<year>\d{4})", re.I)),
    (MONTH, re.compile(rf"(?P<name>{_MONTH})\s+(?P<year>\d{{4}})", re.I)),
    (MONTH, re.compile(r"(?P<year>\d{4})-(?P<number>\d{1,2})")),
    (
        REFERENCE_DATE,
        re.compile(rf"(?P<day>\d{{1,2}})\s+(?P<name>{_MONTH})\s+(?P<year>\d{{4}})", re.I),
    ),
    (REFERENCE_DATE, re.compile(r"(?P<day>\d{1,2})-(?P<number>\d{1,2})-(?P<year>\d{4})")),
    (REFERENCE_DATE, re.compile(r"(?P<year>\d{4})-(?P<number>\d{1,2})-(?P<day>\d{1,2})")),
)


# The examples name the kind of period before it ("schooljaar 2022/2023"), and people copy
# them as written: the word is read past.
_KIND_WORD = re.compile(r"^(schooljaar|kalenderjaar|jaar|kwartaal|maand|peildatum)\s+", re.I)


def _period_from(kind: str, parts: dict[str, str]) -> Period | None:
    """The period a pattern's parts name, or None when they name none (a school year
    whose years do not follow each other, month 13, 31 February)."""
    year = int(parts["year"])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    number = int(parts["number"]) if parts.get("number") else None
    if parts.get("name"):
        number = MONTH_NAMES.index(parts["name"].lower()) + 1
    if kind == SCHOOL_YEAR:
        second = parts["second"]
        following = int(str(year + 1)[: 4 - len(second)] + second)
        return school_year(year) if following == year + 1 else None
    if kind == CALENDAR_YEAR:
        return calendar_year(year)
    if kind == QUARTER:
        return quarter(year, number)
    if not 1 <= number <= 12:
        return None
    if kind == MONTH:
        return month(year, number)
    try:
        return reference_date(datetime.date(year, number, int(parts["day"])))
    except ValueError:
        return None


def examples(kinds=ALL_KINDS) -> str:
    return ", ".join(str(EXAMPLES[kind]) for kind in kinds)


def parse_period(text: str, kinds=ALL_KINDS) -> Period:
    """The period ``text`` names, of one of ``kinds``; a ValidationError in Dutch that
    shows the right spelling otherwise."""
    text = _KIND_WORD.sub("", " ".join((text or "").split()), count=1)
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(text) if kind in kinds else None
        if match and (period := _period_from(kind, match.groupdict())):
            return period
    if SCHOOL_YEAR in kinds and "/" in text and _PATTERNS[0][1].fullmatch(text):
        raise ValidationError(
            _("'%(value)s' is geen schooljaar: schrijf twee opeenvolgende jaren, zoals 2023/2024.")
            % {"value": text},
            code="invalid_period",
        )
    raise ValidationError(
        _("'%(value)s' is geen periode die we kennen. Schrijf bijvoorbeeld: %(examples)s.")
        % {"value": text, "examples": examples(kinds)},
        code="invalid_period",
    )


def recent_periods(kinds, today: datetime.date, count: int = 6) -> list[Period]:
    """The latest ``count`` periods of each kind that have begun by ``today``, newest
    first: the suggestions under a period field."""
    year = today.year
    first_school_year = year if today.month >= 8 else year - 1
    this_quarter = (today.month - 1) // 3 + 1
    quarters = [divmod(year * 4 + this_quarter - 1 - n, 4) for n in range(count)]
    months = [divmod(year * 12 + today.month - 1 - n, 12) for n in range(count)]
    suggestions = {
        SCHOOL_YEAR: [school_year(first_school_year - n) for n in range(count)],
        CALENDAR_YEAR: [calendar_year(year - n) for n in range(count)],
        QUARTER: [quarter(y, q + 1) for y, q in quarters],
        MONTH: [month(y, m + 1) for y, m in months],
        REFERENCE_DATE: [],
    }
    return [period for kind in kinds for period in suggestions[kind]]


def _period_help(kinds) -> str:
    return _("Kies of schrijf de periode, bijvoorbeeld %(examples)s.") % {
        "examples": examples(kinds)
    }


class PeriodInput(forms.TextInput):
    """A text box with the latest periods of its kinds as suggestions (a datalist): pick
    one or type. The suggestions are made when the page is, not when the form class is."""

    def __init__(self, attrs=None, kinds=(), today: datetime.date | None = None):
        super().__init__(attrs)
        self.kinds, self.today = tuple(kinds), today

    def render(self, name, value, attrs=None, renderer=None):
        suggestions = recent_periods(self.kinds, self.today or timezone.localdate())
        if not suggestions:
            return super().render(name, value, attrs, renderer)
        list_id = f"{(attrs or {}).get('id') or self.attrs.get('id') or name}_periods"
        attrs = {**(attrs or {}), "list": list_id}
        options = format_html_join(
            "", '<option value="{}"></option>', ((p.label,) for p in suggestions)
        )
        return format_html(
            '{}<datalist id="{}">{}</datalist>',
            super().render(name, value, attrs, renderer),
            list_id,
            options,
        )


class PeriodField(forms.CharField):
    """One field for a period, in the site's notation; cleans to a :class:`Period`."""

    widget = PeriodInput

    def __init__(self, *, kinds=ALL_KINDS, today: datetime.date | None = None, **kwargs):
        self.kinds = tuple(kinds)
        kwargs.setdefault("label", gettext_lazy("Periode"))
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("help_text", lazy(_period_help, str)(self.kinds))
        super().__init__(**kwargs)
        self.widget.kinds, self.widget.today = self.kinds, today
        self.widget.attrs.setdefault("autocomplete", "off")

    def prepare_value(self, value):
        return value.label if isinstance(value, Period) else value

    def clean(self, value):
        text = super().clean(value)  # required and length checked on the text
        return parse_period(text, self.kinds) if text else None


# ------------------------------------------------------------------ organisations and gemeenten


def _region_label(region) -> str:
    from kansrijk.organisations.models import RegionKind

    if region.kind == RegionKind.MUNICIPALITY:
        return _("Gemeente %(name)s") % {"name": region.name}
    return region.name


def organisation_and_region_choices(organisations, regions) -> list[tuple[str, str, object]]:
    """One list of organisations and gemeenten to choose from, each gemeente once.

    A gemeente is both a region (the area its figures are about) and an organisation (the
    office whose people log in). Offered both, one reads "Gemeente Beverwijk" and
    "Beverwijk (gemeente)" and cannot tell them apart; the region stands for the gemeente,
    so a gemeente's own organisation is left out when its region is in the list.
    Keys "org-<pk>" and "region-<pk>", the organisations first, each part by name."""
    from kansrijk.organisations.models import OrganisationKind

    regions = sorted({r.pk: r for r in regions}.values(), key=lambda r: r.name)
    region_ids = {r.pk for r in regions}
    choices = [
        (f"org-{o.pk}", o.name, o)
        for o in sorted({o.pk: o for o in organisations}.values(), key=lambda o: o.name)
        if not (o.kind == OrganisationKind.MUNICIPALITY and o.municipality_id in region_ids)
    ]
    choices += [(f"region-{r.pk}", _region_label(r), r) for r in regions]
    return choices


# ------------------------------------------------------------------ figures


def parse_figure(text: str) -> Decimal:
    """A figure as people type it: "94,5", "94,5 %", "94.5", "1.234,5"; a comma is the
    decimal sign, a point is one too unless a comma follows it (then it groups
    thousands)."""
    text = "".join(str(text).replace("%", "").split())
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValidationError(_("Vul een getal in, zoals 94,5."), code="invalid_figure")
    return number


class FigureField(forms.DecimalField):
    """A decimal field that reads the Dutch way of writing figures (parse_figure), in a
    text box: a number box would refuse "94,5 %" before the server sees it."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(**kwargs)
        self.widget.attrs["inputmode"] = "decimal"

    def widget_attrs(self, widget):
        # No step/min/max: those belong to a number box.
        return forms.Field.widget_attrs(self, widget)

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, Decimal):
            return value
        return parse_figure(value)
