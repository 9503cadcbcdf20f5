"""The validators and normalisers of Dutch identifiers: examples and properties."""

from __future__ import annotations

import re
import string

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, example, given
from hypothesis import strategies as st

from kansrijk.organisations import validators as v

DIGITS = "0123456789"
UPPER = string.ascii_uppercase
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)

BRIN4 = re.compile(r"[0-9]{2}[A-Z]{2}")
BRIN6 = re.compile(r"[0-9]{2}[A-Z]{2}[0-9]{2}")
GM = re.compile(r"GM[0-9]{4}")
SWV = re.compile(r"(PO|VO)[0-9]{4}")
POSTCODE = re.compile(r"[1-9][0-9]{3} ?[A-Z]{2}")
STORED_POSTCODE = re.compile(r"^\d{4} [A-Z]{2}$")


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text(DIGITS, min_size=n, max_size=n)


def letters(n: int) -> st.SearchStrategy[str]:
    return st.text(UPPER, min_size=n, max_size=n)


def message(error: pytest.ExceptionInfo) -> str:
    return " ".join(error.value.messages)


def weighted_sum(number: str) -> int:
    return sum(int(d) * w for d, w in zip(number, WEIGHTS, strict=True))


valid_brin4 = st.builds(lambda nums, chars: nums + chars, digits(2), letters(2))
valid_brin6 = st.builds(lambda b, d: b + d, valid_brin4, digits(2))
valid_gm = st.builds(lambda d: "GM" + d, digits(4))
valid_swv = st.builds(lambda s, d: s + d, st.sampled_from(["PO", "VO"]), digits(4))
postcode_letters = letters(2).filter(lambda pair: pair not in {"SA", "SD", "SS"})
valid_postcode = st.builds(
    lambda first, rest, space, pair: f"{first}{rest}{space}{pair}",
    st.sampled_from("123456789"),
    digits(3),
    st.sampled_from(["", " "]),
    postcode_letters,
)
random_text = st.text()


@st.composite
def valid_bsns(draw) -> str:
    first8 = draw(digits(8))
    check = weighted_sum(first8 + "0") % 11  # the last digit counts -1
    assume(check <= 9)
    number = first8 + str(check)
    assume(number != "000000000")
    return number


@st.composite
def valid_onderwijsnummers(draw) -> str:
    first8 = "10" + draw(digits(6))
    check = (weighted_sum(first8 + "0") - 5) % 11
    assume(check <= 9)
    return first8 + str(check)


# ----------------------------------------------------------------------------- BRIN


@pytest.mark.parametrize("value", ["05KO", "00AA", "99ZZ", "07NU"])
def test_brin4_good(value):
    v.validate_brin4(value)


@pytest.mark.parametrize("value", ["", "5KO", "05ko", "05KOO", "O5KO", "05K0", "05 KO", None, 5])
def test_brin4_bad_with_dutch_message(value):
    with pytest.raises(ValidationError) as error:
        v.validate_brin4(value)
    assert "is geen geldige BRIN" in message(error)
    assert "2 cijfers en 2 hoofdletters, zoals 05KO" in message(error)
    assert error.value.code == "invalid_brin4"


@pytest.mark.parametrize("value", ["07NU00", "01UH00", "05KO12"])
def test_brin6_good(value):
    v.validate_brin6(value)


@pytest.mark.parametrize("value", ["07NU", "07NU0", "07nu00", "07NU000", "0XUH00", "07NUAB"])
def test_brin6_bad_with_dutch_message(value):
    with pytest.raises(ValidationError) as error:
        v.validate_brin6(value)
    assert f"'{value}' is geen geldige vestigingscode (BRIN6)" in message(error)
    assert "zoals 07NU00" in message(error)


@given(valid_brin4)
def test_every_generated_brin4_passes(value):
    v.validate_brin4(value)


@given(valid_brin6)
def test_every_generated_brin6_passes(value):
    v.validate_brin6(value)


@given(random_text)
@example("05ko")
@example(" 05KO")
def test_text_that_is_no_brin4_fails(text):
    assume(not BRIN4.fullmatch(text))
    with pytest.raises(ValidationError):
        v.validate_brin4(text)


@given(random_text)
def test_text_that_is_no_brin6_fails(text):
    assume(not BRIN6.fullmatch(text))
    with pytest.raises(ValidationError):
        v.validate_brin6(text)


# ------------------------------------------------------------------------ gemeente


@pytest.mark.parametrize("value", ["GM0375", "GM0014", "GM1961"])
def test_gm_code_good(value):
    v.validate_gm_code(value)


@pytest.mark.parametrize("value", ["gm0375", "GM375", "0375", "GM03755", "GM 0375", "PV27"])
def test_gm_code_bad_with_dutch_message(value):
    with pytest.raises(ValidationError) as error:
        v.validate_gm_code(value)
    assert f"'{value}' is geen geldige gemeentecode" in message(error)
    assert "GM en 4 cijfers, zoals GM0375" in message(error)


