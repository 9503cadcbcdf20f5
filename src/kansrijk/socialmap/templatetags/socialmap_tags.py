"""Template helpers of the sociale kaart: ages and school groups, schedules and statuses in
plain Dutch."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import ServiceStatus
from ..validators import DAY_NAMES

register = template.Library()

STATUS_BADGES = {
    ServiceStatus.CONCEPT: "warning",
    ServiceStatus.SUBMITTED: "active",
    ServiceStatus.PUBLISHED: "success",
    ServiceStatus.ARCHIVED: "inactive",
}


def _number(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",")


@register.filter
def age_text(service) -> str:
    """'Groep 7', 'groep 6 tot en met 8', '2,5 tot en met 4 jaar', 'vanaf 10 jaar'."""
    low, high = service.minimum_group, service.maximum_group
    if low is not None and (high is None or high == low):
        return _("groep %(low)s") % {"low": low}
    if low is None and high is not None:
        return _("tot en met groep %(high)s") % {"high": high}
    if low is not None:
        return _("groep %(low)s tot en met %(high)s") % {"low": low, "high": high}
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        return _("%(low)s tot en met %(high)s jaar") % {"low": _number(low), "high": _number(high)}
    if low is not None:
        return _("vanaf %(low)s jaar") % {"low": _number(low)}
    if high is not None:
        return _("tot en met %(high)s jaar") % {"high": _number(high)}
    return ""


@register.filter
def need_age_text(need) -> str:
    """The groups of a need when it names them, else its ages (same words as an offer)."""
    return age_text(need)


@register.filter
def schedule_text(schedule) -> str:
    """'Elke week op maandag en woensdag, 15:00 tot 17:00, vanaf 1 september 2022.'"""
    parts = []
    days = [str(DAY_NAMES[day]) for day in schedule.byday.split(",") if day]
    if days:
        joined = (
            days[0] if len(days) == 1 else ", ".join(days[:-1]) + " " + _("en") + " " + days[-1]
        )
        parts.append(
            (_("elke maand op %(days)s") if schedule.freq == "MONTHLY" else _("op %(days)s"))
            % {"days": joined}
        )
    if schedule.opens_at and schedule.closes_at:
        parts.append(
            _("van %(opens)s tot %(closes)s")
            % {"opens": f"{schedule.opens_at:%H:%M}", "closes": f"{schedule.closes_at:%H:%M}"}
        )
    if schedule.valid_from and schedule.valid_to:
        parts.append(
            _("van %(start)s tot en met %(end)s")
            % {
                "start": date_format(schedule.valid_from, "j F Y"),
                "end": date_format(schedule.valid_to, "j F Y"),
            }
        )
    elif schedule.valid_from:
        parts.append(_("vanaf %(start)s") % {"start": date_format(schedule.valid_from, "j F Y")})
    elif schedule.valid_to:
        parts.append(_("tot en met %(end)s") % {"end": date_format(schedule.valid_to, "j F Y")})
    text = ", ".join(parts)
    if schedule.description:
        text = f"{schedule.description} ({text})" if text else schedule.description
    return text[:1].upper() + text[1:] if text else ""


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "neutral")
