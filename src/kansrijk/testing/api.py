"""Reading the API's answers in tests."""


def field_errors(response) -> dict[str, list[str]]:
    """The reasons per field of a 400 problem answer (``invalid-params``), as DRF's
    errors looked before they became problem details: ``{"goal": ["…"]}``."""
    assert response["Content-Type"] == "application/problem+json", response.content
    errors: dict[str, list[str]] = {}
    for param in response.json().get("invalid-params", []):
        errors.setdefault(param["name"], []).append(param["reason"])
    return errors


def rate_limits(settings, *, per_token: int, per_address: int, minutes: int = 60) -> None:
    """Sets the API's rate limits for one test (``settings`` is pytest-django's fixture):
    small ones to reach a 429, large ones for a test that sends hundreds of requests."""
    throttle = {
        **settings.KANSRIJK["THROTTLE"],
        "api_per_token": (per_token, minutes),
        "api_per_address": (per_address, minutes),
    }
    settings.KANSRIJK = {**settings.KANSRIJK, "THROTTLE": throttle}