@given(valid_gm)
def test_every_generated_gm_code_passes(value):
    v.validate_gm_code(value)


@given(random_text)
def test_text_that_is_no_gm_code_fails(text):
    assume(not GM.fullmatch(text))
    with pytest.raises(ValidationError):
        v.validate_gm_code(text)


# ---------------------------------------------------------- samenwerkingsverband


@pytest.mark.parametrize("value", ["PO2711", "VO2704", "PO2807"])
def test_swv_code_good(value):
    v.validate_swv_code(value)


@pytest.mark.parametrize("value", ["PO 27-11", "po2711", "MBO2711", "PO271", "XX2711", ""])
def test_swv_code_bad_with_dutch_message(value):
    with pytest.raises(ValidationError) as error:
        v.validate_swv_code(value)
    assert "geen geldige code van een samenwerkingsverband" in message(error)
    assert "PO of VO gevolgd door 4 cijfers, zoals PO2711" in message(error)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("PO 27-11", "PO2711"),
        ("po 27.11", "PO2711"),
        ("VO-25-07", "VO2507"),
        ("VO 27.01", "VO2701"),
        ("PO2711", "PO2711"),
        (" vo 28-11 ", "VO2811"),
    ],
)
def test_normalise_swv_code(written, code):
    assert v.normalise_swv_code(written) == code


@pytest.mark.parametrize("written", ["", None, "Europoort", "PO 27-1", "SO 27-11", "PO 2711 2"])
def test_normalise_swv_code_refuses(written):
    with pytest.raises(ValidationError) as error:
        v.normalise_swv_code(written)
    assert "geen geldige code van een samenwerkingsverband" in message(error)


def test_display_swv_code():
    assert v.display_swv_code("PO2711") == "PO 27-11"
    assert v.display_swv_code("VO2507") == "VO 25-07"
    assert v.display_swv_code("Europoort") == "Europoort"


@given(valid_swv)
def test_every_generated_swv_code_passes(value):
    v.validate_swv_code(value)


@given(random_text)
def test_text_that_is_no_swv_code_fails(text):
    assume(not SWV.fullmatch(text))
    with pytest.raises(ValidationError):
        v.validate_swv_code(text)


@given(
    st.sampled_from(["PO", "VO", "po", "vo", "Po", "vO"]),
    digits(2),
    digits(2),
    st.sampled_from(["", " ", "-", ".", " - ", ". "]),
    st.sampled_from(["", " ", "-", ".", " - "]),
)
def test_normalise_swv_code_reads_the_written_forms_and_is_idempotent(
    sector, region, number, first, second
):
    written = f"{sector}{first}{region}{second}{number}"
    code = v.normalise_swv_code(written)
    assert code == f"{sector.upper()}{region}{number}"
    v.validate_swv_code(code)
    assert v.normalise_swv_code(code) == code
    assert v.normalise_swv_code(v.display_swv_code(code)) == code


# ------------------------------------------------------------------------ postcode


@pytest.mark.parametrize("value", ["1941 AB", "1941AB", "9751 NS", "3142 LC"])
def test_postcode_good(value):
    v.validate_postcode(value)


@pytest.mark.parametrize("value", ["0941 AB", "1941 ab", "194 AB", "1941  AB", "1941 A", "AB 1941"])
def test_postcode_bad_with_dutch_message(value):
    with pytest.raises(ValidationError) as error:
        v.validate_postcode(value)
    assert f"'{value}' is geen geldige postcode" in message(error)
    assert "4 cijfers en 2 letters, zoals 1941 AB" in message(error)


@pytest.mark.parametrize("value", ["1941 SA", "1941 SD", "1941SS"])
def test_postcode_letters_that_are_never_issued(value):
    with pytest.raises(ValidationError) as error:
        v.validate_postcode(value)
    assert "bestaat niet" in message(error)
    assert "SA, SD of SS worden niet uitgegeven" in message(error)
    assert error.value.code == "nonexistent_postcode"


@pytest.mark.parametrize(
    ("written", "stored"),
    [("1941ab", "1941 AB"), ("1941 AB", "1941 AB"), (" 1941AB ", "1941 AB"), ("9751NS", "9751 NS")],
)
def test_normalise_postcode(written, stored):
    assert v.normalise_postcode(written) == stored


@pytest.mark.parametrize("written", ["", None, "1941", "1941 sa", "0941AB", "1941ABC"])
def test_normalise_postcode_refuses(written):
    with pytest.raises(ValidationError):
        v.normalise_postcode(written)


@given(valid_postcode)
def test_every_generated_postcode_passes_and_normalises(value):
    v.validate_postcode(value)
    stored = v.normalise_postcode(value.lower())
    assert stored == f"{value[:4]} {value[-2:]}"
    assert v.normalise_postcode(stored) == stored


