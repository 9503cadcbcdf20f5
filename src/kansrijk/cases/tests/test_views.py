"""The register's pages: who may open and change what (the user trio of every role, 404
for what is not visible, 403 for a missing permission, the login page for anonymous
visitors), what each level sees, the actions through the services, the audit of every
read, no BSN where it does not belong, and list pages with a constant number of queries.

The network is the one of ``conftest``: Beverwijk with its leerplicht office Het Leerplein,
the SWV Passend Onderwijs IJmond and De Vuurtoren; Maassluis with Leerrecht and De
Tweemaster. Noor Jansen lives in Beverwijk, goes to De Vuurtoren and is home since 8
January 2024 (relatief verzuim, dossier TZ-TEST-1)."""

from __future__ import annotations

import datetime
import html
import json
import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kansrijk.audit.models import AuditEvent
from kansrijk.cases import services
from kansrijk.cases.models import (
    AbsenceReport,
    Agreement,
    AgreementStatus,
    Case,
    CaseEvent,
    Contact,
    Enrolment,
    Exemption,
    ReportStatus,
    YoungPerson,
)
from kansrijk.organisations.models import OrganisationKind, Role
from kansrijk.testing import factories
from kansrijk.testing.documents import fetch_document

from .conftest import BSN, OTHER_BSN

pytestmark = pytest.mark.django_db

D = datetime.date
NEW_BSN = "123456708"  # passes the elfproef, not in the register


def url(name, *args):
    return reverse(f"cases:{name}", args=args)


