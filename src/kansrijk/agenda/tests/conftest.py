"""The sample agenda (test_views.SAMPLE_TOML) around a gemeente, as a concept, and a
beleidsmedewerker of that gemeente who edits it: shared by the authoring, archive and
roles tests."""

from __future__ import annotations

import pytest

from kansrijk.agenda.tests.test_views import build_network, load_sample_agenda
from kansrijk.organisations.models import Role


@pytest.fixture
def network(municipality_organisation):
    return build_network(municipality_organisation)


@pytest.fixture
def concept(tmp_path, network):
    return load_sample_agenda(tmp_path, network, status="concept")


@pytest.fixture
def editor(make_member, network):
    return make_member(network["gemeente"], Role.POLICY_OFFICER)
