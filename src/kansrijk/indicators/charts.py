"""Server-side SVG charts of the monitor: one code path for the web page and the PDF.

Every chart is a plain SVG string (``role="img"``, named by its ``<title>``) plus the rows
of its data table, which the page shows beside it as the text alternative. No script and
no ``style`` attribute (the Content Security Policy forbids them): the look comes from
class names in ``static/kansrijk/charts.css``, with SVG presentation attributes as the
fallback for WeasyPrint and for a chart opened on its own.

A value that is not a number (a suppressed "<5", or ``None``) is left out of the drawing
and shown as it is in the table.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from html import escape

from django.utils.translation import gettext as _

from kansrijk.periods import Period, as_period

WIDTH = 640
HEIGHT = 320
MARGIN_LEFT = 56
MARGIN_RIGHT = 16
MARGIN_TOP = 16
MARGIN_BOTTOM = 64
TICKS = 5
# A time axis names at most this many periods; more get a name every so many.
MAX_PERIOD_LABELS = 12
MAX_FILLED_TICKS = 200

COLOUR_SERIES = "#1d5fa8"
COLOUR_NATIONAL = "#6b6b6b"
COLOUR_BASELINE = "#8a5a00"
COLOUR_TARGET = "#1a7a3a"
COLOUR_GRID = "#d0d0d0"
COLOUR_TEXT = "#1a1a1a"


@dataclass(frozen=True)
class Chart:
    """An SVG chart and its data table (``headers`` and ``table`` rows of text)."""

    svg: str
    headers: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    title: str = ""
    chart_id: str = ""

    def __html__(self) -> str:  # lets a template print {{ chart }} as markup
        return self.svg

    def __str__(self) -> str:
        return self.svg

    @property
    def legend(self) -> list[tuple[str, str]]:
        """The markers of hidden figures in the data table, with their meaning."""
        from .suppression import legend_for

        return legend_for(cell for row in self.table for cell in row)


def as_number(value) -> float | None:
    """A plottable number, or None for a missing or suppressed value."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, Decimal):
        return float(value)
    # A published text in Dutch notation ("1.234", "72%", "€ 12,50"); "<5" is no number.
    text = str(value).replace("%", "").replace("€", "").replace("\N{NO-BREAK SPACE}", "")
    text = text.strip().replace(".", "").replace(",", ".")
    try:
        return float(Decimal(text))
    except (InvalidOperation, ValueError):
        return None


def format_value(value, unit: str = "", decimals: int = 0) -> str:
    """A value as the Dutch read it: decimal comma, the unit beside the number."""
    if value is None:
        return "–"
    if isinstance(value, str):  # already published ("72%", "<5"): shown as given
        return value
    number = as_number(value)
    if number is None:
        return str(value)
    text = f"{number:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    if unit == "percentage":
        return f"{text}%"
    if unit == "euro":
        return f"€ {text}"
    if unit == "hours":
        return f"{text} {_('uur')}"
    return text


def _points(series: Iterable | None) -> list[tuple[object, object]]:
    """(period or label, value) pairs; the first item may be a text, a date, a Period or a
    figure with its period, which places the point on a time axis."""
    if not series:
        return []
    points = []
    for item in series:
        if isinstance(item, dict):
            points.append((item.get("period", item.get("label", "")), item.get("value")))
        elif isinstance(item, Sequence) and not isinstance(item, str):
            points.append((item[0], item[1]))
        else:  # an object with its period and display_value / value
            value = getattr(item, "display_value", getattr(item, "value", None))
            points.append((item, value))
    return points


def _text_points(series: Iterable | None) -> list[tuple[str, object]]:
    """Points whose first item is printed as it is (the baseline and targets)."""
    return [(str(label), value) for label, value in _points(series)]


def _time_axis(periods: list[Period]) -> list[Period]:
    """The periods a time axis shows: every period of the same kind from the first to the
    last, so that a missing year or quarter stands as a gap, or else those given."""
    kinds = {period.kind for period in periods}
    ticks = [periods[0]]
    if len(kinds) == 1 and periods[0].next() is not None:
        while ticks[-1].end < periods[-1].start and len(ticks) < MAX_FILLED_TICKS:
            ticks.append(ticks[-1].next())
        if ticks[-1] == periods[-1]:
            return ticks
    return periods


