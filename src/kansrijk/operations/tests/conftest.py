import pytest

from kansrijk.operations import checks


@pytest.fixture(autouse=True)
def migrations_not_yet_known(monkeypatch):
    """Every test starts as a fresh process would: the migrations not yet found applied."""
    monkeypatch.setattr(checks, "_migrations_applied", False)


@pytest.fixture
def metrics_open_to(settings):
    """Open /metrics to a token and/or addresses for one test."""

    def open_to(token="", addresses=()):
        settings.KANSRIJK = settings.KANSRIJK | {
            "METRICS": {"TOKEN": token, "ADDRESSES": list(addresses)}
        }

    return open_to
