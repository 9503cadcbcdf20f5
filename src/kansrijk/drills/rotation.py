"""The key-rotation drill (``kansrijk drill_key_rotation``, decision 0046).

On a restored copy, never on the running database: a new Fernet key is made up and put
first, ``kansrijk rotate_case_keys`` runs against the copy as an operator would run it (a
process of its own with ``DATABASE_URL`` and ``FIELD_ENCRYPTION_KEYS`` in its
environment), and then, with the new key alone, every number must decrypt, every stored
hash must be the new key's and every young person must be found by it; with the old keys
alone, none may decrypt any more. The new key exists only in this process and the
rotation's environment, and is gone with the copy.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable

from cryptography.fernet import Fernet
from django.conf import settings
from django.test import override_settings

from . import checks, copies
from .checks import Check
from .outcome import Outcome, seconds
from .restore import describe


def _configured_keys() -> list[str]:
    return [key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]


def _rotate(copy: copies.Copy, keys: list[str]) -> tuple[bool, str]:
    """``kansrijk rotate_case_keys`` against the copy; its last line, or its error."""
    environment = {
        **os.environ,
        "DATABASE_URL": copy.database_url(),
        "FIELD_ENCRYPTION_KEYS": ",".join(keys),
        "SECRET_KEY": settings.SECRET_KEY,
    }
    finished = subprocess.run(
        [sys.executable, "-m", "kansrijk.manage", "rotate_case_keys"],
        env=environment,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
    )
    # The command prints counts and record ids, never a number.
    said = finished.stdout if finished.returncode == 0 else finished.stderr
    lines = said.strip().splitlines()
    return finished.returncode == 0, (lines[-1] if lines else "")


def _after_rotation(alias: str, new_key: str, old_keys: list[str]) -> Check:
    started = time.monotonic()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        new = checks.read_identifiers(alias, find=True)
    with override_settings(FIELD_ENCRYPTION_KEYS=old_keys):
        old = checks.read_identifiers(alias)
    stored = new["opgeslagen"]
    figures = {
        "opgeslagen": stored,
        "ontsleuteld_met_nieuwe_sleutel": new["ontsleuteld"],
        "hash_onder_nieuwe_sleutel": new["hash_eerste_sleutel"],
        "gevonden_met_nieuwe_sleutel": new["gevonden"],
        "ontsleuteld_met_oude_sleutel": old["ontsleuteld"],
    }
    problems = []
    if new["ontsleuteld"] != stored:
        problems.append(f"{stored - new['ontsleuteld']} nummer(s) niet te ontsleutelen")
    if new["hash_eerste_sleutel"] != stored:
        problems.append(f"{stored - new['hash_eerste_sleutel']} zoeksleutel(s) niet vernieuwd")
    if new["gevonden"] != stored:
        problems.append(f"{stored - new['gevonden']} jongere(n) niet terug te vinden")
    if old["ontsleuteld"]:
        problems.append(f"{old['ontsleuteld']} nummer(s) nog onder de oude sleutel")
    if problems:
        detail = "met alleen de nieuwe sleutel: " + "; ".join(problems)
    else:
        detail = (
            f"met alleen de nieuwe sleutel: {stored} van {stored} nummers ontsleuteld en "
            f"teruggevonden op hun zoeksleutel; de oude sleutel ontsleutelt er geen meer"
        )
    check = Check("na de rotatie", not problems, detail, figures=figures)
    check.seconds = time.monotonic() - started
    return check


def run(
    write: Callable[[str], None],
    *,
    target: str | None = None,
    keep: bool = False,
    after_copy: Callable[[copies.Copy], None] | None = None,
) -> Outcome:
    outcome = Outcome("drill_key_rotation", write)
    outcome.say("Kopie van de database maken (de sleutel wordt alleen in de kopie gewisseld)…")
    try:
        copy = copies.take(target)
    except copies.DrillError as error:
        outcome.fail("kopie", str(error))
        outcome.verdict()
        return outcome
    outcome.timings.update({f"kopie: {name}": value for name, value in copy.seconds.items()})
    outcome.facts.update({"database": copy.vendor, "bewaard": copy.location if keep else None})
    outcome.say(describe(copy))
    try:
        if after_copy is not None:
            after_copy(copy)
        old_keys = _configured_keys()
        outcome.say("Controleren of elk nummer te ontsleutelen is met de ingestelde sleutel(s)…")
        before = outcome.add(checks.identifiers_decrypt(copy.alias))
        outcome.facts["jongeren"] = before.figures.get("opgeslagen", 0)
        if not before.ok:
            outcome.say(
                "  De ingestelde sleutel past niet bij de gegevens: er wordt niet geroteerd."
            )
        else:
            new_key = Fernet.generate_key().decode("ascii")
            outcome.say(
                "kansrijk rotate_case_keys draaien op de kopie, met een nieuwe sleutel voorop…"
            )
            started = time.monotonic()
            rotated, last_line = _rotate(copy, [new_key, *old_keys])
            outcome.add(
                Check(
                    "rotatie",
                    rotated,
                    last_line if rotated else f"rotate_case_keys faalde: {last_line}",
                    seconds=time.monotonic() - started,
                )
            )
            if rotated:
                outcome.say("Controleren met alleen de nieuwe sleutel, en met alleen de oude…")
                outcome.add(_after_rotation(copy.alias, new_key, old_keys))
            del new_key
    finally:
        outcome.say(
            f"De kopie blijft staan: {copy.location}" if keep else "De kopie wordt opgeruimd."
        )
        copies.forget_or_discard(copy, keep=keep)
    outcome.say(
        "Tijden: "
        + ", ".join(f"{name} {seconds(value)}" for name, value in outcome.timings.items())
    )
    outcome.verdict()
    return outcome