def without_token(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def main_text(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def trios(network, people, make_member):
    """The user trio for each role of the register: a member with the role, a member of
    the same organisation in another role, a member of another organisation in the
    same role."""
    other_swv = factories.PartnershipFactory(code="PO2801", name="Passend Onderwijs Waterweg")
    return {
        "leerplicht": {
            "member": people["leerplicht"],
            "other_role": people["office_reader"],
            "other_organisation": people["leerplicht_elders"],
        },
        "swv": {
            "member": people["swv"],
            "other_role": make_member(network.swv, Role.READER),
            "other_organisation": make_member(other_swv, Role.SWV_COORDINATOR),
        },
        "school": {
            "member": people["school"],
            "other_role": make_member(network.school, Role.READER),
            "other_organisation": people["school_elders"],
        },
        "beleid": {
            "member": people["beleid"],
            "other_role": people["lezer"],
            "other_organisation": make_member(
                factories.MunicipalityOrganisationFactory(), Role.POLICY_OFFICER
            ),
        },
    }


@pytest.fixture
def report(network, case):
    return services.report_absence(
        actor=None,
        young_person=case.young_person,
        school=network.school,
        kind="16_uur",
        start_date=D(2024, 1, 2),
        reported_on=D(2024, 1, 5),
    )


@pytest.fixture
def agreement(network, case):
    return services.add_agreement(
        case,
        actor=None,
        description="De school maakt een plan voor een rustige terugkeer",
        deadline=D(2024, 2, 1),
        responsible_organisation=network.school,
    )


def reads_of(case, route):
    return AuditEvent.objects.filter(
        action="cases.case.read", target_id=str(case.pk), reason=route
    ).count()


# ------------------------------------------------------------------ anonymous visitors

ANONYMOUS_PAGES = [
    ("worklist", ()),
    ("list", ()),
    ("new", ()),
    ("detail", (1,)),
    ("event", (1,)),
    ("agreement", (1,)),
    ("resolve_agreement", (1, 1)),
    ("offer", (1,)),
    ("close", (1,)),
    ("assign", (1,)),
    ("edit", (1,)),
    ("young_person", (1,)),
    ("move", (1,)),
    ("contact_add", (1,)),
    ("contact_edit", (1, 1)),
    ("enrol", (1,)),
    ("end_enrolment", (1, 1)),
    ("exemption_add", (1,)),
    ("absence_list", ()),
    ("absence_new", ()),
    ("absence_detail", (1,)),
    ("escalation", ()),
    ("report", ()),
    ("report_download", ("csv",)),
]
ANONYMOUS_POSTS = [
    ("reveal_identifier", (1,)),
    ("reopen", (1,)),
    ("young_person_reveal", (1,)),
    ("contact_remove", (1, 1)),
    ("absence_status", (1,)),
]


@pytest.mark.parametrize(("name", "args"), ANONYMOUS_PAGES + ANONYMOUS_POSTS)
def test_anonymous_visitors_are_sent_to_the_login(client, case, name, args):
    method = client.post if (name, args) in ANONYMOUS_POSTS else client.get
    response = method(url(name, *args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# ------------------------------------------------------------------ the trio, page by page


def test_the_case_page_per_role(login, trios, case):
    expected = {
        ("leerplicht", "member"): 200,
        ("swv", "member"): 200,
        ("school", "member"): 200,
    }
    for role, trio in trios.items():
        for position, user in trio.items():
            response = login(user).get(case.get_absolute_url())
            assert response.status_code == expected.get((role, position), 404), (role, position)


def test_what_does_not_exist_answers_like_what_is_not_yours(login, people):
    assert login(people["leerplicht"]).get(url("detail", 999)).status_code == 404


@pytest.mark.parametrize(
    "name", ["event", "agreement", "offer", "close", "assign", "edit", "resolve_agreement"]
)
def test_the_actions_on_a_case_per_role(login, trios, case, agreement, name):
    args = (case.pk, agreement.pk) if name == "resolve_agreement" else (case.pk,)
    expected = {
        ("leerplicht", "member"): 200,
        # The SWV and the school see the case but do not keep it.
        ("swv", "member"): 403,
        ("school", "member"): 403,
    }
    for role, trio in trios.items():
        for position, user in trio.items():
            status = login(user).get(url(name, *args)).status_code
            assert status == expected.get((role, position), 404), (role, position)


def test_the_regievoerder_keeps_the_case(login, network, case, make_member):
    partner = factories.OrganisationFactory(kind=OrganisationKind.YOUTH_TEAM, name="CJG Beverwijk")
    regievoerder = make_member(partner, Role.PARTNER)
    client = login(regievoerder)
    assert client.get(case.get_absolute_url()).status_code == 404
    services.assign_case_manager(case, actor=None, case_manager=regievoerder)
    # Now they see a child's episode: first the second factor, whatever their role.
    assert client.get(case.get_absolute_url())["Location"].startswith("/account/tweestaps/")
    client = login(regievoerder)
    assert client.get(case.get_absolute_url()).status_code == 200
    assert client.get(url("event", case.pk)).status_code == 200
    # A regievoerder sees the episode, not the number.
    assert client.post(url("reveal_identifier", case.pk)).status_code == 403
    assert "Werkvoorraad" in main_text(client.get(url("worklist")))


def test_the_reveal_of_the_number_per_role(login, trios, case):
    expected = {("leerplicht", "member"): 200, ("swv", "member"): 403, ("school", "member"): 403}
    for role, trio in trios.items():
        for position, user in trio.items():
            status = login(user).post(url("reveal_identifier", case.pk)).status_code
            assert status == expected.get((role, position), 404), (role, position)


def test_the_young_person_page_per_role(login, trios, case):
    person = case.young_person
    expected = {
        ("leerplicht", "member"): 200,
        ("swv", "member"): 200,
        ("school", "member"): 200,
    }
    for role, trio in trios.items():
        for position, user in trio.items():
            status = login(user).get(url("young_person", person.pk)).status_code
            assert status == expected.get((role, position), 404), (role, position)


@pytest.mark.parametrize("name", ["move", "contact_add", "enrol", "exemption_add"])
def test_changing_a_young_person_is_for_leerplicht(login, trios, case, name):
    person = case.young_person
    expected = {("leerplicht", "member"): 200, ("swv", "member"): 403, ("school", "member"): 403}
    for role, trio in trios.items():
        for position, user in trio.items():
            status = login(user).get(url(name, person.pk)).status_code
            assert status == expected.get((role, position), 404), (role, position)


def test_the_remaining_pages_of_a_young_person_per_role(login, trios, case, network):
    person = case.young_person
    contact = Contact.objects.create(young_person=person, relation="ouder", name="Mirjam Jansen")
    enrolment = services.enrol(person, actor=None, school=network.school, start_date=D(2023, 8, 21))
    expected = {("leerplicht", "member"): 200, ("swv", "member"): 403, ("school", "member"): 403}
    for name, args in [
        ("contact_edit", (person.pk, contact.pk)),
        ("end_enrolment", (person.pk, enrolment.pk)),
    ]:
        for role, trio in trios.items():
            for position, user in trio.items():
                status = login(user).get(url(name, *args)).status_code
                assert status == expected.get((role, position), 404), (name, role, position)


def test_the_buttons_per_role(login, trios, case, report):
    """The POST-only endpoints: reopen, remove a contact, show the number on the young
    person's page, change the status of a verzuimmelding."""
    person = case.young_person
    contact = Contact.objects.create(young_person=person, relation="ouder", name="Mirjam Jansen")
    cases = [
        ("reopen", (case.pk,), {}, {("leerplicht", "member"): 302}),
        ("young_person_reveal", (person.pk,), {}, {("leerplicht", "member"): 200}),
        ("contact_remove", (person.pk, contact.pk), {}, {("leerplicht", "member"): 302}),
        # The school may only withdraw: asking for "in behandeling" is refused (400).
        (
            "absence_status",
            (report.pk,),
            {"status": "in_behandeling"},
            {("leerplicht", "member"): 302, ("school", "member"): 400},
        ),
    ]
    for name, args, data, allowed in cases:
        for role, trio in trios.items():
            for position, user in trio.items():
                default = 403 if position == "member" and role in ("swv", "school") else 404
                status = login(user).post(url(name, *args), data).status_code
                assert status == allowed.get((role, position), default), (name, role, position)
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS
    assert not Contact.objects.exists()


def test_the_downloads_per_role(login, trios, case):
    for role, trio in trios.items():
        for position, user in trio.items():
            response = fetch_document(login(user), url("report_download", "csv"))
            assert response.status_code == 200, (role, position)


def test_opening_a_case_is_for_leerplicht(login, trios):
    expected = {("leerplicht", "member"): 200, ("leerplicht", "other_organisation"): 200}
    for role, trio in trios.items():
        for position, user in trio.items():
            status = login(user).get(url("new")).status_code
            assert status == expected.get((role, position), 403), (role, position)


@pytest.mark.parametrize("name", ["worklist", "list", "escalation", "absence_list"])
def test_the_dossier_lists_per_role(login, trios, case, report, name):
    """The three dossier roles see TZ-TEST-1 (or its report) when it is theirs; roles that
    only see aggregates get a short page that points to the quarterly report."""
    marker = "Noor Jansen"
    for role, trio in trios.items():
        for position, user in trio.items():
            response = login(user).get(url(name))
            assert response.status_code == 200, (role, position)
            text = main_text(response)
            sees_it = position == "member" and role in ("leerplicht", "swv", "school")
            if name == "escalation" and role == "school":
                sees_it = False  # the actietafel lists only whole episodes
            assert (marker in text) == sees_it, (name, role, position)
            dossier_role = role in ("leerplicht", "swv", "school") and position != "other_role"
            assert ("Naar de kwartaalrapportage" in text) == (not dossier_role), (role, position)


def test_without_any_role_the_register_is_closed(login, case):
    nobody = factories.UserFactory()
    client = login(nobody)
    for name in ("worklist", "list", "escalation", "absence_list", "report"):
        assert client.get(url(name)).status_code == 403, name
    assert fetch_document(client, url("report_download", "csv")).status_code == 403


def test_the_absence_report_page_per_role(login, trios, report):
    expected = {
        ("leerplicht", "member"): 200,
        ("swv", "member"): 200,
        ("school", "member"): 200,
    }
    for role, trio in trios.items():
        for position, user in trio.items():
            status = login(user).get(url("absence_detail", report.pk)).status_code
            assert status == expected.get((role, position), 404), (role, position)


def test_reporting_verzuim_is_for_those_with_schools(login, trios):
    expected = {
        ("leerplicht", "member"): 200,
        ("leerplicht", "other_organisation"): 200,
        ("swv", "member"): 200,
        ("school", "member"): 200,
        ("school", "other_organisation"): 200,
    }
    for role, trio in trios.items():
        for position, user in trio.items():
            status = login(user).get(url("absence_new")).status_code
            assert status == expected.get((role, position), 403), (role, position)


def test_the_quarterly_report_is_open_to_every_role(login, trios, case):
    for role, trio in trios.items():
        for position, user in trio.items():
            assert login(user).get(url("report")).status_code == 200, (role, position)


# ------------------------------------------------------------------ the work list


def test_the_work_list_counts_the_signals_and_lists_the_cases(login, people, case):
    response = login(people["leerplicht"]).get(url("worklist"))
    tiles = {tile["key"]: tile["count"] for tile in response.context["signal_tiles"]}
    # Home since January 2024, relatief, no offer, nothing recorded, no regievoerder: every
    # thuiszitter signal but the agreement, none of a vrijstelling.
    assert tiles == {
        "pact": 1,
        "agreement": 0,
        "thuiszitter": 1,
        "renewal": 0,
        "statement": 0,
        "stagnant": 1,
        "case_manager": 1,
    }
    text = main_text(response)
    assert "TZ-TEST-1" in text and "Langer dan 3 maanden zonder passend aanbod" in text
    assert reads_of(case, "werkvoorraad") == 1


def test_the_school_sees_only_the_signals_of_what_it_sees(login, people, case, agreement):
    """No movement on the timeline, an overdue agreement (perhaps another party's) and
    the regievoerder follow from what a school may not see."""
    client = login(people["school"])
    response = client.get(url("worklist"))
    assert {tile["key"] for tile in response.context["signal_tiles"]} == {"thuiszitter", "pact"}
    text = main_text(response)
    assert "TZ-TEST-1" in text and "Afspraak over de deadline" not in text
    assert "Thuiszitter zonder regievoerder" not in text
    page_text = main_text(client.get(case.get_absolute_url()))
    assert "Langer dan 3 maanden zonder passend aanbod" in page_text
    assert "Afspraak over de deadline" not in page_text
    escalation = main_text(client.get(url("escalation")))
    assert "TZ-TEST-1" not in escalation and "schuift de school aan" in escalation
    leerplicht_page = main_text(login(people["leerplicht"]).get(case.get_absolute_url()))
    assert "Afspraak over de deadline" in leerplicht_page


def test_the_work_list_filters_by_signal_and_by_whose_cases(login, people, case, network):
    client = login(people["leerplicht"])
    assert "TZ-TEST-1" not in main_text(client.get(url("worklist"), {"signaal": "agreement"}))
    assert "TZ-TEST-1" in main_text(client.get(url("worklist"), {"signaal": "pact"}))
    assert "TZ-TEST-1" not in main_text(client.get(url("worklist"), {"wie": "mijn"}))
    services.assign_case_manager(case, actor=None, case_manager=people["leerplicht"])
    assert "TZ-TEST-1" in main_text(client.get(url("worklist"), {"wie": "mijn"}))
    assert "TZ-TEST-1" in main_text(client.get(url("worklist"), {"wie": "swv:PO2711"}))
    assert "TZ-TEST-1" in main_text(client.get(url("worklist"), {"wie": "gemeente:GM0375"}))
    # Only the SWVs and gemeenten of the user's own work are choices.
    response = client.get(url("worklist"), {"wie": "gemeente:GM0556"})
    assert response.context["form"].errors


def test_the_work_list_shows_exemptions_due_for_renewal(login, people, young_person):
    """A request for 5 onder a, not yet decided, with a statement of more than three
    months ago: the statement must be renewed."""
    today = timezone.localdate()
    services.grant_exemption(
        actor=None,
        young_person=young_person,
        ground="5_onder_a",
        requested_on=today - datetime.timedelta(days=20),
        valid_from=today - datetime.timedelta(days=10),
        statement_on=today - datetime.timedelta(days=100),
    )
    response = login(people["leerplicht"]).get(url("worklist"))
    assert response.context["exemption_total"] == 1
    assert "Vrijstelling 5 onder a: verklaring ouder dan 3 maanden" in main_text(response)
    # The SWV does not keep exemptions: no section.
    assert not login(people["swv"]).get(url("worklist")).context["shows_exemptions"]


SPRING_2024 = D(2024, 3, 1)


def many_cases(network, count, start=SPRING_2024):
    for _number in range(count):
        factories.CaseFactory(
            young_person=factories.YoungPersonFactory(residence=network.beverwijk),
            school=network.school,
            municipality=network.beverwijk,
            start_date=start,
            pact_deadline=start,
        )


@pytest.mark.parametrize("name", ["worklist", "list", "escalation", "absence_list"])
def test_the_lists_keep_their_number_of_queries(
    login, people, network, case, report, name, django_assert_max_num_queries
):
    client = login(people["leerplicht"])
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url(name)).status_code == 200
    many_cases(network, 12)
    for item in Case.objects.exclude(pk=case.pk):
        services.assign_case_manager(item, actor=None, case_manager=people["swv"])
        services.report_absence(
            actor=None,
            young_person=item.young_person,
            school=network.school,
            kind="lrv",
            start_date=D(2024, 3, 1),
        )
    with django_assert_max_num_queries(len(baseline)):
        response = client.get(url(name))
    assert main_text(response).count("De Vuurtoren") >= 13 or name != "list"


@pytest.mark.parametrize("name", ["list", "absence_list"])
def test_the_growing_lists_page_by_keyset_over_ties(
    login, people, network, case, name, monkeypatch
):
    """The case list and the meldingen page by keyset (decision 0044): twelve cases on one
    start date and twelve meldingen on one day, five a page, walked forward with the
    filters kept and back again, skip and repeat nothing."""
    monkeypatch.setattr("kansrijk.cases.views.PER_PAGE", 5)
    many_cases(network, 12)
    for item in Case.objects.all():
        services.report_absence(
            actor=None,
            young_person=item.young_person,
            school=network.school,
            kind="lrv",
            start_date=D(2024, 3, 1),
        )
    client = login(people["leerplicht"])
    model = Case if name == "list" else AbsenceReport
    expected = list(model.objects.values_list("pk", flat=True))  # newest first, then by id
    filters = {"regievoerder": ""} if name == "list" else {"status": ""}

    pages, address = [], url(name) + "?" + "&".join(f"{k}={v}" for k, v in filters.items())
    while True:
        response = client.get(address)
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([item.pk for item in page])
        if not page.has_next:
            break
        following = re.search(r'href="([^"]*)"[^>]*>Volgende pagina', response.content.decode())
        address = url(name) + html.unescape(following.group(1))
        assert all(f"{k}=" in address for k in filters)
    assert [pk for page in pages for pk in page] == expected and len(pages) == 3

    back = re.search(r'href="([^"]*)"[^>]*>Vorige pagina', response.content.decode())
    response = client.get(url(name) + html.unescape(back.group(1)))
    assert [item.pk for item in response.context["page"]] == pages[1]
    # A link from before keyset paging still opens a page, a broken one the first.
    assert client.get(url(name), {"pagina": "2"}).context["page"].object_list[0].pk == expected[5]
    response = client.get(url(name), {"positie": "kapot"})
    assert [item.pk for item in response.context["page"]] == pages[0]


# ------------------------------------------------------------------ the case list


def test_the_case_list_writes_one_read_per_case_shown(login, people, case):
    response = login(people["leerplicht"]).get(url("list"))
    assert "TZ-TEST-1" in main_text(response)
    assert reads_of(case, "lijst") == 1


def test_the_case_list_filters(login, people, case, network):
    client = login(people["leerplicht"])
    assert "TZ-TEST-1" in main_text(client.get(url("list"), {"q": "test-1"}))
    assert "TZ-TEST-1" not in main_text(client.get(url("list"), {"q": "TZ-ANDERS"}))
    assert "TZ-TEST-1" not in main_text(client.get(url("list"), {"status": "gesloten"}))
    assert "TZ-TEST-1" in main_text(client.get(url("list"), {"categorie": "relatief"}))
    assert "TZ-TEST-1" not in main_text(client.get(url("list"), {"categorie": "absoluut"}))
    assert "TZ-TEST-1" in main_text(client.get(url("list"), {"school": network.school.code}))
    assert "TZ-TEST-1" in main_text(client.get(url("list"), {"regievoerder": "geen"}))
    assert "TZ-TEST-1" not in main_text(client.get(url("list"), {"regievoerder": "mij"}))
    response = client.get(url("list"), {"school": "X"})
    assert "BRIN" in main_text(response) or response.context["filter_form"].errors


def test_the_school_sees_its_pupils_names_but_no_number_or_birth_date(login, people, case):
    response = login(people["school"]).get(url("list"))
    text = main_text(response)
    assert "Noor Jansen" in text and "deels (school)" in text
    assert BSN not in text and "2011" not in text


def test_search_by_number_is_a_post_and_never_prints_the_number(login, people, case):
    client = login(people["leerplicht"])
    response = client.post(url("list"), {"nummer": "111 222 333"})
    assert response.status_code == 200
    text = main_text(response)
    assert "TZ-TEST-1" in text and "Naar de pagina van Noor Jansen" in text
    assert BSN not in response.content.decode() and "111 222 333" not in text
    assert reads_of(case, "lijst") == 1


def test_search_by_number_tells_nothing_about_people_you_may_not_see(login, people, case):
    client = login(people["leerplicht_elders"])
    text_unknown = without_token(main_text(client.post(url("list"), {"nummer": NEW_BSN})))
    text_known = without_token(main_text(client.post(url("list"), {"nummer": BSN})))
    assert "Bij dit nummer is geen casus gevonden die jij mag inzien." in text_known
    assert text_known == text_unknown
    assert "TZ-TEST-1" not in text_known


def test_search_by_number_checks_the_elfproef_without_repeating_it(login, people):
    response = login(people["leerplicht"]).post(url("list"), {"nummer": "111222334"})
    assert response.status_code == 400
    text = main_text(response)
    assert "elfproef" in text and "111222334" not in text


# ------------------------------------------------------------------ opening a case


def new_case_data(network, **changes):
    data = {
        "identifier_kind": "bsn",
        "identifier": NEW_BSN,
        "birth_date": "2012-03-14",
        "given_name": "Daan",
        "family_name": "de Boer",
        "municipality": network.beverwijk.pk,
        "category": "relatief",
        "start_date": "2024-02-05",
        "school": network.school.code,
        "school_code": "",
        "case_manager": "",
    }
    data.update(changes)
    return data


def test_leerplicht_opens_a_case_for_a_new_young_person(login, people, network):
    client = login(people["leerplicht"])
    response = client.post(
        url("new"), new_case_data(network, case_manager=people["swv"].pk), follow=False
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == case.get_absolute_url()
    assert case.young_person.full_name == "Daan de Boer"
    assert case.municipality == network.beverwijk and case.school == network.school
    assert case.case_manager == people["swv"]
    assert services.find_young_person(NEW_BSN) == case.young_person
    assert NEW_BSN not in response["Location"]
    assert AuditEvent.objects.filter(action="cases.case.create").count() == 1


def test_a_known_number_leads_to_the_existing_young_person(login, people, network, young_person):
    client = login(people["leerplicht"])
    data = new_case_data(network, identifier=BSN, birth_date="2011-05-04", given_name="Anders")
    response = client.post(url("new"), data, follow=True)
    assert YoungPerson.objects.count() == 1
    case = Case.objects.get()
    assert case.young_person == young_person
    young_person.refresh_from_db()
    assert young_person.given_name == "Noor"
    assert "stond al in het register" in main_text(response)


def test_a_known_number_with_another_birth_date_is_refused(login, people, network, young_person):
    data = new_case_data(network, identifier=BSN, birth_date="2011-05-05")
    response = login(people["leerplicht"]).post(url("new"), data)
    assert response.status_code == 400
    assert "Geboortedatum: Deze geboortedatum hoort volgens het register niet bij dit nummer" in (
        main_text(response)
    )
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"identifier": "111222334"}, "identifier", "elfproef"),
        ({"identifier_kind": "onderwijsnummer"}, "identifier", "onderwijsnummer"),
        ({"school": ""}, "school", "alleen absoluut verzuim kan zonder school"),
        ({"start_date": "2099-01-01"}, "start_date", "De startdatum ligt in de toekomst."),
        ({"start_date": "2010-01-01"}, None, "De startdatum ligt voor de geboortedatum."),
        ({"school": "", "school_code": "99XX00"}, "school_code", "Er is geen school"),
        ({"birth_date": "2099-01-01"}, "birth_date", "De geboortedatum ligt in de toekomst."),
    ],
)
def test_a_wrong_new_case_says_why_and_saves_nothing(
    login, people, network, changes, field, message
):
    response = login(people["leerplicht"]).post(url("new"), new_case_data(network, **changes))
    assert response.status_code == 400
    form = response.context["form"]
    errors = " ".join(str(e) for e in (form.errors.get(field) if field else form.errors.values()))
    assert message in errors or message in main_text(response), form.errors
    content = response.content.decode()
    assert "111222334" not in content and NEW_BSN not in content  # never printed back
    assert not YoungPerson.objects.exists() and not Case.objects.exists()


