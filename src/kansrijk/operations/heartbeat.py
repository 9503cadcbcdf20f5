"""The task worker's heartbeat: one row per worker process, written about every
``WORKER_HEARTBEAT["INTERVAL_SECONDS"]`` by a thread of ``kansrijk db_worker``.

The readiness check (``checks.worker``) reads the newest beat. A beat is machine
bookkeeping, not a user's action, so it writes no audit record.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A beat older than this belongs to a worker that is long gone; its row is deleted.
FORGET_AFTER = timedelta(days=1)


def worker_name(task_worker_id: str = "") -> str:
    """``host:pid``, and after a slash the id the worker claims tasks under, so that the
    sweep can tell which running tasks lost their worker (``stale_tasks``)."""
    name = f"{socket.gethostname()}:{os.getpid()}"[:200]
    return f"{name}/{task_worker_id[:50]}" if task_worker_id else name


def beat(worker: str, now: datetime | None = None) -> None:
    """Record that ``worker`` is alive, and forget workers not seen for a day."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"last_seen": now})
    WorkerHeartbeat.objects.filter(last_seen__lt=now - FORGET_AFTER).delete()


def stop(worker: str) -> None:
    """A worker that stops in good order says so at once, instead of going stale."""
    try:
        WorkerHeartbeat.objects.filter(worker=worker).delete()
    except Exception as error:  # it goes stale instead, and is forgotten after a day
        logger.error("Worker heartbeat not removed: %s", type(error).__name__)


def last_seen() -> datetime | None:
    return (
        WorkerHeartbeat.objects.order_by("-last_seen").values_list("last_seen", flat=True).first()
    )


class Beater(threading.Thread):
    """Beats at once, then every ``interval`` seconds until ``stopped`` is set."""

    def __init__(self, worker: str | None = None, interval: float | None = None):
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker = worker or worker_name()
        self.interval = interval or settings.WORKER_HEARTBEAT["INTERVAL_SECONDS"]
        self.stopped = threading.Event()

    def run(self) -> None:
        while True:
            self._beat_once()
            if self.stopped.wait(self.interval):
                break

    def _beat_once(self) -> None:
        try:
            beat(self.worker)
        except Exception as error:  # the next beat tries again; the worker goes on
            logger.error("Worker heartbeat failed: %s", type(error).__name__)
        finally:
            # This thread's own connection: the worker's are left alone.
            connections.close_all()
