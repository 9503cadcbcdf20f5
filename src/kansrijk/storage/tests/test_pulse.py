"""The pulse across machines (decision 0050): on PostgreSQL it is written through a
connection of its own, so that it commits while the work's own transaction is open and
a sweep on another machine sees it."""

from __future__ import annotations

import datetime
import time

import pytest
from django.db import connection, connections, transaction

from kansrijk import pulse
from kansrijk.storage.models import Pulse as Beat

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite is one machine: the pulse is in the cache"
)


def beats_seen_elsewhere(key: str) -> list[float]:
    """What a sweep on another machine reads: a connection of its own."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            table = other.ops.quote_name(Beat._meta.db_table)
            cursor.execute(f"SELECT beat_at FROM {table} WHERE key = %s", [key])  # noqa: S608
            return [row[0] for row in cursor.fetchall()]
    finally:
        other.close()


@postgresql_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("audit_triggers_lifted")
def test_a_pulse_beating_inside_an_open_transaction_is_seen_by_another_connection():
    assert pulse.in_database()
    key = "proef-pulse"
    with transaction.atomic():
        # The work's own long transaction, with a write in it, as the importer has.
        Beat.objects.create(key="in-the-transaction", beat_at=1.0)
        with pulse.Pulse(key, interval=0.01):
            first = beats_seen_elsewhere(key)
            time.sleep(0.1)
            later = beats_seen_elsewhere(key)
            assert len(first) == len(later) == 1 and later[0] > first[0]
            assert pulse.pulsing(key, datetime.datetime.now(datetime.UTC), 5)
        assert beats_seen_elsewhere("in-the-transaction") == []  # still uncommitted
    assert beats_seen_elsewhere(key) == []  # the last beat is deleted when the work ends
    assert not pulse.pulsing(key, datetime.datetime.now(datetime.UTC), 5)


@postgresql_only
@pytest.mark.django_db
def test_the_sweep_forgets_the_beats_a_killed_worker_left():
    now = datetime.datetime.now(datetime.UTC)
    pulse.write_beat("dood", now.timestamp() - pulse.KEPT_SECONDS - 1)
    pulse.write_beat("levend", now.timestamp() - 5)
    assert pulse.forget_old(now) == 1
    assert list(Beat.objects.values_list("key", flat=True)) == ["levend"]


@pytest.mark.django_db
def test_the_pulse_says_whether_it_beat_within_the_limit():
    now = datetime.datetime.now(datetime.UTC)
    pulse.write_beat("proef", now.timestamp() - 10)
    try:
        assert pulse.pulsing("proef", now, 11) and not pulse.pulsing("proef", now, 9)
    finally:
        pulse.delete_beat("proef")
    assert pulse.last_beat("proef") is None and not pulse.pulsing("proef", now, 11)
