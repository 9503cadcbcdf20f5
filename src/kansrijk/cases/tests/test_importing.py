"""The case import: every row checked, all or nothing, a second import changes nothing,
a changed row updates its case in place, and no message or audit row repeats a BSN."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
import time_machine

from kansrijk.audit import verification
from kansrijk.audit.models import AuditEvent
from kansrijk.cases import crypto, importing
from kansrijk.cases.identifiers import bsn_near, onderwijsnummer_near
from kansrijk.cases.importing import ImportRejected, import_cases
from kansrijk.cases.models import Case, ImportRun, ImportStatus, Residence, YoungPerson
from kansrijk.organisations.validators import is_valid_bsn

from .conftest import BSN, OTHER_BSN

D = datetime.date
TODAY = datetime.datetime(2025, 3, 14, 12, 0)
HEADER = [
    "dossier_id",
    "bsn",
    "onderwijsnummer",
    "geboortedatum",
    "woongemeente",
    "brin6",
    "soort",
    "startdatum",
    "aanbod_datum",
    "einddatum",
    "uitkomst",
    "voornaam",
    "achternaam",
]


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def row(network, **values) -> dict:
    base = {
        "dossier_id": "LP-2025-001",
        "bsn": BSN,
        "onderwijsnummer": "",
        "geboortedatum": "2011-05-04",
        "woongemeente": "GM0375",
        "brin6": network.school.code,
        "soort": "relatief",
        "startdatum": "2025-01-06",
        "aanbod_datum": "",
        "einddatum": "",
        "uitkomst": "",
        "voornaam": "Noor",
        "achternaam": "Jansen",
    }
    base.update(values)
    return base


def write_csv(path, rows, *, delimiter=",", header=HEADER, bom=False, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(column, "") for column in header])
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode(encoding))
    return path


def run_import(path, *, actor=None, dry_run=False):
    run = ImportRun.objects.create(original_name=path.name)
    return import_cases(path, actor=actor, run=run, dry_run=dry_run), run


def problems_of(path, *, actor=None) -> list[str]:
    run = ImportRun.objects.create(original_name=path.name)
    with pytest.raises(ImportRejected) as rejected:
        import_cases(path, actor=actor, run=run)
    run.refresh_from_db()
    assert run.status == ImportStatus.REJECTED
    return [str(problem) for problem in rejected.value.problems]


# ------------------------------------------------------------------ a good file


def test_a_file_creates_young_people_with_their_woongemeente_and_cases(network, tmp_path):
    path = write_csv(
        tmp_path / "cases.csv",
        [
            row(network),
            row(
                network,
                dossier_id="LP-2025-002",
                bsn="",
                onderwijsnummer=onderwijsnummer_near(5),
                soort="absoluut",
                brin6="",
                geboortedatum="12-09-2009",
                startdatum="01-10-2024",
                aanbod_datum="2024-12-02",
                einddatum="2025-02-03",
                uitkomst="andere_school",
                voornaam="",
                achternaam="",
            ),
        ],
    )
    result, run = run_import(path)

    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert result.people_created == 2
    case = Case.objects.get(dossier_id="LP-2025-001")
    assert case.category == "relatief"
    assert case.school == network.school
    assert case.municipality == network.beverwijk
    assert case.sector == network.school.sector  # the school's, as the services do
    assert case.pact_deadline == D(2025, 4, 6)  # start + 3 calendar months
    assert case.last_event_on == D(2025, 1, 6)
    # Registered today: movement (cases.signals), whatever the start date.
    assert case.last_movement_on == TODAY.date()
    assert case.import_run == run
    assert case.is_synthetic is False
    person = case.young_person
    assert person.identifier() == BSN
    assert person.identifier_hash == crypto.identifier_hash(BSN)
    assert BSN not in person.identifier_encrypted
    assert (person.given_name, person.family_name, person.birth_date) == (
        "Noor",
        "Jansen",
        D(2011, 5, 4),
    )
    assert Residence.objects.get(young_person=person).municipality == network.beverwijk

    closed = Case.objects.get(dossier_id="LP-2025-002")
    assert closed.school is None
    assert (closed.start_date, closed.offer_date, closed.end_date, closed.outcome) == (
        D(2024, 10, 1),
        D(2024, 12, 2),
        D(2025, 2, 3),
        "andere_school",
    )
    assert closed.young_person.identifier_kind == "onderwijsnummer"
    assert closed.young_person.birth_date == D(2009, 9, 12)

    run.refresh_from_db()
    assert run.status == ImportStatus.DONE
    assert (run.total_rows, run.checked_rows, run.written_rows) == (2, 2, 2)
    assert (run.created_count, run.updated_count, run.unchanged_count) == (2, 0, 0)
    assert len(run.sha256) == 64
    assert run.finished_at is not None
    # The import's own audit rows, written without the ORM, join the hash chain too.
    assert not AuditEvent.objects.filter(sequence__isnull=True).exists()
    assert verification.verify().ok


@pytest.mark.parametrize(
    ("delimiter", "bom"), [(",", False), (";", False), (",", True), (";", True)]
)
def test_comma_or_semicolon_with_or_without_bom(network, tmp_path, delimiter, bom):
    path = write_csv(tmp_path / "cases.csv", [row(network)], delimiter=delimiter, bom=bom)
    result, _run = run_import(path)
    assert result.created == 1


def test_one_young_person_with_two_episodes_is_registered_once(network, tmp_path):
    path = write_csv(
        tmp_path / "cases.csv",
        [
            row(
                network,
                einddatum="2024-06-30",
                uitkomst="terug_naar_school",
                startdatum="2024-03-01",
            ),
            row(network, dossier_id="LP-2025-002"),
        ],
    )
    result, _run = run_import(path)
    assert (result.created, result.people_created) == (2, 1)
    assert YoungPerson.objects.count() == 1


def test_the_rows_written_are_counted_for_the_metrics(network, tmp_path):
    from prometheus_client import REGISTRY

    def written():
        labels = {"importer": "cases"}
        return REGISTRY.get_sample_value("kansrijk_import_rows_written_total", labels) or 0

    before = written()
    path = write_csv(
        tmp_path / "cases.csv",
        [row(network), row(network, dossier_id="LP-2", bsn=OTHER_BSN, geboortedatum="2010-01-01")],
    )
    run_import(path)
    assert written() == before + 2
    run_import(path, dry_run=True)
    assert written() == before + 2  # a check alone writes nothing


def test_a_known_young_person_is_found_by_the_hash(network, tmp_path, young_person):
    path = write_csv(tmp_path / "cases.csv", [row(network, voornaam="", achternaam="")])
    result, _run = run_import(path)
    assert (result.created, result.people_created) == (1, 0)
    assert Case.objects.get().young_person == young_person
    young_person.refresh_from_db()
    assert young_person.full_name == "Noor Jansen"  # empty cells leave the names alone


def test_columns_in_another_order_and_unknown_columns_are_skipped(network, tmp_path):
    header = ["notitie", *reversed(HEADER)]
    path = write_csv(tmp_path / "cases.csv", [row(network, notitie="x")], header=header)
    result, _run = run_import(path)
    assert result.created == 1


def test_a_bsn_without_its_leading_zero_is_read_as_nine_digits(network, tmp_path):
    number = next(f"{n:09d}" for n in range(12_345_678, 99_999_999) if is_valid_bsn(f"{n:09d}"))
    path = write_csv(tmp_path / "cases.csv", [row(network, bsn=number.lstrip("0"))])
    run_import(path)
    assert YoungPerson.objects.get().identifier() == number


# ------------------------------------------------------------------ every rule


def test_one_bad_row_writes_nothing(network, tmp_path):
    path = write_csv(
        tmp_path / "cases.csv",
        [row(network), row(network, dossier_id="LP-2025-002", bsn="111222334")],
    )
    problems = problems_of(path)
    assert problems == [
        "Rij 3, kolom 'bsn': dit is geen geldig BSN: 9 cijfers die voldoen aan de elfproef."
    ]
    assert not Case.objects.exists()
    assert not YoungPerson.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="cases.").exists()


RULES = [
    ({"bsn": "111222334"}, "Rij 2, kolom 'bsn': dit is geen geldig BSN"),
    ({"bsn": "12345"}, "Rij 2, kolom 'bsn': dit is geen geldig BSN"),
    (
        {"bsn": "", "onderwijsnummer": "111222333"},
        "Rij 2, kolom 'onderwijsnummer': dit is geen geldig onderwijsnummer",
    ),
    (
        {"onderwijsnummer": onderwijsnummer_near(5)},
        "Rij 2, kolom 'onderwijsnummer': vul een BSN of een onderwijsnummer in, niet allebei.",
    ),
    ({"bsn": ""}, "Rij 2, kolom 'bsn': vul een BSN of een onderwijsnummer in."),
    ({"dossier_id": ""}, "Rij 2, kolom 'dossier_id': vul het dossiernummer in."),
    ({"dossier_id": "X" * 41}, "Rij 2, kolom 'dossier_id': hoogstens 40 tekens."),
    (
        {"dossier_id": f"LP-{BSN}"},
        "Rij 2, kolom 'dossier_id': het dossiernummer bevat het BSN of onderwijsnummer",
    ),
    ({"geboortedatum": ""}, "Rij 2, kolom 'geboortedatum': vul een datum in (JJJJ-MM-DD)."),
    (
        {"geboortedatum": "2011-02-30"},
        "Rij 2, kolom 'geboortedatum': dit is geen geldige datum; schrijf JJJJ-MM-DD of DD-MM-JJJJ.",
    ),
    ({"startdatum": "6 januari"}, "Rij 2, kolom 'startdatum': dit is geen geldige datum"),
    ({"startdatum": "2025/01/06"}, "Rij 2, kolom 'startdatum': dit is geen geldige datum"),
    ({"startdatum": "2025-03-15"}, "Rij 2, kolom 'startdatum': deze datum ligt in de toekomst."),
    (
        {"geboortedatum": "2025-03-15"},
        "Rij 2, kolom 'geboortedatum': deze datum ligt in de toekomst.",
    ),
    (
        {"startdatum": "2011-05-04"},
        "Rij 2, kolom 'startdatum': de startdatum ligt niet na de geboortedatum.",
    ),
    (
        {"aanbod_datum": "2025-01-05"},
        "Rij 2, kolom 'aanbod_datum': het passend aanbod start voor de startdatum.",
    ),
    (
        {"aanbod_datum": "2025-03-20"},
        "Rij 2, kolom 'aanbod_datum': deze datum ligt in de toekomst.",
    ),
    (
        {"einddatum": "2025-01-05", "uitkomst": "anders"},
        "Rij 2, kolom 'einddatum': de einddatum ligt voor de startdatum.",
    ),
    (
        {"einddatum": "2025-03-15", "uitkomst": "anders"},
        "Rij 2, kolom 'einddatum': deze datum ligt in de toekomst.",
    ),
    ({"einddatum": "2025-02-01"}, "Rij 2, kolom 'uitkomst': vul bij een einddatum de uitkomst in."),
    (
        {"uitkomst": "anders"},
        "Rij 2, kolom 'uitkomst': een uitkomst hoort bij een einddatum",
    ),
    (
        {"einddatum": "2025-02-01", "uitkomst": "opgelost"},
        "Rij 2, kolom 'uitkomst': 'opgelost' is geen bekende uitkomst; kies uit: terug_naar_school,",
    ),
    ({"soort": ""}, "Rij 2, kolom 'soort': vul de soort in"),
    (
        {"soort": "langdurig"},
        "Rij 2, kolom 'soort': 'langdurig' is geen bekende soort; kies absoluut, relatief of "
        "vrijstelling_5_onder_a.",
    ),
    ({"soort": "5a"}, "Let op: 5a is een ander artikel dan 5 onder a."),
    (
        {"woongemeente": ""},
        "Rij 2, kolom 'woongemeente': vul de gemeentecode van de woongemeente in",
    ),
    (
        {"woongemeente": "Beverwijk"},
        "Rij 2, kolom 'woongemeente': 'BEVERWIJK' is geen gemeentecode: verwacht GM en 4 cijfers",
    ),
    ({"woongemeente": "GM9999"}, "Rij 2, kolom 'woongemeente': 'GM9999' is geen bekende gemeente."),
    (
        {"brin6": ""},
        "Rij 2, kolom 'brin6': vul de vestigingscode (BRIN6) in; alleen absoluut verzuim kan "
        "zonder school.",
    ),
    (
        {"brin6": "", "soort": "vrijstelling_5_onder_a"},
        "Rij 2, kolom 'brin6': vul de vestigingscode (BRIN6) in",
    ),
    ({"brin6": "07NU"}, "Rij 2, kolom 'brin6': '07NU' is geen vestigingscode (BRIN6)"),
    ({"brin6": "99ZZ99"}, "Rij 2, kolom 'brin6': '99ZZ99' is geen bekende schoolvestiging."),
    ({"voornaam": "N" * 101}, "Rij 2, kolom 'voornaam': hoogstens 100 tekens."),
]


@pytest.mark.parametrize(("values", "expected"), RULES)
def test_every_rule_names_row_column_and_reason(network, tmp_path, values, expected):
    path = write_csv(tmp_path / "cases.csv", [row(network, **values)])
    problems = problems_of(path)
    assert any(expected in problem for problem in problems), problems
    assert not Case.objects.exists()


def test_an_unknown_sector_is_named(network, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(network, sector="HBO")], header=[*HEADER, "sector"])
    assert problems_of(path) == [
        "Rij 2, kolom 'sector': 'HBO' is geen bekende sector; kies PO, SBO, SO/VSO, VO of MBO."
    ]


def test_the_same_dossier_twice_in_the_file(network, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(network), row(network, bsn=OTHER_BSN)])
    assert problems_of(path) == ["Rij 3, kolom 'dossier_id': dit dossiernummer staat al in rij 2."]


def test_the_same_bsn_with_two_birth_dates(network, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [row(network), row(network, dossier_id="LP-2", geboortedatum="2011-05-05")],
    )
    assert problems_of(path) == [
        "Rij 3, kolom 'geboortedatum': hetzelfde BSN of onderwijsnummer staat in rij 2 met een "
        "andere geboortedatum."
    ]


def test_a_dossier_of_another_young_person(network, tmp_path, case):
    path = write_csv(tmp_path / "c.csv", [row(network, dossier_id=case.dossier_id, bsn=OTHER_BSN)])
    assert problems_of(path) == [
        "Rij 2, kolom 'dossier_id': dit dossiernummer hoort in het register bij een andere jongere."
    ]


def test_a_young_person_known_with_another_birth_date(network, tmp_path, young_person):
    path = write_csv(tmp_path / "c.csv", [row(network, geboortedatum="2011-05-05")])
    (problem,) = problems_of(path)
    assert problem.startswith(
        "Rij 2, kolom 'geboortedatum': deze jongere staat in het register met een andere "
        "geboortedatum"
    )
    assert "2011-05-04" not in problem


def test_missing_columns_are_named(network, tmp_path):
    header = [c for c in HEADER if c not in ("bsn", "onderwijsnummer", "uitkomst")]
    path = write_csv(tmp_path / "c.csv", [row(network)], header=header)
    assert problems_of(path) == [
        "Kolom 'uitkomst': deze kolom ontbreekt in het bestand.",
        "Kolom 'bsn': het bestand heeft een kolom bsn of een kolom onderwijsnummer nodig.",
    ]


def test_a_column_twice(network, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(network)], header=[*HEADER, "BSN"])
    assert problems_of(path) == ["Rij 1, kolom 'bsn': deze kolom staat er twee keer in."]


def test_a_row_with_more_cells_than_the_header(network, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(network)])
    path.write_text(
        path.read_text() + "LP-2,123456782,,2011-05-04,GM0375,,absoluut,2025-01-06,,,,,,extra\r\n"
    )
    assert problems_of(path) == [
        "Rij 3: de rij heeft meer cellen dan de kopregel; staat er een scheidingsteken te veel in?"
    ]


def test_an_empty_file_and_a_file_without_rows(network, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert problems_of(empty) == ["Het bestand is leeg."]
    header_only = write_csv(tmp_path / "header.csv", [])
    assert problems_of(header_only) == ["Het bestand heeft geen rijen."]


def test_a_file_that_is_not_utf8(network, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [row(network), row(network, dossier_id="LP-2", voornaam="Zoë")],
        encoding="cp1252",
    )
    (problem,) = problems_of(path)
    assert problem.startswith("Rij 3: het bestand is niet in UTF-8 opgeslagen")


def test_every_problem_of_the_file_is_counted_the_first_are_kept(network, tmp_path):
    rows = [row(network, dossier_id=f"LP-{n}", bsn="111222334") for n in range(150)]
    path = write_csv(tmp_path / "c.csv", rows)
    run = ImportRun.objects.create(original_name="c.csv")
    with pytest.raises(ImportRejected) as rejected:
        import_cases(path, actor=None, run=run)
    run.refresh_from_db()
    assert run.problem_count == 150
    assert len(run.problems) == len(rejected.value.problems) == importing.MAX_PROBLEMS
    assert run.problems[0] == {
        "row": 2,
        "column": "bsn",
        "message": "dit is geen geldig BSN: 9 cijfers die voldoen aan de elfproef.",
    }


def test_no_problem_ever_repeats_a_bsn(network, tmp_path, case):
    """A BSN in the wrong column, a BSN that fails the elfproef, a BSN in the dossier
    number: the messages and the stored run name the row, never the number."""
    shifted = row(
        network, dossier_id="LP-9", woongemeente=OTHER_BSN, brin6=OTHER_BSN, soort=OTHER_BSN
    )
    shifted["uitkomst"] = OTHER_BSN
    shifted["einddatum"] = "2025-02-01"
    rows = [
        shifted,
        row(network, dossier_id="LP-10", bsn="111222334"),
        row(network, dossier_id=f"X{BSN}", geboortedatum=BSN),
        row(network, dossier_id=case.dossier_id, bsn=OTHER_BSN),
        row(network, dossier_id="LP-11", bsn=BSN[1:] + "0"),
    ]
    path = write_csv(tmp_path / "c.csv", rows, header=[*HEADER, "sector"])
    for values in rows:
        values["sector"] = BSN
    path = write_csv(tmp_path / "c.csv", rows, header=[*HEADER, "sector"])
    run = ImportRun.objects.create(original_name="c.csv")
    with pytest.raises(ImportRejected) as rejected:
        import_cases(path, actor=None, run=run)
    run.refresh_from_db()
    text = "\n".join(str(p) for p in rejected.value.problems) + json.dumps(run.problems)
    assert len(rejected.value.problems) >= 8
    for number in (BSN, OTHER_BSN, "111222334", BSN[1:] + "0"):
        assert number not in text


# ------------------------------------------------------------------ running it again


def test_importing_the_same_file_again_changes_nothing(network, tmp_path):
    path = write_csv(
        tmp_path / "c.csv",
        [row(network), row(network, dossier_id="LP-2", bsn=OTHER_BSN, geboortedatum="2010-01-01")],
    )
    run_import(path)
    cases_before = list(Case.objects.order_by("pk").values())
    people_before = list(YoungPerson.objects.order_by("pk").values())
    audit_before = AuditEvent.objects.count()

    with time_machine.travel(TODAY + datetime.timedelta(hours=1), tick=False):
        result, run = run_import(path)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert list(Case.objects.order_by("pk").values()) == cases_before  # not even updated_at
    assert list(YoungPerson.objects.order_by("pk").values()) == people_before
    # One summary row for the import; none for the unchanged cases.
    new_rows = AuditEvent.objects.order_by("pk")[audit_before:]
    assert [event.action for event in new_rows] == ["cases.import"]
    assert new_rows[0].after["unchanged"] == 2
    run.refresh_from_db()
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 2)


def test_same_file_after_key_rotation_finds_the_young_people(network, tmp_path, settings):
    path = write_csv(tmp_path / "c.csv", [row(network)])
    run_import(path)
    from cryptography.fernet import Fernet

    settings.FIELD_ENCRYPTION_KEYS = [
        Fernet.generate_key().decode(),
        *settings.FIELD_ENCRYPTION_KEYS,
    ]
    result, _run = run_import(path)
    assert (result.created, result.unchanged, result.people_created) == (0, 1, 0)


def test_a_changed_row_updates_its_case_in_place(network, tmp_path, make_member):
    path = write_csv(
        tmp_path / "c.csv", [row(network), row(network, dossier_id="LP-2", bsn=OTHER_BSN)]
    )
    run_import(path)
    case = Case.objects.get(dossier_id="LP-2025-001")
    write_csv(
        path,
        [
            row(
                network,
                startdatum="2025-01-31",
                aanbod_datum="2025-02-10",
                einddatum="2025-03-01",
                uitkomst="terug_naar_school",
                achternaam="Jansen-de Boer",
            ),
            row(network, dossier_id="LP-2", bsn=OTHER_BSN),
        ],
    )
    result, run = run_import(path)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert result.people_updated == 1
    updated = Case.objects.get(pk=case.pk)
    assert (updated.start_date, updated.offer_date, updated.end_date, updated.outcome) == (
        D(2025, 1, 31),
        D(2025, 2, 10),
        D(2025, 3, 1),
        "terug_naar_school",
    )
    assert updated.pact_deadline == D(2025, 4, 30)  # derived again
    assert updated.import_run == run
    assert updated.last_movement_on == TODAY.date()
    assert updated.young_person.family_name == "Jansen-de Boer"
    assert Case.objects.count() == 2

    change = AuditEvent.objects.get(action="cases.case.update")
    assert change.target_id == str(case.pk)
    assert change.before["start_date"] == "2025-01-06"
    assert change.after["start_date"] == "2025-01-31"
    assert change.after["outcome"] == "terug_naar_school"
    assert change.reason == f"import {run.pk}"
    renamed = AuditEvent.objects.get(action="cases.young_person.update")
    assert renamed.after == {"fields": ["family_name"]}  # which field, never its value
    assert verification.verify().ok  # before and after as JSON text, hashed as read back


def test_a_dry_run_checks_and_counts_but_writes_nothing(network, tmp_path):
    path = write_csv(tmp_path / "c.csv", [row(network)])
    result, run = run_import(path, dry_run=True)
    assert (result.created, result.dry_run) == (1, True)
    assert not Case.objects.exists()
    assert not YoungPerson.objects.exists()
    assert not AuditEvent.objects.exists()
    run.refresh_from_db()
    assert (run.status, run.dry_run, run.created_count) == (ImportStatus.DONE, True, 1)


def test_big_files_are_written_in_batches(network, tmp_path, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_SIZE", 7)
    rows = [
        row(network, dossier_id=f"LP-{n}", bsn=bsn_near(200_000_000 + n * 50)) for n in range(30)
    ]
    # The same young person again in a later batch: found, not created twice.
    rows.append(row(network, dossier_id="LP-again", bsn=rows[0]["bsn"]))
    path = write_csv(tmp_path / "c.csv", rows)
    result, _run = run_import(path)
    assert (result.created, result.people_created) == (31, 30)
    assert YoungPerson.objects.count() == 30


def test_a_problem_in_a_late_batch_undoes_the_batches_already_written(
    network, tmp_path, monkeypatch
):
    """Batches are written as they are checked; a problem in the last row rolls all of
    them back."""
    monkeypatch.setattr(importing, "BATCH_SIZE", 7)
    rows = [
        row(network, dossier_id=f"LP-{n}", bsn=bsn_near(200_000_000 + n * 50)) for n in range(30)
    ]
    rows.append(row(network, dossier_id="LP-bad", brin6="99ZZ99"))
    path = write_csv(tmp_path / "c.csv", rows)
    problems = problems_of(path)
    assert problems == ["Rij 32, kolom 'brin6': '99ZZ99' is geen bekende schoolvestiging."]
    assert not Case.objects.exists()
    assert not YoungPerson.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="cases.case").exists()


def test_a_young_person_again_in_a_later_batch_keeps_the_first_rows_name(
    network, tmp_path, monkeypatch
):
    monkeypatch.setattr(importing, "BATCH_SIZE", 2)
    rows = [
        row(network, dossier_id="LP-1", voornaam="Noor"),
        row(network, dossier_id="LP-2", bsn=OTHER_BSN),
        row(network, dossier_id="LP-3", voornaam="Nora"),
    ]
    result, _run = run_import(write_csv(tmp_path / "c.csv", rows))
    assert (result.created, result.people_created, result.people_updated) == (3, 2, 0)
    assert YoungPerson.objects.get(cases__dossier_id="LP-3").given_name == "Noor"
    assert not AuditEvent.objects.filter(action="cases.young_person.update").exists()


# ------------------------------------------------------------------ audit and scope


def test_the_audit_has_one_row_per_case_and_one_for_the_import(network, tmp_path, people):
    path = write_csv(
        tmp_path / f"leerlingen_{BSN}.csv",
        [row(network), row(network, dossier_id="LP-2", bsn=OTHER_BSN)],
    )
    result, run = run_import(path, actor=people["leerplicht"])
    created = AuditEvent.objects.filter(action="cases.case.create").order_by("target_id")
    assert [event.target_id for event in created] == [
        str(pk) for pk in Case.objects.order_by("pk").values_list("pk", flat=True)
    ]
    first = created[0]
    assert first.actor == people["leerplicht"]
    assert first.organisation == network.office  # the office through which they work
    assert first.after["dossier_id"] == "LP-2025-001"
    assert first.reason == f"import {run.pk}"
    summary = AuditEvent.objects.get(action="cases.import")
    assert summary.target_id == str(run.pk)
    assert summary.after["sha256"] == result.sha256
    assert summary.after["created"] == 2
    assert summary.after["rows"] == 2
    assert summary.organisation == network.office
    everything = json.dumps(list(AuditEvent.objects.values()), default=str)
    for personal in (BSN, OTHER_BSN, "Noor", "Jansen", "2011-05-04"):
        assert personal not in everything


def test_leerplicht_imports_only_for_its_own_gemeenten(network, tmp_path, people):
    path = write_csv(
        tmp_path / "c.csv", [row(network, woongemeente="GM0556", brin6=network.other_school.code)]
    )
    assert problems_of(path, actor=people["leerplicht"]) == [
        "Rij 2, kolom 'woongemeente': je werkt niet voor Maassluis (GM0556): importeer alleen "
        "casussen van de gemeenten van je eigen leerplichtbureau."
    ]
    # The other office may.
    result, _run = run_import(path, actor=people["leerplicht_elders"])
    assert result.created == 1


def test_a_dossier_of_another_gemeente_is_not_taken_over(network, tmp_path, people, case):
    path = write_csv(
        tmp_path / "c.csv", [row(network, dossier_id=case.dossier_id, woongemeente="GM0556")]
    )
    problems = problems_of(path, actor=people["leerplicht_elders"])
    assert (
        "Rij 2, kolom 'dossier_id': dit dossier staat in het register bij een gemeente waarvoor je niet werkt."
        in problems
    )


# ------------------------------------------------------------------ the parts


def test_the_compact_index_keeps_the_first_value_and_grows():
    index = importing._CompactIndex(capacity=4)
    assert index.setdefault(12345, 2) is None
    assert index.setdefault(12345, 3) == 2
    for n in range(1, 5000):
        assert index.setdefault(n * 7919, n) is None
    assert index.setdefault(7919 * 4321, 0) == 4321
    assert index.setdefault(0, 9) is None  # 0 is stored as 1 (empty marker)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-09-01", D(2024, 9, 1)),
        ("01-09-2024", D(2024, 9, 1)),
        ("1-9-2024", D(2024, 9, 1)),
        ("2024-9-1", D(2024, 9, 1)),
    ],
)
def test_dates_are_read_both_ways(text, expected):
    assert importing.parse_date(text) == expected


@pytest.mark.parametrize("text", ["2024-02-30", "20240901", "01/09/2024", "24-09-01", "٢٠٢٤-09-01"])
def test_other_dates_are_refused(text):
    with pytest.raises(ValueError):
        importing.parse_date(text)


def test_the_row_estimate_counts_lines(tmp_path):
    path = tmp_path / "c.csv"
    path.write_bytes(b"a,b\n1,2\n3,4")
    assert importing.estimate_rows(path) == 2
    path.write_bytes(b"a,b\r\n1,2\r\n")
    assert importing.estimate_rows(path) == 1


def test_the_import_elfproef_is_the_validators_elfproef():
    import random

    from kansrijk.organisations.validators import is_valid_onderwijsnummer

    rng = random.Random(11)
    numbers = [f"{rng.randrange(10**9):09d}" for _ in range(20_000)]
    numbers += [f"10{rng.randrange(10**7):07d}" for _ in range(20_000)]
    numbers += ["000000000", "12345678", "1234567890", "12345678a", "１２３４５６７８２"]
    for number in numbers:
        rest = importing._elfproef_rest(number)
        assert (number != "000000000" and rest == 0) == is_valid_bsn(number), number
        assert (number.startswith("10") and rest == 5) == is_valid_onderwijsnummer(number), number


def test_the_example_of_the_documentation_imports(network, tmp_path, settings):
    """docs/formats/cases-import.md: the example file, as written there."""
    from kansrijk.testing import factories

    text = (settings.BASE_DIR / "docs" / "formats" / "cases-import.md").read_text()
    example = text.split("```csv\n", 1)[1].split("```", 1)[0]
    for code in ("03QL00", "02EH00"):
        factories.SchoolFactory(code=code, municipality=network.beverwijk)
    path = tmp_path / "voorbeeld.csv"
    path.write_text(example, encoding="utf-8")
    result, _run = run_import(path)
    assert (result.created, result.people_created) == (3, 3)
    assert Case.objects.get(dossier_id="LP-2024-0118").outcome == "andere_school"
