"""Documents out: the agenda as DOCX, PDF, XLSX and CSV, in the seeds' own layout, always
from live data; the web downloads follow who may see the agenda."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from kansrijk.agenda import exporting
from kansrijk.agenda.demo import AGENDA_DIR, load_agenda_file
from kansrijk.agenda.models import Activity, Agenda, FundingSource, Goal
from kansrijk.organisations.models import RegionKind, Role
from kansrijk.testing import factories
from kansrijk.testing.documents import fetch_document

pytestmark = pytest.mark.django_db

SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"

# A small agenda in the shape of seed 002 (Midden-Kennemerland) with an intervention card
# of seed 004 (Peuterplus, with its money as the card writes it).
SMALL_AGENDA = '''
[agenda]
slug = "{slug}"
title = "Uitvoeringsagenda onderwijs-jeugd Proefregio"
subtitle = "Allen voor één"
kind = "execution_agenda"
owners = ["GM0375"]
regions = ["GM0375"]
period_start = "2022-01-01"
period_end = "2024-12-31"
status = "adopted"
adopted_on = "2021-10-01"
adopted_by = "OOGO Midden-Kennemerland"
is_public = {is_public}
vision = """Scholen, partners (in en om de school), jeugdhulp en samenwerkingsverbanden zijn vanuit een gedeelde zorgplicht nauw met elkaar verbonden.

