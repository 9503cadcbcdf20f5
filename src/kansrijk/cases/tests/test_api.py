"""The register's API: scoped like the pages, every case read audited, never a BSN, and
counts suppressed for those who may only see aggregates."""

from __future__ import annotations

import datetime
import json

import pytest
from rest_framework.test import APIClient

from kansrijk.api import services as api_services
from kansrijk.audit.models import AuditEvent
from kansrijk.cases import services
from kansrijk.cases.identifiers import bsn_near
from kansrijk.testing.api import field_errors

from .conftest import BSN

D = datetime.date


@pytest.fixture
def api():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def more_cases(network, case):
    """Enough counted cases in Beverwijk that some figures are not small."""
    for number in range(6):
        person = services.register_young_person(
            actor=None,
            identifier_kind="bsn",
            identifier=bsn_near(222_000_000 + number * 100),
            birth_date=D(2010, 1, 1),
            municipality=network.beverwijk,
        )
        services.open_case(
            actor=None,
            young_person=person,
            category="absoluut",
            start_date=D(2024, 1, 2),
            school=network.school,
        )
    return case


@pytest.mark.parametrize(
    ("who", "level", "sees"),
    [
        ("leerplicht", "full", True),
        ("swv", "episode", True),
        ("school", "partial", True),
        ("leerplicht_elders", None, False),
        ("beleid", None, False),
        ("office_reader", None, False),
    ],
)
def test_case_list_and_detail_per_role(api, people, case, who, level, sees):
    services.record_event(case, actor=None, kind="huisbezoek", date=D(2024, 1, 20))
    client = api(people[who])
    listing = client.get("/api/v1/cases")
    assert listing.status_code == 200
    ids = [row["dossier_id"] for row in listing.json()["results"]]
    assert ids == (["TZ-TEST-1"] if sees else [])
    detail = client.get(f"/api/v1/cases/{case.pk}")
    assert detail.status_code == (200 if sees else 404)
    if sees:
        data = detail.json()
        assert data["access_level"] == level
        assert (data["events"] == []) == (level == "partial")
        assert (data["young_person"]["birth_date"] is None) == (level == "partial")


def test_anonymous_callers_get_nothing(api, case):
    assert api().get("/api/v1/cases").status_code in (401, 403)
    assert api().get("/api/v1/case-counts").status_code in (401, 403)


def test_every_case_in_a_response_is_a_read_in_the_audit_trail(api, people, case):
    api(people["leerplicht"]).get("/api/v1/cases")
    api(people["swv"]).get(f"/api/v1/cases/{case.pk}")
    reads = AuditEvent.objects.filter(action="cases.case.read", target_id=str(case.pk))
    assert {(event.actor, event.reason) for event in reads} == {
        (people["leerplicht"], "api: lijst van casussen"),
        (people["swv"], "api: casus"),
    }
    assert reads.get(actor=people["leerplicht"]).organisation is not None


def test_no_bsn_in_any_response(api, people, case):
    for path in ("/api/v1/cases", f"/api/v1/cases/{case.pk}"):
        response = api(people["leerplicht"]).get(path)
        assert BSN not in response.content.decode()
        assert "identifier" not in json.dumps(response.json())


def test_filters(api, people, case):
    client = api(people["leerplicht"])
    assert client.get("/api/v1/cases?open=false").json()["results"] == []
    assert len(client.get("/api/v1/cases?category=relatief").json()["results"]) == 1
    assert client.get("/api/v1/cases?category=5a").status_code == 400
    assert len(client.get("/api/v1/cases?municipality=GM0375").json()["results"]) == 1


def test_counts_unsuppressed_for_leerplicht_and_suppressed_for_aggregate_roles(
    api, people, more_cases
):
    url = "/api/v1/case-counts?peildatum=2024-03-31&level=gemeente&definition=ocw"
    detail = api(people["leerplicht"]).get(url).json()
    assert detail["suppressed"] is False
    beverwijk = next(row for row in detail["rows"] if row["code"] == "GM0375")
    assert beverwijk["counts"]["thuiszitters"] == 7
    assert beverwijk["counts"]["relatief"] == 1
    aggregate = api(people["beleid"]).get(url).json()
    assert aggregate["suppressed"] is True
    beverwijk = next(row for row in aggregate["rows"] if row["code"] == "GM0375")
    assert beverwijk["counts"]["relatief"] is None
    assert "relatief" in beverwijk["suppressed_fields"]
    assert all(
        value is None or value >= aggregate["threshold"]
        for row in aggregate["rows"]
        for value in row["counts"].values()
    )


