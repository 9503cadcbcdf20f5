"""The disclosure boundary: one mask per indicator and period, shared by every surface;
two markers; stories, statuses and typed texts about hidden figures."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kansrijk.indicators import exporting, services
from kansrijk.indicators.disclosure import Disclosure, small_numbers_in
from kansrijk.indicators.forms import MeasurementForm, scopes_for
from kansrijk.indicators.models import Indicator, Measurement
from kansrijk.organisations.models import Role
from kansrijk.testing import factories
from kansrijk.testing.documents import fetch_document
from kansrijk.testing.jobs import post_and_run

pytestmark = pytest.mark.django_db

YEAR = 2024


def count_indicator(owner, **fields):
    defaults = {
        "code": "aantal",
        "name": "Aantal deelnemers",
        "unit": "count",
        "period_type": "calendar_year",
        "owner": owner,
        "is_public": True,
    }
    return Indicator.objects.create(**{**defaults, **fields})


def figure(indicator, *, region=None, organisation=None, story="", approve=True, **numbers):
    return services.submit_measurement(
        actor=None,
        approve=approve,
        indicator=indicator,
        region=region,
        organisation=organisation,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        period_label=str(YEAR),
        story=story,
        **{name: Decimal(value) for name, value in numbers.items()},
    )


@pytest.fixture
def region_with_gemeenten(municipality_organisation):
    """An RMC region with four gemeenten, each with its figure, and the region's own."""
    region = factories.RegionFactory(kind="rmc_region", code="RMC98", name="Proefregio")
    gemeenten = []
    for index, name in enumerate(["Aadorp", "Bedum", "Cadier", "Dalen"]):
        gemeente = factories.MunicipalityFactory(code=f"GM98{index:02d}", name=name)
        factories.RegionMembershipFactory(child=gemeente, parent=region)
        gemeenten.append(gemeente)
    return region, gemeenten


def test_a_region_total_protects_a_small_gemeente_with_a_second_marker(
    region_with_gemeenten, municipality_organisation
):
    region, (a, b, c, d) = region_with_gemeenten
    indicator = count_indicator(municipality_organisation)
    cells = {
        a: figure(indicator, region=a, value=3),
        b: figure(indicator, region=b, value=30),
        c: figure(indicator, region=c, value=12),
        d: figure(indicator, region=d, value=40),
        region: figure(indicator, region=region, value=85),
    }
    public = Disclosure(public=True)
    shown = {r.code: public.figure(m).value.text for r, m in cells.items()}
    # Aadorp's 3 is small; with the region's 85 shown, one more gemeente must be hidden
    # (the smallest, Cadier's 12) — and it is not "<5" but ".": it may be large.
    assert shown == {"GM9800": "<5", "GM9801": "30", "GM9802": ".", "GM9803": "40", "RMC98": "85"}
    assert public.figure(cells[c]).value.number is None


def test_every_surface_hides_the_same_cells(
    client, region_with_gemeenten, municipality_organisation
):
    """The dashboard, the indicator page, the CSV and the API hide Cadier alike, although
    the page for Cadier shows only Cadier: the mask is made over the whole period."""
    region, (a, b, c, d) = region_with_gemeenten
    indicator = count_indicator(municipality_organisation)
    for gemeente, value in ((a, 3), (b, 30), (c, 12), (d, 40)):
        figure(indicator, region=gemeente, value=value)
    figure(indicator, region=region, value=85)

    page = client.get(reverse("indicators:detail", args=[indicator.code]), {"regio": c.code})
    assert [f.value.text for f in page.context["figures"]] == ["."]
    dashboard = client.get(reverse("indicators:public"), {"onderwerp": indicator.code})
    rows = {
        f.measurement.region.code: f.value.text for f in dashboard.context["sections"][0]["rows"]
    }
    assert rows["GM9802"] == "." and rows["GM9800"] == "<5" and rows["GM9801"] == "30"
    legend = dashboard.content.decode()
    assert "geheim" in legend and "minder dan 5" in legend
    # The dashboard of Cadier alone hides it too: its chart's table reads ".".
    cadier = client.get(reverse("indicators:public"), {"gebied": c.code})
    assert [row[1] for row in cadier.context["sections"][0]["chart"].table] == ["."]
    export = fetch_document(client, reverse("indicators_io:export", args=[indicator.code, "csv"]))
    table = {
        row["regio"]: row["waarde"]
        for row in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))
    }
    assert table["GM9802"] == "." and table["GM9800"] == "<5" and table["GM9801"] == "30"
    api = client.get("/api/v1/measurements", {"indicator": indicator.code}).json()
    by_region = {row["region"]: row for row in api["results"]}
    assert by_region["GM9802"]["published_value"] == "."
    assert by_region["GM9802"]["suppression"] == "."
    assert by_region["GM9802"]["value"] is None
    assert by_region["GM9801"]["value"] == "30.0000"


def test_a_breakdown_protects_its_categories(municipality_organisation):
    indicator = count_indicator(municipality_organisation)
    gemeente = municipality_organisation.municipality
    total = figure(indicator, region=gemeente, value=50)
    parts = {
        name: services.submit_measurement(
            actor=None,
            approve=True,
            indicator=indicator,
            region=gemeente,
            period_start=datetime.date(YEAR, 1, 1),
            period_end=datetime.date(YEAR, 12, 31),
            period_label=str(YEAR),
            breakdown_key="sector",
            breakdown_value=name,
            value=Decimal(value),
        )
        for name, value in (("PO", 2), ("VO", 40), ("SO", 8))
    }
    public = Disclosure(public=True)
    assert public.figure(total).value.text == "50"
    assert [public.figure(parts[n]).value.text for n in ("PO", "VO", "SO")] == ["<5", "40", "."]


