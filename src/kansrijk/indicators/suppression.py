"""Small numbers: the ONE code path for every figure that leaves for someone not entitled
to the detail (the public page, an export, the API).

* Primary suppression: every count below the threshold (default 5) is hidden and shown as
  "<5" - including 0, because "0 pupils" in a small cell discloses as much as "3".
* A rate is hidden when its numerator or its denominator is below the threshold, or when
  the cell of its numerator is hidden.
* Secondary suppression: in a table with published totals, every line (a row with its row
  total, a column with its column total) has either no hidden entry or at least two, and
  when its total is shown the hidden entries never sum to 0. Otherwise the hidden cell
  would follow from the total minus the visible cells. A total is an entry of its line: it
  is hidden itself when it is below the threshold, or when nothing else is left to hide
  (a line with a single cell).

Two markers, each with its own meaning (docs/small-numbers.md has the legend and its
source): "<5" for a count below the threshold (primary suppression), and "." for a figure
hidden only so that a small one cannot be worked out from it (secondary suppression: it
may be 30). The second follows the symbol of CBS StatLine for "geheim". A figure that
does not exist reads "–".

The method and its limits are written down in docs/small-numbers.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

NO_FIGURE = "–"
# CBS StatLine, "Verklaring van symbolen": "." = het cijfer is onbekend, onvoldoende
# betrouwbaar of geheim. Kansrijk uses it for secondary suppression only, so that a
# reader never takes a hidden 30 for "fewer than 5".
SECONDARY_MARKER = "."


def default_threshold() -> int:
    return settings.KANSRIJK["SMALL_NUMBER_THRESHOLD"]


def suppressed_label(threshold: int) -> str:
    """The marker for a count below the threshold: "<5" for threshold 5."""
    return f"<{threshold}"


def marker_for(value, threshold: int) -> str:
    """The marker of a hidden count: "<5" when it is below the threshold (or unknown),
    "." when it was hidden to protect another figure (it may be large)."""
    if value is None or value < threshold:
        return suppressed_label(threshold)
    return SECONDARY_MARKER


def is_marker(text) -> bool:
    """Is this published text a marker rather than a figure?"""
    return isinstance(text, str) and (text == SECONDARY_MARKER or text.startswith("<"))


def legend(threshold: int | None = None) -> list[tuple[str, str]]:
    """The markers and what they mean, for the legend under every table and export."""
    threshold = default_threshold() if threshold is None else threshold
    return [
        (
            suppressed_label(threshold),
            _(
                "minder dan %(threshold)s (ook 0): een klein aantal, afgeschermd zodat "
                "niemand herkenbaar is"
            )
            % {"threshold": threshold},
        ),
        (
            SECONDARY_MARKER,
            _(
                "geheim: afgeschermd zodat een klein aantal niet uit een totaal kan "
                "worden teruggerekend; dit cijfer kan groot zijn (teken van het CBS)"
            ),
        ),
        (NO_FIGURE, _("geen cijfer")),
    ]


def legend_for(texts) -> list[tuple[str, str]]:
    """The legend of the markers that occur among ``texts`` (the cells of one table),
    empty when none does."""
    found = {text for text in texts if is_marker(text)}
    if not found:
        return []
    small = next((text for text in found if text.startswith("<")), None)
    threshold = int(small[1:]) if small and small[1:].isdigit() else None
    return [(marker, meaning) for marker, meaning in legend(threshold) if marker in found]


def legend_text(threshold: int | None = None, *, markers=None) -> str:
    """The legend as one line, e.g. for a CSV column: only the markers given, or all."""
    return "; ".join(
        f"{marker} = {meaning}"
        for marker, meaning in legend(threshold)
        if marker != NO_FIGURE and (markers is None or marker in markers)
    )


@dataclass(frozen=True)
class Cell:
    """One figure of a table: a count, and for a rate its denominator."""

    key: object
    count: int | None
    denominator: int | None = None


@dataclass(frozen=True)
class SuppressedTable:
    """The result of secondary suppression over a table with its totals.

    ``cells`` has the shape of the input; ``row_totals_hidden[i]`` is for the total of row i,
    ``column_totals_hidden[j]`` for the total of column j and ``grand_total_hidden`` for the
    total of all cells (only published when both row and column totals are).
    """

    cells: list[list[bool]]
    row_totals: list[int] | None
    column_totals: list[int] | None
    grand_total: int | None
    row_totals_hidden: list[bool]
    column_totals_hidden: list[bool]
    grand_total_hidden: bool


def _is_small(value: int | None, threshold: int) -> bool:
    return value is not None and value < threshold


def suppress(
    rows: list[list[int | None]],
    *,
    threshold: int,
    row_totals: bool = True,
    column_totals: bool = True,
) -> SuppressedTable:
    """Primary and secondary suppression of a table of counts (``None`` = no figure).

    Deterministic: the same table always gives the same mask.
    """
    height = len(rows)
    width = max((len(row) for row in rows), default=0)
    if any(len(row) != width for row in rows):
        raise ValueError("every row of the table needs the same number of cells")
    # The augmented grid: cells, then a column of row totals, then a row of column totals.
    has_rt, has_ct = row_totals and width > 0, column_totals and height > 0
    grid: list[list[int | None]] = [list(row) for row in rows]
    if has_rt:
        for row in grid:
            row.append(sum(v for v in row if v is not None))
    if has_ct:
        total_row = [
            sum(grid[i][j] for i in range(height) if grid[i][j] is not None)
            for j in range(width + (1 if has_rt else 0))
        ]
        grid.append(total_row)
    # With both totals the grand total sits at grid[height][width]; without column totals
    # there is no total row, without row totals no total column.
    full_h = len(grid)
    full_w = width + (1 if has_rt else 0)
    # Lines: (member positions, total position). A row line exists when row totals are
    # published (also for the row of column totals, whose total is the grand total).
    lines: list[tuple[list[tuple[int, int]], tuple[int, int]]] = []
    if has_rt:
        for i in range(full_h):
            lines.append(([(i, j) for j in range(width)], (i, width)))
    if has_ct:
        for j in range(full_w):
            lines.append(([(i, j) for i in range(height)], (height, j)))

    values = {(i, j): grid[i][j] for i in range(full_h) for j in range(full_w)}
    hidden_keys = suppress_lines(values, lines, threshold=threshold)
    hidden = [[(i, j) in hidden_keys for j in range(full_w)] for i in range(full_h)]

    cells = [[hidden[i][j] for j in range(width)] for i in range(height)]
    return SuppressedTable(
        cells=cells,
        row_totals=[grid[i][width] for i in range(height)] if has_rt else None,
        column_totals=[grid[height][j] for j in range(width)] if has_ct else None,
        grand_total=grid[height][width] if has_rt and has_ct else None,
        row_totals_hidden=[hidden[i][width] for i in range(height)] if has_rt else [],
        column_totals_hidden=[hidden[height][j] for j in range(width)] if has_ct else [],
        grand_total_hidden=hidden[height][width] if has_rt and has_ct else False,
    )


def suppress_lines(
    values: dict,
    lines: list[tuple[list, object]],
    *,
    threshold: int,
    also_hidden=frozenset(),
) -> set:
    """Primary and secondary suppression over any set of additive lines.

    ``values`` maps a key to a count (``None`` = no figure); each line is (the keys of its
    members, the key of their total). A key may sit in several lines (a row of categories
    and a row of duration bands with the same total). Returns the keys to hide:

    * every count below the threshold (primary);
    * then, until nothing changes, in every line whose hidden entries could be recovered
      from the others (one hidden entry, or hidden members summing to 0 beside a shown
      total), the smallest shown member is hidden too, or else the total.

    ``also_hidden``: keys hidden for another reason before the lines are checked (the
    numerator of a rate whose denominator is small).

    Deterministic: ties are broken by the order of ``values``.
    """
    order = {key: position for position, key in enumerate(values)}
    hidden = {key for key, value in values.items() if _is_small(value, threshold)}
    hidden |= {key for key in also_hidden if key in values}
    changed = True
    while changed:
        changed = False
        for members, total in lines:
            entries = [k for k in [*members, total] if values.get(k) is not None]
            hidden_entries = [k for k in entries if k in hidden]
            if not hidden_entries:
                continue
            total_shown = total not in hidden
            hidden_sum = sum(values[k] for k in hidden_entries if k != total)
            exposed = len(hidden_entries) == 1 or (total_shown and hidden_sum == 0)
            if not exposed:
                continue
            candidates = sorted(
                (values[k], order[k], k)
                for k in members
                if values.get(k) is not None and k not in hidden
            )
            if candidates:
                hidden.add(candidates[0][2])
            elif total_shown:
                hidden.add(total)
            else:
                continue  # every entry of the line is hidden already
            changed = True
    return hidden


def suppress_table(
    rows: list[list[int | None]],
    *,
    threshold: int,
    row_totals: bool = True,
    column_totals: bool = True,
) -> list[list[bool]]:
    """A mask of the same shape as ``rows``: True where the cell must be hidden.

    The totals are protected as well; use :func:`suppress` to learn which totals to hide,
    or :func:`publish_table`, which prints them.
    """
    return suppress(
        rows, threshold=threshold, row_totals=row_totals, column_totals=column_totals
    ).cells


def format_decimal(value: Decimal | int | float, decimals: int = 0) -> str:
    """Dutch notation: 1.234 and 12,5."""
    quantum = Decimal(1).scaleb(-decimals)
    number = Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    result = ".".join(groups)
    if fraction:
        result += "," + fraction
    return sign + result


def publish_count(n: int | Decimal | None, *, threshold: int, hidden: bool = False) -> str:
    """A count as it may be published: "1.234"; "<5" when small; "." when it is hidden
    to protect another figure; "–" when absent."""
    if n is None:
        return NO_FIGURE
    if hidden or n < threshold:
        return marker_for(n, threshold)
    return format_decimal(n)


def publish_rate(
    numerator: int | Decimal | None,
    denominator: int | Decimal | None,
    *,
    threshold: int,
    unit: str = "percentage",
    decimals: int = 0,
    hidden: bool = False,
) -> str:
    """A rate as it may be published ("72%", or "0,45" for a ratio).

    "<5" when the numerator or the denominator is below the threshold; "." when one of
    them is hidden to protect another figure (``hidden=True``). "–" without a denominator.
    """
    if numerator is None or not denominator:
        return NO_FIGURE
    if numerator < threshold or denominator < threshold:
        return suppressed_label(threshold)
    if hidden:
        return SECONDARY_MARKER
    ratio = Decimal(str(numerator)) / Decimal(str(denominator))
    if unit == "percentage":
        return format_decimal(ratio * 100, decimals) + "%"
    return format_decimal(ratio, decimals)


def publish_value(value: Decimal | int | None, *, unit: str, decimals: int = 0) -> str:
    """A figure that is not a count of people (hours, euro, score, a percentage from an
    external source without its counts): no small-number rule applies."""
    if value is None:
        return NO_FIGURE
    text = format_decimal(value, decimals)
    if unit == "percentage":
        return text + "%"
    if unit == "euro":
        return "€\N{NO-BREAK SPACE}" + text
    return text


def publish_measurement(measurement, *, hidden: bool = False) -> str:
    """The published text of one measurement (or baseline): rates through
    :func:`publish_rate`, counts through :func:`publish_count`, other units as they are."""
    indicator = measurement.indicator
    threshold = indicator.suppression_threshold
    if measurement.numerator is not None and measurement.denominator:
        return publish_rate(
            measurement.numerator,
            measurement.denominator,
            threshold=threshold,
            unit=indicator.unit,
            decimals=indicator.decimals,
            hidden=hidden,
        )
    if indicator.unit == "count":
        return publish_count(measurement.value, threshold=threshold, hidden=hidden)
    if hidden:
        return SECONDARY_MARKER
    return publish_value(measurement.value, unit=indicator.unit, decimals=indicator.decimals)


def publish_table(
    rows: list[list[int | None]],
    *,
    threshold: int,
    row_totals: bool = True,
    column_totals: bool = True,
) -> list[list[str]]:
    """The table as text, hidden cells as "<5" (small) or "." (hidden to protect another).

    With ``row_totals`` every row gets its total as a last column; with ``column_totals``
    a last row holds the column totals (and, with both, the grand total).
    """
    result = suppress(rows, threshold=threshold, row_totals=row_totals, column_totals=column_totals)

    def text(value: int | None, is_hidden: bool) -> str:
        if value is None:
            return NO_FIGURE
        return marker_for(value, threshold) if is_hidden else format_decimal(value)

    table = [
        [text(value, result.cells[i][j]) for j, value in enumerate(row)]
        for i, row in enumerate(rows)
    ]
    if result.row_totals is not None:
        for i, row in enumerate(table):
            row.append(text(result.row_totals[i], result.row_totals_hidden[i]))
    if result.column_totals is not None:
        last = [
            text(value, result.column_totals_hidden[j])
            for j, value in enumerate(result.column_totals)
        ]
        if result.grand_total is not None:
            last.append(text(result.grand_total, result.grand_total_hidden))
        table.append(last)
    return table


__all__ = [
    "NO_FIGURE",
    "SECONDARY_MARKER",
    "Cell",
    "SuppressedTable",
    "format_decimal",
    "is_marker",
    "legend",
    "legend_for",
    "legend_text",
    "marker_for",
    "publish_count",
    "publish_measurement",
    "publish_rate",
    "publish_table",
    "publish_value",
    "suppress",
    "suppress_lines",
    "suppress_table",
    "suppressed_label",
]
