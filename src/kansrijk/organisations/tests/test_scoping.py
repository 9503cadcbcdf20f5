"""Who may open which organisation: the user trio and the network rules of visible_to()."""

import re

import pytest
from django.urls import reverse

from kansrijk.organisations.models import Organisation, OrganisationKind, Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db


def detail_url(organisation):
    return reverse("organisations:detail", args=[organisation.pk])


@pytest.fixture
def two_gemeenten():
    """Two gemeenten, each with an SWV, a board with a school, and a partner."""
    built = {}
    for label in ("own", "other"):
        municipality_org = factories.MunicipalityOrganisationFactory()
        gemeente = municipality_org.municipality
        partnership = factories.PartnershipFactory()
        partnership.served_regions.add(gemeente)
        board = factories.OrganisationFactory(kind=OrganisationKind.SCHOOL_BOARD)
        institution = factories.SchoolInstitutionFactory(parent=board)
        school = factories.SchoolFactory(
            parent=institution, municipality=gemeente, partnership=partnership
        )
        neighbour_school = factories.SchoolFactory(municipality=gemeente, partnership=partnership)
        library = factories.OrganisationFactory(kind=OrganisationKind.LIBRARY)
        library.served_regions.add(gemeente)
        built[label] = {
            "gemeente": municipality_org,
            "swv": partnership,
            "board": board,
            "institution": institution,
            "school": school,
            "neighbour_school": neighbour_school,
            "library": library,
        }
    return built


def visible_names(user):
    return set(Organisation.objects.visible_to(user).values_list("pk", flat=True))


def pks(*organisations):
    return {o.pk for o in organisations}


class TestUserTrio:
    """A member sees their organisation; another organisation's page answers 404."""

    def test_member_other_role_and_other_organisation(
        self, user_trio, client, municipality_organisation, other_municipality_organisation
    ):
        users = user_trio(role=Role.POLICY_OFFICER, other_role=Role.READER)
        for who in ("member", "other_role"):
            client.force_login(users[who])
            assert client.get(detail_url(municipality_organisation)).status_code == 200
            assert client.get(detail_url(other_municipality_organisation)).status_code == 404

        client.force_login(users["other_organisation"])
        assert client.get(detail_url(municipality_organisation)).status_code == 404
        assert client.get(detail_url(other_municipality_organisation)).status_code == 200

    def test_not_yours_and_does_not_exist_answer_the_same(
        self, make_member, client, municipality_organisation, other_municipality_organisation
    ):
        client.force_login(make_member(municipality_organisation))
        not_yours = client.get(detail_url(other_municipality_organisation))
        missing = client.get(reverse("organisations:detail", args=[999_999]))
        assert not_yours.status_code == missing.status_code == 404

        def main_content(response):
            return re.search(rb"<main.*</main>", response.content, re.S).group(0)

        assert main_content(not_yours) == main_content(missing)

    def test_anonymous_users_are_sent_to_login(self, client, municipality_organisation):
        response = client.get(detail_url(municipality_organisation))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


class TestNetwork:
    def test_policy_officer_sees_everything_in_and_for_their_gemeente(
        self, two_gemeenten, make_member
    ):
        own, other = two_gemeenten["own"], two_gemeenten["other"]
        user = make_member(own["gemeente"], Role.POLICY_OFFICER)
        visible = visible_names(user)
        assert (
            pks(own["gemeente"], own["swv"], own["school"], own["neighbour_school"], own["library"])
            <= visible
        )
        assert not visible & pks(*other.values())

    def test_school_contact_sees_its_own_chain_but_not_other_schools(
        self, two_gemeenten, make_member
    ):
        own = two_gemeenten["own"]
        user = make_member(own["school"], Role.SCHOOL_CONTACT)
        visible = visible_names(user)
        assert (
            pks(own["school"], own["institution"], own["board"], own["swv"], own["gemeente"])
            <= visible
        )
        assert own["library"].pk in visible  # works for the school's gemeente
        assert own["neighbour_school"].pk not in visible
        assert not visible & pks(*two_gemeenten["other"].values())

    def test_swv_coordinator_sees_member_schools_and_their_boards(self, two_gemeenten, make_member):
        own = two_gemeenten["own"]
        user = make_member(own["swv"], Role.SWV_COORDINATOR)
        visible = visible_names(user)
        assert (
            pks(
                own["swv"],
                own["school"],
                own["neighbour_school"],
                own["institution"],
                own["gemeente"],
            )
            <= visible
        )
        assert not visible & pks(*two_gemeenten["other"].values())

    def test_board_sees_its_schools_two_levels_down(self, two_gemeenten, make_member):
        own = two_gemeenten["own"]
        user = make_member(own["board"], Role.POLICY_OFFICER)
        assert pks(own["institution"], own["school"]) <= visible_names(user)

    def test_ended_membership_sees_nothing(self, two_gemeenten, make_member):
        user = make_member(two_gemeenten["own"]["gemeente"])
        user.memberships.update(is_active=False)
        assert visible_names(user) == set()

    def test_superuser_sees_everything(self, two_gemeenten, admin_user):
        assert visible_names(admin_user) == set(Organisation.objects.values_list("pk", flat=True))


class TestPages:
    def test_list_shows_only_the_network_and_filters(self, two_gemeenten, make_member, client):
        own, other = two_gemeenten["own"], two_gemeenten["other"]
        client.force_login(make_member(own["gemeente"]))
        response = client.get(reverse("organisations:list"))
        listed = {o.pk for o in response.context["page"]}
        assert own["school"].pk in listed and other["school"].pk not in listed

        response = client.get(reverse("organisations:list"), {"soort": "partnership"})
        assert [o.pk for o in response.context["page"]] == [own["swv"].pk]

        response = client.get(reverse("organisations:list"), {"q": own["school"].code})
        assert [o.pk for o in response.context["page"]] == [own["school"].pk]

    def test_school_page_shows_board_swv_gemeente_and_pupils(
        self, two_gemeenten, make_member, client
    ):
        own = two_gemeenten["own"]
        client.force_login(make_member(own["gemeente"]))
        response = client.get(detail_url(own["school"]))
        content = response.content.decode()
        for expected in (
            own["institution"].name,
            own["swv"].name,
            own["school"].municipality.name,
            "250",
        ):
            assert expected in content

    def test_list_page_query_count_does_not_grow_with_rows(
        self, two_gemeenten, make_member, client, django_assert_max_num_queries
    ):
        own = two_gemeenten["own"]
        client.force_login(make_member(own["gemeente"]))
        for _ in range(30):
            factories.SchoolFactory(municipality=own["gemeente"].municipality)
        with django_assert_max_num_queries(15):  # constant: independent of the rows
            client.get(reverse("organisations:list"))
