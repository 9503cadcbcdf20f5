"""Participation counts and needs from a spreadsheet: every problem named by row and
column in Dutch, all rows or none, and the same file twice creates no duplicates; the
catalogue as CSV open data, guarded against formula injection."""

from __future__ import annotations

import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kansrijk.audit.models import AuditEvent
from kansrijk.imports.models import JobKind
from kansrijk.imports.tests import batches
from kansrijk.socialmap import exporting, importing, services
from kansrijk.socialmap.models import Need, Participation, Service
from kansrijk.socialmap.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def csv_bytes(rows: list[list]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode("utf-8")


@pytest.fixture
def entry(provider):
    return ServiceFactory(provider=provider, name="Huiswerkbegeleiding", themes=["huiswerk"])


def test_participation_is_imported_all_or_nothing(entry, school, gemeente, partner_trio):
    partner = partner_trio["member"]
    good = [
        ["aanbod", "periode", "school", "gebied", "deelnemers", "illustratief"],
        [str(entry.uuid), "2022/2023", school.code, "", "9", "nee"],
        [str(entry.uuid), "2022/2023", "", gemeente.code, "120", "ja"],
    ]
    report = importing.import_participation(csv_bytes(good), "deelname.csv", actor=partner)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert Participation.objects.get(school=school).participants == 9
    assert Participation.objects.get(region=gemeente).is_illustrative
    audit_rows = AuditEvent.objects.count()
    again = importing.import_participation(csv_bytes(good), "deelname.csv", actor=partner)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Participation.objects.count() == 2 and AuditEvent.objects.count() == audit_rows

    bad = [
        good[0],
        [str(entry.uuid), "2022/2024", school.code, "", "9", ""],
        [str(entry.uuid), "2022/2023", "99ZZ99", "", "negen", ""],
        ["geen-id", "2022/2023", school.code, gemeente.code, "1", "misschien"],
        [str(entry.uuid), "2023/2024", school.code, "", "5", ""],
    ]
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_participation(csv_bytes(bad), "deelname.csv", actor=partner)
    messages = [str(problem) for problem in rejected.value.problems]
    assert (
        "Rij 2, kolom 'periode': '2022/2024' is geen schooljaar: schrijf twee opeenvolgende jaren, zoals 2023/2024."
        in messages
    )
    assert "Rij 3, kolom 'school': er is geen school 99ZZ99 in de referentiedata." in messages
    assert (
        "Rij 3, kolom 'deelnemers': 'negen' is geen aantal: gebruik een heel getal van 0 of meer."
        in messages
    )
    assert "Rij 4, kolom 'aanbod': 'geen-id' is geen id van een aanbod." in messages
    assert "Rij 4, kolom 'school': vul een school óf een gebied in." in messages
    assert "Rij 4, kolom 'illustratief': 'misschien' is geen ja of nee." in messages
    # Nothing of the file was written, not even its good last row.
    assert not Participation.objects.filter(period_label="2023/2024").exists()


def test_participation_only_for_entries_the_importer_maintains(entry, school, partner_trio):
    rows = [
        ["aanbod", "periode", "school", "deelnemers"],
        [str(entry.uuid), "2023", school.code, "3"],
    ]
    for user in (partner_trio["other_role"], partner_trio["other_organisation"]):
        with pytest.raises(importing.ImportRejected, match="je mag het niet bijwerken"):
            importing.import_participation(csv_bytes(rows), "d.csv", actor=user)


def test_participation_from_xlsx_refuses_formulas(entry, school, partner_trio):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["aanbod", "periode", "school", "deelnemers"])
    sheet.append([str(entry.uuid), "2023", school.code, "=2+2"])
    stream = io.BytesIO()
    workbook.save(stream)
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_participation(stream.getvalue(), "d.xlsx", actor=partner_trio["member"])
    assert any("formule" in str(problem) for problem in rejected.value.problems)


def test_the_participation_command(entry, school, tmp_path):
    path = tmp_path / "d.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["aanbod", "periode", "school", "deelnemers"],
                [str(entry.uuid), "2023", school.code, "3"],
            ]
        )
    )
    out = StringIO()
    call_command("import_participation", str(path), stdout=out)
    assert "1 nieuw" in out.getvalue()
    path.write_bytes(csv_bytes([["aanbod", "periode"], [str(entry.uuid), "2023"]]))
    with pytest.raises(CommandError, match="Kolom 'deelnemers': deze kolom ontbreekt"):
        call_command("import_participation", str(path), stdout=StringIO())


