"""Open Referral HSDS 3 out and in: an export imported into an empty sociale kaart gives
the same catalogue (a canonical dump compared field by field), for the tabular zip and
the JSON form; importing it again changes nothing; every wrong row is named by table,
row and column in Dutch and nothing is written."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.models import Goal
from kansrijk.audit.models import AuditEvent
from kansrijk.socialmap import hsds, services, taxonomy
from kansrijk.socialmap.models import (
    CostOption,
    Location,
    Provider,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceStatus,
)
from kansrijk.socialmap.tests.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(provider, gemeente, wijk, school, municipality_organisation):
    """A catalogue with every part HSDS carries: two providers (one outside Kansrijk),
    themes, audiences, features, groups, a wijk, a school location with its times, an
    address, phones, a contact, languages, a price and a link to a public agenda goal."""
    agenda = agenda_services.create_agenda(
        actor=None,
        owners=[municipality_organisation],
        regions=[gemeente],
        slug="onderwijskansen",
        title="Onderwijskansen",
        kind="educational_opportunities",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        status="adopted",
        is_public=True,
    )
    goal = agenda_services.save_item(
        Goal(agenda=agenda),
        actor=None,
        external_id="doel-2",
        number="2",
        text="Talenten ontwikkelen.",
    )
    outside = services.save_provider(
        actor=None, name="Duurzaamheidscentrum (DCM)", source_note="seed 003, doel 2"
    )
    homework = ServiceFactory(
        provider=provider,
        name="Huiswerkbegeleiding",
        alternate_name="Huiswerkhulp",
        description="Hulp bij huiswerk voor kinderen in groep 7.",
        minimum_group=7,
        maximum_group=7,
        requires_referral=True,
        is_free=True,
        alert="Pilot sinds 2020.",
        eligibility_description="Kwetsbare kinderen uit groep 7, op indicatie.",
        application_process="Via de school.",
        url="https://www.maassluis.nl",
        email="info@maassluis.nl",
        source_note="seed 003, doel 2",
        themes=["huiswerk"],
        audiences=["kinderen"],
        areas=[gemeente, wijk],
    )
    homework.goals.set([goal])
    services.update_service(
        homework,
        actor=None,
        links=services.Links(
            languages=["nl", "tr"],
            phones=[("010 593 11 11", "algemeen nummer")],
            contacts=[
                {
                    "title": "Coördinator",
                    "department": "Onderwijs",
                    "email": "onderwijs@maassluis.nl",
                }
            ],
        ),
    )
    CostOption.objects.create(
        service=homework,
        option="zonder indicatie",
        amount=Decimal("2.50"),
        amount_description="per keer",
    )
    services.add_location(
        homework,
        Location(school=school, district=wijk),
        actor=None,
        description="Na school",
        schedules=[
            Schedule(
                freq="WEEKLY",
                byday="TU,TH",
                opens_at=datetime.time(15, 0),
                closes_at=datetime.time(16, 30),
                valid_from=datetime.date(2022, 9, 1),
                description="Dinsdag en donderdag",
            )
        ],
    )
    lessons = ServiceFactory(
        provider=outside,
        name="Lessen van het Duurzaamheidscentrum",
        description="Lessen over natuur en milieu.",
        minimum_age=Decimal("2.5"),
        maximum_age=Decimal(12),
        accepts_jeugdfonds=True,
        has_income_limit=True,
        themes=["natuur-en-techniek"],
        audiences=["kinderen", "professionals"],
        areas=[gemeente],
    )
    services.add_location(
        lessons,
        Location(
            name="Duurzaamheidscentrum",
            address_1="Weg 1",
            postal_code="3141 AB",
            city="Maassluis",
            municipality=gemeente,
            latitude=Decimal("51.923"),
            longitude=Decimal("4.25"),
        ),
        actor=None,
    )
    Schedule.objects.create(service=lessons, description="In de schoolvakanties")
    ServiceFactory(
        provider=provider, name="Nog een concept", status=ServiceStatus.CONCEPT, areas=[gemeente]
    )
    return {"homework": homework, "lessons": lessons}


def dump() -> dict:
    """The canonical content of the sociale kaart: every published entry and every
    provider, by HSDS ids and natural keys (no database keys)."""
    return {
        "services": sorted(
            (services.dump_service(s) for s in Service.objects.published()), key=lambda d: d["uuid"]
        ),
        "providers": sorted(
            (
                services.dump_provider(p)
                for p in Provider.objects.filter(services__status="published").distinct()
            ),
            key=lambda d: d["uuid"],
        ),
    }


def wipe() -> None:
    """Empty the sociale kaart (the reference data, organisations and agendas stay)."""
    ServiceAtLocation.objects.all().delete()
    Location.objects.all().delete()
    Service.objects.all().delete()
    Provider.objects.all().delete()


@pytest.mark.parametrize("form", ["zip", "json"])
def test_an_export_imports_back_into_an_empty_sociale_kaart_with_identical_content(catalogue, form):
    before = dump()
    assert len(before["services"]) == 2 and before["services"][0]["locations"]
    tables = hsds.export_tables(Service.objects.published())
    data = hsds.write_zip(tables) if form == "zip" else hsds.write_json(tables)
    wipe()
    assert not Service.objects.exists()

    report = hsds.import_file(data, f"export.{form}", actor=None)

    assert report.services_created == 2 and report.warnings == []
    assert dump() == before
    assert hsds.export_tables(Service.objects.published()) == tables
    # Imported again: nothing changes, no audit row.
    audit_rows = AuditEvent.objects.count()
    again = hsds.import_file(data, f"export.{form}", actor=None)
    assert (again.services_created, again.services_updated, again.services_unchanged) == (0, 0, 2)
    assert AuditEvent.objects.count() == audit_rows
    assert dump() == before


def test_the_tabular_form_has_the_hsds_files_and_fields(catalogue):
    archive = zipfile.ZipFile(
        io.BytesIO(hsds.write_zip(hsds.export_tables(Service.objects.published())))
    )
    assert {
        "services.csv",
        "organizations.csv",
        "locations.csv",
        "addresses.csv",
        "schedules.csv",
        "service_at_locations.csv",
        "taxonomy_terms.csv",
        "attributes.csv",
        "datapackage.json",
    } <= set(archive.namelist())
    package = json.loads(archive.read("datapackage.json"))
    assert package["profile"] == "tabular-data-package"
    rows = list(csv.DictReader(StringIO(archive.read("services.csv").decode())))
    homework = next(row for row in rows if row["name"] == "Huiswerkbegeleiding")
    assert homework["status"] == "active"
    assert homework["id"] == str(catalogue["homework"].uuid)
    assert homework["assured_date"] == datetime.date.today().isoformat()
    assert "Nog een concept" not in {row["name"] for row in rows}  # only what is published
    schedules = list(csv.DictReader(StringIO(archive.read("schedules.csv").decode())))
    schedule = next(row for row in schedules if row["service_at_location_id"])
    assert (schedule["byday"], schedule["opens_at"], schedule["closes_at"]) == (
        "TU,TH",
        "15:00",
        "16:30",
    )
    assert any(
        row["description"] == "In de schoolvakanties" and row["service_id"] for row in schedules
    )
    address = next(iter(csv.DictReader(StringIO(archive.read("addresses.csv").decode()))))
    assert address["country"] == "NL" and address["postal_code"] in {"3145 NG", "3141 AB"}


def test_the_json_form_nests_the_service_objects(catalogue):
    page = json.loads(hsds.write_json(hsds.export_tables(Service.objects.published())))
    assert page["total_items"] == 2
    service = next(s for s in page["contents"] if s["name"] == "Huiswerkbegeleiding")
    assert service["organization"]["name"] == catalogue["homework"].provider.name
    location = service["service_at_locations"][0]["location"]
    assert location["external_identifier_type"] == "BRIN6"
    assert location["addresses"][0]["address_1"] == "Zwaluwstraat 15"
    terms = {
        (a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"], a["value"])
        for a in service["attributes"]
    }
    assert (taxonomy.THEME, "huiswerk", None) in terms
    assert (taxonomy.FEATURE, "schoolgroep", "7") in terms
    assert (taxonomy.FEATURE, "op-indicatie", None) in terms
    assert service["minimum_age"] is None
    lessons = next(s for s in page["contents"] if s["name"].startswith("Lessen"))
    assert (
        lessons["minimum_age"] == 2.5 and lessons["organization"]["organization_identifiers"] == []
    )


def test_links_to_agendas_that_are_not_public_stay_out_of_open_data(catalogue):
    goal = catalogue["homework"].goals.get()
    goal.agenda.is_public = False
    goal.agenda.save()
    tables = hsds.export_tables(Service.objects.published())
    assert not any(row["code"].startswith("doel:") for row in tables["taxonomy_term"])
    full = hsds.export_tables(Service.objects.published(), public_links_only=False)
    assert any(row["code"] == "doel:onderwijskansen:doel-2" for row in full["taxonomy_term"])


def test_a_provider_is_linked_to_its_kansrijk_organisation_again(catalogue, provider):
    data = hsds.write_zip(hsds.export_tables(Service.objects.published()))
    wipe()
    hsds.import_file(data, "export.zip", actor=None)
    assert Provider.objects.get(uuid=provider.uuid).organisation == provider.organisation
    assert Provider.objects.get(name="Duurzaamheidscentrum (DCM)").organisation is None


def _zip_with(tables: dict) -> bytes:
    return hsds.write_zip(tables)


def test_every_wrong_row_is_named_and_nothing_is_written(catalogue):
    tables = hsds.export_tables(Service.objects.published())
    tables["service"][0]["minimum_age"] = "twaalf"
    tables["service"][1]["status"] = "open"
    tables["address"][0]["postal_code"] = "3145 SA"
    tables["schedule"][0]["byday"] = "MA"
    tables["language"][0]["code"] = "xx"
    tables["service_area"][0]["uri"] = "urn:kansrijk:regio:GM9999"
    wipe()
    with pytest.raises(hsds.HsdsRejected) as rejected:
        hsds.import_file(_zip_with(tables), "export.zip", actor=None)
    messages = [str(problem) for problem in rejected.value.problems]
    assert any(
        m.startswith("Tabel 'service', rij 2, kolom 'minimum_age': 'twaalf' is geen leeftijd")
        for m in messages
    )
    assert any("kolom 'status'" in m and "'open' is geen HSDS-status" in m for m in messages)
    assert any("kolom 'postal_code'" in m and "SA, SD of SS" in m for m in messages)
    assert any("kolom 'byday'" in m for m in messages)
    assert any("kolom 'code'" in m and "'xx' is geen bekende taalcode" in m for m in messages)
    assert any("kolom 'uri'" in m and "GM9999" in m for m in messages)
    assert not Service.objects.exists() and not Provider.objects.exists()


def test_unknown_terms_and_references_are_refused(catalogue):
    tables = hsds.export_tables(Service.objects.published())
    tables["taxonomy_term"].append(
        {
            "id": "2f1c8c6e-2c7a-4c55-9c3e-8f0a8b0f0b0b",
            "code": "ruimtevaart",
            "name": "Ruimtevaart",
            "description": "",
            "parent_id": "",
            "taxonomy": "kansrijk-thema",
            "taxonomy_id": "",
            "language": "nl",
        }
    )
    tables["phone"].append(
        {
            "id": "6d0a1e8c-6c84-4c6b-b1a5-0e9d7a5f3e11",
            "service_id": "3d2b6f0e-0000-4000-8000-000000000000",
            "location_id": "",
            "number": "010 1234567",
            "description": "",
        }
    )
    with pytest.raises(hsds.HsdsRejected) as rejected:
        hsds.import_file(_zip_with(tables), "export.zip", actor=None)
    messages = [str(problem) for problem in rejected.value.problems]
    assert any("'ruimtevaart'" in m and "geen bekende term" in m for m in messages)
    assert any(
        "Tabel 'phone'" in m and "dit aanbod staat niet in het bestand" in m for m in messages
    )


def test_not_a_zip_or_json(catalogue):
    with pytest.raises(hsds.HsdsRejected, match="geen zip-bestand"):
        hsds.import_file(b"hallo", "export.zip", actor=None)
    with pytest.raises(hsds.HsdsRejected, match="geen JSON"):
        hsds.import_file(b"{", "export.json", actor=None)
    with pytest.raises(hsds.HsdsRejected, match=r"zip- of \.json"):
        hsds.import_file(b"", "export.csv", actor=None)


def test_a_formula_in_a_text_is_guarded_and_survives_the_round_trip(catalogue):
    homework = catalogue["homework"]
    Service.objects.filter(pk=homework.pk).update(alert='=HYPERLINK("x")')
    before = dump()
    data = hsds.write_zip(hsds.export_tables(Service.objects.published()))
    services_csv = zipfile.ZipFile(io.BytesIO(data)).read("services.csv").decode()
    assert "'=HYPERLINK" in services_csv
    wipe()
    hsds.import_file(data, "export.zip", actor=None)
    assert dump() == before


def test_the_commands(catalogue, tmp_path):
    target = tmp_path / "hsds.json"
    out = StringIO()
    call_command("export_hsds", "--format", "json", "-o", str(target), stdout=out)
    assert "2 aanbod" in out.getvalue()
    wipe()
    out = StringIO()
    call_command("import_hsds", str(target), stdout=out)
    assert "2 nieuw" in out.getvalue()
    broken = tmp_path / "kapot.json"
    broken.write_text('{"contents": [{"id": "x", "name": "", "status": "active"}]}')
    with pytest.raises(CommandError, match="Tabel 'service', rij 1, kolom 'id'"):
        call_command("import_hsds", str(broken), stdout=StringIO())


def test_a_goal_that_does_not_exist_here_is_a_warning(catalogue):
    tables = hsds.export_tables(Service.objects.published())
    Goal.objects.all().delete()
    wipe()
    report = hsds.import_file(hsds.write_zip(tables), "export.zip", actor=None)
    assert report.services_created == 2
    assert any("doel:onderwijskansen:doel-2" in warning for warning in report.warnings)
