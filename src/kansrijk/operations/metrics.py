"""Prometheus metrics (decision 0043), served at ``/metrics`` by ``views.metrics``.

Counters and histograms live in the process that counts them. Several web processes each
keep their own, and a scrape reaches one of them, unless ``PROMETHEUS_MULTIPROC_DIR`` is
set: then prometheus_client writes every process's values to files in that directory and
``registry()`` adds them up at scrape time.

Labels never carry a path, an id or a value a user typed: requests are counted by the
name of their URL pattern, imports by importer, documents by kind and format.
"""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

logger = logging.getLogger(__name__)

# Methods outside this set are counted as "other": a client may send any word as method,
# and every new label value is a new series.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "kansrijk_http_requests",
    "HTTP requests answered, by URL pattern name, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "kansrijk_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern name and method.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
IMPORT_ROWS = Counter(
    "kansrijk_import_rows_written",
    "Rows of an import file saved, by importer.",
    ["importer"],
)
DOCUMENT_BUILD = Histogram(
    "kansrijk_document_build_seconds",
    "Time to build a report document, by document and format.",
    ["document", "format"],
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)


def count_request(route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in KNOWN_METHODS else "other"
    HTTP_REQUESTS.labels(route, method, str(status)).inc()
    HTTP_LATENCY.labels(route, method).observe(seconds)


def count_import_rows(importer: str, rows: int) -> None:
    if rows > 0:
        IMPORT_ROWS.labels(importer).inc(rows)


@contextmanager
def building_document(document: str, fmt: str):
    """Times the block as the building of one ``document`` in ``fmt`` (pdf, docx)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        DOCUMENT_BUILD.labels(document, fmt).observe(time.perf_counter() - started)


def timed_document(document: str, fmt: str):
    """``building_document`` as a decorator of a function that renders a document."""

    def decorate(render):
        def timed(*args, **kwargs):
            with building_document(document, fmt):
                return render(*args, **kwargs)

        timed.__name__, timed.__doc__ = render.__name__, render.__doc__
        timed.__wrapped__ = render
        return timed

    return decorate


class TaskQueueCollector:
    """The task queue as it is at scrape time: tasks per status and the age of the
    oldest task waiting, in one aggregate query on django-tasks-db's table. Read at
    scrape time rather than counted, since the web and the worker change it in other
    processes."""

    def _families(self):
        depth = GaugeMetricFamily(
            "kansrijk_task_queue_tasks", "Tasks in the queue, by status.", labels=["status"]
        )
        oldest = GaugeMetricFamily(
            "kansrijk_task_queue_oldest_waiting_seconds",
            "Age of the oldest task waiting to run (0 when none waits).",
        )
        return depth, oldest

    def describe(self):
        # Registering asks for the names; without this it would call collect() and query
        # the database while the module is imported.
        return list(self._families())

    def collect(self):
        depth, oldest = self._families()
        try:
            rows = queue_by_status()
        except Exception as error:  # a scrape must answer even when the database does not
            logger.error("Task queue metrics failed: %s", type(error).__name__)
            return
        waiting_since = None
        for status, count, first_waiting in rows:
            depth.add_metric([status], count)
            if first_waiting is not None:
                waiting_since = first_waiting
        age = 0.0
        if waiting_since is not None:
            from django.utils import timezone

            age = max(0.0, (timezone.now() - waiting_since).total_seconds())
        oldest.add_metric([], age)
        yield depth
        yield oldest


def queue_by_status() -> list[tuple[str, int, object]]:
    """(status, count, oldest enqueued_at of the waiting tasks) per status."""
    from django.db.models import Count, Min, Q
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.order_by()
        .values("status")
        .annotate(
            count=Count("pk"),
            first_waiting=Min("enqueued_at", filter=Q(status=TaskResultStatus.READY)),
        )
        .values_list("status", "count", "first_waiting")
    )


TASK_QUEUE = TaskQueueCollector()
REGISTRY.register(TASK_QUEUE)


def registry():
    """The registry a scrape reads: this process's, or with ``PROMETHEUS_MULTIPROC_DIR``
    the sum over every process's files plus the queue read now."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    combined = CollectorRegistry()
    MultiProcessCollector(combined)
    combined.register(TASK_QUEUE)
    return combined
