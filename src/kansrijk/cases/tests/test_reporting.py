"""The quarterly count, held to its rules with hand-counted cases at every edge.

P = 31 March 2024. The quarter is (31 December 2023, 31 March 2024]. Four weeks before P
is 3 March; "start + 3 calendar months < P" holds for starts up to 30 December 2023
(30 December + 3 months = 30 March; 31 December + 3 months = 31 March, not before P).

| case | category | start | end / offer | counted (ocw) | band | pact | new | ended |
|---|---|---|---|---|---|---|---|---|
| A | relatief | 03-03 (day 28) | | no | | | yes | |
| B | relatief | 03-02 (day 29) | | yes | 4 w–3 m | | yes | |
| C | absoluut | 03-31 (= P) | | yes | ≤ 4 w | | yes | |
| D | absoluut | 03-03 (day 28) | | yes | ≤ 4 w | | yes | |
| E | relatief | 2023-12-31 (exactly 3 months) | | yes | 4 w–3 m | no | no (= quarter start) | |
| F | relatief | 2023-12-30 | | yes | > 3 m | yes | | |
| G | absoluut | 2023-11-01 | offer on P | yes | > 3 m | no | | |
| H | absoluut | 2023-11-01 | offer P + 1 | yes | > 3 m | yes | | |
| I | relatief | 01-10 | ends on P | no (not open) | | | yes | yes |
| J | relatief | 01-10 | ends P + 1 | yes | 4 w–3 m | | yes | |
| K | vrijstelling 5 onder a | 2023-09-01 | | ocw: no (column only); ocw_5a: yes, > 3 m, pact | | | | |
| L | absoluut, no school | 02-15 | | yes | 4 w–3 m | | yes | |
| M | relatief | 2023-10-01 | ends 2023-12-31 (= quarter start) | no | | | | no |
| N | relatief | 01-05 | ends 02-01 | no | | | yes | yes |
| O | absoluut, other gemeente | 03-01 | | yes | 4 w–3 m | | yes | |
"""

from __future__ import annotations

import csv
import datetime
import io

import pytest

from kansrijk.cases import reporting
from kansrijk.cases.models import Case, CaseCategory, CountDefinition
from kansrijk.organisations.models import Region, RegionKind
from kansrijk.testing import factories

P = datetime.date(2024, 3, 31)
D = datetime.date


@pytest.fixture
def register(db):
    gemeente = factories.MunicipalityFactory(code="GM0375", name="Beverwijk")
    other = factories.MunicipalityFactory(code="GM0383", name="Castricum")
    rmc = factories.RegionFactory(code="RMC12", name="Zuid-Kennemerland en IJmond")
    rmc_new = factories.RegionFactory(code="RMC13", name="Noord-Kennemerland")
    factories.RegionMembershipFactory(child=gemeente, parent=rmc, valid_from=D(2020, 1, 1))
    # Castricum moved from RMC12 to RMC13 on 1 January 2024: on P it counts for RMC13.
    factories.RegionMembershipFactory(
        child=other, parent=rmc, valid_from=D(2020, 1, 1), valid_to=D(2024, 1, 1)
    )
    factories.RegionMembershipFactory(child=other, parent=rmc_new, valid_from=D(2024, 1, 1))
    swv = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
    school = factories.SchoolFactory(
        code="07NU00", municipality=gemeente, partnership=swv, pupil_count=250
    )

    def case(label, category, start, end=None, offer=None, at_school=True, municipality=None):
        return factories.CaseFactory(
            dossier_id=label,
            category=category,
            start_date=start,
            end_date=end,
            outcome="anders" if end else "",
            offer_date=offer,
            school=school if at_school else None,
            municipality=municipality or gemeente,
        )

    REL, ABS, EX = CaseCategory.RELATIVE, CaseCategory.ABSOLUTE, CaseCategory.EXEMPTION_5_UNDER_A
    case("A", REL, D(2024, 3, 3))
    case("B", REL, D(2024, 3, 2))
    case("C", ABS, D(2024, 3, 31))
    case("D", ABS, D(2024, 3, 3))
    case("E", REL, D(2023, 12, 31))
    case("F", REL, D(2023, 12, 30))
    case("G", ABS, D(2023, 11, 1), offer=D(2024, 3, 31))
    case("H", ABS, D(2023, 11, 1), offer=D(2024, 4, 1))
    case("I", REL, D(2024, 1, 10), end=D(2024, 3, 31))
    case("J", REL, D(2024, 1, 10), end=D(2024, 4, 1))
    case("K", EX, D(2023, 9, 1))
    case("L", ABS, D(2024, 2, 15), at_school=False)
    case("M", REL, D(2023, 10, 1), end=D(2023, 12, 31))
    case("N", REL, D(2024, 1, 5), end=D(2024, 2, 1))
    case("O", ABS, D(2024, 3, 1), at_school=False, municipality=other)
    return {"gemeente": gemeente, "other": other, "school": school, "swv": swv}