def _broken_runs(coords: list[tuple[float, float]], periods: list[Period]) -> list[list]:
    """The stretches of a line without a gap: a line stops where a period is missing (the
    next figure is not of the period that follows), or, for days and spans, where the
    distance is more than half again the shortest one."""
    runs = [[coords[0]]] if coords else []
    steps = [(later.middle - earlier.middle).days for earlier, later in itertools.pairwise(periods)]
    shortest = min(steps, default=0)
    for index in range(1, len(coords)):
        earlier, later = periods[index - 1], periods[index]
        follows = earlier.next()
        gap = later != follows if follows else steps[index - 1] > 1.5 * shortest
        if gap:
            runs.append([])
        runs[-1].append(coords[index])
    return runs


def _nice_max(value: float, unit: str) -> float:
    if value <= 0:
        return 1.0
    if unit == "percentage" and value <= 100:
        # Percentages keep the whole scale unless all figures are small.
        return 100.0 if value > 25 else _nice_max_plain(value)
    return _nice_max_plain(value)


def _nice_max_plain(value: float) -> float:
    magnitude = 10 ** len(str(int(value))) / 10 if value >= 1 else 1
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * magnitude
        if candidate >= value:
            return float(candidate)
    return float(10 * magnitude)


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _chart_id(title: str, body: str, chart_id: str | None) -> str:
    if chart_id:
        return chart_id
    return "chart-" + hashlib.sha256((title + body).encode()).hexdigest()[:10]


def _svg(chart_id: str, title: str, body: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg class="kansrijk-chart kansrijk-chart--indicator" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="{chart_id}-title" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">'
        f'<title id="{chart_id}-title">{escape(title)}</title>' + "".join(body) + "</svg>"
    )


def _axis(
    top: float, unit: str, decimals: int, plot_bottom: float, scale, *, labelled: bool = True
) -> list[str]:
    """The grid lines, with their values when there is a figure to read them against
    (without one, a scale from 0 to 1 would only suggest a figure)."""
    body = []
    for tick in range(TICKS + 1):
        value = top * tick / TICKS
        y = scale(value)
        body.append(
            f'<line class="kansrijk-chart__grid" x1="{MARGIN_LEFT}" y1="{_fmt(y)}" '
            f'x2="{WIDTH - MARGIN_RIGHT}" y2="{_fmt(y)}" stroke="{COLOUR_GRID}"/>'
        )
        if not labelled:
            continue
        body.append(
            f'<text class="kansrijk-chart__tick" x="{MARGIN_LEFT - 6}" y="{_fmt(y + 4)}" '
            f'text-anchor="end" fill="{COLOUR_TEXT}">'
            f"{escape(format_value(value, unit, decimals if top < 10 else 0))}</text>"
        )
    return body


def _x_scale(periods: list[Period] | None, labels: list[str]):
    """x of a point: by its date on a true time scale when every point has a period
    (2017 and 2019 two years apart), else by its place in the order of the labels."""
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    middle = MARGIN_LEFT + plot_width / 2
    if periods:
        first, last = periods[0].middle, periods[-1].middle
        span = (last - first).days

        def x_of(period: Period) -> float:
            if span <= 0:
                return middle
            return MARGIN_LEFT + 20 + (period.middle - first).days * (plot_width - 40) / span

        return x_of
    positions = {label: index for index, label in enumerate(labels)}

    def x_of_label(label: str) -> float:
        if len(labels) == 1:
            return middle
        return MARGIN_LEFT + 20 + positions[label] * (plot_width - 40) / (len(labels) - 1)

    return x_of_label


def _keyed(points, timed: bool) -> list[tuple[object, object]]:
    """The points with their key on the x axis: a Period on a time axis, else the label."""
    if timed:
        return [(as_period(key), value) for key, value in points]
    return [(str(getattr(key, "period_label", key)), value) for key, value in points]


