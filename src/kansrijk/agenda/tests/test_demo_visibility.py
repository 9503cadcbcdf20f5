"""The demo's agendas as each demo user meets them (``kansrijk load_demo``, loaded once for
this module): the agenda list shows what the user may open, every listed agenda opens, and
every other one answers 404. A second load changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.agenda.models import Agenda, AgendaKind
from kansrijk.audit.models import AuditEvent
from kansrijk.cases.tests.test_demo import make_reference_data
from kansrijk.testing.database import rolled_back

pytestmark = pytest.mark.django_db

FACTORS = "jeugdbeleid-factoren"  # seed 000
LEAFLET = "thuiszitters-handreiking"  # seed 001
MIDDEN_KENNEMERLAND = "midden-kennemerland-2022-2024"  # seed 002
MAASSLUIS = "maassluis-onderwijskansen-2019-2022"  # seed 003
VIJFHEERENLANDEN = "vijfheerenlanden-gka-2022-2024"  # seed 004
ALL = {FACTORS, LEAFLET, MIDDEN_KENNEMERLAND, MAASSLUIS, VIJFHEERENLANDEN}
GUIDANCE = {FACTORS, LEAFLET}

# Adopted and public (seeds 002, 004) and the two handreikingen: for everyone. Maassluis'
# note is a concept: for its gemeente, and for Leerrecht, which carries out its activity
# on school attendance ("Leerrecht voert de leerplichttaak uit").
PUBLIC = {FACTORS, LEAFLET, MIDDEN_KENNEMERLAND, VIJFHEERENLANDEN}
EXPECTED = {
    None: PUBLIC,  # anonymous
    "beheerder": PUBLIC,  # Gemeente Beverwijk: owner of seed 002, public anyway
    "beleid": PUBLIC,
    "leerplicht": PUBLIC,  # Het Leerplein: partner on seed 002
    "leerrecht": PUBLIC | {MAASSLUIS},
    "swv": PUBLIC,  # Passend Onderwijs IJmond: owner of seed 002
    "school": PUBLIC,  # De Zeearend, Beverwijk
    "partner": PUBLIC,  # CJG Midden-Kennemerland
    "lezer": PUBLIC,
    "maassluis": PUBLIC | {MAASSLUIS},
    "vijfheerenlanden": PUBLIC,  # owner of seed 004, public anyway
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """``kansrijk load_demo`` on the slice of the reference data the demo refers to, once
    for the module, rolled back at its end."""
    with rolled_back(django_db_blocker), override_settings(DEBUG=True):
        make_reference_data()
        call_command("load_demo", stdout=StringIO())
        yield


def client_of(username: str | None) -> Client:
    """A client logged in as the demo user, past the TOTP check where the role asks it."""
    client = Client()
    if username is None:
        return client
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    if user.requires_two_factor():
        session = client.session
        session["otp_device_id"] = TOTPDevice.objects.get(user=user).persistent_id
        session.save()
    return client


def test_every_demo_user_is_tested(demo):
    users = set(get_user_model().objects.values_list("username", flat=True))
    assert users == set(EXPECTED) - {None}
    assert set(Agenda.objects.values_list("slug", flat=True)) == ALL


@pytest.mark.parametrize("username", list(EXPECTED), ids=lambda name: name or "anoniem")
def test_each_user_sees_and_opens_the_agendas_meant_for_them(demo, username):
    client = client_of(username)
    response = client.get(reverse("agenda:list"))
    assert response.status_code == 200
    listed = {agenda.slug for agenda in response.context["page"].object_list}
    guidance = {document.slug for document in response.context["guidance"]}
    assert listed | guidance == EXPECTED[username]
    # The handreikingen under their own heading, not among the agendas.
    assert guidance == GUIDANCE and not listed & GUIDANCE
    assert "Handreikingen" in response.content.decode()
    for slug in ALL:
        detail = client.get(reverse("agenda:detail", args=[slug]))
        expected_status = 200 if slug in EXPECTED[username] else 404
        assert detail.status_code == expected_status, (username, slug)


def test_the_handreikingen_are_published_documents_without_an_owner(demo):
    for document in Agenda.objects.filter(slug__in=GUIDANCE):
        assert document.kind == AgendaKind.GUIDANCE
        assert document.status == "published" and document.is_public
        assert not document.owners.exists()
    page = Client().get(reverse("agenda:detail", args=[LEAFLET])).content.decode()
    assert "Gepubliceerd" in page


def agenda_counts() -> dict[str, int]:
    """Rows of every model of the agenda app, its history tables included."""
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("agenda").get_models()
    }


def test_loading_the_demo_twice_changes_nothing(demo):
    counts = agenda_counts()
    assert counts["Agenda"] == 5 and counts["Activity"] > 0 and counts["EducationPrize"] > 1
    agenda_audit = AuditEvent.objects.filter(action__startswith="agenda.").count()
    with override_settings(DEBUG=True):
        call_command("load_demo", stdout=StringIO())
    assert agenda_counts() == counts
    assert AuditEvent.objects.filter(action__startswith="agenda.").count() == agenda_audit
