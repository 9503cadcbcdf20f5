"""Every importer's declared column rules refuse a bad value in each column they check,
naming the row and the column: one table per importer, one line per column."""

import pytest

from kansrijk.agenda.importing import TYPES
from kansrijk.cases.reconciliation import COUNT_RULES
from kansrijk.imports import CellError, check_row
from kansrijk.indicators.importing import ROW_RULES as MEASUREMENT_RULES
from kansrijk.socialmap.importing import NEED_RULES, PARTICIPATION_RULES

ROW = 7

# (rules, column, bad value, a part of the expected message)
AGENDA = [
    (TYPES["theme"].rules, "kind", "kleur", "geen geldige soort"),
    (TYPES["theme"].rules, "title", "", "verplicht voor een thema"),
    (TYPES["theme"].rules, "title", "x" * 300, "hoogstens 255 mag"),
    (TYPES["spearhead"].rules, "priority", "hoog", "geen getal"),
    (TYPES["spearhead"].rules, "position", "-1", "volgorde kan niet negatief"),
    (TYPES["goal"].rules, "text", " ", "verplicht voor een doel"),
    (TYPES["activity"].rules, "status", "klaar", "geen geldige status"),
    (TYPES["activity"].rules, "progress", "101", "ligt niet tussen 0 en 100"),
    (TYPES["activity"].rules, "progress", "-1", "ligt niet tussen 0 en 100"),
    (TYPES["activity"].rules, "months", "2024-13", "geen maand"),
    (TYPES["intervention"].rules, "age_min", "tien", "geen getal"),
    (TYPES["intervention"].rules, "age_max", "1e20", "te groot"),
    (TYPES["funding"].rules, "year", "1800", "geen jaartal"),
    (TYPES["funding"].rules, "year", "2024,5", "geen geheel getal"),
    (TYPES["funding"].rules, "source", "loterij", "geen geldige bron"),
    (TYPES["funding"].rules, "unit_amount", "-5", "niet negatief"),
    (TYPES["funding"].rules, "quantity", "-1", "niet negatief"),
    (TYPES["funding"].rules, "share", "0", "tussen 0 en 1"),
    (TYPES["funding"].rules, "share", "1,5", "tussen 0 en 1"),
    (TYPES["funding"].rules, "planned_amount", "veel", "geen getal"),
    (TYPES["funding"].rules, "realised_amount", "-0,01", "niet negatief"),
    (TYPES["funding"].rules, "is_estimate", "misschien", "geen ja of nee"),
    (TYPES["evaluation"].rules, "done_on", "31-02-2024", "geen datum"),
    (TYPES["evaluation"].rules, "months", "", "verplicht voor een evaluatiemoment"),
    (TYPES["commitment"].rules, "times_per_year", "vaak", "geen getal"),
    (TYPES["commitment"].rules, "at_least", "soms", "geen ja of nee"),
]
MEASUREMENTS = [
    (MEASUREMENT_RULES, "indicator", "", "vul de code van de indicator in"),
    (MEASUREMENT_RULES, "periode", "", "vul de periode in"),
    (MEASUREMENT_RULES, "periode", "x" * 41, "hoogstens 40"),
    (MEASUREMENT_RULES, "periode_start", "gisteren", "geen datum"),
    (MEASUREMENT_RULES, "periode_eind", "", "vul een datum in"),
    (MEASUREMENT_RULES, "uitsplitsing", "x" * 41, "hoogstens 40"),
    (MEASUREMENT_RULES, "categorie", "x" * 81, "hoogstens 80"),
    (MEASUREMENT_RULES, "waarde", "veel", "geen getal"),
    (MEASUREMENT_RULES, "teller", "-1", "teller kan niet negatief"),
    (MEASUREMENT_RULES, "noemer", "0", "noemer moet groter zijn dan 0"),
    (MEASUREMENT_RULES, "definitief", "bijna", "geen ja of nee"),
    (MEASUREMENT_RULES, "bron", "x" * 256, "hoogstens 255"),
]
PARTICIPATION = [
    (PARTICIPATION_RULES, "aanbod", "geen-id", "geen id van een aanbod"),
    (PARTICIPATION_RULES, "aanbod", "", "vul het id van het aanbod in"),
    (PARTICIPATION_RULES, "periode", "2022/2024", "geen schooljaar"),
    (PARTICIPATION_RULES, "periode", "", "vul de periode in"),
    (PARTICIPATION_RULES, "school", "8WT00", "geen vestigingscode"),
    (PARTICIPATION_RULES, "deelnemers", "negen", "geen aantal"),
    (PARTICIPATION_RULES, "deelnemers", "-3", "geen aantal"),
    (PARTICIPATION_RULES, "illustratief", "misschien", "geen ja of nee"),
    (PARTICIPATION_RULES, "bron", "x" * 256, "hoogstens 255"),
]
NEEDS = [
    (NEED_RULES, "leeftijd_vanaf", "oud", "geen leeftijd"),
    (NEED_RULES, "leeftijd_tot_en_met", "121", "geen leeftijd"),
    (NEED_RULES, "groep_vanaf", "0", "geen groep"),
    (NEED_RULES, "groep_tot_en_met", "9", "geen groep"),
    (NEED_RULES, "groep_vanaf", "zeven", "geen groep"),
    (NEED_RULES, "omschrijving", "", "beschrijf wat er nodig is"),
    (NEED_RULES, "periode", "x" * 41, "hoogstens 40"),
    (NEED_RULES, "illustratief", "wellicht", "geen ja of nee"),
    (NEED_RULES, "bron", "x" * 256, "hoogstens 255"),
]
COUNTS = [
    (COUNT_RULES, "peildatum", "", "vul de peildatum in"),
    (COUNT_RULES, "peildatum", "2024-02-30", "geen datum"),
    (COUNT_RULES, "brin6", "", "vul de BRIN6"),
    (COUNT_RULES, "brin6", "07NU0", "geen geldige vestigingscode"),
    (COUNT_RULES, "aantal", "", "vul het aantal thuiszitters in"),
    (COUNT_RULES, "aantal", "-1", "kan niet negatief zijn"),
    (COUNT_RULES, "aantal", "100001", "dat kan niet kloppen"),
    (COUNT_RULES, "aantal", "2,5", "geen geheel getal"),
    (COUNT_RULES, "woongemeente", "0363", "gemeentecode"),
]
CASES = AGENDA + MEASUREMENTS + PARTICIPATION + NEEDS + COUNTS