def test_leerplicht_opens_cases_only_for_its_own_gemeenten(login, people, network):
    data = new_case_data(network, municipality=network.maassluis.pk)
    response = login(people["leerplicht"]).post(url("new"), data)
    assert response.status_code == 400 and "municipality" in response.context["form"].errors
    assert not YoungPerson.objects.exists()


def test_a_case_from_the_young_person_page_asks_only_the_episode(
    login, people, young_person, network
):
    client = login(people["leerplicht"])
    page = client.get(url("new"), {"jongere": young_person.pk})
    assert "identifier" not in page.context["form"].fields
    response = client.post(
        f"{url('new')}?jongere={young_person.pk}",
        {
            "municipality": network.beverwijk.pk,
            "category": "absoluut",
            "start_date": "2024-03-01",
            "school": "",
            "school_code": "",
        },
    )
    assert response.status_code == 302
    assert Case.objects.get().young_person == young_person
    assert (
        login(people["leerplicht_elders"]).get(url("new"), {"jongere": young_person.pk}).status_code
        == 404
    )


def test_a_case_opened_from_a_report_takes_it_in_behandeling(login, people, network, young_person):
    report = services.report_absence(
        actor=None,
        young_person=young_person,
        school=network.school,
        kind="lrv",
        start_date=D(2024, 2, 1),
    )
    client = login(people["leerplicht"])
    form = client.get(url("new"), {"melding": report.pk}).context["form"]
    assert form.initial["category"] == "relatief" and form.initial["start_date"] == D(2024, 2, 1)
    response = client.post(
        f"{url('new')}?melding={report.pk}",
        {
            "municipality": network.beverwijk.pk,
            "category": "relatief",
            "start_date": "2024-02-01",
            "school": network.school.code,
            "school_code": "",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.IN_PROGRESS and report.case == Case.objects.get()
    # The school cannot open a case, not even from its own report.
    assert login(people["school"]).get(url("new"), {"melding": report.pk}).status_code == 403


# ------------------------------------------------------------------ the case page by level


@pytest.fixture
def full_case(case, network, agreement):
    services.record_event(
        case,
        actor=None,
        kind="mas_route",
        date=D(2024, 1, 20),
        mas_route=2,
        description="Gekozen voor Halt na het gesprek met de ouders",
    )
    services.record_event(
        case,
        actor=None,
        kind="proces_verbaal",
        date=D(2024, 3, 1),
        report_number="PV-2024-017",
        offence_article="art_2",
    )
    services.add_agreement(
        case,
        actor=None,
        description="Het CJG zoekt een passende dagbesteding",
        deadline=D(2030, 1, 1),
        responsible_person="Yusuf (CJG)",
    )
    Contact.objects.create(
        young_person=case.young_person, relation="ouder", name="Mirjam Jansen", phone="0612345678"
    )
    services.enrol(case.young_person, actor=None, school=network.school, start_date=D(2023, 8, 21))
    return case


def test_leerplicht_sees_the_whole_dossier_but_the_number_only_on_request(login, people, full_case):
    response = login(people["leerplicht"]).get(full_case.get_absolute_url())
    text = main_text(response)
    assert response.context["level"] == "full"
    assert "4 mei 2011" in text and "Mirjam Jansen" in text  # birth date and the parents
    assert "PV-2024-017" in text and "Route 2: Halt" in text and "Gekozen voor Halt" in text
    assert "Toon BSN" in text and BSN not in response.content.decode()
    assert "over de deadline" in text  # the school's agreement of 1 February 2024
    assert "3 maanden (Thuiszitterspact)" in text  # the picture
    assert response["Cache-Control"].count("no-store") == 1
    assert reads_of(full_case, "casuspagina") == 1


def test_toon_bsn_shows_the_number_once_and_audits_it(login, people, full_case):
    client = login(people["leerplicht"])
    assert client.get(url("reveal_identifier", full_case.pk)).status_code == 405
    response = client.post(url("reveal_identifier", full_case.pk))
    assert BSN in main_text(response)
    assert "no-store" in response["Cache-Control"]
    reveal = AuditEvent.objects.get(action="cases.young_person.reveal_identifier")
    assert reveal.actor == people["leerplicht"] and reveal.reason == "casus TZ-TEST-1"
    assert reveal.organisation is not None
    assert BSN not in json.dumps(
        list(AuditEvent.objects.values("target_display", "reason", "before", "after")),
        default=str,
    )


def test_the_swv_sees_the_episode_without_number_or_parents(login, people, full_case):
    text = main_text(login(people["swv"]).get(full_case.get_absolute_url()))
    assert "PV-2024-017" in text and "Het CJG zoekt" in text and "4 mei 2011" in text
    assert "Toon BSN" not in text and "Mirjam Jansen" not in text
    assert "Bijhouden" not in text  # no actions


def test_the_school_sees_part_of_the_episode(login, people, full_case):
    response = login(people["school"]).get(full_case.get_absolute_url())
    text = main_text(response)
    assert response.context["level"] == "partial"
    assert "Noor Jansen" in text and "relatief verzuim" in text.lower()
    assert "De school maakt een plan" in text  # the school's own agreement
    assert "Het CJG zoekt" not in text  # someone else's agreement
    for hidden in ("PV-2024-017", "Tijdlijn", "4 mei 2011", "Mirjam Jansen", "Toon BSN"):
        assert hidden not in text, hidden


# ------------------------------------------------------------------ actions on a case


def test_recording_an_event_with_its_own_fields(login, people, case, network):
    client = login(people["leerplicht"])
    response = client.post(url("event", case.pk), {"kind": "mas_route", "date": "2024-02-01"})
    assert response.status_code == 400
    assert "Kies MAS-route 1, 2, 3 of 4." in main_text(response)
    assert not CaseEvent.objects.exists()
    response = client.post(
        url("event", case.pk),
        {
            "kind": "doorbraakberaad",
            "date": "2024-04-10",
            "decision": "Het SWV regelt binnen twee weken een plek op De Brug",
            "mandated_organisation": network.swv.pk,
            "report_number": "wordt niet bewaard",
            "mas_route": "3",
        },
    )
    assert response.status_code == 302
    event = CaseEvent.objects.get()
    assert event.mandated_organisation == network.swv and event.decision.startswith("Het SWV")
    assert event.report_number == "" and event.mas_route is None  # fields of another kind
    case.refresh_from_db()
    assert case.last_event_on == D(2024, 4, 10)


def test_the_doorbraakberaad_names_a_party_around_the_table(login, people, case):
    stranger = factories.OrganisationFactory(kind=OrganisationKind.CARE_PROVIDER, name="Elders")
    response = login(people["leerplicht"]).post(
        url("event", case.pk),
        {
            "kind": "doorbraakberaad",
            "date": "2024-04-10",
            "decision": "Besluit",
            "mandated_organisation": stranger.pk,
        },
    )
    assert (
        response.status_code == 400 and "mandated_organisation" in response.context["form"].errors
    )


def test_a_halt_referral_needs_a_twelve_year_old(login, people, case):
    response = login(people["leerplicht"]).post(
        url("event", case.pk), {"kind": "halt", "date": "2022-01-10"}
    )
    assert response.status_code == 400
    assert "Een Halt-verwijzing kan vanaf 12 jaar" in main_text(response)


def test_agreements_are_added_and_resolved(login, people, case, network):
    client = login(people["leerplicht"])
    response = client.post(
        url("agreement", case.pk), {"description": "Plan", "deadline": "2024-03-01"}
    )
    assert response.status_code == 400
    assert "Vul in welke organisatie of persoon de afspraak nakomt." in main_text(response)
    response = client.post(
        url("agreement", case.pk),
        {
            "description": "Plan",
            "deadline": "2024-03-01",
            "responsible_organisation": network.school.pk,
        },
    )
    assert response.status_code == 302
    agreement = Agreement.objects.get()
    case.refresh_from_db()
    assert case.next_deadline == D(2024, 3, 1)
    response = client.post(
        url("resolve_agreement", case.pk, agreement.pk),
        {"outcome": "niet_nagekomen", "on": "2024-03-04", "note": "Geen plan gekomen"},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.NOT_KEPT
    # Resolving it twice is not possible.
    response = client.get(url("resolve_agreement", case.pk, agreement.pk))
    assert response.status_code == 302
    assert "Afspraak niet nagekomen" in main_text(client.get(url("escalation")))


def test_the_agreement_form_names_a_school_once(login, people, case, network):
    """De Zeearend was offered twice, as its institution (02EH) and as its location
    (02EH00): the school is one party, its board another."""
    board = factories.OrganisationFactory(kind=OrganisationKind.SCHOOL_BOARD, name="Bestuur")
    institution = network.school.parent
    institution.name = network.school.name
    institution.parent = board
    institution.save()
    case.participants.add(institution)  # also when someone added the institution by hand
    response = login(people["leerplicht"]).get(url("agreement", case.pk))
    offered = list(response.context["form"].fields["responsible_organisation"].queryset)
    assert network.school in offered and board in offered and institution not in offered
    assert [str(o) for o in offered].count(str(network.school)) == 1
    assert len(offered) == len(set(offered))


def test_offer_close_and_reopen(login, people, case):
    client = login(people["leerplicht"])
    response = client.post(url("offer", case.pk), {"offer_date": "2023-12-01"})
    assert response.status_code == 400
    assert "Het aanbod start voor het begin van de casus." in main_text(response)
    assert client.post(url("offer", case.pk), {"offer_date": "2024-03-18"}).status_code == 302
    case.refresh_from_db()
    assert case.offer_date == D(2024, 3, 18)
    assert client.post(url("close", case.pk), {"end_date": "2024-04-01"}).status_code == 400
    response = client.post(
        url("close", case.pk), {"end_date": "2024-04-01", "outcome": "terug_naar_school"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.end_date == D(2024, 4, 1)
    assert client.get(url("reopen", case.pk)).status_code == 405
    assert client.post(url("reopen", case.pk)).status_code == 302
    case.refresh_from_db()
    assert case.end_date is None and case.outcome == ""


def test_assigning_and_editing(login, people, case, network):
    client = login(people["leerplicht"])
    form = client.get(url("assign", case.pk)).context["form"]
    candidates = set(form.fields["case_manager"].queryset)
    assert people["leerplicht"] in candidates and people["swv"] in candidates
    assert people["beleid"] not in candidates
    assert (
        client.post(url("assign", case.pk), {"case_manager": people["swv"].pk}).status_code == 302
    )
    case.refresh_from_db()
    assert case.case_manager == people["swv"]
    youth_team = factories.OrganisationFactory(
        kind=OrganisationKind.YOUTH_TEAM, name="CJG Beverwijk", municipality=network.beverwijk
    )
    response = client.post(
        url("edit", case.pk),
        {
            "category": "absoluut",
            "start_date": "2024-01-08",
            "school": "",
            "school_code": "",
            "municipality": network.beverwijk.pk,
            "sector": "",
            "participants": [youth_team.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    case.refresh_from_db()
    assert case.category == "absoluut" and case.school is None
    assert list(case.participants.all()) == [youth_team]


# ------------------------------------------------------------------ the young person


def test_the_young_person_page_by_level(login, people, full_case):
    person = full_case.young_person
    full = main_text(login(people["leerplicht"]).get(url("young_person", person.pk)))
    assert "Mirjam Jansen" in full and "Toon BSN" in full and "Verhuizing vastleggen" in full
    episode = main_text(login(people["swv"]).get(url("young_person", person.pk)))
    assert "4 mei 2011" in episode and "Beverwijk" in episode
    assert "Mirjam Jansen" not in episode and "Toon BSN" not in episode
    partial = main_text(login(people["school"]).get(url("young_person", person.pk)))
    assert "Noor Jansen" in partial and "De Vuurtoren" in partial
    for hidden in ("4 mei 2011", "Mirjam Jansen", "Woongemeenten", "Vrijstellingen"):
        assert hidden not in partial, hidden
    assert reads_of(full_case, "jongerenpagina") == 3


def test_the_number_on_the_young_person_page(login, people, young_person):
    client = login(people["leerplicht"])
    assert BSN in main_text(client.post(url("young_person_reveal", young_person.pk)))
    assert AuditEvent.objects.filter(action="cases.young_person.reveal_identifier").count() == 1


def test_moves_contacts_enrolments_and_exemptions(login, people, young_person, network):
    client = login(people["leerplicht"])
    person = young_person
    response = client.post(
        url("move", person.pk), {"municipality": network.maassluis.pk, "valid_from": "2000-01-01"}
    )
    assert response.status_code == 400
    assert "De verhuisdatum ligt voor het begin van de huidige woongemeente." in main_text(response)
    contact = {"relation": "voogd", "name": "Ellen Visser", "has_parental_authority": "on"}
    assert client.post(url("contact_add", person.pk), contact).status_code == 302
    saved = Contact.objects.get()
    contact["phone"] = "0251-123456"
    assert client.post(url("contact_edit", person.pk, saved.pk), contact).status_code == 302
    saved.refresh_from_db()
    assert saved.phone == "0251-123456"
    assert client.post(url("contact_remove", person.pk, saved.pk)).status_code == 302
    assert not Contact.objects.exists()
    enrolment = {"school": network.school.code, "school_code": "", "start_date": "2023-08-21"}
    assert client.post(url("enrol", person.pk), enrolment).status_code == 302
    saved = Enrolment.objects.get()
    response = client.post(url("end_enrolment", person.pk, saved.pk), {"end_date": "2023-01-01"})
    assert response.status_code == 400
    assert "De uitschrijfdatum ligt voor de inschrijfdatum." in main_text(response)
    assert (
        client.post(
            url("end_enrolment", person.pk, saved.pk),
            {"end_date": "2024-01-08", "reason": "verwijdering"},
        ).status_code
        == 302
    )
    exemption = {"ground": "5_onder_a", "requested_on": "2024-05-01", "valid_from": "2024-08-01"}
    response = client.post(url("exemption_add", person.pk), exemption)
    assert response.status_code == 400
    assert "vraagt een verklaring van een arts" in main_text(response)
    exemption["statement_on"] = "2024-04-15"
    assert client.post(url("exemption_add", person.pk), exemption).status_code == 302
    assert Exemption.objects.get().ground == "5_onder_a"
    # The move, last: it takes the young person out of this office's gemeenten.
    response = client.post(
        url("move", person.pk), {"municipality": network.maassluis.pk, "valid_from": "2024-06-01"}
    )
    assert response.status_code == 302
    assert person.municipality_on(D(2024, 6, 2)) == network.maassluis


# ------------------------------------------------------------------ verzuimmeldingen


def absence_data(network, **changes):
    data = {
        "school": network.school.code,
        "school_code": "",
        "identifier_kind": "bsn",
        "identifier": NEW_BSN,
        "birth_date": "2012-03-14",
        "given_name": "Daan",
        "family_name": "de Boer",
        "municipality": network.beverwijk.pk,
        "kind": "16_uur",
        "start_date": "2024-02-05",
        "end_date": "",
        "hours": "18",
    }
    data.update(changes)
    return data


def test_a_school_reports_verzuim_for_a_new_pupil(login, people, network):
    response = login(people["school"]).post(url("absence_new"), absence_data(network))
    assert response.status_code == 302
    report = AbsenceReport.objects.get()
    assert response["Location"] == url("absence_detail", report.pk)
    assert report.status == ReportStatus.REGISTERED and report.hours == 18
    assert report.reported_by == people["school"]
    assert report.young_person.municipality_on(D(2024, 2, 5)) == network.beverwijk
    creation = AuditEvent.objects.get(action="cases.young_person.create")
    assert creation.actor == people["school"]
    # Leerplicht of Beverwijk sees it, the school elsewhere does not.
    assert "Daan de Boer" in main_text(login(people["leerplicht"]).get(url("absence_list")))
    assert "Daan de Boer" not in main_text(login(people["school_elders"]).get(url("absence_list")))
    assert "Daan de Boer" not in main_text(
        login(people["leerplicht_elders"]).get(url("absence_list"))
    )


def test_reporting_a_known_pupil_adds_no_second_young_person(login, people, network, young_person):
    client = login(people["school"])
    data = absence_data(network, identifier=BSN, birth_date="2011-05-04", given_name="Anders")
    assert client.post(url("absence_new"), data).status_code == 302
    assert YoungPerson.objects.count() == 1
    assert AbsenceReport.objects.get().young_person == young_person
    young_person.refresh_from_db()
    assert young_person.given_name == "Noor"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identifier": "111222334"}, "elfproef"),
        ({"school": "other"}, "Selecteer een geldige keuze"),
        ({"start_date": "2099-01-01"}, "De eerste verzuimdag ligt in de toekomst."),
        ({"end_date": "2024-01-01"}, "De laatste verzuimdag ligt voor de eerste."),
        ({"kind": "onbekend"}, "Selecteer een geldige keuze"),
    ],
)
def test_a_wrong_report_says_why_and_saves_nothing(login, people, network, changes, message):
    if changes.get("school") == "other":
        changes = {"school": network.other_school.code}
    response = login(people["school"]).post(url("absence_new"), absence_data(network, **changes))
    assert response.status_code == 400
    assert message in main_text(response)
    assert not AbsenceReport.objects.exists() and not YoungPerson.objects.exists()


def test_the_duo_lifecycle_of_a_report(login, people, report):
    school = login(people["school"])
    form = school.get(url("absence_detail", report.pk)).context["form"]
    # The school may only withdraw; leerplicht handles.
    assert [value for value, _label in form.fields["status"].choices] == ["ingetrokken"]
    response = school.post(url("absence_status", report.pk), {"status": "in_behandeling"})
    assert response.status_code == 400
    leerplicht = login(people["leerplicht"])
    choices = (
        leerplicht.get(url("absence_detail", report.pk)).context["form"].fields["status"].choices
    )
    assert [value for value, _label in choices] == ["in_behandeling", "ter_kennisgeving"]
    assert (
        leerplicht.post(url("absence_status", report.pk), {"status": "in_behandeling"}).status_code
        == 302
    )
    response = leerplicht.post(url("absence_status", report.pk), {"status": "afgesloten"})
    assert response.status_code == 400
    assert "Geef de reden van afsluiten." in main_text(response)
    response = leerplicht.post(
        url("absence_status", report.pk), {"status": "afgesloten", "close_reason": "halt"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == ReportStatus.CLOSED and report.close_reason == "halt"
    # Final: nobody can change it any more.
    assert (
        leerplicht.post(url("absence_status", report.pk), {"status": "ingetrokken"}).status_code
        == 403
    )


def test_the_school_withdraws_its_report(login, people, report):
    client = login(people["school"])
    assert (
        client.post(url("absence_status", report.pk), {"status": "ingetrokken"}).status_code == 302
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.WITHDRAWN


# ------------------------------------------------------------------ doorbraakberaad


def test_the_escalation_page_marks_what_was_discussed(login, people, case):
    client = login(people["leerplicht"])
    response = client.get(url("escalation"))
    text = main_text(response)
    assert "TZ-TEST-1" in text and "nog niet" in text
    assert f"{url('event', case.pk)}?soort=doorbraakberaad" in text
    assert reads_of(case, "doorbraakberaad") == 1
    services.record_event(
        case, actor=None, kind="doorbraakberaad", date=D(2024, 5, 1), decision="X"
    )
    assert "al besproken" in main_text(client.get(url("escalation")))
    assert "TZ-TEST-1" not in main_text(client.get(url("escalation"), {"nieuw": "1"}))
    # The SWV sees the candidates but cannot record for them.
    swv_text = main_text(login(people["swv"]).get(url("escalation")))
    assert "TZ-TEST-1" in swv_text and "?soort=doorbraakberaad" not in swv_text


# ------------------------------------------------------------------ the quarterly report


@pytest.fixture
def counted(network):
    """Seven thuiszitters in Beverwijk on 1 April 2024, two in Maassluis."""
    many_cases(network, 7, start=D(2024, 1, 1))
    for _number in range(2):
        factories.CaseFactory(
            young_person=factories.YoungPersonFactory(residence=network.maassluis),
            school=network.other_school,
            municipality=network.maassluis,
            start_date=D(2024, 1, 1),
        )


def report_cells(response) -> list[str]:
    cells = re.findall(r'kansrijk-count-cell">([^<]*)<', response.content.decode())
    return [html.unescape(cell) for cell in cells]


def test_leerplicht_gets_the_counts_as_they_are(login, people, counted):
    response = login(people["leerplicht"]).get(
        url("report"), {"peildatum": "2024-04-01", "niveau": "gemeente", "definitie": "ocw"}
    )
    report = response.context["report"]
    assert not report.suppressed
    assert [row.name for row in report.rows] == ["Beverwijk"]
    assert report.rows[0].counts["thuiszitters"] == 7
    text = main_text(response)
    assert "Definitie ocw (OCW, sinds 2016)" in text
    assert "Gegevens bij de grafiek" in text and 'role="img"' in text
    assert response.context["chart"].table[-1] == ["1 april 2024", "7"]


def test_policy_officers_get_small_numbers_suppressed(login, people, counted, network):
    response = login(people["beleid"]).get(
        url("report"), {"peildatum": "2024-04-01", "niveau": "school"}
    )
    report = response.context["report"]
    assert report.suppressed
    cells = report_cells(response)
    # Counts are "<5" or at least 5; the rates per 1,000 (with a comma) follow their count.
    counts = [cell for cell in cells if "," not in cell]
    assert counts and all(
        cell in {"<5", ".", "–"} or int(cell.replace(".", "")) >= 5 for cell in counts
    ), cells
    assert "<5" in cells
    # The trend is suppressed the same way.
    assert all(
        value in {"<5", "–"} or int(value) >= 5 for _day, value in response.context["chart"].table
    )


def test_the_report_downloads(login, people, counted):
    client = login(people["leerplicht"])
    query = {"peildatum": "2024-04-01", "niveau": "gemeente", "definitie": "ocw_5a"}
    for fmt, content_type in [
        ("csv", "text/csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("pdf", "application/pdf"),
    ]:
        response = fetch_document(client, url("report_download", fmt), query)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        assert response["Cache-Control"] == "no-store"
        assert "thuiszitters-2024-04-01-gemeente-ocw_5a" in response["Content-Disposition"]
    csv_text = fetch_document(client, url("report_download", "csv"), query).content.decode(
        "utf-8-sig"
    )
    assert csv_text.splitlines()[0].startswith("peildatum,niveau,code,naam,definitie,thuiszitters")
    assert fetch_document(client, url("report_download", "docx"), query).status_code == 404


def test_a_wrong_peildatum_says_why(login, people):
    response = login(people["beleid"]).get(url("report"), {"peildatum": "2024-02-30"})
    assert response.status_code == 400 and "Peildatum" in main_text(response)


def test_the_report_keeps_its_number_of_queries(
    login, people, network, django_assert_max_num_queries
):
    client = login(people["leerplicht"])
    query = {"peildatum": "2024-04-01", "niveau": "school"}
    many_cases(network, 2, start=D(2024, 1, 1))
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(url("report"), query).status_code == 200
    many_cases(network, 20, start=D(2024, 1, 1))
    with django_assert_max_num_queries(len(baseline)):
        assert client.get(url("report"), query).status_code == 200


# ------------------------------------------------------------------ the menu and the home page


def test_the_menu_and_the_home_page_lead_to_the_register(login, people):
    for who, expected in [
        ("leerplicht", url("new")),
        ("school", url("absence_new")),
        ("swv", url("escalation")),
        ("beleid", url("report")),
    ]:
        html = login(people[who]).get(reverse("home")).content.decode()
        assert f'href="{url("worklist")}"' in html, who  # the menu item
        assert f'href="{expected}"' in html, who
    client = login(factories.UserFactory())
    assert f'href="{url("worklist")}"' not in client.get(reverse("home")).content.decode()


# ------------------------------------------------------------------ no number where it does not belong


def test_no_number_in_addresses_logs_or_the_audit_trail_after_a_day_of_work(
    login, people, network, young_person, case, caplog
):
    """Leerplicht and a school work through every page that takes a number (with errors
    on the way); the numbers then appear in no address that was visited or redirected
    to, in no log line and in no audit row."""
    caplog.set_level(logging.DEBUG)
    visited = []
    leerplicht = login(people["leerplicht"])
    for response in [
        leerplicht.post(url("list"), {"nummer": BSN}),
        leerplicht.post(url("new"), new_case_data(network, identifier=OTHER_BSN)),
        leerplicht.post(url("new"), new_case_data(network, identifier=OTHER_BSN[:-1] + "0")),
        leerplicht.post(url("reveal_identifier", case.pk)),
    ]:
        visited.append(response.request["PATH_INFO"] + "?" + response.request["QUERY_STRING"])
        visited.append(response.get("Location", ""))
    school = login(people["school"])
    response = school.post(url("absence_new"), absence_data(network, identifier=NEW_BSN))
    visited += [response.request["PATH_INFO"], response.get("Location", "")]
    for detail_url in [c.get_absolute_url() for c in Case.objects.all()]:
        visited.append(detail_url)
        leerplicht.get(detail_url)
    response = school.post(url("absence_new"), absence_data(network, identifier=NEW_BSN, kind="x"))
    assert response.status_code == 400  # a bad request is logged, with its path only
    rows = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert caplog.records, "the 400s are logged"
    for number in (BSN, OTHER_BSN, NEW_BSN):
        assert number not in rows, number
        assert number not in caplog.text, number
        assert all(number not in address for address in visited), number
    assert Case.objects.count() == 2 and AbsenceReport.objects.count() == 1


def test_a_long_report_is_paginated_with_the_total_below_every_page(
    db, verified_client, django_user_model
):
    from kansrijk.testing import factories

    gemeente = factories.MunicipalityFactory(code="GM0363", name="Amsterdam")
    for _number in range(60):
        factories.SchoolFactory(municipality=gemeente)
    root = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 14)
    client = verified_client(root)
    url = reverse("cases:report") + "?peildatum=2024-03-31&niveau=school&definitie=ocw"

    def report_table(query=""):
        page = client.get(url + query).content.decode()
        return page.split('id="rapport-caption"', 1)[1].split("</table>", 1)[0]

    first, second = report_table(), report_table("&pagina=2")
    assert first.count("kansrijk-cases-report__total") == 1
    assert second.count("kansrijk-cases-report__total") == 1
    assert first.count('scope="row"') == 51 and second.count('scope="row"') == 11
