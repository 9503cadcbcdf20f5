"""What the sociale kaart's participation counts may say, on every surface at once.

Participation counts leave the sociale kaart in three shapes: per entry, period and school
or wijk (the API), per entry and period (the entry's page), and per school and per gemeente
(the monitor's participation indicator, computed in ``indicators``). Each is a sum of the
others, so a count hidden in one shape could be worked out from the other two. The mask is
therefore made once, over all of them: every count of a published entry is a cell, and
each school and gemeente total is the total of a line of cells
(``kansrijk.indicators.suppression.suppress_lines``); an entry's total for a period is
hidden whenever one of its counts is. A count below the threshold reads "<5"; a count or
total hidden to protect one reads "." (docs/small-numbers.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from kansrijk.indicators.suppression import default_threshold, marker_for, suppress_lines

from .models import Participation


@dataclass(frozen=True)
class ParticipationMask:
    values: dict
    hidden: frozenset
    threshold: int

    def _marker(self, key) -> str:
        if key not in self.hidden:
            return ""
        return marker_for(self.values.get(key), self.threshold)

    def of_count(self, participation) -> str:
        """The marker of one count (entry × period × school or wijk)."""
        return self._marker(("count", participation.pk))

    def of_entry(self, service_id, period_start, period_end) -> str:
        """The marker of an entry's total in a period (its page)."""
        return self._marker(("entry", service_id, period_start, period_end))

    def of_school(self, school_id, period_start, period_end) -> str:
        return self._marker(("school", school_id, period_start, period_end))

    def of_gemeente(self, municipality_id, period_start, period_end) -> str:
        return self._marker(("gemeente", municipality_id, period_start, period_end))


def participation_mask(*, periods=None, threshold: int | None = None) -> ParticipationMask:
    """The mask over the counts of published entries, for the given periods ((start, end)
    pairs) or every period. One query; the suppression runs in Python over the counts and
    their totals (a few per entry, school and gemeente)."""
    threshold = default_threshold() if threshold is None else threshold
    rows = Participation.objects.of_published_services()
    if periods is not None:
        periods = set(periods)
        if not periods:
            return ParticipationMask({}, frozenset(), threshold)
        condition = Q()
        for start, end in periods:
            condition |= Q(period_start=start, period_end=end)
        rows = rows.filter(condition)
    values: dict = {}
    members: dict[tuple, list] = defaultdict(list)
    for row in rows.order_by("period_start", "period_end", "pk").values(
        "pk",
        "service_id",
        "period_start",
        "period_end",
        "school_id",
        "municipality_id",
        "participants",
    ):
        period = (row["period_start"], row["period_end"])
        cell = ("count", row["pk"])
        values[cell] = row["participants"]
        totals = [
            ("entry", row["service_id"], *period),
            ("gemeente", row["municipality_id"], *period),
        ]
        if row["school_id"]:
            totals.append(("school", row["school_id"], *period))
        for total in totals:
            members[total].append(cell)
    for total, cells in members.items():
        values[total] = sum(values[cell] for cell in cells)
    # The school and gemeente totals are the monitor's figures: lines whose members may
    # be hidden to keep them. An entry's total on its own page matters less: rather than
    # hide a count elsewhere for it, it is hidden itself as soon as one of its counts is.
    lines = [(cells, total) for total, cells in members.items() if total[0] != "entry"]
    hidden = suppress_lines(values, lines, threshold=threshold)
    for total, cells in members.items():
        if total[0] == "entry" and (values[total] < threshold or any(c in hidden for c in cells)):
            hidden.add(total)
    return ParticipationMask(values, frozenset(hidden), threshold)


__all__ = ["ParticipationMask", "participation_mask"]
