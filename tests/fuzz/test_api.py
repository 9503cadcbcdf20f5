"""The whole API, fuzzed from the schema it serves (/api/v1/openapi.json) with schemathesis:
every operation (reads and writes), with data that fits the schema and data that does not,
with and without an organisation's API key, over the demo. No answer may be a server
error; every answer has the content type the schema promises and, where the schema
describes the answer's status, its shape.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from kansrijk.api.services import create_api_token
from kansrijk.organisations.models import Organisation
from kansrijk.testing.api import rate_limits

# Sound for this API: a server error is always a bug, and the content type and shape of a
# documented answer are promised. Left out: status_code_conformance (the schema does not
# list every 400/403/404 an operation can give) and negative_data_rejection (unknown query
# parameters are ignored, as the API documents).
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]

EXAMPLES = 500


@pytest.fixture
def api_schema(demo, db, settings):
    """The schema, loaded from the application itself through WSGI (no network)."""
    from kansrijk.wsgi import application

    # A thousand requests from one address and one key: the limits are tested elsewhere
    # (src/kansrijk/api/tests/test_answers.py).
    rate_limits(settings, per_token=100_000, per_address=100_000)

    with _requests_keep_the_connection():
        return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@contextmanager
def _requests_keep_the_connection():
    # Like Django's test client: a request must not close the test's transaction (on
    # PostgreSQL the connection is older than CONN_MAX_AGE once the demo is loaded).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_key(demo, db) -> str:
    """A key of the demo's gemeente that owns agendas, measurements and cases."""
    organisation = Organisation.objects.get(name="Gemeente Beverwijk")
    _token, key = create_api_token(actor=None, organisation=organisation, name="fuzz")
    return key


def _rows(client, path: str) -> list[dict]:
    answer = client.get(path, {"page_size": 20})
    return answer.json().get("results", []) if answer.status_code == 200 else []


@pytest.fixture
def known(api_key) -> dict[str, list]:
    """Values the demo holds, as the key sees them: ids and codes for the address, and for
    the relations a body names. Random ones reach a 404 or 400 and no further; these
    reach the services behind the writes."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key}")
    found: dict[str, list] = {}
    for path in ("agendas", "indicators", "activities", "interventions", "socialmap/services"):
        for row in _rows(client, f"/api/v1/{path}"):
            for key in ("id", "slug", "code"):
                if key in row:
                    found.setdefault(f"{path}:{key}", []).append(row[key])
    found["indicator"] = found.get("indicators:code", [])
    found["service"] = found.get("socialmap/services:id", [])
    found["municipality"] = found["region"] = ["GM0375"]  # Beverwijk, the key's gemeente
    return {name: values for name, values in found.items() if values}


def _realistic(case, known: dict[str, list], draw) -> None:
    """Put values the demo holds into the address and into the relations of the body."""
    collection = case.path.removeprefix("/api/v1/").split("/{")[0]
    for name in case.path_parameters or {}:
        values = known.get(f"{collection}:{name}")
        if values:
            case.path_parameters[name] = draw(st.sampled_from(values))
    if isinstance(case.body, dict):
        for name in case.body.keys() & known.keys():
            case.body[name] = draw(st.sampled_from(known[name]))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_error_from_any_request(api_schema, api_key, known, mode):
    """One Hypothesis test over all operations (schemathesis' own pytest integration does
    not work with pytest 9.2 yet); derandomised, so CI sees the same cases each run. Half
    the requests carry the key, and half of those name what the demo holds."""
    with_key = {"Authorization": f"Token {api_key}"}

    @given(
        case=api_schema.as_strategy(generation_mode=mode),
        authenticated=st.booleans(),
        realistic=st.booleans(),
        data=st.data(),
    )
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case, authenticated, realistic, data):
        if authenticated and realistic:
            _realistic(case, known, data.draw)
        case.call_and_validate(headers=with_key if authenticated else None, checks=CHECKS)

    with _requests_keep_the_connection():
        check()
