"""A steered document kind (the test says what it builds and whether it fails), the
sample agenda around a gemeente, and a beheerder of that gemeente."""

from __future__ import annotations

import pytest

from kansrijk.agenda.tests.test_views import build_network, load_sample_agenda
from kansrijk.documents import kinds
from kansrijk.organisations.models import Role


class Steered:
    """The builder of the kind ``proef``: ``outcome`` is the bytes to return or the
    exception to raise; ``built`` counts the builds; ``allowed_users`` who may have it."""

    def __init__(self):
        self.outcome: bytes | Exception = b"%PDF-proef"
        self.built = 0
        self.allowed_users: set[int] | None = None

    def build(self, user, params, progress):
        self.built += 1
        progress(0, 2, "De gegevens worden verzameld.")
        progress(1, 2, "Het document wordt opgemaakt.")
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return kinds.Built(self.outcome, f"proef-{params.get('n', 0)}.pdf")

    def allowed(self, user, params) -> bool:
        return self.allowed_users is None or user.pk in self.allowed_users


@pytest.fixture
def steered(monkeypatch):
    steered = Steered()
    monkeypatch.setitem(
        kinds.KINDS,
        "proef",
        kinds.DocumentKind(
            "Proefdocument", steered.build, lambda p: "application/pdf", steered.allowed
        ),
    )
    monkeypatch.setitem(
        kinds.KINDS,
        "geheim",
        kinds.DocumentKind(
            "Met persoonsgegevens",
            steered.build,
            lambda p: "text/csv",
            steered.allowed,
            personal_data=True,
        ),
    )
    return steered


@pytest.fixture
def network(municipality_organisation):
    return build_network(municipality_organisation)


@pytest.fixture
def sample_agenda(tmp_path, network):
    return load_sample_agenda(tmp_path, network)


@pytest.fixture
def officer(make_member, municipality_organisation):
    return make_member(municipality_organisation, Role.POLICY_OFFICER)


@pytest.fixture
def beheerder(make_member, municipality_organisation):
    return make_member(municipality_organisation, Role.ADMIN)


@pytest.fixture
def public_agenda(tmp_path, network):
    from kansrijk.agenda.tests.test_views import load_sample_agenda

    directory = tmp_path / "openbaar"
    directory.mkdir()
    return load_sample_agenda(
        directory, network, slug="openbare-agenda", title="Openbare agenda", public=True
    )


@pytest.fixture
def recorded_steps(monkeypatch):
    """Every ``progress(done, total, step)`` the worker hears, per job id."""
    from kansrijk.documents import services

    heard: dict[int, list[tuple[int, int, str]]] = {}
    report_for = services._progress

    def recording(job):
        report = report_for(job)

        def record(done, total, step):
            heard.setdefault(job.pk, []).append((done, total, str(step)))
            report(done, total, step)

        return record

    monkeypatch.setattr(services, "_progress", recording)
    return heard
