"""Seed 002 as data: the Uitvoeringsagenda onderwijs-jeugd Midden-Kennemerland (oktober
2021) loaded from ``demo_data/agenda/midden-kennemerland.toml``, checked against the
document's own words, numbers and months."""

import datetime

import pytest
from django.db.models import Count, F

from kansrijk.agenda import services
from kansrijk.agenda.demo import AGENDA_DIR, load_agenda_file
from kansrijk.agenda.models import (
    Activity,
    Agenda,
    AgendaStatus,
    AgendaVersion,
    Commitment,
    EvaluationMoment,
    Goal,
    Involvement,
    PlannedMonth,
    Spearhead,
    Theme,
    ThemeKind,
    WorkStatus,
)
from kansrijk.audit.models import AuditEvent
from kansrijk.testing import factories
from kansrijk.testing.database import rolled_back

pytestmark = pytest.mark.django_db

SEED_FILE = AGENDA_DIR / "midden-kennemerland.toml"
SLUG = "midden-kennemerland-2022-2024"

GEMEENTEN = {
    "GM0375": "Beverwijk",
    "GM0383": "Castricum",
    "GM0396": "Heemskerk",
    "GM0450": "Uitgeest",
    "GM0453": "Velsen",
}
NAMED_ORGANISATIONS = [
    "Het Leerplein (RBL Zuid-Kennemerland en IJmond)",
    "Centrum voor Jeugd en Gezin (CJG) Midden-Kennemerland",
    "GGD (Gemeentelijke Gezondheidsdienst)",
]


def months_2022(*numbers: int) -> list[datetime.date]:
    return [datetime.date(2022, number, 1) for number in numbers]


def midden_kennemerland_organisations():
    """Only the regions and organisations the file refers to."""
    for code, name in GEMEENTEN.items():
        factories.MunicipalityOrganisationFactory(
            municipality=factories.MunicipalityFactory(code=code, name=name),
            name=f"Gemeente {name}",
        )
    factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    factories.PartnershipFactory(code="VO2704", name="Samenwerkingsverband VO Midden-Kennemerland")
    for name in NAMED_ORGANISATIONS:
        factories.OrganisationFactory(name=name)


@pytest.fixture(scope="module")
def loaded_agenda(django_db_setup, django_db_blocker) -> int:
    """The organisations and the agenda, loaded once for the module and rolled back at its
    end: loading the file is the slow part, which every test did again before. Each test
    runs in a savepoint inside (the ``db`` fixture), so what one changes is gone for the
    next."""
    with rolled_back(django_db_blocker):
        midden_kennemerland_organisations()
        yield load_agenda_file(SEED_FILE).pk


@pytest.fixture
def agenda(loaded_agenda, db) -> Agenda:
    return Agenda.objects.get(pk=loaded_agenda)


def goal(agenda: Agenda, number: str) -> Goal:
    return agenda.goals.get(number=number)


def planned_months(activity: Activity) -> list[datetime.date]:
    return list(activity.planned_months.values_list("month", flat=True))


def test_the_agenda_as_the_document_presents_it(agenda):
    assert agenda.slug == SLUG
    assert agenda.title == "Uitvoeringsagenda onderwijs-jeugd Midden-Kennemerland"
    assert agenda.subtitle == "Allen voor één"
    assert (agenda.period_start, agenda.period_end) == (
        datetime.date(2022, 1, 1),
        datetime.date(2024, 12, 31),
    )
    assert agenda.status == AgendaStatus.ADOPTED
    assert agenda.adopted_by == "OOGO Midden-Kennemerland"
    assert agenda.is_public
    assert "februari 2021" in agenda.source and "oktober 2021" in agenda.source
    assert set(agenda.owners.values_list("code", flat=True)) == {*GEMEENTEN, "PO2711", "VO2704"}
    assert set(agenda.regions.values_list("code", flat=True)) == set(GEMEENTEN)
    assert agenda.vision.startswith("Deze Startnotitie Uitvoeringsagenda onderwijs-zorg gaat")
    assert "Het primair onderwijs werkt wijkgericht" in agenda.vision
    assert "Op Overeenstemming Gericht Overleg (OOGO) MK" in agenda.introduction
    # Adopted, so the loader froze the version as adopted.
    assert AgendaVersion.objects.filter(agenda=agenda).count() == 1


