"""The API of the sociale kaart: public reads (published entries, suppressed counts),
writes scoped to the provider's members and API keys, with the user trio."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kansrijk.api import services as api_services
from kansrijk.socialmap.models import Participation, Service, ServiceStatus
from kansrijk.socialmap.tests.factories import (
    NeedFactory,
    ParticipationFactory,
    ServiceFactory,
    theme,
)
from kansrijk.testing.api import field_errors

pytestmark = pytest.mark.django_db

SERVICES = "/api/v1/socialmap/services"
PARTICIPATION = "/api/v1/socialmap/participation"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def entries(provider):
    return {
        "published": ServiceFactory(
            provider=provider,
            name="Huiswerkbegeleiding",
            themes=["huiswerk"],
            minimum_group=7,
            maximum_group=7,
        ),
        "concept": ServiceFactory(provider=provider, name="Concept", status=ServiceStatus.CONCEPT),
    }


def test_reads_are_public_and_show_only_what_is_published(api, entries, gemeente):
    response = api.get(SERVICES)
    assert response.status_code == 200
    assert [row["name"] for row in response.json()["results"]] == ["Huiswerkbegeleiding"]
    row = response.json()["results"][0]
    assert row["id"] == str(entries["published"].uuid)
    assert row["themes"] == ["huiswerk"] and row["service_areas"] == [gemeente.code]
    assert row["organization"]["name"] == entries["published"].provider.name
    assert api.get(f"{SERVICES}/{entries['concept'].uuid}").status_code == 404
    found = api.get(SERVICES, {"q": "huiswerk", "group": 7, "region": gemeente.code}).json()[
        "results"
    ]
    assert [r["name"] for r in found] == ["Huiswerkbegeleiding"]
    assert api.get(SERVICES, {"group": 6}).json()["results"] == []
    assert api.get(SERVICES, {"age": "oud"}).status_code == 400


def test_members_see_their_concepts(api, entries, partner_trio):
    api.force_authenticate(partner_trio["member"])
    assert {r["name"] for r in api.get(SERVICES).json()["results"]} == {
        "Huiswerkbegeleiding",
        "Concept",
    }
    api.force_authenticate(partner_trio["other_organisation"])
    assert {r["name"] for r in api.get(SERVICES).json()["results"]} == {"Huiswerkbegeleiding"}


def test_a_partner_creates_and_changes_the_own_entries(api, entries, partner_trio, gemeente):
    body = {
        "name": "Voorleesuur",
        "description": "Voorlezen.",
        "themes": ["taal-en-lezen"],
        "service_areas": [gemeente.code],
        "languages": ["nl"],
        "minimum_age": "4",
        "maximum_age": "8",
        "url": "www.bibliotheek.nl",
    }
    assert api.post(SERVICES, body, format="json").status_code == 401
    api.force_authenticate(partner_trio["other_role"])  # a lezer works for no provider
    assert api.post(SERVICES, body, format="json").status_code == 400
    api.force_authenticate(partner_trio["member"])
    response = api.post(SERVICES, body, format="json")
    assert response.status_code == 201, response.json()
    created = Service.objects.get(name="Voorleesuur")
    assert created.status == ServiceStatus.CONCEPT and created.url == "https://www.bibliotheek.nl"
    assert response.json()["service_areas"] == [gemeente.code]
    bad = api.post(SERVICES, {**body, "service_areas": ["GM9999"]}, format="json")
    assert bad.status_code == 400 and field_errors(bad)["service_areas"] == [
        "Onbekende gemeente of wijk: GM9999."
    ]
    bad = api.post(SERVICES, {**body, "minimum_age": "9"}, format="json")
    assert bad.status_code == 400 and "maximum_age" in field_errors(bad)

    published = entries["published"]
    response = api.patch(f"{SERVICES}/{published.uuid}", {"alert": "Wachtlijst"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    api.force_authenticate(partner_trio["other_organisation"])
    assert api.patch(f"{SERVICES}/{created.uuid}", {"alert": "x"}, format="json").status_code == 404
    assert api.put(f"{SERVICES}/{created.uuid}", body, format="json").status_code in (404, 405)


def test_an_api_key_acts_for_its_organisation(
    api, entries, provider, municipality_organisation, other_municipality_organisation
):
    _token, other_key = api_services.create_api_token(
        actor=None, organisation=other_municipality_organisation, name="andere"
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert (
        api.patch(
            f"{SERVICES}/{entries['published'].uuid}", {"alert": "x"}, format="json"
        ).status_code
        == 403
    )
    _token, key = api_services.create_api_token(
        actor=None, organisation=municipality_organisation, name="sociale kaart"
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.patch(f"{SERVICES}/{entries['published'].uuid}", {"alert": "Vol"}, format="json")
    assert response.status_code == 200 and response.json()["alert"] == "Vol"


def test_participation_counts_are_suppressed_for_the_public(api, entries, school, partner_trio):
    ParticipationFactory(service=entries["published"], participants=3, school=school, region=None)
    row = api.get(PARTICIPATION).json()["results"][0]
    assert row["published_participants"] == "<5" and row["participants"] is None
    api.force_authenticate(partner_trio["member"])
    assert api.get(PARTICIPATION).json()["results"][0]["participants"] == 3


def test_participation_is_entered_by_those_who_maintain_the_entry(
    api, entries, school, partner_trio
):
    body = {
        "service": str(entries["published"].uuid),
        "period": "2023/2024",
        "school": school.code,
        "participants": 14,
    }
    api.force_authenticate(partner_trio["other_organisation"])
    assert api.post(PARTICIPATION, body, format="json").status_code == 403
    api.force_authenticate(partner_trio["member"])
    response = api.post(PARTICIPATION, body, format="json")
    assert response.status_code == 201, response.json()
    assert Participation.objects.get().participants == 14
    assert (
        api.post(PARTICIPATION, {**body, "period": "2023/2025"}, format="json").status_code == 400
    )
    assert api.post(PARTICIPATION, {**body, "school": None}, format="json").status_code == 400


def test_needs_and_terms_are_public(api, entries, gemeente):
    NeedFactory(
        municipality=gemeente,
        theme=theme("huiswerk"),
        minimum_age=None,
        maximum_age=None,
        minimum_group=6,
        maximum_group=6,
        description="Groep 6",
    )
    NeedFactory(
        municipality=gemeente,
        theme=theme("huiswerk"),
        minimum_age=10,
        maximum_age=11,
        description="Groep 7",
    )
    rows = api.get("/api/v1/socialmap/needs", {"municipality": gemeente.code}).json()["results"]
    assert {(r["description"], r["has_offer"]) for r in rows} == {
        ("Groep 6", False),
        ("Groep 7", True),
    }
    unmet = api.get("/api/v1/socialmap/needs", {"without_offer": "true"}).json()["results"]
    assert [r["description"] for r in unmet] == ["Groep 6"]
    terms = api.get("/api/v1/socialmap/taxonomy-terms", {"page_size": 200}).json()["results"]
    assert {"huiswerk", "ouders", "op-indicatie"} <= {t["code"] for t in terms}
