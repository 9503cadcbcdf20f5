"""No cell crashes an importer: every column of every spreadsheet importer gets every
hostile value (NUL, numbers too big for any column or for Decimal, impossible dates,
formulas, long and odd text), and the importer either imports or refuses the file with
Dutch problems; it never raises anything else."""

import csv
import io
import uuid

import pytest

from kansrijk.agenda import exporting as agenda_exporting
from kansrijk.agenda import importing as agenda_importing
from kansrijk.agenda.tests.test_export import make_small_agenda
from kansrijk.cases import reconciliation
from kansrijk.imports import ImportRejected
from kansrijk.indicators import importing as indicator_importing
from kansrijk.socialmap import importing as socialmap_importing

pytestmark = pytest.mark.django_db

# A NUL refuses the whole file while it is read, so it gets a file of its own.
NUL = ["a\x00b"]
HOSTILE = [
    "1e999999",
    "99999999999999999999999",
    "-1e30",
    "NaN",
    "Infinity",
    "9999-99-99",
    "0000-01-01",
    "2024-02-30",
    "=1+1",
    "@SUM(A1)",
    "x" * 5000,
    "€ 1.234,56",
    "\U0001f4a5" * 10,
    "\u202e",
    " ",
    "-0",
    "0x1F",
    str(uuid.UUID(int=0)),
    "GM0000|GM9999",
]


def _csv(columns, base: dict, column: str, values) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(columns)
    for number, value in enumerate(values):
        row = {**base, "external_id": f"x{number}", column: value}
        writer.writerow([row.get(c, "") for c in columns])
    return stream.getvalue().encode()


def _survives(run, data: bytes) -> None:
    try:
        run(data, "vijandig.csv")
    except ImportRejected as rejected:
        assert rejected.problems
        assert all(str(problem) for problem in rejected.problems)


def test_agenda_columns(tmp_path):
    agenda = make_small_agenda(tmp_path)
    columns = list(agenda_exporting.COLUMNS)
    base = {"type": "activity", "title": "Titel"}
    for column in columns:
        for values in (HOSTILE, NUL):
            data = _csv(columns, base, column, values)
            _survives(lambda d, n: agenda_importing.import_file(agenda, d, n, actor=None), data)


@pytest.mark.parametrize(
    ("run", "columns", "base"),
    [
        (
            lambda d, n: indicator_importing.import_file(d, n, actor=None),
            indicator_importing.COLUMNS,
            {
                "indicator": "X",
                "periode": "2024",
                "periode_start": "2024-01-01",
                "periode_eind": "2024-12-31",
                "regio": "GM0375",
                "waarde": "1",
            },
        ),
        (
            lambda d, n: socialmap_importing.import_participation(d, n, actor=None),
            socialmap_importing.PARTICIPATION_COLUMNS,
            {"aanbod": str(uuid.uuid4()), "periode": "2024", "deelnemers": "3"},
        ),
        (
            lambda d, n: socialmap_importing.import_needs(d, n, actor=None),
            socialmap_importing.NEED_COLUMNS,
            {"thema": "x", "omschrijving": "y", "gemeente": "GM0375"},
        ),
        (
            lambda d, n: reconciliation.import_counts(d, n, actor=None),
            reconciliation.COLUMNS,
            {"peildatum": "2024-10-01", "brin6": "08WT00", "aantal": "2"},
        ),
    ],
    ids=["metingen", "deelname", "behoeften", "telling"],
)
def test_other_importers_columns(run, columns, base):
    for column in columns:
        for values in (HOSTILE, NUL):
            _survives(run, _csv(list(columns), base, column, values))