def test_three_spearheads_with_their_intended_results_and_priority(agenda):
    spearheads = list(agenda.spearheads.values_list("title", "intended_result", "priority"))
    assert spearheads == [
        (
            "Integrale aanpak",
            "We hebben in onze regio een pedagogisch sterke structuur waarin we een effectief "
            "en preventief aanbod organiseren/ versterken zodat de jeugdigen optimaal "
            "profiteren en gezond en veilig opgroeien.",
            1,
        ),
        (
            "Gelijke kansen",
            "Gelijke kansen en talentontwikkeling voor iedere jeugdige. Alle jeugdigen krijgen "
            "gelijke ontwikkelingsmogelijkheden en kansen. Alle jeugdigen doen mee in een "
            "passend leer-/werkaanbod en behalen hun start- of beroepskwalificatie.",
            2,
        ),
        (
            "De beweging naar inclusie",
            "Jeugdigen worden op school en/of zo thuis nabij mogelijk ondersteund in hun "
            "behoeften. Ouders, jeugdigen en professionals zijn gelijkwaardige "
            "gesprekspartners.",
            2,
        ),
    ]
    gelijke_kansen = agenda.spearheads.get(title="Gelijke kansen")
    assert gelijke_kansen.description.startswith("Kansen(on)gelijkheid van jeugdigen")
    assert "aanpak Jeugdwerkloosheid" in gelijke_kansen.description


def test_fifteen_planning_goals_numbered_one_to_fifteen(agenda):
    numbers = list(agenda.goals.values_list("number", flat=True))
    assert numbers == [str(n) for n in range(1, 16)]
    # Every goal has a planning, on its own activities.
    for number in numbers:
        planned = goal(agenda, number).activities.exclude(planned_text="")
        assert planned.exists(), number
    # "Algemeen" is a row of the planning table, not a fourth spearhead.
    assert list(agenda.goals.filter(spearhead=None).values_list("number", "text")) == [
        ("1", "Besluitvorming in gemeenten en informatiefase partners."),
        ("15", "Tussentijdse evaluatie."),
    ]
    by_spearhead = {
        s.title: list(s.goals.values_list("number", flat=True)) for s in agenda.spearheads.all()
    }
    assert by_spearhead == {
        "Integrale aanpak": ["2", "3", "4"],
        "Gelijke kansen": ["5", "6", "7", "8", "9"],
        "De beweging naar inclusie": ["10", "11", "12", "13", "14"],
    }


def test_table_goals_and_planning_goals_are_the_same_records(agenda):
    # Goal 11 is worded differently in the two tables; the table text is the goal text
    # and its planning line ("Afspraken en evaluatie heldere taken mrt") is on the
    # sub-activity about clear roles and tasks of the same record.
    eleven = goal(agenda, "11")
    assert eleven.text == "Optimaal benutten van jeugd- en kernteams/J&C op de scholen."
    assert set(eleven.activities.values_list("kind", flat=True)) == {"main", "sub"}
    tasks = eleven.activities.get(title__startswith="Rollen en taken van de verschillende")
    assert (tasks.planned_text, planned_months(tasks)) == ("mrt", months_2022(3))
    assert Goal.objects.filter(agenda=agenda).count() == 15


