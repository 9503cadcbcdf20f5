"""The published schema against the Dutch API Design Rules (Logius, ADR 2.0), decision 0045.

A linter in the form of tests, without network or Node: each test checks one rule on the
schema the API generates, and its message names the rule and what breaks it. The rule ids
are Logius' own (``/core/...``); checks that the ADR's Spectral linter makes beyond the
normative rules say so. The rules for the API's behaviour (the header on real answers,
problem details, the redirects, the rate limits) are in ``test_answers.py``.
"""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from drf_spectacular.generators import SchemaGenerator

API = "/api/v1"
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$"
)
STANDARD_METHODS = {"get", "post", "put", "patch", "delete", "head", "options"}
OPERATION_KEYS = STANDARD_METHODS | {"trace"}

# Segments that are not collection names, and why (/core/naming-collections).
NOT_COLLECTIONS = {
    "socialmap": "a group of resources (the sociale kaart), not a resource itself",
    "participation": "an uncountable noun: the participation counts of services",
    "openapi.json": "the schema's file name, fixed by /core/publish-openapi",
}
# Words that would make a segment an action rather than a thing (/core/naming-resources).
VERBS = {
    "add", "approve", "calculate", "change", "create", "delete", "do", "edit", "fetch",
    "find", "get", "list", "make", "post", "put", "remove", "report", "run", "save",
    "search", "send", "set", "show", "submit", "update", "upload",
}  # fmt: skip

# /core/doc-language: the API is documented in English (decision 0045): docs/api.md was
# English before the rule applied, and the ADR allows that ("unless there is existing
# documentation in English"). Dutch domain terms without an English equivalent
# (peildatum, voortrekker) may stand in a text, in parentheses or backticks.
DUTCH_WORDS = {
    "de", "het", "een", "van", "en", "die", "niet", "voor", "wie", "zijn", "met", "naar",
    "als", "ook", "alleen", "of", "op", "te", "aan", "bij", "door", "wordt", "worden",
    "mag", "kan", "geen", "nooit", "jouw", "je",
}  # fmt: skip
ENGLISH_WORDS = {
    "the", "a", "an", "of", "and", "for", "with", "to", "is", "are", "only", "or", "by",
    "as", "in", "on", "may", "can", "no", "never", "its",
}  # fmt: skip


@pytest.fixture(scope="module")
def schema() -> dict:
    generated = SchemaGenerator().get_schema(request=None, public=True)
    # Through JSON, as published: lazy translations become strings.
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(generated))


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in OPERATION_KEYS:
                yield path, method, operation


def resolved(schema, node: dict) -> dict:
    while "$ref" in node:
        target = schema
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def fail_if(problems: list[str], rule: str, what: str):
    assert not problems, f"{rule} ({what}) is broken by:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------ the document


def test_core_doc_openapi(schema):
    problems = []
    if not re.match(r"^3\.\d+(\.\d+)?$", schema.get("openapi", "")):
        problems.append(f"openapi is {schema.get('openapi')!r}, not 3.x")
    info = schema.get("info", {})
    for field in ("title", "description", "version"):
        if not info.get(field):
            problems.append(f"info.{field} is missing")
    contact = info.get("contact", {})
    if not contact.get("name") or not (contact.get("url") or contact.get("email")):
        problems.append("info.contact needs a name and a url or e-mail address")
    fail_if(problems, "/core/doc-openapi", "document the API in OpenAPI 3 with info and contact")


def test_core_semver(schema):
    version = schema["info"]["version"]
    assert SEMVER.match(version), (
        f"/core/semver (semantic versioning): info.version {version!r} is not MAJOR.MINOR.PATCH"
    )
    assert version == settings.API_VERSION, (
        f"/core/semver: info.version {version!r} differs from settings.API_VERSION "
        f"{settings.API_VERSION!r}, which the API-Version header sends"
    )


