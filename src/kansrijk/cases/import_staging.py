"""The case import's staging place: where a file's rows wait until the whole file is
checked, and the short switch that moves them into the register (decision 0028).

Each table the import writes has a temporary table beside it (``CREATE TEMP TABLE``):
private to the import's database connection, gone when that connection ends, so a
worker that dies leaves nothing behind. Filling it takes no write lock on the register:
on SQLite a temporary table lives outside the database file, so other users keep
writing while a file of any size is checked and staged. Only ``switch`` writes to the
register, a batch of the file at a time (every staged row carries the batch it was
checked in), each in a transaction of a few statements (``INSERT ... SELECT``, ``UPDATE
... FROM``) that the database runs without a round trip per row: the write lock only
for one batch at a time (decision 0034). The one step per row in Python is the
audit rows' link into the trail's hash chain (``AuditTable``), a short hash each, since
only the switch knows the chain's head.

New rows get their primary keys when they are staged (cases refer to new young people,
audit rows to new cases): from the table's sequence on PostgreSQL (``nextval`` is not
transactional), on SQLite by moving AUTOINCREMENT's counter (``sqlite_sequence``) past
them in a short transaction of its own, so that no other writer can take them.

On PostgreSQL a second thread sends each batch (COPY) into the staging tables over the
import's own connection while this thread checks the next batch; at most eight
statements wait, so memory stays flat. On SQLite, whose work happens in this process
anyway, the statements run at once.
"""

from __future__ import annotations

import queue
import threading
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from kansrijk.audit import chain
from kansrijk.audit.models import AuditEvent

STAGE_PREFIX = "import_stage_"
# Each staged row carries the batch it was checked in: the switch moves a batch at a time.
BATCH_COLUMN = "stage_batch"
SQLITE_SWITCH_CACHE_KIB = 128 * 1024
# Audit rows linked to the chain per round in the switch: memory stays flat.
LINK_BATCH = 20000


class Table:
    """One table of the register and its staging table: the columns the import sets
    and, after them, every other column with its field's default, computed once (a
    field added to the model later still gets a value). Rows are tuples of values
    already in the form the database reads: the ORM spends most of an import compiling
    SQL and adapting values one by one (bench/RESULTS-cases-import.md)."""

    def __init__(self, model, columns: tuple[str, ...], *, with_id: bool, stage: str):
        quote = connection.ops.quote_name
        self.model = model
        self.table = model._meta.db_table
        self.stage = quote(STAGE_PREFIX + stage)
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        rest = [
            f for f in model._meta.concrete_fields if f.attname not in columns and not f.primary_key
        ]
        self.tail = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        names = [by_attname[name].column for name in columns] + [f.column for f in rest]
        if with_id:
            names.insert(0, model._meta.pk.column)
        self._set_listed(", ".join(quote(name) for name in names), len(names))
        self.pk_column = model._meta.pk.column
        self.sequence = None

    def _set_listed(self, listed: str, count: int, *, leading: str = "") -> None:
        """The register's columns (``listed``) and the staging table's: ``leading``
        columns of its own, the same columns, and the batch each row was staged in."""
        self.listed = listed
        staged = f"{leading}{listed}, {BATCH_COLUMN}"
        self.copy_sql = f"COPY {self.stage} ({staged}) FROM STDIN"
        self.insert_sql = (
            f"INSERT INTO {self.stage} ({staged}) "  # noqa: S608 - names from the model
            f"VALUES ({', '.join(['%s'] * (count + leading.count(',') + 1))})"
        )

    def create_sql(self) -> list[str]:
        # Same columns and types as the register's table, no constraints, no rows; the
        # batch column is indexed, since the switch moves one batch at a time.
        return [
            f"CREATE TEMPORARY TABLE {self.stage} AS "  # noqa: S608 - names from the model
            f"SELECT {self.listed}, 0 AS {BATCH_COLUMN} "
            f"FROM {connection.ops.quote_name(self.table)} WHERE 1 = 0",
            self._batch_index_sql(),
        ]

    def _batch_index_sql(self) -> str:
        name = connection.ops.quote_name(self.stage.strip('"') + "_batch")
        return f"CREATE INDEX {name} ON {self.stage} ({BATCH_COLUMN})"

    def stages(self) -> list[str]:
        return [self.stage]

    def staged(self, rows: list[tuple], batch: int) -> list[tuple]:
        """The rows as the staging table takes them, marked with their batch."""
        tail = (*self.tail, batch)
        return [row + tail for row in rows]

    def switch(self, cursor, batch: int) -> None:
        cursor.execute(self.switch_sql(), [batch])

    def switch_sql(self) -> str:
        quote = connection.ops.quote_name
        return (
            f"INSERT INTO {quote(self.table)} ({self.listed}) "  # noqa: S608 - names from the model
            f"SELECT {self.listed} FROM {self.stage} WHERE {BATCH_COLUMN} = %s"
        )


