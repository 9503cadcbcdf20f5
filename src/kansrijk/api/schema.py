"""What the API Design Rules ask of every operation in the published schema, added in one
place rather than on each view (decision 0045): the error answers as problem details, and
the headers every answer carries. ``tests/test_design_rules.py`` checks the result."""

from __future__ import annotations

from django.conf import settings

PROBLEM = {"$ref": "#/components/schemas/Problem"}

ERROR_DESCRIPTIONS = {
    "400": "Invalid data or query parameters; `invalid-params` names each and the reason.",
    "401": "An invalid or revoked API key, or none where one is needed.",
    "403": "The caller may not do this.",
    "404": "No such item, or not visible to the caller.",
    "406": "The Accept header asks for a format the API does not give (only JSON).",
    "415": "The body is not JSON (`Content-Type: application/json`).",
    "429": "Too many requests: see `Retry-After`.",
    "500": "An error on the server's side.",
}

HEADERS = {
    "API-Version": {
        "description": "The full version of the API that answered (semantic versioning).",
        "required": True,
        "schema": {"type": "string", "example": settings.API_VERSION},
    },
    "RateLimit-Limit": {
        "description": "Requests allowed in the current window.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current window.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the current window ends and the count starts afresh.",
        "schema": {"type": "integer"},
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer"},
    },
}

SCHEMAS = {
    "Problem": {
        "type": "object",
        "description": "An error, as problem details (RFC 9457).",
        "required": ["type", "title", "status", "detail", "instance"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri-reference",
                "description": "The kind of problem; `about:blank`: the status says it.",
            },
            "title": {"type": "string", "description": "The status in words (Dutch)."},
            "status": {"type": "integer", "description": "The HTTP status code."},
            "detail": {"type": "string", "description": "What went wrong here (Dutch)."},
            "instance": {
                "type": "string",
                "format": "uri-reference",
                "description": "The path of the request that went wrong.",
            },
            "invalid-params": {
                "type": "array",
                "description": "With a 400: each invalid field or parameter and why.",
                "items": {"$ref": "#/components/schemas/InvalidParam"},
            },
        },
    },
    "InvalidParam": {
        "type": "object",
        "required": ["name", "code", "reason"],
        "properties": {
            "name": {
                "type": "string",
                "description": "The field or parameter, nested as `events[0].date`.",
            },
            "code": {"type": "string", "description": "A code for the kind of error."},
            "reason": {"type": "string", "description": "Why it is invalid (Dutch)."},
        },
    },
}

HEADER_REFS = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
ANSWER_HEADERS = {
    name: HEADER_REFS[name]
    for name in ("API-Version", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
}


def error_statuses(path: str, operation: dict) -> list[str]:
    statuses = ["400", "401", "403", "406", "429", "500"]
    if "{" in path:
        statuses.append("404")
    if "requestBody" in operation:
        statuses.append("415")
    return sorted(statuses)


def headers_of(status: str) -> dict:
    headers = dict(ANSWER_HEADERS)
    if status == "429":
        headers["Retry-After"] = HEADER_REFS["Retry-After"]
    return headers


def design_rules(result, generator, request, public):
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"])."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {}).update(SCHEMAS)
    components["headers"] = HEADERS
    components["responses"] = {
        status: {
            "description": description,
            "headers": headers_of(status),
            "content": {"application/problem+json": {"schema": PROBLEM}},
        }
        for status, description in ERROR_DESCRIPTIONS.items()
    }
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(path, operation):
                if status not in responses:
                    responses[status] = {"$ref": f"#/components/responses/{status}"}
            for status, response in responses.items():
                if "$ref" in response:
                    continue
                if int(status) >= 400:  # an error the view describes in its own words
                    response["content"] = {"application/problem+json": {"schema": PROBLEM}}
                response["headers"] = headers_of(status)
            operation["responses"] = dict(sorted(responses.items()))
    return result
