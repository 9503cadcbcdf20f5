"""The spreadsheet round trip: export to XLSX or CSV, edit, import. Items are matched on
their external ids and updated in place; a bad file is refused whole, naming every bad
row and column in Dutch; importing the same file twice changes nothing."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from kansrijk.agenda import exporting, importing, services
from kansrijk.agenda.models import (
    Activity,
    Agenda,
    AgendaStatus,
    FundingLine,
    Goal,
    Intervention,
    Involvement,
    PlannedMonth,
    WorkStatus,
)
from kansrijk.audit.models import AuditEvent
from kansrijk.imports.models import JobKind
from kansrijk.imports.tests import batches
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

from .test_export import make_small_agenda

pytestmark = pytest.mark.django_db


@pytest.fixture
def agenda(tmp_path) -> Agenda:
    return make_small_agenda(tmp_path)


def fresh_agenda_like(agenda: Agenda, slug: str) -> Agenda:
    """An empty agenda with the same agenda-level fields (the spreadsheet holds the tree,
    not the agenda's own title, period and status)."""
    return services.create_agenda(
        actor=None,
        owners=agenda.owners.all(),
        regions=agenda.regions.all(),
        slug=slug,
        title=agenda.title,
        kind=agenda.kind,
        period_start=agenda.period_start,
        period_end=agenda.period_end,
        vision=agenda.vision,
        status=agenda.status,
    )


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def csv_bytes(rows: list[dict[str, str]], columns=None) -> bytes:
    columns = columns or list(rows[0])
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows([{c: row.get(c, "") for c in columns} for row in rows])
    return text.getvalue().encode("utf-8-sig")


def state(agenda: Agenda):
    """Everything an import could touch, to prove that a refused file wrote nothing."""
    return (
        services.agenda_snapshot(agenda),
        exporting.spreadsheet_rows(agenda),
        AuditEvent.objects.count(),
        Activity.history.count(),
        Goal.history.count(),
        FundingLine.history.count(),
    )


def refused(agenda, content: bytes, filename="agenda.csv") -> list[str]:
    before = state(agenda)
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_file(agenda, content, filename, actor=None)
    assert state(agenda) == before, "a refused file must write nothing"
    return [str(problem) for problem in rejected.value.problems]


# ------------------------------------------------------------------ the round trip


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_into_a_fresh_agenda_is_lossless(agenda, fmt):
    content = exporting.export_agenda(agenda, fmt)
    copy = fresh_agenda_like(agenda, f"kopie-{fmt}")

    report = importing.import_file(copy, content, f"agenda.{fmt}", actor=None)

    assert services.agenda_snapshot(copy) == services.agenda_snapshot(agenda)
    # Stronger than the snapshot: every exported column is equal, funding lines,
    # themes of goals, locations, evaluation moments and commitments included.
    assert exporting.spreadsheet_rows(copy) == exporting.spreadsheet_rows(agenda)
    assert report.created["activity"] == Activity.objects.filter(agenda=agenda).count()
    assert report.created["funding"] == 5
    assert not report.updated and not report.not_in_file
    theme = copy.themes.get(external_id="rekenen")
    assert theme.background == "=1+1 is hier geen formule"  # the guard quote is undone
    assert theme.sources == "@bron; -min; +plus; 'quote"
    sub = Activity.objects.get(agenda=copy, external_id="netwerkbijeenkomsten")
    assert sub.parent.agenda == copy and sub.parent.external_id == "netwerkstructuur"
    assert (
        FundingLine.objects.get(
            intervention__agenda=copy, external_id="peuterplus-2022-vianen-oab"
        ).planned_amount
        == FundingLine.objects.get(
            intervention__agenda=agenda, external_id="peuterplus-2022-vianen-oab"
        ).planned_amount
    )


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_reimporting_the_same_file_changes_nothing(agenda, fmt):
    content = exporting.export_agenda(agenda, fmt)
    before = state(agenda)
    counts = {model: model.objects.count() for model in (Activity, Goal, FundingLine, PlannedMonth)}

    report = importing.import_file(agenda, content, f"agenda.{fmt}", actor=None)

    assert not report.changed
    assert sum(report.unchanged.values()) == len(exporting.spreadsheet_rows(agenda))
    assert state(agenda) == before  # no audit rows, no history rows
    assert counts == {model: model.objects.count() for model in counts}


def test_an_edited_file_updates_in_place_and_never_duplicates(agenda, make_member):
    editor = make_member(agenda.owners.get(), Role.POLICY_OFFICER)
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    handreiking = Activity.objects.get(agenda=agenda, external_id="handreiking")
    goal = Goal.objects.get(agenda=agenda, external_id="voorveld")
    for row in rows:
        if row["external_id"] == "handreiking":
            row["status"] = "afgerond"
            row["progress"] = "100"
            row["months"] = "2022-01|2022-03"
        if row["type"] == "goal" and row["external_id"] == "voorveld":
            row["indicator_text"] = "Nulmeting in 2022; daarna jaarlijks."
    rows.append(
        {
            "type": "activity",
            "external_id": "kijkje-keuken",
            "goal_external_id": "planmatig",
            "parent_external_id": "netwerkstructuur",
            "kind": "sub",
            "title": "Kijkje in elkaars keuken",
            "status": "gepland",
        }
    )
    rows = [row for row in rows if row["external_id"] != "plan-kennis"]
    audit_before = AuditEvent.objects.count()

    report = importing.import_file(agenda, csv_bytes(rows), "agenda.csv", actor=editor)

    handreiking.refresh_from_db()
    assert handreiking.status == WorkStatus.DONE and handreiking.progress == 100
    assert list(handreiking.planned_months.values_list("month", flat=True)) == [
        datetime.date(2022, 1, 1),
        datetime.date(2022, 3, 1),
    ]
    assert handreiking.history.first().history_user == editor
    goal.refresh_from_db()
    assert goal.indicator_text == "Nulmeting in 2022; daarna jaarlijks."
    new = Activity.objects.get(agenda=agenda, external_id="kijkje-keuken")
    assert new.parent.external_id == "netwerkstructuur"
    assert Activity.objects.filter(agenda=agenda, external_id="handreiking").count() == 1
    assert report.updated == {"activity": 1, "goal": 1}
    assert report.created == {"activity": 1}
    # Left out of the file: reported, not deleted.
    assert Activity.objects.filter(agenda=agenda, external_id="plan-kennis").exists()
    assert report.not_in_file == ["activiteit 'plan-kennis': Kennisdeling"]
    # Audit: the activity, its months, the goal and the new activity; nothing else.
    assert AuditEvent.objects.count() - audit_before == 4


def test_a_partial_file_with_dutch_words_and_semicolons_is_understood(agenda):
    """What Dutch Excel saves: semicolons, a decimal comma, Dutch type and status words,
    and only the columns that matter."""
    content = (
        "type;external_id;status;progress;months\r\nactiviteit;handreiking;Lopend;75;2022-02\r\n"
    ).encode("cp1252")
    report = importing.import_file(agenda, content, "voortgang.csv", actor=None)
    activity = Activity.objects.get(agenda=agenda, external_id="handreiking")
    assert (activity.status, activity.progress) == (WorkStatus.RUNNING, 75)
    assert activity.title == "Handreiking schoolaanwezigheid (voorheen verzuim) vaststellen."
    assert report.updated == {"activity": 1}


def test_a_dry_run_checks_but_writes_nothing(agenda):
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    rows[0]["title"] = "Normaliseren en weerbaarheid"
    before = state(agenda)
    report = importing.import_file(agenda, csv_bytes(rows), "agenda.csv", actor=None, dry_run=True)
    assert report.dry_run and report.updated == {"theme": 1}
    assert state(agenda) == before


# ------------------------------------------------------------------ bad files


def edited(agenda, change) -> bytes:
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    change(rows)
    return csv_bytes(rows)


def row_number(rows, external_id) -> int:
    """The spreadsheet row of an item (the header is row 1)."""
    return next(i for i, row in enumerate(rows, start=2) if row["external_id"] == external_id)


def test_a_wrong_status_is_named_by_row_and_column(agenda):
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    number = row_number(rows, "handreiking")
    rows[number - 2]["status"] = "klaar"
    problems = refused(agenda, csv_bytes(rows))
    assert problems == [
        f"Rij {number}, kolom 'status': 'klaar' is geen geldige status; kies uit gepland, "
        "lopend, afgerond, uitgesteld, vervallen."
    ]


def test_every_problem_is_reported_at_once(agenda):
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))

    def set_value(external_id, column, value, kind=None):
        for row in rows:
            if row["external_id"] == external_id and (kind is None or row["type"] == kind):
                row[column] = value

    set_value("handreiking", "status", "klaar")
    set_value("plan-netwerk", "months", "2022-13")
    set_value("plan-kennis", "months", "juni 2022")
    set_value("kennisdeling", "parent_external_id", "bestaat-niet")
    set_value("handreiking-verspreiden", "progress", "120")
    set_value("handreiking-npo-2023", "source", "lotto")
    set_value("peuterplus", "goals", "planmatig|geen-doel", kind="intervention")
    rows.append(dict(rows[row_number(rows, "voorveld") - 2]))  # a duplicate goal id
    problems = refused(agenda, csv_bytes(rows))
    text = "\n".join(problems)
    assert len(problems) == 8, text
    assert (
        f"Rij {row_number(rows, 'plan-netwerk')}, kolom 'months': '2022-13' is geen maand" in text
    )
    assert (
        "kolom 'months': 'juni 2022' is geen maand; schrijf JJJJ-MM, bijvoorbeeld 2022-03." in text
    )
    assert (
        f"Rij {row_number(rows, 'kennisdeling')}, kolom 'parent_external_id': activiteit "
        "'bestaat-niet' staat niet in het bestand en niet in de agenda." in text
    )
    assert "kolom 'progress': 120 ligt niet tussen 0 en 100." in text
    assert "kolom 'source': 'lotto' is geen geldige bron; kies uit gka, oab, npo" in text
    assert "kolom 'goals': doel 'geen-doel' staat niet in het bestand" in text
    assert (
        f"Rij {len(rows) + 1}, kolom 'external_id': doel 'voorveld' staat ook in rij "
        f"{row_number(rows, 'voorveld')}." in text
    )