def test_thuiszitters_goal_with_its_indicator(agenda):
    thuiszitters = agenda.goals.get(text="We beperken het aantal thuiszitters en de periode.")
    assert thuiszitters.number == "9"
    assert thuiszitters.spearhead.title == "Gelijke kansen"
    assert "Binnen X maanden is er een passend aanbod voor een thuiszitter" in (
        thuiszitters.indicator_text
    )
    assert thuiszitters.indicator_text.splitlines()[0] == (
        "Schoolaanwezigheid neemt toe. RMC-regio monitort schoolaanwezigheid, analyseren, "
        "bijstellen."
    )
    mains = list(thuiszitters.activities.filter(kind="main").values_list("title", flat=True))
    assert mains == [
        "Scholen geven ieder kwartaal hun opgave thuiszitters en hanteren hun protocol verzuim "
        "en gebruiken het stappenplan thuiszitters.",
        "Het aantal thuiszitters is afgestemd en komt overeen met het aantal van de "
        "woongemeenten van de RMC regio.",
        "Analyse per SWV.",
    ]
    # "Te allen tijde aandachtspunt": said of the whole goal, no month named.
    assert set(
        thuiszitters.activities.filter(kind="main").values_list("planned_text", flat=True)
    ) == {"Te allen tijde"}
    one_approach = goal(agenda, "8")
    assert "vier peildata per jaar door het SWV" in one_approach.indicator_text
    assert one_approach.activities.filter(
        kind="sub", title__contains="overlegtafel (doorbraakberaad) met doorzettingsmacht"
    ).exists()


def sub_titles(main: Activity) -> list[str]:
    return list(main.children.values_list("title", flat=True))


def test_sub_activities_under_the_main_activity_they_serve(agenda):
    # Goal 7: the handreiking's two under "vaststellen", the four overleggen under the
    # monitoring.
    handreiking, monitoring = goal(agenda, "7").activities.filter(kind="main")
    assert sub_titles(handreiking) == [
        "Handreiking schoolaanwezigheid: (verzuim, dreigende thuiszitters en thuiszitters) "
        "verspreiden",
        "Leerplichtambtenaar en GGD bespreken met school de toepassing hiervan in de praktijk",
    ]
    assert sub_titles(monitoring) == [
        "VO uitvoeringsoverleg CJG, SWV, GGD, LPA, aanpalend SWV",
        "Overleg regioanalyse op beleidsniveau GGD, CJG, leerplein, SWV-> regiegroep",
        "Bespreken in het periodiek overleg tussen school en SWV op VO",
        "Bespreken in periodiek overleg en jeugdteam/ jeugdconsulent PO",
    ]
    # Goal 9: the schools' opgave with its three, the matching of counts with the
    # quarterly overleg of gemeente/RMC-regio and SWV, the analysis per SWV without one.
    opgave, matched, analysis = goal(agenda, "9").activities.filter(kind="main")
    assert sub_titles(opgave) == [
        "Handreiking schoolaanwezigheid: (verzuim, dreigende thuiszitters en thuiszitters) "
        "verspreiden",
        "Bespreken in het periodiek overleg tussen school en SWV op VO",
        "Bespreken in periodiek overleg en jeugdteam PO",
    ]
    assert sub_titles(matched) == ["Kwartaal overleg tussen gemeente/ RMC-regio en SWV"]
    assert sub_titles(analysis) == []


def test_sub_activities_of_a_main_activity(agenda):
    main = agenda.activities.get(
        kind="main", title__startswith="Samenwerking op uitvoerend, strategisch en bestuurlijk"
    )
    assert main.goal.number == "4"
    assert list(main.children.values_list("title", flat=True)) == [
        "Thematische netwerkbijeenkomsten",
        "Kennisdeling en deskundigheidsbevordering",
        "Kijkje in elkaars keuken",
        "Rollen, taken, vertegenwoordiging van alle partijen zijn helder op uitvoerend, "
        "strategisch en bestuurlijk niveau",
        "Samenwerkingsafspraken",
        "Gebruik van de Verwijsindex stimuleren",
        "Gebruik van de meldcode stimuleren",
    ]
    assert set(main.children.values_list("kind", flat=True)) == {"sub"}
    assert set(main.children.values_list("goal", flat=True)) == {main.goal_id}
    # Every sub-activity has a parent main activity of the same goal.
    subs = agenda.activities.filter(kind="sub")
    assert not subs.filter(parent=None).exists()
    assert not subs.exclude(parent__kind="main").exists()
    assert not subs.exclude(parent__goal=F("goal")).exists()


