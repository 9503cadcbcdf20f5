"""Regions through time: the quarterly report counted by hand on the real reference data.

The gemeente of a case on a peildatum P is where the young person lives on P
(``Residence``); a residence in a gemeente that had merged by P counts in its successor;
a young person without residence history counts in the case's woongemeente. The RMC
region is that gemeente's on P (the 2015 regulation before 2025, decision 0021).

Leerdam and Vianen became Vijfheerenlanden on 1 January 2019. Before that Leerdam lay in
RMC 30 (Zuid-Holland-Zuid) and Vianen in RMC 19 (Utrecht); Vijfheerenlanden has no RMC
region (its predecessors lay in two). Gorinchem is RMC 30, Utrecht RMC 19.

Schools (real DUO locations): V = 03JE00 Basisschool De Ark, Vijfheerenlanden, SWV PO2605;
G = 05HA00 Katholieke Basisschool Mariëngaarde, Gorinchem, SWV PO2816.

| case | lives in | category, school | start | end / offer |
|---|---|---|---|---|
| S (Sanne) | Leerdam (never updated after the merger) | absoluut, none | 2018-09-03 | offer 2020-01-06, end 2022-06-30 |
| E (Eva) | Vianen | relatief, V | 2018-08-20 | end 2019-02-15 |
| N (Noor) | Gorinchem | absoluut, none | 2019-02-25 | end 2019-05-01 |
| D (Daan) | Gorinchem, Utrecht from 2022-06-01 (moved during the episode) | relatief, G | 2021-11-01 | open |
| M (Mila) | Vijfheerenlanden | relatief, V | 2022-03-10 | end 2022-06-01 |
| B (Bram) | no residence history; the case says Vijfheerenlanden | absoluut, none | 2023-11-15 | open |

Counted by hand, definition ocw (thuiszitters; the quarter is (P − 3 months, P]):

| P | gemeente | RMC | school | SWV |
|---|---|---|---|---|
| 2018-10-01 | Leerdam 1 (S, ≤ 4 w, new); Vianen 1 (E, 4 w–3 m, new) | RMC30 1 (S); RMC19 1 (E) | none 1 (S); V 1 (E) | none 1; PO2605 1 |
| 2019-04-01 | Vijfheerenlanden 1 (S, > 3 m, pact) + ended 1 (E); Gorinchem 1 (N, 4 w–3 m, new) | no RMC 1 (S) + ended 1 (E); RMC30 1 (N) | none 2 (S, N); V ended 1 (E) | none 2; PO2605 ended 1 |
| 2022-04-01 | Vijfheerenlanden 1 (S, > 3 m, offer) + new 1 (M, day 22); Gorinchem 1 (D, > 3 m, pact) | no RMC 1 (S) + new 1 (M); RMC30 1 (D) | none 1 (S); G 1 (D); V new 1 (M) | none 1; PO2816 1; PO2605 new 1 |
| 2024-01-01 | Utrecht 1 (D, > 3 m, pact); Vijfheerenlanden 1 (B, 4 w–3 m, new) | RMC19 1 (D); no RMC 1 (B) | G 1 (D); none 1 (B) | PO2816 1; none 1 |

Daan's case says Utrecht since his move (``record_move`` brings an open case's woongemeente
up to date), yet on 1 April 2022 he lived in Gorinchem and counts there.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.db import transaction

import kansrijk
from kansrijk.cases import reporting, services
from kansrijk.cases.indicators import (
    median_duration,
    offer_within_three_months,
    thuiszitters_on_peildatum,
)
from kansrijk.cases.models import Case, CaseCategory
from kansrijk.organisations.models import Organisation, Region, RegionKind
from kansrijk.organisations.reference_data import load_reference_data
from kansrijk.testing import factories

SHIPPED = Path(kansrijk.__file__).resolve().parent / "reference_data"
D = datetime.date
P0, P1, P2, P3 = D(2018, 10, 1), D(2019, 4, 1), D(2022, 4, 1), D(2024, 1, 1)
REL, ABS = CaseCategory.RELATIVE, CaseCategory.ABSOLUTE
COLUMNS = [
    "thuiszitters",
    "absoluut",
    "relatief",
    "tot_4_weken",
    "4_weken_tot_3_maanden",
    "langer_dan_3_maanden",
    "pact_overschreden",
    "nieuw",
    "beeindigd",
]


def gemeente(code: str) -> Region:
    return Region.objects.get(kind=RegionKind.MUNICIPALITY, code=code)


def school(code: str) -> Organisation:
    return Organisation.objects.schools().get(code=code)


@pytest.fixture(scope="module")
def register(django_db_setup, django_db_blocker):
    """The shipped reference data and six cases, once for the module, rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data(SHIPPED)
        leerdam, vianen = gemeente("GM0545"), gemeente("GM0620")
        gorinchem, utrecht = gemeente("GM0512"), gemeente("GM0344")
        vijfheerenlanden = gemeente("GM1961")
        school_v, school_g = school("03JE00"), school("05HA00")
        assert school_v.municipality == vijfheerenlanden
        assert school_v.partnership.code == "PO2605"
        assert school_g.municipality == gorinchem
        assert school_g.partnership.code == "PO2816"

        def person(residence=None):
            return factories.YoungPersonFactory(birth_date=D(2010, 5, 1), residence=residence)

        def case(label, who, category, start, *, at=None, home, end=None, offer=None):
            return factories.CaseFactory(
                dossier_id=label,
                young_person=who,
                category=category,
                start_date=start,
                end_date=end,
                outcome="anders" if end else "",
                offer_date=offer,
                school=at,
                municipality=home,
                sector="PO" if at else "",
            )

        case(
            "S",
            person(leerdam),
            ABS,
            D(2018, 9, 3),
            home=leerdam,
            end=D(2022, 6, 30),
            offer=D(2020, 1, 6),
        )
        case("E", person(vianen), REL, D(2018, 8, 20), at=school_v, home=vianen, end=D(2019, 2, 15))
        case("N", person(gorinchem), ABS, D(2019, 2, 25), home=gorinchem, end=D(2019, 5, 1))
        daan = person(gorinchem)
        case("D", daan, REL, D(2021, 11, 1), at=school_g, home=gorinchem)
        services.record_move(daan, actor=None, municipality=utrecht, valid_from=D(2022, 6, 1))
        case(
            "M",
            person(vijfheerenlanden),
            REL,
            D(2022, 3, 10),
            at=school_v,
            home=vijfheerenlanden,
            end=D(2022, 6, 1),
        )
        case("B", person(), ABS, D(2023, 11, 15), home=vijfheerenlanden)
        yield
        transaction.set_rollback(True)


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("register")]


