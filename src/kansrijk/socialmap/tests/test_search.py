"""The public search: a parent finds huiswerkbegeleiding for a child in groep 7 in
Maassluis in two steps; the filters (words, age, group, theme, audience, gemeente and
wijk) each work on their own and together; the result page keeps its number of queries."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from kansrijk.organisations.models import RegionKind
from kansrijk.socialmap.models import Service, ServiceStatus
from kansrijk.socialmap.tests.factories import ProviderFactory, ServiceFactory
from kansrijk.socialmap.validators import ages_of_group, fold
from kansrijk.socialmap.views import region_scope
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def maassluis():
    region = factories.MunicipalityFactory(code="GM0556", name="Maassluis")
    gemeente = factories.MunicipalityOrganisationFactory(
        municipality=region, name="Gemeente Maassluis"
    )
    return ProviderFactory(organisation=gemeente)


@pytest.fixture
def catalogue(maassluis):
    """Seed 003's homework support and a few neighbours that must not be found."""
    vlaardingen = ProviderFactory(
        organisation=factories.MunicipalityOrganisationFactory(
            municipality=factories.MunicipalityFactory(code="GM0622", name="Vlaardingen")
        )
    )
    return {
        "huiswerk": ServiceFactory(
            provider=maassluis,
            name="Huiswerkbegeleiding",
            description="Hulp bij huiswerk voor kinderen in groep 7. Op indicatie, gratis.",
            minimum_group=7,
            maximum_group=7,
            requires_referral=True,
            is_free=True,
            themes=["huiswerk"],
            audiences=["kinderen"],
        ),
        "vve": ServiceFactory(
            provider=maassluis,
            name="Voorschoolse educatie",
            description="Peuters spelen en leren.",
            minimum_age=Decimal("2.5"),
            maximum_age=4,
            themes=["voorschoolse-educatie"],
            audiences=["kinderen", "ouders"],
        ),
        "lokale-democratie": ServiceFactory(
            provider=maassluis,
            name="Kennismaken met de lokale democratie",
            description="Een rondleiding op het stadhuis voor groep 6, 7 of 8.",
            minimum_group=6,
            maximum_group=8,
            themes=["meedoen"],
        ),
        "elders": ServiceFactory(
            provider=vlaardingen,
            name="Huiswerkklas Vlaardingen",
            description="Huiswerkbegeleiding in Vlaardingen.",
            minimum_group=7,
            maximum_group=8,
            themes=["huiswerk"],
        ),
        "concept": ServiceFactory(
            provider=maassluis,
            name="Huiswerkbegeleiding groep 6 (concept)",
            status=ServiceStatus.CONCEPT,
            minimum_group=6,
            maximum_group=6,
            themes=["huiswerk"],
        ),
    }


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def result_names(response) -> list[str]:
    html = response.content.decode()
    return re.findall(
        r'<h3 class="utrecht-heading-3 kansrijk-card__title"[^>]*><a[^>]*>([^<]+)</a>', html
    )


def test_a_parent_finds_homework_support_for_group_7_in_maassluis_in_two_steps(client, catalogue):
    # Step 1: the search form, no login.
    page = client.get(reverse("socialmap:search"))
    assert page.status_code == 200
    form = page.context["form"]
    assert {"q", "leeftijd", "groep", "thema", "voor", "gebied"} <= set(form.fields)
    assert "GM0556" in dict(form.fields["gebied"].choices)
    assert 'action="/sociale-kaart/aanbod/"' in page.content.decode()
    # Step 2: the results of what the parent filled in.
    results = client.get(
        reverse("socialmap:results"), {"q": "huiswerkbegeleiding", "groep": "7", "gebied": "GM0556"}
    )
    assert results.status_code == 200
    assert result_names(results) == ["Huiswerkbegeleiding"]
    html = results.content.decode()
    assert catalogue["huiswerk"].get_absolute_url() in html
    assert "Op indicatie" in html and "Gratis" in html and "Groep 7" in html


