"""The register's computed indicators in the monitor, held to hand-counted cases.

Beverwijk and Castricum, two schools of SWV PO2711 (one in each) and one of SWV VO2704
in Beverwijk; Uitgeest has no cases.

Thuiszitters (ocw) on P = 1 April 2024 (four weeks before P is 4 March):

| case | gemeente | school (SWV) | category | start | end | counted |
|---|---|---|---|---|---|---|
| B1 | Beverwijk | A (PO2711) | relatief | 2024-03-04 (day 28) | | no |
| B2 | Beverwijk | A (PO2711) | relatief | 2024-03-03 (day 29) | | yes |
| B3 | Beverwijk | none | absoluut | 2024-04-01 (= P) | | yes |
| B4 | Beverwijk | A (PO2711) | relatief | 2024-01-10 | 2024-04-01 (= P) | no |
| B5 | Beverwijk | A (PO2711) | relatief | 2024-01-10 | 2024-04-02 | yes |
| B6 | Beverwijk | A (PO2711) | vrijstelling 5 onder a | 2023-09-01 | | no (ocw) |
| B7 | Beverwijk | C (VO2704) | absoluut | 2023-12-01 | | yes |
| C1 | Castricum | B (PO2711) | relatief | 2024-02-01 | | yes |
| C2 | Castricum | B (PO2711) | absoluut | 2024-04-02 (after P) | | no |

Beverwijk 4, Castricum 1, Uitgeest 0; PO2711 3 (B2, B5, C1), VO2704 1 (B7).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from kansrijk.cases.indicators import (
    DURATION_KEY,
    OFFER_KEY,
    STOCK_KEY,
    median_duration,
    offer_within_three_months,
    thuiszitters_on_peildatum,
)
from kansrijk.cases.models import CaseCategory
from kansrijk.indicators import services as indicator_services
from kansrijk.indicators.models import ApprovalStatus, Indicator, Measurement
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db

D = datetime.date
P = D(2024, 4, 1)
REL, ABS, EX = CaseCategory.RELATIVE, CaseCategory.ABSOLUTE, CaseCategory.EXEMPTION_5_UNDER_A
GEMEENTEN = ["GM0375", "GM0383", "GM0450"]


class Place:
    def __init__(self):
        self.beverwijk = factories.MunicipalityFactory(code="GM0375", name="Beverwijk")
        self.castricum = factories.MunicipalityFactory(code="GM0383", name="Castricum")
        self.uitgeest = factories.MunicipalityFactory(code="GM0450", name="Uitgeest")
        self.po = factories.PartnershipFactory(code="PO2711", name="Passend Onderwijs IJmond")
        self.po.served_regions.add(self.beverwijk, self.castricum, self.uitgeest)
        self.vo = factories.PartnershipFactory(code="VO2704", name="SWV VO Midden-Kennemerland")
        self.vo.served_regions.add(self.beverwijk)
        self.school_a = factories.SchoolFactory(municipality=self.beverwijk, partnership=self.po)
        self.school_b = factories.SchoolFactory(municipality=self.castricum, partnership=self.po)
        self.school_c = factories.SchoolFactory(
            municipality=self.beverwijk, partnership=self.vo, sector="VO"
        )

    def case(self, label, category, start, *, end=None, offer=None, school=None, gemeente=None):
        school = school if school is not None else self.school_a
        return factories.CaseFactory(
            dossier_id=label,
            category=category,
            start_date=start,
            end_date=end,
            outcome="terug_naar_school" if end else "",
            offer_date=offer,
            school=school or None,
            municipality=gemeente or (school.municipality if school else self.beverwijk),
        )


@pytest.fixture
def place():
    return Place()


@pytest.fixture
def stock(place):
    place.case("B1", REL, D(2024, 3, 4))
    place.case("B2", REL, D(2024, 3, 3))
    place.case("B3", ABS, P, school=False, gemeente=place.beverwijk)
    place.case("B4", REL, D(2024, 1, 10), end=P)
    place.case("B5", REL, D(2024, 1, 10), end=D(2024, 4, 2))
    place.case("B6", EX, D(2023, 9, 1))
    place.case("B7", ABS, D(2023, 12, 1), school=place.school_c)
    place.case("C1", REL, D(2024, 2, 1), school=place.school_b)
    place.case("C2", ABS, D(2024, 4, 2), school=place.school_b)
    return place


def by_scope(figures):
    return {(figure.region_code or figure.organisation_id): figure.value for figure in figures}


def test_thuiszitters_per_gemeente_and_swv_on_the_peildatum(stock):
    figures = thuiszitters_on_peildatum(period_end=P, regions=GEMEENTEN)
    assert by_scope(figures) == {
        "GM0375": 4,
        "GM0383": 1,
        "GM0450": 0,
        stock.po.pk: 3,
        stock.vo.pk: 1,
    }
    assert all(f.period_start == f.period_end == P for f in figures)
    assert all(f.period_label == "2024-04-01" for f in figures)


def test_the_day_before_the_start_and_after_the_end(stock):
    """On 2 March B1, B2 and B3 have not started; B4 (which ends on P) and B5, relatief
    since 10 January, and B7 count in Beverwijk, C1 (day 30) in Castricum."""
    figures = by_scope(thuiszitters_on_peildatum(period_end=D(2024, 3, 2), regions=GEMEENTEN))
    assert figures["GM0375"] == 3 and figures["GM0383"] == 1


def test_without_regions_the_owner_s_werkgebied_is_computed(stock):
    indicator = Indicator(code="x", computed_key=STOCK_KEY, owner=stock.vo)
    figures = thuiszitters_on_peildatum(indicator, period_end=P, include_partnerships=False)
    assert by_scope(figures) == {"GM0375": 4}


# Offer within 3 months, period 1 January – 31 March 2024: the cases whose pact deadline
# (start + 3 calendar months) falls in the period started 1 October – 31 December 2023.
#
# | case | gemeente | category | start | deadline | offer | end | due | in time |
# |---|---|---|---|---|---|---|---|---|
# | O1 | Beverwijk | relatief | 2023-10-15 | 2024-01-15 | 2024-01-15 (on it) | | yes | yes |
# | O2 | Beverwijk | absoluut | 2023-11-30 | 2024-02-29 | 2024-03-01 | | yes | no |
# | O3 | Beverwijk | relatief | 2023-12-31 | 2024-03-31 (clamped) | none | | yes | no |
# | O4 | Beverwijk | relatief | 2023-11-01 | 2024-02-01 | none | 2023-11-10 | no: back at school | |
# | O5 | Beverwijk | relatief | 2023-09-30 | 2023-12-30 | none | | no: before period | |
# | O6 | Beverwijk | vrijstelling | 2023-10-20 | | | | no: category | |
# | O7 | Beverwijk | relatief | 2023-12-15 | 2024-03-15 | 2024-01-02 | 2024-02-01 | yes | yes |
# | O8 | Beverwijk | absoluut | 2024-01-01 | 2024-04-01 | none | | no: after period | |
# | O9 | Castricum | relatief | 2023-10-01 | 2024-01-01 | 2023-12-01 | | yes | yes |


@pytest.fixture
def offers(place):
    place.case("O1", REL, D(2023, 10, 15), offer=D(2024, 1, 15))
    place.case("O2", ABS, D(2023, 11, 30), offer=D(2024, 3, 1))
    place.case("O3", REL, D(2023, 12, 31))
    place.case("O4", REL, D(2023, 11, 1), end=D(2023, 11, 10))
    place.case("O5", REL, D(2023, 9, 30))
    place.case("O6", EX, D(2023, 10, 20))
    place.case("O7", REL, D(2023, 12, 15), offer=D(2024, 1, 2), end=D(2024, 2, 1))
    place.case("O8", ABS, D(2024, 1, 1))
    place.case("O9", REL, D(2023, 10, 1), offer=D(2023, 12, 1), school=place.school_b)
    return place


def test_share_with_an_offer_within_three_months(offers):
    figures = offer_within_three_months(
        period_start=D(2024, 1, 1), period_end=D(2024, 3, 31), regions=GEMEENTEN
    )
    shares = {f.region_code: (f.numerator, f.denominator) for f in figures}
    # Uitgeest had no deadline in the period: no figure rather than 0 of 0.
    assert shares == {"GM0375": (2, 4), "GM0383": (1, 1)}
    beverwijk = next(f for f in figures if f.region_code == "GM0375")
    assert beverwijk.period_label == "2024-01-01/2024-03-31"
    # The story sits beside a figure that may be hidden: it holds no number.
    assert beverwijk.story and not re.search(r"\d", beverwijk.story)


def test_the_deadline_on_the_last_day_of_the_period_counts(offers):
    # O3's deadline is 31 March; a period that ends on 30 March leaves it out.
    figures = offer_within_three_months(
        period_start=D(2024, 1, 1), period_end=D(2024, 3, 30), regions=["GM0375"]
    )
    assert [(f.numerator, f.denominator) for f in figures] == [(2, 3)]


# Median duration of the episodes (absoluut and relatief) that ended in 1 January –
# 31 March 2024: Beverwijk 10, 20, 30, 40, 100 days (odd: 30); Castricum 5, 7, 9, 11, 13,
# 90 (even: (9 + 11) / 2 = 10); Uitgeest two episodes (below the threshold of 5: none).
# Left out: a vrijstelling of 500 days, an episode that ended on 1 April, one still open.


@pytest.fixture
def durations(place):
    end = D(2024, 3, 20)

    def ended(label, days, school, category=REL, end=end):
        place.case(label, category, end - datetime.timedelta(days=days), end=end, school=school)

    for number, days in enumerate([40, 10, 100, 30, 20]):
        ended(f"B{number}", days, place.school_a, ABS if number % 2 else REL)
    for number, days in enumerate([13, 90, 5, 11, 7, 9]):
        ended(f"C{number}", days, place.school_b)
    uitgeest = factories.SchoolFactory(municipality=place.uitgeest, partnership=place.po)
    ended("U1", 3, uitgeest)
    ended("U2", 8, uitgeest)
    ended("X1", 500, place.school_a, EX)
    ended("X2", 1, place.school_a, end=D(2024, 4, 1))
    place.case("X3", REL, D(2024, 1, 2))
    return place


def test_median_duration_per_gemeente_odd_and_even(durations):
    figures = median_duration(
        period_start=D(2024, 1, 1), period_end=D(2024, 3, 31), regions=GEMEENTEN
    )
    assert by_scope(figures) == {"GM0375": Decimal(30), "GM0383": Decimal(10)}


def test_median_of_an_even_number_can_be_a_half(durations, place):
    place.case("C6", REL, D(2024, 3, 1), end=D(2024, 3, 31), school=place.school_b)  # 30 days
    figures = median_duration(
        period_start=D(2024, 1, 1), period_end=D(2024, 3, 31), regions=["GM0383"]
    )
    # 5, 7, 9, 11, 13, 30, 90: the middle one is 11.
    assert by_scope(figures) == {"GM0383": Decimal(11)}
    place.case("C7", ABS, D(2024, 3, 1), end=D(2024, 3, 13), school=place.school_b)  # 12
    figures = median_duration(
        period_start=D(2024, 1, 1), period_end=D(2024, 3, 31), regions=["GM0383"]
    )
    assert by_scope(figures) == {"GM0383": Decimal("11.5")}


# ------------------------------------------------------------------ in the monitor


def computed_indicator(code, key, owner, **fields):
    defaults = {
        "name": code,
        "unit": "count",
        "period_type": "reference_date",
        "source_kind": "computed",
        "computed_key": key,
        "owner": owner,
        "is_public": True,
    }
    return Indicator.objects.create(code=code, **{**defaults, **fields})


def test_refresh_computed_stores_the_figures_as_approved_measurements(stock):
    indicator = computed_indicator("thuiszitters", STOCK_KEY, stock.po)
    stored = indicator_services.refresh_computed(indicator, actor=None, period_end=P)
    assert len(stored) == 5
    figures = {
        (m.region.code if m.region else m.organisation.code): m.value
        for m in Measurement.objects.filter(indicator=indicator)
    }
    assert figures == {"GM0375": 4, "GM0383": 1, "GM0450": 0, "PO2711": 3, "VO2704": 1}
    measurement = Measurement.objects.get(indicator=indicator, region__code="GM0375")
    assert measurement.approval == ApprovalStatus.APPROVED and measurement.is_final
    assert measurement.source == "berekend: cases-thuiszitters-peildatum"
    assert (measurement.period_start, measurement.period_end) == (P, P)
    # Refreshing again replaces the figures of the same cells, it does not add any.
    indicator_services.refresh_computed(indicator, actor=None, period_end=P)
    assert Measurement.objects.filter(indicator=indicator).count() == 5


def test_refresh_computed_rates_and_medians(offers, durations):
    offer = computed_indicator(
        "aanbod", OFFER_KEY, offers.po, unit="percentage", period_type="quarter"
    )
    median = computed_indicator(
        "duur", DURATION_KEY, offers.po, unit="score", period_type="quarter", decimals=1
    )
    period = {"period_start": D(2024, 1, 1), "period_end": D(2024, 3, 31)}
    indicator_services.refresh_computed(offer, actor=None, **period)
    indicator_services.refresh_computed(median, actor=None, **period)
    rate = Measurement.objects.get(indicator=offer, region__code="GM0375")
    # O1–O9, and the 100-day episode of the durations (started 11 December, still running
    # at its deadline of 11 March, no offer): 2 of 5.
    assert (rate.numerator, rate.denominator) == (2, 5)
    assert Measurement.objects.get(indicator=median, region__code="GM0383").value == 10
    assert not Measurement.objects.filter(indicator=median, region__code="GM0450").exists()


def test_the_monitor_shows_them_suppressed_to_the_public(client, stock, make_member):
    indicator = computed_indicator("thuiszitters", STOCK_KEY, stock.po)
    indicator_services.refresh_computed(indicator, actor=None, period_end=P)
    url = reverse("indicators:detail", args=[indicator.code])

    def shown(regio, user=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url, {"regio": regio})
        assert response.status_code == 200
        return [f.value.text for f in response.context["figures"]]

    # Counts below 5 are "<5" for the public.
    assert shown("GM0375") == ["<5"]
    assert shown("GM0383") == ["<5"]
    html = client.get(url, {"regio": "GM0375"}).content.decode()
    assert "&lt;5" in html
    # Counts of the register leave it only as published aggregates, for the owner's
    # beleidsmedewerker too (as the register's own reports do).
    member = make_member(stock.po, Role.POLICY_OFFICER)
    assert shown("GM0375", member) == ["<5"]


def test_a_large_enough_count_is_published(client, stock):
    for number in range(4):
        stock.case(f"E{number}", ABS, D(2024, 3, 1))
    indicator = computed_indicator("thuiszitters", STOCK_KEY, stock.po)
    indicator_services.refresh_computed(indicator, actor=None, period_end=P)
    response = client.get(reverse("indicators:detail", args=[indicator.code]), {"regio": "GM0375"})
    assert [f.value.text for f in response.context["figures"]] == ["8"]
