"""Smoke over the demo: every document Kansrijk makes opens (issue 10, "every report opens").

The full demo (``kansrijk load_reference_data`` then ``kansrijk load_demo``, as ``make demo``
does) is loaded once for this package (``conftest.demo``), in a transaction that is rolled
back at the end; each test runs in a savepoint inside it. Then:

- every ``kansrijk`` command that README.md and docs/ document runs on the demo with the
  documented arguments (every agenda, level and format they name), and every file it writes
  opens: PDF by pypdfium2, DOCX by python-docx, XLSX by openpyxl, CSV by the csv module,
  zip and JSON by the standard library. The test reads the documented commands, options and
  choices from the documentation itself, so docs and smoke cannot drift apart: a documented
  command without a smoke case, or a documented option or choice the case does not use,
  fails;
- every download link on the agenda pages, the monitor pages of every agenda and indicator,
  the register's report pages (the quarterly report at every level and definition, the
  Inspectie registration, the annual report, the reconciliation) and the sociale kaart's open
  data page is fetched as each demo user who may see the page, and what comes back opens by
  its content type. The links are read from the rendered HTML, and every download URL the
  project routes must be reached by at least one link.

It has to stay fast enough to run twice in CI (SQLite and PostgreSQL), so nothing is done
twice that would prove nothing new:

- a PDF is rendered once per distinct HTML document (``pdf_once_per_document``): the same
  agenda document asked for by the command line and by seven users is the same HTML, and
  WeasyPrint is the slow part;
- a page that shows a user exactly what it showed an earlier one (the same agenda to every
  reader, a public indicator to everyone outside its owner's network) links the same
  documents, which were fetched then; a user who sees other figures fetches them again.

``KANSRIJK_SMOKE_TIMINGS=FILE`` writes the time of every command and download to FILE.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import docx
import openpyxl
import pypdfium2
import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import CommandError, get_commands
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.testing.documents import fetch_document

from .support import TIMINGS, Kansrijk

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTATION = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]

# Documented commands the smoke does not run, with the reason.
EXCLUDED = {
    "db_worker": "the task worker runs until it is stopped, like a server; the import it "
    "runs for an uploaded file is the one import_cases runs",
    "drill_restore": "a drill copies what is committed, and the smoke's demo is loaded in a "
    "transaction rolled back at the end (SQLite's backup cannot read past it, pg_dump does not "
    "see it); src/kansrijk/drills/tests run the drill on committed data on both databases, and "
    "docs/operations.md gives its time on the full demo",
    "drill_key_rotation": "the same as drill_restore: it works on a restored copy of what is "
    "committed; src/kansrijk/drills/tests run it on both databases",
    "dbshell": "hands the terminal to the database's own client (sqlite3 or psql), not "
    "Kansrijk code; on SQLite the test database is in memory, out of the client's reach",
}
# Documented choices the smoke does not run, with the reason.
EXCLUDED_CHOICES = {
    ("generate_synthetic", "--scale", "national"): "500,000 cases over five school years: "
    "a benchmark (bench/RESULTS.md), minutes long; region scale is the same code",
}
# National PDFs of the quarterly report from the command line, which counts the whole
# register: the school level has 8,623 rows (~330 pages, about six minutes of WeasyPrint),
# the gemeente level 342 (15 s). Their CSV and XLSX are in the smoke, and so is the PDF of
# every level as each user downloads it (scoped to their own units), and the command's PDF
# at the swv and rmc levels.
SLOW_COMMAND_REPORTS = {("school", "pdf"), ("gemeente", "pdf")}

# The demo users of the smoke: the three policy officers of the seed gemeenten, and the
# register's roles, which log in with two-factor authentication.
DEMO_USERS = [None, "beleid", "maassluis", "vijfheerenlanden", "leerplicht", "swv", "school"]

# The register's report pages, and the fields of their form whose every option is tried.
REPORT_PAGES = {
    "/thuiszitters/kwartaalrapportage/": ("niveau", "definitie"),
    "/thuiszitters/inspectie/": ("swv", "moment"),
    "/thuiszitters/jaarverslag/": ("gemeente", "definitie"),
    "/thuiszitters/afstemming/": ("definitie",),
    "/sociale-kaart/open-data/": (),
}


DOWNLOAD_SUFFIX = re.compile(r"\.(csv|xlsx|pdf|docx|zip|json|sdmx)$")


# ---------------------------------------------------------------- opening a document


def _csv_rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8-sig")
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    assert rows and rows[0], "an empty CSV file"
    return rows


def opens(content: bytes, kind: str) -> str:
    """Open ``content`` as a ``kind`` document with the library a reader's program uses;
    raise AssertionError if it does not open or is empty. Returns a short description."""
    if kind == "pdf":
        pdf = pypdfium2.PdfDocument(content)
        try:
            pages = len(pdf)
            assert pages > 0, "a PDF without pages"
            text = pdf[0].get_textpage().get_text_range()
            assert text.strip(), "a PDF whose first page has no text"
        finally:
            pdf.close()
        return f"PDF, {pages} page(s)"
    if kind == "docx":
        document = docx.Document(io.BytesIO(content))
        texts = [p.text for p in document.paragraphs if p.text.strip()]
        assert texts, "a DOCX without text"
        return f"DOCX, {len(texts)} paragraph(s), {len(document.tables)} table(s)"
    if kind == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        try:
            sheet = workbook.worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
            assert rows, "an XLSX whose first sheet is empty"
        finally:
            workbook.close()
        return f"XLSX, {len(workbook.sheetnames)} sheet(s), {len(rows)} row(s)"
    if kind == "csv":
        rows = _csv_rows(content)
        return f"CSV, {len(rows)} row(s)"
    if kind == "json":
        data = json.loads(content.decode("utf-8"))
        assert data, "an empty JSON document"
        return "JSON"
    if kind == "zip":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert archive.testzip() is None, "a damaged member in the zip"
            names = archive.namelist()
            assert names, "an empty zip"
            for name in names:
                member = archive.read(name)
                if name.endswith(".csv"):
                    _csv_rows(member)
                elif name.endswith(".json"):
                    json.loads(member.decode("utf-8"))
        return f"zip, {len(names)} file(s)"
    raise AssertionError(f"no way to open a {kind!r} document")


CONTENT_KINDS = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/csv": "csv",
    "application/zip": "zip",
    "application/json": "json",
    "application/vnd.sdmx.data+csv": "csv",  # SDMX-CSV's own media type
}


def kind_of_file(path: Path) -> str:
    suffix = path.suffix.lstrip(".")
    return {"sdmx": "csv"}.get(suffix, suffix)


def file_opens(path: Path) -> str:
    assert path.is_file(), f"{path.name} was not written"
    return opens(path.read_bytes(), kind_of_file(path))


# ---------------------------------------------------------------- the demo, once


# ---------------------------------------------------------------- what the docs document


@dataclass
class Documented:
    """A command as the documentation writes it: where, its options and the plain-word
    choices given for them (``--format docx|pdf`` gives docx and pdf)."""

    places: list[str] = field(default_factory=list)
    options: set[str] = field(default_factory=set)
    choices: set[tuple[str, str]] = field(default_factory=set)


FENCE = re.compile(r"^[ \t]*```[^\n]*\n(.*?)^[ \t]*```", re.S | re.M)
INLINE = re.compile(r"`([^`]+)`")
INVOCATION = re.compile(r"(?:^|(?<=[\s/(]))kansrijk ([a-z][a-z0-9_]*)([^\n]*)")
CHOICE = re.compile(r"[a-z][a-z0-9_-]*(?:\|[a-z][a-z0-9_-]*)*")


def _invocations(text: str) -> Iterator[tuple[str, str]]:
    for block in FENCE.findall(text):
        block = block.replace("\\\n", " ")
        for line in block.splitlines():
            for match in INVOCATION.finditer(line):
                yield match.group(1), match.group(2)
    outside = FENCE.sub("", text)
    for span in INLINE.findall(outside):
        for match in INVOCATION.finditer(span.replace("\n", " ")):
            yield match.group(1), match.group(2)


def _options(rest: str) -> Iterator[tuple[str, str | None]]:
    rest = re.split(r"\s#|\s\|\s", rest)[0]
    tokens = [token.strip("[](){}`,") for token in rest.split()]
    for position, token in enumerate(tokens):
        if not token.startswith("-") or token == "-":
            continue
        option, _equals, value = token.partition("=")
        if not value and position + 1 < len(tokens) and not tokens[position + 1].startswith("-"):
            value = tokens[position + 1]
        yield option, value if CHOICE.fullmatch(value or "") else None


def documented_commands() -> dict[str, Documented]:
    found: dict[str, Documented] = {}
    for path in DOCUMENTATION:
        for name, rest in _invocations(path.read_text(encoding="utf-8")):
            entry = found.setdefault(name, Documented())
            entry.places.append(str(path.relative_to(ROOT)))
            for option, value in _options(rest):
                entry.options.add(option)
                for choice in (value or "").split("|") if value else ():
                    entry.choices.add((option, choice))
    return found


def kansrijk_commands() -> set[str]:
    """The commands Kansrijk itself defines (documented or not)."""
    return {name for name, app in get_commands().items() if app.startswith("kansrijk")}


# ---------------------------------------------------------------- the smoke cases


SMOKE: dict[str, tuple[str, ...]] = {}


def smoke(*commands: str) -> Callable:
    def register(case: Callable) -> Callable:
        SMOKE[case.__name__] = commands
        return case

    return register


def agendas():
    from kansrijk.agenda.models import Agenda

    return list(Agenda.objects.order_by("slug"))


@smoke("load_reference_data", "load_demo")
def case_the_demo_itself(kansrijk, tmp_path, demo):
    # The fixture ran them, as `make demo` does; their runs count here.
    kansrijk.runs.extend(demo["runs"])
    assert "schoolvestigingen" in demo["reference"].stdout
    for agenda in agendas():
        assert f"/agenda/{agenda.slug}/" in demo["demo"].stdout
    assert "Thuiszittersregister" in demo["demo"].stdout


@smoke("export_agenda", "import_agenda")
def case_agenda_documents_and_round_trip(kansrijk, tmp_path, demo):
    for agenda in agendas():
        for fmt in ("docx", "pdf", "xlsx", "csv"):
            target = tmp_path / f"{agenda.slug}.{fmt}"
            kansrijk("export_agenda", agenda.slug, "--format", fmt, "-o", str(target))
            file_opens(target)
        # The round trip: the agenda's own spreadsheet goes back in, checked, then for real.
        xlsx, csv_file = tmp_path / f"{agenda.slug}.xlsx", tmp_path / f"{agenda.slug}.csv"
        kansrijk("import_agenda", agenda.slug, str(xlsx), "--dry-run")
        kansrijk("import_agenda", agenda.slug, str(csv_file), "--user", "beleid")


@smoke("import_agenda_document")
def case_read_a_policy_document(kansrijk, tmp_path, demo):
    # Seed 003 as the gemeente has it: its text, and the Word file made of it. Nothing is
    # saved; the proposal goes to JSON for review.
    from kansrijk.agenda_intake.samples import docx_from_text

    seed = ROOT / "src" / "kansrijk" / "demo_data" / "seeds" / "003-maassluis.txt"
    word = tmp_path / "maassluis.docx"
    word.write_bytes(docx_from_text(seed.read_text(encoding="utf-8")))
    counts = agenda_counts()
    result = kansrijk("import_agenda_document", str(seed))
    assert "goal: 6" in result.stdout
    proposal = tmp_path / "voorstel.json"
    kansrijk("import_agenda_document", str(word), "--owner", "GM0556", "--json", str(proposal))
    assert json.loads(proposal.read_text(encoding="utf-8"))["agenda"]["owners"] == ["GM0556"]
    assert agenda_counts() == counts


def agenda_counts():
    from kansrijk.agenda.models import Activity, Agenda, Goal

    return [model.objects.count() for model in (Agenda, Goal, Activity)]


@smoke("progress_report")
def case_council_progress_reports(kansrijk, tmp_path, demo):
    for agenda in agendas():
        for fmt in ("pdf", "docx"):
            target = tmp_path / f"{agenda.slug}-voortgang.{fmt}"
            kansrijk("progress_report", agenda.slug, "--format", fmt, "-o", str(target))
            file_opens(target)


@smoke("export_measurements", "import_measurements")
def case_measurements_out_and_in(kansrijk, tmp_path, demo):
    from kansrijk.indicators.models import Indicator, Measurement

    for fmt in ("csv", "xlsx", "sdmx"):
        for public in ((), ("--public",)):
            target = tmp_path / f"alle{'-openbaar' if public else ''}.{fmt}"
            kansrijk("export_measurements", "--all", "--format", fmt, *public, "-o", str(target))
            file_opens(target)
        for indicator in Indicator.objects.order_by("code"):
            target = tmp_path / f"{indicator.code}.{fmt}"
            kansrijk("export_measurements", indicator.code, "--format", fmt, "-o", str(target))
            file_opens(target)
    # The importer takes a rate only with its teller and noemer (as the web form does);
    # the seeds give some rates as a published percentage only, which the demo stores as
    # a value and the importer refuses. Every other indicator's export goes back in.
    percentage_only = Measurement.objects.filter(
        indicator__denominator_definition__gt="", numerator__isnull=True
    ).values("indicator")
    # Computed figures are not entered: the importer refuses them (and the operator's
    # export of counts of people is the published one, with its markers).
    importable = (
        Indicator.objects.exclude(pk__in=percentage_only)
        .exclude(source_kind="computed")
        .filter(measurements__isnull=False)
    )
    for indicator in importable.distinct().order_by("code"):
        kansrijk("import_measurements", str(tmp_path / f"{indicator.code}.xlsx"), "--dry-run")
        kansrijk("import_measurements", str(tmp_path / f"{indicator.code}.csv"))


@smoke("thuiszitters_report")
def case_quarterly_report_every_level(kansrijk, tmp_path, demo):
    from kansrijk.cases import reporting

    peildatum = reporting.latest_peildatum(timezone.localdate()).isoformat()
    for level in reporting.LEVELS:
        for fmt in ("csv", "xlsx", "pdf"):
            if (level, fmt) in SLOW_COMMAND_REPORTS or (level, fmt) == ("swv", "pdf"):
                continue  # the swv PDF is the documented example below
            target = tmp_path / f"thuiszitters-{level}.{fmt}"
            kansrijk(
                "thuiszitters_report",
                *("--peildatum", peildatum, "--niveau", level, "--definitie", "ocw"),
                *("--format", fmt, "-o", str(target)),
            )
            file_opens(target)
    # The documentation's second example, to the letter but for the date.
    target = tmp_path / "swv.pdf"
    kansrijk(
        "thuiszitters_report",
        *("--peildatum", peildatum, "--niveau", "swv", "--definitie", "ocw_5a"),
        *("--format", "pdf", "-o", str(target), "--openbaar"),
    )
    file_opens(target)


def documented_csv_example(name: str) -> str:
    """The ```csv example of a format page, which the smoke feeds to the command."""
    text = (ROOT / "docs" / "formats" / name).read_text(encoding="utf-8")
    return re.search(r"```csv\n(.*?)```", text, re.S).group(1)


@smoke("import_cases")
def case_import_the_documented_example(kansrijk, tmp_path, demo):
    path = tmp_path / "casussen.csv"
    path.write_text(documented_csv_example("cases-import.md"), encoding="utf-8")
    kansrijk("import_cases", str(path), "--dry-run")
    first = kansrijk("import_cases", str(path))
    assert "3 casussen nieuw" in first.stdout, first.stdout
    again = kansrijk("import_cases", str(path))
    assert "3 ongewijzigd" in again.stdout, again.stdout


@smoke("reconcile_counts")
def case_reconcile_reported_counts(kansrijk, tmp_path, demo):
    from kansrijk.cases import reporting

    path = tmp_path / "opgave.csv"
    path.write_text(documented_csv_example("reconciliation.md"), encoding="utf-8")
    kansrijk("reconcile_counts", str(path), "--dry-run")
    target = tmp_path / "verschillen-bestand.csv"
    kansrijk("reconcile_counts", str(path), "-o", str(target))
    file_opens(target)
    peildatum = reporting.latest_peildatum(timezone.localdate()).isoformat()
    for definition in ("ocw", "ocw_5a"):
        target = tmp_path / f"verschillen-{definition}.csv"
        kansrijk(
            "reconcile_counts",
            *("--peildatum", peildatum, "--definitie", definition, "-o", str(target)),
        )
        file_opens(target)


@smoke("retention")
def case_retention(kansrijk, tmp_path, demo):
    dry = kansrijk("retention", "--dry-run")
    real = kansrijk("retention")
    assert dry.stdout and real.stdout


@smoke("sweep_imports")
def case_sweep_imports(kansrijk, tmp_path, demo):
    """The sweep a worker runs, once: the demo has no import left unfinished."""
    swept = kansrijk("sweep_imports")
    assert "0 onderbroken imports als mislukt gemarkeerd" in swept.stdout, swept.stdout
    assert "0 importtaken als mislukt gemarkeerd" in swept.stdout, swept.stdout


@smoke("expire_documents")
def case_expire_documents(kansrijk, tmp_path, demo):
    """The documents' part of the worker's sweep, once: nothing of the demo has expired."""
    swept = kansrijk("expire_documents")
    assert "0 documenten verlopen en verwijderd" in swept.stdout, swept.stdout


@smoke("refresh_computed")
def case_refresh_computed(kansrijk, tmp_path, demo):
    """The daily run on the demo, whose figures the loader has just computed: nothing to
    write; and for one indicator."""
    everything = kansrijk("refresh_computed")
    one = kansrijk("refresh_computed", "--indicator", "mk-thuiszitters")
    assert everything.stdout and one.stdout


@smoke("rotate_case_keys")
def case_rotate_the_key(kansrijk, tmp_path, demo):
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    with override_settings(FIELD_ENCRYPTION_KEYS=[Fernet.generate_key().decode(), *old]):
        kansrijk("rotate_case_keys", "--batch-size", "500")
        again = kansrijk("rotate_case_keys")
    assert "0 nummer(s) opnieuw versleuteld" in again.stdout, again.stdout


@smoke("generate_synthetic")
def case_synthetic_data(kansrijk, tmp_path, demo):
    # On the demo the documented command refuses, and says how to go on.
    with pytest.raises(CommandError, match="--replace"):
        kansrijk("generate_synthetic", "--scale", "region", "--seed", "7")
    # A smaller count than the region plans keeps the smoke short; the code is the same.
    done = kansrijk(
        "generate_synthetic", "--scale", "region", "--seed", "7", "--replace", "--cases", "300"
    )
    assert "synthetisch" in done.stdout


@smoke("export_hsds", "import_hsds", "import_participation")
def case_sociale_kaart_open_data(kansrijk, tmp_path, demo):
    from kansrijk.socialmap.models import Participation

    for fmt in ("zip", "json"):
        target = tmp_path / f"hsds.{fmt}"
        kansrijk("export_hsds", "--format", fmt, "-o", str(target))
        file_opens(target)
        kansrijk("import_hsds", str(target), "--dry-run")
        kansrijk("import_hsds", str(target))
    full = tmp_path / "hsds-alle-koppelingen.zip"
    kansrijk("export_hsds", "--all-links", "-o", str(full))
    file_opens(full)
    # The demo's participation counts, written back as the import reads them.
    path = tmp_path / "deelname.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["aanbod", "periode", "school", "gebied", "deelnemers", "illustratief"])
        for row in Participation.objects.select_related("service", "school", "region"):
            writer.writerow(
                [
                    row.service.uuid,
                    row.period_label,
                    row.school.code if row.school else "",
                    row.region.code if row.region else "",
                    row.participants,
                    "ja" if row.is_illustrative else "nee",
                ]
            )
    kansrijk("import_participation", str(path))


@smoke("socialmap_reminders")
def case_reminders(kansrijk, tmp_path, demo):
    kansrijk("socialmap_reminders", "--base-url", "https://kansrijk.example.nl")
    again = kansrijk("socialmap_reminders", "--base-url", "https://kansrijk.example.nl")
    assert again.stdout.startswith("0 aanbod"), again.stdout


@smoke("send_reminders")
def case_agenda_reminders(kansrijk, tmp_path, demo):
    # December 2023: the second bestuurlijk overleg and the kennissessie of the
    # Vijfheerenlanden agenda fall due; the second run finds them sent.
    args = ("--today", "2023-12-04", "--base-url", "https://kansrijk.example.nl")
    first = kansrijk("send_reminders", *args)
    again = kansrijk("send_reminders", *args)
    assert again.stdout.startswith("0 herinnering(en) verstuurd"), (first.stdout, again.stdout)


@smoke("create_api_token", "revoke_api_token")
def case_api_keys(kansrijk, tmp_path, demo):
    created = kansrijk("create_api_token", "GM0375", "planningskoppeling")
    token = re.search(r"\bkr_[A-Za-z0-9_-]+", created.stdout).group(0)
    kansrijk("revoke_api_token", token[:9])


@smoke("demo_totp")
def case_demo_totp(kansrijk, tmp_path, demo):
    for username in ("beheerder", "leerplicht", "leerrecht", "swv", "school"):
        with override_settings(DEBUG=True):  # a demo command, like load_demo
            code = kansrijk("demo_totp", username).stdout
        assert re.search(r"\b\d{6}\b", code), code


@smoke("check", "help", "migrate", "spectacular")
def case_operators_checks(kansrijk, tmp_path, demo):
    # The production settings are checked clean in tests/test_settings.py; here the check
    # runs on the demo database, with the test settings.
    kansrijk("check", "--deploy")
    assert "load_reference_data" in kansrijk("help").stdout
    kansrijk("migrate")
    kansrijk("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    schema = tmp_path / "openapi.json"
    kansrijk("spectacular", "--format", "openapi-json", "--file", str(schema))
    assert json.loads(schema.read_text(encoding="utf-8"))["paths"]


@smoke("collectstatic")
def case_collect_static_files(kansrijk, tmp_path, demo):
    with override_settings(STATIC_ROOT=str(tmp_path / "static")):
        kansrijk("collectstatic", "--noinput")
    assert any((tmp_path / "static").rglob("*.css"))


@smoke(
    "createsuperuser", "axes_list_attempts", "axes_reset", "axes_reset_username", "axes_reset_ip"
)
def case_first_beheerder_and_lockouts(kansrijk, tmp_path, demo):
    from kansrijk.organisations.models import User

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_SUPERUSER_PASSWORD", "een-lang-wachtwoord-voor-de-rooktest")
        kansrijk(
            "createsuperuser",
            *("--noinput", "--username", "rooktest", "--email", "rooktest@example.nl"),
        )
    assert User.objects.get(username="rooktest").is_superuser
    Client().post("/account/inloggen/", {"username": "beleid", "password": "fout"})
    assert "beleid" in kansrijk("axes_list_attempts").stdout
    kansrijk("axes_reset_username", "beleid")
    kansrijk("axes_reset_ip", "127.0.0.1")
    kansrijk("axes_reset")


@smoke("audit_verify", "audit_anchor")
def case_audit_trail_verified_and_anchored(kansrijk, tmp_path, demo):
    # Everything the demo wrote (the import, reads, changes) is one unbroken chain.
    assert "ongeschonden" in kansrijk("audit_verify").stdout
    anchors = tmp_path / "audit-ankers.jsonl"
    printed = kansrijk("audit_anchor", "--file", str(anchors)).stdout
    assert printed.strip() == anchors.read_text(encoding="utf-8").strip()
    checked = kansrijk("audit_verify", "--anchors", str(anchors), "--clock-tolerance", "60")
    assert "1 van 1 ankers getoetst" in checked.stdout


def test_every_documented_command_has_a_smoke_case():
    documented = documented_commands()
    assert {"export_agenda", "progress_report", "thuiszitters_report"} <= set(documented)
    covered = {command for commands in SMOKE.values() for command in commands}
    missing = {
        name: entry.places[0]
        for name, entry in documented.items()
        if name not in covered and name not in EXCLUDED
    }
    assert not missing, f"documented commands without a smoke case: {missing}"
    undocumented = kansrijk_commands() - covered - set(EXCLUDED)
    assert not undocumented, f"Kansrijk commands without a smoke case: {undocumented}"
    stale = {name for name in EXCLUDED if name not in documented}
    assert not stale, f"exclusions of commands the documentation no longer names: {stale}"


@pytest.mark.parametrize("case", sorted(SMOKE))
def test_documented_commands_run_on_the_demo(case, demo, tmp_path, db):
    kansrijk = Kansrijk()
    globals()[case](kansrijk, tmp_path, demo)

    documented = documented_commands()
    for command in SMOKE[case]:
        runs = [run[1:] for run in kansrijk.runs if run[0] == command]
        assert runs, f"the case {case} did not run {command}"
        used = {arg.partition("=")[0] for run in runs for arg in run if arg.startswith("-")}
        used_choices = {
            (run[i], run[i + 1])
            for run in runs
            for i in range(len(run) - 1)
            if run[i].startswith("-")
        }
        entry = documented.get(command, Documented())
        assert entry.options <= used, (
            f"{command}: documented options never run: {entry.options - used}"
        )
        unused = {
            choice
            for choice in entry.choices - used_choices
            if (command, *choice) not in EXCLUDED_CHOICES
        }
        assert not unused, f"{command}: documented choices never run: {unused}"


# ---------------------------------------------------------------- the downloads


class _Page(HTMLParser):
    """The anchors and the GET forms' fields of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.anchors: list[dict[str, str | None]] = []
        self.fields: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None
        self._in_get_form = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.anchors.append(attributes)
        elif tag == "form":
            self._in_get_form = (attributes.get("method") or "get").lower() == "get"
        elif not self._in_get_form:
            return
        elif tag == "input" and attributes.get("name"):
            kind = (attributes.get("type") or "text").lower()
            if kind not in ("submit", "button", "checkbox", "radio", "file", "hidden"):
                self.fields[attributes["name"]] = attributes.get("value") or ""
        elif tag == "select":
            self._select = attributes.get("name")
            self.options.setdefault(self._select, [])
        elif tag == "option" and self._select:
            value = attributes.get("value") or ""
            self.options[self._select].append(value)
            if "selected" in attributes or self._select not in self.fields:
                self.fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "form":
            self._in_get_form = False


def parse_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def download_endpoints() -> dict[str, tuple[str, ...]]:
    """Every URL the project routes to a document, with the formats its route names:
    ``agenda_io:export`` → (docx, pdf, xlsx, csv). The API is not a document."""
    found: dict[str, tuple[str, ...]] = {}

    def walk(patterns, namespace: str | None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace and namespace != "api":
                route = str(pattern.pattern)
                if re.search(r"export|download|\\?\.[a-z]+\$?$|\.\(\?P<fmt>", route):
                    formats = re.search(r"\(\?P<fmt>([a-z|]+)\)", route)
                    found[f"{namespace}:{pattern.name}"] = (
                        tuple(formats.group(1).split("|")) if formats else ()
                    )

    walk(get_resolver().url_patterns, None)
    return found


def main_content(html: str) -> str:
    """What the page shows, without the header (the user's name, the menu)."""
    found = re.search(r"<main\b.*?</main>", html, re.S)
    return found.group(0) if found else html


def endpoint_of(url: str) -> tuple[str, str] | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name, match.kwargs.get("fmt", "")


def is_download(anchor: dict, endpoints: dict) -> bool:
    href = anchor["href"]
    if "download" in anchor:
        return True
    if not href.startswith("/"):
        return False
    found = endpoint_of(href)
    return bool(DOWNLOAD_SUFFIX.search(urlsplit(href).path)) or (
        found is not None and found[0] in endpoints
    )


def client_for(username: str | None) -> Client:
    from kansrijk.organisations.models import User

    client = Client()
    if username is None:
        return client
    user = User.objects.get(username=username)
    device = TOTPDevice.objects.create(user=user, name="rooktest", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


def pages_for(client: Client) -> Iterator[tuple[str, object]]:
    """The agenda, monitor and report pages of the demo, with the response when it was
    already fetched (a report page is read for its form's options)."""
    from kansrijk.indicators.models import Indicator

    for agenda in agendas():
        yield f"/agenda/{agenda.slug}/", None
        yield f"/monitor/agenda/{agenda.slug}/", None
    yield "/monitor/", None
    yield "/monitor/openbaar/", None
    yield "/monitor/openbaar/?gebied=GM0375", None
    for code in Indicator.objects.order_by("code").values_list("code", flat=True):
        yield f"/monitor/{code}/", None
    for path, fields in REPORT_PAGES.items():
        try:
            response = client.get(path)
        except Exception:  # fetched again by the caller, which lists the problem
            yield path, None
            continue
        yield path, response
        if response.status_code != 200:
            continue
        # Every option of each field, one field at a time (the others as the page has
        # them): every level once, every definition once.
        page = parse_page(response.content.decode())
        for name in fields:
            for option in page.options.get(name, []):
                variant = {**page.fields, name: option}
                if variant != page.fields:
                    yield f"{path}?{urlencode(variant)}", None


def fetch_download(client: Client, url: str) -> str:
    # Every document is built by the worker: the link answers 303 to its status page
    # (a shared one, by its token, for a visitor who is not logged in), whose button
    # serves the file (decisions 0047, 0051).
    response = fetch_document(client, url)
    assert response.status_code == 200, f"status {response.status_code}"
    content_type = response["Content-Type"].split(";")[0].strip()
    kind = CONTENT_KINDS.get(content_type)
    assert kind, f"content type {content_type!r} is not a document"
    disposition = response.get("Content-Disposition", "")
    if "filename=" in disposition:
        filename = disposition.split("filename=")[1].strip('"')
        extension = filename.rsplit(".", 1)[-1]
        assert {"sdmx": "csv"}.get(extension, extension) == kind, (
            f"{filename} served as {content_type}"
        )
    return opens(b"".join(response) if response.streaming else response.content, kind)


@dataclass
class Crawl:
    """The downloads of the demo's pages as users see them, and what went wrong."""

    endpoints: dict[str, tuple[str, ...]]
    reached: set[tuple[str, str]] = field(default_factory=set)
    pages_open: set[str] = field(default_factory=set)
    pages_shown: set[tuple[str, str]] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)
    fetched: int = 0

    def visit(self, username: str | None, *, only_unseen: bool = False) -> None:
        client = client_for(username)
        who = username or "anoniem"
        downloaded: set[str] = set()
        for path, response in pages_for(client):
            if only_unseen and urlsplit(path).path in self.pages_open:
                continue
            started = time.monotonic()
            try:
                response = response or client.get(path)
            except Exception as error:  # every problem is listed, not only the first
                self.problems.append(f"{who}: page {path}: {error!r}")
                continue
            TIMINGS.append((time.monotonic() - started, f"page {username} {path}"))
            if response.status_code in (302, 403, 404):
                continue  # not this user's page (or log in first)
            if response.status_code != 200:
                self.problems.append(f"{who}: page {path}: {response.status_code}")
                continue
            self.pages_open.add(urlsplit(path).path)
            html = response.content.decode()
            # A page that shows this user exactly what it showed an earlier one (the same
            # agenda to every reader, a public indicator to everyone outside its owner's
            # network) links the same documents: they were fetched then.
            shown = (path, hashlib.sha256(main_content(html).encode()).hexdigest())
            if shown in self.pages_shown:
                continue
            self.pages_shown.add(shown)
            for anchor in parse_page(html).anchors:
                url = anchor["href"]
                if not is_download(anchor, self.endpoints) or url in downloaded:
                    continue
                downloaded.add(url)
                self.fetch(client, who, url, path)

    def fetch(self, client: Client, who: str, url: str, page: str) -> None:
        self.fetched += 1
        started = time.monotonic()
        try:
            fetch_download(client, url)
        except Exception as error:
            self.problems.append(f"{who}: {url} (on {page}): {error!r}")
            return
        finally:
            TIMINGS.append((time.monotonic() - started, f"{who} {url}"))
        endpoint = endpoint_of(url)
        if endpoint:
            self.reached.add(endpoint)


def test_every_download_link_opens(demo, db, settings):
    from kansrijk.agenda.models import Agenda
    from kansrijk.indicators.models import Indicator
    from kansrijk.organisations.models import User

    # The crawl asks, from one address, for every public document a visitor who is not
    # logged in can have: more new builds than a person would (decision 0051).
    settings.KANSRIJK = {
        **settings.KANSRIJK,
        "THROTTLE": {**settings.KANSRIJK["THROTTLE"], "public_document_per_address": (10_000, 60)},
    }
    crawl = Crawl(download_endpoints())
    assert {"agenda_io:export", "cases:report_download"} <= set(crawl.endpoints)
    for username in DEMO_USERS:
        crawl.visit(username)
    # The agendas of seeds 000 and 004 (national documents) have no owner: only a platform
    # superuser sees them. It visits the pages no demo user could open.
    User.objects.create_superuser("rooktest-beheer", "rooktest@example.nl", "x" * 20)
    crawl.visit("rooktest-beheer", only_unseen=True)

    assert not crawl.problems, f"{len(crawl.problems)} of {crawl.fetched} downloads fail:\n" + (
        "\n".join(crawl.problems)
    )
    pages = {f"/agenda/{slug}/" for slug in Agenda.objects.values_list("slug", flat=True)}
    pages |= {f"/monitor/agenda/{slug}/" for slug in Agenda.objects.values_list("slug", flat=True)}
    pages |= {f"/monitor/{code}/" for code in Indicator.objects.values_list("code", flat=True)}
    pages |= set(REPORT_PAGES)
    assert not pages - crawl.pages_open, f"pages nobody opened: {sorted(pages - crawl.pages_open)}"
    unreached = {
        f"{name}{f' ({fmt})' if fmt else ''}"
        for name, formats in crawl.endpoints.items()
        for fmt in formats or ("",)
        if not any(hit[0] == name and (not fmt or hit[1] == fmt) for hit in crawl.reached)
    }
    assert not unreached, f"download URLs no demo page links to: {sorted(unreached)}"