class UpdateTable(Table):
    """Changed rows of an existing table: the id and the columns to set, nothing else."""

    def __init__(self, model, columns: tuple[str, ...], *, stage: str):
        super().__init__(model, columns, with_id=True, stage=stage)
        self.columns = [model._meta.get_field(name).column for name in columns]
        # Only the columns that change: no defaults to fill in.
        self.tail = ()
        quote = connection.ops.quote_name
        names = [self.pk_column, *self.columns]
        self._set_listed(", ".join(quote(name) for name in names), len(names))

    def switch_sql(self) -> str:
        quote = connection.ops.quote_name
        target = quote(self.table)
        assignments = ", ".join(f"{quote(c)} = staged.{quote(c)}" for c in self.columns)
        pk = quote(self.pk_column)
        return (
            f"UPDATE {target} SET {assignments} FROM {self.stage} AS staged "  # noqa: S608 - names from the model
            f"WHERE {target}.{pk} = staged.{pk} AND staged.{BATCH_COLUMN} = %s"
        )


class AuditTable(Table):
    """The import's audit rows, which must join the trail's hash chain (decision 0025)
    where the chain's head is known: in the switch. Each is staged with its position
    (1, 2, 3, … in the order written) and its content digest (``chain.content_digest``),
    computed while the file is checked; the switch only adds the links, one short hash
    per row, and gives every row the switch's time, the moment it joins the chain."""

    def __init__(self, columns: tuple[str, ...], *, stage: str):
        super().__init__(AuditEvent, columns, with_id=False, stage=stage)
        quote = connection.ops.quote_name
        self.columns = columns
        self.tail = ()
        self._set_listed(
            ", ".join(quote(AuditEvent._meta.get_field(name).column) for name in columns),
            len(columns),
            leading="position, content_digest, ",
        )
        self.links = quote(STAGE_PREFIX + stage + "_links")
        self.count = 0

    def create_sql(self) -> list[str]:
        quote = connection.ops.quote_name
        return [
            # The position takes the id's type, the digest the hash's.
            f"CREATE TEMPORARY TABLE {self.stage} AS "  # noqa: S608 - names from the model
            f"SELECT id AS position, hash AS content_digest, {self.listed}, 0 AS {BATCH_COLUMN} "
            f"FROM {quote(self.table)} WHERE 1 = 0",
            f"CREATE INDEX {quote(STAGE_PREFIX + 'audit_position')} ON {self.stage} (position)",
            self._batch_index_sql(),
            f"CREATE TEMPORARY TABLE {self.links} "
            "(position bigint PRIMARY KEY, prev_hash varchar(64), hash varchar(64))",
        ]

    def stages(self) -> list[str]:
        return [self.stage, self.links]

    def staged(self, rows: list[tuple], batch: int) -> list[tuple]:
        staged = []
        for row in rows:
            self.count += 1
            content = chain.stored_content_digest(dict(zip(self.columns, row, strict=True)))
            staged.append((self.count, content, *row, batch))
        return staged

    def switch(self, cursor, batch: int) -> None:
        """The batch's staged rows into the trail, after its head. The head stays
        locked until the batch commits: this runs last, so that other writers of the
        trail wait for the commit only (on PostgreSQL; on SQLite they wait for the
        whole batch)."""
        cursor.execute(
            f"SELECT MIN(position), MAX(position) FROM {self.stage} "  # noqa: S608 - a staging name
            f"WHERE {BATCH_COLUMN} = %s",
            [batch],
        )
        low, high = cursor.fetchone()
        if low is None:
            return
        if connection.vendor == "postgresql":
            # The foreign keys of the rows moved so far are checked now, not at the
            # commit: time that the head would wait too.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        head = chain.locked_head()
        now = timezone.now()
        # The batch's positions run low..high without gaps (staged in order): the row
        # at ``position`` gets the sequence ``base + position``.
        base = head.sequence - (low - 1)
        links = chain.follow(head, now, self._contents(cursor, low, high))
        while linked := tuple(islice(links, LINK_BATCH)):
            self._write_links(cursor, base, linked)
            last = linked[-1]
        quote = connection.ops.quote_name
        cursor.execute(
            f"INSERT INTO {quote(self.table)} "  # noqa: S608 - names from the model
            f"(created_at, {self.listed}, sequence, prev_hash, hash) "
            f"SELECT %s, {', '.join(f'staged.{name}' for name in self.listed.split(', '))}, "
            f"%s + staged.position, links.prev_hash, links.hash "
            f"FROM {self.stage} AS staged JOIN {self.links} AS links "
            f"ON links.position = staged.position WHERE staged.{BATCH_COLUMN} = %s "
            "ORDER BY staged.position",
            [connection.ops.adapt_datetimefield_value(now), base, batch],
        )
        chain.move_head(head, last[0], last[2])

    def _contents(self, cursor, low: int, high: int):
        """The staged content digests from ``low`` to ``high`` in order, a round at a
        time: each round is read whole before its links are written on the same
        connection."""
        for start in range(low - 1, high, LINK_BATCH):
            cursor.execute(
                f"SELECT content_digest FROM {self.stage} "  # noqa: S608 - names from the model
                "WHERE position > %s AND position <= %s ORDER BY position",
                [start, min(start + LINK_BATCH, high)],
            )
            yield from (content for (content,) in cursor.fetchall())

    def _write_links(self, cursor, base: int, links: tuple) -> None:
        rows = [(sequence - base, previous, current) for sequence, previous, current in links]
        if connection.vendor == "postgresql":
            with (
                connection.connection.cursor() as raw,
                raw.copy(f"COPY {self.links} (position, prev_hash, hash) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO {self.links} (position, prev_hash, hash) VALUES (%s, %s, %s)",  # noqa: S608 - a staging name
                rows,
            )


class Staging:
    """The staging tables of one import, in the order ``switch`` moves them."""

    def __init__(self, tables: dict[str, Table]):
        self.tables = tables
        self.threaded = connection.vendor == "postgresql"
        self.error: BaseException | None = None
        self.cancelled = False
        # The batches staged so far, in order; rows are staged into the last one.
        self.batches: list[int] = []
        self.drop()
        with connection.cursor() as cursor:
            for table in tables.values():
                for statement in table.create_sql():
                    cursor.execute(statement)
        if not self.threaded:
            return
        connection.ensure_connection()
        self.raw = connection.connection
        self.sequences = connection.get_new_connection(connection.get_connection_params())
        self.sequences.autocommit = True
        self.jobs: queue.Queue = queue.Queue(maxsize=8)
        self.thread = threading.Thread(target=self._work, name="case-import-staging", daemon=True)
        self.thread.start()

    def next_batch(self) -> int:
        """Start a batch: the rows staged from now on are switched together."""
        self.batches.append(len(self.batches) + 1)
        return self.batches[-1]

    def copy(self, table: Table, rows: list[tuple]) -> None:
        if rows:
            self._submit((table, table.staged(rows, self.batches[-1])))

    def _submit(self, job) -> None:
        if not self.threaded:
            table, rows = job
            with connection.cursor() as cursor:
                cursor.executemany(table.insert_sql, rows)
            return
        if self.error is not None:
            raise self.error
        self.jobs.put(job)

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            if self.error is not None or self.cancelled:
                continue
            table, rows = job
            try:
                with self.raw.cursor() as cursor, cursor.copy(table.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            except BaseException as error:  # raised again in the importing thread
                self.error = error

    def allocate_ids(self, table: Table, count: int) -> list[int]:
        """``count`` new primary keys for ``table``, reserved before its rows are staged."""
        if not count:
            return []
        if connection.vendor == "postgresql":
            return self._next_values(table, count)
        quote = connection.ops.quote_name
        # A short write of its own: the counter moves past the reserved ids, so that
        # neither another writer nor a later import takes them (AUTOINCREMENT never
        # hands out an id below the counter).
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({quote(table.pk_column)}) FROM {quote(table.table)}")  # noqa: S608 - names from the model
            highest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.table])
            found = cursor.fetchone()
            highest = max(highest, found[0] if found else 0)
            if found:
                cursor.execute(
                    "UPDATE sqlite_sequence SET seq = %s WHERE name = %s",
                    [highest + count, table.table],
                )
            else:
                cursor.execute(
                    "INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)",
                    [table.table, highest + count],
                )
        return list(range(highest + 1, highest + 1 + count))

    def _next_values(self, table: Table, count: int) -> list[int]:
        sequences = self.sequences if self.threaded else connection.connection
        with sequences.cursor() as cursor:
            if table.sequence is None:
                # Looked up once: inside the SELECT below it would run for every row.
                cursor.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)", [table.table, table.pk_column]
                )
                table.sequence = cursor.fetchone()[0]
            cursor.execute(
                "SELECT nextval(%s::regclass) FROM generate_series(1, %s)",
                [table.sequence, count],
            )
            return [pk for (pk,) in cursor.fetchall()]

    def finish(self, *, failed: bool = False) -> None:
        """Wait until every batch is staged. After a failure what is still queued is
        skipped."""
        if not self.threaded:
            return
        self.cancelled = failed
        self.jobs.put(None)
        self.thread.join()
        self.sequences.close()
        if self.error is not None and not failed:
            raise self.error

    def switch(self, batch: int) -> None:
        """Move the staged rows of one batch into the register. The caller holds the
        transaction: a few statements, each over all the batch's rows at once."""
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # The write lock is held while the indexes take the new rows: with
                # SQLite's default 2 MB page cache they spill to disk half-way and the
                # switch takes about twice as long (bench/RESULTS-robustness.md).
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_SWITCH_CACHE_KIB}")
            for table in self.tables.values():
                table.switch(cursor, batch)

    def drop(self) -> None:
        """Empty the staging place (also what an earlier import on this connection left,
        should it have stopped half-way)."""
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default again
            for table in self.tables.values():
                for stage in table.stages():
                    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