def test_a_parent_may_live_in_the_database_but_not_in_a_circle(agenda):
    content = (
        b"type,external_id,parent_external_id,kind,title\r\n"
        b"activity,nieuw,handreiking,sub,Nieuwe subactiviteit\r\n"
    )
    importing.import_file(agenda, content, "a.csv", actor=None)
    assert Activity.objects.get(agenda=agenda, external_id="nieuw").parent.external_id == (
        "handreiking"
    )
    circle = (
        b"type,external_id,parent_external_id\r\nactivity,handreiking,handreiking-verspreiden\r\n"
    )
    [problem] = refused(agenda, circle)
    assert problem.startswith("Rij 2, kolom 'parent_external_id': 'handreiking-verspreiden' maakt")


def test_a_missing_required_column_refuses_the_file(agenda):
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    columns = [c for c in exporting.COLUMNS if c != "external_id"]
    assert refused(agenda, csv_bytes(rows, columns)) == [
        "Kolom 'external_id': deze kolom ontbreekt in het bestand."
    ]
    new_goal = b"type,external_id,number\r\ngoal,nieuw-doel,16\r\n"
    assert refused(agenda, new_goal) == [
        "Rij 2, kolom 'text': deze kolom ontbreekt, maar is nodig voor een nieuw(e) doel."
    ]


