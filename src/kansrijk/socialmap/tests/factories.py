"""Factories of the sociale kaart, named after the things of the domain. They build rows
directly (fast, no audit) for the set-up of tests of other code; tests of the service
functions themselves call the services."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from kansrijk.socialmap import services, taxonomy
from kansrijk.socialmap.models import (
    Need,
    Participation,
    Provider,
    Service,
    ServiceArea,
    ServiceStatus,
    TaxonomyTerm,
)
from kansrijk.testing.factories import MunicipalityOrganisationFactory


def term(taxonomy_code: str, code: str) -> TaxonomyTerm:
    taxonomy.ensure_taxonomies()
    return TaxonomyTerm.objects.get(taxonomy__code=taxonomy_code, code=code)


def theme(code: str) -> TaxonomyTerm:
    return term(taxonomy.THEME, code)


def audience(code: str) -> TaxonomyTerm:
    return term(taxonomy.AUDIENCE, code)


class ProviderFactory(DjangoModelFactory):
    """A provider that is a Kansrijk organisation (a gemeente unless told otherwise)."""

    class Meta:
        model = Provider

    organisation = factory.SubFactory(MunicipalityOrganisationFactory)
    name = factory.LazyAttribute(lambda o: o.organisation.name if o.organisation else "Aanbieder")


class ServiceFactory(DjangoModelFactory):
    """A published entry, offered in the gemeente of its provider (or in ``areas``), with
    ``themes`` and ``audiences`` as term codes."""

    class Meta:
        model = Service
        skip_postgeneration_save = True

    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Aanbod {n}")
    description = "Een activiteit voor kinderen in de wijk."
    status = ServiceStatus.PUBLISHED
    # Op afspraak unless a test gives it a location: it may be offered for approval again.
    without_location = True
    assured_date = factory.LazyFunction(datetime.date.today)
    last_modified = factory.LazyFunction(services.modified_now)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create and extracted:
            self.themes.set([theme(code) for code in extracted])

    @factory.post_generation
    def audiences(self, create, extracted, **kwargs):
        if create and extracted:
            self.audiences.set([audience(code) for code in extracted])

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if not create:
            return
        regions = extracted
        if regions is None:
            organisation = self.provider.organisation if self.provider else None
            regions = (
                [organisation.municipality] if organisation and organisation.municipality else []
            )
        for region in regions:
            ServiceArea.objects.create(
                service=self, region=region, municipality=services.municipality_of(region)
            )
        services.refresh_search_text(self)


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation

    service = factory.SubFactory(ServiceFactory)
    period_start = datetime.date(2023, 8, 1)
    period_end = datetime.date(2024, 7, 31)
    period_label = "2023/2024"
    participants = 12
    region = factory.LazyAttribute(lambda o: o.service.areas.first().region)
    municipality = factory.LazyAttribute(
        lambda o: services.scope_municipality(school=o.school, region=o.region)
    )
    school = None


class NeedFactory(DjangoModelFactory):
    class Meta:
        model = Need

    municipality = factory.LazyAttribute(lambda o: MunicipalityOrganisationFactory().municipality)
    theme = factory.LazyFunction(lambda: theme("huiswerk"))
    minimum_age = 10
    maximum_age = 11
    description = "Hulp bij huiswerk."
