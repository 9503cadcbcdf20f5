"""How the API answers, by the API Design Rules (decision 0045): the version header on
every answer, errors as problem details, the 308 from the slash paths of before, rate
limits per key and per address, and paging by cursor."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.conf import settings
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIClient, APIRequestFactory

from kansrijk.agenda.models import Activity
from kansrijk.api import views
from kansrijk.api.pagination import KeysetPagination
from kansrijk.testing.api import field_errors, rate_limits

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROBLEM = "application/problem+json"


def assert_problem(response, status: int):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    assert response["API-Version"] == settings.API_VERSION
    body = response.json()
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= body.keys(), body
    assert body["instance"] == urlparse(response.wsgi_request.path).path
    return body


# ------------------------------------------------------------------ version header


def test_every_answer_carries_the_full_version(client, midden_kennemerland):
    ok = APIClient().get(f"{API}/agendas")
    assert ok.status_code == 200
    assert ok["API-Version"] == settings.API_VERSION == "1.0.0"
    assert APIClient().get(f"{API}/openapi.json")["API-Version"] == settings.API_VERSION
    assert APIClient().get(f"{API}/openapi.json").json()["info"]["version"] == "1.0.0"
    # Not on the pages: the header belongs to the API.
    assert "API-Version" not in client.get("/")


# ------------------------------------------------------------------ problem details


def test_a_validation_error_names_each_parameter_in_dutch(midden_kennemerland):
    response = APIClient().get(f"{API}/activities", {"goal": "een", "status": "klaar"})
    body = assert_problem(response, 400)
    assert body["title"] == "Ongeldige aanvraag"
    # The first invalid filter stops the request.
    assert field_errors(response) == {"goal": ["Geef een geheel getal van 0 of groter."]}


def test_a_body_error_names_the_field(
    api_client, make_token, midden_kennemerland, lead_organisation
):
    _, key = make_token(lead_organisation)
    activity = Activity.objects.filter(agenda=midden_kennemerland, parent=None).first()
    response = api_client(key).patch(
        f"{API}/activities/{activity.pk}", {"progress": 101}, format="json"
    )
    assert_problem(response, 400)
    (param,) = response.json()["invalid-params"]
    assert param["name"] == "progress"
    assert param["reason"] == "Voortgang is een percentage van 0 tot en met 100."


def test_an_unknown_route_under_the_api_is_a_problem():
    body = assert_problem(APIClient().get(f"{API}/nothing-here"), 404)
    assert body["title"] == "Niet gevonden"
    assert_problem(APIClient().get("/api/v2/agendas"), 404)
    # An unknown path with a slash is not redirected: there is nothing to redirect to.
    assert_problem(APIClient().get(f"{API}/nothing-here/"), 404)


def test_an_unknown_item_is_a_problem(midden_kennemerland):
    assert_problem(APIClient().get(f"{API}/agendas/no-such-agenda"), 404)
    assert_problem(APIClient().get(f"{API}/goals/99999999999999999999999"), 404)


def test_the_other_errors_are_problems(midden_kennemerland):
    refused = APIClient().delete(f"{API}/agendas")
    assert_problem(refused, 405)
    assert "GET" in refused["Allow"]
    assert_problem(APIClient().get(f"{API}/agendas", HTTP_ACCEPT="application/xml"), 406)
    wrong_key = APIClient(HTTP_AUTHORIZATION="Token kr_wrong")
    unauthorised = wrong_key.get(f"{API}/agendas")
    assert_problem(unauthorised, 401)
    assert unauthorised["WWW-Authenticate"] == "Token"
    assert_problem(APIClient().get(f"{API}/cases"), 401)


def test_a_body_that_is_not_json_is_a_415(api_client, make_token, lead_organisation):
    _, key = make_token(lead_organisation)
    response = api_client(key).post(f"{API}/measurements", "x=1", content_type="text/plain")
    assert_problem(response, 415)


def test_a_server_error_is_a_problem(midden_kennemerland, monkeypatch):
    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views.AgendaViewSet, "list", broken)
    response = APIClient(raise_request_exception=False).get(f"{API}/agendas")
    body = assert_problem(response, 500)
    assert "a bug" not in response.content.decode()
    assert body["title"] == "Interne serverfout"


# ------------------------------------------------------------------ no trailing slash


def test_the_slash_paths_of_before_answer_308_to_the_new_ones(midden_kennemerland):
    client = APIClient()
    response = client.get(f"{API}/agendas/?page_size=1")
    assert response.status_code == 308
    assert response["Location"] == f"{API}/agendas?page_size=1"
    detail = client.get(f"{API}/agendas/{midden_kennemerland.slug}/funding-totals/")
    assert detail["Location"] == f"{API}/agendas/{midden_kennemerland.slug}/funding-totals"
    assert client.get(f"{API}/docs/")["Location"] == f"{API}/docs"
    # The new paths answer themselves, without a redirect.
    assert client.get(f"{API}/agendas").status_code == 200


def test_a_redirected_write_keeps_its_method_and_body(
    api_client, make_token, midden_kennemerland, lead_organisation
):
    _, key = make_token(lead_organisation)
    activity = Activity.objects.filter(agenda=midden_kennemerland, parent=None).first()
    client = api_client(key)
    moved = client.patch(f"{API}/activities/{activity.pk}/", {"progress": 30}, format="json")
    assert moved.status_code == 308
    assert moved["Location"] == f"{API}/activities/{activity.pk}"
    followed = client.patch(
        f"{API}/activities/{activity.pk}/", {"progress": 30}, format="json", follow=True
    )
    assert followed.status_code == 200, followed.content
    assert followed.json()["progress"] == 30


# ------------------------------------------------------------------ rate limits


def test_an_address_without_a_key_is_limited(settings, midden_kennemerland):
    rate_limits(settings, per_token=5, per_address=2, minutes=1)
    client = APIClient()
    first, second = client.get(f"{API}/agendas"), client.get(f"{API}/agendas")
    assert (first.status_code, second.status_code) == (200, 200)
    assert first["RateLimit-Limit"] == "2"
    assert (first["RateLimit-Remaining"], second["RateLimit-Remaining"]) == ("1", "0")
    assert 0 < int(second["RateLimit-Reset"]) <= 60
    refused = client.get(f"{API}/agendas")
    body = assert_problem(refused, 429)
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused["RateLimit-Remaining"] == "0"
    assert body["detail"] == "Te veel aanvragen vanaf dit adres. Probeer het over 1 minuut opnieuw."
    # Another address has its own count.
    assert client.get(f"{API}/agendas", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_key_is_limited_by_itself_not_by_its_address(
    settings, api_client, make_token, lead_organisation, midden_kennemerland
):
    rate_limits(settings, per_token=3, per_address=1)
    _, key = make_token(lead_organisation)
    _, other_key = make_token(lead_organisation, name="tweede")
    client = api_client(key)
    answers = [client.get(f"{API}/agendas").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(f"{API}/agendas")
    assert "API-sleutel" in assert_problem(refused, 429)["detail"]
    assert int(refused["Retry-After"]) > 60  # the window of an hour
    assert api_client(other_key).get(f"{API}/agendas").status_code == 200


# ------------------------------------------------------------------ paging by cursor


class ItemsView:
    """A list view for the paginator: activities by agenda (all equal here) and id
    descending, so the keyset's second field decides within the first."""

    keyset = ("agenda_id", "-pk")


