"""Every rule of the reader on a sentence of its own, written the way Dutch policy
documents word things (none is copied from a seed): periods, indicators, amounts, the
agenda's kind and period, the document's structure and the organisations in it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kansrijk.agenda_intake.rules import agenda, structure
from kansrijk.agenda_intake.rules.indicators import (
    current_values,
    find_indicators,
    pair_current_values,
)
from kansrijk.agenda_intake.rules.interventions import label_field
from kansrijk.agenda_intake.rules.money import find_amounts
from kansrijk.agenda_intake.rules.organisations import Register, involvements, role_in
from kansrijk.agenda_intake.rules.time import find_periods, months_between, months_of


def year(y: int) -> list[str]:
    return months_between(y, 1, y, 12)


# ---------------------------------------------------------------------------- time


@pytest.mark.parametrize(
    ("sentence", "months", "words"),
    [
        (
            "De pilot start in het 4e kwartaal 2022 in twee wijken.",
            months_between(2022, 10, 2022, 12),
            "4e kwartaal 2022",
        ),
        (
            "In het 2de kwartaal van 2025 is de nota klaar.",
            months_between(2025, 4, 2025, 6),
            "2de kwartaal van 2025",
        ),
        ("De evaluatie volgt begin 2023.", months_between(2023, 1, 2023, 3), "begin 2023"),
        ("Het plan ligt er eind 2024.", ["2024-12"], "eind 2024"),
        (
            "In het voorjaar van 2026 houden we een conferentie.",
            months_between(2026, 3, 2026, 5),
            "voorjaar van 2026",
        ),
        ("De training is in het najaar 2023.", months_between(2023, 9, 2023, 11), "najaar 2023"),
        ("Het spreekuur is er in maart 2024.", ["2024-03"], "maart 2024"),
        (
            "Inschrijven kan van februari t/m april 2025.",
            months_between(2025, 2, 2025, 4),
            "februari t/m april 2025",
        ),
        ("Voorbereiding in de 1e helft 2023.", months_between(2023, 1, 2023, 6), "1e helft 2023"),
        ("We monitoren het hele jaar 2024 door.", year(2024), "het hele jaar 2024"),
        ("De inloop draait in 2021.", year(2021), "in 2021"),
        ("Dit onderzoeken we in 2021 en 2022.", year(2021) + year(2022), "in 2021 en 2022"),
        (
            "Het nieuwe rooster geldt in schooljaar 2024-2025.",
            months_between(2024, 8, 2025, 7),
            "schooljaar 2024-2025",
        ),
    ],
)
def test_periods_as_written(sentence, months, words):
    found, planned = months_of(sentence)
    assert found == months
    assert planned == words


def test_months_without_a_year_take_the_year_of_the_planning_table():
    assert months_of("Startbijeenkomst jan-mrt", year=2023)[0] == months_between(2023, 1, 2023, 3)
    assert months_of("Ouderavond sept/okt", year=2023)[0] == ["2023-09", "2023-10"]
    assert months_of("Werkgroep: april, mei, juni.", year=2023)[0] == months_between(
        2023, 4, 2023, 6
    )
    assert months_of("Werkbezoeken jan- dec", year=2023)[0] == year(2023)
    assert months_of("Overleg in de 3e en 9e maand", year=2023)[0] == ["2023-03", "2023-09"]
    assert months_of("Teamoverleg 2e, 5e, 8e, 11e maand", year=2023)[0] == [
        "2023-02",
        "2023-05",
        "2023-08",
        "2023-11",
    ]
    # Without a year to go by, a bare month names nothing.
    assert months_of("Werkbezoeken jan- dec")[0] == []


def test_vanaf_runs_to_the_end_of_the_agenda():
    assert months_of("Vanaf 2025 is de regeling structureel.", period_end=2026)[0] == (
        year(2025) + year(2026)
    )
    assert months_of("vanaf schooljaar 2024/2025 werkt elke school mee", period_end=2025)[0] == (
        months_between(2024, 8, 2025, 12)
    )
    assert months_of("vanaf juni 2024 gaan we", period_end=2024)[0] == months_between(
        2024, 6, 2024, 12
    )


def test_doorlopend_covers_the_agenda_period():
    assert months_of("Een doorlopend traject.", period_start=2023, period_end=2024)[0] == (
        year(2023) + year(2024)
    )


def test_what_already_happened_names_no_months():
    months, words = months_of("Het netwerk is in 2020 gestart en wordt in 2023 uitgebreid.")
    assert months == year(2023)
    assert "in 2020 gestart" in words


def test_jaarlijks_is_kept_as_words_without_months():
    periods = find_periods("De monitor verschijnt jaarlijks.")
    assert [(period.text, period.months) for period in periods] == [("jaarlijks", [])]


# ---------------------------------------------------------------------- indicators


def only(sentence: str):
    found = find_indicators(sentence)
    assert len(found) == 1, found
    return found[0]


def test_a_baseline_in_a_year():
    found = only("In 2022 sliep 35% van de jongeren minder dan acht uur per nacht.")
    assert (found.baseline_value, found.baseline_year, found.target_value) == (35, 2022, None)
    assert found.name == "jongeren minder dan acht uur per nacht"


def test_every_figure_of_a_baseline_sentence_and_a_follow_up():
    found = find_indicators(
        "In 2021 had 41% van de scholen een leesplan, tegenover 30% van de opvanglocaties. "
        "Van hen deed 12% mee aan de pilot."
    )
    assert [(f.baseline_value, f.baseline_year) for f in found] == [
        (41, 2021),
        (30, 2021),
        (12, 2021),
    ]


def test_a_target_that_the_gemeente_aims_for():
    found = only("De gemeente streeft naar een deelname van 75% in 2026.")
    assert (found.target_value, found.target_year, found.baseline_value) == (75, 2026, None)


def test_from_to_gives_baseline_and_target():
    found = only("Het aantal taalcoaches groeit van 4 naar 9 in 2025.")
    assert (found.baseline_value, found.target_value, found.target_year) == (4, 9, 2025)
    assert found.baseline_year == 2024  # the year before the one the change is due
    assert found.unit == "count"
    both = only("Het bereik stijgt van 55% naar 70% tussen 2023 en 2026.")
    assert (both.baseline_value, both.baseline_year, both.target_value, both.target_year) == (
        55,
        2023,
        70,
        2026,
    )


def test_a_baseline_and_a_target_in_one_passage_are_one_indicator():
    (found,) = find_indicators(
        "In 2022 zwom 61% van de leerlingen van groep 6 een diploma A. "
        "Van de ouders die een brief kregen, meldde 40% hun kind aan. "
        "Van hen kwam 85% ook echt. "
        "We streven naar een zwemvaardigheid van 80% in 2025."
    )[:1]
    assert (found.baseline_value, found.baseline_year, found.target_value, found.target_year) == (
        61,
        2022,
        80,
        2025,
    )
    assert found.rule == "nulmeting en streefwaarde in één passage"
    assert found.name.startswith("leerlingen van groep 6")


def test_a_target_joins_the_baseline_it_shares_words_with():
    found = find_indicators(
        "In 2023 had 45% van de sportclubs een jeugdplan, tegenover 20% van de muziekscholen. "
        "Het doel is dat in 2026 70% van de sportclubs een jeugdplan heeft."
    )
    assert [(f.baseline_value, f.target_value) for f in found] == [(45, 70), (20, None)]


def test_a_target_of_another_unit_or_after_another_target_stays_apart():
    found = find_indicators("In 2021 waren er 14 taalcafés. De gemeente streeft naar 95% in 2024.")
    assert [(f.baseline_value, f.target_value) for f in found] == [(None, 95)]
    apart = find_indicators(
        "In 2020 las 30% van de peuters thuis voor. De gemeente streeft naar 50% in 2023. "
        "Wij streven naar 60% in 2024."
    )
    assert [(f.baseline_value, f.target_value) for f in apart] == [(30, 50), (None, 60)]


def test_a_change_to_a_figure_is_a_target_dated_by_its_passage():
    found = find_indicators(
        "Het aantal uren taalles gaat omhoog. Vanaf 1 januari 2025 start de nieuwe aanpak. "
        "Voor nieuwkomers wordt de taalles uitgebreid naar gemiddeld 10 uur per week."
    )
    assert [(f.unit, f.target_value, f.target_year) for f in found] == [("hours", 10, 2025)]
    assert only("Het verzuim daalt naar 3% in 2026.").target_value == 3
    rises = only("Het aantal brede scholen stijgt tot 12 in 2027.")
    assert (rises.unit, rises.target_value, rises.target_year) == ("count", 12, 2027)
    assert find_indicators("De aanpak loopt door tot 2026.") == []


def test_bounds_on_counts_are_targets_but_how_often_is_not():
    found = only("In 2026 hebben ten minste 40 scholen een leesplan.")
    assert (found.unit, found.target_value, found.target_year) == ("count", 40, 2026)
    most = only("Maximaal 5 jongeren zitten langer dan drie maanden thuis.")
    assert (most.unit, most.target_value) == ("count", 5)
    assert find_indicators("Het netwerk komt minimaal 2 keer per jaar bij elkaar.") == []


def test_a_current_figure_is_the_baseline_of_the_target_it_shares_words_with():
    targets = find_indicators(
        "In 2025 wordt de zwemles voor groep 3 uitgebreid naar 2 uur per week. "
        "De begeleiding van nieuwkomers wordt uitgebreid naar 6 uur per week."
    )
    values = current_values(
        "Nu krijgen nieuwkomers per week 4 uur begeleiding. "
        "Groep 3 heeft nu 1 uur per week zwemles."
    )
    pairs = {(t.target_value, v.baseline_value) for t, v in pair_current_values(targets, values)}
    assert pairs == {(2, 1), (6, 4)}
    assert current_values("In 2019 was 6 uur per week beschikbaar.") == []  # a dated fact


def test_minimaal_is_a_target():
    found = only("Minimaal 60% van de ouders bezoekt een ouderavond.")
    assert (found.target_value, found.baseline_value) == (60, None)


def test_every_child_by_a_year_is_a_target_of_all():
    found = only("Streven is dat elk kind in 2027 kan zwemmen.")
    assert (found.target_value, found.target_year) == (100, 2027)


def test_a_sentence_without_figures_is_no_indicator():
    assert find_indicators("We werken samen met de bibliotheek.") == []


# --------------------------------------------------------------------------- money


def test_amounts_with_thousands_millions_and_circa():
    found = find_amounts(
        "Voor de pilot is € 45.000 beschikbaar en voor de bouw circa € 2,5 miljoen."
    )
    assert [(a.amount, a.is_estimate) for a in found] == [
        (Decimal("45000"), False),
        (Decimal("2500000"), True),
    ]


def test_a_total_split_into_shares_counts_the_shares_and_the_remainder():
    found = find_amounts(
        "De begroting van de zomerschool is in totaal € 90.000 in 2026. De gemeente betaalt "
        "€ 30.000 uit het onderwijsbudget, het samenwerkingsverband € 25.000. Het restant "
        "komt uit de cofinanciering van de schoolbesturen."
    )
    assert [(a.amount, a.source, a.rule) for a in found] == [
        (Decimal("30000"), "municipal_education", "bedrag in euro"),
        (Decimal("25000"), "swv", "bedrag in euro"),
        (Decimal("35000"), "partner_contribution", "restant van een totaal"),
    ]
    # A total on its own is the amount there is.
    (alone,) = find_amounts("De totale kosten zijn € 12.000 per jaar.")
    assert alone.amount == 12000


def test_source_year_and_per_year_of_an_amount():
    (found,) = find_amounts(
        "Uit de NPO-middelen gaat in 2023 € 18.500 per jaar naar de bibliotheek."
    )
    assert (found.source, found.year, found.per_year) == ("npo", 2023, True)
    (oab,) = find_amounts("Jaarlijks € 60.000 uit de onderwijsachterstandenmiddelen.")
    assert oab.source == "oab"
    (partner,) = find_amounts("De scholen betalen € 3.000 als cofinanciering.")
    assert partner.source == "partner_contribution"
    (gka,) = find_amounts(
        "Projectleiding: € 12.000", context="Gefinancierd uit de GKA-bijdrage 2024"
    )
    assert (gka.source, gka.year) == ("gka", 2024)


# ------------------------------------------------------------------------- agenda


def test_kind_and_period_of_an_agenda_from_its_title_page():
    assert agenda.agenda_kind("Lokale Educatieve Agenda Rivierenland") == "lea"
    assert agenda.agenda_kind("Uitvoeringsplan onderwijs en jeugd") == "execution_agenda"
    assert agenda.agenda_kind("Beleidskader onderwijsachterstanden") == "educational_opportunities"
    assert agenda.agenda_kind("GKA-agenda gemeente Zuidstad") == "gka_agenda"
    assert agenda.agenda_period("Looptijd 2023 t/m 2026") == (2023, 2026)
    assert agenda.agenda_period("Periode 2021 – 2024") == (2021, 2024)
    assert agenda.agenda_period("opgesteld in 2020, evaluatie 2040") is None
    # The years of the preparation come first in the text; the period is the agenda's.
    assert agenda.agenda_period(
        "Na de voorbereiding in 2020-2021 volgt de uitvoering. De looptijd is 2022-2025."
    ) == (2022, 2025)
    assert agenda.agenda_period("Voorbereid in 2019-2020.", title="Jeugdagenda 2021-2024") == (
        2021,
        2024,
    )


def test_the_title_is_the_line_that_names_the_document_and_a_slogan_its_subtitle():
    assert agenda.title_and_subtitle(
        ["Samen sterk", "Lokale Educatieve Agenda Rivierenland", "Inleiding"]
    ) == ("Lokale Educatieve Agenda Rivierenland", "Samen sterk")
    assert agenda.title_and_subtitle(
        ["“Ieder kind telt”", "Wethouder", "Afdeling Beleid, Zorg en Welzijn", "Jeugdnota Zuidstad"]
    ) == ("Jeugdnota Zuidstad", "Ieder kind telt")
    # "beleid" and "plan" name the document only where no line says agenda or nota.
    assert agenda.title_and_subtitle(["Onderwijsbeleid Noorddorp 2024-2027", "Leeswijzer"]) == (
        "Onderwijsbeleid Noorddorp 2024-2027",
        None,
    )
    assert agenda.title_and_subtitle(["Een verhaal.", "Achtergrond en cijfers"]) == (
        "Achtergrond en cijfers",
        None,
    )


def test_the_period_named_as_the_time_of_execution():
    assert agenda.agenda_period(
        "Na de schrijfperiode in 2023-2024 is de uitvoeringsperiode in 2025 en 2026."
    ) == (2025, 2026)
    assert agenda.agenda_period("De looptijd van deze agenda is 2024 tot en met 2027.") == (
        2024,
        2027,
    )


# ---------------------------------------------------------------------- structure


def test_numbered_goals_spearheads_and_themes():
    assert structure.GOAL.match("Doel 4: Minder voortijdig schoolverlaters.").groups() == (
        "4",
        "Minder voortijdig schoolverlaters.",
    )
    assert structure.GOAL.match("Subdoel 2.3 Ouders kennen het aanbod").group(1) == "2.3"
    assert structure.SPEARHEAD.match("Ambitie 3 – Een sterke sociale basis").group(2) == "3"
    assert structure.SPEARHEAD.match("Speerpunt 1: Vroeg signaleren").group(3) == "Vroeg signaleren"
    assert structure.THEME.match("Thema 2. Gezond opgroeien").group(3) == "Gezond opgroeien"
    assert structure.ACTIONS_MARKER.match("Wat gaan we doen?")
    assert structure.ACTIONS_MARKER.match("Activiteiten:")
    assert structure.ACTION_SENTENCE.match("We organiseren twee keer per jaar een netwerkdag.")
    assert not structure.ACTION_SENTENCE.match("Het aantal thuiszitters daalde.")
    assert structure.INTENDED_RESULT.match(
        "Beoogd resultaat: Elke school heeft een aandachtsfunctionaris."
    )


def test_sentences_of_intention_and_of_action():
    assert structure.INTENTION.match("We willen dat elk kind een zwemdiploma haalt.")
    assert structure.INTENTION.match("Daarmee willen we eenzaamheid onder jongeren verminderen.")
    assert structure.INTENTION.match("Als gemeente willen we de regie houden.")
    assert not structure.INTENTION.match("De school wil graag meedoen.")
    assert structure.ACTION_SENTENCE.match("In 2026 organiseren we een jeugdraad.")
    assert structure.ACTION_SENTENCE.match("Wij stimuleren scholen om te gaan koken.")


def test_a_commitment_in_prose_is_we_with_the_verb_before_or_after():
    commits = (
        "Met de sportverenigingen maken we afspraken over een gratis proefles.",
        "Daarnaast kunnen we uit het jeugdbudget een zomerschool betalen.",
        "Samen met de buurgemeenten zoeken en vinden wij een locatie voor de time-out.",
        "Ieder voorjaar houden wij een enquête onder ouders.",
    )
    for sentence in commits:
        assert structure.COMMITMENT.match(sentence), sentence
    for sentence in (
        "Dit doen we door de wijkteams te versterken.",
        "Als gemeente zijn we verantwoordelijk voor het leerlingenvervoer.",
        "Waar nodig betrekken we de wijkagent.",
        "Met het onderwijs zijn er afspraken over verzuim.",
        "Samen met de scholen willen we het verzuim halveren.",
    ):
        assert not structure.COMMITMENT.match(sentence), sentence


def test_the_plan_line_finds_its_activity_by_shared_words():
    candidates = [
        ("Inrichten van een meldpunt voor pesten", "meldpunt"),
        ("Evalueren van de lopende leesprojecten", "evaluatie"),
    ]
    assert structure.closest("Leesprojecten evaluatie", candidates) == "evaluatie"
    assert structure.closest("Meldpunt", candidates) == "meldpunt"
    assert structure.closest("Zomerfeest", candidates) is None


def test_table_columns_from_a_header_row():
    columns = structure.table_columns(
        ["Doel", "Indicator", "Hoofdactiviteit", "Subactiviteiten", "Wanneer"]
    )
    assert columns == {"goal": 0, "indicator": 1, "main": 2, "sub": 3, "planning": 4}
    assert structure.table_columns(["Thema", "Doel", "Planning 2025"]) == {
        "spearhead": 0,
        "goal": 1,
        "planning": 2,
    }
    # A row of content is no header.
    assert structure.table_columns(["Leesbevordering", "We starten een voorleesclub."]) == {}
    assert structure.table_columns(["Activiteit", "Trekker", "Uitvoering", "Wie"]) == {
        "main": 0,
        "lead": 1,
        "executor": 2,
        "partners": 3,
    }


def test_cells_and_numbered_runs_are_split():
    assert structure.split_cell("Taalcafé; Voorleesontbijt; Boekenmarkt.") == [
        "Taalcafé",
        "Voorleesontbijt",
        "Boekenmarkt.",
    ]
    assert structure.split_cell("Voorlezen op school;\nBoekstart voor baby's") == [
        "Voorlezen op school",
        "Boekstart voor baby's",
    ]
    assert structure.numbered_parts("3. Een buurtgericht aanbod. 4. Meer stageplekken.") == [
        ("3", "Een buurtgericht aanbod."),
        ("4", "Meer stageplekken."),
    ]
    assert structure.plan_lines("Startbijeenkomst: feb. Tussenmeting: sept.") == [
        "Startbijeenkomst: feb.",
        "Tussenmeting: sept.",
    ]
    assert structure.same_text("Ouderavonden", "Twee ouderavonden per school")
    assert not structure.same_text("Ouderavonden", "Zwemles voor nieuwkomers")


def test_card_labels():
    assert label_field("Betrokken partijen") == "parties_text"
    assert label_field("Looptijd") == "planning_text"
    assert label_field("Doelgroep:") == "target_group"
    assert label_field("Financiering") == "financing_text"
    assert label_field("Monitoring en evaluatie") == "monitoring_text"
    assert label_field("Een heel lange zin die geen label is maar gewoon tekst uit een cel") is None


# -------------------------------------------------------------------- organisations


def test_roles_from_the_wording():
    assert role_in("De bibliotheek is trekker van dit project.") == "lead"
    assert role_in("De GGD heeft de regie.") == "lead"
    assert role_in("In samenwerking met de huisartsen.") == "partner"
    assert role_in("Het fonds financiert de eerste twee jaar.") == "funder"
    assert role_in("Het jongerenwerk voert de training uit.") == "executor"
    assert role_in("Het is een mooi plan.") is None


@pytest.fixture
def register(db):
    from kansrijk.testing.factories import (
        MunicipalityOrganisationFactory,
        OrganisationFactory,
        PartnershipFactory,
        SchoolFactory,
    )

    gemeente = MunicipalityOrganisationFactory(
        municipality__code="GM9901", municipality__name="Zuidstad", name="Gemeente Zuidstad"
    )
    OrganisationFactory(name="Stichting Speelkracht")
    PartnershipFactory(name="Samenwerkingsverband Zuid PO", code="PO9901")
    SchoolFactory(name="De Regenboog", code="99ZZ00", municipality=gemeente.municipality)
    SchoolFactory(name="De Regenboog", code="99YY00")
    SchoolFactory(name="Het Kompas", code="99XX00", municipality=gemeente.municipality)
    SchoolFactory(name="De Vlinder", code="99WW00")
    loaded = Register.load()
    loaded.area = {"GM9901"}
    return loaded


def test_names_and_codes_are_found_in_one_pass(register, django_assert_num_queries):
    with django_assert_num_queries(1):
        Register.load()
    found = register.find(
        "De gemeente Zuidstad, Stichting Speelkracht en het SWV PO 99-01 werken samen met "
        "Het Kompas en met 99WW00."
    )
    assert [reference for reference, _words in found] == [
        "99WW00",
        "PO9901",
        "GM9901",
        "Stichting Speelkracht",
        "99XX00",
    ]


def test_a_school_name_is_the_school_in_the_agendas_gemeenten(register):
    # "De Vlinder" is a school elsewhere; "De Regenboog" is the name of two schools, one
    # of them in Zuidstad.
    assert register.find("De Vlinder en De Regenboog doen mee.") == [("99ZZ00", "de regenboog")]
    register.area = set()
    assert register.find("De Vlinder en De Regenboog doen mee.") == []


def test_a_school_by_its_own_name_and_a_foundation_without_stichting(register):
    from kansrijk.testing.factories import SchoolFactory

    SchoolFactory(
        name="Prot Chr School voor Speciaal Basisonderwijs Het Baken",
        code="99VV00",
        municipality=SchoolFactory._meta.model.objects.get(code="99ZZ00").municipality,
    )
    loaded = Register.load()
    loaded.area = {"GM9901"}
    assert loaded.find("SBO Het Baken en Speelkracht zijn trekker.") == [
        ("99VV00", "het baken"),
        ("Stichting Speelkracht", "speelkracht"),
    ]


def test_a_local_organisation_by_what_it_is(register):
    from kansrijk.testing.factories import OrganisationFactory

    OrganisationFactory(name="Jongerenwerk Zuidstad")
    loaded = Register.load()
    assert loaded.find("Het jongerenwerk organiseert de avond.") == []
    loaded.area = {"GM9901"}
    assert loaded.find("Het jongerenwerk organiseert de avond.") == [
        ("Jongerenwerk Zuidstad", "jongerenwerk")
    ]


def test_a_name_in_lower_case_is_a_word(register):
    register.add("Best", "GM9902")
    assert register.find("Het werkt het best als ouders meedoen.") == []
    assert register.find("In Best werken we samen.") == [("GM9902", "best")]


def test_involvements_with_their_roles_and_parties(register):
    found = involvements(
        "Stichting Speelkracht is trekker. In samenwerking met scholen en kinderopvang.",
        register,
    )
    assert found == [
        {"organisation": "Stichting Speelkracht", "role": "lead"},
        {"party": "scholen en kinderopvang", "role": "partner"},
    ]
    # Without a role word, a name is no involvement unless the caller says what the
    # text is (a card's list of parties).
    assert involvements("Stichting Speelkracht.", register) == []
    assert involvements(
        "Gemeente, Stichting Speelkracht", register, default_role="partner", own_gemeente="GM9901"
    ) == [
        {"organisation": "GM9901", "role": "partner"},
        {"organisation": "Stichting Speelkracht", "role": "partner"},
    ]
