"""The task of the two-worker drill (decision 0046): it does nothing but record that it ran.

Queued many times with distinct keys and run by several ``kansrijk db_worker`` processes,
it shows whether the queue hands each task to exactly one worker
(``tests/test_workers.py``).
"""

from __future__ import annotations

import os
import time

from django.db import transaction
from django.db.models import F
from django_tasks import task

from .models import WorkerDrillRun


@task()
def record_drill_run(key: str, seconds: float = 0.0) -> int:
    # The pause stands in for real work, so that the workers overlap and a worker can be
    # killed while it holds a task.
    time.sleep(seconds)
    with transaction.atomic():
        again = WorkerDrillRun.objects.filter(key=key).update(runs=F("runs") + 1)
        if not again:
            WorkerDrillRun.objects.create(key=key, worker_pid=os.getpid())
    return os.getpid()
