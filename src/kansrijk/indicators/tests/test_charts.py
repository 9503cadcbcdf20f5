"""The SVG charts: valid markup named by its title, the data table as text alternative,
escaping, and no inline style (the Content Security Policy forbids it)."""

from decimal import Decimal
from xml.etree import ElementTree

from kansrijk.indicators.charts import bar_chart, format_value, trend_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ElementTree.fromstring(chart.svg)  # noqa: S314 - our own markup


def test_trend_chart_with_baseline_target_and_national_series():
    chart = trend_chart(
        [("2022-2023", Decimal("72")), ("2023-2024", Decimal("76"))],
        baseline=("2022-2023", Decimal("72")),
        targets=[("2026", Decimal("90"))],
        national=[("2022-2023", Decimal("80"))],
        unit="percentage",
        title="Bereik VVE in Maassluis",
        series_label="Maassluis",
    )
    root = parse(chart)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title.text == "Bereik VVE in Maassluis"
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("viewBox") == "0 0 640 320"
    assert root.findall(f".//{SVG}polyline")  # the local line
    assert root.find(f".//{SVG}line[@class='kansrijk-chart__baseline']") is not None
    assert root.find(f".//{SVG}line[@class='kansrijk-chart__target']") is not None
    assert root.find(f".//{SVG}circle[@class='kansrijk-chart__national-point']") is not None
    assert "style=" not in chart.svg
    assert chart.headers == ["Periode", "Maassluis", "Landelijk"]
    assert chart.table[0] == ["2022-2023", "72 %", "80 %"]
    assert ["Nulmeting 2022-2023", "72 %", ""] in chart.table
    assert ["Streefwaarde 2026", "90 %", ""] in chart.table


def test_suppressed_values_are_not_drawn_but_shown_in_the_table():
    chart = trend_chart([("2023", "<5"), ("2024", "12")], unit="count", title="Thuiszitters")
    root = parse(chart)
    assert len(root.findall(f".//{SVG}circle")) == 1
    assert chart.table == [["2023", "<5"], ["2024", "12"]]


def test_titles_and_labels_are_escaped():
    chart = bar_chart([("<script>", 3), ("A & B", "<5")], unit="count", title="x <y> & z")
    root = parse(chart)  # parses: everything escaped
    assert root.find(f"{SVG}title").text == "x <y> & z"
    assert "<script>" not in chart.svg
    assert chart.table == [["<script>", "3"], ["A & B", "<5"]]
    assert len(root.findall(f".//{SVG}rect")) == 1


def test_bar_chart_has_one_bar_per_area():
    chart = bar_chart(
        [("Maassluis", Decimal("72")), ("Vlaardingen", Decimal("81.5"))],
        unit="percentage",
        decimals=1,
        title="Bereik VVE per gemeente",
    )
    assert len(parse(chart).findall(f".//{SVG}rect")) == 2
    assert chart.table[1] == ["Vlaardingen", "81,5 %"]


def test_published_dutch_text_is_plotted():
    chart = trend_chart([("2023", "72%"), ("2024", "1.234")], unit="count", title="t")
    assert len(parse(chart).findall(f".//{SVG}circle")) == 2


def test_format_value():
    assert format_value(Decimal("1234.5"), "euro", 2) == "€ 1.234,50"
    assert format_value(None) == "–"
    assert format_value(12, "hours") == "12 uur"
