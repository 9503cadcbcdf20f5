"""The rules together: an invented agenda, read as text, as a DOCX and as a PDF, gives
the same proposal, with every item's passage and rule, and what no rule placed kept."""

from __future__ import annotations

import json

import pytest

from kansrijk.agenda_intake import samples
from kansrijk.agenda_intake.proposal import Proposal
from kansrijk.agenda_intake.proposing import propose
from kansrijk.agenda_intake.reading import read_document

pytestmark = pytest.mark.django_db

AGENDA = """Lokale Educatieve Agenda Zuidstad

Looptijd 2023 t/m 2026

Het weer was mooi toen deze agenda werd geschreven.

Speerpunt 1: Taal en lezen

Doel 1: Meer kinderen lezen voor hun plezier.

In 2022 las 48% van de kinderen wekelijks een boek. De gemeente streeft naar 60% in 2026.

Acties:

- Voorleesclub in elke wijk.

De voorleesclub start in het 4e kwartaal 2023 in samenwerking met Stichting Speelkracht.

- Leesconsulent op school.

Doel 2: Ouders kennen het aanbod.

Wat willen we bereiken? Doel\tHoe meten we dat? Indicator\tWat doen we daarvoor? Hoofdactiviteit\tSubactiviteit
Ouders vinden hun weg naar de bibliotheek.\tMinimaal 70% van de ouders kent de bibliotheek.\tOuderavonden\tOuderavond in elke school
Leerlingen kiezen een passende vervolgschool.\tKwalitatieve evaluatie.\tKeuzegids\tKeuzegids drukken

Speerpunt\tDoel\tPlanning 2024
Algemeen\t5. Evaluatie van de agenda.\t5. Eind 2024.
Taal en lezen\t3. Ouders vinden hun weg naar de bibliotheek.\t3. Ouderavond in elke school: sept/okt. Inloopspreekuur: jan-mrt.

Interventie | Zomerschool

Betrokken partijen\tStichting Speelkracht, scholen
Planning\tIn de zomer van 2024
Doelgroep\tLeerlingen van 10 tot 12 jaar
Financiering\tCirca € 40.000 per jaar uit de NPO-middelen.
"""


@pytest.fixture
def speelkracht(db):
    from kansrijk.testing.factories import OrganisationFactory

    return OrganisationFactory(name="Stichting Speelkracht")


def proposal_of(fmt: str) -> Proposal:
    content = {
        "text": AGENDA.encode(),
        "docx": samples.docx_from_text(AGENDA),
        "pdf": samples.pdf_from_text(AGENDA),
    }[fmt]
    return propose(read_document(content, f"lea.{fmt}"), owner="GM9901")


@pytest.mark.parametrize("fmt", ["text", "docx", "pdf"])
def test_an_invented_agenda_in_every_format(fmt, speelkracht):
    proposal = proposal_of(fmt)
    assert proposal.agenda["title"] == "Lokale Educatieve Agenda Zuidstad"
    assert proposal.agenda["kind"] == "lea"
    assert (proposal.agenda["period_start"], proposal.agenda["period_end"]) == (
        "2023-01-01",
        "2026-12-31",
    )
    assert proposal.agenda["owners"] == ["GM9901"]

    (spearhead,) = proposal.items_of("spearhead")
    assert spearhead.fields == {"number": "1", "title": "Taal en lezen"}
    goals = {goal.fields["number"]: goal for goal in proposal.items_of("goal")}
    assert goals["1"].fields["text"] == "Meer kinderen lezen voor hun plezier."
    assert goals["1"].parent == spearhead.key
    # The table's goals take the numbers the planning table gives them.
    assert goals["3"].fields["text"] == "Ouders vinden hun weg naar de bibliotheek."
    assert goals["3"].fields["indicator_text"] == "Minimaal 70% van de ouders kent de bibliotheek."
    assert goals["5"].fields["text"] == "Evaluatie van de agenda."

    activities = {item.fields["title"]: item for item in proposal.items_of("activity")}
    club = activities["Voorleesclub in elke wijk"]
    assert club.parent == goals["1"].key
    assert club.fields["months"] == ["2023-10", "2023-11", "2023-12"]
    assert club.fields["planned_text"] == "4e kwartaal 2023"
    assert club.fields["involvements"] == [
        {"organisation": "Stichting Speelkracht", "role": "partner"}
    ]
    assert club.rule == "opsomming onder acties"
    assert "Leesconsulent op school" in activities
    # A planning line gives its months to the activity it names; a new one becomes one.
    assert activities["Ouderavond in elke school"].fields["months"] == ["2024-09", "2024-10"]
    assert activities["Ouderavond in elke school"].fields["kind"] == "sub"
    assert activities["Inloopspreekuur"].fields["months"] == ["2024-01", "2024-02", "2024-03"]
    assert activities["Evaluatie van de agenda"].fields["months"] == ["2024-12"]

    values = {
        (
            item.fields["baseline_value"],
            item.fields["baseline_year"],
            item.fields["target_value"],
            item.fields["target_year"],
        )
        for item in proposal.items_of("indicator")
    }
    # The nulmeting and the streefwaarde of one passage: one indicator.
    assert (48, 2022, 60, 2026) in values
    assert (None, None, 70, None) in values

    (card,) = proposal.items_of("intervention")
    assert card.fields["name"] == "Zomerschool"
    assert card.fields["months"] == ["2024-06", "2024-07", "2024-08"]
    assert (card.fields["age_min"], card.fields["age_max"]) == (10, 12)
    assert {"organisation": "Stichting Speelkracht", "role": "partner"} in card.fields[
        "involvements"
    ]
    (funding,) = proposal.items_of("funding")
    assert funding.parent == card.key
    assert (
        funding.fields["planned_amount"],
        funding.fields["source"],
        funding.fields["is_estimate"],
    ) == (
        40000,
        "npo",
        True,
    )

    for item in proposal.items:
        assert item.source.text and item.source.location and item.rule
        assert 0 < item.confidence <= 1
    unplaced = " ".join(passage.text for passage in proposal.unrecognised)
    assert "Het weer was mooi" in unplaced


