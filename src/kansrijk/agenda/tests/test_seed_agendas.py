"""Seeds 000, 001, 003 and 004 as demo agendas: loaded from their TOML files, faithfully.

The figures asserted here are the seeds' own: if one of these tests fails after an edit of
a data file, the file no longer says what the document says.
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, Sum
from django.urls import reverse

from kansrijk.agenda import services
from kansrijk.agenda.demo import AGENDA_DIR, load_agenda_file
from kansrijk.agenda.models import (
    Activity,
    ActivityKind,
    Agenda,
    AgendaKind,
    AgendaStatus,
    AgendaVersion,
    Commitment,
    EducationPrize,
    EvaluationMoment,
    FundingLine,
    FundingSource,
    Goal,
    Intervention,
    Involvement,
    Nomination,
    PlannedMonth,
    Spearhead,
    Theme,
    ThemeKind,
)
from kansrijk.agenda.payers import split_by_payer
from kansrijk.organisations.demo import load_demo_organisations
from kansrijk.organisations.models import Region
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

SEED_FILES = [
    "maassluis.toml",
    "vijfheerenlanden.toml",
    "jeugdbeleid-factoren.toml",
    "thuiszitters-handreiking.toml",
]
GEMEENTEN = {
    "GM0375": "Beverwijk",
    "GM0383": "Castricum",
    "GM0396": "Heemskerk",
    "GM0450": "Uitgeest",
    "GM0453": "Velsen",
    "GM0556": "Maassluis",
    "GM0606": "Schiedam",
    "GM0622": "Vlaardingen",
    "GM1961": "Vijfheerenlanden",
}


@pytest.fixture
def seed_organisations(settings):
    """The slice of the reference data the seed files refer to, then the demo
    organisations of organisations.toml (districts of Vijfheerenlanden, Leerrecht, ...)."""
    for code, name in GEMEENTEN.items():
        factories.MunicipalityOrganisationFactory(
            municipality=factories.MunicipalityFactory(code=code, name=name),
            name=f"Gemeente {name}",
        )
    factories.SchoolFactory(  # load_demo_organisations needs a school user in Beverwijk
        code="12AB00",
        parent=factories.SchoolInstitutionFactory(code="12AB"),
        municipality=Region.objects.get(code="GM0375"),
        partnership=factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond"),
    )
    factories.PartnershipFactory(
        code="PO2807", name="Samenwerkingsverband Schiedam, Vlaardingen en Maassluis"
    )
    factories.SchoolFactory(  # SBO De Brug, Vianen (DUO)
        code="03UO00",
        name="Chr School voor Speciaal Basisonderwijs De Brug",
        parent=factories.SchoolInstitutionFactory(code="03UO"),
        municipality=Region.objects.get(code="GM1961"),
        partnership=factories.PartnershipFactory(code="PO2605"),
        sector="SBO",
    )
    settings.DEBUG = True
    load_demo_organisations()


def load(name: str) -> Agenda:
    return load_agenda_file(AGENDA_DIR / name)


def months(*values: str) -> list[datetime.date]:
    return [datetime.date.fromisoformat(f"{value}-01") for value in values]


def year_months(*years: int) -> list[datetime.date]:
    return [datetime.date(year, month, 1) for year in years for month in range(1, 13)]


def totals_by_year_and_source(lines) -> dict[tuple[int, str], Decimal]:
    rows = lines.values("year", "source").annotate(total=Sum("planned_amount"))
    return {(row["year"], row["source"]): row["total"] for row in rows}


# --------------------------------------------------------------------- seed 003, Maassluis


def test_maassluis_six_goals_with_every_figure(seed_organisations):
    agenda = load("maassluis.toml")

    assert agenda.title == "Uitvoeringsnota Onderwijskansenbeleid"
    assert agenda.subtitle == "Samen bouwen aan gelijke kansen"
    assert agenda.kind == AgendaKind.EDUCATIONAL_OPPORTUNITIES
    assert (agenda.period_start, agenda.period_end) == (
        datetime.date(2019, 1, 1),
        datetime.date(2022, 12, 31),
    )
    assert list(agenda.owners.values_list("code", flat=True)) == ["GM0556"]
    assert agenda.status == AgendaStatus.CONCEPT and not agenda.is_public

    goals = {goal.number: goal for goal in agenda.goals.all()}
    assert sorted(goals) == ["1", "2", "3", "4", "5", "6"]
    assert goals["1"].text.startswith(
        "Gelijke kansen voor alle kinderen, ongeacht hun startpositie."
    )
    assert goals["6"].text.startswith("Voorkomen dat er hulp nodig is door vroeg-herkenning")

    vve = goals["3"].indicator_text
    assert "In 2019 bezocht 72% van de kinderen met een VVE-indicatie" in vve
    assert "streeft naar een bereik van 90% in 2021" in vve
    assert "werkte 98% mee. Van hen plaatste 99% hun kind op een voorschool" in vve
    assert vve.count("Bij minstens 80% van de") == 2
    assert "is deze achterstand op taal eind groep 2 afgenomen" in vve
    assert "per week 12 uur voorschoolse educatie" in vve
    assert "uitgebreid naar gemiddeld 16 uur per week" in vve
    assert "is 6 uur per week voorschoolse educatie beschikbaar" in vve
    assert "uitgebreid naar gemiddeld 8 uur per week" in vve
    assert "Dit zal elke twee jaar worden geëvalueerd." in vve
    parents = goals["4"].indicator_text
    assert "80% van peuteropvang met voorschoolse educatie" in parents
    assert "63% van de basisscholen" in parents
    assert "in 2021, 100% van de peuteropvang ouderactiviteiten biedt" in parents
    talent = goals["2"].indicator_text
    assert "in 2023 twee uur gymles per week" in talent
    assert "twee kunst-educatieve activiteiten" in talent
    assert "op indicatie gratis huiswerkbegeleiding" in talent
    assert "iedere twee jaar uitgevraagd door middel van een enquête" in goals["1"].indicator_text


def test_maassluis_every_action_and_its_planning(seed_organisations):
    agenda = load("maassluis.toml")

    per_goal = dict(
        Activity.objects.filter(agenda=agenda, kind=ActivityKind.MAIN)
        .values_list("goal__number")
        .annotate(n=Count("pk"))
    )
    assert per_goal == {"1": 5, "2": 4, "3": 5, "4": 7, "5": 2, "6": 5}
    assert Activity.objects.filter(agenda=agenda, kind=ActivityKind.SUB).count() == 9
    menus = Activity.objects.get(agenda=agenda, external_id="2-menus")
    assert list(menus.children.values_list("title", flat=True)) == [
        "Sportmenu",
        "Cultuurmenu",
        "Duurzaamheidscentrum",
    ]
    assert agenda.spearheads.count() == 0

    prize_action = Activity.objects.get(agenda=agenda, title="Onderwijsprijs")
    assert list(prize_action.planned_months.values_list("month", flat=True)) == months(
        "2021-03", "2021-04", "2021-05"
    )
    hours = Activity.objects.get(agenda=agenda, external_id="3-uitbreiding-uren")
    assert hours.title == "Uitbreiding van 12 naar 16 uur peuteropvang in 2020"
    assert list(hours.planned_months.values_list("month", flat=True)) == months("2020-08")
    one_team = Activity.objects.get(agenda=agenda, external_id="1-thuisnabij-onderwijs")
    assert one_team.planned_months.count() == 29  # vanaf schooljaar 2020/2021 to 2022-12

    truancy = Activity.objects.get(agenda=agenda, external_id="5-bereik-verzuim")
    assert truancy.involvements.filter(
        organisation__name__startswith="Leerrecht", role="executor"
    ).exists()


@time_machine.travel(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_maassluis_prize_every_two_years(seed_organisations):
    """The note: "De onderwijsprijs wordt tweejaarlijks uitgereikt", the ceremony in the
    spring of 2021. In December 2026 the edition of 2021 is long closed and that of 2027
    takes nominations."""
    agenda = load("maassluis.toml")

    editions = EducationPrize.objects.filter(agenda=agenda).order_by("year")
    assert [(p.name, p.year, p.organiser.code) for p in editions] == [
        ("Onderwijsprijs", year, "GM0556") for year in (2021, 2023, 2025, 2027)
    ]
    first, *_, current = editions
    assert (first.nominations_from, first.nominations_until) == (
        datetime.date(2020, 9, 1),
        datetime.date(2021, 2, 28),
    )
    assert (current.nominations_from, current.nominations_until) == (
        datetime.date(2026, 9, 1),
        datetime.date(2027, 2, 28),
    )
    today = datetime.date(2026, 12, 7)
    assert [p.year for p in editions if p.takes_nominations_on(today)] == [2027]
    assert list(EducationPrize.objects.taking_nominations(today)) == [current]
    # The ceremony in the spring of 2021 was planned in its activity.
    ceremony = Activity.objects.get(agenda=agenda, title="Onderwijsprijs")
    assert ceremony.planned_text == "tweejaarlijks; prijsuitreiking in het voorjaar van 2021"

    # A second load in the same window opens nothing new; after the window of 2027 the
    # next load opens 2029.
    def years() -> list[int]:
        return list(EducationPrize.objects.filter(agenda=agenda).values_list("year", flat=True))

    load("maassluis.toml")
    assert years() == [2021, 2023, 2025, 2027]
    with time_machine.travel(datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)):
        load("maassluis.toml")
    assert years() == [2021, 2023, 2025, 2027, 2029]


@time_machine.travel(datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_the_edition_of_2021_refuses_nominations_in_2026(client, seed_organisations):
    load("maassluis.toml")
    closed = EducationPrize.objects.get(year=2021)
    current = EducationPrize.objects.get(year=2027)
    page = reverse("agenda:nominate", args=[closed.pk])

    response = client.get(page)
    assert response.status_code == 200 and response.context["form"] is None
    text = response.content.decode()
    assert "De nominaties voor de Onderwijsprijs 2021 zijn gesloten op 28 februari 2021." in text
    assert reverse("agenda:nominate", args=[current.pk]) in text
    nomination = {
        "category": "staff",
        "nominee": "Juf Anouk",
        "motivation": "Zij maakt elke ochtend tijd voor de kinderen die te laat komen.",
        "submitted_by": "Een ouder",
    }
    assert client.post(page, nomination).status_code == 403
    with pytest.raises(ValueError, match="zijn gesloten op 28 februari 2021"):
        services.submit_nomination(closed, actor=None, **nomination)
    assert not Nomination.objects.exists()

    # The edition of the cycle takes them, until the end of February 2027.
    response = client.get(reverse("agenda:prize", args=[current.pk]))
    assert "van 1 september 2026 tot en met 28 februari 2027" in response.content.decode()
    assert client.post(reverse("agenda:nominate", args=[current.pk]), nomination).status_code == 302
    assert current.nominations.get().nominee == "Juf Anouk"
    # An edition whose window has not begun says from when.
    later = services.open_next_edition(current, actor=None)
    assert services.nominations_refusal(later, datetime.date(2026, 12, 7)) == (
        "Nomineren voor de Onderwijsprijs 2029 kan vanaf 1 september 2028."
    )


def test_maassluis_evaluations_and_commitments(seed_organisations):
    agenda = load("maassluis.toml")

    diamant = EvaluationMoment.objects.get(agenda=agenda, external_id="evaluatie-de-diamant")
    assert diamant.month == datetime.date(2022, 12, 1)
    assert diamant.planned_text.startswith("elke twee jaar")
    assert agenda.evaluation_moments.count() == 5

    overleg = Commitment.objects.get(agenda=agenda, external_id="lokaal-overleg-lea")
    assert (overleg.times_per_year, overleg.at_least, overleg.owner.code) == (2, True, "GM0556")


# --------------------------------------------------------------- seed 004, Vijfheerenlanden


def test_vijfheerenlanden_eight_cards(seed_organisations):
    agenda = load("vijfheerenlanden.toml")

    assert agenda.kind == AgendaKind.EQUAL_OPPORTUNITIES
    assert sorted(agenda.owners.values_list("name", flat=True)) == [
        "Gemeente Vijfheerenlanden",
        "Stichting O2A5",
    ]
    assert agenda.status == AgendaStatus.ADOPTED and agenda.is_public
    assert agenda.adopted_on == datetime.date(2022, 6, 27)
    assert AgendaVersion.objects.filter(agenda=agenda).count() == 1
    assert list(agenda.interventions.values_list("name", flat=True)) == [
        "Realiseren van brede talentontwikkeling in Vijfheerenlanden",
        "Verbinden lokale netwerken -9 maanden tot en met 6 jaar Vianen De Hagen-centrum",
        "Opbouwen lokale netwerken -9 maanden tot en met 6 jaar Leerdam-West, "
        "Leerdam-Noord en Meerkerk",
        "Versterken professionaliteit en samenwerking kinderopvang & sociaal team",
        "Onderwijszorgarrangementen",
        "Peuterplus",
        "Doorlopende leerlijnen",
        "Stimuleren jongerenparticipatie",
    ]

    cards = {card.external_id: card for card in agenda.interventions.all()}
    assert {key for key, card in cards.items() if card.status == "running"} == {
        "brede-talentontwikkeling",  # first activities in the autumn of 2021
        "verbinden-netwerken-vianen",  # "Gestart in 2021"
        "jongerenparticipatie",  # "Het onderzoek is in 2021 gestart"
    }
    peuterplus = cards["peuterplus"]
    assert peuterplus.planning_text == "Leerdam geheel 2022; Vianen vanaf september 2022"
    assert peuterplus.financing_text == (
        "Totale kosten circa € 120.000 per locatie per jaar; helft uit gemeentelijke OAB "
        "middelen, helft uit jeugdzorg middelen."
    )
    assert (peuterplus.age_min, peuterplus.age_max) == (Decimal(2), Decimal(4))
    ages = {key: (card.age_min, card.age_max) for key, card in cards.items()}
    assert ages["verbinden-netwerken-vianen"] == (Decimal(0), Decimal(6))
    assert ages["onderwijszorgarrangementen"] == (Decimal(4), Decimal(7))
    assert ages["jongerenparticipatie"] == (Decimal(10), Decimal(27))
    assert ages["professionaliteit-kinderopvang-sociaal-team"] == (None, None)
    assert "G.de.Brouwer@Vijfheerenlanden.nl" in cards["brede-talentontwikkeling"].contact
    assert sorted(
        cards["opbouwen-netwerken-leerdam-meerkerk"].locations.values_list("code", flat=True)
    ) == ["GM1961-LEERDAM-NOORD", "GM1961-LEERDAM-WEST", "GM1961-MEERKERK"]
    assert cards["brede-talentontwikkeling"].involvements.get(role="lead").organisation.name == (
        "Stichting O2A5"
    )
    assert (
        cards["onderwijszorgarrangementen"]
        .involvements.filter(organisation__code="03UO00")
        .exists()
    )

    assert list(peuterplus.planned_months.values_list("month", flat=True)) == year_months(
        2022, 2023, 2024
    )
    assert list(
        cards["opbouwen-netwerken-leerdam-meerkerk"].planned_months.values_list("month", flat=True)
    ) == year_months(2022)


def test_vijfheerenlanden_money_as_written(seed_organisations):
    agenda = load("vijfheerenlanden.toml")
    lines = FundingLine.objects.filter(intervention__agenda=agenda)

    # Peuterplus 2022: € 120.000 per locatie per jaar, half OAB, half jeugdzorg; Leerdam
    # the whole year, Vianen from September (0.3333 of a year).
    peuterplus_2022 = lines.filter(intervention__external_id="peuterplus", year=2022)
    assert dict(peuterplus_2022.values_list("external_id", "planned_amount")) == {
        "peuterplus-2022-leerdam-oab": Decimal("60000.00"),
        "peuterplus-2022-leerdam-jeugdzorg": Decimal("60000.00"),
        "peuterplus-2022-vianen-oab": Decimal("19998.00"),
        "peuterplus-2022-vianen-jeugdzorg": Decimal("19998.00"),
    }
    assert totals_by_year_and_source(peuterplus_2022) == {
        (2022, FundingSource.OAB): Decimal("79998.00"),
        (2022, FundingSource.YOUTH_CARE): Decimal("79998.00"),
    }
    vianen = peuterplus_2022.get(external_id="peuterplus-2022-vianen-oab")
    assert (vianen.unit_amount, vianen.unit, vianen.quantity, vianen.share) == (
        Decimal("120000.00"),
        "per locatie per jaar",
        Decimal("0.3333"),
        Decimal("0.5000"),
    )
    assert vianen.is_estimate and vianen.planned_amount == vianen.computed_amount()

    oza = lines.filter(intervention__external_id="onderwijszorgarrangementen")
    assert totals_by_year_and_source(oza) == {
        (2022, source): amount
        for source, amount in [
            (FundingSource.MUNICIPAL_EDUCATION, Decimal("150000.00")),
            (FundingSource.PARTNER_CONTRIBUTION, Decimal("200000.00")),
        ]
    }
    assert not oza.filter(is_estimate=False).exists()
    # Who pays: the gemeente its share; the partners the rest, without the card saying
    # which partner pays what, so that line names no payer and its notes say why.
    assert dict(oza.values_list("external_id", "payer__code")) == {
        "oza-gemeente-2022": "GM1961",
        "oza-partners-2022": None,
    }
    assert "zegt niet welke partner welk deel betaalt" in oza.get(payer=None).notes
    (split,) = split_by_payer(oza)
    assert split.years == [2022]
    assert [(row.label, row.named, row.by_year) for row in split.rows] == [
        ("Gemeente Vijfheerenlanden", True, {2022: Decimal("150000.00")}),
        (
            "eigen bijdrage partners: niet vastgelegd wie betaalt",
            False,
            {2022: Decimal("200000.00")},
        ),
    ]
    assert split.total == Decimal("350000.00")
    assert set(peuterplus_2022.exclude(payer=None).values_list("external_id", flat=True)) == {
        "peuterplus-2022-leerdam-oab",
        "peuterplus-2022-vianen-oab",
    }

    # Brede talentontwikkeling: voorbereiding and coördinatie from the GKA; the activities
    # (NPO, other municipal budgets) have no amount and so no line.
    brede = lines.filter(intervention__external_id="brede-talentontwikkeling")
    assert totals_by_year_and_source(brede) == {(2022, FundingSource.GKA): Decimal("100000.00")}
    assert sorted(brede.values_list("planned_amount", flat=True)) == [
        Decimal("32000.00"),
        Decimal("68000.00"),
    ]

    # Cards that name a source without an amount get no line at all; no zero amounts.
    assert set(lines.values_list("intervention__external_id", flat=True)) == {
        "brede-talentontwikkeling",
        "onderwijszorgarrangementen",
        "peuterplus",
    }
    assert not lines.filter(planned_amount=0).exists()
    # Only 2022 is budgeted: the cards give costs "per jaar" but plan only 2022.
    assert set(lines.values_list("year", flat=True)) == {2022}
    assert lines.filter(year=2022).aggregate(total=Sum("planned_amount"))["total"] == Decimal(
        "609996.00"
    )


def test_vijfheerenlanden_evaluations_and_commitments(seed_organisations):
    agenda = load("vijfheerenlanden.toml")

    def evaluation_months(card: str) -> list[datetime.date]:
        return list(
            agenda.evaluation_moments.filter(intervention__external_id=card).values_list(
                "month", flat=True
            )
        )

    assert evaluation_months("brede-talentontwikkeling") == months("2022-12", "2023-12", "2024-12")
    assert evaluation_months("verbinden-netwerken-vianen") == months("2023-01")
    assert evaluation_months("professionaliteit-kinderopvang-sociaal-team") == months("2022-12")
    assert evaluation_months("doorlopende-leerlijnen") == months(
        "2022-01", "2022-11", "2023-11", "2024-11"
    )

    commitments = list(agenda.commitments.values_list("text", "times_per_year", "at_least"))
    assert commitments == [
        (
            "Voert twee keer per jaar bestuurlijk (wethouder) overleg met de Gelijke Kansen "
            "Alliantie",
            2,
            False,
        ),
        (
            "Organiseert minimaal 1 keer per jaar een kennissessie rondom interventies, "
            "onderzoeken, professionalisering en thema's uit de GKA-agenda",
            1,
            True,
        ),
        (
            "Levert een actieve bijdrage aan kennisdeling tussen gemeenten onderling, "
            "bijvoorbeeld door eigen interventies of best practices te delen via de online "
            "en offline kanalen van de Gelijke Kansen Alliantie",
            None,
            False,
        ),
        ("Neemt deel aan de landelijke kennisdelingsagenda", None, False),
    ]
    assert set(agenda.commitments.values_list("owner__code", flat=True)) == {"GM1961"}


# ------------------------------------------------------------ seed 000, the seven factors


def test_seven_factors(seed_organisations):
    agenda = load("jeugdbeleid-factoren.toml")

    # A public handreiking without an owner (the appendix names no gemeente).
    assert agenda.kind == AgendaKind.GUIDANCE
    assert not agenda.owners.exists() and agenda.region is None
    assert agenda.status == AgendaStatus.PUBLISHED and agenda.is_public
    assert agenda.versions.get().label == "Zoals gepubliceerd (uit het brondocument)"
    factors = list(
        agenda.themes.filter(kind=ThemeKind.FACTOR).values_list("number", "title", "sources")
    )
    assert [(number, title) for number, title, _ in factors] == [
        ("1", "Versterken Sociale Binding"),
        ("2", "Versterken sociale omgeving"),
        ("3", "Vergroten kansengelijkheid"),
        ("4", "Samenwerken met onderwijspartners"),
        ("5", "Inzet op het voorkomen van laaggeletterdheid"),
        ("6", "Behalen startkwalificatie"),
        ("7", "Werkafspraken onderwijs en zorgarrangementen"),
    ]
    assert factors[0][2].endswith("In: Catalano e.a. 2004")
    assert [sources for _, _, sources in factors[1:]] == ["Trimbosinstituut", "NJi"] + [""] * 4
    oko = agenda.interventions.get(external_id="oko")
    assert (oko.age_min, oko.age_max) == (Decimal(10), Decimal(18))
    assert list(oko.goals.values_list("themes__number", flat=True)) == ["2"]
    assert agenda.goals.count() == 6
    assert not agenda.goals.filter(themes__number__in=["1", "7"]).exists()
    assert not FundingLine.objects.filter(intervention__agenda=agenda).exists()


# ----------------------------------------------------- seed 001, the thuiszitters leaflet


def test_thuiszitters_leaflet(seed_organisations):
    agenda = load("thuiszitters-handreiking.toml")

    assert agenda.kind == AgendaKind.GUIDANCE
    assert not agenda.owners.exists()
    assert agenda.status == AgendaStatus.PUBLISHED and agenda.is_public
    assert "Ingrado" in agenda.source and "geen lokale agenda" in agenda.source

    definition, pact, development_agenda = agenda.goals.all()
    assert "langer dan vier weken niet ingeschreven staat op een school" in definition.text
    assert "in 2020 geen enkele leerling langer dan drie maanden thuiszit" in pact.text
    assert "doelstellingen, indicatoren, acties, actoren en middelen (investering)" in (
        development_agenda.indicator_text
    )
    matrix = Activity.objects.get(agenda=agenda, external_id="ontwikkelagenda-matrix")
    assert matrix.children.count() == 5
    assert set(matrix.involvements.values_list("party_name", flat=True)) == {
        "samenwerkingsverbanden passend onderwijs",
        "gemeenten",
    }

    kinds = dict(agenda.themes.values_list("kind").annotate(n=Count("pk")))
    assert kinds == {ThemeKind.ADVICE: 9, ThemeKind.INSTRUMENT: 7}
    assert agenda.themes.filter(title="Methodische Aanpak Schoolverzuim (MAS)").exists()
    assert set(
        agenda.themes.filter(sources__startswith="https://").values_list("sources", flat=True)
    ) == {"https://waarstaatjegemeente.nl", "https://vsvkompas.nl", "https://monitoraaj.nl"}

    roermond = agenda.interventions.get(external_id="roermond-actietafel-thuiszitters")
    assert "met 90 procent teruggedrongen" in roermond.monitoring_text
    assert "Per casus wordt vastgesteld wie de regievoerder is." in roermond.activities_text
    assert agenda.interventions.count() == 3


# ------------------------------------------------------------------------- idempotency

COUNTED = [
    Agenda,
    Theme,
    Spearhead,
    Goal,
    Activity,
    Intervention,
    Involvement,
    PlannedMonth,
    FundingLine,
    EvaluationMoment,
    Commitment,
    EducationPrize,
    AgendaVersion,
]
HISTORIES = [Agenda, Theme, Goal, Activity, Intervention, FundingLine, Involvement]


def test_loading_twice_changes_nothing(seed_organisations):
    for name in SEED_FILES:
        load(name)
    counts = {model.__name__: model.objects.count() for model in COUNTED}
    history = {model.__name__: model.history.count() for model in HISTORIES}

    for name in SEED_FILES:
        load(name)

    assert counts == {model.__name__: model.objects.count() for model in COUNTED}
    assert history == {model.__name__: model.history.count() for model in HISTORIES}
    assert counts["Agenda"] == 4
    assert counts["Intervention"] == 8 + 4 + 3
