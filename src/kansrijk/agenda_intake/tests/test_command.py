"""``kansrijk import_agenda_document``: the summary, the JSON, the progress on stderr, a
refusal with exit status 1, and nothing saved."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kansrijk.agenda_intake import samples

pytestmark = pytest.mark.django_db

TEXT = """Uitvoeringsagenda jeugd Zuidstad 2024-2025

Doel 1: Elk kind zwemt.

Acties:

- We geven schoolzwemmen in groep 5, vanaf september 2024.
"""


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_agenda_document", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_summary_json_and_progress(tmp_path):
    from kansrijk.agenda.models import Agenda

    document = tmp_path / "agenda.docx"
    document.write_bytes(samples.docx_from_text(TEXT))
    target = tmp_path / "voorstel.json"
    out, err = run(str(document), "--owner", "GM9901", "--json", str(target))
    assert "Document: agenda.docx (docx, 1 pagina's)" in out
    assert "Looptijd: 2024 tot en met 2025" in out
    assert "  goal: 1" in out and "  activity: 1" in out
    assert (
        "Niet geplaatst: 1 passages\n  alinea 1: Uitvoeringsagenda jeugd Zuidstad 2024-2025\n"
        in out
    )
    assert "s per pagina" in out
    assert "Word-document lezen: 1/1" in err
    proposal = json.loads(target.read_text(encoding="utf-8"))
    (activity,) = [item for item in proposal["items"] if item["kind"] == "activity"]
    assert activity["fields"]["months"][0] == "2024-09"
    assert proposal["agenda"]["owners"] == ["GM9901"]
    assert not Agenda.objects.exists()


def test_an_unreadable_file_gives_its_message_and_status_1(tmp_path):
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(samples.scanned_pdf())
    with pytest.raises(CommandError) as caught:
        run(str(scan))
    assert caught.value.returncode == 1
    assert str(caught.value).startswith("De PDF bevat geen tekst, alleen afbeeldingen")


def test_a_huge_file_is_refused_without_reading_it(tmp_path):
    huge = tmp_path / "groot.pdf"
    with huge.open("wb") as sparse:
        sparse.truncate(200 * 1024 * 1024)  # a sparse file: no 200 MB written or read
    with pytest.raises(CommandError, match="te groot"):
        run(str(huge))


def test_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="niet gevonden"):
        run(str(tmp_path / "weg.docx"))
