"""``kansrijk import_cases FILE [--dry-run]``: the summary on stdout, progress on stderr,
and a rejected file gives a non-zero exit code with every problem on stderr."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from kansrijk.cases.management.commands.import_cases import ProgressBar
from kansrijk.cases.models import Case, ImportRun, ImportStatus

from .conftest import BSN
from .test_importing import frozen_today, row, write_csv  # noqa: F401 - the fixture


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def call(*args, stderr=None):
    stdout, stderr = io.StringIO(), stderr or io.StringIO()
    call_command("import_cases", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_the_command_imports_and_reports(network, tmp_path):
    path = write_csv(tmp_path / "cases.csv", [row(network), row(network, dossier_id="LP-2")])
    stdout, stderr = call(str(path))
    assert "Het bestand is geïmporteerd" in stdout
    assert "2 rijen: 2 casussen nieuw, 0 bijgewerkt, 0 ongewijzigd" in stdout
    assert "Controleren: 100 %" in stderr and "Opslaan: 100 %" in stderr
    assert Case.objects.count() == 2
    run = ImportRun.objects.get()
    assert (run.status, run.uploaded_by, run.original_name) == (
        ImportStatus.DONE,
        None,
        "cases.csv",
    )
    assert path.exists()  # the command leaves the user's own file alone

    stdout, _stderr = call(str(path))
    assert "0 casussen nieuw, 0 bijgewerkt, 2 ongewijzigd" in stdout


def test_a_dry_run_writes_nothing(network, tmp_path):
    path = write_csv(tmp_path / "cases.csv", [row(network)])
    stdout, _stderr = call(str(path), "--dry-run")
    assert "er is niets opgeslagen" in stdout
    assert "1 casussen nieuw" in stdout
    assert not Case.objects.exists()


def test_a_rejected_file_exits_non_zero_with_the_problems_on_stderr(network, tmp_path):
    path = write_csv(
        tmp_path / "cases.csv",
        [row(network), row(network, dossier_id="LP-2", bsn="111222334", brin6="99ZZ99")],
    )
    stderr = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call(str(path), stderr=stderr)
    assert str(raised.value) == (
        "Het bestand is niet geïmporteerd: 2 problemen gevonden. Er is niets opgeslagen."
    )
    lines = stderr.getvalue()
    assert "Rij 3, kolom 'bsn': dit is geen geldig BSN" in lines
    assert "Rij 3, kolom 'brin6': '99ZZ99' is geen bekende schoolvestiging." in lines
    assert "111222334" not in lines and BSN not in lines
    assert not Case.objects.exists()


def test_the_exit_code_is_not_zero(network, tmp_path):
    from django.core.management import ManagementUtility

    path = write_csv(tmp_path / "cases.csv", [row(network, bsn="111222334")])
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["kansrijk", "import_cases", str(path)]).execute()
    assert exited.value.code == 1


def test_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="bestaat niet"):
        call(str(tmp_path / "nergens.csv"))


def test_on_a_terminal_the_bar_is_redrawn_in_place():
    stream = Terminal()
    from django.core.management.base import OutputWrapper

    bar = ProgressBar(OutputWrapper(stream), interactive=True)
    bar("controleren", 0, 200)
    bar("controleren", 100, 200)
    bar("controleren", 200, 200)
    bar("opslaan", 200, 200)
    text = stream.getvalue()
    assert text.count("\r") == 4
    assert "\rControleren  [" in text and " 50% 100/200" in text
    assert text.endswith("100% 200/200\n")


def test_elsewhere_a_line_every_ten_percent():
    from django.core.management.base import OutputWrapper

    stream = io.StringIO()
    bar = ProgressBar(OutputWrapper(stream), interactive=False)
    for done in range(0, 1001, 25):
        bar("controleren", done, 1000)
    lines = stream.getvalue().splitlines()
    assert lines == [f"Controleren: {tenth * 10} % ({tenth * 100}/1000)" for tenth in range(11)]
    assert "\r" not in stream.getvalue()
