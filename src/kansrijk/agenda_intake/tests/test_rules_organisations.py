"""Organisations named by an abbreviation or a short name: a definition in the text, an
abbreviation the register writes in a name, initials within the agenda's gemeenten,
"het SWV" of the agenda, and the organisation a sentence names as doing something."""

from __future__ import annotations

import pytest

from kansrijk.agenda_intake.proposing import propose
from kansrijk.agenda_intake.reading import read_document
from kansrijk.agenda_intake.rules.organisations import Register, involvements, role_in

CJG_ZUIDSTAD = "Centrum voor Jeugd en Gezin (CJG) Zuidstad"
CJG_OOSTRAND = "Centrum voor Jeugd en Gezin (CJG) Oostrand"
RBL = "RBL (Regionaal Bureau Leerplicht Zuidstad)"
WELZIJN = "Stichting Welzijn Ouderen Zuidstad"


@pytest.fixture
def organisations(db):
    from kansrijk.testing.factories import (
        MunicipalityFactory,
        MunicipalityOrganisationFactory,
        OrganisationFactory,
        PartnershipFactory,
    )

    zuidstad = MunicipalityFactory(code="GM9901", name="Zuidstad")
    oostrand = MunicipalityFactory(code="GM9903", name="Oostrand")
    MunicipalityOrganisationFactory(municipality=zuidstad, name="Gemeente Zuidstad")
    MunicipalityOrganisationFactory(municipality=oostrand, name="Gemeente Oostrand")
    for name, area in (
        (CJG_ZUIDSTAD, zuidstad),
        (CJG_OOSTRAND, oostrand),
        (RBL, zuidstad),
        (WELZIJN, zuidstad),
        ("Sociaal Team Zuidstad", zuidstad),
        ("Jeugdgezondheidszorg Zuidstad", zuidstad),
        ("Wijkteam Rivierkwartier", zuidstad),
    ):
        OrganisationFactory(name=name).served_regions.add(area)
    PartnershipFactory(name="Samenwerkingsverband VO Zuidstad", code="VO9901")
    PartnershipFactory(name="Samenwerkingsverband PO Zuidstad", code="PO9901")


def register_of(*area: str) -> Register:
    register = Register.load()
    register.area = set(area)
    return register


def test_an_abbreviation_the_register_writes_in_a_name(organisations):
    sentence = "Het CJG houdt elke week spreekuur op school."
    assert register_of("GM9901").find(sentence) == [(CJG_ZUIDSTAD, "cjg")]
    assert register_of("GM9903").find(sentence) == [(CJG_OOSTRAND, "cjg")]
    # Two organisations write "CJG": without the agenda's gemeenten neither is meant.
    assert register_of().find(sentence) == []
    # "RBL (Regionaal Bureau Leerplicht Zuidstad)": the name is the abbreviation, the
    # parenthesis its full form.
    register = register_of("GM9901")
    assert register.find("Het RBL belt de ouders binnen een week.") == [(RBL, "rbl")]
    assert register.find("Het Regionaal Bureau Leerplicht Zuidstad belt de ouders.") == [
        (RBL, "regionaal bureau leerplicht zuidstad")
    ]


def test_an_abbreviation_is_a_whole_word_in_capitals(organisations):
    register = register_of("GM9901")
    assert register.find("De rbl-cijfers en de Rbl staan in de bijlage.") == []
    assert register.find("Alle RBLs van het land.") == []


def test_initials_of_one_organisation_of_the_agendas_gemeenten(organisations):
    sentence = "Vrijwilligers van SWO bezoeken ouderen thuis."
    # "Stichting Welzijn Ouderen Zuidstad": SWO, without the gemeente's name.
    assert register_of("GM9901").find(sentence) == [(WELZIJN, "swo")]
    # Elsewhere SWO can be anyone.
    assert register_of("GM9903").find(sentence) == []
    # Two letters ("Sociaal Team Zuidstad") are never taken for a name.
    assert register_of("GM9901").find("Het ST komt langs.") == []


def test_initials_that_two_organisations_share_mean_neither(organisations):
    from kansrijk.organisations.models import Region
    from kansrijk.testing.factories import OrganisationFactory

    OrganisationFactory(name="Stichting Wijkwerk Oost").served_regions.add(
        Region.objects.get(code="GM9901")
    )
    assert register_of("GM9901").find("Vrijwilligers van SWO bezoeken ouderen thuis.") == []


def test_a_definition_stands_for_its_organisation_for_the_rest_of_the_document(
    organisations,
):
    register = register_of("GM9901")
    later = "De JGZ weegt en meet alle kleuters."
    assert register.find(later) == []
    register.learn_definitions(
        "Samen met de Jeugdgezondheidszorg Zuidstad (JGZ) bereiken we alle ouders."
    )
    assert register.find(later) == [("Jeugdgezondheidszorg Zuidstad", "jgz")]
    # An abbreviation of more words.
    register.learn_definitions("We werken met het Wijkteam Rivierkwartier (WT RK).")
    assert register.find("Het WT RK opent een inloop.") == [("Wijkteam Rivierkwartier", "wt rk")]
    # A full name that is no organisation of the register defines nothing.
    register.learn_definitions("Ze volgen Voor- en Vroegschoolse Educatie (VVE) op school.")
    assert register.find("De VVE-locaties zijn open.") == []


