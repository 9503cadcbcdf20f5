"""The register's commands: the quarterly report on file (CSV, XLSX and PDF opened and
read back), the afstemming from the command line, and the rotation of the encryption key
(old key only → [new, old] → rotate → [new]: every number still decrypts and is found)."""

from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.test import override_settings

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import crypto, reporting, services
from kansrijk.cases.models import ReportedCount, YoungPerson
from kansrijk.cases.tests.test_reporting import P, register  # noqa: F401 (fixture)
from kansrijk.organisations.models import Organisation

DEFINITION_OCW = str(reporting.DEFINITIONS["ocw"])
DEFINITION_5A = str(reporting.DEFINITIONS["ocw_5a"])


def squashed(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00ad", "").replace("\ufffe", "")).strip()


def pdf_text(content: bytes) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(content)
    try:
        return squashed(" ".join(page.get_textpage().get_text_range() for page in pdf))
    finally:
        pdf.close()


def run_report(tmp_path, *args, fmt="csv", name="rapport"):
    target = tmp_path / f"{name}.{fmt}"
    err = io.StringIO()
    call_command(
        "thuiszitters_report",
        "--peildatum",
        P.isoformat(),
        "--format",
        fmt,
        "-o",
        str(target),
        *args,
        stderr=err,
    )
    return target, err.getvalue()


# ------------------------------------------------------------------ thuiszitters_report


def test_report_as_csv_has_the_counts_of_the_whole_register(register, tmp_path):  # noqa: F811
    target, message = run_report(tmp_path, "--niveau", "gemeente", "--definitie", "ocw")
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    beverwijk = next(row for row in rows if row["code"] == "GM0375")
    assert beverwijk["thuiszitters"] == "9"
    assert beverwijk["pact_overschreden"] == "2"
    assert beverwijk["per_1000_leerlingen"] == "36.0"
    assert all(row["definitie"] == "ocw" and row["peildatum"] == "2024-03-31" for row in rows)
    assert rows[-1]["code"] == "totaal" and rows[-1]["thuiszitters"] == "10"
    assert "10 thuiszitters op 2024-03-31" in message


def test_report_as_xlsx(register, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    target, _message = run_report(
        tmp_path, "--niveau", "school", "--definitie", "ocw_5a", fmt="xlsx"
    )
    workbook = load_workbook(target)
    sheet = workbook["Thuiszitters"]
    header = [cell.value for cell in sheet[1]]
    rows = [
        dict(zip(header, [cell.value for cell in row], strict=True))
        for row in sheet.iter_rows(min_row=2)
    ]
    school = next(row for row in rows if row["code"] == "07NU00")
    assert school["thuiszitters"] == 9  # the 8 of ocw and K, the vrijstelling 5 onder a
    assert school["vrijstelling_5_onder_a"] == 1
    assert school["definitie"] == "ocw_5a"
    no_school = next(row for row in rows if row["naam"] and "zonder school" in row["naam"])
    assert no_school["thuiszitters"] == 2
    notes = {row[0].value: row[1].value for row in workbook["Toelichting"].iter_rows(min_row=2)}
    assert "ocw of ocw_5a" in notes["definitie"]


def test_report_as_pdf_prints_the_definition_and_the_numbers(register, tmp_path):  # noqa: F811
    target, _message = run_report(
        tmp_path, "--niveau", "gemeente", "--definitie", "ocw_5a", fmt="pdf"
    )
    content = target.read_bytes()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert squashed(DEFINITION_5A) in text
    assert "Beverwijk" in text and "Castricum" in text
    # Beverwijk's row under ocw_5a: 10 thuiszitters, 40,0 per 1.000 pupils.
    assert re.search(r"Beverwijk 10 5 4 1 ", text), text
    assert "40,0" in text


def test_report_pdf_of_the_ocw_definition(register, tmp_path):  # noqa: F811
    target, _message = run_report(tmp_path, "--niveau", "swv", fmt="pdf")
    text = pdf_text(target.read_bytes())
    assert squashed(DEFINITION_OCW) in text
    assert "PO2711" in text


def test_openbaar_suppresses_small_numbers(register, tmp_path):  # noqa: F811
    target, message = run_report(tmp_path, "--niveau", "gemeente", "--openbaar")
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    castricum = next(row for row in rows if row["code"] == "GM0383")
    assert castricum["thuiszitters"] == "<5"  # O alone
    # Secondary suppression: Beverwijk's 9 would give away Castricum's 1 beside the total.
    # It is hidden with its own marker: "<5" would say something false about a 9.
    beverwijk = next(row for row in rows if row["code"] == "GM0375")
    assert beverwijk["thuiszitters"] == "."
    assert "geheim" in beverwijk["verklaring_tekens"]
    assert rows[-1]["code"] == "totaal" and rows[-1]["thuiszitters"] == "10"
    assert "afgeschermd" in message


def test_report_to_stdout(register, capsysbinary):  # noqa: F811
    call_command("thuiszitters_report", "--peildatum", "2024-03-31", "--niveau", "rmc", "-o", "-")
    out = capsysbinary.readouterr().out.decode("utf-8-sig")
    assert "RMC12" in out and "RMC13" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--peildatum", "31-03-2024", "--niveau", "gemeente"], "geen geldige peildatum"),
        (["--peildatum", "2024-02-30", "--niveau", "gemeente"], "geen geldige peildatum"),
        (["--peildatum", "2024-03-31", "--niveau", "provincie"], "Onbekend niveau 'provincie'"),
        (
            ["--peildatum", "2024-03-31", "--niveau", "school", "--definitie", "5a"],
            "Onbekende definitie '5a'",
        ),
        (
            ["--peildatum", "2024-03-31", "--niveau", "school", "--format", "docx"],
            "Onbekend formaat 'docx'",
        ),
    ],
)
def test_report_refuses_bad_arguments_in_dutch(db, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("thuiszitters_report", *args, "-o", str(tmp_path / "x.csv"))
    assert not (tmp_path / "x.csv").exists()


def test_report_refuses_a_missing_directory(db, tmp_path):
    with pytest.raises(CommandError, match="bestaat niet"):
        call_command(
            "thuiszitters_report",
            "--peildatum",
            "2024-03-31",
            "--niveau",
            "school",
            "-o",
            str(tmp_path / "nergens" / "x.csv"),
        )


# ------------------------------------------------------------------ reconcile_counts


def test_reconcile_counts_reads_a_file_and_lists_the_differences(register, tmp_path):  # noqa: F811
    school = register["school"]
    path = tmp_path / "opgave.csv"
    path.write_text(
        "peildatum,brin6,aantal,woongemeente\n2024-03-31,07NU00,6,GM0375\n2024-03-31,07NU00,1,\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("reconcile_counts", str(path), stdout=out)
    text = out.getvalue()
    assert "2 nieuw, 0 gewijzigd, 0 ongewijzigd" in text
    # The register counts 8 at the school (B C D E F G H J); the school reported 7.
    assert f"07NU00 {school.name}: opgegeven 7, register 8, verschil -1 (verschil)" in text
    assert "GM0375 Beverwijk: opgegeven 6, register 8, verschil -2 (verschil)" in text
    assert "niet toegewezen): 1" in text
    # The same file again changes nothing.
    out = io.StringIO()
    call_command("reconcile_counts", str(path), stdout=out)
    assert "0 nieuw, 0 gewijzigd, 2 ongewijzigd" in out.getvalue()
    assert ReportedCount.objects.count() == 2


def test_reconcile_counts_writes_the_differences_as_csv(register, tmp_path):  # noqa: F811
    services.report_count(actor=None, reference_date=P, school=register["school"], count=8)
    target = tmp_path / "verschillen.csv"
    call_command(
        "reconcile_counts", "--peildatum", "2024-03-31", "--definitie", "ocw_5a", "-o", str(target)
    )
    rows = list(csv.DictReader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    # Under ocw_5a the register counts 9 at the school (B C D E F G H J and K), all living
    # in Beverwijk; the school reported 8 without naming a woongemeente.
    assert [
        (
            row["niveau"],
            row["code"],
            row["opgegeven"],
            row["register"],
            row["verschil"],
            row["status"],
        )
        for row in rows
    ] == [
        ("school", "07NU00", "8", "9", "-1", "verschil"),
        ("woongemeente", "GM0375", "", "9", "-9", "geen_opgave"),
        ("woongemeente", "niet_toegewezen", "8", "", "", "niet_toegewezen"),
    ]
    assert {row["peildatum"] for row in rows} == {"2024-03-31"}
    assert {row["definitie"] for row in rows} == {"ocw_5a"}


def test_reconcile_counts_rejects_a_bad_file_and_writes_nothing(register, tmp_path):  # noqa: F811
    path = tmp_path / "opgave.csv"
    path.write_text("peildatum;brin6;aantal\n2024-03-31;07NU00;2\n2024-13-01;99ZZ99;-1\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="niets opgeslagen"):
        call_command("reconcile_counts", str(path), stderr=err)
    assert "Rij 3, kolom 'peildatum'" in err.getvalue()
    assert "Rij 3, kolom 'brin6': '99ZZ99' is geen bekende schoolvestiging." in err.getvalue()
    assert "Rij 3, kolom 'aantal'" in err.getvalue()
    assert not ReportedCount.objects.exists()


def test_reconcile_counts_needs_a_peildatum_or_a_file(db):
    with pytest.raises(CommandError, match="Geef een peildatum"):
        call_command("reconcile_counts")
    with pytest.raises(CommandError, match="geen geldige peildatum"):
        call_command("reconcile_counts", "--peildatum", "gisteren")
    with pytest.raises(CommandError, match="Bestand niet gevonden"):
        call_command("reconcile_counts", "/nergens/opgave.csv")


# ------------------------------------------------------------------ rotate_case_keys

BSNS = ["111222333", "123456782", "100000009"]


def test_rotating_the_key(network, tmp_path):
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        for number in BSNS:
            services.register_young_person(
                actor=None,
                identifier_kind="bsn",
                identifier=number,
                birth_date=datetime.date(2011, 5, 4),
                municipality=network.beverwijk,
            )
        old_tokens = dict(YoungPerson.objects.values_list("pk", "identifier_encrypted"))
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]):
        # Before the rotation: new key first, old records still readable and findable.
        assert all(services.find_young_person(number) for number in BSNS)
        out, err = io.StringIO(), io.StringIO()
        call_command("rotate_case_keys", "--batch-size", "2", stdout=out, stderr=err)
        assert "3 nummer(s) opnieuw versleuteld" in out.getvalue()
        for number in BSNS:
            assert number not in out.getvalue() + err.getvalue()
        rotated = dict(YoungPerson.objects.values_list("pk", "identifier_encrypted"))
        assert all(rotated[pk] != token for pk, token in old_tokens.items())
        # Again: nothing left to do, nothing changes.
        out = io.StringIO()
        call_command("rotate_case_keys", stdout=out)
        assert "0 nummer(s) opnieuw versleuteld" in out.getvalue()
        assert "3 stond(en) er al onder" in out.getvalue()
        assert dict(YoungPerson.objects.values_list("pk", "identifier_encrypted")) == rotated
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        # The old key is gone: every number decrypts and is found under the new key alone.
        for number in BSNS:
            person = services.find_young_person(number)
            assert person is not None and person.identifier() == number
            assert person.identifier_hash == crypto.identifier_hash(number)
    events = AuditEvent.objects.filter(action="cases.young_person.rotate_keys").order_by("pk")
    assert [event.after["rotated"] for event in events] == [3, 0]
    assert all(number not in str(event.after) for event in events for number in BSNS)


def test_rotation_stops_when_a_key_is_missing(network):
    old_key = Fernet.generate_key().decode()
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        person = services.register_young_person(
            actor=None,
            identifier_kind="bsn",
            identifier=BSNS[0],
            birth_date=datetime.date(2011, 5, 4),
            municipality=network.beverwijk,
        )
    token = person.identifier_encrypted
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]),
        pytest.raises(CommandError, match=f"Jongere {person.pk}: geen sleutel"),
    ):
        call_command("rotate_case_keys")
    person.refresh_from_db()
    assert person.identifier_encrypted == token
    assert not AuditEvent.objects.filter(action="cases.young_person.rotate_keys").exists()


