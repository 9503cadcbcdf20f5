"""How far a long document is, told step by step (decision 0051).

A document's exporter takes an optional ``Steps`` and calls it once per part it starts
(a goal of the agenda, a section of the Word file, the layout of the PDF), so the status
page and the command line show more than "gathering" and "rendering". The exporter says
how many steps it expects as soon as it knows (``expect``), before it takes them, so the
bar grows evenly. Without a ``Steps`` (every caller that does not follow progress) the
calls do nothing.

The report is ``progress(done, total, step)``: ``done`` steps are finished and ``step``
(a Dutch sentence) is the one that starts now, as ``documents.kinds`` has always called it.
"""

from __future__ import annotations

from collections.abc import Callable

Report = Callable[[int, int, str], None]


def percent_done(done: int, total: int) -> int | None:
    """How far a job is, for its progress bar: ``None`` while its steps are unknown."""
    if not total:
        return None
    return min(100, round(100 * done / total))


def _nothing(done: int, total: int, step: str) -> None:
    return None


class Steps:
    def __init__(self, report: Report | None = None):
        self.report = report or _nothing
        self.done = 0
        self.total = 0
        self._started = False

    def expect(self, count: int) -> Steps:
        """Count ``count`` more steps to come."""
        self.total += max(0, count)
        return self

    def __call__(self, step: str) -> None:
        """Start the next step: the one before it is done."""
        if self._started:
            self.done += 1
        self._started = True
        # A step nobody announced still counts: the bar never runs past its end.
        self.total = max(self.total, self.done + 1)
        self.report(self.done, self.total, str(step))


def steps(progress: Steps | None) -> Steps:
    """The steps to call: the caller's, or ones that tell nobody."""
    return progress if progress is not None else Steps()
