"""Where an evaluation moment stands: carried out, due this month, planned, or passed
without being carried out. A moment whose month is over and that has no date of
execution says so ("niet uitgevoerd"), instead of "nog niet" years later."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

DONE = "done"
DUE = "due"
PLANNED = "planned"
MISSED = "missed"

LABELS = {
    DONE: _("uitgevoerd"),
    DUE: _("deze maand"),
    PLANNED: _("gepland"),
    MISSED: _("niet uitgevoerd"),
}
# The Utrecht status badge of each state.
BADGES = {DONE: "success", DUE: "warning", PLANNED: "neutral", MISSED: "danger"}


@dataclass(frozen=True)
class EvaluationState:
    key: str
    done_on: datetime.date | None = None

    @property
    def label(self) -> str:
        return str(LABELS[self.key])

    @property
    def badge(self) -> str:
        return BADGES[self.key]

    @property
    def is_open(self) -> bool:
        return self.key in (DUE, MISSED)


def evaluation_state(moment, today: datetime.date) -> EvaluationState:
    if moment.done_on is not None:
        return EvaluationState(DONE, moment.done_on)
    this_month = today.replace(day=1)
    if moment.month < this_month:
        return EvaluationState(MISSED)
    if moment.month == this_month:
        return EvaluationState(DUE)
    return EvaluationState(PLANNED)


def with_states(moments, today: datetime.date) -> list:
    """The moments as a list, each with its ``state``."""
    moments = list(moments)
    for moment in moments:
        moment.state = evaluation_state(moment, today)
    return moments