def counts(report, code: str) -> dict:
    """The counted columns of one row; code "" is the row without a unit."""
    row = next(row for row in report.rows if row.code == code)
    return {column: row.counts[column] for column in COLUMNS if row.counts[column]}


def codes(report) -> set[str]:
    return {row.code for row in report.rows}


def report(peildatum, level):
    return reporting.build_report(peildatum=peildatum, level=level, definition="ocw")


# ------------------------------------------------------------------ 1 October 2018


def test_before_the_merger_leerdam_and_vianen_count_for_themselves():
    by_gemeente = report(P0, "gemeente")
    assert counts(by_gemeente, "GM0545") == {
        "thuiszitters": 1,
        "absoluut": 1,
        "tot_4_weken": 1,
        "nieuw": 1,
    }
    assert counts(by_gemeente, "GM0620") == {
        "thuiszitters": 1,
        "relatief": 1,
        "4_weken_tot_3_maanden": 1,
        "nieuw": 1,
    }
    # Vijfheerenlanden does not exist yet: no row. Leerdam has no pupils: the reference
    # data counts pupils by the schools of the 2025 gemeenten (docs/formats).
    assert "GM1961" not in codes(by_gemeente)
    assert next(r for r in by_gemeente.rows if r.code == "GM0545").pupils is None
    assert by_gemeente.total.counts["thuiszitters"] == 2


def test_before_the_merger_their_rmc_regions_are_those_of_the_2015_regulation():
    by_rmc = report(P0, "rmc")
    assert counts(by_rmc, "RMC30") == {
        "thuiszitters": 1,
        "absoluut": 1,
        "tot_4_weken": 1,
        "nieuw": 1,
    }
    assert counts(by_rmc, "RMC19") == {
        "thuiszitters": 1,
        "relatief": 1,
        "4_weken_tot_3_maanden": 1,
        "nieuw": 1,
    }
    assert "" not in codes(by_rmc)  # nobody without an RMC region


