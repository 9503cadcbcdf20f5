"""The SVG charts: valid markup named by its title, the data table as text alternative,
escaping, and no inline style (the Content Security Policy forbids it)."""

import datetime
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
    assert chart.table[0] == ["2022-2023", "72%", "80%"]
    assert ["Nulmeting 2022-2023", "72%", ""] in chart.table
    assert ["Streefwaarde 2026", "90%", ""] in chart.table


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
    assert chart.table[1] == ["Vlaardingen", "81,5%"]


def test_published_dutch_text_is_plotted():
    chart = trend_chart([("2023", "72%"), ("2024", "1.234")], unit="count", title="t")
    assert len(parse(chart).findall(f".//{SVG}circle")) == 2


def test_format_value():
    assert format_value(Decimal("1234.5"), "euro", 2) == "€ 1.234,50"
    assert format_value(None) == "–"
    assert format_value(12, "hours") == "12 uur"


def _xs(chart, css="series"):
    root = parse(chart)
    return [
        float(c.get("cx"))
        for c in root.findall(f".//{SVG}circle[@class='kansrijk-chart__{css}-point']")
    ]


def _periods(chart):
    return [t.text for t in parse(chart).findall(f".//{SVG}text[@class='kansrijk-chart__period']")]


def test_points_stand_on_a_time_axis_and_a_missing_year_is_a_gap():
    chart = trend_chart(
        [("2017", Decimal("60")), ("2019", Decimal("70")), ("2020", Decimal("72"))],
        unit="percentage",
        title="Bereik VVE",
    )
    first, second, third = _xs(chart)
    # 2017 and 2019 are two years apart, 2019 and 2020 one (2020 is a leap year).
    assert abs((second - first) - 2 * (third - second)) < 1
    assert _periods(chart) == ["2017", "2018", "2019", "2020"]
    lines = parse(chart).findall(f".//{SVG}polyline[@class='kansrijk-chart__series']")
    assert [len(line.get("points").split()) for line in lines] == [2]  # 2019–2020 only
    assert [row[0] for row in chart.table] == ["2017", "2019", "2020"]


def test_school_years_and_quarters_are_named_in_dutch():
    school_years = trend_chart(
        [("2021/2022", 5), ("2022/2023", 7)], unit="count", title="Vrijstellingen"
    )
    assert _periods(school_years) == ["2021/2022", "2022/2023"]
    assert school_years.table[0][0] == "schooljaar 2021/2022"
    quarters = trend_chart(
        [
            ((datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)), 10),
            ((datetime.date(2024, 7, 1), datetime.date(2024, 9, 30)), 12),
        ],
        unit="count",
        title="Thuiszitters",
    )
    assert _periods(quarters) == ["K1 2024", "K2 2024", "K3 2024"]
    assert quarters.table[0][0] == "1e kwartaal 2024"


def test_peildata_are_dates_not_iso_text():
    days = [datetime.date(2025, 1, 1), datetime.date(2025, 4, 1), datetime.date(2025, 10, 1)]
    chart = trend_chart([(day, 8) for day in days], unit="count", title="Thuiszitters")
    assert "2025-01-01" not in chart.svg
    assert _periods(chart) == ["1 jan 2025", "1 apr 2025", "1 okt 2025"]
    assert chart.table[0][0] == "1 januari 2025"
    first, second, third = _xs(chart)
    # 90 days from 1 January to 1 April, 183 from 1 April to 1 October.
    assert abs((third - second) / (second - first) - 183 / 90) < 0.01