Elke jeugdige heeft het recht om zich zo optimaal mogelijk te kunnen ontwikkelen."""

[[theme]]
id = "normaliseren"
kind = "cross_cutting"
title = "Normaliseren"
background = "Jeugdigen en hun ouders leren omgaan met tegenslag en leren dat dat bij opgroeien hoort."
sources = "Uitvoeringsagenda onderwijs-jeugd MK"

[[theme]]
id = "rekenen"
kind = "cross_cutting"
title = "Tellen en vertellen"
background = "=1+1 is hier geen formule"
sources = "@bron; -min; +plus; 'quote"

[[spearhead]]
id = "integrale-aanpak"
number = "1"
title = "Integrale aanpak"
intended_result = "We hebben in onze regio een pedagogisch sterke structuur waarin we een effectief en preventief aanbod organiseren."
priority = 1

[[spearhead]]
id = "gelijke-kansen"
number = "2"
title = "Gelijke kansen"
intended_result = "Gelijke kansen en talentontwikkeling voor iedere jeugdige."
priority = 2

[[goal]]
id = "besluitvorming"
number = "1"
text = "Besluitvorming in gemeenten en informatiefase partners."

[[goal]]
id = "planmatig"
spearhead = "integrale-aanpak"
number = "2"
text = "Planmatig en vroegtijdig samenwerken om effectieve en kwalitatieve ondersteuning te bieden."
indicator_text = "Kwalitatieve evaluatie: alle netwerkpartners kennen elkaars rollen, verantwoordelijkheden en taken."
themes = ["normaliseren"]

[[goal]]
id = "voorveld"
spearhead = "integrale-aanpak"
number = "3"
text = "We benutten het voorveld optimaal."
indicator_text = "O-meting. Gebruik maken van Jeugdmonitoren GGD."

[[goal]]
id = "schoolaanwezigheid"
spearhead = "gelijke-kansen"
number = "7"
text = "We stimuleren schoolaanwezigheid."
indicator_text = "De RMC-regio monitort schoolaanwezigheid, analyseren, bijstellen."
themes = ["normaliseren", "rekenen"]

[[goal]]
id = "evaluatie"
number = "15"
text = "Tussentijdse evaluatie."

[[activity]]
id = "netwerkstructuur"
goal = "planmatig"
kind = "main"
title = "Vanuit een netwerkstructuur werken onderwijs en jeugdprofessionals samen."
involvements = [{{organisation = "GM0375", role = "lead"}}, {{party = "jeugdteams", role = "partner"}}, {{party = "samenwerkingsverbanden", role = "partner"}}]

[[activity]]
id = "netwerkbijeenkomsten"
goal = "planmatig"
parent = "netwerkstructuur"
kind = "sub"
title = "Thematische netwerkbijeenkomsten"
months = ["2022-06"]

[[activity]]
id = "kennisdeling"
goal = "planmatig"
parent = "netwerkstructuur"
kind = "sub"
title = "Kennisdeling en deskundigheidsbevordering"
months = ["2022-11"]

[[activity]]
id = "jeugdactiviteiten"
goal = "voorveld"
kind = "main"
title = "We organiseren lokaal activiteiten voor zinvolle en creatieve tijdsbesteding."

[[activity]]
id = "behoeftepeiling"
goal = "voorveld"
parent = "jeugdactiviteiten"
kind = "sub"
title = "Behoeftepeiling jeugdactiviteiten"

[[activity]]
id = "handreiking"
goal = "schoolaanwezigheid"
kind = "main"
title = "Handreiking schoolaanwezigheid (voorheen verzuim) vaststellen."
status = "running"
progress = 40

[[activity]]
id = "handreiking-verspreiden"
goal = "schoolaanwezigheid"
parent = "handreiking"
kind = "sub"
title = "Handreiking schoolaanwezigheid verspreiden"
status = "done"

[[activity]]
id = "plan-besluit"
goal = "besluitvorming"
kind = "planning"
title = "Besluitvorming"
planned_text = "Eind 2021"
months = ["2021-12"]

[[activity]]
id = "plan-netwerk"
goal = "planmatig"
kind = "planning"
title = "Netwerkbijeenkomsten"
planned_text = "juni"
months = ["2022-06"]

[[activity]]
id = "plan-kennis"
goal = "planmatig"
kind = "planning"
title = "Kennisdeling"
planned_text = "nov"
months = ["2022-11"]

[[activity]]
id = "plan-vraag-aanbod"
goal = "voorveld"
kind = "planning"
title = "Vraag en aanbod lokale jeugdactiviteiten afstemmen"
months = ["2022-04", "2022-05", "2022-06"]

[[activity]]
id = "plan-monitoren"
goal = "schoolaanwezigheid"
kind = "planning"
title = "Monitoren op regio niveau"
planned_text = "jan-dec"
months = ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12"]

[[activity]]
id = "plan-evaluatie"
goal = "evaluatie"
kind = "planning"
title = "Tussentijdse evaluatie"
planned_text = "Begin 2023"
months = ["2023-01"]

[[intervention]]
id = "peuterplus"
name = "Peuterplus"
parties_text = "SKCN, Enver, Driegang, Sociaal Team, gemeente"
planning_text = "Leerdam geheel 2022; Vianen vanaf september 2022"
goal_text = "Thuis nabije opvang kinderen tussen peuteropvang/VVE en medisch kinderdagverblijf"
target_group = "Peuters 2 tot 4 jaar met uitdagingen"
age_min = 2
age_max = 4
location_text = "Leerdam en Vianen"
locations = ["GM1961-LEERDAM-WEST"]
activities_text = "Koppeling jeugdzorg en peuteropvang om kinderen van 2 tot 4 jaar al vroeg extra te ondersteunen."
monitoring_text = "Elk jaar evaluatie, continue monitoring"
financing_text = "Totale kosten circa € 120.000 per locatie per jaar; helft uit gemeentelijke OAB middelen, helft uit jeugdzorg middelen."
online_information = "www.vijfheerenlanden.nl"
contact = "Gemeente Vijfheerenlanden Marjan Kamp Beleidsadviseur"
goals = ["schoolaanwezigheid"]
months = ["2022-09", "2022-10"]
status = "running"
involvements = [{{organisation = "GM0375", role = "lead"}}, {{party = "SKCN", role = "partner"}}, {{organisation = "GM0375", role = "funder"}}]

[[funding]]
id = "peuterplus-2022-leerdam-oab"
intervention = "peuterplus"
year = 2022
source = "oab"
payer = "GM0375"
unit_amount = 120000
unit = "per locatie per jaar"
quantity = 1
share = 0.5
is_estimate = true
notes = "Leerdam geheel 2022"

[[funding]]
id = "peuterplus-2022-leerdam-jeugdzorg"
intervention = "peuterplus"
year = 2022
source = "youth_care"
unit_amount = 120000
unit = "per locatie per jaar"
quantity = 1
share = 0.5
is_estimate = true

[[funding]]
id = "peuterplus-2022-vianen-oab"
intervention = "peuterplus"
year = 2022
source = "oab"
unit_amount = 120000
unit = "per locatie per jaar"
quantity = 0.3333
share = 0.5
is_estimate = true
notes = "Vianen vanaf september 2022"

[[funding]]
id = "peuterplus-2022-vianen-jeugdzorg"
intervention = "peuterplus"
year = 2022
source = "youth_care"
unit_amount = 120000
unit = "per locatie per jaar"
quantity = 0.3333
share = 0.5
is_estimate = true

[[funding]]
id = "handreiking-npo-2023"
activity = "handreiking"
year = 2023
source = "npo"
planned_amount = 5000
realised_amount = 1200.50

[[evaluation]]
id = "tussentijds"
month = "2023-01"
planned_text = "Begin 2023"
description = "Tussentijdse evaluatie van de uitvoeringsagenda"

[[evaluation]]
id = "peuterplus-jaarlijks"
month = "2022-12"
description = "Jaarlijkse evaluatie Peuterplus"
intervention = "peuterplus"

[[commitment]]
id = "bestuurlijk-overleg"
text = "Voert twee keer per jaar bestuurlijk (wethouder) overleg met de Gelijke Kansen Alliantie"
owner = "GM0375"
times_per_year = 2

[[commitment]]
id = "kennissessie"
text = "Organiseert minimaal 1 keer per jaar een kennissessie"
owner = "GM0375"
times_per_year = 1
at_least = true
'''

GOALS_WITH_SPEARHEAD = ["planmatig", "voorveld", "schoolaanwezigheid"]


def make_small_agenda(tmp_path: Path, slug: str = "proefregio-2022-2024", *, public=False):
    """The organisations and regions the small agenda names, then the agenda itself
    through the same loader as the demo."""
    municipality = factories.MunicipalityFactory(code="GM0375", name="Beverwijk")
    if not factories.Organisation.objects.filter(code="GM0375").exists():
        factories.MunicipalityOrganisationFactory(
            municipality=municipality, name="Gemeente Beverwijk"
        )
    factories.RegionFactory(
        code="GM1961-LEERDAM-WEST", name="Leerdam-West", kind=RegionKind.DISTRICT
    )
    path = tmp_path / f"{slug}.toml"
    path.write_text(
        SMALL_AGENDA.format(slug=slug, is_public="true" if public else "false"), encoding="utf-8"
    )
    return load_agenda_file(path)


@pytest.fixture
def agenda(tmp_path) -> Agenda:
    return make_small_agenda(tmp_path)


@pytest.fixture
def public_agenda(tmp_path) -> Agenda:
    return make_small_agenda(tmp_path, "proefregio-openbaar", public=True)


def squashed(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def docx_tables(content: bytes):
    return Document(io.BytesIO(content)).tables


def table_rows(table) -> list[list[str]]:
    return [[squashed(cell.text) for cell in row.cells] for row in table.rows]


def pdf_pages_text(content: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(content)
    try:
        return [squashed(page.get_textpage().get_text_range()) for page in pdf]
    finally:
        pdf.close()


# ------------------------------------------------------------------ formatting


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        ([(2022, m) for m in range(1, 13)], "jan–dec 2022"),
        ([(2022, 3), (2022, 6), (2022, 11)], "mrt, jun, nov 2022"),
        ([(2022, 9), (2022, 10)], "sep–okt 2022"),
        ([(2022, 11), (2022, 12), (2023, 1)], "nov–dec 2022, jan 2023"),
        ([], ""),
    ],
)
def test_planned_months_read_as_a_planning_table_writes_them(months, expected):
    dates = [datetime.date(year, month, 1) for year, month in months]
    assert exporting.format_months(dates) == expected


def test_money_in_dutch_notation():
    assert exporting.format_money(Decimal("79998.00")) == "€ 79.998"
    assert exporting.format_money(Decimal("1200.5")) == "€ 1.200,50"
    assert exporting.format_money(None) == ""


# ------------------------------------------------------------------ the structure


def test_document_is_read_with_a_fixed_number_of_queries(agenda, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        document = exporting.build_document(agenda)
    headings = [section.heading for section in document.spearheads]
    assert headings == [
        "Speerpunt 1: Integrale aanpak",
        "Speerpunt 2: Gelijke kansen",
        "Algemene doelen",
    ]
    planmatig = document.spearheads[0].goals[0]
    assert [a.title for a in planmatig.main_activities] == [
        "Vanuit een netwerkstructuur werken onderwijs en jeugdprofessionals samen."
    ]
    assert [a.title for a in planmatig.sub_activities] == [
        "Thematische netwerkbijeenkomsten",
        "Kennisdeling en deskundigheidsbevordering",
    ]
    assert planmatig.planning == ["Netwerkbijeenkomsten: juni", "Kennisdeling: nov"]
    # Goals without a spearhead are 'Algemeen' in the planning table, first and last, as
    # in seed 002.
    assert [group.label for group in document.planning] == [
        "Algemeen",
        "Integrale aanpak",
        "Gelijke kansen",
        "Algemeen",
    ]
    assert document.spearheads[0].goals[1].planning == [
        "Vraag en aanbod lokale jeugdactiviteiten afstemmen: apr–jun 2022"
    ]


def test_funding_totals_per_source_and_year_come_from_sql(agenda, django_assert_num_queries):
    """Peuterplus 2022: Leerdam the whole year, Vianen four months (0,3333 location-year),
    each half OAB, half jeugdzorg: € 60.000 + € 19.998 per source, all 'circa'."""
    with django_assert_num_queries(4):
        overview = exporting.funding_totals(agenda)
    assert overview.years == [2022, 2023]
    rows = {row.source: row for row in overview.rows}
    assert list(rows) == [FundingSource.OAB, FundingSource.NPO, FundingSource.YOUTH_CARE]
    assert rows["oab"].cells[0].amount == Decimal("79998.00")
    assert rows["oab"].cells[0].text == "ca. € 79.998"
    assert rows["oab"].cells[1].amount is None
    assert rows["youth_care"].total.amount == Decimal("79998.00")
    assert rows["npo"].cells[1].text == "€ 5.000"
    assert rows["npo"].realised == "€ 1.200,50"
    assert [cell.amount for cell in overview.year_totals] == [
        Decimal("159996.00"),
        Decimal("5000.00"),
    ]
    assert overview.total.amount == Decimal("164996.00")
    assert overview.total.is_estimate


def test_document_always_shows_live_data(agenda):
    from kansrijk.agenda import services

    goal = Goal.objects.get(agenda=agenda, external_id="voorveld")
    services.save_item(goal, actor=None, indicator_text="Meer jeugdigen doen mee (nulmeting 2022).")
    content = exporting.export_agenda(agenda, "docx")
    text = " ".join(" ".join(row) for t in docx_tables(content) for row in table_rows(t))
    assert "Meer jeugdigen doen mee (nulmeting 2022)." in text
    assert "Gebruik maken van Jeugdmonitoren GGD." not in text


# ------------------------------------------------------------------ DOCX


def test_docx_has_the_four_column_table_per_spearhead(agenda):
    content = exporting.export_agenda(agenda, "docx")
    document = Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "Speerpunt 1: Integrale aanpak" in headings
    assert "Speerpunt 2: Gelijke kansen" in headings
    assert "Planning" in headings
    goal_tables = [
        t for t in document.tables if len(t.columns) == 4 and "Doel" in t.rows[0].cells[0].text
    ]
    assert len(goal_tables) == 3  # two spearheads and the general goals
    header = table_rows(goal_tables[0])[0]
    assert header == [
        "Wat willen we bereiken? Doel",
        "Hoe meten we dat? Indicator",
        "Wat doen we daarvoor? Hoofdactiviteit(en)",
        "Wat doen we daarvoor? Subactiviteit(en)",
    ]
    # A real header row, repeated on every page.
    assert goal_tables[0].rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    rows = [row for table in goal_tables for row in table_rows(table)[1:]]
    for goal in Goal.objects.filter(agenda=agenda, external_id__in=GOALS_WITH_SPEARHEAD):
        [row] = [row for row in rows if row[0] == f"{goal.number}. {goal.text}"]
        assert row[1] == goal.indicator_text
    planmatig = next(row for row in rows if row[0].startswith("2. Planmatig"))
    assert (
        planmatig[2] == "Vanuit een netwerkstructuur werken onderwijs en jeugdprofessionals samen."
    )
    assert (
        planmatig[3] == "Thematische netwerkbijeenkomsten Kennisdeling en deskundigheidsbevordering"
    )
    bullets = goal_tables[0].rows[1].cells[3].paragraphs
    assert [p.style.name for p in bullets] == ["List Bullet", "List Bullet"]


def test_docx_has_planning_cards_funding_and_commitments(agenda):
    tables = docx_tables(exporting.export_agenda(agenda, "docx"))
    planning = next(t for t in tables if t.rows[0].cells[0].text == "Speerpunt")
    rows = table_rows(planning)
    assert rows[0] == ["Speerpunt", "Doel", "Planning activiteiten"]
    assert [
        "Algemeen",
        "1. Besluitvorming in gemeenten en informatiefase partners.",
        "Besluitvorming: Eind 2021",
    ] in rows
    assert [
        "Integrale aanpak",
        "2. Planmatig en vroegtijdig samenwerken om effectieve en kwalitatieve ondersteuning "
        "te bieden.",
        "Netwerkbijeenkomsten: juni Kennisdeling: nov",
    ] in rows
    assert [
        "Gelijke kansen",
        "7. We stimuleren schoolaanwezigheid.",
        "Monitoren op regio niveau: jan-dec",
    ] in rows

    card = next(t for t in tables if t.rows[0].cells[0].text == "Betrokken partijen")
    card_rows = dict(tuple(row) for row in table_rows(card))
    assert card_rows["Doelgroep"] == "Peuters 2 tot 4 jaar met uitdagingen"
    assert card_rows["Leeftijd"] == "2 tot en met 4 jaar"
    assert card_rows["Financiering"].startswith("Totale kosten circa € 120.000 per locatie")
    funding_lines = card_rows["Financieringsregels"]
    # The payer where the source names one (decision 0038), and no guess where it does not.
    assert (
        "2022 · onderwijsachterstandenmiddelen (OAB): € 60.000 (circa, € 120.000 per "
        "locatie per jaar × 50%), betaald door Gemeente Beverwijk. Leerdam geheel 2022"
        in funding_lines
    )
    assert funding_lines.count("betaald door") == 1
    assert (
        "€ 19.998 (circa, € 120.000 per locatie per jaar × 0,3333 × 50%)"
        in card_rows["Financieringsregels"]
    )
    assert card_rows["Totaal begroot"] == "ca. € 159.996"
    assert card_rows["Draagt bij aan doel"] == "7. We stimuleren schoolaanwezigheid."

    funding = next(t for t in tables if t.rows[0].cells[0].text == "Bron")
    funding_rows = table_rows(funding)
    assert funding_rows[0] == ["Bron", "2022", "2023", "Totaal", "Gerealiseerd"]
    assert funding_rows[1] == [
        "onderwijsachterstandenmiddelen (OAB)",
        "ca. € 79.998",
        "–",
        "ca. € 79.998",
        "–",
    ]
    assert funding_rows[-1] == ["Totaal", "ca. € 159.996", "€ 5.000", "ca. € 164.996", "€ 1.200,50"]

    commitments = next(t for t in tables if t.rows[0].cells[0].text == "Afspraak")
    assert table_rows(commitments)[2] == [
        "Organiseert minimaal 1 keer per jaar een kennissessie",
        "Gemeente Beverwijk",
        "minimaal 1 keer per jaar",
    ]


# ------------------------------------------------------------------ PDF


def test_pdf_has_goals_and_planning_and_page_one_is_rendered(agenda):
    import pypdfium2 as pdfium

    content = exporting.export_agenda(agenda, "pdf")
    assert content.startswith(b"%PDF")
    pages = pdf_pages_text(content)
    text = " ".join(pages)
    assert "Uitvoeringsagenda onderwijs-jeugd Proefregio" in pages[0]
    assert "Vastgesteld op 1 oktober 2021 door OOGO Midden-Kennemerland" in pages[0]
    assert "Inhoudsopgave" in pages[0]
    for goal in Goal.objects.filter(agenda=agenda):
        assert goal.text in text
        assert goal.indicator_text in text
    for line in [
        "Netwerkbijeenkomsten: juni",
        "Kennisdeling: nov",
        "Monitoren op regio niveau: jan-dec",
        "Vraag en aanbod lokale jeugdactiviteiten afstemmen: apr–jun 2022",
        "Tussentijdse evaluatie: Begin 2023",
        "Interventie | Peuterplus",
        "Peuters 2 tot 4 jaar met uitdagingen",
        "ca. € 164.996",
        "minimaal 1 keer per jaar",
    ]:
        assert line in text, line
    planning_page = next(page for page in pages if "Planning activiteiten" in page)
    assert "Algemeen" in planning_page and "Gelijke kansen" in planning_page

    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    pdf = pdfium.PdfDocument(content)
    try:
        width, height = pdf[0].get_size()
        assert round(width / 72 * 25.4) == 210 and round(height / 72 * 25.4) == 297  # A4
        image = pdf[0].render(scale=1.5).to_pil()
        image.save(SCREENSHOT_DIR / "agenda-export-page1.png")
    finally:
        pdf.close()
    assert (SCREENSHOT_DIR / "agenda-export-page1.png").stat().st_size > 10_000


def test_pdf_fetches_nothing_from_outside():
    from kansrijk.reports.pdf import local_url_fetcher

    fetcher = local_url_fetcher()
    for url in [
        "http://example.org/logo.png",
        "https://fonts.example.org/a.woff2",
        "file:///etc/passwd",
    ]:
        with pytest.raises(ValueError, match="niets van buiten"):
            fetcher.fetch(url)
    static_file = Path(settings.PACKAGE_DIR) / "static" / "kansrijk" / "kansrijk.css"
    response = fetcher.fetch(static_file.as_uri())
    assert response is not None


# ------------------------------------------------------------------ XLSX and CSV


def test_csv_is_utf8_with_bom_and_guards_formulas(agenda):
    content = exporting.export_agenda(agenda, "csv")
    assert content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(rows[0]) == exporting.COLUMNS
    theme = next(row for row in rows if row["external_id"] == "rekenen")
    assert theme["background"] == "'=1+1 is hier geen formule"
    assert theme["sources"] == "'@bron; -min; +plus; 'quote"
    activity = next(row for row in rows if row["external_id"] == "handreiking")
    assert activity["status"] == "lopend"
    assert activity["progress"] == "40"
    monitoring = next(row for row in rows if row["external_id"] == "plan-monitoren")
    assert monitoring["months"].startswith("2022-01|2022-02|")
    line = next(row for row in rows if row["external_id"] == "peuterplus-2022-vianen-oab")
    assert (line["unit_amount"], line["quantity"], line["share"], line["planned_amount"]) == (
        "120000.00",
        "0.3333",
        "0.5000",
        "19998.00",
    )
    # Children never come before their parents.
    ids = [row["external_id"] for row in rows if row["type"] == "activity"]
    assert ids.index("netwerkstructuur") < ids.index("netwerkbijeenkomsten")


def test_xlsx_writes_text_never_formulas(agenda):
    content = exporting.export_agenda(agenda, "xlsx")
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Agenda", "Toelichting"]
    sheet = workbook["Agenda"]
    formulas = [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
    header = [cell.value for cell in sheet[1]]
    assert header == exporting.COLUMNS
    rows = [dict(zip(header, [c.value for c in row], strict=True)) for row in sheet.iter_rows(2)]
    theme = next(row for row in rows if row["external_id"] == "rekenen")
    assert theme["background"] == "'=1+1 is hier geen formule"
    line = next(row for row in rows if row["external_id"] == "handreiking-npo-2023")
    assert line["planned_amount"] == 5000 and line["realised_amount"] == 1200.5


def test_one_exporter_base_guards_both_formats():
    from kansrijk.reports import exporting as base

    assert issubclass(exporting.CsvExporter, base.TabularExporter)
    assert issubclass(exporting.AgendaXlsxExporter, base.XlsxExporter)
    for value in ["=SUM(A1)", "+31 6", "-5", "@x", "\tx", "'=x", "''", "'plain", "plain", ""]:
        guarded = base.guard_formula(value)
        assert not guarded.startswith(("=", "+", "-", "@", "\t"))
        assert base.unguard_formula(guarded) == value


# ------------------------------------------------------------------ the command


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx", "csv"])
def test_export_command_writes_the_file(agenda, tmp_path, fmt):
    target = tmp_path / f"agenda.{fmt}"
    out = io.StringIO()
    call_command("export_agenda", agenda.slug, "--format", fmt, "-o", str(target), stdout=out)
    assert (
        target.read_bytes()[:4]
        == {
            "docx": b"PK\x03\x04",
            "xlsx": b"PK\x03\x04",
            "pdf": b"%PDF",
            "csv": "\ufefft".encode()[:4],
        }[fmt]
    )
    assert str(target) in out.getvalue()


def test_export_command_refuses_an_unknown_agenda():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="geen agenda"):
        call_command("export_agenda", "bestaat-niet", "--format", "pdf", "-o", "/dev/null")


# ------------------------------------------------------------------ web downloads


@pytest.mark.parametrize("fmt", ["docx", "pdf", "xlsx", "csv"])
def test_anyone_may_download_a_public_agenda(client, public_agenda, fmt):
    # Built by the worker as one shared document, followed by its token (decision 0051).
    started = client.get(reverse("agenda_io:export", args=[public_agenda.slug, fmt]))
    assert started.status_code == 303
    assert started["Location"].startswith("/documenten/openbaar/")
    response = fetch_document(client, reverse("agenda_io:export", args=[public_agenda.slug, fmt]))
    assert response.status_code == 200
    assert response["Content-Type"] == exporting.CONTENT_TYPES[fmt]
    assert response["Content-Disposition"] == f'attachment; filename="proefregio-openbaar.{fmt}"'
    assert response["Cache-Control"] == "no-store"


def test_a_non_public_agenda_is_not_found_for_outsiders(
    client, agenda, make_member, other_municipality_organisation
):
    url = reverse("agenda_io:export", args=[agenda.slug, "pdf"])
    assert client.get(url).status_code == 404  # anonymous
    client.force_login(make_member(other_municipality_organisation, Role.POLICY_OFFICER))
    assert client.get(url).status_code == 404
    assert client.get(reverse("agenda_io:export", args=["bestaat-niet", "pdf"])).status_code == 404


def test_members_of_an_owner_may_download(client, agenda, make_member):
    owner = agenda.owners.get()
    client.force_login(make_member(owner, Role.READER))
    # A logged-in user's document is built by the worker: the link leads to its job.
    response = fetch_document(client, reverse("agenda_io:export", args=[agenda.slug, "docx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{agenda.slug}.docx"'
    assert response["Cache-Control"] == "no-store"
    assert Document(io.BytesIO(response.content)).core_properties.title == agenda.title


def test_a_members_download_starts_a_job_in_every_format(client, agenda, make_member):
    client.force_login(make_member(agenda.owners.get(), Role.READER))
    for fmt in ("pdf", "csv"):
        started = client.get(reverse("agenda_io:export", args=[agenda.slug, fmt]))
        assert started.status_code == 303
        assert started["Location"].startswith("/documenten/")
    direct = fetch_document(client, reverse("agenda_io:export", args=[agenda.slug, "csv"]))
    assert direct.status_code == 200
    assert direct["Content-Type"] == exporting.CONTENT_TYPES["csv"]


def test_unknown_format_is_not_a_page(client, public_agenda):
    assert client.get(f"/agenda/{public_agenda.slug}/export.odt").status_code == 404


# ------------------------------------------------------------------ the real seed


@pytest.fixture
def midden_kennemerland():
    """Seed 002 from demo_data, with only the organisations it names."""
    for code, name in {
        "GM0375": "Beverwijk",
        "GM0383": "Castricum",
        "GM0396": "Heemskerk",
        "GM0450": "Uitgeest",
        "GM0453": "Velsen",
    }.items():
        factories.MunicipalityOrganisationFactory(
            municipality=factories.MunicipalityFactory(code=code, name=name),
            name=f"Gemeente {name}",
        )
    factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    factories.PartnershipFactory(code="VO2704", name="Samenwerkingsverband VO Midden-Kennemerland")
    for name in [
        "Het Leerplein (RBL Zuid-Kennemerland en IJmond)",
        "Centrum voor Jeugd en Gezin (CJG) Midden-Kennemerland",
        "GGD (Gemeentelijke Gezondheidsdienst)",
    ]:
        factories.OrganisationFactory(name=name)
    return load_agenda_file(AGENDA_DIR / "midden-kennemerland.toml")


@pytest.mark.skipif(
    not (AGENDA_DIR / "midden-kennemerland.toml").exists(), reason="seed 002 not entered yet"
)
def test_seed_002_as_docx_and_pdf(midden_kennemerland):
    agenda = midden_kennemerland
    goals = list(Goal.objects.filter(agenda=agenda).exclude(spearhead=None))
    assert len(goals) >= 12

    tables = docx_tables(exporting.export_agenda(agenda, "docx"))
    rows = [
        row
        for table in tables
        if len(table.columns) == 4 and "Doel" in table.rows[0].cells[0].text
        for row in table_rows(table)[1:]
    ]
    for goal in goals:
        matching = [row for row in rows if row[0] == squashed(f"{goal.number}. {goal.text}")]
        assert len(matching) == 1, goal.text
        assert matching[0][1] == squashed(goal.indicator_text)
        for main in Activity.objects.filter(goal=goal, kind="main", parent=None):
            assert squashed(main.title) in matching[0][2]
            for sub in main.children.all():
                assert squashed(sub.title) in matching[0][3], sub.title

    text = " ".join(pdf_pages_text(exporting.export_agenda(agenda, "pdf")))
    assert "Speerpunt 1: Integrale aanpak" in text
    assert "Speerpunt 3: De beweging naar inclusie" in text
    for goal in goals:
        assert squashed(goal.text) in text, goal.text
    # Line breaks in the PDF hyphenate words and split them over lines: compare letters.
    letters = re.sub(r"[\W_]+", "", text)
    for activity in Activity.objects.filter(agenda=agenda, kind__in=["main", "sub"]):
        assert re.sub(r"[\W_]+", "", activity.title) in letters, activity.title
    # The planning column: the activities with a planning of their own.
    planning = Activity.objects.filter(agenda=agenda).exclude(planned_text="")
    assert planning.exists()
    for line in planning:
        assert re.sub(r"[\W_]+", "", line.title) in letters, line.title
