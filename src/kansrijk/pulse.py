"""A sign of life for background work that calls back nothing for seconds: a thread
writes the time every ``interval`` seconds while the work runs, and dies with the
worker, which is what the sweeps look for (decisions 0029 and 0047).

Not through the work's own connection: an importer's long transaction would hide a
beat written there until it commits. On PostgreSQL the thread opens a connection of its
own to the same database (in autocommit, closed when the work ends) and writes a
``storage.Pulse`` row, so that a sweep on any machine sees it (decision 0050). On SQLite,
one machine by definition, and where a second writer would wait for the importer's
lock, it goes into the ``progress`` file cache.
"""

from __future__ import annotations

import datetime
import logging
import threading
import time

from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

KEPT_SECONDS = 24 * 60 * 60
# How long entering waits for the first beat: a database that does not answer by then
# does not hold up the work (the sweep then goes by the work's own heartbeat).
FIRST_BEAT_SECONDS = 5.0


def in_database() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


class Pulse:
    """Beats from a thread of its own: the first beat is written before entering
    returns, the last deleted when the block is left."""

    def __init__(self, key: str, *, interval: float = 1.0):
        self.key = key
        self.interval = interval
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
        # A connection no other code uses: not the thread's ``connections``, whose
        # wrappers the tests (and any other code) may share or hold in a transaction.
        own = connections.create_connection(DEFAULT_DB_ALIAS) if in_database() else None
        try:
            self._beat(own)
            self.first_beat.set()
            while not self.stopped.wait(self.interval):
                self._beat(own)
            try:
                delete_beat(self.key, connection=own)
            except DatabaseError as error:
                logger.warning("Pulse %s not deleted: %s", self.key, type(error).__name__)
        finally:
            self.first_beat.set()
            if own is not None:
                own.close()

    def _beat(self, own) -> None:
        try:
            write_beat(self.key, time.time(), connection=own)
        except DatabaseError as error:
            # The work goes on; its heartbeat in its own row still counts for the sweep.
            logger.warning("Pulse %s not written: %s", self.key, type(error).__name__)
            if own is not None:
                own.close()  # opened again by the next beat


def _table(connection) -> str:
    from kansrijk.storage.models import Pulse as Beat

    return connection.ops.quote_name(Beat._meta.db_table)


def write_beat(key: str, at: float, *, connection=None) -> None:
    """Put the beat ``at`` (a Unix time) under ``key``: a row written through
    ``connection`` (the caller's own when None) on PostgreSQL, the cache on SQLite."""
    if not in_database():
        caches["progress"].set(key, at, timeout=KEPT_SECONDS)
        return
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(connection)} (key, beat_at) VALUES (%s, %s) "  # noqa: S608
            "ON CONFLICT (key) DO UPDATE SET beat_at = EXCLUDED.beat_at",
            [key, at],
        )


def delete_beat(key: str, *, connection=None) -> None:
    if not in_database():
        caches["progress"].delete(key)
        return
    connection = connection or connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_table(connection)} WHERE key = %s", [key])  # noqa: S608


def last_beat(key: str) -> float | None:
    """The last beat under ``key`` (a Unix time), or None.

    Read through the caller's own connection: the beats were committed by another, and
    PostgreSQL shows every statement what was committed before it began."""
    if not in_database():
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
    if not in_database():
        return 0
    from kansrijk.storage.models import Pulse as Beat

    deleted, _ = Beat.objects.filter(beat_at__lt=now.timestamp() - KEPT_SECONDS).delete()
    return deleted