def test_a_csv_formula_is_refused(agenda):
    content = edited(
        agenda,
        lambda rows: rows[0].update(title='=HYPERLINK("http://evil.example","klik")'),
    )
    [problem] = refused(agenda, content)
    assert problem.startswith("Rij 2, kolom 'title': '=HYPERLINK(")
    assert "zou in een rekenblad een formule worden; zet er een ' voor als het tekst is." in problem
    for value in ["+31 6 1234", "@SUM(A1)", "-2+3"]:
        content = edited(agenda, lambda rows, v=value: rows[0].update(background=v))
        [problem] = refused(agenda, content)
        assert problem.startswith("Rij 2, kolom 'background':")


def test_an_xlsx_formula_is_refused(agenda):
    workbook = load_workbook(io.BytesIO(exporting.export_agenda(agenda, "xlsx")))
    sheet = workbook["Agenda"]
    title_column = exporting.COLUMNS.index("title") + 1
    sheet.cell(row=3, column=title_column, value="=1+1")
    assert sheet.cell(row=3, column=title_column).data_type == "f"
    stream = io.BytesIO()
    workbook.save(stream)
    assert refused(agenda, stream.getvalue(), "agenda.xlsx") == [
        "Rij 3, kolom 'title': een formule wordt niet geïmporteerd."
    ]


