"""The kinds added by decision 0051, each built by the worker; the steps the exporters
report; and the heading that names the document."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile

import pytest

from kansrijk.documents import kinds, services
from kansrijk.documents.models import DocumentStatus
from kansrijk.indicators.tests._io_helpers import add, make_indicators
from kansrijk.organisations.models import Role
from kansrijk.socialmap.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


def built(job) -> bytes:
    job.refresh_from_db()
    assert job.status == DocumentStatus.DONE, job.error
    with services.open_stored(job) as stored:
        return stored.read()


def csv_rows(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_agenda_csv_is_built_by_the_worker(officer, sample_agenda):
    job = services.request_document(officer, "agenda", {"agenda": sample_agenda.slug, "fmt": "csv"})
    assert csv_rows(built(job))[0]["type"]
    assert job.filename == f"{sample_agenda.slug}.csv"
    assert job.title == f"Agenda ‘{sample_agenda.title}’ (CSV)"


def test_the_measurements_are_built_by_the_worker_in_the_users_view(
    officer, municipality_organisation
):
    reach, _count = make_indicators(municipality_organisation)
    add(reach, municipality_organisation.municipality, 2019, numerator=72, denominator=100)
    for fmt in ("csv", "xlsx", "sdmx"):
        job = services.request_document(officer, "metingen", {"indicator": reach.code, "fmt": fmt})
        content = built(job)
        assert job.content_type == kinds.KINDS["metingen"].content_type({"fmt": fmt})
        assert job.title.startswith("Metingen van de indicator ‘Bereik VVE’")
        if fmt == "csv":
            assert [row["waarde"] for row in csv_rows(content)] == ["72"]
    assert not kinds.KINDS["metingen"].allowed(officer, {"indicator": "bestaat-niet", "fmt": "csv"})


def test_the_sociale_kaart_is_built_once_for_its_visitors():
    ServiceFactory(name="Huiswerkbegeleiding")
    ServiceFactory(name="Concept", status="concept")
    jobs = {}
    for fmt in ("csv", "json", "zip"):
        job, refusal = services.request_shared_document(
            "sociale-kaart", {"fmt": fmt}, address="192.0.2.1"
        )
        assert refusal is None
        jobs[fmt] = (job, built(job))
    names = [row["naam"] for row in csv_rows(jobs["csv"][1])]
    assert names == ["Huiswerkbegeleiding"]  # published entries only
    assert json.loads(jobs["json"][1])
    assert zipfile.ZipFile(io.BytesIO(jobs["zip"][1])).namelist()
    assert jobs["zip"][0].filename == "sociale-kaart-hsds.zip"
    assert jobs["zip"][0].title == "Aanbod van de sociale kaart (HSDS, zip)"


def test_the_reconciliation_is_built_by_the_worker_for_a_dossier_role_only(
    make_member, municipality_organisation
):
    params = {"peildatum": "2024-10-01", "definitie": "ocw", "fmt": "csv"}
    officer = make_member(municipality_organisation, Role.ATTENDANCE_OFFICER)
    job = services.request_document(officer, "afstemming", params)
    content = built(job)
    assert content.decode("utf-8-sig").startswith("peildatum,definitie,niveau,")
    assert job.filename == "afstemming-2024-10-01-ocw.csv"
    assert job.title == "Afstemming van de tellingen peildatum 1 oktober 2024 (CSV)"
    # Counts per school and woongemeente: no person in it, so no audited reads.
    assert not kinds.KINDS["afstemming"].personal_data
    reader = make_member(municipality_organisation, Role.READER)
    with pytest.raises(services.PermissionDenied):
        services.request_document(reader, "afstemming", params)


@pytest.mark.parametrize(
    ("kind", "fmt"),
    [("agenda", "docx"), ("agenda", "pdf"), ("voortgangsrapportage", "pdf")],
)
def test_the_worker_reports_more_than_two_steps(officer, sample_agenda, recorded_steps, kind, fmt):
    job = services.request_document(officer, kind, {"agenda": sample_agenda.slug, "fmt": fmt})
    built(job)
    heard = recorded_steps[job.pk]
    assert len(heard) > 2, heard
    done = [d for d, _total, _step in heard]
    assert done == sorted(done) and done[0] == 0
    # The total is known before the steps are taken: the bar never runs back.
    assert all(d < total for d, total, _step in heard)
    assert len({total for _d, total, _step in heard}) == 1, heard
    assert all(step.endswith(".") for _d, _t, step in heard)


def test_the_word_document_reports_each_speerpunt(officer, sample_agenda, recorded_steps):
    job = services.request_document(
        officer, "agenda", {"agenda": sample_agenda.slug, "fmt": "docx"}
    )
    built(job)
    speerpunten = sample_agenda.spearheads.filter(archived_on=None).count()
    steps = [step for _d, _t, step in recorded_steps[job.pk]]
    assert sum(step.startswith("Speerpunt") for step in steps) == speerpunten > 0


def test_the_annual_and_quarterly_reports_report_their_counts(recorded_steps, monkeypatch):
    from kansrijk.cases import exporting, registration, reporting

    heard = []

    def record(done, total, step):
        heard.append((done, total, step))

    report = reporting.build_report(
        peildatum=datetime.date(2024, 10, 1),
        level="gemeente",
        progress=kinds.Steps(record).expect(reporting.QUARTERLY_REPORT_STEPS + 1),
    )
    assert len(heard) == reporting.QUARTERLY_REPORT_STEPS
    steps = kinds.Steps(record)
    exporting.export_report(report, "csv", steps)
    assert heard[-1][2] == "Het bestand wordt geschreven."
    heard.clear()
    registration.build_annual_report(
        school_year="2023/2024",
        municipality_ids=[],
        suppressed=True,
        progress=kinds.Steps(record),
    )
    assert heard == []  # no gemeente, nothing counted


def test_the_heading_names_the_document_without_a_person(officer, sample_agenda):
    agenda = {"agenda": sample_agenda.slug}
    assert kinds.KINDS["agenda"].heading(officer, {**agenda, "fmt": "pdf"}) == (
        f"Agenda ‘{sample_agenda.title}’ (PDF)"
    )
    assert kinds.KINDS["voortgangsrapportage"].heading(officer, {**agenda, "fmt": "docx"}) == (
        f"Voortgangsrapportage voor de raad ‘{sample_agenda.title}’ (Word)"
    )
    quarterly = {"peildatum": "2024-04-01", "niveau": "gemeente", "definitie": "ocw", "fmt": "xlsx"}
    assert kinds.KINDS["kwartaalrapportage"].heading(officer, quarterly) == (
        "Kwartaalrapportage thuiszitters peildatum 1 april 2024 (Excel)"
    )
    annual = {"schooljaar": "2023/2024", "gemeente": "", "definitie": "ocw", "fmt": "csv"}
    assert kinds.KINDS["jaarverslag"].heading(officer, annual) == (
        "Jaarverslag leerplicht schooljaar 2023/2024 (CSV)"
    )
    # The status page shows it.
    job = services.request_document(officer, "agenda", {**agenda, "fmt": "xlsx"})
    from django.test import Client

    client = Client()
    client.force_login(officer)
    html = client.get(job.get_absolute_url()).content.decode()
    assert f"<title>Agenda ‘{sample_agenda.title}’ (Excel)" in html


def test_a_new_figure_makes_a_new_shared_build_of_the_measurements(municipality_organisation):
    reach, _count = make_indicators(municipality_organisation)
    region = municipality_organisation.municipality
    add(reach, region, 2019, numerator=72, denominator=100)
    params = {"indicator": reach.code, "fmt": "csv"}
    first, _refusal = services.request_shared_document("metingen", params, address="192.0.2.1")
    again, _refusal = services.request_shared_document("metingen", params, address="192.0.2.9")
    assert again.pk == first.pk and len(csv_rows(built(first))) == 1
    add(reach, region, 2020, numerator=80, denominator=100)
    second, _refusal = services.request_shared_document("metingen", params, address="192.0.2.1")
    assert second.pk != first.pk and len(csv_rows(built(second))) == 2
