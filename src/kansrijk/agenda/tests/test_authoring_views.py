"""The pages for writing an agenda: who may open and change what (the user trio and a
partner that leads some items), the Dutch messages of the forms, htmx in place, moving
with plain buttons, archiving, and a new concept of an adopted agenda."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kansrijk.agenda import services
from kansrijk.agenda.models import (
    Activity,
    Agenda,
    AgendaStatus,
    EvaluationMoment,
    FundingLine,
    Goal,
    Intervention,
    Spearhead,
)
from kansrijk.agenda.tests.test_views import SLUG, load_sample_agenda, main_text
from kansrijk.organisations.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(user_trio):
    return user_trio()


@pytest.fixture
def partner(make_member, network):
    """A member of the library, which leads the Peuterplus and one planning line."""
    return make_member(network["library"], Role.PARTNER)


def url(name, *args):
    return reverse(f"agenda:{name}", args=args)


def edit_url(kind, item):
    return url("item_edit", SLUG, kind, item.pk)


def items(agenda):
    """One item of every kind, by the editor's name for its kind."""
    peuterplus = Intervention.objects.get(agenda=agenda, external_id="peuterplus")
    return {
        "speerpunt": Spearhead.objects.get(agenda=agenda, external_id="sp1"),
        "doel": Goal.objects.get(agenda=agenda, external_id="doel-02"),
        "activiteit": Activity.objects.get(agenda=agenda, external_id="doel-02-hoofd-1"),
        "interventie": peuterplus,
        "evaluatie": EvaluationMoment.objects.get(agenda=agenda, external_id="tussentijds"),
        "financiering": peuterplus.funding_lines.first(),
    }


# ------------------------------------------------------------------ who may do what


def test_the_editor_is_for_editors_and_voortrekkers(client, trio, concept, partner):
    response = client.get(url("editor", SLUG))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    client.force_login(trio["other_organisation"])
    assert client.get(url("editor", SLUG)).status_code == 404
    client.force_login(trio["other_role"])  # lezer of the owner
    assert client.get(url("editor", SLUG)).status_code == 403
    client.force_login(partner)
    assert client.get(url("editor", SLUG)).status_code == 200
    client.force_login(trio["member"])
    response = client.get(url("editor", SLUG))
    assert response.status_code == 200
    text = main_text(response)
    for words in ("Speerpunt toevoegen", "Omhoog", "Verplaatsen naar", "Archiveren"):
        assert words in text


def test_a_lezer_changes_nothing(client, trio, concept):
    client.force_login(trio["other_role"])
    for kind, item in items(concept).items():
        assert client.get(edit_url(kind, item)).status_code == 403
        assert client.post(url("item_archive", SLUG, kind, item.pk)).status_code == 403
    assert client.get(url("item_new", SLUG, "speerpunt")).status_code == 403


def test_another_gemeente_sees_nothing(client, trio, concept):
    client.force_login(trio["other_organisation"])
    for kind, item in items(concept).items():
        assert client.get(edit_url(kind, item)).status_code == 404


def test_a_partner_changes_only_the_items_it_leads(client, concept, partner, network):
    client.force_login(partner)
    allowed = {"interventie", "financiering"}  # the library leads the Peuterplus
    for kind, item in items(concept).items():
        expected = 200 if kind in allowed else 403
        assert client.get(edit_url(kind, item)).status_code == expected, kind
        # Structure is for the agenda's editors.
        assert client.post(url("item_archive", SLUG, kind, item.pk)).status_code == 403
    planning_line = Activity.objects.get(agenda=concept, external_id="doel-02-planning-1")
    assert client.get(edit_url("activiteit", planning_line)).status_code == 200
    # The partner's form has no roles: it does not hand the lead to someone else.
    response = client.get(edit_url("interventie", items(concept)["interventie"]))
    assert "Voortrekker" not in main_text(response)
    response = client.post(
        edit_url("interventie", items(concept)["interventie"]),
        {
            f"interventie-{items(concept)['interventie'].pk}-name": "Peuterplus",
            f"interventie-{items(concept)['interventie'].pk}-status": "running",
            f"interventie-{items(concept)['interventie'].pk}-progress": "40",
        },
    )
    assert response.status_code == 302
    assert Intervention.objects.get(external_id="peuterplus", agenda=concept).progress == 40
    assert client.get(url("item_new", SLUG, "doel")).status_code == 403
    peuterplus = items(concept)["interventie"]
    new_line = url("item_new", SLUG, "financiering") + f"?onder={peuterplus.pk}"
    assert client.get(new_line).status_code == 200


