"""What the door refuses (kansrijk.input_guard, decision 0026): the inputs that gave server
errors, each answered in Dutch instead."""

import pytest
from rest_framework.test import APIClient

from kansrijk.organisations.models import Role
from kansrijk.testing.api import field_errors


@pytest.mark.parametrize("value", ["a\x00b", "\x0b", "\x1f", "\ufffe"])
def test_a_control_character_in_a_query_parameter_is_a_400_in_dutch(client, value, db):
    response = client.get("/organisaties/", {"q": value})
    assert response.status_code == 400
    assert "Het veld ‘q’ bevat een teken dat hier niet kan staan" in response.content.decode()


@pytest.fixture
def officer_client(client, make_member, municipality_organisation):
    client.force_login(make_member(municipality_organisation, Role.POLICY_OFFICER))
    return client


def test_tabs_and_line_breaks_are_ordinary_text(officer_client):
    assert officer_client.get("/organisaties/", {"q": "a\tb\r\nc"}).status_code == 200


def test_a_lone_surrogate_sent_as_bytes_becomes_a_replacement_character(officer_client):
    # Django decodes the query string with errors="replace": nothing to refuse.
    assert officer_client.get("/organisaties/?q=%ED%A0%80").status_code == 200


def test_a_nul_in_a_form_value_is_a_400_before_the_view(officer_client):
    response = officer_client.post(
        "/sociale-kaart/beheer/behoeften/nieuw/", {"description": "x\x00"}
    )
    assert response.status_code == 400
    assert "‘description’" in response.content.decode()


def test_the_api_answers_json(db):
    response = APIClient().get("/api/v1/agendas", {"agenda": "\x00"})
    assert response.status_code == 400
    assert "teken dat hier niet kan staan" in field_errors(response)["agenda"][0]


@pytest.mark.parametrize("goal", ["99999999999999999999999", "-1", "²", "١"])
def test_an_id_filter_beyond_any_id_is_a_400(goal, db):
    response = APIClient().get("/api/v1/activities", {"goal": goal})
    assert response.status_code == 400
    assert field_errors(response) == {"goal": ["Geef een geheel getal van 0 of groter."]}


def test_an_id_in_the_address_beyond_any_id_is_a_404(client, db):
    assert client.get("/organisaties/99999999999999999999999/").status_code == 404
    assert APIClient().get("/api/v1/goals/99999999999999999999999").status_code == 404


@pytest.mark.parametrize(
    "body", ['{"story": "a\\u0000b"}', '{"story": "\\ud800"}', '{"x": ["\\u000b"]}', "[" * 100_000]
)
def test_a_json_body_with_what_no_database_holds_is_a_400(body, db):
    from kansrijk.api.services import create_api_token
    from kansrijk.testing import factories

    organisation = factories.MunicipalityOrganisationFactory()
    _token, key = create_api_token(actor=None, organisation=organisation, name="test")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.generic("POST", "/api/v1/measurements", body, content_type="application/json")
    assert response.status_code == 400, response.content
