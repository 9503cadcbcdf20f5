"""Who sees which case, and how much: per role, with members of the same organisation in
another role and members of another organisation in the same role."""

from __future__ import annotations

import datetime

import pytest

from kansrijk.cases import services
from kansrijk.cases.models import Case, YoungPerson
from kansrijk.cases.queries import EPISODE, FULL, PARTIAL
from kansrijk.cases.rules import access_level
from kansrijk.testing import factories

D = datetime.date


@pytest.fixture
def other_case(network):
    person = services.register_young_person(
        actor=None,
        identifier_kind="bsn",
        identifier="123456782",
        birth_date=D(2010, 2, 2),
        municipality=network.maassluis,
    )
    return services.open_case(
        actor=None,
        young_person=person,
        category="relatief",
        start_date=D(2024, 1, 15),
        school=network.other_school,
        dossier_id="TZ-TEST-2",
    )


@pytest.mark.parametrize(
    ("who", "level"),
    [
        ("leerplicht", FULL),
        ("swv", EPISODE),
        ("school", PARTIAL),
        ("leerplicht_elders", None),
        ("school_elders", None),
        ("beleid", None),
        ("lezer", None),
        ("office_reader", None),
    ],
)
def test_access_level_per_role(people, case, other_case, who, level):
    user = people[who]
    assert access_level(user, case) == level
    visible = set(Case.objects.visible_to(user))
    assert (case in visible) == (level is not None)


def test_leerplicht_follows_the_woongemeente_not_the_school(network, people, young_person):
    """A pupil of Beverwijk at a Maassluis school: Beverwijk's leerplicht has the dossier,
    Maassluis' has not; the Maassluis school contact sees it in part."""
    case = services.open_case(
        actor=None,
        young_person=young_person,
        category="relatief",
        start_date=D(2024, 1, 8),
        school=network.other_school,
    )
    assert access_level(people["leerplicht"], case) == FULL
    assert access_level(people["leerplicht_elders"], case) is None
    assert access_level(people["school_elders"], case) == PARTIAL
    assert access_level(people["swv"], case) is None


def test_the_regievoerder_sees_the_episode(network, case, make_member):
    partner = factories.OrganisationFactory(kind="youth_team", name="CJG")
    regievoerder = make_member(partner, "partner")
    assert access_level(regievoerder, case) is None
    assert not regievoerder.requires_two_factor()
    services.assign_case_manager(case, actor=None, case_manager=regievoerder)
    # The service forgets what was kept on the user: the new case is visible at once.
    assert Case.objects.visible_to(regievoerder).filter(pk=case.pk).exists()
    assert access_level(regievoerder, case) == EPISODE
    # Seeing a child's episode asks for the second factor, whatever the role.
    assert regievoerder.requires_two_factor()


def test_a_contact_of_an_institution_sees_its_locations(network, case, make_member):
    contact = make_member(network.school.parent, "school_contact")
    assert access_level(contact, case) == PARTIAL


def test_a_contact_of_a_school_board_sees_the_locations_of_its_institutions(
    network, case, make_member
):
    board = factories.OrganisationFactory(kind="school_board", name="Stichting Test")
    network.school.parent.parent = board
    network.school.parent.save()
    contact = make_member(board, "school_contact")
    assert access_level(contact, case) == PARTIAL


def test_aggregates_count_more_than_the_dossiers(people, case, other_case):
    assert set(Case.objects.countable_for(people["beleid"])) == {case}
    assert set(Case.objects.countable_for(people["lezer"])) == {case}
    assert set(Case.objects.visible_to(people["beleid"])) == set()


def test_superuser_sees_everything_and_anonymous_nothing(db, case, other_case, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 12)
    assert Case.objects.visible_to(admin).count() == 2
    assert Case.objects.visible_to(AnonymousUser()).count() == 0
    assert YoungPerson.objects.visible_to(AnonymousUser()).count() == 0


def test_young_people_visible_to_leerplicht_by_residence(network, people, young_person):
    assert young_person in YoungPerson.objects.visible_to(people["leerplicht"])
    assert young_person not in YoungPerson.objects.visible_to(people["leerplicht_elders"])
    assert young_person not in YoungPerson.objects.visible_to(people["school"])
    services.enrol(young_person, actor=None, school=network.school, start_date=D(2023, 8, 20))
    assert young_person in YoungPerson.objects.visible_to(people["school"])
    assert young_person in YoungPerson.objects.visible_to(people["swv"])