def test_an_organisation_named_as_doing_something_takes_part(organisations):
    register = register_of("GM9901")
    assert involvements("De buurtcoach en het CJG bespreken de signalen met school.", register) == [
        {"organisation": CJG_ZUIDSTAD, "role": "partner"}
    ]
    # The role the verb gives, where the role rules know it.
    assert involvements("Het CJG voert de hoorscreening uit.", register) == [
        {"organisation": CJG_ZUIDSTAD, "role": "executor"}
    ]
    # Named, but not as the one who does it: no involvement.
    assert involvements("Via het CJG komen de signalen binnen.", register) == []
    assert involvements("De cijfers komen uit de monitor van het CJG.", register) == []
    assert involvements("Het CJG.", register) == []


def test_who_meets_or_is_connected_takes_part():
    assert role_in("Kwartaaloverleg met de scholen over verzuim.") == "partner"
    assert role_in("Betere aansluiting tussen het jeugdteam en de scholen.") == "partner"
    assert role_in("Tussen 2024 en 2026 groeit het aantal plaatsen.") is None


def test_a_name_of_more_words_needs_one_capital(organisations):
    register = register_of("GM9901")
    assert register.find("Aansluiting tussen wijkteam Rivierkwartier en school.") == [
        ("Wijkteam Rivierkwartier", "wijkteam rivierkwartier")
    ]
    assert register.find("Het wijkteam rivierkwartier is een idee.") == []


def test_a_samenwerkingsverband_by_its_sector_written_out(organisations):
    register = register_of("GM9901")
    for written in (
        "Samenwerkingsverband Voortgezet Onderwijs Zuidstad",
        "SWV VO Zuidstad",
        "Voortgezet Onderwijs Zuidstad",
    ):
        assert [ref for ref, _words in register.find(f"Met {written} en de scholen.")] == [
            "VO9901"
        ], written


def test_het_swv_is_the_agendas_own_of_the_sector_it_names(organisations):
    register = register_of("GM9901")
    assert register.find("Het SWV en de scholen stemmen af.") == []
    register.own_partnerships = {"PO": "PO9901", "VO": "VO9901"}
    assert register.find("Overleg tussen school en SWV over het VO.") == [("VO9901", "swv")]
    assert register.find("Het samenwerkingsverband van de basisscholen.") == [
        ("PO9901", "samenwerkingsverband")
    ]
    # No sector, and the agenda has one of each: neither is meant.
    assert register.find("Het SWV en de scholen stemmen af.") == []
    register.own_partnerships = {"PO": "PO9901"}
    assert register.find("Het SWV en de scholen stemmen af.") == [("PO9901", "swv")]
    assert register.find("De samenwerkingsverbanden stemmen af.") == []


def test_a_document_defines_an_abbreviation_and_uses_it_later(organisations):
    text = (
        "Lokale Educatieve Agenda Zuidstad 2025-2026\n\n"
        "Deze agenda is gemaakt met de Jeugdgezondheidszorg Zuidstad (JGZ) en de scholen.\n\n"
        "Doel 1: Meer kleuters horen en zien goed.\n\n"
        "Acties:\n\n- Screening in groep 2: de JGZ organiseert de screening op school.\n"
    )
    proposal = propose(read_document(text.encode(), "a.txt"), owner="GM9901")
    (activity,) = proposal.items_of("activity")
    assert activity.fields["involvements"] == [
        {"organisation": "Jeugdgezondheidszorg Zuidstad", "role": "executor"}
    ]


def test_a_table_rows_activity_has_the_parties_of_its_own_cell(organisations):
    text = (
        "Doel 1: Kinderen gaan naar school.\n\n"
        "Wat willen we bereiken? Doel\tHoe meten we dat? Indicator\t"
        "Wat doen we daarvoor? Hoofdactiviteit\tSubactiviteit\n"
        "Kinderen gaan naar school.\tCijfers uit de monitor van het CJG.\t"
        "Verzuim aanpakken\tHuisbezoeken bij verzuim; "
        "Leerplicht en CJG bespreken de signalen met school\n"
    )
    proposal = propose(read_document(text.encode(), "a.txt"), owner="GM9901")
    parties = {
        item.fields["title"]: item.fields.get("involvements", [])
        for item in proposal.items_of("activity")
    }
    assert parties == {
        "Verzuim aanpakken": [],
        "Huisbezoeken bij verzuim": [],
        "Leerplicht en CJG bespreken de signalen met school": [
            {"organisation": CJG_ZUIDSTAD, "role": "partner"}
        ],
    }
