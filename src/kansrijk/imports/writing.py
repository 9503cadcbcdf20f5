"""Writing a checked file in short batches (decision 0030).

The spreadsheet importers check every row first, without a transaction, and write only
a file that passed. They used to write it in one transaction; on SQLite that held the
database's only write lock for minutes, and every login, note or audited read of
another user waited for it and failed. ``write_in_batches`` commits every
``BATCH_SIZE`` rows in a transaction of their own, so others write in between.

A file that passed the check is written completely: a worker that dies half-way leaves
a job that the sweep runs again (``jobs.sweep``), and the importers find the rows
already written unchanged. A row the service refuses while writing (something changed
between the check and the write) stops the write with ``WriteStopped``, which says
which row, why, and how many rows were already saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .problems import ImportProblem, ImportRejected
from .readers import Progress, no_progress

# The phase ``write_in_batches`` reports to its progress callback after every batch.
WRITING = "opslaan"
# 200 rows of the heaviest importer (measurements: a history row and an audit record
# each) commit in about 0.2 s on SQLite on the benchmark machine, well under a second
# (bench/RESULTS-robustness.md); read at every call, so that tests can make it smaller.
BATCH_SIZE = 200

Item = TypeVar("Item")


class WriteStopped(ImportRejected):
    """A row was refused while the file was being written. The rows of earlier batches
    are saved; the problems name the refused row and say how many rows were saved."""

    def __init__(self, problems: list[ImportProblem], written: int):
        self.written = written
        super().__init__([*problems, ImportProblem(None, None, saved_so_far(written))])


def saved_so_far(written: int) -> str:
    if not written:
        return _("Er is niets opgeslagen.")
    return ngettext(
        "%(count)s rij was al opgeslagen. Verbeter het bestand en upload het opnieuw: "
        "dan wordt de import afgemaakt, en wat al is opgeslagen telt als ongewijzigd.",
        "%(count)s rijen waren al opgeslagen. Verbeter het bestand en upload het opnieuw: "
        "dan wordt de import afgemaakt, en wat al is opgeslagen telt als ongewijzigd.",
        written,
    ) % {"count": written}


def write_in_batches(
    items: Iterable[Item],
    write_one: Callable[[Item], object],
    *,
    progress: Progress = no_progress,
) -> int:
    """Call ``write_one`` for every item, ``BATCH_SIZE`` items to a transaction, in
    order (an item may rely on the items before it). After each commit ``progress``
    hears ``(WRITING, written, total)``. ``write_one`` raises ``ImportRejected`` for a
    row its service refuses: that batch is rolled back and ``WriteStopped`` says what
    the earlier batches saved. Returns the number of items written."""
    items = list(items)
    total, written = len(items), 0
    size = max(1, BATCH_SIZE)
    for start in range(0, total, size):
        batch = items[start : start + size]
        try:
            with transaction.atomic():
                for item in batch:
                    write_one(item)
        except ImportRejected as refused:
            raise WriteStopped(refused.problems, written) from None
        written += len(batch)
        # After the commit: the job may now record how far it got.
        progress(WRITING, written, total)
    return written


def refused(row: int | None, error) -> ImportRejected:
    """A service's ``ValidationError`` for one row, as the importers report it."""
    return ImportRejected([ImportProblem(row, None, message) for message in error.messages])
