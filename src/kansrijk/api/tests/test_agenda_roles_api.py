"""Roles and payers over the API: read with every item, and a partner changes only the
items it leads, for every item kind the API writes (main activities, sub-activities,
interventions); the kinds it only reads answer 405 to everyone."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest

from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.models import (
    Activity,
    FundingLine,
    Goal,
    Intervention,
    Spearhead,
)
from kansrijk.agenda.services import Party
from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def parties(lead_organisation):
    """The owner of the agenda, and around one item: its voortrekker, a partner, a
    financier, and an organisation with no part in it."""
    return {
        "owner": lead_organisation,
        "voortrekker": factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond"),
        "partner": factories.OrganisationFactory(
            name="Kinderopvang Velsen", kind=OrganisationKind.CHILDCARE
        ),
        "financier": factories.OrganisationFactory(
            name="Stichting Jeugdfonds", kind=OrganisationKind.OTHER
        ),
        "outsider": factories.OrganisationFactory(
            name="Bibliotheek Elders", kind=OrganisationKind.LIBRARY
        ),
    }


@pytest.fixture
def concept_agenda(parties, make_member):
    """A concept (not published) agenda in the shape of seed 002: a goal with a main
    activity and a sub-activity, and an intervention card of seed 004 with a funding line,
    each with the same voortrekker, partner and financier."""
    owner = parties["owner"]
    agenda = agenda_services.create_agenda(
        actor=None,
        owners=[owner],
        slug="concept-midden-kennemerland",
        title="Concept uitvoeringsagenda Midden-Kennemerland",
        kind="execution_agenda",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2024, 12, 31),
    )
    spearhead = agenda_services.save_item(
        Spearhead(agenda=agenda, external_id="sp2"), actor=None, number="2", title="Gelijke kansen"
    )
    goal = agenda_services.save_item(
        Goal(agenda=agenda, external_id="sp2-d3"),
        actor=None,
        spearhead=spearhead,
        number="3",
        text="We beperken het aantal thuiszitters en de periode.",
    )
    main = agenda_services.save_item(
        Activity(agenda=agenda, external_id="main"),
        actor=None,
        goal=goal,
        kind="main",
        title="Scholen geven ieder kwartaal hun opgave thuiszitters.",
    )
    sub = agenda_services.save_item(
        Activity(agenda=agenda, external_id="sub"),
        actor=None,
        goal=goal,
        parent=main,
        kind="sub",
        title="Kwartaal overleg tussen gemeente/ RMC-regio en SWV.",
    )
    card = agenda_services.save_item(
        Intervention(agenda=agenda, external_id="oza"),
        actor=None,
        name="Onderwijszorgarrangementen",
    )
    coordinator = make_member(
        parties["voortrekker"], Role.PARTNER, first_name="Caren", last_name="Julien"
    )
    for item in (main, sub, card):
        agenda_services.set_roles(
            item,
            voortrekker=Party(organisation=parties["voortrekker"], person=coordinator),
            partners=[parties["partner"], "samenwerkingsverbanden"],
            financiers=[parties["financier"]],
            actor=None,
        )
    agenda_services.save_item(
        FundingLine(intervention=card, external_id="oza-gemeente-2022"),
        actor=None,
        year=2022,
        source="municipal_education",
        payer=owner,
        planned_amount=Decimal(150_000),
        is_estimate=True,
    )
    agenda_services.save_item(
        FundingLine(intervention=card, external_id="oza-partners-2022"),
        actor=None,
        year=2022,
        source="partner_contribution",
        planned_amount=Decimal(200_000),
        is_estimate=True,
        notes="De kaart zegt niet welke partner welk deel betaalt.",
    )
    return agenda


ITEM_KINDS = {
    "main activity": ("activities", Activity, "main"),
    "sub-activity": ("activities", Activity, "sub"),
    "intervention": ("interventions", Intervention, "oza"),
}


def item_of(agenda, kind):
    _endpoint, model, external_id = ITEM_KINDS[kind]
    return model.objects.get(agenda=agenda, external_id=external_id)


def patch(client, agenda, kind, data):
    # JSON by hand: the same call for an API key's client and a session's test client.
    endpoint = ITEM_KINDS[kind][0]
    return client.patch(
        f"{API}/{endpoint}/{item_of(agenda, kind).pk}",
        json.dumps(data),
        content_type="application/json",
    )


@pytest.mark.parametrize("kind", list(ITEM_KINDS))
def test_only_the_voortrekker_changes_an_item(
    kind, api_client, make_token, parties, concept_agenda
):
    def client_of(role):
        _token, key = make_token(parties[role])
        return api_client(key)

    # A partner and a financier see the item (their organisation takes part) but do not
    # lead it: 403. An organisation without a part does not see the concept agenda: 404.
    for role, expected in (("partner", 403), ("financier", 403), ("outsider", 404)):
        response = patch(client_of(role), concept_agenda, kind, {"status": "running"})
        assert response.status_code == expected, (role, response.content)
    item = item_of(concept_agenda, kind)
    assert (item.status, item.progress) == ("planned", None)
    assert not AuditEvent.objects.filter(
        action__endswith=".update", target_id=str(item.pk)
    ).exists()

    response = patch(
        client_of("voortrekker"), concept_agenda, kind, {"status": "running", "progress": 25}
    )
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.status, item.progress) == ("running", 25)


@pytest.mark.parametrize("kind", list(ITEM_KINDS))
def test_the_person_who_leads_and_a_lezer_of_the_lead(
    kind, client, make_member, parties, concept_agenda
):
    lead_person = item_of(concept_agenda, kind).involvements.get(role="lead").person
    client.force_login(lead_person)
    assert patch(client, concept_agenda, kind, {"progress": 10}).status_code == 200
    client.force_login(make_member(parties["voortrekker"], Role.READER))
    assert patch(client, concept_agenda, kind, {"progress": 20}).status_code == 403
    client.force_login(make_member(parties["partner"], Role.PARTNER))
    assert patch(client, concept_agenda, kind, {"progress": 30}).status_code == 403
    assert item_of(concept_agenda, kind).progress == 10


@pytest.mark.parametrize(
    "endpoint", ["spearheads", "goals", "funding-lines"], ids=["spearhead", "goal", "funding"]
)
def test_read_only_item_kinds_refuse_every_change(
    endpoint, api_client, make_token, parties, concept_agenda
):
    _token, key = make_token(parties["voortrekker"])
    client = api_client(key)
    listed = client.get(f"{API}/{endpoint}", {"agenda": concept_agenda.slug}).json()["results"]
    assert listed, endpoint
    response = client.patch(f"{API}/{endpoint}/{listed[0]['id']}", {"notes": "x"}, format="json")
    assert response.status_code == 405


def test_roles_and_payers_are_read_with_the_items(api_client, make_token, parties, concept_agenda):
    _token, key = make_token(parties["partner"])
    client = api_client(key)
    card = client.get(f"{API}/interventions", {"agenda": concept_agenda.slug}).json()["results"][0]
    roles = {
        (i["role"], i["organisation"]["name"] if i["organisation"] else i["party_name"]): i
        for i in card["involvements"]
    }
    assert set(roles) == {
        ("lead", "Passend Onderwijs IJmond"),
        ("partner", "Kinderopvang Velsen"),
        ("partner", "samenwerkingsverbanden"),
        ("funder", "Stichting Jeugdfonds"),
    }
    lead = roles[("lead", "Passend Onderwijs IJmond")]
    assert lead["person_name"] == "Caren Julien"
    assert lead["organisation"]["code"] == "PO2711"
    assert roles[("partner", "samenwerkingsverbanden")]["organisation"] is None

    lines = client.get(f"{API}/funding-lines", {"agenda": concept_agenda.slug}).json()["results"]
    payers = {line["external_id"]: line["payer"] for line in lines}
    assert payers["oza-gemeente-2022"]["id"] == parties["owner"].pk
    assert payers["oza-partners-2022"] is None

    # The lead filter finds the items of the voortrekker.
    led = client.get(
        f"{API}/activities",
        {"agenda": concept_agenda.slug, "lead_organisation": parties["voortrekker"].pk},
    ).json()
    assert {a["external_id"] for a in led["results"]} == {"main", "sub"}
