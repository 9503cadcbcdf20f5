"""The restore and key-rotation drills on a small register (decision 0046), on SQLite and
PostgreSQL: a good copy passes, a damaged copy or a wrong key fails, and no number is
ever printed."""

from __future__ import annotations

import importlib
import json

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connections, transaction

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import crypto
from kansrijk.cases.models import YoungPerson
from kansrijk.drills import copies, restore, rotation
from kansrijk.drills.models import WorkerDrillRun

pytestmark = pytest.mark.django_db(transaction=True)


def _numbers() -> list[str]:
    return [person.identifier() for person in YoungPerson.objects.all()]


def _run(module, **options):
    lines: list[str] = []
    outcome = module.run(lines.append, **options)
    return outcome, "\n".join(lines)


def _checks(outcome) -> dict[str, bool]:
    return {check.name: check.ok for check in outcome.checks}


def test_a_restore_of_a_small_register_passes_every_check(register, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    outcome, output = _run(restore)

    assert _checks(outcome) == {
        "migraties": True,
        "aantallen rijen": True,
        "BSN ontsleutelen": True,
        "audittrail": True,
    }
    assert outcome.ok
    assert "3 van 3 nummers ontsleuteld" in output
    assert "UITSLAG: GESLAAGD" in output
    assert not any(number in output for number in _numbers())
    # The copy is gone, and so is its alias.
    assert not hasattr(connections._connections, copies.COPY_ALIAS)
    assert not list((tmp_path / "drills").glob("*.sqlite3"))


def test_the_command_writes_json_and_keeps_the_copy_when_asked(register, tmp_path, capsys):
    target = tmp_path / "kopie.sqlite3"
    result = tmp_path / "uitslag.json"
    options = {"json": result, "keep": True}
    if connections["default"].vendor == "sqlite":
        options["target"] = str(target)
    call_command("drill_restore", **options)

    report = json.loads(result.read_text())
    assert report["geslaagd"] is True
    assert [check["naam"] for check in report["controles"]] == [
        "migraties",
        "aantallen rijen",
        "BSN ontsleutelen",
        "audittrail",
    ]
    assert report["rijen"] >= 3
    output = capsys.readouterr().out
    assert not any(number in output + result.read_text() for number in _numbers())
    if connections["default"].vendor == "sqlite":
        assert target.is_file()
    else:
        kept = report["bewaard"]
        assert kept and kept != connections["default"].settings_dict["NAME"]
        copies.discard(copies.Copy(copies.COPY_ALIAS, "postgresql", kept, {}))


def _drop_triggers(alias: str) -> None:
    migration = importlib.import_module("kansrijk.audit.migrations.0003_append_only_triggers")
    connection = connections[alias]
    statements = {
        "sqlite": migration.SQLITE_BACKWARD,
        "postgresql": migration.POSTGRES_BACKWARD,
    }[connection.vendor]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _change_an_audit_record(copy):
    _drop_triggers(copy.alias)
    event = AuditEvent.objects.using(copy.alias).order_by("sequence")[1]
    with connections[copy.alias].cursor() as cursor:
        # Past the model, which refuses any change, as someone with the database would.
        cursor.execute(
            "UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["ander verhaal", event.pk]
        )


def _garble_a_number(copy):
    person = YoungPerson.objects.using(copy.alias).order_by("pk").first()
    garbled = Fernet(Fernet.generate_key()).encrypt(b"123456782").decode("ascii")
    YoungPerson.objects.using(copy.alias).filter(pk=person.pk).update(identifier_encrypted=garbled)


def _add_a_row(copy):
    WorkerDrillRun.objects.using(copy.alias).create(key="er-bij", worker_pid=1)


@pytest.mark.parametrize(
    ("damage", "failed", "said"),
    [
        (_change_an_audit_record, "audittrail", "de inhoud past niet bij de hash"),
        (_garble_a_number, "BSN ontsleutelen", "2 van 3 nummers ontsleuteld"),
        (_add_a_row, "aantallen rijen", "drills_workerdrillrun 1 in plaats van 0"),
    ],
)
def test_a_damaged_copy_fails_the_drill(register, damage, failed, said):
    outcome, output = _run(restore, after_copy=damage)

    assert not outcome.ok
    assert [name for name, ok in _checks(outcome).items() if not ok] == [failed]
    assert said in output
    assert "UITSLAG: MISLUKT" in output
    assert not any(number in output for number in _numbers())


def test_the_command_fails_with_code_one(register, monkeypatch):
    monkeypatch.setattr(restore.copies, "take", _failing_take)
    with pytest.raises(CommandError) as failed:
        call_command("drill_restore")
    assert failed.value.returncode == 1


def _failing_take(target=None):
    raise copies.DrillError("geen ruimte")


def test_the_key_rotation_drill_rotates_the_copy_and_not_the_register(register):
    live_tokens = set(YoungPerson.objects.values_list("identifier_encrypted", flat=True))
    outcome, output = _run(rotation)

    assert _checks(outcome) == {"BSN ontsleutelen": True, "rotatie": True, "na de rotatie": True}
    after = next(check for check in outcome.checks if check.name == "na de rotatie")
    assert after.figures == {
        "opgeslagen": 3,
        "ontsleuteld_met_nieuwe_sleutel": 3,
        "hash_onder_nieuwe_sleutel": 3,
        "gevonden_met_nieuwe_sleutel": 3,
        "ontsleuteld_met_oude_sleutel": 0,
    }
    assert "3 nummer(s) opnieuw versleuteld" in output
    assert "Tijden: " in output and "rotatie" in outcome.timings
    # The register itself still has its own tokens under its own key.
    assert set(YoungPerson.objects.values_list("identifier_encrypted", flat=True)) == live_tokens
    assert not any(number in output for number in _numbers())


def test_a_wrong_key_is_found_before_anything_is_rotated(register, settings):
    numbers = _numbers()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode("ascii")]
    outcome, output = _run(rotation)

    assert _checks(outcome) == {"BSN ontsleutelen": False}
    assert "0 van 3 nummers ontsleuteld" in output
    assert "er wordt niet geroteerd" in output
    assert "UITSLAG: MISLUKT" in output
    assert not any(number in output for number in numbers)
    with pytest.raises(crypto.DecryptionError):
        YoungPerson.objects.first().identifier()


def test_a_drill_inside_an_open_transaction_refuses_at_once(register):
    with transaction.atomic():
        outcome, output = _run(restore)
    assert _checks(outcome) == {"kopie": False}
    assert "niet binnen een open transactie" in output


def test_the_restore_drill_counts_the_kept_files_and_their_chunks(register, settings, tmp_path):
    """Uploads and documents live in the database (decision 0050): a backup holds them and
    the drill compares their rows like any other table's."""
    from kansrijk import kept_files

    settings.VAR_DIR = tmp_path
    kept_files.keep("documents", "rapport.pdf", [b"%PDF" * 700_000])  # three chunks
    counted = {}
    outcome, _output = _run(restore, after_copy=lambda copy: counted.update(copy.source_counts))
    assert outcome.ok
    assert (counted["storage_keptfile"], counted["storage_keptchunk"]) == (1, 3)
    assert "storage_pulse" in counted
