"""The audit trail's hash chain (decision 0025): every row linked to the one before,
``audit_verify`` naming where an insert, an update or a delete done directly in the
database breaks it, and anchors that show a rewrite of the whole chain. The tampering
is real SQL with the append-only triggers switched off, as a table owner could."""

from __future__ import annotations

import hashlib
import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from kansrijk.audit import chain, verification
from kansrijk.audit import services as audit
from kansrijk.audit.models import AuditChainHead, AuditEvent


def record(n: int = 1, **fields) -> list[AuditEvent]:
    with transaction.atomic():
        return [
            audit.record("test.event", actor=None, reason=f"regel {i}", **fields) for i in range(n)
        ]


@contextmanager
def triggers_off():
    """What a table owner can do: PostgreSQL's ALTER TABLE … DISABLE TRIGGER; on SQLite,
    which cannot switch a trigger off, drop it and create it again."""
    from kansrijk.testing.database import create_audit_triggers, drop_audit_triggers

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Foreign-key checks still pending in the transaction would block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            drop_audit_triggers()
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            else:
                create_audit_triggers()


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def insert_raw(*, created_at: datetime, sequence=None, prev_hash="", hash_="") -> int:
    """A forged row, inserted with SQL as the application never would."""
    moment = connection.ops.adapt_datetimefield_value(created_at)
    sql(
        "INSERT INTO audit_auditevent (created_at, actor_display, action, target_type, target_id, "
        "target_display, reason, sequence, prev_hash, hash) "
        "VALUES (%s, 'systeem', 'cases.case.read', '', '', '', 'vervalst', %s, %s, %s)",
        [moment, sequence, prev_hash, hash_],
    )
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()


def problems() -> list[str]:
    return [str(problem) for problem in verification.verify().problems]


def test_a_link_outside_a_transaction_is_refused():
    # No database mark: outside a test transaction the check fires before any query.
    with pytest.raises(RuntimeError):
        chain.link([AuditEvent(action="test.event")])


@pytest.mark.django_db
class TestChain:
    def test_rows_are_numbered_and_linked(self):
        events = record(3)
        rows = list(AuditEvent.objects.order_by("sequence"))
        assert [row.sequence for row in rows] == [1, 2, 3]
        assert rows[0].prev_hash == chain.GENESIS
        assert [row.prev_hash for row in rows[1:]] == [row.hash for row in rows[:2]]
        head = AuditChainHead.objects.get()
        assert (head.sequence, head.hash) == (3, events[-1].hash)
        assert verification.verify().ok

    def test_bulk_written_reads_join_the_chain(self):
        record(1)
        with transaction.atomic():
            AuditEvent.objects.bulk_create(
                [AuditEvent(action="cases.case.read", reason=f"{i}") for i in range(4)]
            )
        assert sorted(AuditEvent.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4, 5]
        assert verification.verify().ok

    def test_a_rolled_back_writer_leaves_no_gap(self):
        record(1)
        with transaction.atomic():
            record(2)
            transaction.set_rollback(True)
        record(1)
        assert sorted(AuditEvent.objects.values_list("sequence", flat=True)) == [1, 2]
        assert verification.verify().ok

    def test_json_values_hash_as_the_database_gives_them_back(self):
        numbers = {"big": 1e16, "huge": 1e300, "tiny": 1.5e-300, "one": 1.0, "half": 0.5}
        record(1, before=numbers, after="een tekst als JSON-waarde")
        record(1, before=[1, [2.0, {"x": None}]], after=True)
        assert verification.verify().ok

    def test_the_hash_is_sha256_of_the_documented_serialisation(self):
        (event,) = record(1, before={"n": 1.0, "b": [2.0, "x"]}, after={"ë": None})
        event.refresh_from_db()
        document = {
            "actor_id": None,
            "actor_display": "systeem",
            "organisation_id": None,
            "action": "test.event",
            "target_type": "",
            "target_id": "",
            "target_display": "",
            "before": {"b": [2, "x"], "n": 1},
            "after": {"ë": None},
            "reason": "regel 0",
        }
        text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        content = hashlib.sha256(text.encode()).hexdigest()
        moment = event.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        link = f"1:{chain.GENESIS}:{moment}:{content}"
        assert event.hash == hashlib.sha256(link.encode()).hexdigest()


