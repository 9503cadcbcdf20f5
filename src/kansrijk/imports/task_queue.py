"""The task queue's rows (django-tasks' database backend) as the sweeps see them: whether
a worker took a task, and marking failed the task of an import whose worker died, so that
the queue does not show it running for ever."""

from __future__ import annotations

import contextlib
from datetime import datetime

from django.core.exceptions import ValidationError


def _task_model():
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult


def task_taken(task_id: str) -> bool:
    """Whether a worker took the task (it is no longer waiting in the queue)."""
    from django_tasks_db.compat import TaskResultStatus

    try:
        return (
            _task_model().objects.filter(id=task_id).exclude(status=TaskResultStatus.READY).exists()
        )
    except ValidationError:  # not a task of the database backend
        return False


def fail_task(task_id: str, now: datetime, reason: str) -> None:
    """Mark the task failed if it still waits or runs; ``reason`` goes in its traceback."""
    from django_tasks_db.compat import TaskResultStatus

    if not task_id:
        return
    # A task id that is no UUID belongs to another backend (the tests' immediate one).
    with contextlib.suppress(ValidationError):
        _task_model().objects.filter(
            id=task_id, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path="kansrijk.imports.task_queue.ImportDied",
            traceback=reason,
        )