def test_school_and_swv_levels_in_2018():
    assert counts(report(P0, "school"), "03JE00")["thuiszitters"] == 1
    assert counts(report(P0, "school"), "")["thuiszitters"] == 1
    by_swv = report(P0, "swv")
    assert counts(by_swv, "PO2605")["thuiszitters"] == 1
    assert counts(by_swv, "")["thuiszitters"] == 1
    assert by_swv.total.counts["thuiszitters"] == 2


# ------------------------------------------------------------------ 1 April 2019


def test_2019_gemeente_a_residence_in_leerdam_counts_in_vijfheerenlanden():
    by_gemeente = report(P1, "gemeente")
    assert counts(by_gemeente, "GM1961") == {
        "thuiszitters": 1,  # S: Leerdam, merged
        "absoluut": 1,
        "langer_dan_3_maanden": 1,
        "pact_overschreden": 1,  # the offer came in 2020
        "beeindigd": 1,  # E: Vianen, merged
    }
    assert counts(by_gemeente, "GM0512") == {
        "thuiszitters": 1,
        "absoluut": 1,
        "4_weken_tot_3_maanden": 1,
        "nieuw": 1,
    }
    assert not codes(by_gemeente) & {"GM0545", "GM0620", "GM0707"}
    assert by_gemeente.total.counts["thuiszitters"] == 2


def test_2019_rmc_vijfheerenlanden_has_no_region_and_is_not_guessed():
    by_rmc = report(P1, "rmc")
    assert counts(by_rmc, "") == {
        "thuiszitters": 1,
        "absoluut": 1,
        "langer_dan_3_maanden": 1,
        "pact_overschreden": 1,
        "beeindigd": 1,
    }
    assert counts(by_rmc, "RMC30") == {
        "thuiszitters": 1,
        "absoluut": 1,
        "4_weken_tot_3_maanden": 1,
        "nieuw": 1,
    }
    assert counts(by_rmc, "RMC19") == {}
    assert by_rmc.total.counts["thuiszitters"] == 2


def test_2019_school_and_swv():
    by_school = report(P1, "school")
    assert counts(by_school, "") == {
        "thuiszitters": 2,
        "absoluut": 2,
        "4_weken_tot_3_maanden": 1,
        "langer_dan_3_maanden": 1,
        "pact_overschreden": 1,
        "nieuw": 1,
    }
    assert counts(by_school, "03JE00") == {"beeindigd": 1}
    by_swv = report(P1, "swv")
    assert counts(by_swv, "")["thuiszitters"] == 2
    assert counts(by_swv, "PO2605") == {"beeindigd": 1}
    assert by_swv.total.counts == by_school.total.counts


# ------------------------------------------------------------------ 1 April 2022


def test_2022_gemeente_the_child_who_moved_counts_where_he_lived_on_the_day():
    assert Case.objects.get(dossier_id="D").municipality.code == "GM0344"  # since the move
    by_gemeente = report(P2, "gemeente")
    assert counts(by_gemeente, "GM0512") == {
        "thuiszitters": 1,
        "relatief": 1,
        "langer_dan_3_maanden": 1,
        "pact_overschreden": 1,
    }
    assert counts(by_gemeente, "GM0344") == {}
    assert counts(by_gemeente, "GM1961") == {
        "thuiszitters": 1,  # S: the offer of 2020 ends the pact breach
        "absoluut": 1,
        "langer_dan_3_maanden": 1,
        "nieuw": 1,  # M: new, but on day 22 not yet a thuiszitter
    }
    assert by_gemeente.total.counts["thuiszitters"] == 2


def test_2022_rmc():
    by_rmc = report(P2, "rmc")
    assert counts(by_rmc, "RMC30") == {
        "thuiszitters": 1,
        "relatief": 1,
        "langer_dan_3_maanden": 1,
        "pact_overschreden": 1,
    }
    assert counts(by_rmc, "") == {
        "thuiszitters": 1,
        "absoluut": 1,
        "langer_dan_3_maanden": 1,
        "nieuw": 1,
    }
    assert counts(by_rmc, "RMC19") == {}