def page(url: str, size: int = 1):
    paginator = KeysetPagination()
    request = Request(APIRequestFactory().get(url, {"page_size": size} if "?" not in url else {}))
    rows = paginator.paginate_queryset(Activity.objects.all(), request, view=ItemsView())
    response = paginator.get_paginated_response([row.pk for row in rows])
    return response.data


def test_cursor_pages_walk_the_list_both_ways_without_gaps(midden_kennemerland):
    expected = list(Activity.objects.order_by("agenda_id", "-pk").values_list("pk", flat=True))
    assert len(expected) >= 3
    forward, data = [], page(f"{API}/items")
    assert data["previous"] is None
    while True:
        forward.extend(data["results"])
        if data["next"] is None:
            break
        assert "page=" not in data["next"] and "offset" not in data["next"]
        data = page(data["next"])
    assert forward == expected
    backward = list(data["results"])
    while data["previous"] is not None:
        data = page(data["previous"])
        backward = data["results"] + backward
    assert backward == expected


def test_a_cursor_not_given_by_the_api_is_a_400(midden_kennemerland):
    with pytest.raises(ValidationError):
        page(f"{API}/items?cursor=eyJrIjpbMSwxXX0:forged:signature")


def test_the_case_list_pages_by_cursor(api_client, make_token, lead_organisation):
    _, key = make_token(lead_organisation)
    client = api_client(key)
    body = client.get(f"{API}/cases").json()
    assert set(body) == {"next", "previous", "results"}
    assert field_errors(client.get(f"{API}/cases", {"cursor": "rubbish"})) == {
        "cursor": ["Deze cursor is ongeldig of verlopen."]
    }
