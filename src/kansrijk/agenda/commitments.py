"""Whether a recurring commitment is kept: per year of the agenda, how often it was
promised ("twee keer per jaar", "minimaal één keer per jaar") against how often it was
recorded.

A year that is over (or past the end of the agenda) with too few occurrences is *te laat*;
the running year is *achter* when fewer occurrences were recorded than the part of the
year that has passed asks for (twice a year: one by early July); otherwise *op schema*.
The counts come from one grouped query, whatever the number of commitments.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from .models import Commitment, CommitmentOccurrence

ON_SCHEDULE = "on_schedule"
BEHIND = "behind"
LATE = "late"
NO_NORM = "no_norm"

STATUS_LABELS = {
    ON_SCHEDULE: _("op schema"),
    BEHIND: _("achter"),
    LATE: _("te laat"),
    NO_NORM: _("geen aantal afgesproken"),
}
# The Utrecht status badge that goes with each status.
STATUS_BADGES = {ON_SCHEDULE: "success", BEHIND: "warning", LATE: "danger", NO_NORM: "neutral"}


@dataclass(frozen=True)
class CommitmentYear:
    year: int
    required: int | None
    recorded: int
    expected_by_now: int | None
    status: str

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def badge(self) -> str:
        return STATUS_BADGES[self.status]

    @property
    def is_overdue(self) -> bool:
        return self.status in (BEHIND, LATE)


def _year_fraction_passed(year: int, today: datetime.date) -> float:
    start = datetime.date(year, 1, 1)
    days = (datetime.date(year + 1, 1, 1) - start).days
    return min(max((today - start).days + 1, 0), days) / days


def year_status(
    commitment: Commitment, year: int, recorded: int, today: datetime.date
) -> CommitmentYear:
    required = commitment.times_per_year
    if not required:
        return CommitmentYear(year, None, recorded, None, NO_NORM)
    year_over = datetime.date(year, 12, 31) < today or commitment.agenda.period_end < today
    if recorded >= required:
        status = ON_SCHEDULE
        expected = required
    elif year_over:
        status = LATE
        expected = required
    else:
        expected = math.floor(required * _year_fraction_passed(year, today))
        status = BEHIND if recorded < expected else ON_SCHEDULE
    return CommitmentYear(year, required, recorded, expected, status)


def agenda_years(commitment: Commitment, today: datetime.date) -> list[int]:
    """The years of the agenda that have begun by ``today``."""
    agenda = commitment.agenda
    last = min(agenda.period_end.year, today.year)
    return list(range(agenda.period_start.year, last + 1))


def occurrence_counts(commitments: Iterable[Commitment]) -> dict[tuple[int, int], int]:
    """{(commitment id, year): number of recorded occurrences}, in one grouped query."""
    rows = (
        CommitmentOccurrence.objects.filter(commitment__in=list(commitments))
        .annotate(year=ExtractYear("date"))
        .values("commitment_id", "year")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {(row["commitment_id"], row["year"]): row["count"] for row in rows}


def commitment_status(
    commitment: Commitment, today: datetime.date, counts: dict | None = None
) -> list[CommitmentYear]:
    """Per begun year of the agenda: required, recorded and the status. ``counts`` (from
    :func:`occurrence_counts`) may be passed in when several commitments are shown."""
    if counts is None:
        counts = occurrence_counts([commitment])
    return [
        year_status(commitment, year, counts.get((commitment.pk, year), 0), today)
        for year in agenda_years(commitment, today)
    ]


def overdue_commitments(commitments, today: datetime.date) -> list[tuple[Commitment, list]]:
    """The commitments (with their overdue years) that are behind or late."""
    commitments = list(commitments)
    counts = occurrence_counts(commitments)
    overdue = []
    for commitment in commitments:
        years = [y for y in commitment_status(commitment, today, counts) if y.is_overdue]
        if years:
            overdue.append((commitment, years))
    return overdue


# ------------------------------------------------------------------ what falls due when
# A commitment made n times a year splits the year into n equal parts; the k-th time is
# due by the end of the k-th part (twice a year: June and December; once: December;
# four times: March, June, September, December). The same reading as ``year_status``,
# which expects one meeting by early July for "twee keer per jaar".


def due_months_of_year(times_per_year: int) -> list[int]:
    """The months (1–12) in which the 1st, 2nd, … time of the year falls due."""
    return [math.ceil(12 * k / times_per_year) for k in range(1, times_per_year + 1)]


@dataclass(frozen=True)
class DueOccurrence:
    """The ``number``-th time of ``month.year`` of a commitment falls due in ``month``."""

    commitment: Commitment
    month: datetime.date
    number: int
    required: int
    recorded: int

    @property
    def is_kept(self) -> bool:
        return self.recorded >= self.number


def _agenda_runs_in(agenda, month: datetime.date) -> bool:
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    return agenda.period_start < next_month and agenda.period_end >= month


def due_in_month(commitments, month: datetime.date, counts: dict | None = None):
    """The commitments with a time that falls due in ``month`` (first of the month), in a
    month the agenda runs, kept or not. ``counts`` as from :func:`occurrence_counts`."""
    commitments = [c for c in commitments if c.times_per_year]
    if counts is None:
        counts = occurrence_counts(commitments)
    due = []
    for commitment in commitments:
        if not _agenda_runs_in(commitment.agenda, month):
            continue
        due_months = due_months_of_year(commitment.times_per_year)
        # More than twelve times a year puts several times in one month: the last counts.
        numbers = [k for k, m in enumerate(due_months, start=1) if m == month.month]
        if numbers:
            due.append(
                DueOccurrence(
                    commitment,
                    month,
                    max(numbers),
                    commitment.times_per_year,
                    counts.get((commitment.pk, month.year), 0),
                )
            )
    return due