def test_needs_are_imported_for_the_own_gemeente(officer_trio, gemeente, wijk, school):
    rows = [
        [
            "gemeente",
            "wijk",
            "school",
            "thema",
            "leeftijd_vanaf",
            "leeftijd_tot_en_met",
            "groep_vanaf",
            "groep_tot_en_met",
            "omschrijving",
            "periode",
            "illustratief",
        ],
        [
            gemeente.code,
            "",
            "",
            "huiswerk",
            "",
            "",
            "6",
            "6",
            "Huiswerkbegeleiding groep 6",
            "2020",
            "nee",
        ],
        [
            "",
            wijk.code,
            "",
            "Sport en bewegen",
            "6",
            "12",
            "",
            "",
            "Sport na school in West",
            "2022",
            "ja",
        ],
        ["", "", school.code, "taal-en-lezen", "4", "6", "", "", "Voorlezen", "", ""],
    ]
    report = importing.import_needs(csv_bytes(rows), "behoeften.csv", actor=officer_trio["member"])
    assert report.created == 3
    assert Need.objects.get(description="Sport na school in West").municipality == gemeente
    again = importing.import_needs(csv_bytes(rows), "behoeften.csv", actor=officer_trio["member"])
    assert (again.created, again.unchanged) == (0, 3) and Need.objects.count() == 3

    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_needs(
            csv_bytes(rows), "behoeften.csv", actor=officer_trio["other_organisation"]
        )
    assert any("je mag geen behoeften vastleggen" in str(p) for p in rejected.value.problems)

    bad = [
        rows[0],
        ["GM9999", "", "", "ruimtevaart", "12", "4", "", "", "", "", ""],
        [gemeente.code, "", "", "huiswerk", "", "", "", "", "Zonder leeftijd", "", ""],
    ]
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_needs(csv_bytes(bad), "behoeften.csv", actor=officer_trio["member"])
    messages = [str(problem) for problem in rejected.value.problems]
    assert (
        "Rij 2, kolom 'gemeente': 'GM9999' is geen bekende gemeentecode, zoals GM0556." in messages
    )
    assert any(
        m.startswith("Rij 2, kolom 'thema': 'ruimtevaart' is geen bekend thema") for m in messages
    )
    assert (
        "Rij 2, kolom 'leeftijd_tot_en_met': deze leeftijd ligt onder 'leeftijd_vanaf'." in messages
    )
    assert "Rij 2, kolom 'omschrijving': beschrijf wat er nodig is." in messages
    assert any(m.startswith("Rij 3, kolom 'leeftijd_vanaf': vul leeftijd_vanaf") for m in messages)


def test_the_catalogue_as_csv_is_guarded_against_formulas(provider, gemeente):
    ServiceFactory(provider=provider, name="=cmd|' /C calc'!A0", themes=["sport"], is_free=True)
    ServiceFactory(provider=provider, name="Concept", status="concept")
    data = exporting.catalogue_csv(Service.objects.published())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(StringIO(data.decode("utf-8-sig"))))
    assert [row["naam"] for row in rows] == ["'=cmd|' /C calc'!A0"]
    assert rows[0]["gratis"] == "ja" and rows[0]["themas"] == "Sport en bewegen"
    assert rows[0]["gemeenten_en_wijken"] == gemeente.name
    assert list(rows[0]) == exporting.COLUMNS


# ------------------------------------------------------------------ batches (decision 0030)


def participation_file(entry, school) -> bytes:
    rows = [["aanbod", "periode", "school", "gebied", "deelnemers", "illustratief"]]
    for year in range(2018, 2023):
        rows.append([str(entry.uuid), f"{year}/{year + 1}", school.code, "", str(year - 2010), ""])
    return csv_bytes(rows)


def needs_file(gemeente) -> bytes:
    header = ["gemeente", "thema", "groep_vanaf", "groep_tot_en_met", "omschrijving", "periode"]
    rows = [header]
    for year in range(2016, 2021):
        rows.append([gemeente.code, "huiswerk", "6", "6", f"Huiswerk {year}", str(year)])
    return csv_bytes(rows)


@pytest.fixture
def importers(entry, school, gemeente, partner_trio, officer_trio):
    """Each kind with a file of five rows, its importer, its uploader and its table."""
    return {
        JobKind.PARTICIPATION: (
            participation_file(entry, school),
            importing.import_participation,
            partner_trio["member"],
            Participation,
            "save_participation",
        ),
        JobKind.NEEDS: (
            needs_file(gemeente),
            importing.import_needs,
            officer_trio["member"],
            Need,
            "save_need",
        ),
    }


@pytest.mark.parametrize("kind", [JobKind.PARTICIPATION, JobKind.NEEDS])
def test_the_file_is_written_in_batches_and_a_dry_run_takes_no_lock(importers, kind, monkeypatch):
    data, importer, actor, model, _service = importers[kind]
    batches.small_batches(monkeypatch)
    with batches.no_transaction_and_no_write():
        checked = importer(data, "rijen.csv", actor=actor, dry_run=True)
    assert checked.summary_lines() == ["5 rijen gecontroleerd"]
    progress = batches.Batches()
    report = importer(data, "rijen.csv", actor=actor, progress=progress)
    assert progress.written == [2, 4, 5] and report.created == 5 and model.objects.count() == 5


@pytest.mark.parametrize("kind", [JobKind.PARTICIPATION, JobKind.NEEDS])
def test_a_job_killed_while_writing_is_completed_without_duplicates(importers, kind, monkeypatch):
    data, _importer, actor, model, _service = importers[kind]
    batches.small_batches(monkeypatch)
    job = batches.kill_after_first_batch(
        monkeypatch, batches.start(actor, data, kind=kind, run=False)
    )
    assert model.objects.count() == 2
    job = batches.sweep_after_the_worker_died(job)
    assert job.status == "klaar" and job.result["summary"] == [
        "3 nieuw, 0 bijgewerkt, 2 ongewijzigd"
    ]
    assert model.objects.count() == 5


@pytest.mark.parametrize("kind", [JobKind.PARTICIPATION, JobKind.NEEDS])
def test_a_row_refused_while_writing_is_named(importers, kind, monkeypatch):
    data, importer, actor, model, service = importers[kind]
    batches.small_batches(monkeypatch)
    batches.refuse_third_call(monkeypatch, services, service)
    with pytest.raises(importing.ImportRejected) as caught:
        importer(data, "rijen.csv", actor=actor)
    batches.assert_stopped_at(caught.value, row=4)
    assert model.objects.count() == 2
