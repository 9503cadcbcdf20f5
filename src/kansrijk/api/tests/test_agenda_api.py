"""The agenda through /api/v1/: scoped reads, and progress reports by the voortrekker."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kansrijk.agenda import services as agenda_services
from kansrijk.agenda.models import Activity, Intervention, ProgressNote
from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Role
from kansrijk.testing.api import field_errors

pytestmark = pytest.mark.django_db

API = "/api/v1"


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def main_activity(agenda):
    return Activity.objects.get(agenda=agenda, kind="main")


# ------------------------------------------------------------------ reading


def test_anonymous_reads_public_agendas_only(
    api_client, midden_kennemerland, vijfheerenlanden, private_agenda
):
    client = api_client()
    slugs = [agenda["slug"] for agenda in results(client.get(f"{API}/agendas"))]
    assert slugs == ["gka-vijfheerenlanden-2022-2024", "midden-kennemerland-2022-2024"]

    detail = client.get(f"{API}/agendas/midden-kennemerland-2022-2024").json()
    assert detail["adopted_by"] == "OOGO Midden-Kennemerland"
    assert detail["status"] == "adopted"
    assert detail["period_start"] == "2022-01-01"
    assert detail["vision"].startswith("Ieder kind heeft recht")
    assert [owner["name"] for owner in detail["owners"]] == [midden_kennemerland.owners.get().name]


def test_non_public_agenda_is_404_for_anonymous_and_other_organisations(
    api_client, make_token, private_agenda, other_organisation
):
    activity = main_activity(private_agenda)
    _, other_key = make_token(other_organisation)
    for client in (api_client(), api_client(other_key)):
        assert client.get(f"{API}/agendas/concept-lea-2025").status_code == 404
        assert client.get(f"{API}/activities/{activity.pk}").status_code == 404
        assert results(client.get(f"{API}/activities", {"agenda": "concept-lea-2025"})) == []
        assert "concept-lea-2025" not in {a["slug"] for a in results(client.get(f"{API}/agendas"))}


def test_own_organisation_key_sees_its_concept_agenda(
    api_client, make_token, private_agenda, lead_organisation
):
    _, key = make_token(lead_organisation)
    client = api_client(key)
    assert client.get(f"{API}/agendas/concept-lea-2025").status_code == 200
    activities = results(client.get(f"{API}/activities", {"agenda": "concept-lea-2025"}))
    assert [a["title"] for a in activities] == ["Werkgroep starten"]


def test_the_tree_of_seed_002(api_client, midden_kennemerland, vijfheerenlanden):
    client = api_client()
    agenda = {"agenda": "midden-kennemerland-2022-2024"}
    (spearhead,) = results(client.get(f"{API}/spearheads", agenda))
    assert spearhead["title"] == "Gelijke kansen"
    assert spearhead["intended_result"].startswith("Iedere jeugdige")

    (goal,) = results(client.get(f"{API}/goals", {"spearhead": spearhead["id"]}))
    assert goal["text"] == "We beperken het aantal thuiszitters en de periode."
    assert "Binnen X maanden is er een passend aanbod" in goal["indicator_text"]
    assert spearhead["goals"] == [goal["id"]]

    activities = results(client.get(f"{API}/activities", {"goal": goal["id"]}))
    main = next(a for a in activities if a["kind"] == "main")
    assert main["months"] == ["2022-03", "2022-06", "2022-09", "2022-12"]
    assert main["planned_text"] == "jan–dec"
    assert {(i["role"], i["party_name"]) for i in main["involvements"]} == {
        ("lead", ""),
        ("partner", "samenwerkingsverbanden"),
    }
    # Rolled up from the children: done (100) and running at 50.
    assert main["rolled_up_progress"] == 75
    subs = results(client.get(f"{API}/activities", {"parent": main["id"]}))
    assert {s["title"] for s in subs} == {
        "Kwartaal overleg tussen gemeente/ RMC-regio en SWV.",
        "Bespreken in periodiek overleg en jeugdteam PO.",
    }
    assert (
        results(client.get(f"{API}/activities", {**agenda, "status": "done"}))[0]["external_id"]
        == "sp2-d3-s1"
    )


def test_interventions_and_funding_of_seed_004(api_client, vijfheerenlanden, other_organisation):
    client = api_client()
    (card,) = results(
        client.get(
            f"{API}/interventions",
            {
                "agenda": "gka-vijfheerenlanden-2022-2024",
                "lead_organisation": other_organisation.pk,
            },
        )
    )
    assert card["name"] == "Peuterplus"
    assert card["target_group"] == "Peuters 2 tot 4 jaar met uitdagingen"
    assert (card["age_min"], card["age_max"]) == ("2.00", "4.00")
    assert card["planned_total"] == "120000.00"
    assert card["realised_total"] is None

    lines = results(client.get(f"{API}/funding-lines", {"agenda": vijfheerenlanden.slug}))
    assert {(line["source"], line["planned_amount"], line["is_estimate"]) for line in lines} == {
        ("oab", "60000.00", True),
        ("youth_care", "60000.00", True),
    }
    assert {line["unit"] for line in lines} == {"per locatie per jaar"}
    assert all(line["agenda"] == vijfheerenlanden.slug for line in lines)
    assert results(client.get(f"{API}/funding-lines", {"source": "npo"})) == []

    totals = client.get(f"{API}/agendas/{vijfheerenlanden.slug}/funding-totals").json()
    assert totals == [
        {
            "year": 2022,
            "source": "oab",
            "planned_amount": "60000.00",
            "realised_amount": None,
            "lines": 1,
            "estimated_lines": 1,
        },
        {
            "year": 2022,
            "source": "youth_care",
            "planned_amount": "60000.00",
            "realised_amount": None,
            "lines": 1,
            "estimated_lines": 1,
        },
    ]


def test_pagination(api_client, midden_kennemerland):
    page = api_client().get(f"{API}/activities", {"page_size": 2}).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert "page=2" in page["next"]
    assert api_client().get(f"{API}/activities", {"page": 9}).status_code == 404


@pytest.mark.parametrize(
    ("parameter", "value"),
    [("goal", "een"), ("status", "klaar"), ("agenda", "a\x00b"), ("lead_organisation", "x")],
)
def test_invalid_filters_are_400_with_the_parameter_named(
    api_client, midden_kennemerland, parameter, value
):
    response = api_client().get(f"{API}/activities", {parameter: value})
    assert response.status_code == 400
    assert parameter in field_errors(response)


@pytest.mark.parametrize("endpoint", ["activities", "interventions", "goals", "funding-lines"])
def test_list_queries_do_not_grow_with_the_rows(
    api_client, midden_kennemerland, vijfheerenlanden, endpoint
):
    client = api_client()

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{API}/{endpoint}").status_code == 200
        return len(queries)

    count_queries()  # the first request opens the caller's rate-limit window
    before = count_queries()
    # Another copy of both agendas' items makes more rows of every kind.
    for model, agenda in ((Activity, midden_kennemerland), (Intervention, vijfheerenlanden)):
        for item in model.objects.filter(agenda=agenda):
            original = item.pk
            item.pk, item.external_id = None, f"{item.external_id}-copy"
            agenda_services.save_item(item, actor=None)
            for involvement in model.objects.get(pk=original).involvements.all():
                involvement.pk = None
                setattr(involvement, model._meta.model_name, item)
                agenda_services.save_item(involvement, actor=None)
    assert count_queries() == before


# ------------------------------------------------------------------ reporting progress


def patch(client, item, data):
    kind = "activities" if isinstance(item, Activity) else "interventions"
    return client.patch(f"{API}/{kind}/{item.pk}", data, format="json")


def test_lead_organisation_key_reports_progress_audited(
    api_client, make_token, midden_kennemerland, lead_organisation
):
    token, key = make_token(lead_organisation)
    activity = main_activity(midden_kennemerland)
    response = patch(
        api_client(key),
        activity,
        {
            "status": "done",
            "progress": 100,
            "note": "Alle scholen hebben hun opgave over het eerste kwartaal gedaan.",
            "is_milestone": True,
            "date": "2022-04-15",
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["progress"]) == ("done", 100)
    assert body["progress_notes"][0] == {
        "date": "2022-04-15",
        "text": "Alle scholen hebben hun opgave over het eerste kwartaal gedaan.",
        "is_milestone": True,
    }
    activity.refresh_from_db()
    assert (activity.status, activity.progress) == ("done", 100)
    note = ProgressNote.objects.get(activity=activity)
    assert (note.date, note.is_milestone, note.author) == (
        datetime.date(2022, 4, 15),
        True,
        token.user,
    )
    update = AuditEvent.objects.get(action="agenda.activity.update", target_id=str(activity.pk))
    assert update.actor == token.user
    assert update.actor_display == "API-sleutel planningskoppeling"
    assert (update.before["status"], update.after["status"]) == ("running", "done")
    assert AuditEvent.objects.filter(
        action="agenda.progress_note.create", actor=token.user
    ).exists()
    # The history of the living document names the key's user too.
    assert activity.history.first().history_user == token.user


def test_lead_organisation_key_reports_on_an_intervention(
    api_client, make_token, vijfheerenlanden, other_organisation
):
    _, key = make_token(other_organisation)
    card = Intervention.objects.get(agenda=vijfheerenlanden)
    response = patch(api_client(key), card, {"progress": 40})
    assert response.status_code == 200, response.content
    assert response.json()["progress"] == 40
    assert response.json()["planned_total"] == "120000.00"


def test_key_of_an_organisation_that_does_not_lead_is_refused(
    api_client, make_token, midden_kennemerland, private_agenda, other_organisation
):
    _, key = make_token(other_organisation)
    client = api_client(key)
    # It may read the public agenda, so the answer is 403; the concept agenda it cannot
    # see at all, so 404.
    assert patch(client, main_activity(midden_kennemerland), {"progress": 10}).status_code == 403
    assert patch(client, main_activity(private_agenda), {"progress": 10}).status_code == 404
    assert main_activity(midden_kennemerland).progress is None
    assert not AuditEvent.objects.filter(action="agenda.activity.update").exists()


def test_the_user_trio_with_sessions(client, user_trio, midden_kennemerland):
    """A partner of the lead organisation may report; a lezer of it may not; a partner of
    another organisation may not."""
    trio = user_trio(role=Role.PARTNER, other_role=Role.READER)
    activity = main_activity(midden_kennemerland)
    url = f"{API}/activities/{activity.pk}"

    client.force_login(trio["other_role"])
    response = client.patch(url, {"progress": 30}, content_type="application/json")
    assert response.status_code == 403
    assert client.get(url).status_code == 200  # a lezer reads

    client.force_login(trio["other_organisation"])
    assert client.patch(url, {"progress": 30}, content_type="application/json").status_code == 403

    client.force_login(trio["member"])
    response = client.patch(url, {"progress": 30}, content_type="application/json")
    assert response.status_code == 200, response.content
    activity.refresh_from_db()
    assert activity.progress == 30


def test_policy_officer_of_an_owner_may_report(client, make_member, midden_kennemerland):
    owner = midden_kennemerland.owners.get()
    client.force_login(make_member(owner, Role.POLICY_OFFICER))
    sub = Activity.objects.get(agenda=midden_kennemerland, external_id="sp2-d3-s1")
    response = client.patch(
        f"{API}/activities/{sub.pk}", {"status": "postponed"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content


def test_anonymous_patch_is_401(api_client, midden_kennemerland):
    response = patch(api_client(), main_activity(midden_kennemerland), {"progress": 10})
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_invalid_key_is_401(api_client, midden_kennemerland):
    for header in ("Token kr_not-a-key", "Token nonsense", "Token", "Token a b"):
        client = api_client()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get(f"{API}/agendas")
        assert response.status_code == 401, header
        assert response["WWW-Authenticate"] == "Token"


def test_revoked_key_is_401(api_client, make_token, midden_kennemerland, lead_organisation):
    from kansrijk.api.services import revoke_api_token

    token, key = make_token(lead_organisation)
    assert api_client(key).get(f"{API}/agendas").status_code == 200
    revoke_api_token(token, actor=None)
    response = patch(api_client(key), main_activity(midden_kennemerland), {"progress": 10})
    assert response.status_code == 401
    assert "ingetrokken" in response.json()["detail"]
    assert api_client(key).get(f"{API}/agendas").status_code == 401


@pytest.mark.parametrize("progress", [101, -1])
def test_progress_outside_0_to_100_is_400_with_a_clear_message(
    api_client, make_token, midden_kennemerland, lead_organisation, progress
):
    _, key = make_token(lead_organisation)
    response = patch(api_client(key), main_activity(midden_kennemerland), {"progress": progress})
    assert response.status_code == 400
    assert field_errors(response) == {
        "progress": ["Voortgang is een percentage van 0 tot en met 100."]
    }
    assert main_activity(midden_kennemerland).progress is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "Iets anders"}, "title"),
        ({"status": "klaar"}, "status"),
        ({}, "non_field_errors"),
        ({"note": ""}, "non_field_errors"),
    ],
)
def test_only_status_progress_and_notes_can_change(
    api_client, make_token, midden_kennemerland, lead_organisation, data, field
):
    _, key = make_token(lead_organisation)
    activity = main_activity(midden_kennemerland)
    response = patch(api_client(key), activity, data)
    assert response.status_code == 400
    assert field in field_errors(response)
    activity.refresh_from_db()
    assert activity.title.startswith("Scholen geven ieder kwartaal")


def test_everything_else_is_read_only(
    api_client, make_token, midden_kennemerland, lead_organisation
):
    _, key = make_token(lead_organisation)
    client = api_client(key)
    activity = main_activity(midden_kennemerland)
    assert client.put(f"{API}/activities/{activity.pk}", {"progress": 5}).status_code == 405
    assert client.delete(f"{API}/activities/{activity.pk}").status_code == 405
    assert client.post(f"{API}/activities", {"title": "Nieuw"}).status_code == 405
    assert client.patch(f"{API}/agendas/{midden_kennemerland.slug}", {}).status_code == 405
    goal = activity.goal
    assert client.patch(f"{API}/goals/{goal.pk}", {"text": "x"}).status_code == 405
    assert Activity.objects.filter(agenda=midden_kennemerland).count() == 3