def test_counts_per_kind(agenda):
    kinds = dict(agenda.activities.values_list("kind").annotate(n=Count("pk")).order_by())
    # No separate planning rows: goals 1 and 15 (only in the planning table) have one main
    # activity each, goal 2 a sub-activity the planning names and the table does not.
    assert kinds == {"main": 18, "sub": 53}
    assert agenda.activities.exclude(status=WorkStatus.PLANNED).count() == 0


def test_planned_months_of_goals_two_and_four(agenda):
    two = goal(agenda, "2").activities.exclude(planned_text="")
    assert [(a.kind, a.title, a.planned_text, planned_months(a)) for a in two] == [
        ("sub", "Thematische netwerkbijeenkomsten", "juni", months_2022(6)),
        ("sub", "Kennisdeling en deskundigheidsbevordering", "nov", months_2022(11)),
        (
            "sub",
            "Doorontwikkeling in het jeugdteam/jeugdconsulent (samenwerkingsafspraken in "
            "afstemmingsgesprekken)",
            "mrt",
            months_2022(3),
        ),
    ]
    assert {a.parent.kind for a in two} == {"main"}
    four = goal(agenda, "4").activities.get(kind="main")
    assert four.planned_text == "jan- dec"
    assert planned_months(four) == months_2022(*range(1, 13))


def test_planned_text_kept_and_no_months_invented(agenda):
    one = goal(agenda, "1").activities.get(kind="main")
    assert (one.planned_text, planned_months(one)) == ("Eind 2021", [datetime.date(2021, 12, 1)])
    fifteen = goal(agenda, "15").activities.get(kind="main")
    assert (fifteen.title, fifteen.planned_text, planned_months(fifteen)) == (
        "Tussentijdse evaluatie",
        "Begin 2023",
        [datetime.date(2023, 1, 1)],
    )
    three = goal(agenda, "3").activities.get(planned_text__gt="")
    assert three.title == "Aanbod en vraag op elkaar aansluiten (met behoud van couleur locale)"
    assert (three.planned_text, planned_months(three)) == ("april, mei, juni", months_2022(4, 5, 6))
    planned_without_month = agenda.activities.exclude(planned_text="").filter(planned_months=None)
    assert sorted(planned_without_month.values_list("planned_text", flat=True)) == [
        "Binnen 3 maanden",
        *["Te allen tijde"] * 3,
    ]
    # "Thuis voor Noordje" gives no time: its sub-activity has no planning.
    noordje = agenda.activities.get(title="Een Thuis voor Noordje")
    assert (noordje.planned_text, planned_months(noordje)) == ("", [])
    # The planning is one with the activities: no separate planning rows.
    assert not agenda.activities.filter(kind="planning").exists()
    assert PlannedMonth.objects.filter(activity__agenda=agenda).count() == 111


def test_an_earlier_load_with_planning_rows_is_brought_in_line(agenda):
    """A database loaded from the file when it still had planning rows loses them on the
    next load, and nothing else."""
    kept = services.save_item(
        Activity(agenda=agenda, external_id="eigen-activiteit"),
        actor=None,
        goal=goal(agenda, "4"),
        kind="main",
        title="Een activiteit die op de website is toegevoegd",
    )
    for number, planning_id in ((2, "doel-02-planning-1"), (9, "doel-09-planning-2")):
        services.save_item(
            Activity(agenda=agenda, external_id=planning_id),
            actor=None,
            goal=goal(agenda, str(number)),
            kind="planning",
            title="Een oude planningsregel",
        )
    load_agenda_file(SEED_FILE)
    assert not agenda.activities.filter(kind="planning").exists()
    assert agenda.activities.filter(pk=kept.pk).exists()
    assert AuditEvent.objects.filter(action="agenda.activity.delete").count() == 2