def test_a_proposal_survives_its_json(speelkracht):
    proposal = proposal_of("text")
    again = Proposal.from_dict(json.loads(json.dumps(proposal.to_dict())))
    assert again == proposal


def test_a_labelled_list_item_is_a_named_part_of_the_activity_above(db):
    text = (
        "Doel 1: Ouders doen mee.\n\nActies:\n\n- Programma ouderbetrokkenheid.\n"
        "- Taalles: ouders volgen een cursus Nederlands op school.\n"
        "- *Koffieochtend:* elke maand op het kindcentrum.\n"
    )
    proposal = propose(read_document(text.encode(), "a.txt"))
    activities = {item.fields["title"]: item for item in proposal.items_of("activity")}
    main = activities["Programma ouderbetrokkenheid"]
    assert main.fields["kind"] == "main"
    for name in ("Taalles", "Koffieochtend"):
        assert (activities[name].fields["kind"], activities[name].parent) == ("sub", main.key)
        assert activities[name].rule == "benoemd onderdeel van een activiteit"


def test_a_party_column_gives_its_names_their_role(speelkracht):
    text = (
        "Doel 1: Meer kinderen sporten.\n\n"
        "Doel\tActiviteit\tTrekker\tBetrokken partijen\n"
        "Meer kinderen sporten\tSportdag in de wijk\tStichting Speelkracht\tscholen, "
        "Gemeente en de buurtsportcoach\n"
    )
    proposal = propose(read_document(text.encode(), "a.txt"), owner="GM9901")
    (activity,) = proposal.items_of("activity")
    assert activity.fields["involvements"] == [
        {"organisation": "Stichting Speelkracht", "role": "lead"},
        {"party": "scholen", "role": "partner"},
        {"organisation": "GM9901", "role": "partner"},  # the agenda's own gemeente
        {"party": "de buurtsportcoach", "role": "partner"},
    ]


def test_a_measure_stated_in_a_list_and_again_in_prose_is_one_indicator(db):
    text = (
        "Doel 1: Nieuwkomers leren sneller Nederlands.\n\n"
        "Acties:\n\n- Uitbreiding van 10 naar 14 uur taalles in 2025.\n\n"
        "De taalles wordt in 2025 uitgebreid naar 14 uur per week. "
        "Nu is er 10 uur per week taalles.\n"
    )
    proposal = propose(read_document(text.encode(), "a.txt"))
    (indicator,) = proposal.items_of("indicator")
    assert {
        name: indicator.fields[name]
        for name in ("unit", "baseline_value", "baseline_year", "target_value", "target_year")
    } == {
        "unit": "hours",
        "baseline_value": 10,
        "baseline_year": 2024,
        "target_value": 14,
        "target_year": 2025,
    }
