"""Agendas from the seeds, built through the agenda's services, and API keys."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.models import (
    Activity,
    FundingLine,
    Goal,
    Intervention,
    Involvement,
    Spearhead,
)
from kansrijk.api import services as api_services


def _item(model, agenda, external_id, **fields):
    return agenda_services.save_item(
        model(agenda=agenda, external_id=external_id), actor=None, **fields
    )


def _involve(item, role, organisation=None, party_name=""):
    field = "activity" if isinstance(item, Activity) else "intervention"
    involvement = Involvement(**{field: item})
    return agenda_services.save_item(
        involvement, actor=None, organisation=organisation, party_name=party_name, role=role
    )


@pytest.fixture
def lead_organisation(municipality_organisation):
    """The voortrekker of the thuiszitters activities (a gemeente of the region)."""
    return municipality_organisation


@pytest.fixture
def other_organisation(other_municipality_organisation):
    return other_municipality_organisation


@pytest.fixture
def midden_kennemerland(lead_organisation):
    """Seed 002, speerpunt 2 'Gelijke kansen': the thuiszitters goal with its activities."""
    agenda = agenda_services.create_agenda(
        actor=None,
        owners=[lead_organisation],
        regions=[lead_organisation.municipality],
        slug="midden-kennemerland-2022-2024",
        title="Uitvoeringsagenda onderwijs-jeugd Midden-Kennemerland 2022-2024",
        kind="execution_agenda",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        vision="Ieder kind heeft recht op optimale kansen om zich te ontwikkelen.",
        status="adopted",
        adopted_on=datetime.date(2021, 10, 1),
        adopted_by="OOGO Midden-Kennemerland",
        is_public=True,
    )
    spearhead = _item(
        Spearhead,
        agenda,
        "sp2",
        number="2",
        title="Gelijke kansen",
        intended_result="Iedere jeugdige gelijke ontwikkelmogelijkheden en ondersteuning.",
        priority=2,
    )
    goal = _item(
        Goal,
        agenda,
        "sp2-d3",
        spearhead=spearhead,
        number="3",
        text="We beperken het aantal thuiszitters en de periode.",
        indicator_text=(
            "Schoolaanwezigheid neemt toe. RMC-regio monitort schoolaanwezigheid, "
            "analyseren, bijstellen. Binnen X maanden is er een passend aanbod voor een "
            "thuiszitter."
        ),
    )
    main = _item(
        Activity,
        agenda,
        "sp2-d3-h1",
        goal=goal,
        kind="main",
        title=(
            "Scholen geven ieder kwartaal hun opgave thuiszitters en hanteren hun protocol "
            "verzuim en gebruiken het stappenplan thuiszitters."
        ),
        planned_text="jan–dec",
        status="running",
    )
    _involve(main, "lead", organisation=lead_organisation)
    _involve(main, "partner", party_name="samenwerkingsverbanden")
    agenda_services.set_planned_months(
        main, [datetime.date(2022, month, 1) for month in (3, 6, 9, 12)], actor=None
    )
    _item(
        Activity,
        agenda,
        "sp2-d3-s1",
        goal=goal,
        parent=main,
        kind="sub",
        title="Kwartaal overleg tussen gemeente/ RMC-regio en SWV.",
        status="done",
    )
    _item(
        Activity,
        agenda,
        "sp2-d3-s2",
        goal=goal,
        parent=main,
        kind="sub",
        title="Bespreken in periodiek overleg en jeugdteam PO.",
        status="running",
        progress=50,
    )
    return agenda


@pytest.fixture
def vijfheerenlanden(other_organisation):
    """Seed 004: the Peuterplus card, € 120.000 per location per year, half OAB, half
    jeugdzorg; Leerdam all of 2022."""
    agenda = agenda_services.create_agenda(
        actor=None,
        owners=[other_organisation],
        regions=[other_organisation.municipality],
        slug="gka-vijfheerenlanden-2022-2024",
        title="GKA Agenda Gemeente Vijfheerenlanden",
        kind="gka_agenda",
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        status="adopted",
        is_public=True,
    )
    peuterplus = _item(
        Intervention,
        agenda,
        "peuterplus",
        name="Peuterplus",
        parties_text="SKCN, Enver, Driegang, Sociaal Team, gemeente",
        planning_text="Leerdam geheel 2022; Vianen vanaf september 2022",
        target_group="Peuters 2 tot 4 jaar met uitdagingen",
        age_min=Decimal(2),
        age_max=Decimal(4),
        location_text="Leerdam en Vianen",
        financing_text=(
            "Totale kosten circa € 120.000 per locatie per jaar; helft uit gemeentelijke OAB "
            "middelen, helft uit jeugdzorg middelen."
        ),
        status="running",
    )
    _involve(peuterplus, "lead", organisation=other_organisation)
    for source in ("oab", "youth_care"):
        agenda_services.save_item(
            FundingLine(intervention=peuterplus, external_id=f"peuterplus-leerdam-2022-{source}"),
            actor=None,
            year=2022,
            source=source,
            unit_amount=Decimal(120_000),
            unit="per locatie per jaar",
            quantity=Decimal(1),
            share=Decimal("0.5"),
            is_estimate=True,
            notes="Leerdam geheel 2022",
        )
    return agenda


@pytest.fixture
def private_agenda(lead_organisation):
    """A concept agenda of the lead organisation: not published."""
    agenda = agenda_services.create_agenda(
        actor=None,
        owners=[lead_organisation],
        regions=[lead_organisation.municipality],
        slug="concept-lea-2025",
        title="Concept LEA 2025",
        kind="lea",
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
    )
    activity = _item(Activity, agenda, "a1", kind="main", title="Werkgroep starten")
    _involve(activity, "lead", organisation=lead_organisation)
    return agenda


@pytest.fixture
def make_token(db):
    def make(organisation, name="planningskoppeling"):
        return api_services.create_api_token(actor=None, organisation=organisation, name=name)

    return make


@pytest.fixture
def api_client():
    """A client without credentials; ``api_client(key)`` one that sends an API key."""

    def make(key=None):
        client = APIClient()
        if key is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
