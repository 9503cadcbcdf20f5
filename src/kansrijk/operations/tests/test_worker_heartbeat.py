"""``kansrijk db_worker`` beats while it runs and removes its beat when it stops, as
``/gezond/klaar`` sees it (decision 0043). A real worker process, on a database that
other processes see (the fixtures of the case import's robustness tests)."""

import signal

import pytest
from django.test import Client

from kansrijk.cases.tests.test_import_robustness import (  # noqa: F401 - fixtures
    _migrated_sqlite_file,
    _wait_for,
    _worker,
    shared_db,
)
from kansrijk.operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_beats_while_it_runs(shared_db, tmp_path):  # noqa: F811
    assert Client().get("/gezond/klaar").json()["checks"]["worker"] == {"status": "absent"}
    worker = _worker(shared_db, tmp_path)
    try:
        beat = _wait_for(
            lambda: WorkerHeartbeat.objects.first(), seconds=60, what="the worker's first beat"
        )
        # host:pid, and after the slash the id it claims tasks under (stale_tasks)
        assert f":{worker.pid}/" in beat.worker
        answer = Client().get("/gezond/klaar").json()
        assert (answer["status"], answer["checks"]["worker"]["status"]) == ("ok", "ok")
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert not WorkerHeartbeat.objects.exists()
