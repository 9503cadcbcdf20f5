"""The calendar rules: calendar months, school years and the ages of the Leerplichtwet."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from kansrijk.cases import dates

D = datetime.date
days = st.dates(min_value=D(2000, 1, 1), max_value=D(2040, 12, 31))


def test_calendar_months_clamp_to_the_month_end():
    assert dates.add_months(D(2024, 8, 31), 3) == D(2024, 11, 30)
    assert dates.add_months(D(2023, 11, 30), 3) == D(2024, 2, 29)
    assert dates.add_months(D(2024, 3, 31), -3) == D(2023, 12, 31)
    assert dates.add_months(D(2024, 1, 15), 12) == D(2025, 1, 15)


@given(start=days, peildatum=days)
def test_the_cutoff_is_exactly_start_plus_three_months_before_p(start, peildatum):
    cutoff = dates.earliest_start_reaching(peildatum, 3)
    assert (start < cutoff) == (dates.add_months(start, 3) < peildatum)


def test_the_cutoff_is_not_p_minus_three_months_at_month_ends():
    # 30 September + 3 months = 30 December < 31 December: a breach on 31 December,
    # although 30 September is not before 31 December − 3 months (30 September).
    assert dates.earliest_start_reaching(D(2024, 12, 31), 3) == D(2024, 10, 1)


def test_school_years_run_from_august_to_july():
    assert dates.school_year_start(D(2024, 7, 31)) == D(2023, 8, 1)
    assert dates.school_year_start(D(2024, 8, 1)) == D(2024, 8, 1)
    assert dates.school_year_label(D(2024, 1, 1)) == "2023/2024"
    assert dates.parse_school_year("2023/2024") == (D(2023, 8, 1), D(2024, 7, 31))


def test_compulsory_education_starts_the_month_after_the_fifth_birthday():
    assert dates.compulsory_education_start(D(2010, 3, 15)) == D(2015, 4, 1)
    assert dates.compulsory_education_start(D(2010, 3, 1)) == D(2015, 4, 1)
    assert dates.compulsory_education_start(D(2010, 12, 31)) == D(2016, 1, 1)


def test_compulsory_education_ends_with_the_school_year_of_the_sixteenth_birthday():
    assert dates.compulsory_education_end(D(2010, 3, 15)) == D(2026, 7, 31)
    assert dates.compulsory_education_end(D(2010, 7, 31)) == D(2026, 7, 31)
    assert dates.compulsory_education_end(D(2010, 8, 1)) == D(2027, 7, 31)


def test_qualification_duty_ends_at_eighteen_or_with_a_start_qualification():
    assert dates.qualification_duty_end(D(2008, 5, 4)) == D(2026, 5, 4)
    assert dates.qualification_duty_end(D(2008, 5, 4), D(2025, 7, 1)) == D(2025, 7, 1)
    assert dates.qualification_duty_end(D(2008, 2, 29)) == D(2026, 2, 28)


def test_rmc_horizon_follows_the_configured_age():
    assert dates.rmc_horizon(D(2005, 6, 1), 23) == D(2028, 6, 1)
    assert dates.rmc_horizon(D(2005, 6, 1), 27) == D(2032, 6, 1)


def test_age():
    assert dates.age_on(D(2012, 6, 1), D(2024, 5, 31)) == 11
    assert dates.age_on(D(2012, 6, 1), D(2024, 6, 1)) == 12
