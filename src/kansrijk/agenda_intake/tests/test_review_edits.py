"""Who does what and who pays, edited on the review screen (decision 0053, later): an
officer changes an involvement's role, removes one, adds an organisation of the register
(typed or picked from the suggestions) or a party by name, sets or clears a funding
line's payer, and fills the intervention card; at most one voortrekker; what the officer
set is what the concept agenda gets."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from kansrijk.agenda.models import Activity, FundingLine, Intervention
from kansrijk.agenda_intake import register, services, tree
from kansrijk.agenda_intake.forms import ItemForm, initial_values
from kansrijk.agenda_intake.models import ItemDecision
from kansrijk.agenda_intake.proposal import Proposal
from kansrijk.organisations.models import OrganisationKind
from kansrijk.testing import factories

from .building import item, ready_draft, refreshed

pytestmark = pytest.mark.django_db


@pytest.fixture
def maassluis(maassluis):
    """The Maassluis of the review tests, with organisations to choose from."""
    region = maassluis["region"]
    library = factories.OrganisationFactory(
        name="Bibliotheek Maassluis", kind=OrganisationKind.LIBRARY, municipality=region
    )
    childcare = factories.OrganisationFactory(
        name="Kinderopvang Maassluis", code="KOM01", kind=OrganisationKind.CHILDCARE
    )
    childcare.served_regions.add(region)
    elsewhere = factories.MunicipalityFactory(code="GM0599", name="Rotterdam")
    far_library = factories.OrganisationFactory(
        name="Bibliotheek Rotterdam", kind=OrganisationKind.LIBRARY, municipality=elsewhere
    )
    # Two schools of one name and no code: no agenda file can point at either.
    for _ in range(2):
        factories.OrganisationFactory(
            name="De Regenboog", kind=OrganisationKind.SCHOOL_LOCATION, municipality=region
        )
    return {
        **maassluis,
        "library": library,
        "childcare": childcare,
        "far_library": far_library,
    }


def proposal() -> Proposal:
    return Proposal(
        agenda={
            "title": "Uitvoeringsnota Onderwijskansenbeleid",
            "kind": "educational_opportunities",
            "period_start": "2019-01-01",
            "period_end": "2022-12-31",
        },
        items=[
            item("goal-1", "goal", number="1", text="Voorkomen dat de achterstand groeit."),
            item(
                "activity-1-1",
                "activity",
                "goal-1",
                title="Voorlezen op de peuteropvang",
                involvements=[
                    {"organisation": "GM0556", "role": "lead"},
                    {"party": "scholen", "role": "executor"},
                    {"organisation": "Nergens Bekend", "role": "partner"},
                ],
            ),
            item(
                "funding-1-1",
                "funding",
                "activity-1-1",
                year=2020,
                source="oab",
                planned_amount=12000,
                notes="",
            ),
            item("intervention-1", "intervention", "goal-1", name="VVE thuis"),
        ],
    )


@pytest.fixture
def draft(maassluis):
    return ready_draft(maassluis, proposal())


def item_form(draft, key: str, data: dict | None = None) -> ItemForm:
    item = tree.by_key(draft.proposal)[key]
    return ItemForm(data, kind=item["kind"], initial=initial_values(item), owner=draft.owner)


def activity_post(**changes) -> dict:
    """The activity's edit form as the page posts it, with ``changes``."""
    return {
        "title": "Voorlezen op de peuteropvang",
        "involvement_0_role": "lead",
        "involvement_1_role": "executor",
        "involvement_2_role": "partner",
        **changes,
    }


# ------------------------------------------------------------------ the register


