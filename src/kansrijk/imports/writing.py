"""Writing a checked file in short batches (decision 0030).

The spreadsheet importers check every row first, without a transaction, and write only
a file that passed. They used to write it in one transaction; on SQLite that held the
database's only write lock for minutes, and every login, note or audited read of
another user waited for it and failed. ``write_in_batches`` commits every
``BATCH_SIZE`` rows, or sooner after ``BATCH_SECONDS``, in a transaction of their own,
and leaves the lock free for a moment after each, so others write in between.

A file that passed the check is written completely: a worker that dies half-way leaves
a job that the sweep runs again (``jobs.sweep``), and the importers find the rows
already written unchanged. A row the service refuses while writing (something changed
between the check and the write) stops the write with ``WriteStopped``, which says
which row, why, and how many rows were already saved.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kansrijk.operations.metrics import count_import_rows

from .problems import ImportProblem, ImportRejected
from .readers import Progress, no_progress

# The phase ``write_in_batches`` reports to its progress callback after every batch.
WRITING = "opslaan"
# A batch ends after this many rows, or once it has taken this long, whichever comes
# first: a measurement (its history row and its audit record) takes 5–60 ms depending on
# the machine's load, so a count alone would hold SQLite's lock for seconds on a busy
# machine (bench/RESULTS-robustness.md). Read at every call, so that tests can change it.
BATCH_SIZE = 200
BATCH_SECONDS = 0.5
# After each batch on SQLite the lock is left free this long. SQLite keeps no queue of
# waiting writers: one that waits retries every 100 ms at most (its busy handler), so
# without the pause the next batch takes the lock again before any waiting writer sees
# it free, and a login may wait out the busy timeout after all.
PAUSE_SECONDS = 0.1
clock = time.monotonic

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
    importer: str = "other",
) -> int:
    """Call ``write_one`` for every item, in order (an item may rely on the items
    before it), in transactions of at most ``BATCH_SIZE`` items and about
    ``BATCH_SECONDS``. After each commit ``progress`` hears ``(WRITING, written,
    total)``. ``write_one`` raises ``ImportRejected`` for a row its service refuses:
    that batch is rolled back and ``WriteStopped`` says what the earlier batches saved.
    Returns the number of items written; every committed batch is counted for the
    metrics under ``importer`` (decision 0043)."""
    items = list(items)
    total, written = len(items), 0
    while written < total:
        try:
            end = _write_batch(items, written, write_one)
        except ImportRejected as refused:
            raise WriteStopped(refused.problems, written) from None
        count_import_rows(importer, end - written)
        written = end
        # After the commit: the job may now record how far it got.
        progress(WRITING, written, total)
        if written < total:
            let_others_write()
    return written


def _write_batch(items: list, start: int, write_one) -> int:
    """Write one batch from ``start`` in one transaction; return where the next begins."""
    started = clock()
    end = start
    with transaction.atomic():
        for item in items[start : start + max(1, BATCH_SIZE)]:
            write_one(item)
            end += 1
            if clock() - started >= BATCH_SECONDS:
                break
    return end


def let_others_write() -> None:
    """Between two batches of a long write (also the case import's switch, decision
    0034): on SQLite, leave the lock free for a moment. Only between transactions of
    our own: inside a caller's transaction (a test's) nobody else could take it."""
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        time.sleep(PAUSE_SECONDS)


def refused(row: int | None, error) -> ImportRejected:
    """A service's ``ValidationError`` for one row, as the importers report it."""
    return ImportRejected([ImportProblem(row, None, message) for message in error.messages])
