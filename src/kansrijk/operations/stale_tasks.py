"""Tasks whose worker died: django-tasks-db never hands a claimed task to another worker,
so a task that was running when its worker was killed would show "running" for ever.

Each worker's heartbeat row names the task worker id it claims tasks under
(``heartbeat.worker_name``). The worker's sweep fails every running task whose claiming
worker has not beaten for ``WORKER_HEARTBEAT["STALE_SECONDS"]``, so it is counted as
failed in the metrics and a beheerder sees it. The uploads' own tasks are left to their
own sweeps (decisions 0028–0030), which also run them again; other tasks (a computed
figure's refresh, a document) are failed here and are run again by whoever asks again.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Their own sweeps watch their own heartbeat and run them again (import_recovery, jobs).
OWN_SWEEP = (
    "kansrijk.cases.tasks.run_case_import",
    "kansrijk.imports.tasks.run_import_job",
)
WORKER_ID_SEPARATOR = "/"


def worker_ids_alive(since: datetime) -> set[str]:
    names = WorkerHeartbeat.objects.filter(last_seen__gte=since).values_list("worker", flat=True)
    return {
        name.rpartition(WORKER_ID_SEPARATOR)[2] for name in names if WORKER_ID_SEPARATOR in name
    }


def fail_tasks_of_stopped_workers(now: datetime | None = None) -> int:
    """Fail the running tasks whose worker stopped beating; returns how many."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.WORKER_HEARTBEAT["STALE_SECONDS"])
    alive = worker_ids_alive(stale_before)
    suspects = (
        DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=stale_before)
        .exclude(task_path__in=OWN_SWEEP)
        .values_list("id", "worker_ids")
    )
    orphaned = [
        pk for pk, worker_ids in suspects if not worker_ids or worker_ids[-1][:50] not in alive
    ]
    if not orphaned:
        return 0
    failed = DBTaskResult.objects.filter(id__in=orphaned, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="kansrijk.operations.stale_tasks.WorkerStopped",
        traceback="De worker die deze taak uitvoerde stopte zonder hartslag.",
    )
    logger.warning("Failed %s task(s) whose worker stopped beating.", failed)
    return failed
