"""Seed 002 loaded on the real reference data and the demo organisations, as ``kansrijk
load_demo`` does. Apart from test_seed_midden_kennemerland.py, whose tests share one load
on the few organisations the file names."""

import pytest
from django.conf import settings

from kansrijk.agenda.demo import AGENDA_DIR, load_agenda_file
from kansrijk.organisations.demo import load_demo_organisations
from kansrijk.organisations.models import Organisation, OrganisationKind
from kansrijk.organisations.reference_data import load_reference_data

pytestmark = pytest.mark.django_db

SEED_FILE = AGENDA_DIR / "midden-kennemerland.toml"


@pytest.fixture
def settings_debug(settings):
    settings.DEBUG = True  # the demo organisations load only with DEBUG on
    return settings


def test_loads_with_the_real_reference_data_and_demo_organisations(settings_debug):
    load_reference_data(settings.KANSRIJK["REFERENCE_DATA_DIR"])
    load_demo_organisations()
    agenda = load_agenda_file(SEED_FILE)
    owners = agenda.owners.all()
    assert owners.count() == 7
    assert set(owners.values_list("kind", flat=True)) == {
        OrganisationKind.MUNICIPALITY,
        OrganisationKind.PARTNERSHIP,
    }
    assert Organisation.objects.get(code="VO2704").agenda_involvements.exists()
