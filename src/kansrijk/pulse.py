"""A sign of life for background work that calls back nothing for seconds: a thread puts
the time in the ``progress`` cache every ``interval`` seconds while the work runs, and
dies with the worker, which is what the sweeps look for (decisions 0029 and 0047).

The cache, not the database: an importer's own transaction would hide a heartbeat
written there. The cache is on the worker's machine, where its sweep reads it.
"""

from __future__ import annotations

import datetime
import threading
import time

from django.core.cache import caches

KEPT_SECONDS = 24 * 60 * 60


class Pulse:
    def __init__(self, key: str, *, interval: float = 1.0):
        self.key = key
        self.interval = interval
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=key, daemon=True)

    def __enter__(self):
        self._set()
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopped.set()
        self.thread.join()
        caches["progress"].delete(self.key)

    def _set(self) -> None:
        caches["progress"].set(self.key, time.time(), timeout=KEPT_SECONDS)

    def _beat(self) -> None:
        while not self.stopped.wait(self.interval):
            self._set()


def pulsing(key: str, now: datetime.datetime, limit: float) -> bool:
    """Whether the pulse under ``key`` beat within ``limit`` seconds before ``now``."""
    beat = caches["progress"].get(key)
    return beat is not None and now.timestamp() - beat < limit
