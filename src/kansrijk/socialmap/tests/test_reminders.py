"""Entries not verified for twelve months are flagged, and ``kansrijk socialmap_reminders``
reminds their providers by e-mail: once, and again only after a month while nothing
changes; recorded as a reminder and in the audit trail. Time is frozen with time_machine."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Role
from kansrijk.socialmap import services
from kansrijk.socialmap.models import Reminder, Service
from kansrijk.socialmap.tests.factories import ProviderFactory, ServiceFactory

pytestmark = pytest.mark.django_db

CHECKED = datetime.date(2024, 3, 1)


@pytest.fixture
def entries(provider, make_member, municipality_organisation, gemeente):
    partner = make_member(municipality_organisation, Role.PARTNER, email="partner@gemeente.nl")
    make_member(municipality_organisation, Role.READER, email="lezer@gemeente.nl")
    officer = make_member(
        municipality_organisation, Role.POLICY_OFFICER, email="beleid@gemeente.nl"
    )
    outside = ProviderFactory(organisation=None, name="Duurzaamheidscentrum")
    return {
        "partner": partner,
        "officer": officer,
        "stale": ServiceFactory(
            provider=provider, name="Huiswerkbegeleiding", assured_date=CHECKED
        ),
        "fresh": ServiceFactory(
            provider=provider, name="Sportmenu", assured_date=datetime.date(2024, 12, 1)
        ),
        "outside": ServiceFactory(
            provider=outside, name="Lessen", assured_date=CHECKED, areas=[gemeente]
        ),
    }


def run(**options) -> str:
    out = StringIO()
    call_command("socialmap_reminders", stdout=out, **options)
    return out.getvalue()


def test_providers_are_reminded_once_and_again_after_a_month(
    entries, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime.datetime(2025, 2, 28, 9, 0), tick=False):
        assert not Service.objects.past_their_check(datetime.date.today()).exists()
        with django_capture_on_commit_callbacks(execute=True):
            assert run().startswith("0 aanbod")
        assert mail.outbox == []

    with time_machine.travel(datetime.datetime(2025, 3, 2, 9, 0), tick=False):
        stale = set(
            Service.objects.past_their_check(datetime.date.today()).values_list("name", flat=True)
        )
        assert stale == {"Huiswerkbegeleiding", "Lessen"}
        with django_capture_on_commit_callbacks(execute=True):
            output = run(base_url="https://kansrijk.example.nl/")
        assert output.startswith("2 aanbod herinnerd in 2 e-mail(s)")
        recipients = sorted(tuple(sorted(message.to)) for message in mail.outbox)
        # The provider's members (not the lezer); for a provider outside Kansrijk, the
        # beleidsmedewerkers of the gemeente it is offered in.
        assert ("beleid@gemeente.nl", "partner@gemeente.nl") in recipients
        assert ("beleid@gemeente.nl",) in recipients
        body = next(m.body for m in mail.outbox if "partner@gemeente.nl" in m.to)
        assert "Huiswerkbegeleiding" in body and "1 maart 2024" in body
        assert f"https://kansrijk.example.nl/sociale-kaart/beheer/{entries['stale'].uuid}/" in body
        assert Reminder.objects.count() == 2
        assert AuditEvent.objects.filter(action="socialmap.service.remind").count() == 2
        # The same day again: nothing.
        with django_capture_on_commit_callbacks(execute=True):
            assert run().startswith("0 aanbod")
        assert len(mail.outbox) == 2

    with (
        time_machine.travel(datetime.datetime(2025, 3, 20, 9, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert run().startswith("0 aanbod")

    with time_machine.travel(datetime.datetime(2025, 4, 5, 9, 0), tick=False):
        services.verify_service(entries["stale"], actor=entries["partner"])
        with django_capture_on_commit_callbacks(execute=True):
            assert run().startswith("1 aanbod")  # only the one still unverified
        assert len(mail.outbox) == 3


def test_an_entry_without_anyone_to_remind_is_reported(gemeente):
    ServiceFactory(
        provider=ProviderFactory(organisation=None, name="Onbekend"),
        name="Wees",
        assured_date=CHECKED,
        areas=[gemeente],
    )
    with time_machine.travel(datetime.datetime(2025, 6, 1, 9, 0), tick=False):
        assert "Geen ontvanger voor: Wees" in run()
    assert not Reminder.objects.exists()


def test_the_manage_page_flags_entries_past_their_check(client, entries):
    with time_machine.travel(datetime.datetime(2025, 6, 1, 9, 0), tick=False):
        client.force_login(entries["partner"])
        html = client.get("/sociale-kaart/beheer/").content.decode()
        row = html[html.index("Huiswerkbegeleiding") :]
        row = row[: row.index("</tr>")]
        # What to check, as a link to the entry where it is done.
        stale = entries["stale"]
        assert f'href="{stale.get_manage_url()}">Controleer of alles nog klopt' in row
        fresh = html[html.index("Sportmenu") :]
        assert "Controleer of alles nog klopt" not in fresh[: fresh.index("</tr>")]