@pytest.mark.parametrize(("rules", "column", "value", "expected"), CASES)
def test_a_declared_rule_refuses_a_bad_value_naming_row_and_column(rules, column, value, expected):
    values, problems = check_row(rules, ROW, {column: value})
    assert column not in values
    assert len(problems) == 1, problems
    assert str(problems[0]).startswith(f"Rij {ROW}, kolom '{column}': ")
    assert expected in problems[0].message


def test_every_column_an_importer_checks_is_in_its_table():
    """A new rule without a line above would go untested."""
    for name, table, rules in (
        ("metingen", MEASUREMENTS, MEASUREMENT_RULES),
        ("deelname", PARTICIPATION, PARTICIPATION_RULES),
        ("behoeften", NEEDS, NEED_RULES),
        ("telling", COUNTS, COUNT_RULES),
    ):
        checked = {rule.name for rule in rules if rule.parse or rule.filled or rule.max_length}
        assert checked <= {column for _r, column, _v, _e in table}, name


@pytest.mark.parametrize(
    ("rules", "column", "value", "parsed"),
    [
        (COUNT_RULES, "brin6", " 07nu00 ", "07NU00"),
        (COUNT_RULES, "peildatum", "1-3-2024", "2024-03-01"),
        (MEASUREMENT_RULES, "waarde", "1.234,5", "1234.5000"),
        (TYPES["funding"].rules, "source", "Samenwerkingsverband", "swv"),
        (PARTICIPATION_RULES, "deelnemers", "12", "12"),
    ],
)
def test_a_good_value_passes_its_rule(rules, column, value, parsed):
    values, problems = check_row(rules, ROW, {column: value})
    assert problems == []
    assert str(values[column]) == parsed


HSDS = [
    ("taxonomy_term", "id", "", "dit veld is verplicht"),
    ("organization", "id", "org-1", "geen geldig id (uuid)"),
    ("organization", "name", " ", "dit veld is verplicht"),
    ("organization_identifier", "organization_id", "7", "geen geldig id (uuid)"),
    ("service", "id", "", "dit veld is verplicht"),
    ("service", "organization_id", "abc", "geen geldig id (uuid)"),
    ("service", "name", "", "dit veld is verplicht"),
    ("service", "status", "open", "geen HSDS-status"),
    ("service", "description", "", "dit veld is verplicht"),
    ("service", "minimum_age", "oud", "geen leeftijd"),
    ("service", "maximum_age", "200", "geen leeftijd"),
    ("service", "assured_date", "morgen", "geen datum"),
    ("service", "last_modified", "gisteren", "geen datum en tijd"),
    ("service_area", "service_id", "", "dit veld is verplicht"),
    ("service_area", "id", "x", "geen geldig id (uuid)"),
    ("location", "id", "x", "geen geldig id (uuid)"),
    ("location", "location_type", "boot", "geen soort locatie"),
    ("location", "name", "", "dit veld is verplicht"),
    ("location", "organization_id", "x", "geen geldig id (uuid)"),
    ("location", "latitude", "noord", "geen getal"),
    ("location", "longitude", "1e99", "te groot"),
    ("address", "location_id", "", "dit veld is verplicht"),
    ("address", "postal_code", "12345", "geen geldige postcode"),
    ("address", "country", "BE", "alleen adressen in Nederland"),
    ("service_at_location", "service_id", "x", "geen geldig id (uuid)"),
    ("service_at_location", "location_id", "", "dit veld is verplicht"),
    ("service_at_location", "id", "", "dit veld is verplicht"),
    ("schedule", "id", "", "dit veld is verplicht"),
    ("schedule", "service_id", "x", "geen geldig id (uuid)"),
    ("schedule", "service_at_location_id", "x", "geen geldig id (uuid)"),
    ("schedule", "freq", "DAILY", "geen frequentie"),
    ("schedule", "byday", "XX", "geen geldige dagen"),
    ("schedule", "opens_at", "25:00", "geen tijd"),
    ("schedule", "closes_at", "laat", "geen tijd"),
    ("schedule", "valid_from", "ooit", "geen datum"),
    ("schedule", "valid_to", "2024-13-01", "geen datum"),
    ("phone", "id", "x", "geen geldig id (uuid)"),
    ("phone", "number", "bel me", "geen telefoonnummer"),
    ("phone", "location_id", "x", "geen geldig id (uuid)"),
    ("phone", "service_id", "x", "geen geldig id (uuid)"),
    ("contact", "service_id", "", "dit veld is verplicht"),
    ("contact", "id", "x", "geen geldig id (uuid)"),
    ("language", "service_id", "x", "geen geldig id (uuid)"),
    ("language", "id", "", "dit veld is verplicht"),
    ("language", "code", "xx", "geen bekende taalcode"),
    ("cost_option", "service_id", "", "dit veld is verplicht"),
    ("cost_option", "id", "x", "geen geldig id (uuid)"),
    ("cost_option", "currency", "USD", "alleen bedragen in euro"),
    ("cost_option", "amount", "gratis", "geen getal"),
    ("cost_option", "valid_from", "x", "geen datum"),
    ("cost_option", "valid_to", "x", "geen datum"),
    ("attribute", "taxonomy_term_id", "", "dit veld is verplicht"),
    ("attribute", "link_id", "x", "geen geldig id (uuid)"),
]