def test_a_rate_with_a_small_denominator_hides_both_parts(municipality_organisation):
    indicator = count_indicator(
        municipality_organisation, code="aandeel", unit="percentage", denominator_definition="n"
    )
    measurement = figure(
        indicator, region=municipality_organisation.municipality, numerator=3, denominator=4
    )
    shown = Disclosure(public=True).figure(measurement)
    assert (shown.value.text, shown.numerator.text, shown.denominator.text) == ("<5", "<5", "<5")


def test_the_owner_sees_the_detail_but_never_of_counts_of_people(
    municipality_organisation, make_member
):
    officer = make_member(municipality_organisation, Role.POLICY_OFFICER)
    gemeente = municipality_organisation.municipality
    entered = count_indicator(municipality_organisation)
    computed = count_indicator(
        municipality_organisation,
        code="thuiszitters",
        source_kind="computed",
        computed_key="cases-thuiszitters-peildatum",
    )
    for indicator in (entered, computed):
        figure(indicator, region=gemeente, value=3)
    disclosure = Disclosure(officer)
    assert disclosure.entitled(entered) and not disclosure.entitled(computed)
    assert disclosure.figure(entered.measurements.get()).value.text == "3"
    assert disclosure.figure(computed.measurements.get()).value.text == "<5"
    # The reader of the same gemeente is not entitled to the detail.
    reader = make_member(municipality_organisation, Role.READER)
    assert Disclosure(reader).figure(entered.measurements.get()).value.text == "<5"


def test_a_story_with_a_number_beside_a_hidden_figure_is_withheld(municipality_organisation):
    indicator = count_indicator(municipality_organisation)
    gemeente = municipality_organisation.municipality
    hidden = figure(indicator, region=gemeente, value=3, story="Drie kinderen, 3 van school A.")
    public = Disclosure(public=True).figure(hidden)
    assert public.story == "" and public.story_withheld
    worded = figure(
        count_indicator(municipality_organisation, code="b"),
        region=gemeente,
        value=2,
        story="Weinig aanmeldingen door de zomer.",
    )
    assert Disclosure(public=True).figure(worded).story == "Weinig aanmeldingen door de zomer."


def test_the_status_of_a_hidden_figure_says_nothing(client, municipality_organisation):
    indicator = count_indicator(municipality_organisation, polarity="lower")
    gemeente = municipality_organisation.municipality
    figure(indicator, region=gemeente, value=2)
    indicator.targets.create(region=gemeente, date=datetime.date(2025, 12, 31), value=0)
    response = client.get(reverse("indicators:detail", args=[indicator.code]))
    status = response.context["status"]
    assert status.code == "suppressed" and status.label == "afgeschermd"
    assert "2" not in status.explanation


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("3 kinderen kregen geen plek", ["3"]),
        ("In 2023 waren het er 4, nu 12.", ["4"]),
        ("Op 1 januari en op 12-3-2024 telden we 40 deelnemers.", []),
        ("Schooljaar 2023/2024: 2,5 uur per week, 3% minder.", []),
        ("Met 1.234 deelnames", []),
        ("", []),
    ],
)
def test_small_numbers_in_a_text(text, found):
    assert small_numbers_in(text, 5) == found


def test_the_entry_form_warns_about_a_small_number_in_the_story(
    municipality_organisation, make_member
):
    officer = make_member(municipality_organisation, Role.POLICY_OFFICER)
    indicator = count_indicator(municipality_organisation)
    scopes = scopes_for(officer)
    data = {
        "scope": scopes[0][0],
        "period": "2024",
        "value": "40",
        "story": "Er vielen 2 kinderen uit.",
    }
    form = MeasurementForm(data, indicator=indicator, scopes=scopes)
    assert not form.is_valid()
    assert "noemt 2" in form.errors["story"][0]
    form = MeasurementForm({**data, "story_checked": "on"}, indicator=indicator, scopes=scopes)
    assert form.is_valid(), form.errors


def test_the_import_warns_but_saves(client, municipality_organisation, make_member):
    officer = make_member(municipality_organisation, Role.POLICY_OFFICER)
    count_indicator(municipality_organisation)
    code = municipality_organisation.municipality.code
    content = (
        "indicator,periode,periode_start,periode_eind,regio,waarde,verhaal\r\n"
        f"aantal,2024,2024-01-01,2024-12-31,{code},40,Er vielen 2 kinderen uit.\r\n"
    ).encode()
    client.force_login(officer)
    response = post_and_run(
        client,
        reverse("indicators_io:import"),
        {"file": SimpleUploadedFile("m.csv", content, content_type="text/csv")},
    )
    assert response.status_code == 200
    assert "Rij 2, kolom &#x27;verhaal&#x27;: Het verhaal noemt 2" in response.content.decode()
    assert Measurement.objects.count() == 1


def test_exports_write_the_markers_and_their_legend(
    region_with_gemeenten, municipality_organisation
):
    region, (a, b, c, d) = region_with_gemeenten
    indicator = count_indicator(municipality_organisation)
    for gemeente, value in ((a, 3), (b, 30), (c, 12), (d, 40)):
        figure(indicator, region=gemeente, value=value)
    figure(indicator, region=region, value=85)
    disclosure = Disclosure(AnonymousUser())
    rows = exporting.measurement_rows(indicator.measurements.approved(), disclosure=disclosure)
    by_region = {row["regio"]: row for row in rows}
    assert by_region["GM9802"]["waarde"] == "."
    assert "geheim" in by_region["GM9802"]["verklaring_tekens"]
    assert by_region["GM9801"]["waarde"] == 30 and by_region["GM9801"]["verklaring_tekens"] == ""
