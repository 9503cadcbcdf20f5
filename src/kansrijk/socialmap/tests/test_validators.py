"""The checks of what the sociale kaart stores, with hypothesis where the input space is
large: postcodes through the organisations' validator, days, phones, language codes,
ages, groups, folded text."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from kansrijk.socialmap import validators
from kansrijk.socialmap.forms import parse_period


def test_days_of_the_week():
    validators.validate_byday("MO,WE")
    validators.validate_byday("")
    for wrong in ("MA", "MO,MO", "mo"):
        with pytest.raises(ValidationError):
            validators.validate_byday(wrong)


def test_phone_numbers():
    for number in ("088 599 7000", "06-12345678", "+31 10 123 45 67"):
        validators.validate_phone(number)
    for wrong in ("bel ons", "12", "088 599 7000 of 06"):
        with pytest.raises(ValidationError):
            validators.validate_phone(wrong)


def test_language_codes_and_urls():
    validators.validate_language_code("ar")
    with pytest.raises(ValidationError, match="geen bekende taalcode"):
        validators.validate_language_code("xx")
    assert validators.normalise_url("www.vijfheerenlanden.nl") == "https://www.vijfheerenlanden.nl"
    assert validators.normalise_url("http://x.nl") == "http://x.nl"


def test_periods():
    assert parse_period("2022/2023")[0].isoformat() == "2022-08-01"
    assert parse_period("2022")[1].isoformat() == "2022-12-31"
    for wrong in ("2022/2024", "22/23", "voorjaar"):
        with pytest.raises(ValidationError):
            parse_period(wrong)


@given(st.decimals(min_value=0, max_value=120, places=1))
def test_an_age_in_years_reads_with_a_comma_or_a_point(age):
    assert validators.parse_age(str(age).replace(".", ",")) == age
    assert validators.parse_age(str(age)) == age


@given(st.text(max_size=6))
def test_anything_else_is_no_age(text):
    try:
        value = validators.parse_age(text)
    except ValidationError:
        return
    assert value is None or 0 <= value <= 120


@given(st.integers(min_value=0, max_value=120), st.integers(min_value=0, max_value=120))
def test_an_age_range_must_be_in_order(low, high):
    if high < low:
        with pytest.raises(ValidationError):
            validators.validate_age_range(low, high)
    else:
        validators.validate_age_range(low, high)


@given(st.text())
def test_folding_is_idempotent_and_lower_case(text):
    folded = validators.fold(text)
    assert validators.fold(folded) == folded
