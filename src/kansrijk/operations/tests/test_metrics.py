"""/metrics: closed unless a token or an address opens it; labels without ids; the task
queue read at scrape time (decision 0043)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import REGISTRY

from kansrijk.imports.writing import write_in_batches
from kansrijk.operations.metrics import TaskQueueCollector, building_document

pytestmark = pytest.mark.django_db
TOKEN = "s3cret-scrape-token-0123456789"


def scrape(**extra):
    return Client(**extra).get("/metrics")


class TestAccess:
    def test_closed_by_default(self):
        assert scrape().status_code == 404
        assert scrape(HTTP_AUTHORIZATION="Bearer ").status_code == 404

    def test_open_with_the_token_only(self, metrics_open_to):
        metrics_open_to(token=TOKEN)
        response = scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        assert scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}x").status_code == 404
        assert scrape(HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 404
        assert scrape().status_code == 404

    def test_open_from_a_configured_network(self, metrics_open_to):
        metrics_open_to(addresses=["10.0.0.0/8", "192.0.2.7"])
        assert scrape(REMOTE_ADDR="10.1.2.3").status_code == 200
        assert scrape(REMOTE_ADDR="192.0.2.7").status_code == 200
        assert scrape(REMOTE_ADDR="192.0.2.8").status_code == 404
        assert scrape(REMOTE_ADDR="2001:db8::1").status_code == 404

    def test_a_forged_forwarded_address_does_not_open_it(self, metrics_open_to):
        metrics_open_to(addresses=["10.0.0.0/8"])
        forged = scrape(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.0.0.1")
        assert forged.status_code == 404


def requests_counted(route, method, status):
    labels = {"route": route, "method": method, "status": str(status)}
    return REGISTRY.get_sample_value("kansrijk_http_requests_total", labels) or 0


class TestRequests:
    def test_counted_by_route_name_never_by_path(self, metrics_open_to):
        metrics_open_to(token=TOKEN)
        before = requests_counted("cases:detail", "GET", 302)
        assert Client().get("/thuiszitters/casussen/918273/?bsn=123456782").status_code == 302
        assert requests_counted("cases:detail", "GET", 302) == before + 1
        text = scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
        assert 'route="cases:detail"' in text
        assert "918273" not in text and "123456782" not in text
        assert "kansrijk_http_request_duration_seconds_bucket" in text

    def test_unknown_paths_and_odd_methods_share_one_label(self):
        before = requests_counted("unmatched", "other", 404)
        Client().generic("BREW", "/bestaat/niet/918273")
        assert requests_counted("unmatched", "other", 404) == before + 1


class TestTaskQueue:
    def enqueue(self, status, age_seconds=0):
        task = DBTaskResult.objects.create(
            status=status,
            args_kwargs={"args": [], "kwargs": {}},
            task_path="kansrijk.imports.tasks.run_import_job",
            backend_name="default",
            queue_name="default",
            run_after=timezone.now(),
        )
        DBTaskResult.objects.filter(pk=task.pk).update(
            enqueued_at=timezone.now() - timedelta(seconds=age_seconds)
        )

    def samples(self):
        families = {family.name: family for family in TaskQueueCollector().collect()}
        depth = {s.labels["status"]: s.value for s in families["kansrijk_task_queue_tasks"].samples}
        oldest = families["kansrijk_task_queue_oldest_waiting_seconds"].samples[0].value
        return depth, oldest

    def test_depth_per_status_and_the_oldest_waiting_task(self, django_assert_num_queries):
        self.enqueue(TaskResultStatus.READY, age_seconds=600)
        self.enqueue(TaskResultStatus.READY, age_seconds=5)
        self.enqueue(TaskResultStatus.RUNNING, age_seconds=7200)
        self.enqueue(TaskResultStatus.SUCCESSFUL, age_seconds=9000)
        with django_assert_num_queries(1):
            depth, oldest = self.samples()
        assert depth == {"READY": 2, "RUNNING": 1, "SUCCESSFUL": 1}
        assert 600 <= oldest < 660

    def test_an_empty_queue(self):
        assert self.samples() == ({}, 0.0)

    def test_in_the_scrape(self, metrics_open_to):
        self.enqueue(TaskResultStatus.READY, age_seconds=60)
        metrics_open_to(token=TOKEN)
        text = scrape(HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
        assert 'kansrijk_task_queue_tasks{status="READY"} 1.0' in text
        assert "kansrijk_task_queue_oldest_waiting_seconds" in text


def test_rows_written_by_an_import_are_counted():
    def written(importer):
        labels = {"importer": importer}
        return REGISTRY.get_sample_value("kansrijk_import_rows_written_total", labels) or 0

    before = written("measurements")
    write_in_batches(range(5), lambda item: None, importer="measurements")
    assert written("measurements") == before + 5


def test_building_a_document_is_timed():
    def builds():
        labels = {"document": "agenda", "format": "pdf"}
        return REGISTRY.get_sample_value("kansrijk_document_build_seconds_count", labels) or 0

    before = builds()
    with building_document("agenda", "pdf"):
        pass
    assert builds() == before + 1


def test_with_a_multiprocess_directory_the_scrape_adds_up_the_files(monkeypatch, tmp_path):
    from kansrijk.operations import metrics

    assert metrics.registry() is REGISTRY
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    combined = metrics.registry()
    assert combined is not REGISTRY
    names = {family.name for family in combined.collect()}
    assert "kansrijk_task_queue_tasks" in names