def test_core_publish_openapi(client, db, schema):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200, (
        f"/core/publish-openapi (the schema at a standard location, in JSON): "
        f"{API}/openapi.json answers {response.status_code}"
    )
    assert response["Content-Type"].split(";")[0] in (
        "application/json",
        "application/vnd.oai.openapi+json",
    ), f"/core/publish-openapi: served as {response['Content-Type']}, not JSON"
    assert response.json()["paths"].keys() == schema["paths"].keys(), (
        "/core/publish-openapi: the served schema differs from the generated one"
    )


# ------------------------------------------------------------------ addresses


def test_core_no_trailing_slash(schema):
    problems = [path for path in schema["paths"] if path.endswith("/")]
    fail_if(problems, "/core/no-trailing-slash", "leave off trailing slashes from URIs")


def test_core_uri_version(schema):
    major = schema["info"]["version"].split(".")[0]
    problems = [
        f"{path}: not under /api/v{major}/ (the major version of info.version, only)"
        for path in schema["paths"]
        if not path.startswith(f"/api/v{major}/") or re.search(r"/v\d+\.\d+", path)
    ]
    fail_if(problems, "/core/uri-version", "the major version, and only that, in the URI")


def _literal_segments(path: str) -> list[str]:
    segments = path.removeprefix(API).strip("/").split("/")
    return [segment for segment in segments if segment and not segment.startswith("{")]


def test_core_naming_resources(schema):
    """Nouns, lower case, words joined by hyphens; never an action."""
    problems = []
    for path in schema["paths"]:
        for segment in _literal_segments(path):
            if segment in NOT_COLLECTIONS:
                continue
            if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", segment):
                problems.append(f"{path}: {segment!r} is not lower-case kebab-case")
            elif segment.split("-")[0] in VERBS:
                problems.append(f"{path}: {segment!r} starts with a verb")
    fail_if(problems, "/core/naming-resources", "use nouns to name resources")


def test_core_naming_collections(schema):
    """A path that lists things (an array, or a page of results) ends in a plural."""
    problems = []
    for path, method, operation in operations(schema):
        if method != "get" or path.endswith("}"):
            continue
        body = resolved(schema, operation["responses"].get("200", {}))
        content = body.get("content", {}).get("application/json", {}).get("schema", {})
        content = resolved(schema, content)
        is_list = content.get("type") == "array" or "results" in content.get("properties", {})
        last = _literal_segments(path)[-1]
        if is_list and last not in NOT_COLLECTIONS and not last.endswith("s"):
            problems.append(f"{path}: lists things but {last!r} is not a plural")
    fail_if(problems, "/core/naming-collections", "plural nouns for collections")


# ------------------------------------------------------------------ operations


def test_core_http_methods(schema):
    problems = [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method in item
        if method in OPERATION_KEYS and method not in STANDARD_METHODS
    ]
    fail_if(problems, "/core/http-methods", "only standard HTTP methods")


def test_core_version_header(schema):
    header = schema["components"]["headers"]["API-Version"]
    assert header.get("required") is True, "/core/version-header: API-Version must be required"
    problems = []
    for path, method, operation in operations(schema):
        for status, response in operation["responses"].items():
            headers = resolved(schema, response).get("headers", {})
            if "API-Version" not in headers:
                problems.append(f"{method.upper()} {path} {status}")
    fail_if(problems, "/core/version-header", "API-Version on every answer, errors included")


def test_problem_details_on_every_error(schema):
    """The ADR linter's check beyond the normative rules: every 4xx and 5xx answer is
    application/problem+json with the fields of RFC 9457."""
    problem = schema["components"]["schemas"]["Problem"]
    missing = {"type", "title", "status", "detail", "instance"} - set(problem["properties"])
    assert not missing, f"problem details: the Problem schema lacks {sorted(missing)}"
    problems = []
    for path, method, operation in operations(schema):
        statuses = set(operation["responses"])
        for needed in ("400", "401", "406", "429", "500"):
            if needed not in statuses:
                problems.append(f"{method.upper()} {path}: {needed} is not documented")
        for status, response in operation["responses"].items():
            if int(status) < 400:
                continue
            content = resolved(schema, response).get("content", {})
            if list(content) != ["application/problem+json"]:
                problems.append(f"{method.upper()} {path} {status}: {sorted(content)}")
    fail_if(problems, "problem details (RFC 9457)", "every error as application/problem+json")