def test_an_organisation_is_found_by_code_name_suggestion_or_a_part_of_its_name(maassluis):
    suggested = register.candidates(maassluis["gemeente"])
    library, childcare = maassluis["library"], maassluis["childcare"]
    assert register.find("KOM01", suggested) == childcare
    assert register.find("kinderopvang maassluis", suggested) == childcare
    assert register.find("Gemeente Maassluis (GM0556)", suggested) == maassluis["gemeente"]
    assert register.find("bibliotheek maas", suggested) == library
    # A part of a name is looked for in the owner's gemeenten only; an exact name anywhere.
    assert maassluis["far_library"] not in suggested
    assert register.find("Bibliotheek Rotterdam", suggested) == maassluis["far_library"]
    with pytest.raises(register.NotFound, match="Geen organisatie in het register past bij"):
        register.find("bibliotheek rotter", suggested)
    assert register.find("bibliotheek", suggested) == library
    with pytest.raises(register.NotFound, match="meer dan één organisatie: "):
        register.find("maassluis", suggested)
    # What the proposal keeps: the code, else the name, where it names one organisation.
    assert register.reference_of(childcare) == "KOM01"
    assert register.reference_of(library) == "Bibliotheek Maassluis"
    regenboog = list(suggested.filter(name="De Regenboog"))
    assert len(regenboog) == 2 and register.reference_of(regenboog[0]) is None
    assert register.names(["GM0556", "Bibliotheek Maassluis", "De Regenboog", "?"]) == {
        "GM0556": maassluis["gemeente"],
        "Bibliotheek Maassluis": library,
    }


# ------------------------------------------------------------------ the form


def test_the_form_changes_a_role_removes_one_and_adds_an_organisation(draft, maassluis):
    form = item_form(
        draft,
        "activity-1-1",
        activity_post(
            involvement_0_role="partner",
            involvement_1_remove="on",
            new_organisation="bibliotheek maas",
            new_role="lead",
        ),
    )
    assert form.is_valid(), form.errors
    assert form.values()["involvements"] == [
        {"organisation": "GM0556", "role": "partner"},
        {"organisation": "Nergens Bekend", "role": "partner"},
        {"organisation": "Bibliotheek Maassluis", "role": "lead"},
    ]


def test_the_form_adds_a_party_by_name(draft, maassluis):
    form = item_form(
        draft, "activity-1-1", activity_post(new_party="  de   ouders ", new_role="executor")
    )
    assert form.is_valid(), form.errors
    assert form.values()["involvements"][-1] == {"party": "de ouders", "role": "executor"}


def test_the_form_shows_the_proposed_roles_in_dutch_and_suggests_the_register(draft):
    form = item_form(draft, "activity-1-1")
    rows = form.involvement_rows()
    assert [(row.name, row.registered) for row in rows] == [
        ("Gemeente Maassluis", True),
        ("scholen", True),
        ("Nergens Bekend", False),
    ]
    assert rows[0].role.label == "Rol van Gemeente Maassluis"
    html = str(rows[0].role)
    assert '<option value="lead" selected>Voortrekker</option>' in html
    assert "Staat niet in het register" in rows[2].role.help_text
    widget = str(form["new_organisation"])
    assert 'list="id_new_organisation_suggestions"' in widget
    assert '<option value="Kinderopvang Maassluis (KOM01)">' in widget
    assert "Bibliotheek Rotterdam" not in widget


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"involvement_2_role": "lead"},
            "involvement_2_role",
            "Gemeente Maassluis is al voortrekker, en een onderdeel heeft hoogstens één",
        ),
        (
            {"new_organisation": "KOM01", "new_role": "lead"},
            "new_role",
            "Gemeente Maassluis is al voortrekker",
        ),
        (
            {"new_organisation": "Onbekende Stichting", "new_role": "partner"},
            "new_organisation",
            "Geen organisatie in het register past bij ‘Onbekende Stichting’",
        ),
        (
            {"new_organisation": "maassluis", "new_role": "partner"},
            "new_organisation",
            "past bij meer dan één organisatie",
        ),
        (
            {"new_organisation": "De Regenboog", "new_role": "partner"},
            "new_organisation",
            "meer dan één organisatie ‘De Regenboog’ zonder code",
        ),
        (
            {"new_organisation": "KOM01", "new_party": "ouders", "new_role": "partner"},
            "new_party",
            "niet allebei",
        ),
        ({"new_party": "ouders"}, "new_role", "Kies de rol van wie je toevoegt."),
        ({"new_role": "funder"}, "new_organisation", "Kies een organisatie of vul een partij"),
        (
            {"new_organisation": "GM0556", "new_role": "funder"},
            "new_organisation",
            "Gemeente Maassluis staat er al bij",
        ),
    ],
)
def test_the_form_names_the_field_that_is_wrong(draft, maassluis, changes, field, message):
    form = item_form(draft, "activity-1-1", activity_post(**changes))
    assert not form.is_valid()
    assert list(form.errors) == [field]
    assert message in form.errors[field][0]


