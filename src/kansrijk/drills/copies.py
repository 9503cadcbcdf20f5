"""A restored copy of the running database, with the source's row counts of the same moment
(decision 0046).

* **SQLite**: the online backup API (``sqlite3.Connection.backup``) into a new file. The
  row counts and the backup are read in one read transaction of the same connection, so
  both see one snapshot of the source while other processes go on writing (WAL).
* **PostgreSQL**: a ``REPEATABLE READ`` transaction exports its snapshot
  (``pg_export_snapshot``), counts every table in it and keeps it open while
  ``pg_dump -Fc --snapshot`` dumps that same snapshot; ``pg_restore`` then restores the
  dump into a fresh, empty database created for it. Counting inside the snapshot that
  the dump uses is exact; counting in another transaction beside the dump would race
  every writer.

The copy is registered as an extra database alias, so the checks run Kansrijk's own code
(migrations, the cipher, the audit chain's walk) against it with ``.using(alias)``.
Nothing here reads or prints a row's content: only table names and counts.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import ConnectionDoesNotExist, load_backend

COPY_ALIAS = "drill_copy"
# A database name is at most 63 bytes on PostgreSQL.
_NAME_LENGTH = 63


class DrillError(Exception):
    """The copy could not be made; the message is Dutch and names no personal data."""


@dataclass
class Copy:
    alias: str
    vendor: str
    # The file or the database name of the copy; never a password.
    location: str
    source_counts: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)
    # Where the dump went on PostgreSQL (deleted with the copy).
    dump_path: Path | None = None

    @property
    def settings_dict(self) -> dict:
        return connections[self.alias].settings_dict

    def database_url(self) -> str:
        """The copy as a ``DATABASE_URL``, for a ``kansrijk`` command run against it."""
        config = self.settings_dict
        if self.vendor == "sqlite":
            return f"sqlite:///{Path(config['NAME']).resolve()}"
        user = quote(config.get("USER") or "", safe="")
        password = quote(config.get("PASSWORD") or "", safe="")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        port = f":{config['PORT']}" if config.get("PORT") else ""
        return f"postgres://{credentials}{config.get('HOST') or ''}{port}/{config['NAME']}"


def _token() -> str:
    return secrets.token_hex(4)


def _register(alias: str, source_alias: str, name: str) -> None:
    config = dict(connections[source_alias].settings_dict)
    config["NAME"] = name
    # The copy is checked, never served: no persistent connection is left behind.
    config["CONN_MAX_AGE"] = 0
    # A connection of this thread only, not a configured database: nothing else (a
    # request, a test's database set-up) ever sees the alias.
    connections[alias] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias)


def _forget(alias: str) -> None:
    try:
        connection = connections[alias]
    except ConnectionDoesNotExist:
        return
    connection.close()
    del connections[alias]


# ------------------------------------------------------------------ SQLite


def _sqlite_copy(source_alias: str, target: str | None) -> Copy:
    source = connections[source_alias]
    path = (
        Path(target) if target else Path(settings.VAR_DIR) / "drills" / f"kopie-{_token()}.sqlite3"
    )
    if path.exists():
        raise DrillError(f"{path} bestaat al: de oefening schrijft alleen naar een nieuw bestand.")
    if str(path.resolve()) == str(Path(source.settings_dict["NAME"]).resolve()):
        raise DrillError("Het doel is de database zelf: de oefening werkt alleen op een kopie.")
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    source.ensure_connection()
    raw = source.connection
    started = time.monotonic()
    own_transaction = not raw.in_transaction
    if own_transaction:
        # A read transaction: the counts and the backup below see one snapshot.
        raw.execute("BEGIN")
    try:
        tables = source.introspection.table_names()
        counts = {}
        for table in tables:
            quoted = source.ops.quote_name(table)
            query = f"SELECT COUNT(*) FROM {quoted}"  # noqa: S608 - a table's name
            counts[table] = raw.execute(query).fetchone()[0]
        counted = time.monotonic()
        destination = sqlite3.connect(path)
        try:
            raw.backup(destination)
        except BaseException:
            destination.close()
            path.unlink(missing_ok=True)
            raise
        destination.close()
    finally:
        if own_transaction:
            raw.execute("ROLLBACK")
    os.chmod(path, 0o600)
    copy = Copy(COPY_ALIAS, "sqlite", str(path), counts)
    copy.seconds = {"tellen": counted - started, "kopie": time.monotonic() - counted}
    _register(COPY_ALIAS, source_alias, str(path))
    return copy


# ------------------------------------------------------------------ PostgreSQL


def _pg_environment(config: dict) -> dict[str, str]:
    """The client tools' connection, through their environment (no password on a command
    line, where ``ps`` would show it)."""
    environment = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if config.get(key):
            environment[variable] = str(config[key])
    return environment


def _run(command: list[str], environment: dict[str, str], what: str) -> None:
    # The tools and their arguments are ours; the names come from the settings.
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
    if finished.returncode:
        # The tools' messages name tables and options, not rows.
        message = finished.stderr.strip().splitlines()[-1:] or [""]
        raise DrillError(f"{what} mislukt (code {finished.returncode}): {message[0]}")


def _target_name(target: str | None, source_name: str) -> str:
    if target:
        name = urlsplit(target).path.lstrip("/") if "://" in target else target
    else:
        name = f"{source_name[: _NAME_LENGTH - 15]}_drill_{_token()}"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or len(name) > _NAME_LENGTH:
        raise DrillError(f"{name!r} is geen geschikte naam voor een nieuwe database.")
    if name == source_name:
        raise DrillError("Het doel is de database zelf: de oefening werkt alleen op een kopie.")
    return name


def _postgres_copy(source_alias: str, target: str | None) -> Copy:
    import psycopg

    source = connections[source_alias]
    config = source.settings_dict
    name = _target_name(target, config["NAME"])
    environment = _pg_environment(config)
    directory = Path(tempfile.mkdtemp(prefix="kansrijk-drill-"))
    dump = directory / "kansrijk.dump"
    parameters = {
        key: value
        for key, value in {
            "dbname": config["NAME"],
            "user": config.get("USER"),
            "password": config.get("PASSWORD"),
            "host": config.get("HOST"),
            "port": config.get("PORT"),
        }.items()
        if value
    }
    started = time.monotonic()
    try:
        with psycopg.connect(autocommit=True, **parameters) as snapshot_connection:
            snapshot_connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            (snapshot,) = snapshot_connection.execute("SELECT pg_export_snapshot()").fetchone()
            tables = [
                row[0]
                for row in snapshot_connection.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                    "ORDER BY tablename"
                )
            ]
            counts = {}
            for table in tables:
                quoted = '"' + table.replace('"', '""') + '"'
                query = f"SELECT COUNT(*) FROM {quoted}"  # noqa: S608 - a table's name
                counts[table] = snapshot_connection.execute(query).fetchone()[0]
            counted = time.monotonic()
            _run(
                ["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(dump), config["NAME"]],
                environment,
                "pg_dump",
            )
            snapshot_connection.execute("COMMIT")
        dumped = time.monotonic()
        with source._nodb_cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
        try:
            _run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--jobs={min(4, os.cpu_count() or 1)}",
                    f"--dbname={name}",
                    str(dump),
                ],
                environment,
                "pg_restore",
            )
        except BaseException:
            _drop_database(source_alias, name)
            raise
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    copy = Copy(COPY_ALIAS, "postgresql", name, counts, dump_path=dump)
    copy.seconds = {
        "tellen": counted - started,
        "pg_dump": dumped - counted,
        "pg_restore": time.monotonic() - dumped,
    }
    _register(COPY_ALIAS, source_alias, name)
    return copy


def _drop_database(source_alias: str, name: str) -> None:
    with connections[source_alias]._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# ------------------------------------------------------------------ both


def take(target: str | None = None, *, using: str = DEFAULT_DB_ALIAS) -> Copy:
    """A restored copy of the database ``using``: a new SQLite file (``target`` a path) or
    a new PostgreSQL database (``target`` a name or URL; by default one with a random
    suffix). The copy must not exist yet."""
    _forget(COPY_ALIAS)
    if connections[using].in_atomic_block:
        # pg_dump would not see the open transaction's rows, and SQLite's backup would
        # wait for ever on the transaction's own write lock.
        raise DrillError(
            "De oefening kopieert wat vastgelegd is: ze draait niet binnen een open transactie."
        )
    vendor = connections[using].vendor
    if vendor == "sqlite":
        return _sqlite_copy(using, target)
    if vendor == "postgresql":
        return _postgres_copy(using, target)
    raise DrillError(f"Geen oefening voor een database van het soort {vendor}.")


def discard(copy: Copy, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Remove the copy (file or database) and its dump."""
    _forget(copy.alias)
    if copy.vendor == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(copy.location + suffix).unlink(missing_ok=True)
    else:
        _drop_database(using, copy.location)
    if copy.dump_path is not None:
        shutil.rmtree(copy.dump_path.parent, ignore_errors=True)


def forget_or_discard(copy: Copy, *, keep: bool) -> None:
    """After the checks: remove the copy, or with ``keep`` leave it (only its dump goes)."""
    if not keep:
        discard(copy)
        return
    _forget(copy.alias)
    if copy.dump_path is not None:
        shutil.rmtree(copy.dump_path.parent, ignore_errors=True)