def test_words_are_found_without_accents_and_case(catalogue):
    published = Service.objects.published()
    assert names(published.search(text="HUISWERK")) == {
        "Huiswerkbegeleiding",
        "Huiswerkklas Vlaardingen",
    }
    assert names(published.search(text="stadhuis rondleiding")) == {
        "Kennismaken met de lokale democratie"
    }
    assert names(published.search(text="maassluis huiswerk")) == {"Huiswerkbegeleiding"}
    assert fold("Youké") == "youke"


def test_age_and_group(catalogue):
    published = Service.objects.published()
    assert names(published.search(group=7)) == {
        "Huiswerkbegeleiding",
        "Kennismaken met de lokale democratie",
        "Huiswerkklas Vlaardingen",
    }
    # Groups are compared as groups: groep 6 does not find the groep 7 offer.
    assert names(published.search(group=6)) == {"Kennismaken met de lokale democratie"}
    # An age finds offers by age and by the usual ages of their groups (groep 7: 10-11).
    assert names(published.search(age=3)) == {"Voorschoolse educatie"}
    assert "Huiswerkbegeleiding" in names(published.search(age=11))
    assert "Huiswerkbegeleiding" not in names(published.search(age=12))


def test_theme_audience_and_area(catalogue, maassluis):
    published = Service.objects.published()
    assert names(published.search(theme="huiswerk", region_ids=region_scope("GM0556"))) == {
        "Huiswerkbegeleiding"
    }
    assert names(published.search(audience="ouders")) == {"Voorschoolse educatie"}
    assert names(published.search(region_ids=region_scope("GM0622"))) == {
        "Huiswerkklas Vlaardingen"
    }


def test_a_wijk_finds_its_own_offers_and_those_of_the_whole_gemeente(catalogue, maassluis):
    gemeente = maassluis.organisation.municipality
    west = factories.RegionFactory(kind=RegionKind.DISTRICT, code="GM0556-WEST", name="West")
    oost = factories.RegionFactory(kind=RegionKind.DISTRICT, code="GM0556-OOST", name="Oost")
    for district in (west, oost):
        factories.RegionMembershipFactory(child=district, parent=gemeente)
    in_west = ServiceFactory(provider=maassluis, name="Speeltuin West", areas=[west])
    ServiceFactory(provider=maassluis, name="Speeltuin Oost", areas=[oost])
    found = names(Service.objects.published().search(region_ids=region_scope("GM0556-WEST")))
    assert "Speeltuin West" in found and "Huiswerkbegeleiding" in found
    assert "Speeltuin Oost" not in found
    # The gemeente finds all of its wijken.
    assert {"Speeltuin West", "Speeltuin Oost"} <= names(
        Service.objects.published().search(region_ids=region_scope("GM0556"))
    )
    assert in_west.areas.get().municipality == gemeente


def test_only_published_entries_are_found(client, catalogue):
    response = client.get(reverse("socialmap:results"), {"q": "concept"})
    assert result_names(response) == []
    assert client.get(catalogue["concept"].get_absolute_url()).status_code == 404


def test_a_wrong_age_is_explained(client, catalogue):
    response = client.get(reverse("socialmap:results"), {"leeftijd": "twaalf"})
    assert response.status_code == 400
    assert "Leeftijd van het kind" in response.content.decode()


def test_the_result_page_keeps_its_number_of_queries(
    client, maassluis, django_assert_max_num_queries
):
    for number in range(3):
        ServiceFactory(
            provider=maassluis, name=f"Sport {number}", themes=["sport"], audiences=["kinderen"]
        )
    with django_assert_max_num_queries(12) as captured:
        client.get(reverse("socialmap:results"), {"thema": "sport"})
    baseline = len(captured)
    for number in range(3, 30):
        ServiceFactory(provider=maassluis, name=f"Sport {number}", themes=["sport", "cultuur"])
    with django_assert_max_num_queries(baseline):
        response = client.get(reverse("socialmap:results"), {"thema": "sport"})
    assert response.context["page"].paginator.count == 30
    assert len(result_names(response)) == 20  # paginated


@given(group=st.integers(min_value=1, max_value=8))
def test_the_ages_of_a_group_follow_groep_1_at_four(group):
    youngest, oldest = ages_of_group(group)
    assert (youngest, oldest) == (group + 3, group + 4)