def test_rate_limits_are_documented(schema):
    problems = []
    for path, method, operation in operations(schema):
        throttled = resolved(schema, operation["responses"].get("429", {}))
        if "Retry-After" not in throttled.get("headers", {}):
            problems.append(f"{method.upper()} {path}: no 429 with Retry-After")
        ok = next((resolved(schema, r) for s, r in operation["responses"].items() if s < "300"), {})
        if "RateLimit-Remaining" not in ok.get("headers", {}):
            problems.append(f"{method.upper()} {path}: no RateLimit-* headers")
    fail_if(problems, "rate limits", "429 with Retry-After and RateLimit-* headers documented")


def test_security_scheme_is_declared(schema):
    schemes = schema["components"].get("securitySchemes", {})
    assert "apiToken" in schemes, "security: the API key scheme is not declared"
    problems = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(schema)
        if not any("apiToken" in requirement for requirement in operation.get("security", []))
    ]
    fail_if(problems, "security", "every operation names the API key scheme")


GROWING_LISTS = ["/cases", "/measurements", "/reported-counts"]


def test_paging_is_documented(schema):
    """Every list is paged; the lists that grow without bound by cursor (keyset)."""
    problems = []
    for path, method, operation in operations(schema):
        if method != "get" or path.endswith("}"):
            continue
        body = resolved(schema, operation["responses"]["200"])
        content = resolved(schema, body["content"]["application/json"]["schema"])
        if content.get("type") == "array":
            if not path.endswith("/funding-totals"):  # a sum per year and source: bounded
                problems.append(f"{path}: a list without paging")
            continue
        if "results" not in content.get("properties", {}):
            continue
        links = {"next", "previous"} <= set(content["properties"])
        parameters = {parameter["name"] for parameter in operation.get("parameters", [])}
        if not links:
            problems.append(f"{path}: no next and previous links")
        if path.removeprefix(API) in GROWING_LISTS and "cursor" not in parameters:
            problems.append(f"{path}: grows without bound but has no cursor")
    fail_if(problems, "paging", "lists paged, with next/previous, documented")


def _language(text: str) -> str | None:
    text = re.sub(r"\([^)]*\)|`[^`]*`|\"[^\"]*\"", " ", text)
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    dutch = sum(word in DUTCH_WORDS for word in words)
    english = sum(word in ENGLISH_WORDS for word in words)
    if dutch == english:
        return None
    return "nl" if dutch > english else "en"


def test_core_doc_language(schema):
    """The texts written for the API (summaries, descriptions of operations and their
    parameters) are English. Field descriptions are the models' Dutch help texts, shared
    with the pages: they are the glossary, not the documentation, and are not checked."""
    texts = [("info.description", schema["info"]["description"])]
    for path, method, operation in operations(schema):
        for key in ("summary", "description"):
            if operation.get(key):
                texts.append((f"{method.upper()} {path} {key}", operation[key]))
        for parameter in operation.get("parameters", []):
            if parameter.get("description"):
                texts.append(
                    (f"{method.upper()} {path} ?{parameter['name']}", parameter["description"])
                )
    problems = [f"{where}: {text[:70]!r}" for where, text in texts if _language(text) == "nl"]
    fail_if(problems, "/core/doc-language", "one language for the documentation, English")


def test_schema_names_are_pascal_case(schema):
    """The ADR linter's check beyond the normative rules."""
    problems = [
        name
        for name in schema["components"]["schemas"]
        if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name)
    ]
    fail_if(problems, "schema names", "PascalCase component names")