def row_for(report, code):
    return next(row for row in report.rows if row.code == code)


def test_cutoffs_of_the_peildatum():
    cut = reporting.Cutoffs.on(P)
    assert cut.four_weeks == D(2024, 3, 3)
    assert cut.three_months == D(2023, 12, 31)
    assert cut.quarter_start == D(2023, 12, 31)


def test_gemeente_level_ocw(register):
    report = reporting.build_report(peildatum=P, level="gemeente", definition="ocw")
    counts = row_for(report, "GM0375").counts
    assert counts == {
        "thuiszitters": 9,  # B C D E F G H J L
        "absoluut": 5,  # C D G H L
        "relatief": 4,  # B E F J
        "vrijstelling_5_onder_a": 1,  # K, for information
        "tot_4_weken": 2,  # C D
        "4_weken_tot_3_maanden": 4,  # B E J L
        "langer_dan_3_maanden": 3,  # F G H
        "pact_overschreden": 2,  # F H
        "nieuw": 8,  # A B C D I J L N
        "beeindigd": 2,  # I N
    }
    assert row_for(report, "GM0383").counts["thuiszitters"] == 1  # O
    assert report.total.counts["thuiszitters"] == 10
    assert not report.suppressed


def test_definition_with_5_onder_a(register):
    counts = row_for(
        reporting.build_report(peildatum=P, level="gemeente", definition="ocw_5a"), "GM0375"
    ).counts
    assert counts["thuiszitters"] == 10
    assert counts["vrijstelling_5_onder_a"] == 1
    assert counts["langer_dan_3_maanden"] == 4
    assert counts["pact_overschreden"] == 3
    assert counts["nieuw"] == 8 and counts["beeindigd"] == 2


def test_every_unit_has_a_row_also_without_thuiszitters(register):
    quiet = factories.MunicipalityFactory(code="GM0450", name="Uitgeest")
    factories.SchoolFactory(municipality=quiet, pupil_count=150)
    report = reporting.build_report(peildatum=P, level="gemeente")
    uitgeest = row_for(report, "GM0450")
    assert uitgeest.counts["thuiszitters"] == 0 and uitgeest.pupils == 150
    # The total rate divides by the pupils of every gemeente, Uitgeest's included.
    assert report.total.pupils == 250 + 150


def test_school_level_has_a_row_for_absoluut_without_school(register):
    report = reporting.build_report(peildatum=P, level="school", definition="ocw")
    assert row_for(report, "07NU00").counts["thuiszitters"] == 8
    no_school = next(row for row in report.rows if row.unit_id is None)
    assert no_school.counts["thuiszitters"] == 2  # L and O
    assert "zonder school" in no_school.name


def test_swv_level_follows_the_school(register):
    report = reporting.build_report(peildatum=P, level="swv", definition="ocw")
    assert row_for(report, "PO2711").counts["thuiszitters"] == 8


def test_rmc_level_follows_the_memberships_valid_on_the_peildatum(register):
    report = reporting.build_report(peildatum=P, level="rmc", definition="ocw")
    assert row_for(report, "RMC12").counts["thuiszitters"] == 9
    assert row_for(report, "RMC13").counts["thuiszitters"] == 1
    # Before the move Castricum counted for RMC12.
    earlier = reporting.build_report(peildatum=D(2023, 12, 1), level="rmc")
    assert row_for(earlier, "RMC13").counts["thuiszitters"] == 0
    # The pupils of an RMC region are those of the schools in its gemeenten on P.
    factories.SchoolFactory(municipality=Region.objects.get(code="GM0383"), pupil_count=100)
    report = reporting.build_report(peildatum=P, level="rmc", definition="ocw")
    assert (row_for(report, "RMC12").pupils, row_for(report, "RMC13").pupils) == (250, 100)
    earlier = reporting.build_report(peildatum=D(2023, 12, 1), level="rmc")
    assert row_for(earlier, "RMC12").pupils == 350


