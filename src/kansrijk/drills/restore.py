"""The restore drill (``kansrijk drill_restore``, decision 0046): back up the running
database, restore it, and check that the restore is whole and usable."""

from __future__ import annotations

from collections.abc import Callable

from . import checks, copies
from .outcome import Outcome, seconds


def describe(copy: copies.Copy) -> str:
    steps = ", ".join(f"{name} {seconds(value)}" for name, value in copy.seconds.items())
    return (
        f"  kopie gemaakt ({steps}): {len(copy.source_counts)} tabellen, "
        f"{sum(copy.source_counts.values())} rijen in de bron op hetzelfde moment"
    )


def run(
    write: Callable[[str], None],
    *,
    target: str | None = None,
    keep: bool = False,
    after_copy: Callable[[copies.Copy], None] | None = None,
) -> Outcome:
    """Run the drill; ``after_copy`` lets a test damage the copy before it is checked."""
    outcome = Outcome("drill_restore", write)
    from django.db import connection

    method = {
        "sqlite": "de online backup van SQLite",
        "postgresql": "pg_dump -Fc en pg_restore in een nieuwe, lege database",
    }.get(connection.vendor, connection.vendor)
    outcome.say(f"Kopie van de database maken met {method}…")
    try:
        copy = copies.take(target)
    except copies.DrillError as error:
        outcome.fail("kopie", str(error))
        outcome.verdict()
        return outcome
    outcome.timings.update({f"kopie: {name}": value for name, value in copy.seconds.items()})
    outcome.facts.update(
        {
            "database": copy.vendor,
            "tabellen": len(copy.source_counts),
            "rijen": sum(copy.source_counts.values()),
            "bewaard": copy.location if keep else None,
        }
    )
    outcome.say(describe(copy))
    try:
        if after_copy is not None:
            after_copy(copy)
        for what, check in (
            ("of alle migraties zijn toegepast", lambda: checks.migrations_applied(copy.alias)),
            (
                "of elke tabel evenveel rijen heeft als de bron",
                lambda: checks.row_counts(copy.alias, copy.source_counts),
            ),
            (
                "of elk BSN en onderwijsnummer te ontsleutelen is",
                lambda: checks.identifiers_decrypt(copy.alias),
            ),
            (
                "of de hashketen van de audittrail ongeschonden is",
                lambda: checks.audit_chain(copy.alias),
            ),
        ):
            outcome.say(f"Controleren {what}…")
            outcome.add(check())
    finally:
        if keep:
            outcome.say(f"De kopie blijft staan: {copy.location}")
        else:
            outcome.say("De kopie wordt opgeruimd.")
        copies.forget_or_discard(copy, keep=keep)
    outcome.verdict()
    return outcome