@given(random_text)
def test_text_that_is_no_postcode_fails(text):
    assume(not POSTCODE.fullmatch(text))
    with pytest.raises(ValidationError):
        v.validate_postcode(text)


@given(st.one_of(valid_postcode, random_text, st.text(DIGITS + UPPER + " \t", max_size=9)))
@example("1941ss")
@example("1941 Sd")
def test_normalised_postcodes_have_one_form_and_existing_letters(text):
    try:
        stored = v.normalise_postcode(text)
    except ValidationError:
        return
    assert STORED_POSTCODE.fullmatch(stored)
    assert stored[-2:] not in {"SA", "SD", "SS"}


# ----------------------------------------------------------------- BSN, onderwijsnummer


@pytest.mark.parametrize("value", ["111222333", "123456782", "999999990"])
def test_bsn_good(value):
    assert v.is_valid_bsn(value)
    v.validate_bsn(value)


@pytest.mark.parametrize(
    "value",
    ["111222334", "123456789", "000000000", "12345678", "1234567820", "12345678a", 111222333],
)
def test_bsn_bad_without_repeating_the_number(value):
    assert not v.is_valid_bsn(value)
    with pytest.raises(ValidationError) as error:
        v.validate_bsn(value)
    assert message(error) == "Dit is geen geldig BSN: 9 cijfers die voldoen aan de elfproef."
    assert str(value) not in message(error)


@given(valid_bsns())
def test_every_number_passing_the_elfproef_is_a_bsn(number):
    assert weighted_sum(number) % 11 == 0
    assert v.is_valid_bsn(number)


@given(valid_bsns(), st.integers(0, 8), st.integers(1, 9))
def test_changing_one_digit_breaks_a_bsn(number, position, delta):
    changed = str((int(number[position]) + delta) % 10)
    mutated = number[:position] + changed + number[position + 1 :]
    assert not v.is_valid_bsn(mutated)


@given(digits(9))
def test_bsn_check_is_the_elfproef(number):
    expected = weighted_sum(number) % 11 == 0 and number != "000000000"
    assert v.is_valid_bsn(number) == expected


@pytest.mark.parametrize("value", ["101234564", "100000004"])
def test_onderwijsnummer_good(value):
    assert weighted_sum(value) % 11 == 5
    assert v.is_valid_onderwijsnummer(value)
    v.validate_onderwijsnummer(value)


@pytest.mark.parametrize("value", ["111222333", "201234567", "101234568", "10123456", ""])
def test_onderwijsnummer_bad_with_dutch_message(value):
    assert not v.is_valid_onderwijsnummer(value)
    with pytest.raises(ValidationError) as error:
        v.validate_onderwijsnummer(value)
    assert "geen geldig onderwijsnummer" in message(error)
    assert "begint met 10, elfproef rest 5" in message(error)


@given(valid_onderwijsnummers())
def test_every_generated_onderwijsnummer_passes_and_is_no_bsn(number):
    assert v.is_valid_onderwijsnummer(number)
    assert not v.is_valid_bsn(number)  # remainder 5, not 0


@given(digits(9))
def test_onderwijsnummer_rules(number):
    expected = number.startswith("10") and weighted_sum(number) % 11 == 5
    assert v.is_valid_onderwijsnummer(number) == expected


@given(valid_onderwijsnummers(), st.integers(0, 8), st.integers(1, 9))
def test_changing_one_digit_breaks_an_onderwijsnummer(number, position, delta):
    changed = str((int(number[position]) + delta) % 10)
    mutated = number[:position] + changed + number[position + 1 :]
    assert not v.is_valid_onderwijsnummer(mutated)


@given(st.text(string.printable, max_size=12))
def test_random_ascii_text_is_no_bsn_unless_it_passes_the_elfproef(text):
    assume(not (len(text) == 9 and text.isdigit()))
    assert not v.is_valid_bsn(text)
    assert not v.is_valid_onderwijsnummer(text)


# ------------------------------------------------------------ edges that once slipped through


@pytest.mark.parametrize(
    ("validate", "value"),
    [
        (v.validate_brin4, "05KO\n"),
        (v.validate_brin6, "07NU00\n"),
        (v.validate_gm_code, "GM0375\n"),
        (v.validate_swv_code, "PO2711\n"),
        (v.validate_postcode, "1941 AB\n"),
    ],
)
def test_a_trailing_newline_is_refused(validate, value):
    with pytest.raises(ValidationError):
        validate(value)


@pytest.mark.parametrize("value", ["１１１２２２３３３", "²²²²²²²²²", "10²²²²²²²"])
def test_non_ascii_digits_are_no_bsn_or_onderwijsnummer(value):
    assert not v.is_valid_bsn(value)
    assert not v.is_valid_onderwijsnummer(value)
