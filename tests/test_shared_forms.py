"""The shared form pieces: one period notation, figures as people type them, and one
list of organisations and gemeenten (docs/decisions/0035)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ValidationError

from kansrijk.forms import (
    CALENDAR_YEAR,
    SCHOOL_YEAR,
    FigureField,
    PeriodField,
    organisation_and_region_choices,
    parse_figure,
    parse_period,
)
from kansrijk.testing import factories


@pytest.mark.parametrize(
    ("typed", "label", "start", "end"),
    [
        ("2022/2023", "2022/2023", "2022-08-01", "2023-07-31"),
        ("2022-2023", "2022/2023", "2022-08-01", "2023-07-31"),
        ("2022/23", "2022/2023", "2022-08-01", "2023-07-31"),
        ("2023", "2023", "2023-01-01", "2023-12-31"),
        ("2023 K4", "2023 K4", "2023-10-01", "2023-12-31"),
        ("k1 2024", "2024 K1", "2024-01-01", "2024-03-31"),
        ("2024-Q2", "2024 K2", "2024-04-01", "2024-06-30"),
        ("Februari 2024", "februari 2024", "2024-02-01", "2024-02-29"),
        ("2023-12", "december 2023", "2023-12-01", "2023-12-31"),
        ("1 oktober 2022", "1 oktober 2022", "2022-10-01", "2022-10-01"),
        ("1-10-2022", "1 oktober 2022", "2022-10-01", "2022-10-01"),
        # The examples' own spelling, kind word and all, and the pages' quarters.
        ("schooljaar 2025/2026", "2025/2026", "2025-08-01", "2026-07-31"),
        ("Kalenderjaar 2023", "2023", "2023-01-01", "2023-12-31"),
        ("kwartaal 2023 K1", "2023 K1", "2023-01-01", "2023-03-31"),
        ("1e kwartaal 2023", "2023 K1", "2023-01-01", "2023-03-31"),
        ("peildatum 1 oktober 2022", "1 oktober 2022", "2022-10-01", "2022-10-01"),
        ("maand januari 2023", "januari 2023", "2023-01-01", "2023-01-31"),
    ],
)
def test_a_period_is_stored_as_the_site_writes_it(typed, label, start, end):
    period = parse_period(typed)
    assert period.label == label
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


@pytest.mark.parametrize("wrong", ["2022/2024", "22/23", "voorjaar", "2023 K5", "31-02-2023"])
def test_what_is_no_period_is_refused_with_an_example(wrong):
    with pytest.raises(ValidationError) as error:
        parse_period(wrong)
    assert "2023/2024" in error.value.messages[0] or "2022/2023" in error.value.messages[0]


def test_a_field_takes_only_its_kinds_and_suggests_recent_periods():
    class Form(forms.Form):
        period = PeriodField(kinds=[SCHOOL_YEAR, CALENDAR_YEAR], today=datetime.date(2026, 3, 1))

    form = Form({"period": "2026 K1"})
    assert not form.is_valid()
    assert "schooljaar 2022/2023, kalenderjaar 2023" in form.errors["period"][0]
    html = str(Form()["period"])
    assert 'list="id_period_periods"' in html
    assert '<option value="2025/2026">' in html and '<option value="2026">' in html
    assert Form({"period": "2025-2026"}).is_valid()


@pytest.mark.parametrize("typed", ["94,5", "94,5 %", "94.5", "94,50%"])
def test_a_figure_reads_the_dutch_way(typed):
    assert parse_figure(typed) == Decimal("94.5")


def test_a_figure_field_groups_thousands_and_refuses_words():
    field = FigureField(required=False)
    assert field.clean("1.234,5") == Decimal("1234.5")
    assert field.clean("") is None
    with pytest.raises(ValidationError):
        field.clean("veel")


@pytest.mark.django_db
def test_each_gemeente_appears_once():
    gemeente = factories.MunicipalityOrganisationFactory()
    school = factories.OrganisationFactory(name="Aa-school")
    choices = organisation_and_region_choices([gemeente, school], [gemeente.municipality])
    assert [key for key, _label, _obj in choices] == [
        f"org-{school.pk}",
        f"region-{gemeente.municipality_id}",
    ]
    # Without its region in the list, the gemeente's organisation is offered.
    assert [key for key, _l, _o in organisation_and_region_choices([gemeente], [])] == [
        f"org-{gemeente.pk}"
    ]