def test_a_rotation_stopped_half_way_keeps_what_it_did_and_the_next_run_finishes(network):
    # Each batch commits on its own (no lock on the whole register for minutes): a number
    # no key can read stops the run after the batches before it, which stay rotated and
    # are audited; with the key back, a second run does the rest.
    old_key, lost_key, new_key = (Fernet.generate_key().decode() for _ in range(3))
    with override_settings(FIELD_ENCRYPTION_KEYS=[old_key]):
        for number in BSNS[:2]:
            services.register_young_person(
                actor=None,
                identifier_kind="bsn",
                identifier=number,
                birth_date=datetime.date(2011, 5, 4),
                municipality=network.beverwijk,
            )
    with override_settings(FIELD_ENCRYPTION_KEYS=[lost_key]):
        last = services.register_young_person(
            actor=None,
            identifier_kind="bsn",
            identifier=BSNS[2],
            birth_date=datetime.date(2011, 5, 4),
            municipality=network.beverwijk,
        )
    with (
        override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key]),
        pytest.raises(CommandError, match=f"Jongere {last.pk}: geen sleutel.*2 nummer"),
    ):
        call_command("rotate_case_keys", "--batch-size", "2", stderr=io.StringIO())
    event = AuditEvent.objects.get(action="cases.young_person.rotate_keys")
    assert (event.after["rotated"], event.after["complete"]) == (2, False)
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key, old_key, lost_key]):
        out = io.StringIO()
        call_command("rotate_case_keys", "--batch-size", "2", stdout=out, stderr=io.StringIO())
        assert "1 nummer(s) opnieuw versleuteld" in out.getvalue()
        assert "2 stond(en) er al onder" in out.getvalue()
    with override_settings(FIELD_ENCRYPTION_KEYS=[new_key]):
        for number in BSNS:
            assert services.find_young_person(number).identifier() == number


def test_rotation_of_an_empty_register(db):
    out = io.StringIO()
    call_command("rotate_case_keys", stdout=out)
    assert "0 nummer(s)" in out.getvalue()
    assert Organisation.objects.count() == 0


# ------------------------------------------------------------------ found while documenting


def test_the_total_rate_counts_the_pupils_of_schools_without_thuiszitters(db):
    from kansrijk.testing import factories

    gemeente = factories.MunicipalityFactory(code="GM0375", name="Beverwijk")
    with_case = factories.SchoolFactory(municipality=gemeente, pupil_count=250)
    factories.SchoolFactory(municipality=gemeente, pupil_count=250)  # no thuiszitter
    factories.CaseFactory(
        category="absoluut", start_date=P, school=with_case, municipality=gemeente
    )
    report = reporting.build_report(peildatum=P, level="school")
    # 1 thuiszitter among the 500 pupils of the gemeente's two schools.
    assert report.total.pupils == 500
    assert str(report.total.per_1000) == "2.0"
