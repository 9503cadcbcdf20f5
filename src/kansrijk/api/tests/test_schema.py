"""The OpenAPI 3 schema at /api/v1/openapi.json: complete, valid, up to date in
docs/openapi.json, and honoured by the read endpoints (schemathesis)."""

import json
import re
from io import StringIO
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from kansrijk.testing.api import rate_limits

COMMITTED_SCHEMA = settings.BASE_DIR / "docs" / "openapi.json"
REGENERATE = "kansrijk spectacular --format openapi-json --file docs/openapi.json"

ENDPOINTS = [
    "/api/v1/agendas",
    "/api/v1/agendas/{slug}",
    "/api/v1/agendas/{slug}/funding-totals",
    "/api/v1/spearheads",
    "/api/v1/spearheads/{id}",
    "/api/v1/goals",
    "/api/v1/goals/{id}",
    "/api/v1/activities",
    "/api/v1/activities/{id}",
    "/api/v1/interventions",
    "/api/v1/interventions/{id}",
    "/api/v1/funding-lines",
    "/api/v1/funding-lines/{id}",
    "/api/v1/indicators",
    "/api/v1/indicators/{code}",
    "/api/v1/targets",
    "/api/v1/targets/{id}",
    "/api/v1/measurements",
    "/api/v1/measurements/{id}",
    "/api/v1/cases",
    "/api/v1/cases/{id}",
    "/api/v1/case-counts",
    "/api/v1/reported-counts",
    "/api/v1/reported-counts/{id}",
    "/api/v1/socialmap/services",
    "/api/v1/socialmap/services/{id}",
    "/api/v1/socialmap/participation",
    "/api/v1/socialmap/participation/{id}",
    "/api/v1/socialmap/needs",
    "/api/v1/socialmap/needs/{id}",
    "/api/v1/socialmap/taxonomy-terms",
    "/api/v1/socialmap/taxonomy-terms/{id}",
]


def generated_schema(tmp_path: Path) -> dict:
    target = tmp_path / "openapi.json"
    call_command(
        "spectacular",
        "--format",
        "openapi-json",
        "--file",
        str(target),
        "--validate",
        "--fail-on-warn",
        stdout=StringIO(),
        stderr=StringIO(),
    )
    return json.loads(target.read_text())


def test_schema_endpoint_serves_openapi_3_with_every_endpoint(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Kansrijk API"
    assert sorted(schema["paths"]) == sorted(ENDPOINTS)
    assert set(schema["paths"]["/api/v1/activities/{id}"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/v1/interventions/{id}"]) == {"get", "patch"}
    # Partners submit measurements (they wait for approval); everything else is read-only.
    assert set(schema["paths"]["/api/v1/measurements"]) == {"get", "post"}
    # The sociale kaart: providers add and change their entries and enter counts.
    assert set(schema["paths"]["/api/v1/socialmap/services"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/socialmap/services/{id}"]) == {"get", "patch"}
    assert set(schema["paths"]["/api/v1/socialmap/participation"]) == {"get", "post"}
    # The register: schools, SWVs and leerplicht report their counts; leerplicht opens a
    # case (as on the page); a case is not changed through the API.
    assert set(schema["paths"]["/api/v1/reported-counts"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/cases"]) == {"get", "post"}
    assert all(
        set(operations) == {"get"}
        for path, operations in schema["paths"].items()
        if not path.startswith(
            (
                "/api/v1/activities/{",
                "/api/v1/interventions/{",
                "/api/v1/measurements",
                "/api/v1/socialmap/services",
                "/api/v1/socialmap/participation",
                "/api/v1/reported-counts",
                "/api/v1/cases",
            )
        )
    )
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schema["components"]["securitySchemes"]["apiToken"]["description"],
    }
    assert set(schema["components"]["schemas"]["WorkStatusEnum"]["enum"]) == {
        "planned",
        "running",
        "done",
        "postponed",
        "cancelled",
    }


def test_spectacular_validates_without_warnings(tmp_path):
    """drf-spectacular's own check: the schema validates against the OpenAPI 3 meta-schema
    and generation raised no warning (an unresolved type, an enum name collision...)."""
    assert generated_schema(tmp_path)["openapi"].startswith("3.")


def test_committed_schema_is_up_to_date(tmp_path):
    assert COMMITTED_SCHEMA.is_file(), f"docs/openapi.json is missing: run `{REGENERATE}`"
    committed = json.loads(COMMITTED_SCHEMA.read_text())
    assert committed == generated_schema(tmp_path), (
        f"docs/openapi.json differs from the API: run `{REGENERATE}` and commit it"
    )


def test_docs_page_loads_nothing_from_outside(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, page
    assert all(source.startswith("/") for source in sources), sources
    assert "<style" not in page
    assert not re.search(r"<script>", page)  # no inline script: the CSP forbids it
    script = client.get("/api/v1/docs?script=")
    assert script.status_code == 200
    assert "/api/v1/openapi.json" in script.content.decode()


# ------------------------------------------------------------------ schemathesis


@pytest.fixture
def api_schema(db, settings, midden_kennemerland, vijfheerenlanden, private_agenda):
    """The schema, loaded from the application itself through WSGI (no network)."""
    from kansrijk.wsgi import application

    rate_limits(settings, per_token=100_000, per_address=100_000)

    # Like Django's test client: a request must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_read_endpoints_honour_the_schema(api_schema):
    """Generated requests to every read endpoint: never a server error, and every answer
    has the content type and the shape the schema promises.

    One Hypothesis test over all GET operations (schemathesis' own pytest integration
    does not work with pytest 9.2 yet). Derandomised, so CI sees the same cases each run.
    """

    @given(case=api_schema.include(method="GET").as_strategy())
    @hypothesis_settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    def check(case):
        case.call_and_validate(
            checks=[not_a_server_error, content_type_conformance, response_schema_conformance]
        )

    check()
