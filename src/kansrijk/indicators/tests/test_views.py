"""The monitor pages: detail with chart and table, the public dashboard without a cell
below the threshold, entry and approval with the user trio, and query counts."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from kansrijk.indicators import services
from kansrijk.indicators.models import Baseline, Indicator, Measurement, Target
from kansrijk.organisations.models import Role
from kansrijk.testing import factories


def make_indicator(owner, code="vve-bereik", **fields):
    defaults = {
        "name": "Bereik VVE",
        "definition": "Aandeel geïndiceerde peuters dat een VVE-programma volgt.",
        "unit": "percentage",
        "numerator_definition": "Geïndiceerde peuters die VVE volgen",
        "denominator_definition": "Geïndiceerde peuters",
        "period_type": "calendar_year",
        "owner": owner,
        "is_public": True,
    }
    defaults.update(fields)
    return Indicator.objects.create(code=code, **defaults)


def approved(indicator, region, year, numerator, denominator, **fields):
    return services.submit_measurement(
        actor=None,
        approve=True,
        indicator=indicator,
        region=region,
        period_start=datetime.date(year, 1, 1),
        period_end=datetime.date(year, 12, 31),
        period_label=str(year),
        numerator=Decimal(numerator),
        denominator=Decimal(denominator),
        **fields,
    )


@pytest.fixture
def vve(municipality_organisation):
    region = municipality_organisation.municipality
    indicator = make_indicator(municipality_organisation)
    Baseline.objects.create(
        indicator=indicator,
        region=region,
        period_label="2022",
        date=datetime.date(2022, 12, 31),
        numerator=Decimal(72),
        denominator=Decimal(100),
    )
    Target.objects.create(
        indicator=indicator, region=region, date=datetime.date(2026, 12, 31), value=Decimal(90)
    )
    approved(indicator, region, 2022, 72, 100, story="Nulmeting.")
    approved(indicator, region, 2023, 80, 100, story="Meer toeleiding via het consultatiebureau.")
    return indicator


class CellParser(HTMLParser):
    """Collects the text of table cells with the class kansrijk-count-cell."""

    def __init__(self):
        super().__init__()
        self.cells, self._depth = [], 0

    def handle_starttag(self, tag, attrs):
        if tag == "td" and "kansrijk-count-cell" in (dict(attrs).get("class") or ""):
            self._depth = 1
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag == "td":
            self._depth = 0

    def handle_data(self, data):
        if self._depth:
            self.cells[-1] += data.strip()


def test_detail_shows_chart_with_its_table_targets_and_status(client, vve, make_member):
    client.force_login(make_member(vve.owner, Role.POLICY_OFFICER))
    response = client.get(reverse("indicators:detail", args=[vve.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<svg class="kansrijk-chart kansrijk-chart--indicator"' in html
    assert 'role="img"' in html
    assert "Gegevens bij de grafiek" in html  # the data table as text alternative
    assert "Nulmeting 2022" in html and "Streefwaarde" in html
    assert "Meer toeleiding via het consultatiebureau." in html
    assert response.context["status"].code in {"on_track", "at_risk", "behind", "achieved"}
    assert response.context["chart"].table[1][:2] == ["2023", "80%"]
    assert "Geschiedenis" in html


def test_detail_marks_generated_figures(client, vve):
    approved(vve, vve.owner.municipality, 2024, 85, 100, is_generated=True)
    html = client.get(reverse("indicators:detail", args=[vve.code])).content.decode()
    assert "gegenereerd voor de demo" in html


def test_private_indicator_answers_404_to_strangers(client, vve, make_member):
    vve.is_public = False
    vve.save()
    assert client.get(reverse("indicators:detail", args=[vve.code])).status_code == 404
    client.force_login(make_member(factories.MunicipalityOrganisationFactory(), Role.READER))
    assert client.get(reverse("indicators:detail", args=[vve.code])).status_code == 404


def test_public_dashboard_shows_no_count_below_the_threshold(client, municipality_organisation):
    indicator = make_indicator(municipality_organisation)
    parent = factories.RegionFactory(kind="rmc_region", code="RMC99", name="Testregio")
    for index, (numerator, denominator) in enumerate(
        [(3, 40), (12, 60), (25, 30), (7, 9), (50, 70)]
    ):
        region = factories.MunicipalityFactory(code=f"GM99{index:02d}", name=f"Gemeente {index}")
        factories.RegionMembershipFactory(child=region, parent=parent)
        approved(indicator, region, 2024, numerator, denominator)
    hidden = make_indicator(municipality_organisation, code="verborgen", is_public=False)
    approved(hidden, municipality_organisation.municipality, 2024, 2, 3)

    response = client.get(reverse("indicators:public"), {"onderwerp": indicator.code})
    assert response.status_code == 200
    html = response.content.decode()
    assert "verborgen" not in html
    parser = CellParser()
    parser.feed(html)
    assert parser.cells, "the dashboard shows count cells"
    for cell in parser.cells:
        assert cell in {"<5", ".", "–"} or int(cell.replace(".", "")) >= 5, cell
    # Gemeente 0 has 3 of 40: its numerator and its rate are hidden.
    assert "<5" in parser.cells
    assert ">8%<" not in html  # 3/40 = 7.5 % must not leak as a rate
    # No total is shown on the dashboard, so nothing else needs hiding: 7 of 9 is shown.
    assert ">78%<" in html


def test_public_dashboard_needs_no_login_and_skips_unapproved(client, vve):
    services.submit_measurement(
        actor=None,
        indicator=vve,
        region=vve.owner.municipality,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31),
        period_label="2025",
        numerator=Decimal(99),
        denominator=Decimal(100),
    )
    response = client.get(reverse("indicators:public"), {"gebied": vve.owner.municipality.code})
    assert response.status_code == 200
    assert "99%" not in response.content.decode()
    assert "2023" in response.content.decode()


def entry_data(scope, **extra):
    data = {
        "scope": scope,
        "period": "2024",
        "numerator": "30",
        "denominator": "40",
        "story": "Nieuwe aanpak",
        "source": "eigen registratie",
    }
    data.update(extra)
    return data


def test_entry_user_trio(client, vve, user_trio, municipality_organisation):
    users = user_trio(role=Role.PARTNER, other_role=Role.READER)
    url = reverse("indicators:submit", args=[vve.code])
    own_scope = f"org-{municipality_organisation.pk}"

    client.force_login(users["member"])
    assert client.get(url).status_code == 200
    response = client.post(url, entry_data(own_scope))
    assert response.status_code == 302
    measurement = Measurement.objects.get(organisation=municipality_organisation)
    assert measurement.approval == "submitted"
    assert measurement.entered_by == users["member"]
    # A partner submits for their organisation only, not for the gemeente.
    region_scope = f"region-{municipality_organisation.municipality_id}"
    assert client.post(url, entry_data(region_scope)).status_code == 200

    client.force_login(users["other_role"])  # lezer
    assert client.get(url).status_code == 403

    client.force_login(users["other_organisation"])
    response = client.post(url, entry_data(own_scope))
    assert response.status_code == 200 and "scope" in response.context["form"].errors


def test_policy_officer_enters_for_the_gemeente(client, vve, make_member):
    officer = make_member(vve.owner, Role.POLICY_OFFICER)
    client.force_login(officer)
    scope = f"region-{vve.owner.municipality_id}"
    url = reverse("indicators:submit", args=[vve.code])
    assert client.post(url, entry_data(scope)).status_code == 302
    assert Measurement.objects.filter(region=vve.owner.municipality, period_label="2024").exists()


def test_entry_rejects_numerator_above_denominator(client, vve, make_member):
    client.force_login(make_member(vve.owner, Role.PARTNER))
    url = reverse("indicators:submit", args=[vve.code])
    response = client.post(url, entry_data(f"org-{vve.owner.pk}", numerator="50"))
    assert response.status_code == 200
    assert "numerator" in response.context["form"].errors


def test_entry_needs_login(client, vve):
    response = client.get(reverse("indicators:submit", args=[vve.code]))
    assert response.status_code == 302


def test_approval_user_trio(client, vve, user_trio, municipality_organisation):
    waiting = services.submit_measurement(
        actor=None,
        indicator=vve,
        organisation=municipality_organisation,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        period_label="2024",
        numerator=Decimal(30),
        denominator=Decimal(40),
    )
    users = user_trio(role=Role.POLICY_OFFICER, other_role=Role.PARTNER)
    decide = reverse("indicators:decide", args=[waiting.pk])

    client.force_login(users["other_role"])
    assert client.get(reverse("indicators:approval_queue")).status_code == 403
    assert client.post(decide, {"decision": "approve"}).status_code == 403

    client.force_login(users["other_organisation"])
    assert client.post(decide, {"decision": "approve"}).status_code in {403, 404}
    waiting.refresh_from_db()
    assert waiting.approval == "submitted"

    client.force_login(users["member"])
    queue = client.get(reverse("indicators:approval_queue"))
    assert queue.status_code == 200 and waiting in queue.context["waiting"]
    # Rejecting needs a reason.
    client.post(decide, {"decision": "reject"})
    waiting.refresh_from_db()
    assert waiting.approval == "submitted"
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.approval == "approved" and waiting.approved_by == users["member"]


def test_region_page_shows_children_side_by_side(client, municipality_organisation):
    indicator = make_indicator(municipality_organisation)
    parent = factories.RegionFactory(kind="rmc_region", code="RMC98", name="Waterweg")
    for index in range(3):
        region = factories.MunicipalityFactory(code=f"GM98{index:02d}", name=f"Plaats {index}")
        factories.RegionMembershipFactory(child=region, parent=parent)
        approved(indicator, region, 2024, 30 + index, 40)
    response = client.get(reverse("indicators:region", args=["RMC98"]))
    assert response.status_code == 200
    bars = response.context["rows"][0]["bars"]
    assert [row[0] for row in bars.table] == ["Plaats 0", "Plaats 1", "Plaats 2"]
    assert len(re.findall("<rect", bars.svg)) == 3


def test_agenda_monitor_shows_goal_indicators(client, vve, make_member):
    from kansrijk.agenda.models import Agenda, Goal

    agenda = Agenda.objects.create(
        slug="maassluis",
        title="Uitvoeringsagenda Maassluis",
        kind="uitvoeringsagenda",
        period_start=datetime.date(2023, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    agenda.owners.add(vve.owner)
    goal = Goal.objects.create(agenda=agenda, number="1", text="Meer peuters naar de VVE")
    vve.goals.add(goal)
    client.force_login(make_member(vve.owner, Role.POLICY_OFFICER))
    response = client.get(reverse("indicators:agenda", args=["maassluis"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bereik VVE" in html and "<svg" in html


def _overview_queries(client, django_assert_num_queries, owner, count):
    for index in range(count):
        make_indicator(owner, code=f"ind-{count}-{index}")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("indicators:overview")).status_code == 200
    return len(captured)


def test_overview_query_count_does_not_grow(client, municipality_organisation, make_member):
    client.force_login(make_member(municipality_organisation, Role.POLICY_OFFICER))
    few = _overview_queries(client, None, municipality_organisation, 2)
    many = _overview_queries(client, None, municipality_organisation, 8)
    assert many == few


def test_detail_shows_the_national_series_it_is_compared_with(client, vve, make_member):
    from kansrijk.testing.factories import RegionFactory

    netherlands = RegionFactory(code="NL", kind="country", name="Nederland")
    national = make_indicator(None, code="ve-bereik-landelijk", name="VE-bereik landelijk")
    services.submit_measurement(
        actor=None,
        approve=True,
        indicator=national,
        region=netherlands,
        period_start=datetime.date(2022, 1, 1),
        period_end=datetime.date(2022, 12, 31),
        period_label="2022",
        value=Decimal(88),
    )
    vve.comparison = national
    vve.save()
    client.force_login(make_member(vve.owner, Role.POLICY_OFFICER))
    response = client.get(reverse("indicators:detail", args=[vve.code]))
    assert response.status_code == 200
    table = response.context["chart"].table
    assert any("88" in str(cell) for row in table for cell in row), table


@pytest.fixture
def two_gemeenten(municipality_organisation):
    """Two public indicators with figures in two gemeenten."""
    reach = make_indicator(municipality_organisation)
    hours = make_indicator(
        municipality_organisation, code="uren-vve", name="Uren voorschoolse educatie"
    )
    gemeenten = [
        factories.MunicipalityFactory(code="GM9911", name="Aadorp"),
        factories.MunicipalityFactory(code="GM9912", name="Bedum"),
    ]
    for gemeente in gemeenten:
        for year in (2017, 2019, 2020):
            approved(reach, gemeente, year, 60 + year - 2017, 100)
            approved(hours, gemeente, year, 12, 1)
    return reach, hours, gemeenten


def test_public_dashboard_starts_from_a_choice_with_a_table_of_contents(client, two_gemeenten):
    reach, hours, _gemeenten = two_gemeenten
    response = client.get(reverse("indicators:public"))
    html = response.content.decode()
    assert response.context["sections"] == []  # no figure before a choice
    assert "<svg" not in html
    assert '<label class="utrecht-form-label" for="public-gebied">' in html
    assert '<label class="utrecht-form-label" for="public-onderwerp">' in html
    assert 'href="?gebied=GM9911"' in html and 'href="?gebied=GM9912"' in html
    assert f'href="?onderwerp={reach.code}"' in html and f'href="?onderwerp={hours.code}"' in html


def test_public_dashboard_for_one_gemeente_shows_only_that_gemeente(client, two_gemeenten):
    reach, hours, (aadorp, _bedum) = two_gemeenten
    response = client.get(reverse("indicators:public"), {"gebied": aadorp.code})
    sections = response.context["sections"]
    assert [s["indicator"] for s in sections] == [reach, hours]  # in name order
    html = response.content.decode()
    assert "Bedum" not in html.split('id="public-contents"')[1]
    assert all(s["chart"].title.endswith("in Aadorp") for s in sections)
    # The series runs on a time axis: 2018 is named on the axis as a gap.
    assert [row[0] for row in sections[0]["chart"].table] == ["2017", "2019", "2020"]
    assert ">2018</text>" in sections[0]["chart"].svg
    assert 'href="#public-' in html  # the table of contents of the selection


def test_public_dashboard_for_one_onderwerp_shows_the_gemeenten_side_by_side(client, two_gemeenten):
    reach, hours, _gemeenten = two_gemeenten
    response = client.get(reverse("indicators:public"), {"onderwerp": hours.code})
    sections = response.context["sections"]
    assert [s["indicator"] for s in sections] == [hours]
    assert sections[0]["period"] == "2020"
    assert [f.measurement.region.name for f in sections[0]["rows"]] == ["Aadorp", "Bedum"]
    after_the_choice = response.content.decode().split('id="public-choice"')[1].split("</form>")[1]
    assert reach.name not in after_the_choice


def test_public_dashboard_ignores_an_unknown_choice(client, two_gemeenten):
    response = client.get(reverse("indicators:public"), {"gebied": "GM0000"})
    assert response.status_code == 200
    assert response.context["sections"] == []


def test_the_public_pages_link_to_the_dashboard(client, two_gemeenten):
    html = client.get(reverse("socialmap:search")).content.decode()
    assert f'href="{reverse("indicators:public")}"' in html
