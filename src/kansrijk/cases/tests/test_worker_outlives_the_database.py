"""``kansrijk db_worker`` lives through a restart of PostgreSQL (decision 0048): django-tasks'
worker ends on the first OperationalError; Kansrijk's waits and polls again."""

import pytest
from django.db import OperationalError

from kansrijk.cases.management.commands import db_worker


def test_the_worker_waits_for_the_database_and_goes_on(monkeypatch):
    polls, pauses = [], []

    def handle(self, *args, **options):
        polls.append(options)
        if len(polls) <= 4:
            raise OperationalError("the database system is starting up")

    monkeypatch.setattr(db_worker.DatabaseWorkerCommand, "handle", handle)
    monkeypatch.setattr(db_worker, "sweep_imports", lambda: None)
    monkeypatch.setattr(db_worker.time, "sleep", pauses.append)

    db_worker.Command().handle(interval=1)

    assert len(polls) == 5
    assert pauses == [1, 2, 4, 5]


def test_any_other_error_still_ends_the_worker(monkeypatch):
    def handle(self, *args, **options):
        raise RuntimeError("a bug")

    monkeypatch.setattr(db_worker.DatabaseWorkerCommand, "handle", handle)
    monkeypatch.setattr(db_worker, "sweep_imports", lambda: None)
    with pytest.raises(RuntimeError):
        db_worker.Command().handle()