def test_an_api_key_is_a_partner_and_sees_suppressed_figures_only(network, more_cases):
    _token, key = api_services.create_api_token(
        actor=None, organisation=network.gemeente, name="bi"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/cases").json()["results"] == []
    counts = client.get("/api/v1/case-counts?peildatum=2024-03-31").json()
    assert counts["suppressed"] is True


def test_bad_parameters_are_explained(api, people):
    client = api(people["leerplicht"])
    assert "peildatum" in field_errors(client.get("/api/v1/case-counts?peildatum=31-03-2024"))
    assert "level" in field_errors(client.get("/api/v1/case-counts?level=provincie"))
    assert "definition" in field_errors(client.get("/api/v1/case-counts?definition=5a"))


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("school", True),
        ("swv", True),
        ("leerplicht", True),
        ("school_elders", False),
        ("beleid", False),
    ],
)
def test_reporting_a_count(api, people, network, who, allowed):
    payload = {"reference_date": "2024-04-01", "school": network.school.code, "count": 3}
    response = api(people[who]).post("/api/v1/reported-counts", payload, format="json")
    assert response.status_code == (201 if allowed else 403), response.content
    if allowed:
        again = api(people[who]).post("/api/v1/reported-counts", payload, format="json")
        assert again.status_code == 201
        assert again.json()["id"] == response.json()["id"]
        listing = api(people[who]).get("/api/v1/reported-counts").json()["results"]
        assert [row["count"] for row in listing] == [3]
    assert api(people["school_elders"]).get("/api/v1/reported-counts").json()["results"] == []


def test_a_count_in_the_future_is_refused(api, people, network):
    response = api(people["school"]).post(
        "/api/v1/reported-counts",
        {"reference_date": "2999-01-01", "school": network.school.code, "count": 3},
        format="json",
    )
    assert response.status_code == 400


@pytest.mark.parametrize("count", [-1, 100_001, "drie"])
def test_an_impossible_count_is_refused_with_the_field_named(api, people, network, count):
    response = api(people["school"]).post(
        "/api/v1/reported-counts",
        {"reference_date": "2024-04-01", "school": network.school.code, "count": count},
        format="json",
    )
    assert response.status_code == 400
    assert "count" in field_errors(response)


def test_opening_a_case_through_the_api_checks_like_the_page(verified_client, people, network):
    """Leerplicht opens a case through the API with the checks of the page; others may
    not, and an API key never does."""
    from kansrijk.cases.models import Case

    from .test_views import new_case_data

    data = new_case_data(network)
    payload = {
        "identifier": data["identifier"],
        "birth_date": data["birth_date"],
        "municipality": "GM0375",
        "category": "relatief",
        "start_date": data["start_date"],
        "school": network.school.code,
    }
    client = verified_client(people["leerplicht"])
    bad = client.post(
        "/api/v1/cases", {**payload, "identifier": "123456789"}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert (
        "elfproef" in field_errors(bad)["identifier"][0] and "123456789" not in bad.content.decode()
    )
    # Relatief verzuim without a school: the service's rule, as on the page.
    no_school = client.post(
        "/api/v1/cases", {**payload, "school": ""}, content_type="application/json"
    )
    assert no_school.status_code == 400 and "school" in field_errors(no_school)
    assert not Case.objects.exists()
    created = client.post("/api/v1/cases", payload, content_type="application/json")
    assert created.status_code == 201
    case = Case.objects.get()
    assert created.json()["dossier_id"] == case.dossier_id
    assert case.municipality.code == "GM0375"
    school = verified_client(people["school"])
    assert school.post("/api/v1/cases", payload, content_type="application/json").status_code == 403
