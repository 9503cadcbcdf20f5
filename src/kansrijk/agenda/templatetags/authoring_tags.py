"""Words for the agenda editor: the title of an item of any kind, its kind, its months."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from kansrijk.agenda.exporting import format_months
from kansrijk.periods import SHORT_MONTH_NAMES

from ..models import ActivityKind

register = template.Library()


@register.filter
def item_title(item, kind: str) -> str:
    if kind == "speerpunt":
        return f"{item.number}. {item.title}" if item.number else item.title
    if kind == "interventie":
        return item.name
    if kind == "evaluatie":
        month = f"{SHORT_MONTH_NAMES[item.month.month - 1]} {item.month.year}"
        return f"{month}: {item.description}"
    if kind == "financiering":
        amount = f"{item.planned_amount:,.0f}".replace(",", ".")
        return f"{item.year}, {item.get_source_display()}: € {amount}"
    if kind == "activiteit":
        return item.title
    return str(item)


@register.filter
def kind_label(kind: str, item=None) -> str:
    if kind == "activiteit" and item is not None and item.kind == ActivityKind.SUB:
        return _("subactiviteit")
    if kind == "activiteit" and item is not None and item.kind == ActivityKind.MAIN:
        return _("hoofdactiviteit")
    return {
        "speerpunt": _("speerpunt"),
        "doel": _("doel"),
        "activiteit": _("activiteit"),
        "interventie": _("interventie"),
        "evaluatie": _("evaluatiemoment"),
        "financiering": _("financiering"),
    }.get(kind, kind)


@register.filter
def authoring_months(planned_months) -> str:
    """'jan–dec 2021, mrt 2022' from planned-month rows: as the planning table writes it."""
    return format_months(pm.month for pm in planned_months)