def test_unreadable_files_are_refused(agenda):
    assert refused(agenda, b"no zip", "agenda.xlsx") == [
        "Het bestand kon niet worden gelezen als Excel-bestand (.xlsx)."
    ]
    assert refused(agenda, b"type,external_id\r\n", "agenda.ods") == [
        "Kies een .xlsx- of .csv-bestand."
    ]


def test_funding_amounts_must_add_up(agenda):
    def change(rows):
        for row in rows:
            if row["external_id"] == "peuterplus-2022-vianen-oab":
                row["planned_amount"] = "20000.00"

    [problem] = refused(agenda, edited(agenda, change))
    assert "kolom 'planned_amount': 20000.00 wijkt af van unit_amount × quantity × share = " in (
        problem
    )
    assert "19998.00" in problem


# ------------------------------------------------------------------ the command


def test_import_command(agenda, tmp_path):
    path = tmp_path / "agenda.xlsx"
    call_command("export_agenda", agenda.slug, "--format", "xlsx", "-o", str(path))
    out = io.StringIO()
    call_command("import_agenda", agenda.slug, str(path), stdout=out)
    assert "Activiteiten: 0 nieuw, 0 bijgewerkt, 13 ongewijzigd" in out.getvalue()

    bad = tmp_path / "fout.csv"
    bad.write_bytes(b"type,external_id,status\r\nactivity,handreiking,klaar\r\nactivity,x,\r\n")
    with pytest.raises(CommandError) as error:
        call_command("import_agenda", agenda.slug, str(bad))
    message = str(error.value)
    assert message.startswith("Het bestand is niet geïmporteerd; er is niets opgeslagen.")
    assert "- Rij 2, kolom 'status': 'klaar' is geen geldige status" in message
    assert "- Rij 3, kolom 'title': deze kolom ontbreekt" in message


# ------------------------------------------------------------------ the upload page


