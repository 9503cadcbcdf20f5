"""Log lines that a log collector can read: a request id on every line, and with
``KANSRIJK_LOG_FORMAT=json`` one JSON object per line (decision 0043).

The request id (and in the worker the task id) lives in a context variable, set by
``middleware.RequestObservationMiddleware`` for a request and by the task signals for a
task; ``RequestContextFilter`` copies it onto every record the console handler writes.
Nothing here knows Django models, so the logging configuration may import it early.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("kansrijk_request_id", default=None)
task_id_var: ContextVar[str | None] = ContextVar("kansrijk_task_id", default=None)

# An id from a proxy or load balancer is kept only when it is a plain token: anything
# else could forge log lines or carry data of its own into the logs.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

# The fields a request's access line adds; the JSON formatter writes them when present.
REQUEST_FIELDS = ("method", "route", "status", "duration_ms")


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is sane, otherwise a new one."""
    if header and SANE_REQUEST_ID.fullmatch(header):
        return header
    return secrets.token_hex(16)


class RequestContextFilter(logging.Filter):
    """Puts ``request_id`` and ``task_id`` on every record (None outside a request or
    task), so a formatter may name them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx or 5xx answer after the last middleware has returned, with
            # the request on the record: its id is taken from there.
            request = getattr(record, "request", None)
            record.request_id = request_id_var.get() or getattr(request, "request_id", None)
        if not hasattr(record, "task_id"):
            record.task_id = task_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and where the
    record has them the task id, the access line's fields and the exception."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        task_id = getattr(record, "task_id", None) or task_id_var.get()
        if task_id:
            line["task_id"] = task_id
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def task_started(sender, task_result, **kwargs) -> None:
    task_id_var.set(str(task_result.id))


def task_finished(sender, task_result, **kwargs) -> None:
    task_id_var.set(None)