def trend_chart(
    series,
    *,
    baseline=None,
    targets=(),
    national=None,
    unit: str = "",
    title: str,
    decimals: int = 0,
    chart_id: str | None = None,
    series_label: str | None = None,
    national_label: str | None = None,
) -> Chart:
    """A line through time, with the nulmeting and the targets as horizontal lines and
    the national series as a second line when given.

    ``series`` and ``national`` are (period, value) pairs (or dicts with period or label
    and value, or measurements). A period is a figure with its first and last day, a
    date, a ``kansrijk.periods.Period`` or a label such as "2019" or "2021/2022": then
    the points stand on a time axis, a missing period shows as a gap, and the axis and
    the table name the periods in Dutch. ``baseline`` is one (label, value) pair and
    ``targets`` are such pairs."""
    raw_local, raw_country = _points(series), _points(national)
    timed = all(as_period(key) is not None for key, _value in raw_local + raw_country)
    local, country = _keyed(raw_local, timed), _keyed(raw_country, timed)
    base = _text_points([baseline]) if baseline is not None else []
    goals = _text_points(targets)
    series_label = series_label or _("Gemeten")
    national_label = national_label or _("Landelijk")

    if timed:
        keys = sorted({key for key, _value in local + country}, key=lambda p: (p.start, p.end))
        ticks = _time_axis(keys) if keys else []
        x_of = _x_scale(keys, [])
        name_of, tick_name = (lambda p: p.label), (lambda p: p.short)
    else:
        keys = sorted({key for key, _value in local + country})
        ticks = keys
        x_of = _x_scale(None, keys)
        name_of = tick_name = str
    numbers = [as_number(v) for _label, v in local + country + base + goals]
    drawn = [n for n in numbers if n is not None]
    top = _nice_max(max(drawn or [0]), unit)
    plot_bottom = HEIGHT - MARGIN_BOTTOM
    plot_height = plot_bottom - MARGIN_TOP

    def scale(value: float) -> float:
        return plot_bottom - (max(value, 0) / top) * plot_height

    body = _axis(top, unit, decimals, plot_bottom, scale, labelled=bool(drawn))
    every = -(-len(ticks) // MAX_PERIOD_LABELS) if ticks else 1
    for index, tick in enumerate(ticks):
        x = _fmt(x_of(tick))
        body.append(
            f'<line class="kansrijk-chart__tick-mark" x1="{x}" y1="{plot_bottom}" x2="{x}" '
            f'y2="{plot_bottom + 5}" stroke="{COLOUR_TEXT}"/>'
        )
        if index % every and index != len(ticks) - 1:
            continue
        body.append(
            f'<text class="kansrijk-chart__period" x="{x}" y="{plot_bottom + 18}" '
            f'text-anchor="middle" fill="{COLOUR_TEXT}">{escape(tick_name(tick))}</text>'
        )

    def reference_line(value, css: str, colour: str, text: str) -> None:
        number = as_number(value)
        if number is None:
            return
        y = _fmt(scale(number))
        body.append(
            f'<line class="kansrijk-chart__{css}" x1="{MARGIN_LEFT}" y1="{y}" '
            f'x2="{WIDTH - MARGIN_RIGHT}" y2="{y}" stroke="{colour}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
        )
        body.append(
            f'<text class="kansrijk-chart__{css}-label" x="{WIDTH - MARGIN_RIGHT - 4}" '
            f'y="{_fmt(scale(number) - 5)}" text-anchor="end" fill="{colour}">'
            f"{escape(text)}</text>"
        )

    for label, value in base:
        reference_line(value, "baseline", COLOUR_BASELINE, _("Nulmeting %s") % label)
    for label, value in goals:
        reference_line(value, "target", COLOUR_TARGET, _("Streefwaarde %s") % label)

    def line(points, css: str, colour: str) -> None:
        by_key = {key: as_number(value) for key, value in points}
        shown = [key for key in keys if by_key.get(key) is not None]
        coords = [(x_of(key), scale(by_key[key])) for key in shown]
        runs = _broken_runs(coords, shown) if timed else [coords]
        for run in runs:
            if len(run) < 2:
                continue
            path = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in run)
            body.append(
                f'<polyline class="kansrijk-chart__{css}" points="{path}" fill="none" '
                f'stroke="{colour}" stroke-width="3"/>'
            )
        for x, y in coords:
            body.append(
                f'<circle class="kansrijk-chart__{css}-point" cx="{_fmt(x)}" cy="{_fmt(y)}" '
                f'r="4" fill="{colour}"/>'
            )

    if country:
        line(country, "national", COLOUR_NATIONAL)
    line(local, "series", COLOUR_SERIES)

    # Legend under the axis: what each line means, also without colour (dash and labels).
    legend = [(series_label, "series", COLOUR_SERIES, "")]
    if country:
        legend.append((national_label, "national", COLOUR_NATIONAL, ""))
    if base:
        legend.append((_("Nulmeting"), "baseline", COLOUR_BASELINE, ' stroke-dasharray="6 4"'))
    if goals:
        legend.append((_("Streefwaarde"), "target", COLOUR_TARGET, ' stroke-dasharray="6 4"'))
    x = MARGIN_LEFT
    y = HEIGHT - 16
    for text, css, colour, dash in legend:
        body.append(
            f'<line class="kansrijk-chart__{css}" x1="{x}" y1="{y - 4}" x2="{x + 24}" '
            f'y2="{y - 4}" stroke="{colour}" stroke-width="3"{dash}/>'
        )
        body.append(
            f'<text class="kansrijk-chart__legend" x="{x + 30}" y="{y}" fill="{COLOUR_TEXT}">'
            f"{escape(text)}</text>"
        )
        x += 40 + 7 * len(text)

    headers = [_("Periode"), series_label]
    if country:
        headers.append(national_label)
    local_by_key = dict(local)
    country_by_key = dict(country)
    rows = []
    for key in keys:
        row = [name_of(key), format_value(local_by_key.get(key), unit, decimals)]
        if country:
            row.append(format_value(country_by_key.get(key), unit, decimals))
        rows.append(row)
    padding = [""] * (len(headers) - 2)
    for label, value in base:
        rows.append([_("Nulmeting %s") % label, format_value(value, unit, decimals), *padding])
    for label, value in goals:
        rows.append([_("Streefwaarde %s") % label, format_value(value, unit, decimals), *padding])

    identifier = _chart_id(title, "".join(body), chart_id)
    return Chart(
        svg=_svg(identifier, title, body),
        headers=headers,
        table=rows,
        title=title,
        chart_id=identifier,
    )


