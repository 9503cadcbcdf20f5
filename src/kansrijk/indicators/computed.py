"""The registry of computed indicators.

Another app registers a function that yields measurements for a period and a scope:

    @register("agenda-activities-on-schedule")
    def activities_on_schedule(indicator, period_start, period_end, scope):
        return [ComputedFigure(numerator=..., denominator=..., ...)]

The monitor shows a computed indicator like any other; ``services.refresh_computed``
stores the figures as measurements (source "computed") so history and charts work the
same way. Cross-app imports go one way: the registering app imports this module.

Live figures (docs/decisions/0022). An app that registers with ``source`` and ``plan``
keeps its figures up to date without anyone running a command:

* ``plan(indicator, *, today, municipality_ids)`` says which calls (``Run``) bring the
  indicator up to date on ``today``: which periods, which scope. Given the gemeenten a
  change touched (``municipality_ids``), it yields nothing when the indicator does not
  follow any of them.
* Every change in the app's data calls ``changed(source, municipality_ids)`` inside its
  transaction. After the commit one background task (``tasks.refresh_computed_figures``)
  refreshes the indicators of that source for those gemeenten; the changes of one
  transaction (an import of thousands of rows) become one task.
* ``kansrijk refresh_computed`` runs every plan in full, daily: a new peildatum arrives
  without any change in the data.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

logger = logging.getLogger(__name__)


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
    # Computed from data made up for the demo (synthetic cases, illustrative counts):
    # stored as "gegenereerd voor de demo", never as a real figure.
    is_generated: bool = False
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Run:
    """One call of a computed indicator's function that brings part of it up to date.

    ``kwargs`` go to the function. ``covers`` selects the stored cells (lookups on
    ``Measurement``: ``period_start``, ``region__code``, ``organisation``, …) this call is
    the whole truth for: a computed cell it covers but no longer yields (a median that
    fell below the threshold, the participation of an archived service) is withdrawn.
    An empty ``Q()`` covers every cell of the indicator."""

    kwargs: dict
    covers: Q = field(default_factory=Q)


ComputeFunction = Callable[..., Iterable[ComputedFigure]]
PlanFunction = Callable[..., Iterable[Run]]
REGISTRY: dict[str, ComputeFunction] = {}
PLANS: dict[str, PlanFunction] = {}
SOURCES: dict[str, str] = {}
# The keys whose figures count people in a module with personal data (the register, the
# sociale kaart's participation): they leave only as published aggregates, for everyone
# (kansrijk.indicators.disclosure).
COUNTS_PEOPLE: set[str] = set()


def register(
    key: str,
    *,
    counts_people: bool = False,
    source: str = "",
    plan: PlanFunction | None = None,
) -> Callable[[ComputeFunction], ComputeFunction]:
    """Register a compute function under ``key``. ``counts_people``: its figures count
    children or young people, so nobody gets them unsuppressed, and its stories must not
    hold a number (a story sits beside a figure that may be hidden). With ``source`` (the
    app whose data it reads: "cases", "socialmap") and ``plan`` it is refreshed live."""

    def decorator(function: ComputeFunction) -> ComputeFunction:
        if key in REGISTRY and REGISTRY[key] is not function:
            raise ValueError(f"computed indicator {key!r} is registered twice")
        REGISTRY[key] = function
        if counts_people:
            COUNTS_PEOPLE.add(key)
        if plan is not None:
            PLANS[key] = plan
            SOURCES[key] = source
        return function

    return decorator


def counts_people(key: str) -> bool:
    return bool(key) and key in COUNTS_PEOPLE


def compute(key: str, **kwargs) -> list[ComputedFigure]:
    return list(REGISTRY[key](**kwargs))


def plan(
    key: str, indicator, *, today: datetime.date, municipality_ids: set[int] | None = None
) -> list[Run]:
    """The calls that bring ``indicator`` up to date on ``today`` (for the gemeenten a
    change touched, or in full); none for a key without a plan."""
    function = PLANS.get(key)
    if function is None:
        return []
    return list(function(indicator, today=today, municipality_ids=municipality_ids))


def keys_of(sources: Iterable[str]) -> list[str]:
    """The keys refreshed live when the data of ``sources`` changes."""
    wanted = set(sources)
    return sorted(key for key, source in SOURCES.items() if source in wanted)


# ------------------------------------------------------------------ changes, coalesced

_local = threading.local()


class _Pending:
    """The gemeenten whose data changed, per source, in one transaction: enqueued as one
    task by the first of its commit callbacks; the others find it flushed."""

    def __init__(self):
        self.sources: dict[str, set[int]] = {}
        self.flushed = False
        # The one callback object registered for every change of the transaction: while it
        # waits in the commit hooks, the transaction that gathers these gemeenten is open.
        self.anchor = self.flush

    def flush(self) -> None:
        if self.flushed:
            return
        self.flushed = True
        from .tasks import refresh_computed_figures

        sources = sorted(self.sources)
        municipality_ids = sorted(set().union(*self.sources.values()))
        logger.info(
            "Computed figures of %s enqueued for %d gemeenten", sources, len(municipality_ids)
        )
        refresh_computed_figures.enqueue(sources=sources, municipality_ids=municipality_ids)


def changed(source: str, municipality_ids: Iterable[int | None]) -> None:
    """The data of ``source`` changed for these gemeenten in the current transaction.

    After the commit one task refreshes the indicators of ``source`` for all gemeenten
    the transaction touched: a form gives one task, and so does an import of a hundred
    thousand rows in one transaction. The gemeenten gather in one ``_Pending`` per
    thread, for as long as its callback still waits in the connection's commit hooks: a
    commit runs it, a rollback drops it (and the gemeenten gathered with it), and the
    next change starts afresh. Every call registers the callback again, so it runs
    whichever part of the transaction commits (a test's captured callbacks too); only the
    first run finds anything to do. ``robust``: a queue that cannot be reached
    is logged and does not turn a saved change into an error page; the daily
    ``kansrijk refresh_computed`` catches up."""
    ids = {pk for pk in municipality_ids if pk}
    if not ids:
        return
    connection = transaction.get_connection()
    pending = getattr(_local, "pending", None)
    if (
        pending is None
        or pending.flushed
        or not any(
            callback is pending.anchor for _ids, callback, _robust in connection.run_on_commit
        )
    ):
        pending = _local.pending = _Pending()
    # Before on_commit: outside a transaction it runs the callback at once.
    pending.sources.setdefault(source, set()).update(ids)
    transaction.on_commit(pending.anchor, robust=True)
