"""Two real ``kansrijk db_worker`` processes on one queue run every task exactly once
(decision 0046), and when one is killed the other finishes the rest.

django-tasks-db claims a task with ``SELECT … FOR UPDATE SKIP LOCKED`` and marks it
running in the same transaction, so two workers never take the same row. That is a
property of PostgreSQL's row locks: on SQLite the workers take turns on the database's
single write lock instead, which proves nothing about a deployment of several workers,
so these tests run on PostgreSQL only. The workers see the test database's committed
data (``transaction=True``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from kansrijk.drills.models import WorkerDrillRun
from kansrijk.drills.tasks import record_drill_run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="PostgreSQL only: on SQLite the workers take turns on one write lock, which "
        "says nothing about SKIP LOCKED claims",
    ),
]

TASKS = 100
WAIT_SECONDS = 120
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def queue(audit_triggers_lifted):
    """The drill's tasks, queued in the database the workers read."""
    with override_settings(TASKS=DATABASE_BACKEND):
        results = [
            record_drill_run.enqueue(key=f"taak-{number:03d}", seconds=0.05)
            for number in range(TASKS)
        ]
    return [result.id for result in results]


def _worker(tmp_path: Path, name: str) -> subprocess.Popen:
    config = connection.settings_dict
    url = f"postgres://{config['USER']}@{config['HOST']}:{config['PORT']}/{config['NAME']}"
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "true",
        "KANSRIJK_ENV_FILE": "/nonexistent/.env",
        "KANSRIJK_VAR_DIR": str(tmp_path / name),
    }
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = config["PASSWORD"]
    command = [sys.executable, "-m", "kansrijk.manage", "db_worker", "--no-reload"]
    command += ["--no-startup-delay", "--interval", "0.1", "--worker-id", name]
    return subprocess.Popen(
        command,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"waited {seconds} s for {what}")


def _stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def _statuses(ids) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in DBTaskResult.objects.filter(id__in=ids).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


def _done(ids) -> int:
    return _statuses(ids).get("SUCCESSFUL", 0)


def _workers_of(ids) -> dict[str, int]:
    """How many tasks each worker claimed."""
    claimed: dict[str, int] = {}
    for worker_ids in DBTaskResult.objects.filter(id__in=ids).values_list("worker_ids", flat=True):
        for worker_id in worker_ids:
            claimed[worker_id] = claimed.get(worker_id, 0) + 1
    return claimed


def test_two_workers_run_each_of_a_hundred_tasks_exactly_once(queue, tmp_path):
    workers = [_worker(tmp_path, "worker-a"), _worker(tmp_path, "worker-b")]
    try:
        _wait_for(lambda: _done(queue) == TASKS, seconds=WAIT_SECONDS, what="all tasks")
    finally:
        _stop(workers)

    assert _statuses(queue) == {"SUCCESSFUL": TASKS}
    runs = list(WorkerDrillRun.objects.values_list("key", "runs", "worker_pid"))
    assert len(runs) == TASKS
    assert {key for key, _runs, _pid in runs} == {f"taak-{n:03d}" for n in range(TASKS)}
    assert {times for _key, times, _pid in runs} == {1}
    # Each task was claimed once, and both workers took part.
    claimed = _workers_of(queue)
    assert set(claimed) == {"worker-a", "worker-b"}
    assert sum(claimed.values()) == TASKS
    assert len({pid for _key, _runs, pid in runs}) == 2


def test_when_one_worker_is_killed_the_other_finishes_the_rest(queue, tmp_path):
    killed, survivor = _worker(tmp_path, "worker-killed"), _worker(tmp_path, "worker-left")
    workers = [killed, survivor]
    try:
        _wait_for(
            lambda: _workers_of(queue).get("worker-killed", 0) >= 10,
            seconds=WAIT_SECONDS,
            what="the first worker's tenth task",
        )
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        # Every task ends but the one the killed worker may have held: it stays RUNNING.
        _wait_for(
            lambda: _statuses(queue).get("READY", 0) == 0 and _done(queue) >= TASKS - 1,
            seconds=WAIT_SECONDS,
            what="the other worker to finish the rest",
        )
        time.sleep(0.5)  # a task the survivor might still be finishing
    finally:
        _stop(workers)

    statuses = _statuses(queue)
    left_running = statuses.get("RUNNING", 0)
    assert left_running <= 1
    assert statuses == {
        "SUCCESSFUL": TASKS - left_running,
        **({"RUNNING": 1} if left_running else {}),
    }
    done_keys = {
        result["kwargs"]["key"]
        for result in DBTaskResult.objects.filter(id__in=queue, status="SUCCESSFUL").values_list(
            "args_kwargs", flat=True
        )
    }
    recorded = dict(WorkerDrillRun.objects.values_list("key", "runs"))
    # Every finished task ran once; none ran twice, not even the one left running.
    assert done_keys <= set(recorded)
    assert set(recorded.values()) == {1}
    if left_running:
        stuck = DBTaskResult.objects.get(id__in=queue, status="RUNNING")
        # It was the killed worker's, and nobody took it over: it may or may not have
        # written its record before the kill, but never twice.
        assert stuck.worker_ids == ["worker-killed"]
        assert recorded.keys() - done_keys <= {stuck.args_kwargs["kwargs"]["key"]}
    else:
        assert set(recorded) == done_keys
    claimed = _workers_of(queue)
    assert claimed["worker-killed"] >= 10 and claimed["worker-left"] >= 1
    assert sum(claimed.values()) == TASKS