@pytest.mark.parametrize(("table", "column", "value", "expected"), HSDS)
def test_an_hsds_rule_refuses_a_bad_value_naming_table_row_and_column(
    table, column, value, expected
):
    from kansrijk.socialmap.hsds import _Checker, _Context

    context = _Context(
        check=_Checker(),
        rows={table: [(ROW, {column: value})]},
        regions={},
        fixed={},
        fixed_by_code={},
        schools={},
    )
    [(_number, _row, values)] = context.checked(table)
    assert column not in values
    named = [p for p in context.check.problems if p.column == column]
    assert len(named) == 1, context.check.problems
    assert str(named[0]).startswith(f"Tabel '{table}', rij {ROW}, kolom '{column}': ")
    assert expected in named[0].message


def test_every_hsds_column_with_a_rule_is_in_the_table():
    from kansrijk.socialmap.hsds import RULES

    declared = {(table, rule.name) for table, rules in RULES.items() for rule in rules}
    assert declared == {(table, column) for table, column, _v, _e in HSDS}


def _case_rules():
    import datetime

    from kansrijk.cases.importing import case_rules

    return case_rules(datetime.date(2026, 1, 1))


# (column, bad value, a part of the expected message); a BSN or a birth date is never
# repeated in the message.
CASE_REGISTER = [
    ("dossier_id", "", "vul het dossiernummer in"),
    ("dossier_id", "D" * 200, "hoogstens"),
    ("bsn", "123456789", "geen geldig BSN"),
    ("onderwijsnummer", "123456789", "geen geldig onderwijsnummer"),
    ("geboortedatum", "", "vul een datum in"),
    ("geboortedatum", "31-02-2012", "geen geldige datum"),
    ("geboortedatum", "2030-01-01", "in de toekomst"),
    ("woongemeente", "", "vul de gemeentecode"),
    ("woongemeente", "0375", "geen gemeentecode"),
    ("brin6", "07NU0", "geen vestigingscode"),
    ("soort", "", "vul de soort in"),
    ("soort", "5a", "5a is een ander artikel"),
    ("startdatum", "gisteren", "geen geldige datum"),
    ("aanbod_datum", "2026-13-01", "geen geldige datum"),
    ("einddatum", "2027-01-01", "in de toekomst"),
    ("uitkomst", "opgelost", "geen bekende uitkomst"),
    ("voornaam", "V" * 101, "hoogstens"),
    ("achternaam", "A" * 151, "hoogstens"),
    ("sector", "HBO", "geen bekende sector"),
]


@pytest.mark.parametrize(("column", "value", "expected"), CASE_REGISTER)
def test_a_case_register_rule_refuses_a_bad_value_naming_row_and_column(column, value, expected):
    from kansrijk.imports import ImportProblem, check_text

    rule = next(rule for rule in _case_rules() if rule.name == column)
    with pytest.raises(CellError) as refused:
        check_text(rule, value)
    problem = ImportProblem(ROW, column, str(refused.value))
    assert str(problem).startswith(f"Rij {ROW}, kolom '{column}': ")
    assert expected in problem.message
    assert not (value and value in problem.message and column in ("bsn", "geboortedatum"))


def test_the_case_register_declares_a_rule_for_every_column_in_order():
    from kansrijk.cases.importing import COLUMNS

    rules = _case_rules()
    assert tuple(rule.name for rule in rules) == COLUMNS
    assert {column for column, _v, _e in CASE_REGISTER} == set(COLUMNS)