def upload(client, agenda, content: bytes, name="agenda.csv", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kansrijk.testing.jobs import post_and_run

    return post_and_run(
        client,
        reverse("agenda_io:import", args=[agenda.slug]),
        {"file": SimpleUploadedFile(name, content), **extra},
    )


def test_an_editor_imports_through_the_page(client, agenda, make_member):
    editor = make_member(agenda.owners.get(), Role.POLICY_OFFICER)
    client.force_login(editor)
    url = reverse("agenda_io:import", args=[agenda.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert b'enctype="multipart/form-data"' in page.content
    assert reverse("agenda_io:export", args=[agenda.slug, "xlsx"]).encode() in page.content

    content = edited(agenda, lambda rows: rows[0].update(title="Normaliseren en weerbaarheid"))
    response = upload(client, agenda, content)
    assert response.status_code == 200
    assert "Het bestand is geïmporteerd" in response.content.decode()
    assert agenda.themes.get(external_id="normaliseren").title == "Normaliseren en weerbaarheid"

    bad = edited(agenda, lambda rows: rows[0].update(kind="onzin"))
    response = upload(client, agenda, bad)
    assert response.status_code == 200  # the job's status page
    html = response.content.decode()
    assert "Het bestand is niet geïmporteerd" in html
    assert "Rij 2, kolom &#x27;kind&#x27;: &#x27;onzin&#x27; is geen geldige soort" in html


def test_who_may_import(client, agenda, user_trio, make_member):
    url = reverse("agenda_io:import", args=[agenda.slug])
    response = client.get(url)
    assert response.status_code == 302 and "/account/" in response["Location"]

    owner = agenda.owners.get()
    client.force_login(make_member(owner, Role.READER))
    assert client.get(url).status_code == 403
    content = edited(agenda, lambda rows: rows[0].update(title="Niet van mij"))
    assert upload(client, agenda, content).status_code == 403
    assert agenda.themes.get(external_id="normaliseren").title == "Normaliseren"

    trio = user_trio(Role.POLICY_OFFICER)
    client.force_login(trio["other_organisation"])
    assert client.get(url).status_code == 404  # not public: not even its existence

    services.save_item(agenda, actor=None, status=AgendaStatus.ADOPTED, is_public=True)
    assert client.get(url).status_code == 403  # public: visible, still not editable


def test_the_form_refuses_other_files(client, agenda, make_member):
    client.force_login(make_member(agenda.owners.get(), Role.POLICY_OFFICER))
    response = upload(client, agenda, b"%PDF-1.7", name="agenda.pdf")
    assert response.status_code == 200
    assert "Kies een .xlsx- of .csv-bestand." in response.content.decode()


def test_interventions_keep_their_cards_through_the_round_trip(agenda):
    """The card fields of seed 004 survive XLSX: nothing is lost on the way."""
    content = exporting.export_agenda(agenda, "xlsx")
    copy = fresh_agenda_like(agenda, "kaarten")
    importing.import_file(copy, content, "agenda.xlsx", actor=None)
    original = Intervention.objects.get(agenda=agenda, external_id="peuterplus")
    imported = Intervention.objects.get(agenda=copy, external_id="peuterplus")
    for name in [
        "name",
        "parties_text",
        "planning_text",
        "goal_text",
        "target_group",
        "age_min",
        "age_max",
        "location_text",
        "activities_text",
        "monitoring_text",
        "financing_text",
        "online_information",
        "contact",
        "status",
    ]:
        assert getattr(imported, name) == getattr(original, name), name
    assert list(imported.goals.values_list("external_id", flat=True)) == ["schoolaanwezigheid"]
    assert list(imported.locations.values_list("code", flat=True)) == ["GM1961-LEERDAM-WEST"]


# ------------------------------------------------------------------ all five seeds


def test_every_seed_agenda_survives_the_round_trip(settings):
    """The real reference data and demo organisations, then all five seed agendas: each
    exported to XLSX and CSV and imported into a fresh agenda gives the same tree, and
    re-imported into itself changes nothing. The documents of each open and name every
    spearhead."""
    from kansrijk.agenda.demo import load_all_agendas
    from kansrijk.organisations.demo import load_demo_organisations
    from kansrijk.organisations.reference_data import load_reference_data

    settings.DEBUG = True
    load_reference_data(settings.KANSRIJK["REFERENCE_DATA_DIR"])
    load_demo_organisations()
    agendas = load_all_agendas()
    assert len(agendas) == 5

    for agenda in agendas:
        for fmt in ("xlsx", "csv"):
            content = exporting.export_agenda(agenda, fmt)
            copy = fresh_agenda_like(agenda, f"{agenda.slug[:60]}-{fmt}")
            importing.import_file(copy, content, f"a.{fmt}", actor=None)
            assert exporting.spreadsheet_rows(copy) == exporting.spreadsheet_rows(agenda), (
                agenda.slug,
                fmt,
            )
            assert services.agenda_snapshot(copy) == services.agenda_snapshot(agenda)
            audit_before = AuditEvent.objects.count()
            report = importing.import_file(agenda, content, f"a.{fmt}", actor=None)
            assert not report.changed and not report.not_in_file, agenda.slug
            assert AuditEvent.objects.count() == audit_before
        document = exporting.build_document(agenda)
        docx = exporting.export_agenda(agenda, "docx")
        assert docx.startswith(b"PK")
        for section in document.spearheads:
            assert section.heading


def test_the_page_refuses_hostile_files_naming_the_limit(client, agenda, make_member):
    from kansrijk.testing.bombs import big_cell_csv, xlsx_rows_bomb

    client.force_login(make_member(agenda.owners.get(), Role.POLICY_OFFICER))
    response = upload(client, agenda, xlsx_rows_bomb(2_000_000), name="bom.xlsx")
    assert "keer zo groot als ingepakt" in response.content.decode()
    response = upload(client, agenda, big_cell_csv(200 * 1024), name="cel.csv")
    assert "Rij 2: een cel is langer dan 32.768 tekens" in response.content.decode()
    utf16 = "type,external_id,title\ntheme,t,Titel\n".encode("utf-16")
    html = upload(client, agenda, utf16, name="agenda.csv").content.decode()
    # Read as UTF-16: its header is found, and only the row's own gap is named.
    assert "deze kolom ontbreekt in het bestand" not in html
    assert "Rij 2, kolom &#x27;kind&#x27;: deze kolom ontbreekt, maar is nodig" in html


# ------------------------------------------------------------------ batches (decision 0030)


def test_a_dry_run_counts_what_the_write_does_without_a_transaction(agenda):
    """New items that refer to new items, an existing activity moved under a new one
    and an existing goal with a new theme: the dry run compares with what is stored
    and counts as the write does."""
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    for row in rows:
        if row["external_id"] == "handreiking":
            row["parent_external_id"] = "nieuw-hoofd"
        if row["type"] == "goal" and row["external_id"] == "voorveld":
            row["themes"] = "|".join(filter(None, [row["themes"], "nieuw-thema"]))
    rows += [
        {"type": "theme", "external_id": "nieuw-thema", "title": "Nieuw", "kind": "factor"},
        {
            "type": "activity",
            "external_id": "nieuw-hoofd",
            "goal_external_id": "planmatig",
            "kind": "main",
            "title": "Nieuwe hoofdactiviteit",
            "status": "gepland",
        },
        {
            "type": "activity",
            "external_id": "nieuw-sub",
            "goal_external_id": "planmatig",
            "parent_external_id": "nieuw-hoofd",
            "kind": "sub",
            "title": "Nieuwe subactiviteit",
            "status": "gepland",
        },
    ]
    content = csv_bytes(rows)
    before = state(agenda)
    with batches.no_transaction_and_no_write():
        checked = importing.import_file(agenda, content, "agenda.csv", actor=None, dry_run=True)
    assert state(agenda) == before
    report = importing.import_file(agenda, content, "agenda.csv", actor=None)
    assert (checked.created, checked.updated) == (report.created, report.updated)
    assert report.created == {"theme": 1, "activity": 2}
    assert report.updated == {"goal": 1, "activity": 1}


def test_a_dry_run_into_a_fresh_agenda_counts_every_item_new(agenda):
    content = exporting.export_agenda(agenda, "xlsx")
    copy = fresh_agenda_like(agenda, "proef")
    with batches.no_transaction_and_no_write():
        checked = importing.import_file(copy, content, "agenda.xlsx", actor=None, dry_run=True)
    report = importing.import_file(copy, content, "agenda.xlsx", actor=None)
    assert checked.created == report.created and not checked.updated and not report.updated


def test_the_file_is_written_in_batches_parents_first(agenda, monkeypatch):
    batches.small_batches(monkeypatch)
    content = exporting.export_agenda(agenda, "csv")
    copy = fresh_agenda_like(agenda, "in-delen")
    progress = batches.Batches()
    importing.import_file(copy, content, "agenda.csv", actor=None, progress=progress)
    rows = len(csv_rows(content))
    assert progress.written == [*range(2, rows, 2), rows]
    assert exporting.spreadsheet_rows(copy) == exporting.spreadsheet_rows(agenda)


def test_a_job_killed_while_writing_is_completed_without_duplicates(
    agenda, make_member, monkeypatch
):
    batches.small_batches(monkeypatch)
    editor = make_member(agenda.owners.get(), Role.POLICY_OFFICER)
    copy = fresh_agenda_like(agenda, "hervat")
    content = exporting.export_agenda(agenda, "csv")
    job = batches.start(editor, content, kind=JobKind.AGENDA, agenda=copy, run=False)
    batches.kill_after_first_batch(monkeypatch, job)
    job = batches.sweep_after_the_worker_died(job)
    assert job.status == "klaar"
    assert exporting.spreadsheet_rows(copy) == exporting.spreadsheet_rows(agenda)
    assert services.agenda_snapshot(copy) == services.agenda_snapshot(agenda)
    unchanged = sum(int(line.split(", ")[-1].split()[0]) for line in job.result["summary"])
    assert unchanged == 2  # the first batch, found again


def test_a_row_refused_while_writing_is_named(agenda, monkeypatch):
    batches.small_batches(monkeypatch)
    content = exporting.export_agenda(agenda, "csv")
    copy = fresh_agenda_like(agenda, "geweigerd")
    parsed, _problems = importing.check_rows(copy, importing.read_table(content, "agenda.csv"))
    third = importing._in_order(parsed)[2][2]
    batches.refuse_third_call(monkeypatch, services, "save_item")
    with pytest.raises(importing.ImportRejected) as caught:
        importing.import_file(copy, content, "agenda.csv", actor=None)
    batches.assert_stopped_at(caught.value, row=third.number)
    assert len(exporting.spreadsheet_rows(copy)) == 2


# ------------------------------------------------------------------ roles and who pays


def row_of(rows, kind, external_id) -> dict[str, str]:
    return next(r for r in rows if r["type"] == kind and r["external_id"] == external_id)


def test_roles_and_the_payer_are_in_the_file(agenda):
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    activity = row_of(rows, "activity", "netwerkstructuur")
    assert activity["voortrekker"] == "GM0375"
    assert activity["partners"] == "tekst: jeugdteams|tekst: samenwerkingsverbanden"
    assert activity["financiers"] == ""
    card = row_of(rows, "intervention", "peuterplus")
    assert (card["voortrekker"], card["partners"], card["financiers"]) == (
        "GM0375",
        "tekst: SKCN",
        "GM0375",
    )
    assert row_of(rows, "funding", "peuterplus-2022-leerdam-oab")["payer"] == "GM0375"
    assert row_of(rows, "funding", "peuterplus-2022-vianen-oab")["payer"] == ""


def test_an_edited_file_changes_roles_and_payer_in_place(agenda, make_member):
    gemeente = agenda.owners.get()
    editor = make_member(gemeente, Role.POLICY_OFFICER)
    werkgroep = make_member(gemeente, Role.PARTNER, username="m.kamp", first_name="Marjan")
    swv = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    activity = row_of(rows, "activity", "netwerkstructuur")
    activity["voortrekker"] = "m.kamp @ GM0375"
    activity["partners"] = "tekst: jeugdteams|PO2711"
    activity["financiers"] = "Gemeente Beverwijk"
    row_of(rows, "funding", "peuterplus-2022-vianen-oab")["payer"] = "GM0375"
    row_of(rows, "funding", "peuterplus-2022-leerdam-oab")["payer"] = ""
    content = csv_bytes(rows)

    report = importing.import_file(agenda, content, "agenda.csv", actor=editor)

    assert report.updated == {"activity": 1, "funding": 2}
    item = Activity.objects.get(agenda=agenda, external_id="netwerkstructuur")
    roles = services.current_roles(item)
    assert [(p.organisation, p.person) for p in roles["lead"]] == [(gemeente, werkgroep)]
    assert {p.label for p in roles["partner"]} == {"jeugdteams", swv.name}
    assert [p.organisation for p in roles["funder"]] == [gemeente]
    lines = FundingLine.objects.filter(intervention__agenda=agenda)
    assert lines.get(external_id="peuterplus-2022-vianen-oab").payer == gemeente
    assert lines.get(external_id="peuterplus-2022-leerdam-oab").payer is None
    assert AuditEvent.objects.filter(action="agenda.activity.roles", actor=editor).count() == 1

    # The same file again: nothing changes, nothing is duplicated.
    involvements = Involvement.objects.count()
    again = importing.import_file(agenda, content, "agenda.csv", actor=editor)
    assert not again.changed
    assert Involvement.objects.count() == involvements
    # And what was written comes out as it went in.
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    assert row_of(rows, "activity", "netwerkstructuur")["voortrekker"] == "m.kamp @ GM0375"


def test_a_file_without_role_columns_leaves_the_roles_alone(agenda):
    content = b"type;external_id;status\r\nactiviteit;netwerkstructuur;lopend\r\n"
    importing.import_file(agenda, content, "voortgang.csv", actor=None)
    item = Activity.objects.get(agenda=agenda, external_id="netwerkstructuur")
    assert [p.label for p in services.current_roles(item)["lead"]] == ["Gemeente Beverwijk"]


def test_a_dry_run_counts_a_role_change_and_writes_nothing(agenda):
    def change(rows):
        row_of(rows, "activity", "netwerkstructuur")["partners"] = "tekst: jeugdteams"

    before = state(agenda)
    report = importing.import_file(
        agenda, edited(agenda, change), "agenda.csv", actor=None, dry_run=True
    )
    assert report.updated == {"activity": 1}
    assert state(agenda) == before


def test_bad_roles_and_payers_are_named_by_row_and_column(agenda, make_member):
    outsider = make_member(factories.MunicipalityOrganisationFactory(), username="buiten")
    rows = csv_rows(exporting.export_agenda(agenda, "csv"))
    activity = row_of(rows, "activity", "netwerkstructuur")
    activity["voortrekker"] = "GM0375|tekst: jeugdteams"
    activity["partners"] = "Jeugdteam Nergensland|buiten @ GM0375|tekst: a|tekst: a"
    card = row_of(rows, "intervention", "peuterplus")
    card["partners"] = "GM0375"
    row_of(rows, "funding", "peuterplus-2022-vianen-oab")["payer"] = "GM9999"
    numbers = {
        key: row_number(rows, key)
        for key in ("netwerkstructuur", "peuterplus", "peuterplus-2022-vianen-oab")
    }
    assert outsider.username == "buiten"
    problems = refused(agenda, csv_bytes(rows))
    activity_row, card_row = numbers["netwerkstructuur"], numbers["peuterplus"]
    assert problems == [
        f"Rij {activity_row}, kolom 'voortrekker': een onderdeel heeft één voortrekker; zet "
        "de anderen in de kolom 'partners'.",
        f"Rij {activity_row}, kolom 'partners': organisatie 'Jeugdteam Nergensland' is niet "
        "(eenduidig) gevonden; gebruik de code of de exacte naam, of 'tekst: Jeugdteam "
        "Nergensland' voor een partij die niet in het register staat.",
        f"Rij {activity_row}, kolom 'partners': 'buiten' is geen gebruiker die voor "
        "Gemeente Beverwijk werkt.",
        f"Rij {activity_row}, kolom 'partners': 'tekst: a' staat twee keer in deze kolom.",
        f"Rij {card_row}, kolom 'partners': de voortrekker staat ook bij de partners; noem "
        "hen één keer, als voortrekker.",
        f"Rij {numbers['peuterplus-2022-vianen-oab']}, kolom 'payer': organisatie 'GM9999' "
        "is niet (eenduidig) gevonden; gebruik de code of de exacte naam.",
    ]