def test_rates_per_thousand_pupils_from_the_reference_data(register):
    report = reporting.build_report(peildatum=P, level="gemeente", definition="ocw")
    row = row_for(report, "GM0375")
    assert row.pupils == 250
    assert str(row.per_1000) == "36.0"


@pytest.mark.parametrize(("level", "queries"), [("gemeente", 4), ("school", 3), ("rmc", 6)])
def test_one_query_per_part(register, django_assert_max_num_queries, level, queries):
    # The counts, the units with their names, and their pupils; the gemeente and RMC
    # levels also read the herindelingen up to P (to add a merged gemeente to its
    # successor), and the RMC level which RMC region each gemeente belongs to on P, for
    # the counts and for the pupils (it adds up the gemeenten's).
    with django_assert_max_num_queries(queries):
        reporting.build_report(peildatum=P, level=level, definition="ocw")


def test_csv_has_the_documented_columns_and_prints_the_definition(register):
    from kansrijk.cases.exporting import export_report

    report = reporting.build_report(peildatum=P, level="gemeente", definition="ocw")
    content = export_report(report, "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert list(rows[0])[:16] == [
        "peildatum",
        "niveau",
        "code",
        "naam",
        "definitie",
        "thuiszitters",
        "absoluut",
        "relatief",
        "vrijstelling_5_onder_a",
        "tot_4_weken",
        "4_weken_tot_3_maanden",
        "langer_dan_3_maanden",
        "pact_overschreden",
        "nieuw",
        "beeindigd",
        "leerlingen",
    ]
    beverwijk = next(row for row in rows if row["code"] == "GM0375")
    assert beverwijk["thuiszitters"] == "9" and beverwijk["per_1000_leerlingen"] == "36.0"
    assert all(row["definitie"] == "ocw" for row in rows)
    assert rows[-1]["code"] == "totaal"


def test_suppressed_for_aggregate_roles(register):
    report = reporting.build_report(peildatum=P, level="gemeente", definition="ocw", public=True)
    assert report.suppressed
    threshold = report.threshold
    for row in report.all_rows:
        for column in reporting.COUNT_COLUMNS:
            shown = row.shown(column, threshold)
            if column not in row.hidden:
                assert row.counts[column] >= threshold, (row.code, column)
            else:
                # "<5" for a small count, "." for one hidden to protect it.
                small = row.counts[column] < threshold
                assert shown == (f"<{threshold}" if small else "."), (row.code, column)
        # Each additive line of the row has no hidden entry or at least two.
        for members in (["absoluut", "relatief"], reporting.BAND_COLUMNS):
            entries = [*members, "thuiszitters"]
            hidden = [c for c in entries if c in row.hidden]
            assert len(hidden) != 1, (row.code, members, row.hidden)


def test_report_counts_exactly_what_a_hand_written_query_counts(register):
    """The ORM's conditional aggregates against the rule applied case by case."""
    cut = reporting.Cutoffs.on(P)
    expected = 0
    for case in Case.objects.all():
        is_open = case.start_date <= P and (case.end_date is None or case.end_date > P)
        relative_long = case.category == "relatief" and (P - case.start_date).days > 28
        if is_open and (case.category == "absoluut" or relative_long):
            expected += 1
    report = reporting.build_report(peildatum=P, level="gemeente", definition="ocw")
    assert report.total.counts["thuiszitters"] == expected
    assert cut.peildatum == P


def test_unknown_level_and_definition_are_refused(db):
    with pytest.raises(ValueError):
        reporting.build_report(peildatum=P, level="provincie")
    with pytest.raises(ValueError):
        reporting.build_report(peildatum=P, level="gemeente", definition="5a")
    assert CountDefinition.OCW_5A == "ocw_5a"
    assert RegionKind.RMC_REGION == "rmc_region"
