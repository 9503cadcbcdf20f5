import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from kansrijk.indicators.exporting import SDMX_COLUMNS, export_indicator
from kansrijk.testing.documents import fetch_document

from ._io_helpers import add, make_indicators

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(municipality_organisation):
    reach, count = make_indicators(municipality_organisation)
    region = municipality_organisation.municipality
    add(reach, region, 2019, numerator=72, denominator=100, is_final=True)
    add(reach, region, 2020, numerator=3, denominator=4)
    add(count, region, 2021, value=3)
    add(count, region, 2022, value=40, approve=False)
    return reach, count


def rows(data: bytes):
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_detail_export_has_every_figure(figures, municipality_organisation, make_member):
    _reach, count = figures
    officer = make_member(municipality_organisation)
    table = rows(export_indicator(count, "csv", user=officer))
    assert [r["waarde"] for r in table] == ["3", "40"]


def test_public_export_is_suppressed(figures, client):
    reach, _count = figures
    table = rows(
        fetch_document(client, reverse("indicators_io:export", args=["vsv-aantal", "csv"])).content
    )
    assert [r["waarde"] for r in table] == ["<5"]  # the unapproved 40 is not there
    assert table[0]["verklaring_tekens"].startswith("<5 = minder dan 5")
    reach_rows = rows(export_indicator(reach, "csv", user=AnonymousUser()))
    assert reach_rows[0]["waarde"] == "72"
    assert reach_rows[0]["verklaring_tekens"] == ""
    assert reach_rows[1]["waarde"] == "<5" and reach_rows[1]["teller"] == "<5"


def test_every_viewer_gets_the_same_machine_format(figures, municipality_organisation, make_member):
    """A point as decimal separator, no thousands separator, no unit: the officer and the
    public read the same numbers (the Dutch notation belongs to the pages)."""
    reach, _count = figures
    add(reach, municipality_organisation.municipality, 2021, numerator=310, denominator=4730)
    officer = make_member(municipality_organisation)
    for user in (officer, AnonymousUser(), None):
        table = rows(export_indicator(reach, "csv", user=user))
        last = table[-1]
        assert (last["waarde"], last["teller"], last["noemer"]) == ("6.6", "310", "4730"), user
        book = openpyxl.load_workbook(io.BytesIO(export_indicator(reach, "xlsx", user=user)))
        sheet = book["Metingen"]
        header = [cell.value for cell in sheet[1]]
        values = [cell.value for cell in sheet[sheet.max_row]]
        assert values[header.index("noemer")] == 4730
        assert float(values[header.index("waarde")]) == pytest.approx(6.6)
    legend = [row[0] for row in book["Toelichting"].iter_rows(values_only=True)]
    assert "<5" in legend and "." in legend


def test_sdmx_csv(figures):
    reach, _count = figures
    table = list(
        csv.reader(io.StringIO(export_indicator(reach, "sdmx", user=AnonymousUser()).decode()))
    )
    assert table[0] == SDMX_COLUMNS
    assert table[1][:5] == ["KANSRIJK:MONITOR(1.0)", "vve-bereik", table[1][2], "2019", "_T"]
    assert table[1][6] == "A" and table[2][6] == "P"
    status = SDMX_COLUMNS.index("CONF_STATUS")
    value = SDMX_COLUMNS.index("OBS_VALUE")
    assert (table[1][value], table[1][status]) == ("72", "F")
    assert (table[2][value], table[2][status]) == ("", "A")  # 3 of 4: a small count


def test_hidden_indicator_answers_404(figures, client):
    _reach, count = figures
    count.is_public = False
    count.save()
    assert (
        client.get(reverse("indicators_io:export", args=["vsv-aantal", "xlsx"])).status_code == 404
    )
