"""The checks of a restored copy (decision 0046): each answers one question with yes or no
and a Dutch line that names tables, counts and record ids, never a number or a name
from the register.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from kansrijk.audit import verification
from kansrijk.cases import crypto
from kansrijk.cases.models import YoungPerson

BATCH = 2000
LISTED = 10


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    seconds: float = 0.0
    figures: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "naam": self.name,
            "geslaagd": self.ok,
            "toelichting": self.detail,
            "seconden": round(self.seconds, 3),
            **self.figures,
        }


def _timed(function):
    def timed(*args, **kwargs) -> Check:
        started = time.monotonic()
        check = function(*args, **kwargs)
        check.seconds = time.monotonic() - started
        return check

    return timed


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:LISTED])
    return shown + (f" en nog {len(items) - LISTED}" if len(items) > LISTED else "")


@_timed
def migrations_applied(alias: str) -> Check:
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    missing = [f"{migration.app_label}.{migration.name}" for migration, _backward in plan]
    applied = len(executor.loader.applied_migrations)
    if missing:
        return Check(
            "migraties",
            False,
            f"{len(missing)} migratie(s) niet toegepast in de kopie: {_listed(missing)}",
            figures={"toegepast": applied, "ontbrekend": len(missing)},
        )
    return Check(
        "migraties",
        True,
        f"alle {applied} migraties toegepast",
        figures={"toegepast": applied},
    )


@_timed
def row_counts(alias: str, source_counts: dict[str, int]) -> Check:
    connection = connections[alias]
    restored_tables = set(connection.introspection.table_names())
    differences = []
    restored_counts = {}
    with connection.cursor() as cursor:
        for table, expected in sorted(source_counts.items()):
            if table not in restored_tables:
                differences.append(f"{table} ontbreekt")
                continue
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a table's name
            (found,) = cursor.fetchone()
            restored_counts[table] = found
            if found != expected:
                differences.append(f"{table} {found} in plaats van {expected}")
    differences += [
        f"{table} niet in de bron" for table in sorted(restored_tables - set(source_counts))
    ]
    figures = {"tabellen": len(source_counts), "rijen": sum(source_counts.values())}
    if differences:
        return Check(
            "aantallen rijen",
            False,
            f"{len(differences)} tabel(len) wijken af: {_listed(differences)}",
            figures=figures,
        )
    return Check(
        "aantallen rijen",
        True,
        f"{figures['tabellen']} tabellen, {figures['rijen']} rijen: gelijk aan de bron",
        figures=figures,
    )


def _identifiers(alias: str) -> Iterator[list[tuple[int, str, str]]]:
    """(pk, token, stored hash) of every young person, in batches by primary key."""
    last = 0
    while True:
        batch = list(
            YoungPerson.objects.using(alias)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "identifier_encrypted", "identifier_hash")[:BATCH]
        )
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def read_identifiers(alias: str, *, find: bool = False) -> dict:
    """Decrypt every stored number of the copy with the configured keys, and check that
    the keyed hash under the first key is the one stored. With ``find``, also look every
    young person up by the hashes of its number, as the search and the import do. The
    numbers stay in this function's locals."""
    stored = decrypted = hashed = first_key = found = 0
    failed: list[str] = []
    for batch in _identifiers(alias):
        numbers = {}
        for pk, token, stored_hash in batch:
            stored += 1
            try:
                number = crypto.decrypt(token)
            except crypto.DecryptionError:
                failed.append(str(pk))
                continue
            decrypted += 1
            hashes = crypto.identifier_hashes(number)
            if stored_hash in hashes:
                hashed += 1
            if stored_hash == hashes[0]:
                first_key += 1
            numbers[pk] = number
        if find and numbers:
            wanted = {}
            for pk, number in numbers.items():
                for candidate in crypto.identifier_hashes(number):
                    wanted.setdefault(candidate, set()).add(pk)
            hits = YoungPerson.objects.using(alias).filter(identifier_hash__in=list(wanted))
            for pk, stored_hash in hits.values_list("pk", "identifier_hash"):
                if pk in wanted.get(stored_hash, ()):
                    found += 1
        numbers.clear()
    return {
        "opgeslagen": stored,
        "ontsleuteld": decrypted,
        "hash_klopt": hashed,
        "hash_eerste_sleutel": first_key,
        "gevonden": found,
        "niet_ontsleuteld": failed,
    }


@_timed
def identifiers_decrypt(alias: str) -> Check:
    figures = read_identifiers(alias)
    failed = figures.pop("niet_ontsleuteld")
    figures.pop("gevonden")
    stored, decrypted, hashed = figures["opgeslagen"], figures["ontsleuteld"], figures["hash_klopt"]
    if failed:
        return Check(
            "BSN ontsleutelen",
            False,
            f"{decrypted} van {stored} nummers ontsleuteld met de ingestelde sleutel(s); "
            f"niet te ontsleutelen: jongere(n) {_listed(failed)}",
            figures=figures,
        )
    if hashed != stored:
        return Check(
            "BSN ontsleutelen",
            False,
            f"alle {stored} nummers ontsleuteld, maar bij {stored - hashed} past de "
            "zoeksleutel (hash) bij geen ingestelde sleutel: zoeken vindt die jongeren niet",
            figures=figures,
        )
    return Check(
        "BSN ontsleutelen",
        True,
        f"{decrypted} van {stored} nummers ontsleuteld, elke zoeksleutel klopt",
        figures=figures,
    )


@_timed
def audit_chain(alias: str) -> Check:
    report = verification.verify(using=alias)
    figures = {"regels": report.rows, "laatste_volgnummer": report.last_sequence}
    if report.ok:
        return Check(
            "audittrail",
            True,
            f"hashketen ongeschonden: {report.rows} regels, tot volgnummer {report.last_sequence}",
            figures=figures,
        )
    return Check(
        "audittrail",
        False,
        f"hashketen gebroken: {report.problem_count} probleem/problemen, het eerste: "
        f"{report.problems[0]}",
        figures={**figures, "problemen": report.problem_count},
    )
