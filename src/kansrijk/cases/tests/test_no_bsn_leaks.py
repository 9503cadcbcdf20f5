"""No BSN outside the encrypted column: not in a log line, an address, an error report, an
audit row, a session or any other column of any table.

One journey through the register as leerplicht does it (a search by number, a new case,
a number shown on request, a form with a wrong number, the API, a download, an import on
the command line and one uploaded in the web, a rejected import, a request that crashes),
with every logger at DEBUG and every SQL statement logged with its parameters. Then the
traces it left are searched for the numbers, with and without spaces, in the plain log
lines and in the JSON lines of ``KANSRIJK_LOG_FORMAT=json`` (decision 0043)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, models
from django.db.models.functions import Cast
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.views.debug import ExceptionReporter
from rest_framework.test import APIClient

from kansrijk import kept_files
from kansrijk.cases import importing, services
from kansrijk.cases.models import CaseEvent, YoungPerson
from kansrijk.operations.logs import JsonFormatter, RequestContextFilter
from kansrijk.storage.models import KeptChunk, KeptFile
from kansrijk.testing.documents import fetch_document

from .conftest import BSN
from .test_importing import frozen_today, row, write_csv  # noqa: F401 - the fixture
from .test_views import new_case_data

pytestmark = pytest.mark.django_db

NEW_BSN = "123456708"  # opened in the web
COMMAND_BSN = "246813581"  # imported on the command line
UPLOAD_BSN = "246813593"  # imported in the web
REJECTED_BSN = "246813611"  # in a file that is rejected: never registered
API_BSN = "246813623"  # opened through the API
NUMBERS = (BSN, NEW_BSN, COMMAND_BSN, UPLOAD_BSN, REJECTED_BSN, API_BSN)


def spellings(number: str) -> tuple[str, ...]:
    return (number, f"{number[:3]} {number[3:6]} {number[6:]}", f"{number[:4]}.{number[4:6]}")


def leaked_numbers(text: str) -> list[str]:
    return [spelling for number in NUMBERS for spelling in spellings(number) if spelling in text]


class Recorder(logging.Handler):
    """Every record, formatted with its traceback, as a logging handler would write it:
    as plain text and as the JSON line of KANSRIJK_LOG_FORMAT=json."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.addFilter(RequestContextFilter())
        self.json_formatter = JsonFormatter()
        self.lines: list[str] = []
        self.json_lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)
        self.lines.append(self.format(record))
        self.json_lines.append(self.json_formatter.format(record))


@pytest.fixture
def logged():
    """A recorder on the root logger and on every logger that does not propagate, all at
    DEBUG for the duration of the test."""
    recorder = Recorder()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    previous = [(logger, logger.level) for logger in loggers]
    for logger in loggers:
        logger.addHandler(recorder)
        logger.setLevel(logging.DEBUG)
    # The SQL of every statement, with its parameters, goes to django.db.backends.
    logging.getLogger("django.db.backends").setLevel(logging.DEBUG)
    try:
        with CaptureQueriesContext(connection):
            yield recorder
    finally:
        for logger, level in previous:
            logger.removeHandler(recorder)
            logger.setLevel(level)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


class Addresses:
    """Every address requested and every address redirected to."""

    def __init__(self):
        self.seen: list[str] = []

    def note(self, path: str, response):
        self.seen.append(path)
        if response.has_header("Location"):
            self.seen.append(response["Location"])
        return response


