"""The difference between two versions of an agenda, in the words a reader uses.

A snapshot (``services.agenda_snapshot``) keeps stable values: choice codes
(``running``), months as ``YYYY-MM``, amounts as decimal strings, references as external
ids. They stay comparable across versions and languages. What a reader sees is made here:
the field's Dutch label, the choice's label (``lopend``), months as Dutch month names
(``maart en juni 2022``), money as the agendas write it, and a reference as the title of
the item it points at in the same snapshot.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kansrijk.periods import MONTH_NAMES, format_day, format_period

from .models import AgendaStatus, FundingSource, WorkStatus

EMPTY = "–"

FIELD_LABELS = {
    "kind": gettext_lazy("soort"),
    "title": gettext_lazy("titel"),
    "vision": gettext_lazy("visie"),
    "status": gettext_lazy("status"),
    "period": gettext_lazy("looptijd"),
    "background": gettext_lazy("achtergrond"),
    "intended_result": gettext_lazy("beoogd resultaat"),
    "description": gettext_lazy("toelichting"),
    "number": gettext_lazy("nummer"),
    "priority": gettext_lazy("prioriteit"),
    "indicator_text": gettext_lazy("indicator"),
    "spearhead": gettext_lazy("speerpunt"),
    "goal": gettext_lazy("doel"),
    "goals": gettext_lazy("doelen"),
    "parent": gettext_lazy("valt onder"),
    "planned": gettext_lazy("planning zoals geschreven"),
    "months": gettext_lazy("geplande maanden"),
    "progress": gettext_lazy("voortgang"),
    "voortrekker": gettext_lazy("voortrekker"),
    "partners": gettext_lazy("partners"),
    "financiers": gettext_lazy("financiers"),
    "goal_text": gettext_lazy("doel van de interventie"),
    "target_group": gettext_lazy("doelgroep"),
    "age_min": gettext_lazy("leeftijd vanaf"),
    "age_max": gettext_lazy("leeftijd tot en met"),
    "planning": gettext_lazy("planning"),
    "parties_text": gettext_lazy("betrokken partijen"),
    "location_text": gettext_lazy("locatie"),
    "activities_text": gettext_lazy("activiteiten"),
    "monitoring_text": gettext_lazy("monitoring en evaluatie"),
    "financing_text": gettext_lazy("financiering zoals geschreven"),
    "online_information": gettext_lazy("online informatie"),
    "contact": gettext_lazy("contact"),
    "year": gettext_lazy("jaar"),
    "source": gettext_lazy("bron"),
    "payer": gettext_lazy("betaler"),
    "planned_amount": gettext_lazy("begroot bedrag"),
    "realised_amount": gettext_lazy("gerealiseerd bedrag"),
    "is_estimate": gettext_lazy("circa"),
    "notes": gettext_lazy("toelichting"),
    "month": gettext_lazy("maand"),
    "done_on": gettext_lazy("uitgevoerd op"),
    "intervention": gettext_lazy("interventie"),
    "times_per_year": gettext_lazy("keer per jaar"),
    "at_least": gettext_lazy("minimaal"),
}

# A field that names another item of the snapshot, and the key prefix of that item.
REFERENCES = {
    "spearhead": "spearhead",
    "goal": "goal",
    "goals": "goal",
    "parent": "activity",
    "intervention": "intervention",
}


class FieldChange(NamedTuple):
    """One changed field: its stored values, and what a reader sees."""

    field: str
    before: Any
    after: Any
    label: str
    before_text: str
    after_text: str


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))


def field_change(key: str, name: str, before, after, old: dict, new: dict) -> FieldChange:
    return FieldChange(
        name,
        before,
        after,
        field_label(name),
        value_text(key, name, before, old),
        value_text(key, name, after, new),
    )


def value_text(key: str, name: str, value, snapshot: dict) -> str:
    """``value`` of field ``name`` of item ``key`` as a reader reads it; references are
    looked up in ``snapshot`` (the version the value comes from)."""
    if value is None or value == "" or value == []:
        return EMPTY
    if name in REFERENCES:
        ids = value if isinstance(value, list) else [value]
        return ", ".join(_title_of(snapshot, REFERENCES[name], i) for i in ids)
    if name == "status":
        choices = AgendaStatus if key == "agenda" else WorkStatus
        return _choice_label(choices, value)
    if name == "source":
        return _choice_label(FundingSource, value)
    if name == "months":
        return months_text(value)
    if name == "month":
        return months_text([value])
    if name == "done_on":
        return _day_text(value)
    if name == "period":
        return _period_text(value)
    if name == "progress":
        return f"{value} %"
    if name in ("planned_amount", "realised_amount"):
        return _money_text(value)
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def months_text(months) -> str:
    """["2022-03", "2022-06", "2023-01"] → "maart en juni 2022, januari 2023"."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for month in sorted(set(months)):
        try:
            year, number = (int(part) for part in str(month).split("-")[:2])
        except ValueError:
            return ", ".join(str(m) for m in months)
        by_year[year].append(number)
    parts = []
    for year, numbers in sorted(by_year.items()):
        names = [MONTH_NAMES[number - 1] for number in numbers]
        if len(names) > 1:
            words = _("%(first)s en %(last)s") % {
                "first": ", ".join(names[:-1]),
                "last": names[-1],
            }
        else:
            words = names[0]
        parts.append(f"{words} {year}")
    return ", ".join(parts)


def _title_of(snapshot: dict, prefix: str, external_id: str) -> str:
    item = snapshot.get(f"{prefix}:{external_id}")
    if item is None:
        return str(external_id)
    number = item.get("number")
    title = str(item.get("title", external_id))
    return f"{number}. {title}" if number else title


def _choice_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _day_text(value) -> str:
    try:
        return format_day(datetime.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _period_text(value) -> str:
    try:
        start, end = (datetime.date.fromisoformat(part) for part in str(value).split("–"))
    except ValueError:
        return str(value)
    return format_period((start, end))


def _money_text(value) -> str:
    from .exporting import format_money

    try:
        return format_money(Decimal(str(value)))
    except InvalidOperation:
        return str(value)
