"""A sign of life for background work that calls back nothing for seconds: a thread
writes the time every ``interval`` seconds while the work runs, and dies with the
worker, which is what the sweeps look for (decisions 0029 and 0047).

Not in the work's own connection: an importer's long transaction would hide a beat
written there until it commits. On PostgreSQL the thread writes a ``storage.Pulse`` row
through the ``pulse`` database alias (the same database, a connection of its own, in
autocommit), so a sweep on any machine sees it (decision 0050). On SQLite, one machine
by definition, it goes into the ``progress`` file cache.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

KEPT_SECONDS = 24 * 60 * 60
# How long entering waits for the first beat: a database that does not answer by then
# does not hold up the work (the sweep then goes by the work's own heartbeat).
FIRST_BEAT_SECONDS = 5.0


def _database() -> str | None:
    return getattr(settings, "PULSE_DATABASE", None)


class Pulse:
    """Beats from a thread of its own: its first beat is written before entering
    returns, its last deleted when the block is left. The thread alone touches the
    ``pulse`` connection (its own, closed when it ends)."""

    def __init__(self, key: str, *, interval: float = 1.0):
        self.key = key
        self.interval = interval
        self.database = _database()
        self.stopped = threading.Event()
        self.first_beat = threading.Event()
        self.thread = threading.Thread(target=self._run, name=key, daemon=True)

    def __enter__(self):
        self.thread.start()
        self.first_beat.wait(FIRST_BEAT_SECONDS)
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join()

    def _run(self) -> None:
        try:
            self._set()
            self.first_beat.set()
            while not self.stopped.wait(self.interval):
                self._set()
            self._delete()
        finally:
            self.first_beat.set()
            if self.database:
                connections[self.database].close()

    def _set(self) -> None:
        try:
            write_beat(self.key, time.time(), using=self.database)
        except DatabaseError as error:
            # The work goes on; its heartbeat in its own row still counts for the sweep.
            logger.warning("Pulse %s not written: %s", self.key, type(error).__name__)
            connections[self.database].close()

    def _delete(self) -> None:
        try:
            delete_beat(self.key, using=self.database)
        except DatabaseError as error:
            logger.warning("Pulse %s not deleted: %s", self.key, type(error).__name__)


def write_beat(key: str, at: float, *, using: str | None = None) -> None:
    """Put the beat ``at`` (a Unix time) under ``key``: in the cache on SQLite, else a
    row written through ``using`` (the pulse's own connection; the caller's when None)."""
    if _database() is None:
        caches["progress"].set(key, at, timeout=KEPT_SECONDS)
        return
    from kansrijk.storage.models import Pulse as Beat

    Beat.objects.using(using or "default").bulk_create(
        [Beat(key=key, beat_at=at)],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["beat_at"],
    )


def delete_beat(key: str, *, using: str | None = None) -> None:
    if _database() is None:
        caches["progress"].delete(key)
        return
    from kansrijk.storage.models import Pulse as Beat

    Beat.objects.using(using or "default").filter(key=key).delete()


def last_beat(key: str) -> float | None:
    """The last beat under ``key`` (a Unix time), or None.

    Read through the caller's own connection: the beats were committed by another, and
    PostgreSQL shows every statement what was committed before it began."""
    if _database() is None:
        return caches["progress"].get(key)
    from kansrijk.storage.models import Pulse as Beat

    return Beat.objects.filter(key=key).values_list("beat_at", flat=True).first()


def pulsing(key: str, now: datetime.datetime, limit: float) -> bool:
    """Whether the pulse under ``key`` beat within ``limit`` seconds before ``now``."""
    beat = last_beat(key)
    return beat is not None and now.timestamp() - beat < limit


def forget_old(now: datetime.datetime) -> int:
    """Delete the beats a killed worker left (a day old: nothing pulses that long
    unseen); on SQLite the cache's own timeout does it."""
    if _database() is None:
        return 0
    from kansrijk.storage.models import Pulse as Beat

    deleted, _ = Beat.objects.filter(beat_at__lt=now.timestamp() - KEPT_SECONDS).delete()
    return deleted