def text_columns_holding(number: str) -> list[str]:
    """Every char, text and JSON column of every table that contains ``number``, searched
    in the database (a JSON column as its text)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField | models.JSONField):
                continue
            as_text = Cast(field.name, models.TextField())
            for spelling in spellings(number):
                hits = (
                    model._default_manager.annotate(_as_text=as_text)
                    .filter(_as_text__contains=spelling)
                    .count()
                )
                if hits:
                    found.append(f"{model._meta.db_table}.{field.column}: {spelling}")
    return found


def test_no_number_leaves_the_encrypted_column(
    login,
    people,
    network,
    case,
    tmp_path,
    media,
    logged,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    client = login(people["leerplicht"])
    addresses = Addresses()

    def get(path, **params):
        return addresses.note(path, client.get(path, params))

    def post(path, data, **extra):
        return addresses.note(path, client.post(path, data, **extra))

    # Search by number, the same number with spaces, and a number failing the elfproef.
    # Once in the query string, as a careless link would: the access line names the
    # route, never the path with its query.
    get(reverse("cases:list"), nummer=BSN)
    assert post(reverse("cases:list"), {"nummer": BSN}).status_code == 200
    assert post(reverse("cases:list"), {"nummer": "111 222 333"}).status_code == 200
    assert post(reverse("cases:list"), {"nummer": "111222334"}).status_code == 400

    # A new case for a new young person, and the same form with a wrong number.
    opened = post(reverse("cases:new"), new_case_data(network))
    assert opened.status_code == 302
    assert post(reverse("cases:new"), new_case_data(network, identifier="123456709")).status_code
    new_person = services.find_young_person(NEW_BSN)
    assert new_person is not None
    new_case = new_person.cases.get()

    # The pages of both cases and young people; the number shown on request.
    for path in (
        reverse("cases:worklist"),
        reverse("cases:detail", args=[case.pk]),
        reverse("cases:detail", args=[new_case.pk]),
        reverse("cases:young_person", args=[new_person.pk]),
        reverse("cases:report"),
    ):
        assert get(path).status_code == 200, path
    shown = post(reverse("cases:reveal_identifier", args=[new_case.pk]), {})
    assert NEW_BSN in shown.content.decode()  # in the page body, on request, for leerplicht
    assert post(reverse("cases:young_person_reveal", args=[case.young_person.pk]), {})
    for fmt in ("csv", "xlsx"):
        # The link starts a job; its status page and its file are answers to watch too.
        path = reverse("cases:report_download", args=[fmt])
        addresses.note(path, fetch_document(client, path, {"peildatum": "2024-03-31"}))

    # The API, read by leerplicht.
    api = APIClient()
    api.force_authenticate(people["leerplicht"])
    for path in ("/api/v1/cases", f"/api/v1/cases/{case.pk}"):
        assert addresses.note(path, api.get(path)).status_code == 200
    # A case opened through the API, after a first try with a wrong birth date for an
    # existing number (the error must not repeat the number).
    intake = {
        "identifier": API_BSN,
        "birth_date": "2012-05-06",
        "municipality": network.beverwijk.code,
        "category": "absoluut",
        "start_date": "2024-02-05",
    }
    assert api.post("/api/v1/cases", intake, format="json").status_code == 201
    wrong = api.post("/api/v1/cases", {**intake, "birth_date": "2012-05-07"}, format="json")
    assert wrong.status_code == 400
    addresses.note("/api/v1/cases", wrong)

    # An import on the command line and one uploaded in the web; a file that is rejected.
    command_file = write_csv(
        tmp_path / f"export_{COMMAND_BSN}.csv",
        [row(network, dossier_id="LP-CMD-1", bsn=COMMAND_BSN, geboortedatum="2011-02-03")],
    )
    call_command("import_cases", str(command_file), stdout=sys.stdout, stderr=sys.stdout)
    upload_file = write_csv(
        tmp_path / "upload.csv",
        [row(network, dossier_id="LP-WEB-1", bsn=UPLOAD_BSN, geboortedatum="2012-02-03")],
    )
    with django_capture_on_commit_callbacks(execute=True):
        uploaded = post(
            reverse("cases_import:upload"),
            {
                "file": SimpleUploadedFile(
                    f"leerlingen_{UPLOAD_BSN}.csv", upload_file.read_bytes(), "text/csv"
                )
            },
        )
    assert uploaded.status_code == 302
    get(uploaded["Location"])
    rejected_file = write_csv(
        tmp_path / "rejected.csv",
        [
            row(network, dossier_id="LP-BAD-1", bsn=REJECTED_BSN, geboortedatum="2012-02-03"),
            row(network, dossier_id="LP-BAD-2", bsn=REJECTED_BSN, geboortedatum="2012-02-04"),
        ],
    )
    with django_capture_on_commit_callbacks(execute=True):
        refused = post(
            reverse("cases_import:upload"),
            {"file": SimpleUploadedFile("rejected.csv", rejected_file.read_bytes(), "text/csv")},
        )
    get(refused["Location"])
    assert services.find_young_person(COMMAND_BSN) is not None
    assert services.find_young_person(UPLOAD_BSN) is not None
    assert services.find_young_person(REJECTED_BSN) is None

    # A request that crashes while it holds a number: the error report a beheerder would get.
    def crash(number):
        raise RuntimeError("lookup failed")

    monkeypatch.setattr(services, "find_young_person", crash)
    client.raise_request_exception = False
    assert post(reverse("cases:list"), {"nummer": BSN}).status_code == 500
    errors = [r for r in logged.records if r.name == "django.request" and r.exc_info]
    assert errors, "the crash was not logged"
    reports = []
    for record in errors:
        reporter = ExceptionReporter(record.request, *record.exc_info)
        reports += [reporter.get_traceback_text(), reporter.get_traceback_html()]

    # ------------------------------------------------------------------ the traces
    # The instruments work: SQL with its parameters was logged, the report is the crash's.
    assert any("django.db.backends DEBUG" in line and "args=" in line for line in logged.lines)
    assert all("lookup failed" in report and "nummer" in report for report in reports)
    assert [line for line in logged.lines if leaked_numbers(line)] == []
    assert [line for line in logged.json_lines if leaked_numbers(line)] == []
    # The JSON lines are whole: one object each, the access lines with their route.
    parsed = [json.loads(line) for line in logged.json_lines]
    routes = {line.get("route") for line in parsed if line["logger"] == "kansrijk.access"}
    assert {"cases:list", "cases:detail", "cases_import:upload"} <= routes
    assert [address for address in addresses.seen if leaked_numbers(address)] == []
    assert [leaked_numbers(report) for report in reports] == [[] for _ in reports]
    sessions = [str(session.get_decoded()) for session in Session.objects.all()]
    assert [leaked_numbers(session) for session in sessions] == [[] for _ in sessions]
    # The uploaded files are gone; the documents made for download (decision 0047) are
    # kept until they expire, and hold no number.
    # Both are kept in the database (decision 0050), nothing under MEDIA_ROOT.
    assert not KeptFile.objects.filter(directory=importing.IMPORT_DIR).exists()
    assert [path for path in Path(media).rglob("*") if path.is_file()] == []
    made = []
    for reference in KeptFile.objects.filter(directory="documents").values_list(
        "reference", flat=True
    ):
        with kept_files.open(reference) as handle:
            made.append(handle.read().decode("utf-8-sig", "replace"))
    assert made and [leaked_numbers(text) for text in made] == [[] for _ in made]
    # Encrypted at rest: no chunk holds a number in clear.
    chunks = [bytes(data) for data in KeptChunk.objects.values_list("data", flat=True)]
    assert [n for n in NUMBERS for data in chunks if n.encode() in data] == []
    # Every text column of every table, the audit trail and the task queue included. The
    # one column allowed to hold the number holds it encrypted, so it is searched too.
    assert [hit for number in NUMBERS for hit in text_columns_holding(number)] == []
    assert YoungPerson.objects.count() == 5


def test_the_search_finds_a_planted_number(network, case, logged):
    """The searches above would see a number that got out: one planted in an event's free
    text (behind the services' back), one written to a log line."""
    event = CaseEvent.objects.create(
        case=case, kind="notitie", date=case.start_date, description=f"Moeder belde: {BSN}"
    )
    logging.getLogger("kansrijk.cases").info("gezocht op %s", BSN)
    assert text_columns_holding(BSN) == [f"{event._meta.db_table}.description: {BSN}"]
    assert any(leaked_numbers(line) for line in logged.lines)
    assert any(leaked_numbers(line) for line in logged.json_lines)
