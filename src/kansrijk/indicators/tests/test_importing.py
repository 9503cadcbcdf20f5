import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse

from kansrijk.imports.models import ImportJob, JobStatus
from kansrijk.imports.tests import batches
from kansrijk.indicators import services
from kansrijk.indicators.disclosure import Disclosure
from kansrijk.indicators.exporting import export_rows, measurement_rows
from kansrijk.indicators.importing import ImportRejected, import_file
from kansrijk.indicators.models import Measurement
from kansrijk.organisations.models import Role
from kansrijk.testing.jobs import post_and_run
from kansrijk.testing.machines import files_on, machine

from ._io_helpers import make_indicators

pytestmark = pytest.mark.django_db

HEADER = "indicator,periode,periode_start,periode_eind,regio,organisatie,uitsplitsing,categorie,waarde,teller,noemer,definitief,verhaal,bron\r\n"


def csv_file(*lines: str) -> bytes:
    return (HEADER + "".join(line + "\r\n" for line in lines)).encode()


@pytest.fixture
def setup(municipality_organisation):
    reach, count = make_indicators(municipality_organisation)
    return reach, count, municipality_organisation


def test_good_file_is_imported_and_reimport_changes_nothing(setup):
    reach, _count, org = setup
    code = org.municipality.code
    data = csv_file(
        f"vve-bereik,2019,2019-01-01,2019-12-31,{code},,,,,72,100,ja,Nulmeting,GGD",
        f"vsv-aantal,2023-2024,2023-08-01,2024-07-31,{code},,sector,VO,12,,,nee,,",
    )
    report = import_file(data, "metingen.csv", actor=None)
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    figure = Measurement.objects.get(indicator=reach)
    assert figure.display_value == Decimal(72)
    assert figure.is_final and figure.story == "Nulmeting" and figure.approval == "submitted"
    history = figure.history.count()
    again = import_file(data, "metingen.csv", actor=None)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    figure.refresh_from_db()
    assert figure.history.count() == history


def test_bad_file_is_rejected_whole_with_row_messages(setup):
    _reach, _count, org = setup
    code = org.municipality.code
    data = csv_file(
        f"vve-bereik,2019,2019-01-01,2019-12-31,{code},,,,,72,100,ja,,",  # good
        f"onbekend,2019,2019-01-01,2019-12-31,{code},,,,5,,,ja,,",
        f"vve-bereik,2020,2020-12-31,2020-01-01,{code},,,,,72,100,ja,,",
        "vve-bereik,2021,2021-01-01,2021-12-31,GM0000X,,,,,72,100,ja,,",
        f"vve-bereik,2022,2022-01-01,2022-12-31,{code},,,,,120,100,ja,,",
        f"vve-bereik,2023,2023-01-01,2023-12-31,{code},,,,,1,0,ja,,",
        f"vsv-aantal,2024,2024-01-01,2024-12-31,{code},,,,veel,,,misschien,,",
        f"vve-bereik,2019,2019-01-01,2019-12-31,{code},,,,,70,100,ja,,",  # duplicate of row 2
    )
    with pytest.raises(ImportRejected) as caught:
        import_file(data, "metingen.csv", actor=None)
    messages = [str(p) for p in caught.value.problems]
    text = "\n".join(messages)
    assert "Rij 3, kolom 'indicator'" in text
    assert "Rij 4, kolom 'periode_eind'" in text
    assert "Rij 5, kolom 'regio'" in text
    assert "Rij 6, kolom 'teller'" in text and "groter dan de noemer" in text
    assert "Rij 7, kolom 'noemer'" in text
    assert "Rij 8, kolom 'waarde'" in text and "Rij 8, kolom 'definitief'" in text
    assert "Rij 9:" in text and "rij 2" in text
    assert Measurement.objects.count() == 0


def test_partner_may_only_import_for_own_scope(setup, make_member, other_municipality_organisation):
    _reach, _count, org = setup
    partner = make_member(other_municipality_organisation, Role.PARTNER)
    data = csv_file(f"vve-bereik,2019,2019-01-01,2019-12-31,,{org.code},,,,72,100,ja,,")
    with pytest.raises(ImportRejected) as caught:
        import_file(data, "m.csv", actor=partner)
    assert "kolom 'organisatie'" in str(caught.value)
    own = csv_file(
        f"vve-bereik,2019,2019-01-01,2019-12-31,,{other_municipality_organisation.code},,,,72,100,ja,,"
    )
    assert import_file(own, "m.csv", actor=partner).created == 1
    assert Measurement.objects.get().approval == "submitted"


