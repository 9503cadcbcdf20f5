"""The registry of computed indicators.

Another app registers a function that yields measurements for a period and a scope:

    @register("agenda-activities-on-schedule")
    def activities_on_schedule(indicator, period_start, period_end, scope):
        return [ComputedFigure(numerator=..., denominator=..., ...)]

The monitor shows a computed indicator like any other; ``services.refresh_computed``
stores the figures as measurements (source "computed") so history and charts work the
same way. Cross-app imports go one way: the registering app imports this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ComputedFigure:
    period_start: datetime.date
    period_end: datetime.date
    period_label: str
    region_code: str = ""
    organisation_id: int | None = None
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    breakdown_key: str = ""
    breakdown_value: str = ""
    story: str = ""
    # Hidden to protect a small count elsewhere, as the module that holds the data decided
    # (the sociale kaart's participation mask): every surface of the monitor hides it too.
    withheld: bool = False
    extra: dict = field(default_factory=dict)


ComputeFunction = Callable[..., Iterable[ComputedFigure]]
REGISTRY: dict[str, ComputeFunction] = {}
# The keys whose figures count people in a module with personal data (the register, the
# sociale kaart's participation): they leave only as published aggregates, for everyone
# (kansrijk.indicators.disclosure).
COUNTS_PEOPLE: set[str] = set()


def register(
    key: str, *, counts_people: bool = False
) -> Callable[[ComputeFunction], ComputeFunction]:
    """Register ``function`` as computed indicator ``key``. ``counts_people``: its figures
    count children or young people, so nobody gets them unsuppressed. Its stories must
    not hold a number (a story sits beside a figure that may be hidden)."""

    def decorator(function: ComputeFunction) -> ComputeFunction:
        if key in REGISTRY and REGISTRY[key] is not function:
            raise ValueError(f"computed indicator {key!r} is registered twice")
        REGISTRY[key] = function
        if counts_people:
            COUNTS_PEOPLE.add(key)
        return function

    return decorator


def counts_people(key: str) -> bool:
    return bool(key) and key in COUNTS_PEOPLE


def compute(key: str, **kwargs) -> list[ComputedFigure]:
    return list(REGISTRY[key](**kwargs))
