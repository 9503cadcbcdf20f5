"""A task whose worker was killed does not show "running" for ever (decision 0043)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kansrijk.operations import heartbeat, stale_tasks

pytestmark = pytest.mark.django_db


def running_task(
    worker_id: str, *, started_minutes_ago: int, path="kansrijk.x.task"
) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path=path,
        worker_ids=[worker_id],
        backend_name="default",
        run_after=now,
        started_at=now - timedelta(minutes=started_minutes_ago),
    )


def status_of(task: DBTaskResult) -> str:
    task.refresh_from_db()
    return task.status


def test_the_task_of_a_worker_that_stopped_beating_is_failed():
    heartbeat.beat(heartbeat.worker_name("alive-worker"))
    heartbeat.beat(heartbeat.worker_name("dead-worker"), now=timezone.now() - timedelta(hours=1))
    orphan = running_task("dead-worker", started_minutes_ago=60)
    busy = running_task("alive-worker", started_minutes_ago=60)
    just_started = running_task("dead-worker", started_minutes_ago=0)

    assert stale_tasks.fail_tasks_of_stopped_workers() == 1

    assert status_of(orphan) == TaskResultStatus.FAILED
    orphan.refresh_from_db()
    assert "zonder hartslag" in orphan.traceback
    assert status_of(busy) == TaskResultStatus.RUNNING
    # Started within the stale period: its worker may simply not have beaten yet.
    assert status_of(just_started) == TaskResultStatus.RUNNING


def test_the_uploads_tasks_are_left_to_their_own_sweeps():
    for path in stale_tasks.OWN_SWEEP:
        task = running_task("gone", started_minutes_ago=60, path=path)
        assert stale_tasks.fail_tasks_of_stopped_workers() == 0
        assert status_of(task) == TaskResultStatus.RUNNING


def test_the_heartbeat_names_the_task_worker_id():
    name = heartbeat.worker_name("abc123")
    assert name.endswith("/abc123")
    assert stale_tasks.worker_ids_alive(timezone.now() - timedelta(minutes=1)) == set()
    heartbeat.beat(name)
    assert stale_tasks.worker_ids_alive(timezone.now() - timedelta(minutes=1)) == {"abc123"}
