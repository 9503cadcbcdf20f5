"""The pages with the user trio: who may see, change and approve an entry, enter counts
and needs; what the public sees (published only, small counts as "<5"); the gap page;
and the number of queries of every list page."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse

from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Role
from kansrijk.socialmap.models import Need, Participation, Service, ServiceStatus
from kansrijk.socialmap.tests.factories import (
    NeedFactory,
    ParticipationFactory,
    ProviderFactory,
    ServiceFactory,
    theme,
)
from kansrijk.testing import factories
from kansrijk.testing.documents import fetch_document
from kansrijk.testing.jobs import post_and_run

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"socialmap:{name}", args=args)


@pytest.fixture
def entry(provider):
    return ServiceFactory(
        provider=provider,
        name="Huiswerkbegeleiding",
        themes=["huiswerk"],
        minimum_group=7,
        maximum_group=7,
    )


@pytest.fixture
def concept(provider):
    return ServiceFactory(provider=provider, name="Nieuw idee", status=ServiceStatus.CONCEPT)


# ------------------------------------------------------------------ public pages


def test_the_public_pages_need_no_login(client, entry):
    for name, args in [
        ("search", ()),
        ("results", ()),
        ("detail", (entry.uuid,)),
        ("gaps", ()),
        ("open_data", ()),
        ("export_csv", ()),
        ("export_hsds", ("zip",)),
        ("export_hsds", ("json",)),
    ]:
        # The open data is built by the worker and opened by its token (decision 0051).
        assert fetch_document(client, url(name, *args)).status_code == 200, name


def test_the_detail_page_in_plain_dutch(client, entry, school):
    ParticipationFactory(service=entry, participants=3, school=school, region=None)
    html = client.get(entry.get_absolute_url()).content.decode()
    for heading in (
        "Wat is het?",
        "Voor wie?",
        "Wat kost het?",
        "Hoe meld je je aan?",
        "Waar en wanneer?",
    ):
        assert heading in html
    # Participation goes through the suppression of small numbers.
    assert "&lt;5" in html and ">3<" not in html


def test_an_entry_not_checked_for_a_year_is_flagged(client, entry):
    entry.assured_date = datetime.date.today() - datetime.timedelta(days=400)
    entry.save()
    assert (
        "langer dan een jaar niet gecontroleerd"
        in client.get(entry.get_absolute_url()).content.decode()
    )


def test_a_concept_is_seen_only_by_those_who_maintain_it(
    client, concept, partner_trio, officer_trio
):
    assert client.get(concept.get_absolute_url()).status_code == 404
    client.force_login(partner_trio["other_organisation"])
    assert client.get(concept.get_absolute_url()).status_code == 404
    assert client.get(concept.get_manage_url()).status_code == 404
    for user in (partner_trio["member"], officer_trio["member"]):
        client.force_login(user)
        assert client.get(concept.get_absolute_url()).status_code == 200
        assert client.get(concept.get_manage_url()).status_code == 200
    # A lezer of the provider sees it but may not change it.
    client.force_login(partner_trio["other_role"])
    assert client.get(concept.get_manage_url()).status_code == 403
    assert client.get(url("edit", concept.uuid)).status_code == 403


# ------------------------------------------------------------------ maintaining entries


def entry_form(gemeente, **fields):
    data = {
        "provider": "",
        "name": "Voorleesuur",
        "description": "Voorlezen in de bibliotheek.",
        "themes": [theme("taal-en-lezen").pk],
        "minimum_age": "4",
        "maximum_age": "8",
        "areas": [gemeente.code],
        "languages": ["nl", "ar"],
        "phone": "010 123 45 67",
        "contact_title": "Jeugdbibliothecaris",
    }
    data.update(fields)
    return data


def test_a_partner_adds_an_entry_for_the_own_organisation(
    client, partner_trio, municipality_organisation, gemeente
):
    client.force_login(partner_trio["member"])
    page = client.get(url("create"))
    assert page.status_code == 200
    key = f"org-{municipality_organisation.pk}"
    response = client.post(url("create"), entry_form(gemeente, provider=key))
    service = Service.objects.get(name="Voorleesuur")
    assert response.status_code == 302 and response.url == service.get_manage_url()
    assert service.status == ServiceStatus.CONCEPT
    assert service.provider.organisation == municipality_organisation
    assert set(service.languages.values_list("code", flat=True)) == {"nl", "ar"}
    assert service.phones.get().number == "010 123 45 67"
    assert service.contacts.get().title == "Jeugdbibliothecaris"
    # A lezer of the provider and a partner elsewhere cannot offer for it.
    client.force_login(partner_trio["other_role"])
    assert client.get(url("create")).status_code == 403
    client.force_login(partner_trio["other_organisation"])
    response = client.post(url("create"), entry_form(gemeente, provider=key, name="Vreemd"))
    assert response.status_code == 400 and not Service.objects.filter(name="Vreemd").exists()


def test_the_form_explains_ages_out_of_order(
    client, partner_trio, municipality_organisation, gemeente
):
    client.force_login(partner_trio["member"])
    response = client.post(
        url("create"),
        entry_form(
            gemeente,
            provider=f"org-{municipality_organisation.pk}",
            minimum_age="12",
            maximum_age="4",
        ),
    )
    assert response.status_code == 400
    assert "ligt onder de leeftijd" in response.content.decode()


def test_submit_approve_and_the_trio(client, concept, partner_trio, officer_trio, gemeente):
    client.force_login(partner_trio["other_organisation"])
    assert client.post(url("transition", concept.uuid, "indienen")).status_code == 404
    client.force_login(partner_trio["other_role"])
    assert client.post(url("transition", concept.uuid, "indienen")).status_code == 403
    client.force_login(partner_trio["member"])
    client.post(url("transition", concept.uuid, "indienen"))
    concept.refresh_from_db()
    assert concept.status == ServiceStatus.SUBMITTED
    # The partner may not approve the own entry; nor may a beleidsmedewerker elsewhere.
    assert client.post(url("transition", concept.uuid, "goedkeuren")).status_code == 403
    client.force_login(officer_trio["other_organisation"])
    assert client.post(url("transition", concept.uuid, "goedkeuren")).status_code == 404
    client.force_login(officer_trio["other_role"])
    assert client.post(url("transition", concept.uuid, "goedkeuren")).status_code == 403
    client.force_login(officer_trio["member"])
    manage = client.get(url("manage"))
    assert concept in manage.context["waiting"]
    client.post(url("transition", concept.uuid, "goedkeuren"))
    concept.refresh_from_db()
    assert concept.status == ServiceStatus.PUBLISHED
    assert client.post(url("transition", concept.uuid, "onbekend")).status_code == 404


def test_reject_with_a_reason(client, provider, officer_trio):
    service = ServiceFactory(provider=provider, status=ServiceStatus.SUBMITTED)
    client.force_login(officer_trio["member"])
    client.post(url("transition", service.uuid, "afwijzen"), {"reason": ""})
    service.refresh_from_db()
    assert service.status == ServiceStatus.SUBMITTED
    client.post(url("transition", service.uuid, "afwijzen"), {"reason": "Voeg een locatie toe."})
    service.refresh_from_db()
    assert (
        service.status == ServiceStatus.CONCEPT and service.review_note == "Voeg een locatie toe."
    )
    client.force_login(officer_trio["member"])
    assert "Voeg een locatie toe." in client.get(service.get_manage_url()).content.decode()


def test_verify_keeps_it_published(client, entry, partner_trio):
    entry.assured_date = datetime.date(2020, 1, 1)
    entry.save()
    client.force_login(partner_trio["member"])
    client.post(url("transition", entry.uuid, "controleren"))
    entry.refresh_from_db()
    assert entry.assured_date == datetime.date.today() and entry.status == ServiceStatus.PUBLISHED


def test_editing_a_published_entry(client, entry, partner_trio, gemeente):
    client.force_login(partner_trio["member"])
    form = client.get(url("edit", entry.uuid)).context["form"]
    data = {
        key: value
        for key, value in {
            **form.initial,
            "name": entry.name,
            "description": "Nieuwe tekst.",
        }.items()
        if value is not None and key not in ("goals", "interventions")
    }
    data["themes"] = [t.pk for t in entry.themes.all()]
    response = client.post(url("edit", entry.uuid), data)
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.description == "Nieuwe tekst." and entry.status == ServiceStatus.SUBMITTED


def test_a_location_from_the_reference_data(client, entry, partner_trio, school):
    client.force_login(partner_trio["member"])
    response = client.post(
        url("add_location", entry.uuid),
        {
            "school": school.code.lower(),
            "days": ["MO", "WE"],
            "opens_at": "15:00",
            "closes_at": "17:00",
        },
    )
    assert response.status_code == 302
    at_location = entry.service_at_locations.get()
    assert at_location.location.postal_code == "3145 NG"
    assert at_location.schedules.get().byday == "MO,WE"
    html = client.get(entry.get_absolute_url()).content.decode()
    assert "Zwaluwstraat 15, 3145 NG Maassluis" in html and "maandag en woensdag" in html
    response = client.post(url("add_location", entry.uuid), {"school": "99ZZ99"})
    assert response.status_code == 400 and "Er is geen school met vestigingscode 99ZZ99" in (
        response.content.decode()
    )
    response = client.post(
        url("add_location", entry.uuid),
        {"name": "Buurthuis", "address_1": "Straat 1", "postal_code": "1234 SA", "city": "X"},
    )
    assert response.status_code == 400
    assert "SA, SD of SS" in response.content.decode()
    response = client.post(
        url("add_location", entry.uuid),
        {
            "name": "Buurthuis De Hoek",
            "address_1": "Hoekstraat 2",
            "postal_code": "3141ab",
            "city": "Maassluis",
            "municipality": school.municipality.code,
            "latitude": "51.923000",
            "longitude": "4.250000",
        },
    )
    assert response.status_code == 302
    location = entry.service_at_locations.get(location__name="Buurthuis De Hoek").location
    assert (location.postal_code, str(location.latitude)) == ("3141 AB", "51.923000")
    client.force_login(partner_trio["other_role"])
    assert client.get(url("add_location", entry.uuid)).status_code == 403


def test_participation_entry_and_the_trio(client, entry, partner_trio, school):
    client.force_login(partner_trio["member"])
    response = client.post(
        url("participation", entry.uuid),
        {"period": "2023/2024", "school": school.code, "participants": "9"},
    )
    assert response.status_code == 302
    row = Participation.objects.get()
    assert (row.participants, row.period_start) == (9, datetime.date(2023, 8, 1))
    response = client.post(
        url("participation", entry.uuid),
        {"period": "2023/2025", "school": school.code, "participants": "9"},
    )
    assert response.status_code == 400 and "geen schooljaar" in response.content.decode()
    client.force_login(partner_trio["other_role"])
    assert client.get(url("participation", entry.uuid)).status_code == 403
    # A published entry is visible to everyone: the wrong partner is refused, not misled.
    client.force_login(partner_trio["other_organisation"])
    assert client.get(url("participation", entry.uuid)).status_code == 403


def test_needs_are_recorded_by_the_gemeente(client, officer_trio, gemeente, wijk):
    client.force_login(officer_trio["member"])
    response = client.post(
        url("need_create"),
        {
            "municipality": gemeente.code,
            "district": wijk.code,
            "theme": theme("huiswerk").pk,
            "minimum_group": "6",
            "maximum_group": "6",
            "description": "Huiswerkbegeleiding voor groep 6.",
        },
    )
    assert response.status_code == 302
    need = Need.objects.get()
    assert need.district == wijk
    assert client.get(url("need_list")).status_code == 200
    client.force_login(officer_trio["other_organisation"])
    assert client.get(url("need_edit", need.pk)).status_code == 404
    assert client.post(url("need_delete", need.pk)).status_code == 404
    client.force_login(officer_trio["other_role"])
    assert client.get(url("need_list")).status_code == 403
    client.force_login(officer_trio["member"])
    client.post(url("need_delete", need.pk))
    assert not Need.objects.exists()
    assert AuditEvent.objects.filter(action="socialmap.need.delete").exists()


def test_participation_import_page(client, entry, partner_trio, school):
    client.force_login(partner_trio["member"])
    data = (
        f"aanbod,periode,school,deelnemers\r\n{entry.uuid},2023/2024,{school.code},7\r\n".encode()
    )
    upload = io.BytesIO(data)
    upload.name = "deelname.csv"
    response = post_and_run(client, url("participation_import"), {"file": upload})
    assert response.status_code == 200 and Participation.objects.get().participants == 7
    client.force_login(partner_trio["other_organisation"])
    assert client.get(url("participation_import")).status_code == 403


def test_need_import_page_checks_first_then_imports_in_the_background(
    client, officer_trio, gemeente
):
    client.force_login(officer_trio["member"])
    data = (
        "gemeente,thema,leeftijd_vanaf,leeftijd_tot_en_met,omschrijving\r\n"
        f"{gemeente.code},huiswerk,8,10,Huiswerkhulp\r\n"
    ).encode()
    upload = io.BytesIO(data)
    upload.name = "behoeften.csv"
    page = post_and_run(client, url("need_import"), {"file": upload, "dry_run": "on"})
    assert page.status_code == 200 and not Need.objects.exists()
    assert "Het bestand is in orde; er is nog niets opgeslagen" in page.content.decode()
    upload.seek(0)
    page = post_and_run(client, url("need_import"), {"file": upload})
    assert "Het bestand is geïmporteerd" in page.content.decode()
    assert Need.objects.get().description == "Huiswerkhulp"
    assert page.context["upload_page"] == url("need_import")
    client.force_login(officer_trio["other_organisation"])
    assert client.get(page.request["PATH_INFO"]).status_code == 404


# ------------------------------------------------------------------ the gap page


def test_the_gap_page_shows_a_need_without_offer(client, entry, gemeente):
    NeedFactory(
        municipality=gemeente,
        theme=theme("huiswerk"),
        minimum_age=None,
        maximum_age=None,
        minimum_group=6,
        maximum_group=6,
        description="Huiswerkbegeleiding voor groep 6.",
    )
    NeedFactory(
        municipality=gemeente,
        theme=theme("huiswerk"),
        minimum_age=None,
        maximum_age=None,
        minimum_group=7,
        maximum_group=7,
        description="Huiswerkbegeleiding voor groep 7.",
    )
    unasked = ServiceFactory(provider=entry.provider, name="Schaakclub", themes=["sport"])
    response = client.get(url("gaps"), {"gemeente": gemeente.code})
    html = response.content.decode()
    assert "Huiswerkbegeleiding voor groep 6." in html
    assert "Huiswerkbegeleiding voor groep 7." not in html  # the offer meets it
    assert response.context["totals"] == {"total": 2, "without": 1}
    offers = [service.name for service in response.context["offers"]]
    assert offers == [unasked.name]


# ------------------------------------------------------------------ query counts


def test_list_pages_keep_their_number_of_queries(
    client, provider, officer_trio, gemeente, django_assert_max_num_queries
):
    client.force_login(officer_trio["member"])
    ServiceFactory(provider=provider, themes=["sport"])
    NeedFactory(municipality=gemeente)
    pages = [url("manage"), url("gaps"), url("need_list"), url("results")]
    baselines = {}
    for page in pages:
        with django_assert_max_num_queries(40) as captured:
            assert client.get(page).status_code == 200
        baselines[page] = len(captured)
    other = ProviderFactory(organisation=factories.OrganisationFactory(kind="welfare"))
    for number in range(25):
        ServiceFactory(
            provider=provider if number % 2 else other,
            areas=[gemeente],
            themes=["sport", "cultuur"],
            status=ServiceStatus.SUBMITTED if number % 3 == 0 else ServiceStatus.PUBLISHED,
        )
        NeedFactory(municipality=gemeente, theme=theme("cultuur" if number % 2 else "huiswerk"))
    for page in pages:
        with django_assert_max_num_queries(baselines[page]):
            assert client.get(page).status_code == 200


def test_the_menu_and_the_footer_lead_to_the_sociale_kaart(
    client, make_member, municipality_organisation
):
    assert url("search") in client.get(reverse("accessibility")).content.decode()
    client.force_login(make_member(municipality_organisation, Role.PARTNER))
    html = client.get(reverse("home")).content.decode()
    assert f'href="{url("search")}"' in html and "Sociale kaart" in html
