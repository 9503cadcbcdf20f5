"""The case import's staging place: where a file's rows wait until the whole file is
checked, and the short switch that moves them into the register (decision 0028).

Each table the import writes has a temporary table beside it (``CREATE TEMP TABLE``):
private to the import's database connection, gone when that connection ends, so a
worker that dies leaves nothing behind. Filling it takes no write lock on the register:
on SQLite a temporary table lives outside the database file, so other users keep
writing while a file of any size is checked and staged. Only ``switch`` writes to the
register, in one transaction of a few statements (``INSERT ... SELECT``, ``UPDATE ...
FROM``) that the database runs without a round trip per row: all of the file or none of
it, and the write lock only for that moment.

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

from django.db import connection, transaction

STAGE_PREFIX = "import_stage_"
SQLITE_SWITCH_CACHE_KIB = 128 * 1024


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
        self.listed = ", ".join(quote(name) for name in names)
        self.copy_sql = f"COPY {self.stage} ({self.listed}) FROM STDIN"
        self.insert_sql = (
            f"INSERT INTO {self.stage} ({self.listed}) "  # noqa: S608 - names from the model
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        self.pk_column = model._meta.pk.column
        self.sequence = None

    def create_sql(self) -> str:
        # Same columns and types as the register's table, no constraints, no rows.
        return (
            f"CREATE TEMPORARY TABLE {self.stage} AS "  # noqa: S608 - names from the model
            f"SELECT {self.listed} FROM {connection.ops.quote_name(self.table)} WHERE 1 = 0"
        )

    def switch_sql(self) -> str:
        quote = connection.ops.quote_name
        return (
            f"INSERT INTO {quote(self.table)} ({self.listed}) "  # noqa: S608 - names from the model
            f"SELECT {self.listed} FROM {self.stage}"
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
        self.listed = ", ".join(quote(name) for name in names)
        self.copy_sql = f"COPY {self.stage} ({self.listed}) FROM STDIN"
        self.insert_sql = (
            f"INSERT INTO {self.stage} ({self.listed}) "  # noqa: S608 - names from the model
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )

    def switch_sql(self) -> str:
        quote = connection.ops.quote_name
        target = quote(self.table)
        assignments = ", ".join(f"{quote(c)} = staged.{quote(c)}" for c in self.columns)
        pk = quote(self.pk_column)
        return (
            f"UPDATE {target} SET {assignments} FROM {self.stage} AS staged "  # noqa: S608 - names from the model
            f"WHERE {target}.{pk} = staged.{pk}"
        )


class Staging:
    """The staging tables of one import, in the order ``switch`` moves them."""

    def __init__(self, tables: dict[str, Table]):
        self.tables = tables
        self.threaded = connection.vendor == "postgresql"
        self.error: BaseException | None = None
        self.cancelled = False
        self.drop()
        with connection.cursor() as cursor:
            for table in tables.values():
                cursor.execute(table.create_sql())
        if not self.threaded:
            return
        connection.ensure_connection()
        self.raw = connection.connection
        self.sequences = connection.get_new_connection(connection.get_connection_params())
        self.sequences.autocommit = True
        self.jobs: queue.Queue = queue.Queue(maxsize=8)
        self.thread = threading.Thread(target=self._work, name="case-import-staging", daemon=True)
        self.thread.start()

    def copy(self, table: Table, rows: list[tuple]) -> None:
        if rows:
            tail = table.tail
            self._submit((table, [row + tail for row in rows] if tail else rows))

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

    def switch(self) -> None:
        """Move every staged row into the register. The caller holds the transaction:
        a few statements, each over all rows at once."""
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # The write lock is held while the indexes take the new rows: with
                # SQLite's default 2 MB page cache they spill to disk half-way and the
                # switch takes about twice as long (bench/RESULTS-robustness.md).
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_SWITCH_CACHE_KIB}")
            for table in self.tables.values():
                cursor.execute(table.switch_sql())

    def drop(self) -> None:
        """Empty the staging place (also what an earlier import on this connection left,
        should it have stopped half-way)."""
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA cache_size = -2000")  # SQLite's default again
            for table in self.tables.values():
                cursor.execute(f"DROP TABLE IF EXISTS {table.stage}")
