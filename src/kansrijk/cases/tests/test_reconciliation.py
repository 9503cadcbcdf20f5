"""The afstemming: counts reported by the schools against the register, per school and
per woongemeente, hand-counted; the upload checked row by row (all or nothing, the same
file twice changes nothing); the page and its CSV with the user trio.

P = 1 October 2024, definition ocw.

| school | episodes counted on P | reported for P |
|---|---|---|
| De Vuurtoren (Beverwijk, SWV PO2711) | 3 absoluut of Beverwijk, 1 relatief day 40 of Maassluis (a relatief of day 10 is not counted) | 3 for GM0375, 0 for GM0556 |
| De Tweemaster (Maassluis, another SWV) | 2 absoluut of Maassluis | nothing |
| De Duinroos (Beverwijk, SWV PO2711) | none | 2, without woongemeente |

Per school: De Vuurtoren 3 vs 4 (verschil −1), De Tweemaster – vs 2 (geen opgave),
De Duinroos 2 vs 0 (niet in het register). Per woongemeente, at the schools that
reported: Beverwijk 3 vs 3, Maassluis 0 vs 1 (the Tweemaster did not report, so its
pupils are not compared); 2 niet toegewezen.
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import reconciliation, services
from kansrijk.cases.models import ReportedCount
from kansrijk.imports.models import JobKind
from kansrijk.imports.tests import batches
from kansrijk.organisations.models import Role
from kansrijk.testing import factories
from kansrijk.testing.documents import fetch_document
from kansrijk.testing.jobs import post_and_run

P = datetime.date(2024, 10, 1)
D = datetime.date


def days_before(days: int) -> datetime.date:
    return P - datetime.timedelta(days=days)


@pytest.fixture
def counts(network):
    third = factories.SchoolFactory(
        municipality=network.beverwijk, partnership=network.swv, name="De Duinroos"
    )

    def case(category, start, school, municipality):
        person = factories.YoungPersonFactory(residence=municipality)
        return factories.CaseFactory(
            young_person=person,
            category=category,
            start_date=start,
            school=school,
            municipality=municipality,
        )

    for _ in range(3):
        case("absoluut", days_before(20), network.school, network.beverwijk)
    case("relatief", days_before(40), network.school, network.maassluis)
    case("relatief", days_before(10), network.school, network.beverwijk)  # not yet counted
    for _ in range(2):
        case("absoluut", days_before(60), network.other_school, network.maassluis)
    services.report_count(
        actor=None, reference_date=P, school=network.school, municipality=network.beverwijk, count=3
    )
    services.report_count(
        actor=None, reference_date=P, school=network.school, municipality=network.maassluis, count=0
    )
    services.report_count(actor=None, reference_date=P, school=third, count=2)
    return third


def lines_of(lines):
    return {line.name: (line.reported, line.register, line.status) for line in lines}


# ------------------------------------------------------------------ the comparison


def test_the_whole_register_per_school_and_per_woongemeente(network, counts):
    result = reconciliation.compare(peildatum=P, definition="ocw")
    assert lines_of(result.schools) == {
        "De Vuurtoren": (3, 4, "verschil"),
        "De Tweemaster": (None, 2, "geen_opgave"),
        "De Duinroos": (2, 0, "niet_in_register"),
    }
    assert lines_of(result.municipalities) == {
        "Beverwijk": (3, 3, "overeen"),
        "Maassluis": (0, 1, "verschil"),
    }
    assert result.unassigned == 2
    assert result.reported_total == 5 and result.register_total == 6
    assert [line.name for line in result.school_differences] == [
        "De Tweemaster",  # no report first, then not in the register, then the rest
        "De Duinroos",
        "De Vuurtoren",
    ]
    vuurtoren = next(line for line in result.schools if line.name == "De Vuurtoren")
    assert vuurtoren.difference == -1 and vuurtoren.code == network.school.code


def test_a_peildatum_without_reports_lists_the_register(network, counts):
    result = reconciliation.compare(peildatum=D(2024, 9, 1), definition="ocw")
    # On 1 September only the Tweemaster's two (started 2 August) are counted.
    assert lines_of(result.schools) == {"De Tweemaster": (None, 2, "geen_opgave")}
    assert result.municipalities == [] and result.unassigned is None


def test_definition_with_5_onder_a(network, counts):
    person = factories.YoungPersonFactory(residence=network.beverwijk)
    factories.CaseFactory(
        young_person=person,
        category="vrijstelling_5_onder_a",
        start_date=D(2024, 3, 1),
        school=network.school,
        municipality=network.beverwijk,
    )
    assert lines_of(reconciliation.compare(peildatum=P, definition="ocw").schools)[
        "De Vuurtoren"
    ] == (3, 4, "verschil")
    assert lines_of(reconciliation.compare(peildatum=P, definition="ocw_5a").schools)[
        "De Vuurtoren"
    ] == (3, 5, "verschil")


@pytest.mark.parametrize(
    ("who", "schools", "municipalities", "unassigned"),
    [
        (
            "leerplicht",  # the schools located in Beverwijk; the Beverwijk pupils
            {"De Vuurtoren": (3, 4, "verschil"), "De Duinroos": (2, 0, "niet_in_register")},
            {"Beverwijk": (3, 3, "overeen")},
            2,
        ),
        (
            "leerplicht_elders",  # Maassluis: its school, and its pupils at any school
            {"De Tweemaster": (None, 2, "geen_opgave")},
            {"Maassluis": (0, 1, "verschil")},
            None,
        ),
        (
            "swv",  # the member schools and their pupils
            {"De Vuurtoren": (3, 4, "verschil"), "De Duinroos": (2, 0, "niet_in_register")},
            {"Beverwijk": (3, 3, "overeen"), "Maassluis": (0, 1, "verschil")},
            2,
        ),
        (
            "school",
            {"De Vuurtoren": (3, 4, "verschil")},
            {"Beverwijk": (3, 3, "overeen"), "Maassluis": (0, 1, "verschil")},
            None,
        ),
        ("school_elders", {"De Tweemaster": (None, 2, "geen_opgave")}, {}, None),
        ("beleid", {}, {}, None),
        ("lezer", {}, {}, None),
        ("office_reader", {}, {}, None),
    ],
)
def test_each_user_compares_their_own_schools(
    network, people, counts, who, schools, municipalities, unassigned
):
    result = reconciliation.compare(peildatum=P, definition="ocw", user=people[who])
    assert lines_of(result.schools) == schools
    assert lines_of(result.municipalities) == municipalities
    assert result.unassigned == unassigned


def test_the_comparison_takes_a_fixed_number_of_queries(
    network, counts, django_assert_max_num_queries
):
    # Seven, and one for the herindelingen of P (a residence in a merged gemeente counts in
    # its successor).
    with django_assert_max_num_queries(8):
        reconciliation.compare(peildatum=P, definition="ocw")
    for _ in range(5):
        school = factories.SchoolFactory(municipality=network.beverwijk, partnership=network.swv)
        services.report_count(actor=None, reference_date=P, school=school, count=1)
    with django_assert_max_num_queries(8):
        assert len(reconciliation.compare(peildatum=P, definition="ocw").schools) == 8


# ------------------------------------------------------------------ the upload


def upload(text: str, *, actor=None, name="opgave.csv", dry_run=False):
    return reconciliation.import_counts(text.encode("utf-8"), name, actor=actor, dry_run=dry_run)


def test_a_file_is_stored_and_the_same_file_again_changes_nothing(network):
    text = (
        "peildatum,brin6,aantal,woongemeente\n"
        f"2024-10-01,{network.school.code},4,GM0375\n"
        f"2024-10-01,{network.school.code},1,gm0556\n"
        f"01-10-2024,{network.other_school.code},0,\n"
    )
    report = upload(text)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    audit_rows = AuditEvent.objects.filter(action="cases.reported_count.save").count()
    again = upload(text)
    assert (again.created, again.updated, again.unchanged, again.changed) == (0, 0, 3, False)
    assert ReportedCount.objects.count() == 3
    assert AuditEvent.objects.filter(action="cases.reported_count.save").count() == audit_rows
    assert ReportedCount.objects.get(school=network.other_school).count == 0


def test_a_new_file_replaces_the_schools_report_for_that_peildatum(network):
    upload(f"peildatum,brin6,aantal\n2024-10-01,{network.school.code},5\n")
    report = upload(
        "peildatum,brin6,aantal,woongemeente\n"
        f"2024-10-01,{network.school.code},4,GM0375\n"
        f"2024-10-01,{network.school.code},1,GM0556\n"
    )
    assert (report.created, report.withdrawn) == (2, 1)
    rows = ReportedCount.objects.filter(school=network.school)
    assert sorted((row.municipality.code, row.count) for row in rows) == [
        ("GM0375", 4),
        ("GM0556", 1),
    ]
    assert AuditEvent.objects.filter(action="cases.reported_count.withdraw").count() == 1
    # A changed number is an update; another school or peildatum stays as it was.
    upload(f"peildatum,brin6,aantal\n2024-07-01,{network.school.code},2\n")
    report = upload(
        "peildatum,brin6,aantal,woongemeente\n"
        f"2024-10-01,{network.school.code},3,GM0375\n"
        f"2024-10-01,{network.school.code},1,GM0556\n"
    )
    assert (report.created, report.updated, report.unchanged, report.withdrawn) == (0, 1, 1, 0)
    assert ReportedCount.objects.get(reference_date=D(2024, 7, 1)).count == 2


def test_every_bad_row_is_named_and_nothing_is_stored(network, people):
    services.report_count(actor=None, reference_date=P, school=network.school, count=7)
    text = (
        "peildatum;brin6;aantal;woongemeente\n"
        f"2024-10-01;{network.school.code};3;\n"
        "2024-10-32;07NU00;3;\n"
        f"2024-10-01;{network.school.code[:4]};drie;GM375\n"
        f"2099-10-01;99ZZ99;-2;GM9999\n"
        f"2024-10-01;{network.other_school.code};1;\n"
        f";;;\n"
        f"2024-10-01;{network.school.code};4;\n"
    )
    with pytest.raises(reconciliation.ImportRejected) as rejected:
        upload(text, actor=people["school"])
    messages = [str(problem) for problem in rejected.value.problems]
    assert messages == [
        "Rij 3, kolom 'peildatum': '2024-10-32' is geen datum; schrijf JJJJ-MM-DD.",
        "Rij 3, kolom 'brin6': '07NU00' is geen bekende schoolvestiging.",
        f"Rij 4, kolom 'brin6': '{network.school.code[:4]}' is geen geldige vestigingscode "
        "(BRIN6): verwacht 2 cijfers, 2 hoofdletters en 2 cijfers, zoals 07NU00.",
        "Rij 4, kolom 'aantal': 'drie' is geen getal.",
        "Rij 4, kolom 'woongemeente': 'GM375' is geen geldige gemeentecode: verwacht GM en "
        "4 cijfers, zoals GM0375.",
        "Rij 5, kolom 'peildatum': de peildatum ligt in de toekomst.",
        "Rij 5, kolom 'brin6': '99ZZ99' is geen bekende schoolvestiging.",
        "Rij 5, kolom 'aantal': het aantal kan niet negatief zijn.",
        "Rij 5, kolom 'woongemeente': 'GM9999' is geen bekende gemeentecode.",
        f"Rij 6, kolom 'brin6': je mag voor {network.other_school} geen aantallen opgeven.",
        "Rij 8: dezelfde peildatum, school en woongemeente staan al in rij 2; geef elk "
        "aantal één keer op.",
    ]
    assert ReportedCount.objects.get().count == 7


def test_missing_columns_and_wrong_files(network):
    with pytest.raises(reconciliation.ImportRejected) as rejected:
        upload("datum,brin,aantal\n2024-10-01,07NU00,1\n")
    assert [str(p) for p in rejected.value.problems] == [
        "Kolom 'peildatum': deze kolom ontbreekt in het bestand.",
        "Kolom 'brin6': deze kolom ontbreekt in het bestand.",
    ]
    with pytest.raises(reconciliation.ImportRejected, match=r"Kies een \.csv- of \.xlsx-bestand"):
        upload("x", name="opgave.txt")
    with pytest.raises(reconciliation.ImportRejected, match="geen rijen"):
        upload("peildatum,brin6,aantal\n")


def test_a_bsn_in_the_wrong_column_is_not_repeated(network):
    with pytest.raises(reconciliation.ImportRejected) as rejected:
        upload("peildatum,brin6,aantal\n2024-10-01,111222333,1\n")
    text = " ".join(str(problem) for problem in rejected.value.problems)
    assert "111222333" not in text
    assert "Rij 2, kolom 'brin6'" in text


def test_a_spreadsheet_works_too_and_a_dry_run_stores_nothing(network):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["peildatum", "brin6", "aantal", "woongemeente"])
    sheet.append([datetime.datetime(2024, 10, 1), network.school.code, 3, "GM0375"])
    stream = io.BytesIO()
    workbook.save(stream)
    report = reconciliation.import_counts(
        stream.getvalue(), "opgave.xlsx", actor=None, dry_run=True
    )
    assert report.created == 1 and report.dry_run
    assert not ReportedCount.objects.exists()
    assert not AuditEvent.objects.filter(action="cases.reported_count.save").exists()
    reconciliation.import_counts(stream.getvalue(), "opgave.xlsx", actor=None)
    assert ReportedCount.objects.get().count == 3


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("school", True),  # its own school
        ("swv", True),  # a member school
        ("leerplicht", True),  # a school located in its gemeente
        ("school_elders", False),
        ("leerplicht_elders", False),
        ("beleid", False),
        ("office_reader", False),
    ],
)
def test_who_may_report_for_a_school(network, people, who, allowed):
    text = f"peildatum,brin6,aantal\n2024-10-01,{network.school.code},3\n"
    if allowed:
        upload(text, actor=people[who])
        assert ReportedCount.objects.get().reported_by == people[who]
        assert people[who].has_perm("cases.report_for_school", network.school)
    else:
        with pytest.raises(reconciliation.ImportRejected, match="geen aantallen opgeven"):
            upload(text, actor=people[who])
        assert not ReportedCount.objects.exists()


# ------------------------------------------------------------------ the page


URL = reverse("cases_oversight:reconciliation")
CSV_URL = reverse("cases_oversight:reconciliation_csv")


@pytest.fixture
def login(verified_client):
    return verified_client


def test_page_shows_the_differences_of_the_users_schools(network, people, counts, login):
    client = login(people["swv"])
    response = client.get(URL, {"peildatum": "2024-10-01", "definitie": "ocw"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "De Vuurtoren" in html and "De Duinroos" in html
    assert "De Tweemaster" not in html
    assert "Niet toegewezen" in html and "Maassluis" in html
    assert "Definitie ocw" in html
    assert "verschillen.csv?peildatum=2024-10-01&amp;definitie=ocw" in html


def test_page_defaults_to_the_latest_reported_peildatum(network, people, counts, login):
    response = login(people["leerplicht"]).get(URL)
    assert response.context["result"].peildatum == P


@pytest.mark.parametrize(
    ("who", "status"),
    [
        # The user trio of each dossier role: the role, another role in the same
        # organisation, the same role in another organisation.
        ("leerplicht", 200),
        ("office_reader", 403),
        ("leerplicht_elders", 200),
        ("swv", 200),
        ("school", 200),
        ("school_elders", 200),
        ("beleid", 403),
        ("lezer", 403),
    ],
)
def test_who_may_open_the_page_and_the_download(network, people, counts, login, who, status):
    client = login(people[who])
    assert client.get(URL).status_code == status
    assert fetch_document(client, CSV_URL, {"peildatum": "2024-10-01"}).status_code == status


def test_the_user_trio_of_the_swv_coordinator(network, counts, make_member, verified_client):
    other_swv = factories.PartnershipFactory()
    trio = {
        "member": make_member(network.swv, Role.SWV_COORDINATOR),
        "other_role": make_member(network.swv, Role.READER),
        "other_organisation": make_member(other_swv, Role.SWV_COORDINATOR),
    }
    response = fetch_document(verified_client(trio["member"]), CSV_URL, {"peildatum": "2024-10-01"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {row["code"] for row in rows if row["niveau"] == "school"} == {
        network.school.code,
        counts.code,
    }
    assert fetch_document(verified_client(trio["other_role"]), CSV_URL).status_code == 403
    response = fetch_document(
        verified_client(trio["other_organisation"]), CSV_URL, {"peildatum": "2024-10-01"}
    )
    assert response.status_code == 200
    assert list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))) == []


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/account/" in response["Location"]


def test_the_csv_of_the_differences(network, people, counts, login):
    response = fetch_document(login(people["leerplicht"]), CSV_URL, {"peildatum": "2024-10-01"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="afstemming-2024-10-01-ocw.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["niveau"], row["naam"], row["verschil"], row["status"]) for row in rows] == [
        ("school", "De Duinroos", "2", "niet_in_register"),
        ("school", "De Vuurtoren", "-1", "verschil"),
        ("woongemeente", "opgegeven zonder woongemeente", "", "niet_toegewezen"),
    ]


def test_upload_on_the_page(network, people, login):
    client = login(people["school"])
    good = SimpleUploadedFile(
        "opgave.csv", f"peildatum,brin6,aantal\n2024-10-01,{network.school.code},2\n".encode()
    )
    response = post_and_run(client, URL, {"action": "upload", "file": good})
    assert response.status_code == 200
    assert "Het bestand is geïmporteerd" in response.content.decode()
    # The way back shows the peildatum the file was about.
    back = response.context["upload_page"]
    assert back.endswith("?peildatum=2024-10-01")
    assert client.get(back).context["result"].peildatum == P
    bad = SimpleUploadedFile(
        "opgave.csv", f"peildatum,brin6,aantal\n2024-10-01,{network.other_school.code},2\n".encode()
    )
    response = post_and_run(client, URL, {"action": "upload", "file": bad})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Het bestand is niet geïmporteerd" in html
    assert "Rij 2, kolom &#x27;brin6&#x27;: je mag voor" in html
    assert ReportedCount.objects.get().count == 2


def test_one_count_by_the_form(network, people, login):
    client = login(people["leerplicht"])
    response = client.post(
        URL,
        {
            "action": "opgave",
            "opgave-peildatum": "2024-10-01",
            "opgave-school": network.school.code,
            "opgave-woongemeente": "GM0375",
            "opgave-aantal": "4",
        },
    )
    assert response.status_code == 302
    assert "peildatum=2024-10-01" in response["Location"]
    reported = ReportedCount.objects.get()
    assert (reported.count, reported.municipality, reported.source) == (
        4,
        network.beverwijk,
        "formulier",
    )
    # A school outside the user's gemeenten is refused, with the field named.
    response = client.post(
        URL,
        {
            "action": "opgave",
            "opgave-peildatum": "2024-10-01",
            "opgave-school": network.other_school.code,
            "opgave-aantal": "1",
        },
    )
    assert response.status_code == 400
    assert response.context["count_form"].errors["school"]
    assert ReportedCount.objects.count() == 1


def test_the_page_takes_a_fixed_number_of_queries(
    network, people, counts, login, django_assert_max_num_queries
):
    client = login(people["swv"])
    client.get(URL, {"peildatum": "2024-10-01"})
    # 23: the page also lists the last import jobs of its upload.
    with django_assert_max_num_queries(23) as first:
        client.get(URL, {"peildatum": "2024-10-01"})
    for _ in range(10):
        school = factories.SchoolFactory(municipality=network.beverwijk, partnership=network.swv)
        services.report_count(actor=None, reference_date=P, school=school, count=1)
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(URL, {"peildatum": "2024-10-01"})
    assert response.context["page"].paginator.count == 12


def test_the_user_trio_of_the_school_contact(network, counts, make_member, verified_client):
    member = make_member(network.school, Role.SCHOOL_CONTACT)
    other_role = make_member(network.school, Role.READER)
    other_organisation = make_member(network.other_school, Role.SCHOOL_CONTACT)
    page = verified_client(member).get(URL, {"peildatum": "2024-10-01"})
    assert lines_of(page.context["result"].schools) == {"De Vuurtoren": (3, 4, "verschil")}
    assert [code for code, _name in page.context["count_form"].fields["school"].choices][1:] == [
        network.school.code
    ]
    assert verified_client(other_role).get(URL).status_code == 403
    assert fetch_document(verified_client(other_role), CSV_URL).status_code == 403
    page = verified_client(other_organisation).get(URL, {"peildatum": "2024-10-01"})
    assert lines_of(page.context["result"].schools) == {"De Tweemaster": (None, 2, "geen_opgave")}
    # The other school's contact cannot report for De Vuurtoren through the form.
    response = verified_client(other_organisation).post(
        URL,
        {
            "action": "opgave",
            "opgave-peildatum": "2024-10-01",
            "opgave-school": network.school.code,
            "opgave-aantal": "9",
        },
    )
    assert response.status_code == 400
    assert ReportedCount.objects.filter(school=network.school).count() == 2


# ------------------------------------------------------------------ batches (decision 0030)


def split_and_more(network) -> str:
    """A school's total for P split per woongemeente (the total is withdrawn first),
    and three more peildata."""
    lines = [
        f"2024-10-01,{network.school.code},4,GM0375",
        f"2024-10-01,{network.school.code},1,GM0556",
        *(f"2024-0{month}-01,{network.school.code},{month},GM0375" for month in (3, 4, 5)),
    ]
    return "peildatum,brin6,aantal,woongemeente\n" + "\n".join(lines) + "\n"


def test_counts_are_written_in_batches_and_a_dry_run_takes_no_lock(network, monkeypatch):
    services.report_count(actor=None, reference_date=P, school=network.school, count=5)
    batches.small_batches(monkeypatch)
    with batches.no_transaction_and_no_write():
        checked = upload(split_and_more(network), dry_run=True)
    assert (checked.created, checked.updated, checked.withdrawn, checked.dry_run) == (5, 0, 1, True)
    progress = batches.Batches()
    report = reconciliation.import_counts(
        split_and_more(network).encode(), "opgave.csv", actor=None, progress=progress
    )
    # The withdrawal first, then the five counts: six steps in three batches.
    assert progress.written == [2, 4, 6]
    assert (report.created, report.updated, report.withdrawn) == (5, 0, 1)
    assert ReportedCount.objects.count() == 5
    assert not ReportedCount.objects.filter(municipality=None).exists()


def test_a_job_killed_while_writing_is_completed_without_duplicates(network, people, monkeypatch):
    services.report_count(actor=None, reference_date=P, school=network.school, count=5)
    batches.small_batches(monkeypatch)
    job = batches.start(
        people["school"], split_and_more(network).encode(), kind=JobKind.COUNTS, run=False
    )
    batches.kill_after_first_batch(monkeypatch, job)
    # The total is withdrawn and the first part written; the rest is not yet there.
    assert list(ReportedCount.objects.values_list("count", flat=True)) == [4]
    job = batches.sweep_after_the_worker_died(job)
    assert job.status == "klaar"
    assert job.result["summary"] == ["4 nieuw, 0 gewijzigd, 1 ongewijzigd"]
    assert sorted(ReportedCount.objects.values_list("count", flat=True)) == [1, 3, 4, 4, 5]
    withdrawn = AuditEvent.objects.filter(action="cases.reported_count.withdraw")
    assert withdrawn.count() == 1


def test_a_count_refused_while_writing_is_named(network, monkeypatch):
    batches.small_batches(monkeypatch)
    batches.refuse_third_call(monkeypatch, services, "report_count")
    with pytest.raises(reconciliation.ImportRejected) as caught:
        upload(split_and_more(network))
    batches.assert_stopped_at(caught.value, row=4)
    assert ReportedCount.objects.count() == 2