@pytest.mark.django_db
class TestTampering:
    def test_a_forged_back_dated_insert_is_named(self):
        record(3)
        forged = insert_raw(created_at=datetime(2024, 1, 1, tzinfo=UTC))
        found = problems()
        assert len(found) == 1
        assert f"id {forged}:" in found[0] and "buiten de applicatie ingevoegd" in found[0]

    def test_a_forged_insert_with_a_valid_looking_link_is_named(self):
        events = record(3)
        values = dict.fromkeys(chain.HASHED_FIELDS) | {
            "sequence": 4,
            "prev_hash": events[-1].hash,
            "created_at": timezone.now() - timedelta(days=30),
            "actor_display": "systeem",
            "action": "cases.case.read",
            "target_type": "",
            "target_id": "",
            "target_display": "",
            "reason": "vervalst",
        }
        insert_raw(
            created_at=values["created_at"],
            sequence=4,
            prev_hash=events[-1].hash,
            hash_=chain.digest(values),
        )
        found = " | ".join(problems())
        assert "volgnummer 4" in found
        assert "terug gedateerd" in found
        assert "na de kop" in found

    def test_an_update_with_the_triggers_off_is_named(self):
        events = record(4)
        with triggers_off():
            sql(
                "UPDATE audit_auditevent SET reason = 'niets gebeurd' WHERE id = %s", [events[1].pk]
            )
        found = problems()
        assert found == [
            f"volgnummer 2, id {events[1].pk}: de inhoud past niet bij de hash: "
            "de regel is gewijzigd"
        ]

    def test_a_delete_with_the_triggers_off_is_named(self):
        events = record(4)
        with triggers_off():
            sql("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
        found = problems()
        assert found == [
            f"volgnummer 3, id {events[2].pk}: volgnummer(s) 2 ontbreken: regels verwijderd"
        ]

    def test_a_trail_broken_everywhere_is_counted_not_kept(self, monkeypatch):
        monkeypatch.setattr(verification, "KEPT_PROBLEMS", 2)
        record(3)
        with triggers_off():
            sql("UPDATE audit_auditevent SET reason = 'overal anders'")
        report = verification.verify()
        assert (report.problem_count, len(report.problems)) == (3, 2)

    def test_removing_the_last_rows_shows_at_the_head(self):
        events = record(3)
        with triggers_off():
            sql("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
        assert problems() == [
            "volgnummer 2: de kop van de keten staat op volgnummer 3, maar de keten eindigt "
            "hier: regels aan het eind verwijderd"
        ]

    def test_switched_off_triggers_are_named(self):
        record(1)
        if connection.vendor == "postgresql":
            sql("SET CONSTRAINTS ALL IMMEDIATE")
            sql("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        else:
            sql("DROP TRIGGER audit_auditevent_no_update")
        assert any(
            "trigger" in problem and "ontbreekt of staat uit" in problem for problem in problems()
        )

    def test_a_rewrite_of_the_whole_chain_shows_against_the_anchors(self, tmp_path):
        events = record(3)
        anchors = tmp_path / "anchors.jsonl"
        verification.anchor(anchors)
        previous = chain.GENESIS
        with triggers_off():
            sql("UPDATE audit_auditevent SET reason = 'herschreven' WHERE id = %s", [events[0].pk])
            for event in AuditEvent.objects.order_by("sequence"):
                values = {name: getattr(event, name) for name in chain.HASHED_FIELDS}
                rewritten = chain.digest(values | {"prev_hash": previous})
                sql(
                    "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                    [previous, rewritten, event.pk],
                )
                previous = rewritten
        AuditChainHead.objects.filter(pk=chain.HEAD_ID).update(hash=previous)
        assert problems() == []  # consistent in itself …
        (anchor,) = verification.read_anchors(anchors.open())
        report = verification.verify(anchors=[anchor])  # … but not with what was anchored
        assert [str(problem) for problem in report.problems] == [
            f"volgnummer 3, id {events[2].pk}: hash wijkt af van het anker van {anchor.at}: "
            "de keten is vanaf hier of eerder herschreven"
        ]

    def test_anchors_name_rows_removed_at_the_end(self, tmp_path):
        events = record(3)
        anchors = tmp_path / "anchors.jsonl"
        verification.anchor(anchors)
        with triggers_off():
            sql("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
        AuditChainHead.objects.filter(pk=chain.HEAD_ID).update(sequence=2, hash=events[1].hash)
        report = verification.verify(anchors=verification.read_anchors(anchors.open()))
        assert len(report.problems) == 1
        assert str(report.problems[0]).startswith("volgnummer 3: het anker van")


@pytest.mark.django_db
class TestCommands:
    def test_verify_passes_and_fails_with_a_non_zero_exit(self, capsys):
        events = record(2)
        call_command("audit_verify")
        assert "ongeschonden" in capsys.readouterr().out
        with triggers_off():
            sql("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
        with pytest.raises(CommandError) as failure:
            call_command("audit_verify")
        assert failure.value.returncode == 1
        assert f"volgnummer 2, id {events[1].pk}" in str(failure.value)

    def test_anchor_writes_the_log_and_the_file(self, tmp_path, caplog, capsys):
        record(2)
        anchors = tmp_path / "anker.log"
        with caplog.at_level("INFO", logger="kansrijk.audit"):
            call_command("audit_anchor", "--file", str(anchors))
        head = AuditChainHead.objects.get()
        written = verification.read_anchors(anchors.read_text().splitlines())
        logged = verification.read_anchors(caplog.messages)
        printed = verification.read_anchors(capsys.readouterr().out.splitlines())
        for found in (written, logged, printed):
            assert [(a.sequence, a.hash) for a in found] == [(2, head.hash)]
        call_command("audit_verify", "--anchors", str(anchors))

    def test_an_anchor_in_a_json_log_line_is_read(self, tmp_path, caplog):
        from kansrijk.operations.logs import JsonFormatter

        record(2)
        with caplog.at_level("INFO", logger="kansrijk.audit"):
            call_command("audit_anchor", "--file", str(tmp_path / "anker.log"), stdout=StringIO())
        json_lines = [JsonFormatter().format(logged) for logged in caplog.records]
        head = AuditChainHead.objects.get()
        found = verification.read_anchors(json_lines)
        assert [(anchor.sequence, anchor.hash) for anchor in found] == [(2, head.hash)]


@pytest.fixture
def triggers_back_after_flush(django_db_setup, django_db_blocker):
    """Set up before ``transactional_db``, so torn down after its flush: the test lifts
    the triggers at its end (emptying the table is what they refuse), this puts them back."""
    yield
    from kansrijk.testing.database import create_audit_triggers

    with django_db_blocker.unblock():
        create_audit_triggers()


def test_concurrent_writers_never_fork_the_chain(triggers_back_after_flush, transactional_db):
    """Eight threads, each with its own connection, write at once: one chain, no gaps."""
    from kansrijk.testing.database import drop_audit_triggers

    if connection.vendor != "postgresql":
        drop_audit_triggers()
        pytest.skip("SQLite has one writer at a time by its design")
    barrier = threading.Barrier(8)
    errors = []

    def write():
        try:
            barrier.wait()
            for _ in range(5):
                record(2)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors
        assert sorted(AuditEvent.objects.values_list("sequence", flat=True)) == list(range(1, 81))
        assert verification.verify().ok
    finally:
        drop_audit_triggers()


def test_the_migration_chains_existing_rows(triggers_back_after_flush, transactional_db):
    """Rows written before the chain existed get their places in order of time, and the
    triggers are in place afterwards (on SQLite the table is rebuilt on the way)."""
    from django.db.migrations.executor import MigrationExecutor

    from kansrijk.testing.database import drop_audit_triggers

    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0003_append_only_triggers")])
    now = timezone.now()
    with connection.cursor() as cursor:
        for minutes, after in ((5, '{"n": 1.0, "s": "ë"}'), (9, None), (1, "[1, 2.5]")):
            cursor.execute(
                "INSERT INTO audit_auditevent (created_at, actor_display, action, target_type, "
                "target_id, target_display, reason, after) "
                "VALUES (%s, 'systeem', 'test.old', '', '', '', '', %s)",
                [connection.ops.adapt_datetimefield_value(now - timedelta(minutes=minutes)), after],
            )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("audit"))
    try:
        rows = list(AuditEvent.objects.order_by("sequence").values_list("sequence", "after"))
        assert rows == [(1, None), (2, {"n": 1.0, "s": "ë"}), (3, [1, 2.5])]
        assert verification.verify().ok
        record(1)
        assert verification.verify().ok
    finally:
        drop_audit_triggers()
