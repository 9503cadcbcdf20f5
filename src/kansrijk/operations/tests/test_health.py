"""The load balancer's probes: /gezond/live and /gezond/klaar (decision 0043)."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from kansrijk.operations import checks, heartbeat
from kansrijk.operations.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def ready():
    response = Client().get("/gezond/klaar")
    return response.status_code, response.json()


@pytest.fixture
def fresh_worker():
    heartbeat.beat("worker-1:100")


def test_live_answers_without_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/gezond/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_ready_when_everything_is_fine(fresh_worker):
    status, answer = ready()
    assert status == 200
    assert answer["status"] == "ok"
    assert {name: check["status"] for name, check in answer["checks"].items()} == {
        "database": "ok",
        "migrations": "ok",
        "encryption_key": "ok",
        "worker": "ok",
    }


def test_a_stale_worker_degrades_but_the_site_is_ready(settings):
    settings.WORKER_HEARTBEAT = settings.WORKER_HEARTBEAT | {"STALE_SECONDS": 120}
    heartbeat.beat("worker-1:100", now=timezone.now() - timedelta(seconds=300))
    status, answer = ready()
    assert status == 200
    assert answer["status"] == "degraded"
    assert answer["checks"]["worker"]["status"] == "stale"
    assert answer["checks"]["worker"]["age_seconds"] >= 300


def test_no_worker_at_all_degrades():
    status, answer = ready()
    assert (status, answer["status"], answer["checks"]["worker"]) == (
        200,
        "degraded",
        {"status": "absent"},
    )


def test_an_unreachable_database_is_not_ready_and_says_nothing_of_why(monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError('could not connect to "db.internal" as kansrijk password=geheim')

    monkeypatch.setattr(checks.connections[checks.DEFAULT_DB_ALIAS], "cursor", refuse)
    response = Client().get("/gezond/klaar")
    assert response.status_code == 503
    answer = response.json()
    assert answer["status"] == "fail"
    assert answer["checks"]["database"] == {"status": "fail"}
    text = response.content.decode()
    assert "geheim" not in text and "db.internal" not in text and "Traceback" not in text


def test_missing_migrations_are_not_ready(monkeypatch, fresh_worker):
    monkeypatch.setattr(
        MigrationExecutor, "migration_plan", lambda self, targets: [("migration", False)]
    )
    status, answer = ready()
    assert status == 503
    assert answer["checks"]["migrations"] == {"status": "fail", "unapplied": 1}
    assert checks._migrations_applied is False


def test_applied_migrations_are_remembered(monkeypatch, fresh_worker):
    assert ready()[0] == 200
    assert checks._migrations_applied is True

    def must_not_run(self, targets):
        raise AssertionError("the plan was computed again")

    monkeypatch.setattr(MigrationExecutor, "migration_plan", must_not_run)
    assert ready()[0] == 200


def test_without_a_usable_encryption_key_it_is_not_ready(settings, fresh_worker):
    settings.FIELD_ENCRYPTION_KEYS = []
    status, answer = ready()
    assert status == 503
    assert answer["checks"]["encryption_key"] == {"status": "fail"}


def test_the_probes_pass_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/").status_code == 301
    assert Client().get("/gezond/live").status_code == 200


def test_a_half_logged_in_user_is_not_sent_to_the_second_factor(
    make_member, municipality_organisation
):
    from kansrijk.organisations.models import Role

    user = make_member(municipality_organisation, Role.ATTENDANCE_OFFICER)
    client = Client()
    client.force_login(user)
    assert client.get("/").status_code == 302  # everything else asks for the second factor
    assert client.get("/gezond/live").status_code == 200
    assert client.get("/gezond/klaar").status_code in (200, 503)


class TestHeartbeat:
    def test_a_beat_is_kept_per_worker_and_old_ones_are_forgotten(self):
        now = timezone.now()
        heartbeat.beat("gone:1", now=now - timedelta(days=2))
        heartbeat.beat("worker:2", now=now - timedelta(seconds=30))
        heartbeat.beat("worker:2", now=now)
        assert list(WorkerHeartbeat.objects.values_list("worker", "last_seen")) == [
            ("worker:2", now)
        ]
        assert heartbeat.last_seen() == now

    def test_a_worker_that_stops_removes_its_beat(self):
        heartbeat.beat("worker:3")
        heartbeat.stop("worker:3")
        assert heartbeat.last_seen() is None

    def test_the_beater_beats_at_once_and_stops(self, monkeypatch):
        beats = []
        monkeypatch.setattr(heartbeat, "beat", lambda worker: beats.append(worker))
        beater = heartbeat.Beater(worker="host:42", interval=60)
        beater.start()
        beater.stopped.set()
        beater.join(timeout=5)
        assert not beater.is_alive()
        assert beats == ["host:42"]

    def test_the_worker_name_is_host_and_process(self):
        import os

        assert heartbeat.worker_name().endswith(f":{os.getpid()}")