# ------------------------------------------------------------------ starting an agenda


def test_a_beleidsmedewerker_starts_an_agenda(client, trio, network):
    client.force_login(trio["other_role"])
    assert client.get(url("start")).status_code == 403
    assert "Nieuwe agenda" not in main_text(client.get(url("list")))
    client.force_login(trio["member"])
    assert "Nieuwe agenda" in main_text(client.get(url("list")))
    response = client.post(
        url("start"),
        {
            "owner": trio["member"].memberships.get().organisation_id,
            "title": "Uitvoeringsnota onderwijskansen",
            "kind": "educational_opportunities",
            "period_start": "2019-01-01",
            "period_end": "2022-12-31",
        },
    )
    agenda = Agenda.objects.get(title="Uitvoeringsnota onderwijskansen")
    assert response.status_code == 302 and response["Location"] == url("editor", agenda.slug)
    assert agenda.status == AgendaStatus.CONCEPT


def test_the_start_form_speaks_dutch(client, trio):
    client.force_login(trio["member"])
    response = client.post(
        url("start"),
        {
            "owner": trio["member"].memberships.get().organisation_id,
            "title": "",
            "kind": "lea",
            "period_start": "2022-01-01",
            "period_end": "2021-12-31",
        },
    )
    assert response.status_code == 400
    text = main_text(response)
    assert "Vul de titel in." in text
    assert "De looptijd kan niet eindigen voordat hij begint." in text


def test_a_copy_of_an_agenda_the_user_can_read(client, trio, tmp_path, network):
    source = load_sample_agenda(tmp_path, network)
    client.force_login(trio["member"])
    client.post(
        url("start"),
        {
            "owner": trio["member"].memberships.get().organisation_id,
            "title": "Vervolgagenda",
            "kind": "execution_agenda",
            "period_start": "2025-01-01",
            "period_end": "2027-12-31",
            "copy_of": source.pk,
        },
    )
    copy = Agenda.objects.get(title="Vervolgagenda")
    assert copy.goals.count() == source.goals.count()


# ------------------------------------------------------------------ forms


