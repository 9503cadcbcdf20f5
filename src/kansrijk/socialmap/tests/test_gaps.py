"""Needs and offer matched in the database: the same theme, an area that covers the need
(a wijk is covered by an offer for that wijk or for the whole gemeente), and school groups
compared as groups when both name them, else ages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kansrijk.organisations.models import RegionKind
from kansrijk.socialmap.models import Need, Service
from kansrijk.socialmap.tests.factories import NeedFactory, ServiceFactory, theme
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db


def has_offer(need) -> bool:
    return Need.objects.with_offer().get(pk=need.pk).has_offer


def is_asked(service) -> bool:
    return Service.objects.with_asked().get(pk=service.pk).is_asked


def test_theme_and_area(provider, gemeente, wijk):
    oost = factories.RegionFactory(
        kind=RegionKind.DISTRICT, code=f"{gemeente.code}-OOST", name="Oost"
    )
    factories.RegionMembershipFactory(child=oost, parent=gemeente)
    in_west = NeedFactory(
        municipality=gemeente, district=wijk, theme=theme("sport"), minimum_age=8, maximum_age=12
    )
    assert not has_offer(in_west)
    in_oost = ServiceFactory(provider=provider, themes=["sport"], areas=[oost])
    assert not has_offer(in_west) and not is_asked(in_oost)
    whole = ServiceFactory(provider=provider, themes=["cultuur"])
    assert not has_offer(in_west)  # another theme
    whole.themes.add(theme("sport"))
    assert has_offer(in_west) and is_asked(whole)
    # A need for the whole gemeente is met by an offer in any of its wijken.
    gemeente_need = NeedFactory(
        municipality=gemeente, theme=theme("sport"), minimum_age=8, maximum_age=12
    )
    whole.themes.remove(theme("sport"))
    assert has_offer(gemeente_need) and is_asked(in_oost)
    elsewhere = factories.MunicipalityFactory()
    ServiceFactory(provider=provider, themes=["sport"], areas=[elsewhere])
    assert not has_offer(
        NeedFactory(municipality=factories.MunicipalityFactory(), theme=theme("sport"))
    )


def test_groups_are_compared_as_groups_and_ages_as_ages(provider, gemeente):
    homework = ServiceFactory(
        provider=provider, themes=["huiswerk"], minimum_group=7, maximum_group=7
    )
    group_6 = NeedFactory(
        municipality=gemeente,
        theme=theme("huiswerk"),
        minimum_age=None,
        maximum_age=None,
        minimum_group=6,
        maximum_group=6,
    )
    group_6_to_8 = NeedFactory(
        municipality=gemeente,
        theme=theme("huiswerk"),
        minimum_age=None,
        maximum_age=None,
        minimum_group=6,
        maximum_group=8,
    )
    age_11 = NeedFactory(
        municipality=gemeente, theme=theme("huiswerk"), minimum_age=11, maximum_age=11
    )
    age_13 = NeedFactory(
        municipality=gemeente, theme=theme("huiswerk"), minimum_age=13, maximum_age=14
    )
    assert not has_offer(group_6)  # by age groep 6 (9-10) and 7 (10-11) would touch
    assert has_offer(group_6_to_8) and has_offer(age_11) and not has_offer(age_13)
    toddlers = ServiceFactory(
        provider=provider, themes=["huiswerk"], minimum_age=Decimal("2.5"), maximum_age=4
    )
    assert not is_asked(toddlers) and is_asked(homework)
    open_ended = ServiceFactory(provider=provider, themes=["huiswerk"])  # no ages: everyone
    assert is_asked(open_ended)


def test_only_published_offers_meet_a_need(provider, gemeente):
    need = NeedFactory(municipality=gemeente, theme=theme("huiswerk"))
    offer = ServiceFactory(provider=provider, themes=["huiswerk"], status="submitted")
    assert not has_offer(need)
    offer.status = "published"
    offer.save()
    assert has_offer(need)