def test_the_payer_is_set_by_name_or_suggestion_and_cleared(draft, maassluis):
    data = {"year": "2020", "source": "oab", "planned_amount": "12000"}
    form = item_form(draft, "funding-1-1", {**data, "payer": "Kinderopvang Maassluis (KOM01)"})
    assert form.is_valid(), form.errors
    assert form.values()["payer"] == "KOM01"
    services.edit_item(draft, "funding-1-1", form.values(), actor=maassluis["officer"])
    draft = refreshed(draft)
    shown = item_form(draft, "funding-1-1")
    assert 'value="Kinderopvang Maassluis (KOM01)"' in str(shown["payer"])

    cleared = item_form(draft, "funding-1-1", {**data, "payer": ""})
    assert cleared.is_valid() and cleared.values()["payer"] is None
    wrong = item_form(draft, "funding-1-1", {**data, "payer": "De Betaler BV"})
    assert not wrong.is_valid() and list(wrong.errors) == ["payer"]
    # A line without an amount could not be saved in the agenda.
    empty = item_form(draft, "funding-1-1", {**data, "planned_amount": ""})
    assert not empty.is_valid()
    assert empty.errors["planned_amount"] == ["Vul het begrote bedrag in."]


def test_the_intervention_card_keeps_what_the_file_format_allows(draft, maassluis):
    data = {
        "name": "VVE thuis",
        "goal_text": "Ouders lezen voor.",
        "target_group": "Peuters met een VVE-indicatie",
        "age_min": "2",
        "age_max": "3.5",
        "parties_text": "gemeente en bibliotheek",
        "activities_text": "Tien huisbezoeken.",
        "location_text": "Wijk Koningshoek",
        "locations": "GM0556",
        "planning_text": "schooljaar 2020-2021",
        "months": "2020-09, 2020-10",
        "monitoring_text": "Jaarlijks bereik.",
        "financing_text": "OAB",
        "online_information": "https://www.maassluis.nl/vve",
        "contact": "vve@maassluis.nl",
        "status": "running",
        "progress": "40",
        "new_organisation": "Bibliotheek Maassluis",
        "new_role": "executor",
    }
    form = item_form(draft, "intervention-1", data)
    assert form.is_valid(), form.errors
    values = form.values()
    assert values["age_min"] == 2 and values["age_max"] == 3.5
    assert values["locations"] == ["GM0556"] and values["months"] == ["2020-09", "2020-10"]
    assert values["involvements"] == [{"organisation": "Bibliotheek Maassluis", "role": "executor"}]

    wrong = item_form(
        draft, "intervention-1", {**data, "age_min": "6", "age_max": "4", "locations": "GM9999"}
    )
    assert not wrong.is_valid()
    assert "onder de leeftijd vanaf" in wrong.errors["age_max"][0]
    assert "geen regio met de code ‘GM9999’" in wrong.errors["locations"][0]


# ------------------------------------------------------------------ the service


