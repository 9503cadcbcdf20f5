"""The home page per role: what needs the user today, as counts with links to pages the
user may open, and nothing for a role that may not (decision 0033)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kansrijk.home import home_sections
from kansrijk.indicators import services as indicator_services
from kansrijk.indicators.models import Indicator
from kansrijk.organisations.models import Role
from kansrijk.socialmap.models import Provider
from kansrijk.socialmap.tests.factories import ServiceFactory
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db


def tasks_of(user) -> dict[str, object]:
    """label -> (count, url) of every task the home page offers ``user``."""
    today = timezone.localdate()
    return {
        str(task.label): (task.count, task.url)
        for section in home_sections(user, today)
        for task in section.tasks
    }


def count_of(user, label_start: str):
    found = [value for label, value in tasks_of(user).items() if label.startswith(label_start)]
    return found[0][0] if found else None


@pytest.fixture
def indicator(municipality_organisation):
    return Indicator.objects.create(
        code="vve-bereik",
        name="Bereik VVE",
        unit="percentage",
        period_type="calendar_year",
        owner=municipality_organisation,
        is_public=True,
    )


def submit(indicator, actor, organisation):
    return indicator_services.submit_measurement(
        actor=actor,
        indicator=indicator,
        organisation=organisation,
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2024, 12, 31),
        period_label="2024",
        numerator=Decimal(30),
        denominator=Decimal(40),
    )


def test_a_figure_waits_for_a_policy_officer_of_the_owner_not_for_its_submitter(
    indicator, user_trio, municipality_organisation, make_member
):
    users = user_trio(role=Role.POLICY_OFFICER, other_role=Role.PARTNER)
    colleague = make_member(municipality_organisation, Role.POLICY_OFFICER)
    submit(indicator, users["member"], municipality_organisation)

    assert count_of(colleague, "Cijfers die wachten") == 1
    # Four eyes: one's own figure waits for a colleague.
    assert count_of(users["member"], "Cijfers die wachten") == 0
    # A partner of the owner and a beleidsmedewerker elsewhere approve nothing here: the
    # task (and its link to a page that would answer 403) is not offered.
    assert count_of(users["other_role"], "Cijfers die wachten") is None
    assert count_of(users["other_organisation"], "Cijfers die wachten") is None


def test_the_home_page_shows_the_count_and_links_the_queue(
    client, indicator, municipality_organisation, make_member
):
    officer = make_member(municipality_organisation, Role.POLICY_OFFICER)
    partner = make_member(municipality_organisation, Role.PARTNER)
    submit(indicator, partner, municipality_organisation)
    client.force_login(officer)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("indicators:approval_queue") in html
    assert "Cijfers die wachten op jouw goedkeuring" in html

    client.force_login(partner)
    html = client.get(reverse("home")).content.decode()
    assert reverse("indicators:approval_queue") not in html


def test_zero_is_shown_as_nothing_to_do(client, municipality_organisation, make_member):
    officer = make_member(municipality_organisation, Role.POLICY_OFFICER)
    client.force_login(officer)
    html = client.get(reverse("home")).content.decode()
    assert "Niets te doen" in html


def test_entries_to_verify_count_for_the_provider_not_for_a_reader(
    municipality_organisation, make_member
):
    provider = Provider.objects.create(
        organisation=municipality_organisation, name=municipality_organisation.name
    )
    ServiceFactory(provider=provider, assured_date=datetime.date(2020, 1, 1))
    ServiceFactory(provider=provider)  # checked today
    partner = make_member(municipality_organisation, Role.PARTNER)
    reader = make_member(municipality_organisation, Role.READER)
    outsider = make_member(factories.MunicipalityOrganisationFactory(), Role.PARTNER)

    assert count_of(partner, "Aanbod om te controleren") == 1
    assert count_of(reader, "Aanbod om te controleren") is None
    assert count_of(outsider, "Aanbod om te controleren") is None


def test_cases_with_a_signal_count_for_leerplicht_of_the_gemeente(make_member):
    office = factories.MunicipalityOrganisationFactory()
    other_office = factories.MunicipalityOrganisationFactory()
    officer = make_member(office, Role.ATTENDANCE_OFFICER)
    outsider = make_member(other_office, Role.ATTENDANCE_OFFICER)
    long_ago = timezone.localdate() - datetime.timedelta(days=200)
    factories.CaseFactory(municipality=office.municipality, start_date=long_ago)

    assert count_of(officer, "Casussen met een signaal") == 1
    assert count_of(officer, "Urgent") == 1  # relatief verzuim, 200 days, no offer
    assert count_of(outsider, "Casussen met een signaal") == 0


def test_a_reader_gets_dashboards_and_no_register_work(municipality_organisation, make_member):
    reader = make_member(municipality_organisation, Role.READER)
    tasks = tasks_of(reader)
    assert "Monitor: alle indicatoren" in tasks
    assert not any(label.startswith("Casussen") for label in tasks)
    assert "Mislukte importtaken" not in tasks


def test_the_beheerder_sees_failed_imports_and_the_users(municipality_organisation, make_member):
    admin = make_member(municipality_organisation, Role.ADMIN)
    make_member(municipality_organisation, Role.READER)
    assert count_of(admin, "Mislukte importtaken") == 0
    assert count_of(admin, "Gebruikers in jouw organisaties") == 2


def test_every_count_is_one_query(
    django_assert_max_num_queries, municipality_organisation, make_member
):
    officer = make_member(factories.MunicipalityOrganisationFactory(), Role.ATTENDANCE_OFFICER)
    user = officer
    tasks_count = sum(len(section.tasks) for section in home_sections(user, timezone.localdate()))
    # A handful of permission look-ups plus one query per count; not one per row.
    for _ in range(3):
        factories.CaseFactory(municipality=officer.memberships.get().organisation.municipality)
    with django_assert_max_num_queries(tasks_count + 25):
        home_sections(user, timezone.localdate())


# ------------------------------------------------------------------ honest links


def test_the_approval_link_on_the_monitor_follows_the_queue_permission(
    verified_client, indicator, municipality_organisation, make_member
):
    queue = reverse("indicators:approval_queue")
    officer = make_member(municipality_organisation, Role.POLICY_OFFICER)
    for role in (Role.PARTNER, Role.READER, Role.SCHOOL_CONTACT):
        client = verified_client(make_member(municipality_organisation, role))
        assert queue not in client.get(reverse("indicators:overview")).content.decode()
        assert client.get(queue).status_code == 403
    client = verified_client(officer)
    assert queue in client.get(reverse("indicators:overview")).content.decode()
    assert client.get(queue).status_code == 200


def test_the_participation_import_link_follows_its_permission(
    client, municipality_organisation, make_member
):
    provider = Provider.objects.create(
        organisation=municipality_organisation, name=municipality_organisation.name
    )
    ServiceFactory(provider=provider)
    page = reverse("socialmap:participation_import")
    partner = make_member(municipality_organisation, Role.PARTNER)
    reader = make_member(municipality_organisation, Role.READER)
    client.force_login(reader)
    assert page not in client.get(reverse("socialmap:manage")).content.decode()
    assert client.get(page).status_code == 403
    client.force_login(partner)
    assert page in client.get(reverse("socialmap:manage")).content.decode()
    assert client.get(page).status_code == 200


def test_beheer_in_the_menu_only_when_the_admin_opens(client, verified_client):
    admin_index = reverse("admin:index")
    not_staff = factories.UserFactory(is_superuser=True, is_staff=False)
    staff = factories.UserFactory(is_superuser=True, is_staff=True)
    html = verified_client(not_staff).get(reverse("home")).content.decode()
    assert f'href="{admin_index}"' not in html
    response = verified_client(staff).get(reverse("home"))
    assert f'href="{admin_index}"' in response.content.decode()
    assert client.get(admin_index).status_code == 200


def test_schools_without_a_reported_count_for_the_school_and_its_swv(make_member):
    from kansrijk.cases import reporting
    from kansrijk.cases.models import ReportedCount

    partnership = factories.PartnershipFactory()
    reported, silent = (factories.SchoolFactory(partnership=partnership) for _ in range(2))
    ReportedCount.objects.create(
        reference_date=reporting.latest_peildatum(timezone.localdate()), school=reported, count=3
    )
    coordinator = make_member(partnership, Role.SWV_COORDINATOR)
    contact = make_member(silent, Role.SCHOOL_CONTACT)
    assert count_of(coordinator, "Scholen zonder opgegeven aantal") == 1
    assert count_of(contact, "Scholen zonder opgegeven aantal") == 1
    reader = make_member(silent, Role.READER)
    assert count_of(reader, "Scholen zonder opgegeven aantal") is None


# ------------------------------------------------------------------ the tasks of the journeys


def test_a_partner_is_offered_to_deliver_a_figure_and_add_an_entry(
    client, municipality_organisation, make_member, indicator
):
    Provider.objects.create(organisation=municipality_organisation, name="CJG")
    partner = make_member(municipality_organisation, Role.PARTNER)
    reader = make_member(municipality_organisation, Role.READER)

    tasks = tasks_of(partner)
    assert tasks["Een cijfer aanleveren"] == (None, "/monitor/?aanleveren=1")
    assert tasks["Nieuw aanbod toevoegen"] == (None, reverse("socialmap:create"))
    assert "Een cijfer aanleveren" not in tasks_of(reader)
    assert "Nieuw aanbod toevoegen" not in tasks_of(reader)

    # The page lists what the partner can deliver, each with its own link.
    client.force_login(partner)
    html = client.get("/monitor/?aanleveren=1").content.decode()
    assert "Cijfers aanleveren" in html
    assert reverse("indicators:submit", args=[indicator.code]) in html


def test_delivering_leaves_out_computed_figures_and_is_the_monitor_for_a_reader(
    client, municipality_organisation, make_member, indicator
):
    computed = Indicator.objects.create(
        code="berekend",
        name="Berekend cijfer",
        unit="number",
        period_type="calendar_year",
        owner=municipality_organisation,
        is_public=True,
        source_kind="computed",
    )
    client.force_login(make_member(municipality_organisation, Role.PARTNER))
    html = client.get("/monitor/?aanleveren=1").content.decode()
    assert reverse("indicators:submit", args=[indicator.code]) in html
    assert computed.name not in html

    client.force_login(make_member(municipality_organisation, Role.READER))
    html = client.get("/monitor/?aanleveren=1").content.decode()
    assert "Cijfers aanleveren" not in html
    assert reverse("indicators:submit", args=[indicator.code]) not in html


def test_the_council_report_of_the_agendas_the_users_organisation_owns(
    municipality_organisation, make_member
):
    from kansrijk.agenda.models import Agenda

    owned = Agenda.objects.create(
        slug="eigen-agenda",
        title="Eigen agenda",
        kind="execution_agenda",
        period_start=datetime.date(2024, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        status="adopted",
        is_public=True,
    )
    owned.owners.add(municipality_organisation)
    reader = make_member(municipality_organisation, Role.READER)
    outsider = make_member(factories.MunicipalityOrganisationFactory(), Role.POLICY_OFFICER)

    label = "Voortgangsrapportage voor de raad: Eigen agenda"
    assert tasks_of(reader)[label] == (None, reverse("indicators:agenda", args=[owned.slug]))
    assert label not in tasks_of(outsider)  # public, but not theirs to bring to the council