def bar_chart(
    rows,
    *,
    unit: str = "",
    title: str,
    decimals: int = 0,
    chart_id: str | None = None,
    label_header: str | None = None,
    value_header: str | None = None,
) -> Chart:
    """Horizontal bars side by side, e.g. the gemeenten of a region for one period.

    ``rows`` are (label, value) pairs; a suppressed or missing value gets no bar and
    its text ("<5", "–") in place of the figure."""
    points = _points(rows)
    label_width = 200
    bar_height = 18
    gap = 8
    height = MARGIN_TOP * 2 + max(len(points), 1) * (bar_height + gap)
    numbers = [as_number(value) for _label, value in points]
    top = _nice_max(max([n for n in numbers if n is not None] or [0]), unit)
    plot_width = WIDTH - label_width - 90
    body = []
    for index, (label, value) in enumerate(points):
        y = MARGIN_TOP + index * (bar_height + gap)
        number = as_number(value)
        width = 0 if number is None else max(number, 0) / top * plot_width
        short = label if len(label) <= 30 else label[:29] + "…"
        body.append('<g class="kansrijk-chart__row">')
        body.append(
            f'<text class="kansrijk-chart__label" x="{label_width - 8}" '
            f'y="{y + bar_height - 5}" text-anchor="end" fill="{COLOUR_TEXT}">'
            f"{escape(short)}</text>"
        )
        if width:
            body.append(
                f'<rect class="kansrijk-chart__bar" x="{label_width}" y="{y}" '
                f'width="{_fmt(width)}" height="{bar_height}" fill="{COLOUR_SERIES}"/>'
            )
        body.append(
            f'<text class="kansrijk-chart__value" x="{_fmt(label_width + width + 6)}" '
            f'y="{y + bar_height - 5}" fill="{COLOUR_TEXT}">'
            f"{escape(format_value(value, unit, decimals))}</text>"
        )
        body.append("</g>")
    identifier = _chart_id(title, "".join(body), chart_id)
    return Chart(
        svg=_svg(identifier, title, body, height=height),
        headers=[label_header or _("Gebied"), value_header or _("Waarde")],
        table=[[label, format_value(value, unit, decimals)] for label, value in points],
        title=title,
        chart_id=identifier,
    )