def test_the_service_refuses_two_voortrekkers_and_involvements_on_a_goal(draft, maassluis):
    officer = maassluis["officer"]
    two = [{"organisation": "GM0556", "role": "lead"}, {"party": "scholen", "role": "lead"}]
    with pytest.raises(ValidationError, match="hoogstens één voortrekker"):
        services.edit_item(draft, "activity-1-1", {"involvements": two}, actor=officer)
    with pytest.raises(ValidationError):
        services.edit_item(draft, "goal-1", {"involvements": two[:1]}, actor=officer)
    with pytest.raises(ValidationError):
        services.edit_item(
            draft, "activity-1-1", {"involvements": [{"party": "x", "role": "boss"}]}, actor=officer
        )
    assert refreshed(draft).review == {}


# ------------------------------------------------------------------ the pages and the agenda


def test_what_the_officer_sets_is_what_the_concept_agenda_gets(client, draft, maassluis):
    client.force_login(maassluis["officer"])
    review = client.get(reverse("agenda_intake:draft", args=[draft.pk])).content.decode()
    assert "Gemeente Maassluis (voortrekker)" in review
    assert "scholen (uitvoerder)" in review
    assert "Nergens Bekend (partner; niet in het register, wordt een partij)" in review

    edit = reverse("agenda_intake:item_edit", args=[draft.pk, "activity-1-1"])
    page = client.get(edit).content.decode()
    assert "Wie doet wat" in page and "Een organisatie of partij toevoegen" in page

    refused = client.post(edit, activity_post(new_organisation="KOM01", new_role="lead"))
    assert refused.status_code == 400
    assert "Rol: Gemeente Maassluis is al voortrekker" in refused.content.decode()

    response = client.post(
        edit,
        activity_post(
            involvement_0_role="partner",
            involvement_1_remove="on",
            new_organisation="Kinderopvang Maassluis (KOM01)",
            new_role="lead",
        ),
    )
    assert response.status_code == 302
    funding = reverse("agenda_intake:item_edit", args=[draft.pk, "funding-1-1"])
    response = client.post(
        funding, {"year": "2020", "source": "oab", "planned_amount": "12000", "payer": "GM0556"}
    )
    assert response.status_code == 302
    review = client.get(reverse("agenda_intake:draft", args=[draft.pk])).content.decode()
    assert "Kinderopvang Maassluis (voortrekker)" in review
    assert "Gemeente Maassluis (partner)" in review
    assert "scholen (uitvoerder)" not in review

    client.post(reverse("agenda_intake:accept_open", args=[draft.pk]))
    response = client.post(reverse("agenda_intake:confirm", args=[draft.pk]))
    assert response.status_code == 302
    activity = Activity.objects.get(title="Voorlezen op de peuteropvang")
    assert sorted(
        (i.organisation.name if i.organisation else i.party_name, i.role)
        for i in activity.involvements.all()
    ) == [
        ("Gemeente Maassluis", "partner"),
        ("Kinderopvang Maassluis", "lead"),
        ("Nergens Bekend", "partner"),
    ]
    line = FundingLine.objects.get(activity=activity)
    assert line.payer == maassluis["gemeente"] and line.planned_amount == Decimal("12000")


def test_a_cleared_payer_and_cleared_ages_leave_the_agenda_without_them(draft, maassluis):
    officer = maassluis["officer"]
    services.edit_item(draft, "funding-1-1", {"payer": "GM0556"}, actor=officer)
    services.edit_item(draft, "funding-1-1", {"payer": None}, actor=officer)
    services.edit_item(
        draft,
        "intervention-1",
        {"age_min": None, "age_max": None, "progress": None, "involvements": []},
        actor=officer,
    )
    for key in ("goal-1", "activity-1-1"):
        services.decide(draft, key, ItemDecision.ACCEPTED, actor=officer)
    services.confirm(draft, actor=officer)
    assert FundingLine.objects.get().payer is None
    intervention = Intervention.objects.get()
    assert (intervention.age_min, intervention.age_max) == (None, None)
    assert not intervention.involvements.exists()
