"""Small numbers: primary and secondary suppression, property-based."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansrijk.indicators.suppression import (
    publish_count,
    publish_measurement,
    publish_rate,
    publish_table,
    suppress,
    suppress_table,
    suppressed_label,
)

THRESHOLD = 5


@st.composite
def tables(draw):
    height = draw(st.integers(1, 6))
    width = draw(st.integers(1, 6))
    return [[draw(st.integers(0, 50)) for _ in range(width)] for _ in range(height)]


totals_flags = st.tuples(st.booleans(), st.booleans())


def lines(rows, result, row_totals, column_totals):
    """Every line with its entries as (value, hidden), the total last."""
    height, width = len(rows), len(rows[0])
    found = []
    if result.row_totals is not None:
        for i in range(height):
            entries = [(rows[i][j], result.cells[i][j]) for j in range(width)]
            found.append([*entries, (result.row_totals[i], result.row_totals_hidden[i])])
    if result.column_totals is not None:
        for j in range(width):
            entries = [(rows[i][j], result.cells[i][j]) for i in range(height)]
            found.append([*entries, (result.column_totals[j], result.column_totals_hidden[j])])
    if result.grand_total is not None:
        grand = (result.grand_total, result.grand_total_hidden)
        column_line = zip(result.column_totals, result.column_totals_hidden, strict=True)
        row_line = zip(result.row_totals, result.row_totals_hidden, strict=True)
        found.append([*column_line, grand])
        found.append([*row_line, grand])
    return found


@settings(max_examples=300, deadline=None)
@given(tables(), totals_flags)
def test_no_shown_figure_is_below_the_threshold(rows, flags):
    row_totals, column_totals = flags
    result = suppress(rows, threshold=THRESHOLD, row_totals=row_totals, column_totals=column_totals)
    for line in lines(rows, result, row_totals, column_totals):
        for value, hidden in line:
            assert hidden or value >= THRESHOLD
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            assert result.cells[i][j] or value >= THRESHOLD


@settings(max_examples=300, deadline=None)
@given(tables(), totals_flags)
def test_no_hidden_cell_follows_from_a_total_and_its_siblings(rows, flags):
    row_totals, column_totals = flags
    result = suppress(rows, threshold=THRESHOLD, row_totals=row_totals, column_totals=column_totals)
    for line in lines(rows, result, row_totals, column_totals):
        hidden = [value for value, is_hidden in line if is_hidden]
        # Either nothing is hidden, or at least two entries (the total counts as one).
        assert len(hidden) != 1
        total_value, total_hidden = line[-1]
        if hidden and not total_hidden:
            # total minus the visible cells is the sum of the hidden ones: never 0,
            # because then every hidden cell would be known to be 0.
            visible = sum(value for value, is_hidden in line[:-1] if not is_hidden)
            assert total_value - visible == sum(hidden) > 0


@settings(max_examples=300, deadline=None)
@given(tables(), totals_flags)
def test_shown_values_equal_the_input_and_the_result_is_deterministic(rows, flags):
    row_totals, column_totals = flags
    kwargs = {"threshold": THRESHOLD, "row_totals": row_totals, "column_totals": column_totals}
    published = publish_table(rows, **kwargs)
    assert published == publish_table([list(r) for r in rows], **kwargs)
    assert suppress_table(rows, **kwargs) == suppress_table(rows, **kwargs)
    mask = suppress_table(rows, **kwargs)
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            shown = published[i][j]
            if mask[i][j]:
                # Small: "<5"; hidden only to protect a small one: "." (it may be large).
                assert shown == ("<5" if value < THRESHOLD else ".")
            else:
                assert int(shown.replace(".", "")) == value


def test_a_small_count_and_its_sibling_are_hidden():
    mask = suppress_table([[3, 10, 20], [12, 15, 30]], threshold=5)
    assert mask == [[True, True, False], [True, True, False]]
    # The 3 is small ("<5"); 10, 12 and 15 are hidden to protect it (".", not "<5").
    assert publish_table([[3, 10, 20], [12, 15, 1234]], threshold=5) == [
        ["<5", ".", "20", "33"],
        [".", ".", "1.234", "1.261"],
        ["15", "25", "1.254", "1.294"],
    ]


def test_zero_is_hidden_too():
    assert suppress_table([[0, 40, 50]], threshold=5, column_totals=False) == [[True, True, False]]


def test_a_line_of_one_cell_hides_its_total():
    result = suppress([[3], [10]], threshold=5, column_totals=False)
    assert result.cells == [[True], [False]]
    assert result.row_totals_hidden == [True, False]


def test_without_totals_only_small_counts_are_hidden():
    assert suppress_table(
        [[3, 10], [12, 4]], threshold=5, row_totals=False, column_totals=False
    ) == [
        [True, False],
        [False, True],
    ]
    assert publish_table([[3, 10]], threshold=5, row_totals=False, column_totals=False) == [
        ["<5", "10"]
    ]


def test_missing_figures_are_dashes():
    assert publish_table([[None, 10]], threshold=5, row_totals=False, column_totals=False) == [
        ["–", "10"]
    ]
    assert publish_count(None, threshold=5) == "–"


def test_counts_and_rates():
    assert suppressed_label(5) == "<5"
    assert suppressed_label(10) == "<10"
    assert publish_count(4, threshold=5) == "<5"
    assert publish_count(1234, threshold=5) == "1.234"
    assert publish_count(12, threshold=5, hidden=True) == "."
    assert publish_count(3, threshold=5, hidden=True) == "<5"
    assert publish_rate(72, 100, threshold=5, unit="percentage") == "72%"
    assert publish_rate(Decimal(1), 3, threshold=5, unit="percentage", decimals=1) == "<5"
    assert publish_rate(10, 4, threshold=5, unit="percentage") == "<5"
    assert publish_rate(10, 30, threshold=5, unit="percentage", decimals=1) == "33,3%"
    assert publish_rate(10, 30, threshold=5, unit="percentage", hidden=True) == "."
    assert publish_rate(10, None, threshold=5, unit="percentage") == "–"


@pytest.mark.django_db
def test_a_measurement_is_published_through_the_same_rules():
    from kansrijk.indicators.models import Indicator, Measurement

    reach = Indicator(code="r", name="r", unit="percentage", denominator_definition="n")
    count = Indicator(code="c", name="c", unit="count", suppression_threshold=10)
    hours = Indicator(code="h", name="h", unit="hours", decimals=1)
    assert publish_measurement(Measurement(indicator=reach, numerator=72, denominator=100)) == "72%"
    assert publish_measurement(Measurement(indicator=reach, numerator=3, denominator=100)) == "<5"
    assert publish_measurement(Measurement(indicator=count, value=9)) == "<10"
    assert publish_measurement(Measurement(indicator=count, value=1234)) == "1.234"
    assert publish_measurement(Measurement(indicator=hours, value=Decimal("12.5"))) == "12,5"
