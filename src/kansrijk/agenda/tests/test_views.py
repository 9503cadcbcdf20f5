"""The agenda pages: who may see and change what (the user trio), what each page shows,
and that list pages keep a constant number of queries as the agenda grows.

The test agenda is a small TOML file in the seeds' own words (seed 002 for the tree and
the planning, seed 004 for the Peuterplus card, its money and the commitments), loaded
with the real loader."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path
from string import Template

import pytest
import time_machine
from django.contrib import admin
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from kansrijk.agenda import services
from kansrijk.agenda.admin import ActivityAdmin, NominationAdmin
from kansrijk.agenda.commitments import BEHIND, LATE, ON_SCHEDULE, commitment_status
from kansrijk.agenda.demo import load_agenda_file, load_all_agendas
from kansrijk.agenda.models import (
    Activity,
    ActivityKind,
    Agenda,
    AgendaStatus,
    Commitment,
    FundingLine,
    Goal,
    Intervention,
    Nomination,
    NominationStatus,
    ProgressNote,
    WorkStatus,
)
from kansrijk.agenda.templatetags.agenda_tags import (
    export_links,
    funding_basis,
    money,
    month_ranges,
)
from kansrijk.agenda.views import funding_bar_chart, month_range
from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.demo import load_demo_organisations
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.organisations.reference_data import load_reference_data
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

SLUG = "voorbeeldstad-2022-2024"

SAMPLE_TOML = Template('''
[agenda]
slug = "$slug"
title = "$title"
subtitle = "Samen voor kansrijk opgroeien"
kind = "execution_agenda"
owners = ["$gemeente", "$swv"]
regions = ["$region"]
period_start = "2022-01-01"
period_end = "2024-12-31"
vision = """Ieder kind heeft recht op optimale kansen om zich te ontwikkelen, thuis, op school en in de vrije tijd."""
status = "$status"
is_public = $public
source = "test, naar seed 002 en seed 004"

[[theme]]
id = "normaliseren"
kind = "cross_cutting"
title = "Normaliseren"
background = "Jeugdigen en hun ouders leren omgaan met tegenslag en leren dat dat bij opgroeien hoort."

[[spearhead]]
id = "sp1"
number = "1"
title = "Integrale aanpak"
description = "Een goede samenwerking tussen jeugdvoorzieningen en het onderwijs is hiervoor cruciaal."
intended_result = "We hebben in onze regio een pedagogisch sterke structuur waarin we een effectief en preventief aanbod organiseren."
priority = 1

[[spearhead]]
id = "sp2"
number = "2"
title = "Gelijke kansen"
intended_result = "Gelijke kansen en talentontwikkeling voor iedere jeugdige."
priority = 2

[[goal]]
id = "doel-01"
number = "1"
text = "Besluitvorming in gemeenten en informatiefase partners."

[[goal]]
id = "doel-02"
spearhead = "sp1"
number = "2"
text = "Planmatig en vroegtijdig samenwerken (onderwijs, jeugd, veiligheid, etc.) om effectieve en kwalitatieve ondersteuning te bieden."
indicator_text = "Kwalitatieve evaluatie: alle netwerkpartners kennen elkaars rollen, verantwoordelijkheden en taken."
priority = "hoog"
themes = ["normaliseren"]

[[goal]]
id = "doel-07"
spearhead = "sp2"
number = "7"
text = "We stimuleren schoolaanwezigheid."
indicator_text = "De RMC-regio monitort schoolaanwezigheid, analyseren, bijstellen."

[[activity]]
id = "doel-01-planning-1"
goal = "doel-01"
kind = "planning"
title = "Besluitvorming in gemeenten en informatiefase partners"
planned_text = "Eind 2021"
months = ["2021-12"]

[[activity]]
id = "doel-02-hoofd-1"
goal = "doel-02"
kind = "main"
title = "Vanuit een netwerkstructuur werken onderwijs en jeugdprofessionals samen."
status = "running"
months = ["2022-03"]
involvements = [{organisation = "$gemeente", role = "lead"}, {party = "jeugdteams", role = "partner"}]

[[activity]]
id = "doel-02-sub-1"
goal = "doel-02"
parent = "doel-02-hoofd-1"
kind = "sub"
title = "Thematische netwerkbijeenkomsten"
status = "done"
progress = 100

[[activity]]
id = "doel-02-sub-2"
goal = "doel-02"
parent = "doel-02-hoofd-1"
kind = "sub"
title = "Kennisdeling en deskundigheidsbevordering"
status = "running"
progress = 40

[[activity]]
id = "doel-02-sub-3"
goal = "doel-02"
parent = "doel-02-hoofd-1"
kind = "sub"
title = "Kijkje in elkaars keuken"
status = "cancelled"
progress = 0

[[activity]]
id = "doel-02-planning-1"
goal = "doel-02"
kind = "planning"
title = "Netwerkbijeenkomsten"
planned_text = "juni"
months = ["2022-06"]
involvements = [{organisation = "$library", role = "lead"}]

[[activity]]
id = "doel-07-hoofd-1"
goal = "doel-07"
kind = "main"
title = "Handreiking schoolaanwezigheid (voorheen verzuim) vaststellen."
months = ["2022-01"]
involvements = [{organisation = "$swv", role = "lead"}]

[[activity]]
id = "doel-07-planning-1"
goal = "doel-07"
kind = "planning"
title = "Overleggen op school"
planned_text = "jan-dec"
months = ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12"]

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
activities_text = "Koppeling jeugdzorg en peuteropvang om kinderen van 2 tot 4 jaar met ontwikkelings- en/of hechtingsproblemen al vroeg extra te ondersteunen."
monitoring_text = "Elk jaar evaluatie, continue monitoring"
financing_text = "Totale kosten circa € 120.000 per locatie per jaar; helft uit gemeentelijke OAB middelen, helft uit jeugdzorg middelen."
online_information = "www.vijfheerenlanden.nl"
contact = "Gemeente Vijfheerenlanden Marjan Kamp Beleidsadviseur"
goals = ["doel-07"]
months = ["2022-01", "2022-02", "2022-03", "2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12"]
involvements = [{organisation = "$library", role = "lead"}]
status = "running"

[[funding]]
id = "peuterplus-leerdam-oab-2022"
intervention = "peuterplus"
year = 2022
source = "oab"
payer = "$gemeente"
unit_amount = 120000
unit = "per locatie per jaar"
quantity = 1
share = 0.5
is_estimate = true
notes = "Leerdam, geheel 2022"

[[funding]]
id = "peuterplus-leerdam-jeugdzorg-2022"
intervention = "peuterplus"
year = 2022
source = "youth_care"
unit_amount = 120000
unit = "per locatie per jaar"
quantity = 1
share = 0.5
is_estimate = true
notes = "Leerdam, geheel 2022"

[[funding]]
id = "peuterplus-vianen-oab-2022"
intervention = "peuterplus"
year = 2022
source = "oab"
payer = "$gemeente"
unit_amount = 120000
unit = "per locatie per jaar"
quantity = 0.3333
share = 0.5
is_estimate = true
notes = "Vianen vanaf september 2022"

[[funding]]
id = "peuterplus-vianen-jeugdzorg-2022"
intervention = "peuterplus"
year = 2022
source = "youth_care"
unit_amount = 120000
unit = "per locatie per jaar"
quantity = 0.3333
share = 0.5
is_estimate = true
notes = "Vianen vanaf september 2022"

[[funding]]
id = "peuterplus-oab-2023"
intervention = "peuterplus"
year = 2023
source = "oab"
planned_amount = 120000
realised_amount = 100000

[[evaluation]]
id = "tussentijds"
month = "2023-01"
planned_text = "Begin 2023"
description = "Tussentijdse evaluatie"

[[evaluation]]
id = "peuterplus-2022"
month = "2022-12"
description = "Jaarlijkse evaluatie Peuterplus"
intervention = "peuterplus"

[[commitment]]
id = "bestuurlijk-overleg"
text = "Voert twee keer per jaar bestuurlijk (wethouder) overleg met de Gelijke Kansen Alliantie"
owner = "$gemeente"
times_per_year = 2

[[commitment]]
id = "kennissessie"
text = "Organiseert minimaal 1 keer per jaar een kennissessie rondom interventies"
owner = "$gemeente"
times_per_year = 1
at_least = true

[[prize]]
name = "Onderwijsprijs"
organiser = "$gemeente"
year = 2023
nominations_open = true
''')


def write_sample_agenda(
    directory: Path,
    network: dict,
    *,
    slug: str = SLUG,
    title: str = "Uitvoeringsagenda Onderwijs-Jeugd Voorbeeldstad",
    status: str = "adopted",
    public: bool = False,
) -> Path:
    path = directory / f"{slug}.toml"
    path.write_text(
        SAMPLE_TOML.substitute(
            slug=slug,
            title=title,
            gemeente=network["gemeente"].code,
            swv=network["swv"].code,
            library=network["library"].name,
            region=network["gemeente"].municipality.code,
            status=status,
            public="true" if public else "false",
        ),
        encoding="utf-8",
    )
    return path


def load_sample_agenda(directory: Path, network: dict, **options) -> Agenda:
    return load_agenda_file(write_sample_agenda(directory, network, **options))


def build_network(gemeente) -> dict:
    """The owners and partners of the sample agenda around ``gemeente``."""
    region = gemeente.municipality
    swv = factories.PartnershipFactory(name="Samenwerkingsverband Voorbeeldstad")
    swv.served_regions.add(region)
    library = factories.OrganisationFactory(
        kind=OrganisationKind.LIBRARY, name="Bibliotheek Voorbeeldstad", municipality=region
    )
    return {"gemeente": gemeente, "swv": swv, "library": library, "region": region}


@pytest.fixture
def agenda(tmp_path, network):
    """Adopted, not public: for members only."""
    return load_sample_agenda(tmp_path, network)


@pytest.fixture
def public_agenda(tmp_path, network):
    return load_sample_agenda(
        tmp_path, network, slug="openbare-agenda", title="Openbare agenda", public=True
    )


@pytest.fixture
def trio(user_trio):
    return user_trio()


@pytest.fixture
def partner(make_member, network):
    """A member of the library, which leads the Peuterplus and one planning line."""
    return make_member(network["library"], Role.PARTNER)


def url(name, *args):
    return reverse(f"agenda:{name}", args=args)


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))
    return re.sub(r" ([:;,.)])", r"\1", text)


AGENDA_PAGES = ["detail", "planning", "planning_table", "financing", "commitments", "versions"]


# ------------------------------------------------------------------ visibility


@pytest.mark.parametrize("page", AGENDA_PAGES)
def test_a_closed_agenda_is_for_members_only(client, trio, agenda, page):
    assert client.get(url(page, SLUG)).status_code == 404
    for who in ("member", "other_role"):
        client.force_login(trio[who])
        assert client.get(url(page, SLUG)).status_code == 200, who
    client.force_login(trio["other_organisation"])
    assert client.get(url(page, SLUG)).status_code == 404


@pytest.mark.parametrize("page", AGENDA_PAGES)
def test_a_public_agenda_opens_without_login(client, trio, public_agenda, page):
    assert client.get(url(page, public_agenda.slug)).status_code == 200
    client.force_login(trio["other_organisation"])
    assert client.get(url(page, public_agenda.slug)).status_code == 200


def test_item_pages_follow_the_agenda(client, trio, agenda, public_agenda):
    for slug, expected in [(SLUG, 404), (public_agenda.slug, 200)]:
        assert client.get(url("activity", slug, "doel-02-hoofd-1")).status_code == expected
        assert client.get(url("intervention", slug, "peuterplus")).status_code == expected
    client.force_login(trio["other_role"])
    assert client.get(url("intervention", SLUG, "peuterplus")).status_code == 200
    assert client.get(url("intervention", SLUG, "bestaat-niet")).status_code == 404


def test_the_list_shows_what_each_user_may_see(client, trio, agenda, public_agenda):
    assert public_agenda.title in main_text(client.get(url("list")))
    assert agenda.title not in main_text(client.get(url("list")))
    client.force_login(trio["member"])
    text = main_text(client.get(url("list")))
    assert agenda.title in text and public_agenda.title in text
    client.force_login(trio["other_organisation"])
    text = main_text(client.get(url("list")))
    assert agenda.title not in text and public_agenda.title in text


def test_the_list_keeps_its_number_of_queries(
    client, trio, network, tmp_path, django_assert_max_num_queries
):
    client.force_login(trio["member"])
    load_sample_agenda(tmp_path, network, slug="agenda-0")
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url("list")).status_code == 200
    for number in range(1, 6):
        load_sample_agenda(tmp_path, network, slug=f"agenda-{number}", title=f"Agenda {number}")
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(url("list"))
    assert main_text(response).count("Samenwerkingsverband Voorbeeldstad") == 6


# ------------------------------------------------------------------ the document


def test_the_document_shows_the_four_column_table(client, trio, agenda):
    client.force_login(trio["other_role"])
    response = client.get(url("detail", SLUG))
    html = response.content.decode()
    text = main_text(response)
    assert "Status: vastgesteld" in text
    assert "Speerpunt 1: Integrale aanpak" in text
    assert "Beoogd resultaat" in text and "pedagogisch sterke structuur" in text
    for header in ("Doel", "Indicator", "Hoofdactiviteit(en)", "Subactiviteit(en)"):
        assert f'scope="col">{header}</th>' in html
    assert "Integrale aanpak: doelen, indicatoren en activiteiten</caption>" in html
    row = html[html.index('id="doel-doel-02"') :]
    row = row[: row.index("</tr>")]
    assert 'scope="row"' in row
    assert "Kwalitatieve evaluatie: alle netwerkpartners" in row
    assert "Vanuit een netwerkstructuur werken onderwijs" in row
    assert "Kijkje in elkaars keuken" in row
    assert "Peuterplus" in text and "Tussentijdse evaluatie" in text
    assert "Normaliseren" in text
    # A reader sees no editing tools.
    assert "Agenda vaststellen" not in text and "Openbaar maken" not in text


def test_editors_get_the_editing_tools(client, trio, agenda):
    client.force_login(trio["member"])
    text = main_text(client.get(url("detail", SLUG)))
    assert "Opnieuw vaststellen" in text and "Openbaar maken" in text


def test_the_document_keeps_its_number_of_queries(
    client, trio, agenda, django_assert_max_num_queries
):
    client.force_login(trio["member"])
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("detail", SLUG))
    spearhead = agenda.spearheads.get(external_id="sp2")
    for number in range(10, 16):
        goal = services.save_item(
            Goal(agenda=agenda, external_id=f"doel-{number}"),
            actor=None,
            spearhead=spearhead,
            number=str(number),
            text=f"Doel {number}",
        )
        main = services.save_item(
            Activity(agenda=agenda, external_id=f"a-{number}"),
            actor=None,
            goal=goal,
            kind=ActivityKind.MAIN,
            title=f"Hoofdactiviteit {number}",
        )
        services.save_item(
            Activity(agenda=agenda, external_id=f"s-{number}"),
            actor=None,
            parent=main,
            kind=ActivityKind.SUB,
            title=f"Subactiviteit {number}",
        )
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(url("detail", SLUG))
    assert "Subactiviteit 15" in main_text(response)


def test_export_links_appear_only_when_the_exports_exist(agenda):
    links = export_links(agenda)
    assert all(link["url"].startswith("/") for link in links)
    assert {link["format"] for link in links} <= {"docx", "pdf", "xlsx", "csv"}


# ------------------------------------------------------------------ planning


def test_planning_marks_the_planned_months(client, trio, agenda):
    client.force_login(trio["member"])
    response = client.get(url("planning", SLUG))
    html = response.content.decode()
    # The agenda runs 2022-2024; "Eind 2021" widens the grid to December 2021.
    assert response.context["months"][0] == datetime.date(2021, 12, 1)
    assert response.context["months"][-1] == datetime.date(2024, 12, 1)
    assert '<abbr title="december 2021">dec</abbr>' in html
    rows = {row["item"].external_id: row for row in response.context["activity_rows"]}
    assert set(rows) == {
        "doel-01-planning-1",
        "doel-02-hoofd-1",
        "doel-02-planning-1",
        "doel-07-hoofd-1",
        "doel-07-planning-1",
    }
    assert sum(rows["doel-07-planning-1"]["cells"]) == 12
    assert sum(rows["doel-02-planning-1"]["cells"]) == 1
    planned = 12 + 1 + 1 + 1 + 1 + 12  # activities + the Peuterplus
    assert html.count('<span class="kansrijk-visually-hidden">gepland</span>') == planned
    assert 'scope="colgroup" colspan="12">2022</th>' in html


def test_planning_filters(client, trio, agenda, network):
    client.force_login(trio["member"])
    by_spearhead = client.get(url("planning", SLUG), {"speerpunt": "sp2"})
    assert {r["item"].external_id for r in by_spearhead.context["activity_rows"]} == {
        "doel-07-hoofd-1",
        "doel-07-planning-1",
    }
    assert [r["item"].name for r in by_spearhead.context["intervention_rows"]] == ["Peuterplus"]
    by_organisation = client.get(url("planning", SLUG), {"organisatie": network["library"].pk})
    assert [r["item"].external_id for r in by_organisation.context["activity_rows"]] == [
        "doel-02-planning-1"
    ]
    by_status = client.get(url("planning", SLUG), {"status": "running"})
    assert [r["item"].external_id for r in by_status.context["activity_rows"]] == [
        "doel-02-hoofd-1"
    ]
    one_year = client.get(url("planning", SLUG), {"jaar": "2022"})
    assert len(one_year.context["months"]) == 12
    html = one_year.content.decode()
    assert '<label class="utrecht-form-label" for="id_speerpunt">Speerpunt</label>' in html
    assert "Wis de filters" in html


def test_the_planning_table_groups_goals_as_the_document(client, trio, agenda):
    client.force_login(trio["member"])
    response = client.get(url("planning_table", SLUG))
    html = response.content.decode()
    text = main_text(response)
    assert "Planning activiteiten 2022" in text
    assert [
        g["spearhead"].title if g["spearhead"] else None for g in response.context["groups"]
    ] == [
        None,
        "Integrale aanpak",
        "Gelijke kansen",
    ]
    assert 'scope="rowgroup" rowspan="1">Algemeen</th>' in html
    assert "Netwerkbijeenkomsten</a>: juni" in html
    assert "Besluitvorming in gemeenten en informatiefase partners</a>: Eind 2021" in html


def test_this_month_needs_a_login(client):
    response = client.get(url("this_month"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_this_month_for_my_organisation(client, trio, partner, agenda):
    client.force_login(partner)
    text = main_text(client.get(url("this_month"), {"maand": "2022-06"}))
    assert "Netwerkbijeenkomsten" in text and "Peuterplus" in text
    assert "Bibliotheek Voorbeeldstad (voortrekker)" in text
    assert "Overleggen op school" not in text  # nobody of the library is involved
    client.force_login(trio["member"])
    text = main_text(client.get(url("this_month"), {"maand": "2022-03"}))
    assert "Vanuit een netwerkstructuur" in text and "Netwerkbijeenkomsten" not in text
    text = main_text(client.get(url("this_month"), {"maand": "2023-01"}))
    assert "Tussentijdse evaluatie" in text
    client.force_login(trio["other_organisation"])
    text = main_text(client.get(url("this_month"), {"maand": "2023-01"}))
    assert "Tussentijdse evaluatie" not in text


@time_machine.travel(datetime.datetime(2023, 8, 15, 12, 0), tick=False)
def test_this_month_shows_overdue_commitments(client, trio, agenda):
    commitment = Commitment.objects.get(agenda=agenda, external_id="bestuurlijk-overleg")
    services.record_commitment_occurrence(
        commitment, actor=trio["member"], date=datetime.date(2022, 5, 1)
    )
    client.force_login(trio["member"])
    text = main_text(client.get(url("this_month")))
    assert "Deze maand: augustus 2023" in text
    assert "Voert twee keer per jaar bestuurlijk" in text
    assert "2022: 1 van 2, te laat" in text
    assert "2023: 0 van 2, achter" in text


# ------------------------------------------------------------------ interventions, activities


def test_the_intervention_card(client, trio, agenda):
    client.force_login(trio["other_role"])
    response = client.get(url("intervention", SLUG, "peuterplus"))
    text = main_text(response)
    for expected in (
        "Betrokken partijen",
        "SKCN, Enver, Driegang, Sociaal Team, gemeente",
        "Leerdam geheel 2022; Vianen vanaf september 2022",
        "Peuters 2 tot 4 jaar met uitdagingen",
        "Leeftijd: 2 tot en met 4 jaar",
        "Gepland in: jan–dec 2022",
        "€ 120.000 per locatie per jaar × ½",
        "€ 120.000 per locatie per jaar × 4/12 × ½",
        "circa € 60.000",
        "circa € 19.998",
        "circa € 279.996",
        "€ 100.000",
        "Jaarlijkse evaluatie Peuterplus",
    ):
        assert expected.replace("\N{NO-BREAK SPACE}", " ") in text.replace("\xa0", " "), expected
    assert response.context["form"] is None  # a reader may not update


def test_progress_permissions_on_an_intervention(client, trio, partner, agenda):
    page = url("intervention", SLUG, "peuterplus")
    data = {"status": "done", "progress": "100", "note": "Vianen is gestart.", "date": "2022-09-05"}
    assert client.post(page, data).status_code == 404  # not public: not there for anonymous
    client.force_login(trio["other_role"])
    assert client.post(page, data).status_code == 403
    client.force_login(partner)
    assert client.get(page).context["form"] is not None
    response = client.post(page, data | {"is_milestone": "on"})
    assert response.status_code == 302 and response["Location"] == page
    peuterplus = Intervention.objects.get(agenda=agenda, external_id="peuterplus")
    assert (peuterplus.status, peuterplus.progress) == (WorkStatus.DONE, 100)
    note = ProgressNote.objects.get(intervention=peuterplus)
    assert (note.text, note.is_milestone, note.date) == (
        "Vianen is gestart.",
        True,
        datetime.date(2022, 9, 5),
    )
    text = main_text(client.get(page))
    assert "Mijlpaal" in text and "Vianen is gestart." in text
    assert str(partner) in text  # the history says who


def test_the_partner_updates_what_it_leads_and_nothing_else(client, partner, agenda):
    client.force_login(partner)
    own = url("activity", SLUG, "doel-02-planning-1")
    other = url("activity", SLUG, "doel-02-hoofd-1")
    assert client.get(own).context["form"] is not None
    assert client.get(other).context["form"] is None
    assert client.post(other, {"status": "done"}).status_code == 403
    assert client.post(own, {"status": "running", "progress": "50"}).status_code == 302
    activity = Activity.objects.get(agenda=agenda, external_id="doel-02-planning-1")
    assert (activity.status, activity.progress) == (WorkStatus.RUNNING, 50)
    assert Activity.objects.get(external_id="doel-02-hoofd-1").status == WorkStatus.RUNNING


def test_a_bad_progress_is_refused_in_dutch(client, trio, agenda):
    client.force_login(trio["member"])
    response = client.post(
        url("activity", SLUG, "doel-02-planning-1"), {"status": "running", "progress": "120"}
    )
    assert response.status_code == 200
    assert "Controleer het formulier" in main_text(response)
    assert "Zorg ervoor dat deze waarde hoogstens 100 is." in main_text(response)


def test_a_parent_shows_the_rolled_up_progress(client, trio, agenda):
    client.force_login(trio["member"])
    response = client.get(url("activity", SLUG, "doel-02-hoofd-1"))
    text = main_text(response)
    assert response.context["progress"] == 70  # (100 + 40) / 2, the cancelled one left out
    assert "Voortgang: 70%" in text
    assert "gemiddelde van de subactiviteiten met een voortgang; vervallen" in text
    assert "progress" not in response.context["form"].fields  # calculated, not entered
    assert "jeugdteams (partner)" in text
    assert "mrt 2022" in text


def test_the_activity_history_says_who_and_when(client, trio, public_agenda):
    client.force_login(trio["member"])
    page = url("activity", public_agenda.slug, "doel-07-hoofd-1")
    client.post(page, {"status": "postponed", "note": "Na de zomer."})
    text = main_text(client.get(page))
    assert "Geschiedenis" in text
    assert str(trio["member"]) in text and "Gewijzigd: status" in text
    assert "Aangemaakt" in text and "systeem (import)" in text
    # Anonymous readers of a public agenda read the notes, but not who wrote what.
    client.logout()
    response = client.get(page)
    assert response.context["history"] == [] and response.context["form"] is None
    assert "Na de zomer." in main_text(response)
    assert str(trio["member"]) not in main_text(response)
    # Posting without login leads to the login page.
    response = client.post(page, {"status": "done"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# ------------------------------------------------------------------ money


def test_financing_by_source_and_year(client, trio, agenda, django_assert_max_num_queries):
    client.force_login(trio["member"])
    response = client.get(url("financing", SLUG))
    html = response.content.decode()
    text = main_text(response).replace("\xa0", " ")
    rows = {(r["year"], r["source"]): r for y in response.context["years"] for r in y["rows"]}
    assert rows[(2022, "oab")]["planned"] == Decimal("79998.00")
    assert rows[(2022, "oab")]["estimates"] == 2
    assert rows[(2023, "oab")]["planned"] == Decimal("120000.00")
    assert rows[(2023, "oab")]["realised"] == Decimal("100000.00")
    assert response.context["total"]["planned"] == Decimal("279996.00")
    assert "circa € 279.996" in text
    assert "circa € 159.996" in text  # 2022 total
    assert "Totaal 2023" in text
    assert '<svg class="kansrijk-chart"' in html and 'role="img"' in html
    assert '<title id="chart-sources-title">' in html
    assert "Peuterplus" in text
    with CaptureQueriesContext(connection) as baseline:
        client.get(url("financing", SLUG))
    peuterplus = Intervention.objects.get(external_id="peuterplus")
    for year in (2023, 2024):
        for number in range(4):
            services.save_item(
                FundingLine(intervention=peuterplus, external_id=f"extra-{year}-{number}"),
                actor=None,
                year=year,
                source=["gka", "npo", "swv", "corona"][number],
                planned_amount=Decimal(1000),
            )
    with django_assert_max_num_queries(len(baseline)):
        client.get(url("financing", SLUG))


def test_bar_chart_geometry():
    chart = funding_bar_chart(
        [
            {"label": "OAB", "value": Decimal(200), "estimate": True},
            {"label": "NPO", "value": Decimal(50), "estimate": False},
        ]
    )
    first, second = chart["bars"]
    assert first["width"] == 420 and second["width"] == 105
    assert second["y"] > first["y"]
    assert funding_bar_chart([])["bars"] == []


def test_money_and_months_as_the_seeds_write_them():
    assert money(Decimal("120000")).replace("\xa0", " ") == "€ 120.000"
    assert money(Decimal("1234.5")).replace("\xa0", " ") == "€ 1.234,50"
    assert money(None) == "–"
    line = FundingLine(
        unit_amount=Decimal(120000),
        unit="per locatie per jaar",
        quantity=Decimal("0.3333"),
        share=Decimal("0.5"),
    )
    assert funding_basis(line).replace("\xa0", " ") == "€ 120.000 per locatie per jaar × 4/12 × ½"
    line.quantity = Decimal(2)
    assert funding_basis(line).replace("\xa0", " ") == "€ 120.000 per locatie per jaar × 2 × ½"
    assert funding_basis(FundingLine(planned_amount=Decimal(5))) == ""
    months = [datetime.date(2022, m, 1) for m in range(1, 13)]
    assert month_ranges(months) == "jan–dec 2022"
    assert month_ranges([datetime.date(2022, 3, 1), datetime.date(2022, 6, 1)]) == (
        "mrt 2022, jun 2022"
    )
    assert month_ranges([datetime.date(2022, 11, 1), datetime.date(2023, 2, 1)]) == (
        "nov 2022, feb 2023"
    )
    span = [datetime.date(2022, 11, 1), datetime.date(2022, 12, 1), datetime.date(2023, 1, 1)]
    assert month_ranges(span) == "nov 2022–jan 2023"
    assert len(month_range(datetime.date(2022, 1, 15), datetime.date(2024, 12, 31))) == 36


# ------------------------------------------------------------------ commitments


def test_commitment_status_per_year(agenda):
    overleg = Commitment.objects.select_related("agenda").get(external_id="bestuurlijk-overleg")
    for day in (datetime.date(2022, 3, 1), datetime.date(2022, 10, 1), datetime.date(2023, 2, 1)):
        services.record_commitment_occurrence(overleg, actor=None, date=day)
    years = commitment_status(overleg, datetime.date(2023, 8, 1))
    assert [(y.year, y.required, y.recorded, y.status) for y in years] == [
        (2022, 2, 2, ON_SCHEDULE),
        (2023, 2, 1, ON_SCHEDULE),  # one of two by early August: on schedule
    ]
    assert commitment_status(overleg, datetime.date(2024, 1, 10))[1].status == LATE
    assert commitment_status(overleg, datetime.date(2024, 8, 1))[2].status == BEHIND
    # After the agenda's end no year is open any more.
    assert [y.status for y in commitment_status(overleg, datetime.date(2026, 1, 1))] == [
        ON_SCHEDULE,
        LATE,
        LATE,
    ]


def test_recording_an_occurrence(client, trio, agenda):
    commitment = Commitment.objects.get(external_id="kennissessie")
    action = url("record_occurrence", SLUG, commitment.pk)
    prefix = f"afspraak-{commitment.pk}"
    data = {f"{prefix}-date": "2022-11-17", f"{prefix}-note": "Kennissessie over taal"}
    assert client.post(action, data).status_code == 302  # to the login page
    client.force_login(trio["other_role"])
    assert client.post(action, data).status_code == 403
    assert "Vastleggen dat de afspraak is nagekomen" not in main_text(
        client.get(url("commitments", SLUG))
    )
    client.force_login(trio["member"])
    response = client.post(action, data)
    assert response.status_code == 302
    occurrence = commitment.occurrences.get()
    assert (occurrence.date, occurrence.note, occurrence.recorded_by) == (
        datetime.date(2022, 11, 17),
        "Kennissessie over taal",
        trio["member"],
    )
    text = main_text(client.get(url("commitments", SLUG)))
    assert "17 november 2022: Kennissessie over taal" in text
    assert "Op schema" in text and "Te laat" in text  # 2022 kept, 2023 and 2024 missed
    bad = client.post(action, {f"{prefix}-date": "2019-01-01"})
    assert bad.status_code == 400
    assert "buiten de looptijd van de agenda" in main_text(bad)


def test_recording_needs_a_visible_agenda(client, trio, agenda):
    commitment = Commitment.objects.get(external_id="kennissessie")
    client.force_login(trio["other_organisation"])
    response = client.post(
        url("record_occurrence", SLUG, commitment.pk),
        {f"afspraak-{commitment.pk}-date": "2022-11-17"},
    )
    assert response.status_code == 404


# ------------------------------------------------------------------ versions and adoption


def test_versions_and_a_readable_diff(client, trio, agenda):
    client.force_login(trio["other_role"])
    response = client.get(url("versions", SLUG))
    assert "Zoals vastgesteld (uit het brondocument)" in main_text(response)
    assert response.context["form"] is None
    assert client.post(url("versions", SLUG), {"label": "Probeersel"}).status_code == 403

    goal = Goal.objects.get(agenda=agenda, external_id="doel-07")
    services.save_item(goal, actor=trio["member"], indicator_text="Het verzuim daalt.")
    client.force_login(trio["member"])
    response = client.post(url("versions", SLUG), {"label": "Na de tussentijdse evaluatie"})
    assert response.status_code == 302
    assert agenda.versions.count() == 2

    diff = client.get(url("version_diff", SLUG, 1, 2))
    text = main_text(diff)
    assert "1 onderdeel gewijzigd" in text
    assert "Indicator" in text
    assert "De RMC-regio monitort schoolaanwezigheid, analyseren, bijstellen." in text
    assert "Het verzuim daalt." in text
    assert "<del" in diff.content.decode() and "<ins" in diff.content.decode()

    # Against the current state: a new activity shows as added.
    services.save_item(
        Activity(agenda=agenda, external_id="nieuw"),
        actor=trio["member"],
        kind=ActivityKind.MAIN,
        title="Doorbraakberaad inrichten",
    )
    text = main_text(client.get(url("version_diff", SLUG, 2, 0)))
    assert "1 onderdeel toegevoegd" in text and "Doorbraakberaad inrichten" in text
    compare = client.get(url("versions_compare", SLUG), {"van": "1", "naar": "2"})
    assert compare["Location"] == url("version_diff", SLUG, 1, 2)
    assert client.get(url("version_diff", SLUG, 1, 9)).status_code == 404


def test_adopting_an_agenda(client, trio, network, tmp_path):
    concept = load_sample_agenda(tmp_path, network, slug="concept", status="concept")
    page = url("adopt", concept.slug)
    assert client.get(page).status_code == 302
    client.force_login(trio["other_organisation"])
    assert client.get(page).status_code == 404
    client.force_login(trio["other_role"])
    assert client.get(page).status_code == 403
    client.force_login(trio["member"])
    assert client.get(page).status_code == 200
    bad = client.post(page, {"adopted_on": "2099-01-01", "adopted_by": "gemeenteraad"})
    assert bad.status_code == 400 and "toekomst" in main_text(bad)
    response = client.post(
        page, {"adopted_on": "2021-10-01", "adopted_by": "OOGO Midden-Kennemerland"}
    )
    assert response.status_code == 302
    concept.refresh_from_db()
    assert concept.status == AgendaStatus.ADOPTED
    assert (concept.adopted_on, concept.adopted_by) == (
        datetime.date(2021, 10, 1),
        "OOGO Midden-Kennemerland",
    )
    version = concept.versions.get()
    assert version.label == "Vastgesteld 01-10-2021 door OOGO Midden-Kennemerland"


def test_publishing_only_an_adopted_agenda(client, trio, network, tmp_path):
    concept = load_sample_agenda(tmp_path, network, slug="concept", status="concept")
    client.force_login(trio["other_role"])
    assert client.post(url("publication", SLUG), {"openbaar": "1"}).status_code == 404
    client.force_login(trio["member"])
    client.post(url("publication", concept.slug), {"openbaar": "1"})
    concept.refresh_from_db()
    assert not concept.is_public
    adopted = load_sample_agenda(tmp_path, network)
    client.force_login(trio["other_role"])
    assert client.post(url("publication", SLUG), {"openbaar": "1"}).status_code == 403
    client.force_login(trio["member"])
    client.post(url("publication", SLUG), {"openbaar": "1"})
    adopted.refresh_from_db()
    assert adopted.is_public
    client.logout()
    assert client.get(url("detail", SLUG)).status_code == 200
    client.force_login(trio["member"])
    client.post(url("publication", SLUG), {"openbaar": "0"})
    client.logout()
    assert client.get(url("detail", SLUG)).status_code == 404


# ------------------------------------------------------------------ the education prize


def open_nominations(prize):
    """The sample's edition (2023) with its window around today: a prize that takes
    nominations now, whatever day the tests run."""
    today = timezone.localdate()
    prize.nominations_from = today - datetime.timedelta(days=30)
    prize.nominations_until = today + datetime.timedelta(days=30)
    prize.save()
    return prize


@pytest.fixture
def prize(agenda):
    return open_nominations(agenda.prizes.get())


def nominate(prize, **fields):
    values = {
        "category": "staff",
        "nominee": "Juf Anouk",
        "motivation": "Zij maakt elke ochtend tijd voor de kinderen die te laat komen.",
        "submitted_by": "Fatima el Amrani, ouder",
    }
    return services.submit_nomination(prize, actor=None, **(values | fields))


def test_anyone_may_nominate_with_csrf(prize):
    client = Client(enforce_csrf_checks=True)
    page = url("nominate", prize.pk)
    form = client.get(page)
    assert form.status_code == 200
    data = {
        "category": "pupil_po",
        "nominee": "Daan (groep 7)",
        "motivation": "Hij leest elke week voor aan de kleuters.",
        "submitted_by": "Meester Jeroen",
        "co_signers": "Juf Sanne\nJuf Priya\n",
    }
    assert client.post(page, data).status_code == 403  # no CSRF token
    token = form.cookies["csrftoken"].value
    response = client.post(page, data | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    nomination = prize.nominations.get()
    assert nomination.co_signer_list() == ["Juf Sanne", "Juf Priya"]
    assert nomination.status == NominationStatus.SUBMITTED


def test_a_nomination_needs_a_motivation(client, prize):
    response = client.post(url("nominate", prize.pk), {"category": "staff", "nominee": "X"})
    assert response.status_code == 400
    assert "Motivatie" in main_text(response) and not prize.nominations.exists()


def test_closed_nominations(client, prize):
    prize.nominations_open = False
    prize.save()
    response = client.get(url("nominate", prize.pk))
    assert "gesloten" in main_text(response) and response.context["form"] is None


def test_the_public_sees_only_shortlist_and_winners(client, trio, prize):
    quiet = nominate(prize, nominee="Meneer Stil")
    shortlisted = nominate(prize, nominee="Juf Anouk")
    services.set_nomination_status(shortlisted, actor=None, status="shortlisted")
    text = main_text(client.get(url("prize", prize.pk)))
    assert "Juf Anouk" in text and "Meneer Stil" not in text
    assert "elke ochtend" not in text  # the motivation is for the organisers
    client.force_login(trio["member"])
    text = main_text(client.get(url("prize", prize.pk)))
    assert "Meneer Stil" in text and "elke ochtend" in text and "Fatima el Amrani" in text
    assert quiet.pk


def test_organisers_choose_the_winner(client, trio, prize):
    first = nominate(prize, nominee="Juf Anouk")
    second = nominate(prize, nominee="Meester Jeroen")
    action = url("nomination_status", first.pk)
    data = {f"nominatie-{first.pk}-status": "winner"}
    assert client.post(action, data).status_code == 302  # to the login page
    client.force_login(trio["other_role"])
    assert client.post(action, data).status_code == 404
    client.force_login(trio["member"])
    client.post(action, data)
    client.post(url("nomination_status", second.pk), {f"nominatie-{second.pk}-status": "winner"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (NominationStatus.SHORTLISTED, NominationStatus.WINNER)
    assert Nomination.objects.filter(prize=prize, status="winner").count() == 1


def grow_agenda(agenda, actor, numbers):
    """More of everything a list page shows: activities with months and a lead,
    interventions, commitments with occurrences and versions."""
    goal = agenda.goals.get(external_id="doel-07")
    organisation = agenda.owners.order_by("pk").first()
    for n in numbers:
        activity = services.save_item(
            Activity(agenda=agenda, external_id=f"groei-{n}"),
            actor=actor,
            goal=goal,
            kind=ActivityKind.MAIN,
            title=f"Extra activiteit {n}",
        )
        services.set_planned_months(
            activity, [datetime.date(2022, 3, 1), datetime.date(2023, 5, 1)], actor=actor
        )
        activity.involvements.create(organisation=organisation, role="lead")
        intervention = services.save_item(
            Intervention(agenda=agenda, external_id=f"groei-{n}"), actor=actor, name=f"Extra {n}"
        )
        services.set_planned_months(intervention, [datetime.date(2022, 3, 1)], actor=actor)
        intervention.involvements.create(organisation=organisation, role="partner")
        commitment = services.save_item(
            Commitment(agenda=agenda, external_id=f"groei-{n}"),
            actor=actor,
            text=f"Extra afspraak {n}",
            owner=organisation,
            times_per_year=2,
        )
        services.record_commitment_occurrence(
            commitment, actor=actor, date=datetime.date(2022, 4, 1)
        )
        services.save_version(agenda, actor=actor, label=f"Versie {n}")


@pytest.mark.parametrize(
    ("page", "params"),
    [
        ("planning", {}),
        ("planning", {"organisatie": "", "status": "planned"}),
        ("commitments", {}),
        ("versions", {}),
        ("this_month", {"maand": "2022-03"}),
    ],
)
def test_list_pages_keep_their_number_of_queries(
    client, trio, agenda, page, params, django_assert_max_num_queries
):
    client.force_login(trio["member"])
    target = url(page) if page == "this_month" else url(page, SLUG)
    grow_agenda(agenda, trio["member"], range(1))
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(target, params).status_code == 200
    grow_agenda(agenda, trio["member"], range(1, 7))
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(target, params)
    assert response.status_code == 200


# ------------------------------------------------------------------ admin


def test_the_admin_saves_through_the_services(rf, agenda):
    superuser = factories.UserFactory(username="beheer", is_superuser=True, is_staff=True)
    request = rf.post("/beheer/")
    request.user = superuser
    model_admin = ActivityAdmin(Activity, admin.site)
    activity = Activity.objects.get(agenda=agenda, external_id="doel-07-hoofd-1")
    form_class = model_admin.get_form(request, activity, change=True)
    data = {key: value for key, value in model_to_dict(activity).items() if value is not None}
    data |= {"title": "Handreiking schoolaanwezigheid vaststellen", "planned_months_text": "x"}
    form = form_class(data, instance=activity)
    assert not form.is_valid()
    assert form.errors["planned_months_text"][0].startswith("'x' is geen maand")
    form = form_class(data | {"planned_months_text": "2022-03, 2022-09"}, instance=activity)
    assert form.is_valid(), form.errors
    saved = model_admin.save_form(request, form, change=True)
    model_admin.save_model(request, saved, form, change=True)
    model_admin.save_related(request, form, formsets=[], change=True)
    activity.refresh_from_db()
    assert activity.title == "Handreiking schoolaanwezigheid vaststellen"
    assert [pm.month for pm in activity.planned_months.all()] == [
        datetime.date(2022, 3, 1),
        datetime.date(2022, 9, 1),
    ]
    assert activity.history.order_by("-history_id").first().history_user == superuser
    assert AuditEvent.objects.filter(
        action="agenda.activity.update", actor=superuser, target_id=str(activity.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="agenda.planning.update", actor=superuser).exists()
    assert not model_admin.has_delete_permission(request, activity)


def test_the_admin_pages_open(verified_client, agenda):
    superuser = factories.UserFactory(username="beheer", is_superuser=True, is_staff=True)
    client = verified_client(superuser)
    activity = Activity.objects.get(agenda=agenda, external_id="doel-07-hoofd-1")
    peuterplus = Intervention.objects.get(agenda=agenda, external_id="peuterplus")
    for path in (
        reverse("admin:agenda_agenda_changelist"),
        reverse("admin:agenda_agenda_change", args=[agenda.pk]),
        reverse("admin:agenda_activity_change", args=[activity.pk]),
        reverse("admin:agenda_intervention_change", args=[peuterplus.pk]),
        reverse("admin:agenda_fundingline_changelist"),
        reverse("admin:agenda_commitment_changelist"),
        reverse("admin:agenda_educationprize_add"),
        reverse("admin:agenda_agendaversion_changelist"),
    ):
        assert client.get(path).status_code == 200, path
    change = client.get(reverse("admin:agenda_activity_change", args=[activity.pk]))
    assert 'value="2022-01"' in change.content.decode()


def test_the_admin_changes_a_nomination_only_through_its_status(rf, prize):
    superuser = factories.UserFactory(username="beheer", is_superuser=True, is_staff=True)
    request = rf.post("/beheer/")
    request.user = superuser
    first, second = (
        services.submit_nomination(
            prize, actor=None, category="staff", nominee=name, motivation="M", submitted_by="S"
        )
        for name in ("Juf Anouk", "Meester Jeroen")
    )
    services.set_nomination_status(first, actor=None, status="winner")
    model_admin = NominationAdmin(Nomination, admin.site)
    second.status = NominationStatus.WINNER
    model_admin.save_model(request, second, form=None, change=True)
    first.refresh_from_db()
    assert first.status == NominationStatus.SHORTLISTED
    assert not model_admin.has_add_permission(request)


# ------------------------------------------------------------------ the five seeds


@pytest.fixture
def seed_agendas(settings):
    """The real demo content: reference data, demo organisations and all seed agendas."""
    settings.DEBUG = True
    load_reference_data(settings.KANSRIJK["REFERENCE_DATA_DIR"])
    load_demo_organisations()
    return load_all_agendas()


def test_every_page_of_every_seed_agenda_renders(client, seed_agendas):
    admin = factories.UserFactory(username="platformbeheer", is_superuser=True, is_staff=True)
    client.force_login(admin)
    session = client.session
    session["otp_device_id"] = TOTPDevice.objects.create(
        user=admin, name="test", confirmed=True
    ).persistent_id
    session.save()
    assert len(seed_agendas) == 5
    for agenda in seed_agendas:
        for page in AGENDA_PAGES:
            assert client.get(url(page, agenda.slug)).status_code == 200, (agenda.slug, page)
        for activity in agenda.activities.all():
            assert client.get(url("activity", agenda.slug, activity.external_id)).status_code == 200
        for intervention in agenda.interventions.all():
            response = client.get(url("intervention", agenda.slug, intervention.external_id))
            assert response.status_code == 200
        for prize in agenda.prizes.all():
            assert client.get(url("prize", prize.pk)).status_code == 200
    vijfheerenlanden = Agenda.objects.get(slug="vijfheerenlanden-gka-2022-2024")
    text = main_text(client.get(url("intervention", vijfheerenlanden.slug, "peuterplus")))
    assert "× 4/12 × ½" in text
    text = main_text(client.get(url("planning_table", "midden-kennemerland-2022-2024")))
    assert "Planning activiteiten 2022" in text
    assert "Thematische netwerkbijeenkomsten: juni" in text  # on the sub-activity itself
