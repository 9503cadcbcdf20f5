"""Factories named after the things of the domain, for tests and benchmarks.

They build rows directly (fast, no audit) for test set-up of *other* code; tests of the
service functions themselves call the services.
"""

import factory
from factory.django import DjangoModelFactory

from kansrijk.cases.identifiers import bsn_near
from kansrijk.organisations.models import (
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    RegionKind,
    RegionMembership,
    Role,
    Sector,
    User,
)


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    kind = RegionKind.MUNICIPALITY
    # GM + 4 digits in 9000-9799, a range no real gemeente uses (tests spell out GM98xx and
    # GM99xx themselves). The sequence runs over the whole test session, so it wraps; no
    # test makes 800 gemeenten.
    code = factory.Sequence(lambda n: f"GM{9000 + n % 800:04d}")
    name = factory.Sequence(lambda n: f"Testgemeente {n}")


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    kind = RegionKind.RMC_REGION
    code = factory.Sequence(lambda n: f"RMC{n:02d}")
    name = factory.Sequence(lambda n: f"Testregio {n}")


class RegionMembershipFactory(DjangoModelFactory):
    class Meta:
        model = RegionMembership

    child = factory.SubFactory(MunicipalityFactory)
    parent = factory.SubFactory(RegionFactory)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.OTHER
    name = factory.Sequence(lambda n: f"Organisatie {n}")


class MunicipalityOrganisationFactory(OrganisationFactory):
    class Meta:
        skip_postgeneration_save = True

    kind = OrganisationKind.MUNICIPALITY
    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.SelfAttribute("municipality.code")
    name = factory.LazyAttribute(lambda o: f"Gemeente {o.municipality.name}")

    @factory.post_generation
    def serves_own_area(self, create, extracted, **kwargs):
        if create:
            self.served_regions.add(self.municipality)


class PartnershipFactory(OrganisationFactory):
    kind = OrganisationKind.PARTNERSHIP
    code = factory.Sequence(lambda n: f"PO{9000 + n % 800:04d}")
    name = factory.Sequence(lambda n: f"Samenwerkingsverband {n}")


class SchoolInstitutionFactory(OrganisationFactory):
    kind = OrganisationKind.SCHOOL_INSTITUTION
    code = factory.Sequence(lambda n: f"{n % 100:02d}{chr(65 + (n // 100) % 26)}{chr(65 + n % 26)}")
    name = factory.Sequence(lambda n: f"Schoolinstelling {n}")


class SchoolFactory(OrganisationFactory):
    """A school location (vestiging) with its BRIN6."""

    kind = OrganisationKind.SCHOOL_LOCATION
    parent = factory.SubFactory(SchoolInstitutionFactory)
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{n % 100:02d}")
    name = factory.Sequence(lambda n: f"Basisschool De Test {n}")
    sector = Sector.PO
    municipality = factory.SubFactory(MunicipalityFactory)
    partnership = factory.SubFactory(PartnershipFactory)
    pupil_count = 250


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.POLICY_OFFICER


# ------------------------------------------------------------------ the case register


class YoungPersonFactory(DjangoModelFactory):
    """A young person with a valid (test) BSN, encrypted as the register stores it."""

    class Meta:
        model = "cases.YoungPerson"
        skip_postgeneration_save = True

    birth_date = factory.Faker("date_between", start_date="-15y", end_date="-6y")
    given_name = factory.Sequence(lambda n: f"Jongere{n}")
    family_name = "Test"
    identifier_kind = "bsn"
    identifier_encrypted = ""
    identifier_hash = ""

    bsn = factory.Sequence(lambda n: bsn_near(111_000_000 + n * 100))

    @classmethod
    def _create(cls, model_class, *args, bsn=None, **kwargs):
        person = model_class(*args, **kwargs)
        person.set_identifier("bsn", bsn)
        person.save()
        return person

    @factory.post_generation
    def residence(self, create, extracted, **kwargs):
        """``residence=<Region>``: where the young person lives (since birth)."""
        if create and extracted is not None:
            from kansrijk.cases.models import Residence

            Residence.objects.create(
                young_person=self, municipality=extracted, valid_from=self.birth_date
            )


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = "cases.Case"

    dossier_id = factory.Sequence(lambda n: f"TEST-{n:06d}")
    young_person = factory.SubFactory(YoungPersonFactory)
    category = "relatief"
    start_date = factory.Faker("date_between", start_date="-60d", end_date="-1d")
    school = factory.SubFactory(SchoolFactory)
    municipality = factory.LazyAttribute(
        lambda o: o.school.municipality if o.school else MunicipalityFactory()
    )
    sector = "PO"