def test_2022_school_and_swv():
    by_school = report(P2, "school")
    assert counts(by_school, "05HA00") == {
        "thuiszitters": 1,
        "relatief": 1,
        "langer_dan_3_maanden": 1,
        "pact_overschreden": 1,
    }
    assert counts(by_school, "03JE00") == {"nieuw": 1}
    assert counts(by_school, "")["thuiszitters"] == 1
    by_swv = report(P2, "swv")
    assert counts(by_swv, "PO2816")["thuiszitters"] == 1
    assert counts(by_swv, "PO2605") == {"nieuw": 1}
    assert counts(by_swv, "")["thuiszitters"] == 1


# ------------------------------------------------------------------ 1 January 2024


def test_2024_gemeente_after_the_move_and_without_residence_history():
    by_gemeente = report(P3, "gemeente")
    assert counts(by_gemeente, "GM0344") == {
        "thuiszitters": 1,
        "relatief": 1,
        "langer_dan_3_maanden": 1,
        "pact_overschreden": 1,
    }
    # B: no residence history, so the case's own woongemeente.
    assert counts(by_gemeente, "GM1961") == {
        "thuiszitters": 1,
        "absoluut": 1,
        "4_weken_tot_3_maanden": 1,
        "nieuw": 1,
    }
    assert counts(by_gemeente, "GM0512") == {}
    assert by_gemeente.total.counts["thuiszitters"] == 2


def test_2024_rmc_school_and_swv():
    by_rmc = report(P3, "rmc")
    assert counts(by_rmc, "RMC19")["thuiszitters"] == 1
    assert counts(by_rmc, "")["thuiszitters"] == 1
    assert counts(by_rmc, "RMC30") == {}
    by_school = report(P3, "school")
    assert counts(by_school, "05HA00")["pact_overschreden"] == 1
    assert counts(by_school, "")["absoluut"] == 1
    by_swv = report(P3, "swv")
    assert counts(by_swv, "PO2816")["thuiszitters"] == 1
    assert counts(by_swv, "")["thuiszitters"] == 1
    assert by_swv.total.counts["thuiszitters"] == by_rmc.total.counts["thuiszitters"] == 2


# ------------------------------------------------------------------ the monitor


def test_the_monitor_figure_of_vijfheerenlanden_before_it_existed_is_its_predecessors():
    figures = thuiszitters_on_peildatum(
        regions=["GM1961"], period_end=P0, include_partnerships=False
    )
    assert {f.region_code: int(f.value) for f in figures} == {
        "GM0545": 1,  # Leerdam: S
        "GM0620": 1,  # Vianen: E
        "GM0707": 0,  # Zederik
    }
    after = thuiszitters_on_peildatum(regions=["GM1961"], period_end=P1, include_partnerships=False)
    assert {f.region_code: int(f.value) for f in after} == {"GM1961": 1}
    # A gemeente that had merged away gives no figure of its own: its successor has it.
    assert (
        thuiszitters_on_peildatum(regions=["GM0545"], period_end=P2, include_partnerships=False)
        == []
    )


def test_the_offer_share_counts_where_the_young_person_lived_at_the_deadline():
    # Daan's deadline (2022-02-01) fell before his move: Gorinchem, not Utrecht.
    figures = offer_within_three_months(
        regions=["GM0512", "GM0344"], period_start=D(2022, 1, 1), period_end=D(2022, 12, 31)
    )
    assert [(f.region_code, f.numerator, f.denominator) for f in figures] == [("GM0512", 0, 1)]
    # 2018, asked for Vijfheerenlanden: its predecessors of that year (S in Leerdam, its
    # deadline 2018-12-03; E in Vianen, 2018-11-20, still running then).
    figures = offer_within_three_months(
        regions=["GM1961"], period_start=D(2018, 1, 1), period_end=D(2018, 12, 31)
    )
    assert sorted((f.region_code, f.numerator, f.denominator) for f in figures) == [
        ("GM0545", 0, 1),
        ("GM0620", 0, 1),
    ]


def test_the_median_duration_counts_where_the_young_person_lived_at_the_end(settings):
    settings.KANSRIJK = {**settings.KANSRIJK, "SMALL_NUMBER_THRESHOLD": 1}
    figures = median_duration(
        regions=["GM1961", "GM0512"], period_start=D(2019, 1, 1), period_end=D(2019, 12, 31)
    )
    # E ended on 2019-02-15 in Vianen, which had become Vijfheerenlanden: 179 days.
    # N ended in Gorinchem on 2019-05-01: 65 days.
    assert sorted((f.region_code, f.value) for f in figures) == [
        ("GM0512", 65),
        ("GM1961", 179),
    ]
