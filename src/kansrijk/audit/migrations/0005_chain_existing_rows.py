"""Existing audit rows join the hash chain (decision 0025): in the order they were
written (time, then id), in batches, with the append-only triggers lifted for the
update and put back afterwards. On SQLite migration 0004 rebuilt the table, which drops
its triggers; they are created again here."""

import importlib

from django.db import migrations

from kansrijk.audit import chain

TABLE = "audit_auditevent"
BATCH = 2000
FIELDS = [name for name in chain.HASHED_FIELDS if name not in ("sequence", "prev_hash")]
POSTGRES_LIFT = f"ALTER TABLE {TABLE} DISABLE TRIGGER {TABLE}_append_only"
POSTGRES_RESTORE = f"ALTER TABLE {TABLE} ENABLE TRIGGER {TABLE}_append_only"


def _triggers():
    return importlib.import_module("kansrijk.audit.migrations.0003_append_only_triggers")


def _lift(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # Foreign-key checks still pending in the transaction would block ALTER TABLE.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(POSTGRES_LIFT)
    elif vendor == "sqlite":
        for statement in _triggers().SQLITE_BACKWARD:
            schema_editor.execute(statement)


def _restore(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_RESTORE)
    elif vendor == "sqlite":
        for statement in _triggers().SQLITE_FORWARD:
            schema_editor.execute(statement)


def _batches(AuditEvent):
    """The unchained rows by (time, id), a batch at a time: never the whole table."""
    rows = AuditEvent.objects.filter(sequence__isnull=True).order_by("created_at", "id")
    last = None
    while True:
        page = rows
        if last is not None:
            moment, pk = last
            page = rows.filter(created_at__gt=moment) | rows.filter(created_at=moment, id__gt=pk)
        batch = list(page.values("id", *FIELDS)[:BATCH])
        if not batch:
            return
        last = (batch[-1]["created_at"], batch[-1]["id"])
        yield batch


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    sequence, previous = 0, chain.GENESIS
    quote = schema_editor.connection.ops.quote_name
    update = f"UPDATE {quote(TABLE)} SET sequence = %s, prev_hash = %s, hash = %s WHERE id = %s"  # noqa: S608 - a constant
    _lift(schema_editor)
    with schema_editor.connection.cursor() as cursor:
        for batch in _batches(AuditEvent):
            params = []
            for row in batch:
                sequence += 1
                current = chain.digest({**row, "sequence": sequence, "prev_hash": previous})
                params.append((sequence, previous, current, row["id"]))
                previous = current
            cursor.executemany(update, params)
    _restore(schema_editor)
    AuditChainHead.objects.update_or_create(
        pk=chain.HEAD_ID, defaults={"sequence": sequence, "hash": previous}
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_hash_chain")]

    operations = [migrations.RunPython(chain_existing_rows, migrations.RunPython.noop)]
