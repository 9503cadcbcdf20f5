"""Dates and periods as the Dutch write them: the function and the template filters."""

import datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template

from kansrijk.periods import Period, format_day, format_period, period_from_label

D = datetime.date


@pytest.mark.parametrize(
    ("start", "end", "text"),
    [
        (D(2026, 7, 2), D(2026, 10, 1), "2 juli – 1 oktober 2026"),
        (D(2022, 8, 1), D(2023, 7, 31), "schooljaar 2022/2023"),
        (D(2023, 1, 1), D(2023, 12, 31), "2023"),
        (D(2019, 1, 1), D(2022, 12, 31), "2019–2022"),
        (D(2024, 1, 1), D(2024, 3, 31), "1e kwartaal 2024"),
        (D(2024, 10, 1), D(2024, 12, 31), "4e kwartaal 2024"),
        (D(2024, 6, 1), D(2024, 6, 30), "juni 2024"),
        (D(2026, 7, 2), D(2026, 7, 2), "2 juli 2026"),
        (D(2026, 7, 2), D(2026, 7, 20), "2 – 20 juli 2026"),
        (D(2025, 12, 20), D(2026, 1, 10), "20 december 2025 – 10 januari 2026"),
    ],
)
def test_a_period_reads_as_dutch(start, end, text):
    assert Period(start, end).label == text
    assert format_period(SimpleNamespace(period_start=start, period_end=end)) == text


@pytest.mark.parametrize(
    ("label", "text"),
    [
        ("2019", "2019"),
        ("2021/2022", "schooljaar 2021/2022"),
        ("2022-10-01", "1 oktober 2022"),
        ("2026-07-02/2026-10-01", "2 juli – 1 oktober 2026"),
        ("2024-06", "juni 2024"),
        ("voorjaar 2021", "voorjaar 2021"),  # no period: printed as typed
    ],
)
def test_a_typed_in_label_is_read_back(label, text):
    assert format_period(label) == text


def test_a_label_that_is_no_period():
    assert period_from_label("2021/2023") is None
    assert period_from_label("2026-13-01") is None
    assert format_period(None) == ""


def test_a_single_day():
    assert format_day(D(2026, 7, 2)) == "2 juli 2026"


def test_the_template_filters():
    template = Template(
        "{% load kansrijk_dates %}{{ m|period }} · {{ label|dutch_period }} · {{ day|dutch_date }}"
    )
    context = Context(
        {
            "m": SimpleNamespace(period_start=D(2022, 8, 1), period_end=D(2023, 7, 31)),
            "label": "2026-07-02/2026-10-01",
            "day": D(2026, 7, 2),
        }
    )
    assert template.render(context) == (
        "schooljaar 2022/2023 · 2 juli – 1 oktober 2026 · 2 juli 2026"
    )