def test_an_activity_is_added_with_months_and_a_voortrekker(client, trio, concept, network):
    client.force_login(trio["member"])
    goal = Goal.objects.get(agenda=concept, external_id="doel-07")
    new = url("item_new", SLUG, "activiteit") + f"?onder={goal.pk}"
    assert "Geplande maanden" in main_text(client.get(new))
    response = client.post(
        new,
        {
            "activiteit-nieuw-title": "Verzuimspreekuur op school",
            "activiteit-nieuw-status": "planned",
            "activiteit-nieuw-months": ["2022-09", "2022-10"],
            "activiteit-nieuw-lead": network["swv"].pk,
            "activiteit-nieuw-partners": [network["library"].pk],
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(agenda=concept, title="Verzuimspreekuur op school")
    assert activity.goal == goal
    assert [m.month.month for m in activity.planned_months.all()] == [9, 10]
    assert activity.involvements.get(role="lead").organisation == network["swv"]
    assert response["Location"].endswith(f"#item-activiteit-{activity.pk}")


def test_the_voortrekker_can_be_a_person_of_that_organisation(
    client, trio, concept, network, make_member
):
    from kansrijk.organisations.models import Role

    person = make_member(network["swv"], Role.PARTNER, first_name="Sanne", last_name="Smit")
    outsider = make_member(network["library"], Role.PARTNER, first_name="Lot", last_name="Lid")
    client.force_login(trio["member"])
    goal = Goal.objects.get(agenda=concept, external_id="doel-07")
    new = url("item_new", SLUG, "activiteit") + f"?onder={goal.pk}"
    data = {
        "activiteit-nieuw-title": "Spreekuur met de SWV",
        "activiteit-nieuw-status": "planned",
        "activiteit-nieuw-lead": network["swv"].pk,
        "activiteit-nieuw-lead_person": outsider.pk,
    }
    refused = client.post(new, data)
    assert refused.status_code == 400
    assert "Lot Lid werkt niet bij Samenwerkingsverband Voorbeeldstad." in main_text(refused)

    assert client.post(new, {**data, "activiteit-nieuw-lead_person": person.pk}).status_code == 302
    lead = Activity.objects.get(agenda=concept, title="Spreekuur met de SWV").involvements.get(
        role="lead"
    )
    assert (lead.organisation, lead.person) == (network["swv"], person)
    # The editor names the person beside the organisation.
    editor_page = main_text(client.get(url("editor", SLUG)))
    assert "Sanne Smit · Samenwerkingsverband Voorbeeldstad" in editor_page


def test_the_item_forms_speak_dutch(client, trio, concept, network):
    client.force_login(trio["member"])
    main = Activity.objects.get(agenda=concept, external_id="doel-07-hoofd-1")
    prefix = f"activiteit-{main.pk}"
    response = client.post(
        edit_url("activiteit", main),
        {
            f"{prefix}-title": "",
            f"{prefix}-status": "running",
            f"{prefix}-progress": "150",
            f"{prefix}-months": ["2030-01"],
            f"{prefix}-lead": network["swv"].pk,
            f"{prefix}-partners": [network["swv"].pk],
        },
    )
    assert response.status_code == 400
    text = main_text(response)
    assert "Beschrijf de activiteit." in text
    assert "Een percentage ligt tussen 0 en 100." in text
    assert "Kies een maand binnen de looptijd van de agenda (jan 2022 tot en met dec 2024)." in text
    assert "is al voortrekker; een organisatie is voortrekker of partner." in text
    goal = Goal.objects.get(agenda=concept, external_id="doel-07")
    response = client.post(
        url("indicator_new", SLUG, goal.pk),
        {
            "name": "Bereik VVE",
            "unit": "percentage",
            "baseline_value": "72",
            "baseline_year": "2019",
            "target_value": "120",
            "target_year": "2018",
        },
    )
    text = main_text(response)
    assert response.status_code == 400
    assert "Een percentage ligt tussen 0 en 100." in text
    assert "De streefwaarde ligt na de nulmeting, niet ervoor." in text
    line = items(concept)["financiering"]
    response = client.post(
        edit_url("financiering", line),
        {
            f"financiering-{line.pk}-year": "2030",
            f"financiering-{line.pk}-source": "oab",
            f"financiering-{line.pk}-planned_amount": "-5",
        },
    )
    text = main_text(response)
    assert "Kies een jaar binnen de looptijd van de agenda (2022–2024)." in text
    assert "Een bedrag kan niet negatief zijn." in text


def test_htmx_swaps_the_form_in_and_the_saved_item_back(client, trio, concept):
    client.force_login(trio["member"])
    goal = Goal.objects.get(agenda=concept, external_id="doel-07")
    response = client.get(edit_url("doel", goal) + "?plek=editor", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "hx-post" in html
    response = client.post(
        edit_url("doel", goal) + "?plek=editor",
        {f"doel-{goal.pk}-number": "7", f"doel-{goal.pk}-text": "We stimuleren aanwezigheid."},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert "We stimuleren aanwezigheid." in html and "Verplaatsen naar" in html
    # Invalid: the form comes back in place with its message.
    response = client.post(
        edit_url("doel", goal) + "?plek=editor",
        {f"doel-{goal.pk}-text": ""},
        headers={"HX-Request": "true"},
    )
    assert "Beschrijf het doel." in response.content.decode()


# ------------------------------------------------------------------ moving and archiving


def test_moving_with_plain_buttons(client, trio, concept):
    client.force_login(trio["member"])
    sp1 = Spearhead.objects.get(agenda=concept, external_id="sp1")
    sp2 = Spearhead.objects.get(agenda=concept, external_id="sp2")
    response = client.post(url("item_order", SLUG, "speerpunt", sp2.pk), {"richting": "omhoog"})
    assert response.status_code == 302
    assert list(concept.spearheads.order_by("position", "pk")) == [sp2, sp1]
    main = Activity.objects.get(agenda=concept, external_id="doel-02-hoofd-1")
    goal_7 = Goal.objects.get(agenda=concept, external_id="doel-07")
    client.post(url("item_move", SLUG, "activiteit", main.pk), {"to": goal_7.pk})
    assert Activity.objects.get(pk=main.pk).goal == goal_7
    response = client.post(
        url("item_move", SLUG, "activiteit", main.pk), {"to": 999999}, follow=True
    )
    assert "Daarheen kan dit onderdeel niet verplaatst worden." in main_text(response)


def test_an_archived_item_leaves_the_agenda_page(client, trio, concept):
    client.force_login(trio["member"])
    main = Activity.objects.get(agenda=concept, external_id="doel-02-hoofd-1")
    assert main.title in main_text(client.get(url("detail", SLUG)))
    response = client.post(url("item_archive", SLUG, "activiteit", main.pk), follow=True)
    assert "De activiteit is gearchiveerd." in main_text(response)
    assert main.title not in main_text(client.get(url("detail", SLUG)))
    assert Activity.objects.get(pk=main.pk).history.count() >= 2
    assert client.get(edit_url("activiteit", main)).status_code == 404


# ------------------------------------------------------------------ versions


def test_an_adopted_agenda_is_changed_in_a_new_concept(client, trio, tmp_path, network):
    agenda = load_sample_agenda(tmp_path, network)
    services.save_version(agenda, actor=None, label="Vastgesteld")
    client.force_login(trio["member"])
    assert "Agenda bewerken" in main_text(client.get(url("detail", SLUG)))
    goal = Goal.objects.get(agenda=agenda, external_id="doel-07")
    response = client.get(edit_url("doel", goal), follow=True)
    assert "Wijzig hem in een nieuwe conceptversie" in main_text(response)
    text = main_text(client.get(url("editor", SLUG)))
    assert "Wijzigen in een nieuwe conceptversie" in text and "Omhoog" not in text
    client.post(url("new_concept", SLUG))
    agenda.refresh_from_db()
    assert agenda.status == AgendaStatus.CONCEPT
    client.post(
        edit_url("doel", goal),
        {f"doel-{goal.pk}-number": "7", f"doel-{goal.pk}-text": "We stimuleren aanwezigheid."},
    )
    text = main_text(client.get(url("adopt", SLUG)))
    assert "Wat is er veranderd sinds de vastgestelde versie" in text
    assert "We stimuleren aanwezigheid." in text


def test_the_funding_line_kind_is_known(concept):
    assert FundingLine.objects.filter(intervention__agenda=concept).count() == 5


NEW_ITEMS = [
    # (kind, query string builder, posted fields, how to find the new item)
    ("speerpunt", lambda a: "", {"title": "Doorgaande leerlijnen"}, Spearhead, "title"),
    (
        "doel",
        lambda a: f"?onder={Spearhead.objects.get(agenda=a, external_id='sp2').pk}",
        {"number": "8", "text": "Minder thuiszitters."},
        Goal,
        "text",
    ),
    (
        "activiteit",
        lambda a: (
            "?soort=sub&onder="
            + str(Activity.objects.get(agenda=a, external_id="doel-07-hoofd-1").pk)
        ),
        {"title": "Peildata afstemmen met de woongemeenten", "status": "planned"},
        Activity,
        "title",
    ),
    (
        "interventie",
        lambda a: "",
        {"name": "Huiswerkbegeleiding", "status": "planned"},
        Intervention,
        "name",
    ),
    (
        "evaluatie",
        lambda a: "",
        {"month": "2024-11", "description": "Eindevaluatie"},
        EvaluationMoment,
        "description",
    ),
    (
        "financiering",
        lambda a: (
            "?soort=activiteit&onder="
            + str(Activity.objects.get(agenda=a, external_id="doel-07-hoofd-1").pk)
        ),
        {"year": "2023", "source": "oab", "planned_amount": "150000", "notes": "Gemeente"},
        FundingLine,
        "notes",
    ),
]


@pytest.mark.parametrize(("kind", "query", "fields", "model", "key"), NEW_ITEMS)
def test_every_kind_of_item_is_added(client, trio, concept, kind, query, fields, model, key):
    client.force_login(trio["member"])
    address = url("item_new", SLUG, kind) + query(concept)
    assert client.get(address).status_code == 200
    response = client.post(
        address, {f"{kind}-nieuw-{name}": value for name, value in fields.items()}
    )
    assert response.status_code == 302, main_text(response)
    item = model.objects.get(**{key: fields[key]})
    assert response["Location"].endswith(f"#item-{kind}-{item.pk}")
    if model is Activity:
        assert item.parent.external_id == "doel-07-hoofd-1" and item.kind == "sub"
    if model is Goal:
        assert item.spearhead.external_id == "sp2"
    if model is FundingLine:
        assert item.activity.external_id == "doel-07-hoofd-1"


def test_the_editor_keeps_its_number_of_queries(
    client, trio, concept, django_assert_max_num_queries
):
    client.force_login(trio["member"])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url("editor", SLUG)).status_code == 200
    goal = Goal.objects.get(agenda=concept, external_id="doel-07")
    for number in range(5):
        main = Activity.objects.create(
            agenda=concept, goal=goal, kind="main", external_id=f"extra-{number}", title="Extra"
        )
        Activity.objects.create(
            agenda=concept,
            goal=goal,
            parent=main,
            kind="sub",
            external_id=f"sub-{number}",
            title="Sub",
        )
        Goal.objects.create(agenda=concept, external_id=f"doel-extra-{number}", text="Extra doel")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url("editor", SLUG))


def test_a_goals_indicator_is_added_changed_and_unlinked(client, trio, concept, network):
    client.force_login(trio["member"])
    goal = Goal.objects.get(agenda=concept, external_id="doel-07")
    fields = {
        "name": "Bereik VVE",
        "unit": "percentage",
        "baseline_value": "72",
        "baseline_year": "2019",
        "target_value": "90",
        "target_year": "2021",
    }
    assert client.post(url("indicator_new", SLUG, goal.pk), fields).status_code == 302
    indicator = goal.indicators.get()
    edit = url("indicator_edit", SLUG, goal.pk, indicator.pk)
    assert "Bereik VVE" in main_text(client.get(url("editor", SLUG)))
    assert 'value="72' in client.get(edit).content.decode()
    response = client.post(edit, fields | {"target_value": "95", "target_year": "2022"})
    assert response.status_code == 302
    target = indicator.targets.get()
    assert target.value == 95 and target.date.year == 2022
    # Another gemeente's policy officer edits nothing of it.
    client.force_login(trio["other_organisation"])
    assert client.get(edit).status_code == 404
    client.force_login(trio["member"])
    client.post(url("indicator_unlink", SLUG, goal.pk, indicator.pk))
    assert not goal.indicators.exists()


def test_an_activity_without_a_goal_is_offered_a_goal(client, trio, concept):
    loose = Activity.objects.create(
        agenda=concept, kind="main", external_id="los", title="Netwerkbijeenkomst zonder doel"
    )
    client.force_login(trio["member"])
    html = client.get(url("editor", SLUG)).content.decode()
    assert "Activiteiten zonder doel" in html and f'id="verplaats-activiteit-{loose.pk}"' in html
    goal = Goal.objects.get(agenda=concept, external_id="doel-01")
    client.post(url("item_move", SLUG, "activiteit", loose.pk), {"to": goal.pk})
    assert Activity.objects.get(pk=loose.pk).goal == goal


def test_an_intervention_names_its_goals_and_an_evaluation_its_intervention(client, trio, concept):
    client.force_login(trio["member"])
    peuterplus = items(concept)["interventie"]
    goal = Goal.objects.get(agenda=concept, external_id="doel-02")
    prefix = f"interventie-{peuterplus.pk}"
    response = client.post(
        edit_url("interventie", peuterplus),
        {
            f"{prefix}-name": "Peuterplus",
            f"{prefix}-status": "running",
            f"{prefix}-goals": [goal.pk],
        },
    )
    assert response.status_code == 302
    assert list(peuterplus.goals.all()) == [goal]
    response = client.post(
        url("item_new", SLUG, "evaluatie"),
        {
            "evaluatie-nieuw-month": "2023-06",
            "evaluatie-nieuw-intervention": peuterplus.pk,
            "evaluatie-nieuw-description": "Evaluatie Peuterplus Vianen",
        },
    )
    assert response.status_code == 302
    moment = EvaluationMoment.objects.get(description="Evaluatie Peuterplus Vianen")
    assert moment.intervention == peuterplus


def test_the_agenda_facts_are_changed_with_dutch_messages(client, trio, concept):
    client.force_login(trio["member"])
    address = url("facts", SLUG)
    fields = {
        "title": concept.title,
        "kind": concept.kind,
        "period_start": "2022-01-01",
        "period_end": "2021-01-01",
        "vision": "Ieder kind heeft recht op optimale kansen.",
    }
    response = client.post(address, fields)
    assert response.status_code == 400
    assert "De looptijd kan niet eindigen voordat hij begint." in main_text(response)
    assert client.post(address, fields | {"period_end": "2024-12-31"}).status_code == 302
    concept.refresh_from_db()
    assert concept.vision == "Ieder kind heeft recht op optimale kansen."
    client.force_login(trio["other_role"])
    assert client.get(address).status_code == 403