def test_four_cross_cutting_themes(agenda):
    themes = list(agenda.themes.values_list("title", "kind"))
    assert themes == [
        ("Normaliseren", ThemeKind.CROSS_CUTTING),
        ("Communiceren", ThemeKind.CROSS_CUTTING),
        ("Monitoring", ThemeKind.CROSS_CUTTING),
        ("Financiën", ThemeKind.CROSS_CUTTING),
    ]
    monitoring = agenda.themes.get(title="Monitoring")
    assert "zowel tellen als vertellen belangrijk" in monitoring.background
    assert monitoring.background.endswith("in 2024 gedeeld tijdens het OOGO.")
    # Cross-cutting: they hold for every goal of the three spearheads.
    assert monitoring.goals.count() == 13
    assert not goal(agenda, "1").themes.exists()


def test_interim_evaluation_early_2023_and_final_evaluation_2024(agenda):
    moments = list(
        EvaluationMoment.objects.filter(agenda=agenda).values_list("month", "planned_text")
    )
    assert moments == [
        (datetime.date(2023, 1, 1), "Begin 2023"),
        (datetime.date(2024, 12, 1), "2024"),
    ]
    interim = EvaluationMoment.objects.get(agenda=agenda, month__year=2023)
    assert interim.description.startswith("Tussentijdse evaluatie")


def test_involvements_only_where_the_document_names_a_party(agenda):
    assert not Involvement.objects.filter(activity__agenda=agenda, role="lead").exists()
    regioanalyse = agenda.activities.get(title__startswith="Overleg regioanalyse")
    assert set(
        regioanalyse.involvements.exclude(organisation=None).values_list(
            "organisation__name", flat=True
        )
    ) == set(NAMED_ORGANISATIONS)
    assert set(regioanalyse.involvements.values_list("party_name", flat=True)) == {"", "SWV"}
    monitoring = agenda.activities.get(
        title="Monitoren schoolaanwezigheid door scholen en RMC-regio."
    )
    assert set(monitoring.involvements.values_list("party_name", "role")) == {
        ("scholen", "executor"),
        ("RMC-regio", "executor"),
    }


def test_quarterly_duties_as_recurring_commitments(agenda):
    commitments = Commitment.objects.filter(agenda=agenda)
    assert list(commitments.values_list("text", "times_per_year")) == [
        ("Scholen geven ieder kwartaal hun opgave thuiszitters.", 4),
        ("Monitoring vindt plaats op vier peildata per jaar door het SWV.", 4),
        ("Kwartaal overleg tussen gemeente/ RMC-regio en SWV.", 4),
    ]
    quarterly = goal(agenda, "9").activities.get(
        title="Kwartaal overleg tussen gemeente/ RMC-regio en SWV"
    )
    assert quarterly.planned_text == "4e, 7e, 10e, 1 maand"
    assert planned_months(quarterly) == months_2022(1, 4, 7, 10)


def test_loading_twice_changes_nothing(agenda):
    def counts():
        return {
            model.__name__: model.objects.count()
            for model in (
                Agenda,
                Theme,
                Spearhead,
                Goal,
                Activity,
                Involvement,
                PlannedMonth,
                EvaluationMoment,
                Commitment,
                AgendaVersion,
            )
        } | {
            "history": Activity.history.count() + Goal.history.count(),
            "audit": AuditEvent.objects.count(),
        }

    before = counts()
    assert before["audit"] > 0
    again = load_agenda_file(SEED_FILE)
    assert again.pk == agenda.pk
    assert counts() == before