def test_export_round_trips_through_xlsx(setup):
    _reach, _count, org = setup
    code = org.municipality.code
    import_file(
        csv_file(f"vve-bereik,2019,2019-01-01,2019-12-31,{code},,,,,72,100,ja,=verhaal,GGD"),
        "m.csv",
        actor=None,
    )
    xlsx = export_rows(measurement_rows(Measurement.objects.all(), disclosure=Disclosure()), "xlsx")
    report = import_file(xlsx, "m.xlsx", actor=None)
    assert report.unchanged == 1 and not report.changed
    assert Measurement.objects.get().story == "=verhaal"


def test_command_and_upload_page(setup, tmp_path, make_member, client):
    _reach, _count, org = setup
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        csv_file(f"vve-bereik,2019,2019-01-01,2019-12-31,{org.municipality.code},,,,,7,0,ja,,")
    )
    with pytest.raises(CommandError):
        call_command("import_measurements", str(bad))
    partner = make_member(org, Role.PARTNER)
    client.force_login(partner)
    url = reverse("indicators_io:import")
    assert client.get(url).status_code == 200
    with bad.open("rb") as upload:
        response = post_and_run(client, url, {"file": upload})
    assert response.status_code == 200  # the job's status page
    assert "Rij 2, kolom" in response.content.decode()
    assert Measurement.objects.count() == 0
    assert datetime.date  # keep import used


# ------------------------------------------------------------------ batches (decision 0030)


def five_years(org) -> bytes:
    return csv_file(
        *(
            f"vve-bereik,{year},{year}-01-01,{year}-12-31,,{org.code},,,,{year - 1950},100,ja,,"
            for year in range(2015, 2020)
        )
    )


def test_the_file_is_written_in_batches_and_a_dry_run_takes_no_lock(setup, monkeypatch):
    _reach, _count, org = setup
    batches.small_batches(monkeypatch)
    with batches.no_transaction_and_no_write():
        checked = import_file(five_years(org), "m.csv", actor=None, dry_run=True)
    assert (checked.created, checked.dry_run) == (5, True)
    progress = batches.Batches()
    report = import_file(five_years(org), "m.csv", actor=None, progress=progress)
    assert progress.written == [2, 4, 5] and report.created == 5
    assert Measurement.objects.count() == 5


def test_a_job_killed_while_writing_is_completed_without_duplicates(
    setup, make_member, monkeypatch
):
    _reach, _count, org = setup
    batches.small_batches(monkeypatch)
    partner = make_member(org, Role.PARTNER)
    job = batches.start(partner, five_years(org), run=False)
    batches.kill_after_first_batch(monkeypatch, job)
    assert Measurement.objects.count() == 2
    job = batches.sweep_after_the_worker_died(job)
    assert job.status == "klaar" and job.result["summary"] == [
        "3 nieuw, 0 bijgewerkt, 2 ongewijzigd"
    ]
    assert Measurement.objects.count() == 5
    assert sorted(m.numerator for m in Measurement.objects.all()) == [65, 66, 67, 68, 69]


def test_a_row_refused_while_writing_is_named(setup, monkeypatch):
    _reach, _count, org = setup
    batches.small_batches(monkeypatch)
    batches.refuse_third_call(monkeypatch, services, "submit_measurement")
    with pytest.raises(ImportRejected) as caught:
        import_file(five_years(org), "m.csv", actor=None)
    batches.assert_stopped_at(caught.value, row=4)
    assert Measurement.objects.count() == 2


def test_an_upload_on_one_machine_is_imported_by_a_worker_on_another(
    setup, make_member, client, tmp_path
):
    """The web machine keeps the upload in the database; the worker, whose MEDIA_ROOT is
    another and empty, reads it there (decision 0050)."""
    _reach, _count, org = setup
    client.force_login(make_member(org, Role.PARTNER))
    upload = SimpleUploadedFile("metingen.csv", five_years(org), content_type="text/csv")
    with machine(tmp_path / "web"), TestCase.captureOnCommitCallbacks() as queued:
        response = client.post(reverse("indicators_io:import"), {"file": upload})
    assert response.status_code == 302 and len(queued) == 1
    assert ImportJob.objects.get().status == JobStatus.QUEUED
    with machine(tmp_path / "worker"):
        queued[0]()  # the worker takes the task
    job = ImportJob.objects.get()
    assert job.status == JobStatus.DONE and job.stored_file == ""
    assert Measurement.objects.count() == 5
    assert files_on(tmp_path / "web") == files_on(tmp_path / "worker") == []
