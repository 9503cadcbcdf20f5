"""Who leads, takes part in and pays for an activity or intervention: one voortrekker,
partners and financiers, each an organisation of the register, a person of one, or a
party the text only names. Set through ``services.set_roles``, with history and audit."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kansrijk.agenda import services
from kansrijk.agenda.models import (
    Activity,
    ActivityKind,
    AgendaKind,
    FundingLine,
    Intervention,
    Involvement,
    InvolvementRole,
)
from kansrijk.agenda.services import Party
from kansrijk.audit.models import AuditEvent
from kansrijk.organisations.models import Role
from kansrijk.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(make_member, municipality_organisation):
    return make_member(municipality_organisation)


@pytest.fixture
def agenda(editor, municipality_organisation):
    return services.create_agenda(
        actor=editor,
        owners=[municipality_organisation],
        slug="maassluis-onderwijskansen",
        title="Uitvoeringsnotitie Onderwijskansen Maassluis 2019-2022",
        kind=AgendaKind.EDUCATIONAL_OPPORTUNITIES,
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2022, 12, 31),
    )


@pytest.fixture
def activity(agenda, editor):
    return services.save_item(
        Activity(agenda=agenda, external_id="vve-bereik"),
        actor=editor,
        kind=ActivityKind.MAIN,
        title="Toeleiding naar VVE door de jeugdverpleegkundigen",
    )


@pytest.fixture
def intervention(agenda, editor):
    return services.save_item(
        Intervention(agenda=agenda, external_id="oza"),
        actor=editor,
        name="Onderwijszorgarrangementen",
    )


def roles_of(item) -> dict[str, list[str]]:
    return {
        role: [party.label for party in parties]
        for role, parties in services.current_roles(item).items()
    }


@pytest.mark.parametrize("item_fixture", ["activity", "intervention"])
def test_set_roles_names_voortrekker_partners_and_financiers(
    request, item_fixture, editor, municipality_organisation, other_municipality_organisation
):
    item = request.getfixturevalue(item_fixture)
    changed = services.set_roles(
        item,
        voortrekker=municipality_organisation,
        partners=[other_municipality_organisation, "alle kinderopvanginstellingen"],
        financiers=[municipality_organisation],
        actor=editor,
    )
    assert changed
    assert roles_of(item) == {
        InvolvementRole.LEAD: [municipality_organisation.name],
        InvolvementRole.PARTNER: [
            other_municipality_organisation.name,
            "alle kinderopvanginstellingen",
        ],
        InvolvementRole.FUNDER: [municipality_organisation.name],
    }
    event = AuditEvent.objects.get(action=f"agenda.{type(item).__name__.lower()}.roles")
    assert event.actor == editor
    assert event.after["lead"] == [municipality_organisation.name]
    assert event.before == {"lead": [], "partner": [], "funder": []}
    history = Involvement.history.filter(role="lead").get()
    assert history.history_user == editor


def test_the_same_roles_again_change_nothing(activity, editor, municipality_organisation):
    arguments = {
        "voortrekker": municipality_organisation,
        "partners": ["samenwerkingsverbanden"],
        "financiers": [],
        "actor": editor,
    }
    assert services.set_roles(activity, **arguments)
    events = AuditEvent.objects.count()
    rows = list(activity.involvements.values_list("pk", flat=True))
    assert not services.set_roles(activity, **arguments)
    assert AuditEvent.objects.count() == events
    assert list(activity.involvements.values_list("pk", flat=True)) == rows


def test_changing_the_voortrekker_keeps_the_others(
    activity, editor, municipality_organisation, other_municipality_organisation
):
    services.set_roles(
        activity,
        voortrekker=municipality_organisation,
        partners=["samenwerkingsverbanden"],
        financiers=[],
        actor=editor,
    )
    partner_row = activity.involvements.get(role="partner")
    services.set_roles(
        activity,
        voortrekker=other_municipality_organisation,
        partners=["samenwerkingsverbanden"],
        financiers=[],
        actor=editor,
    )
    assert roles_of(activity)["lead"] == [other_municipality_organisation.name]
    assert activity.involvements.get(role="partner").pk == partner_row.pk
    event = AuditEvent.objects.filter(action="agenda.activity.roles").latest("pk")
    assert event.before["lead"] == [municipality_organisation.name]
    assert event.after["lead"] == [other_municipality_organisation.name]


def test_one_voortrekker(
    activity, editor, municipality_organisation, other_municipality_organisation
):
    with pytest.raises(ValidationError, match="één voortrekker"):
        services.set_roles(
            activity,
            voortrekker=[municipality_organisation, other_municipality_organisation],
            partners=[],
            financiers=[],
            actor=editor,
        )
    assert not activity.involvements.exists()
    # The database holds to it too, whoever writes.
    Involvement.objects.create(
        activity=activity, organisation=municipality_organisation, role="lead"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Involvement.objects.create(
            activity=activity, organisation=other_municipality_organisation, role="lead"
        )


def test_no_voortrekker_while_none_is_named(activity, editor, municipality_organisation):
    services.set_roles(
        activity, voortrekker=municipality_organisation, partners=[], financiers=[], actor=editor
    )
    services.set_roles(activity, voortrekker=None, partners=[], financiers=[], actor=editor)
    assert not activity.involvements.exists()


def test_a_party_twice_in_one_role_or_lead_and_partner_is_refused(
    activity, editor, municipality_organisation
):
    with pytest.raises(ValidationError, match="twee keer bij de partners"):
        services.set_roles(
            activity,
            voortrekker=None,
            partners=[municipality_organisation, municipality_organisation],
            financiers=[],
            actor=editor,
        )
    with pytest.raises(ValidationError, match="al voortrekker"):
        services.set_roles(
            activity,
            voortrekker=municipality_organisation,
            partners=[municipality_organisation],
            financiers=[],
            actor=editor,
        )
    # Leading and paying is common (the gemeente in seed 004).
    services.set_roles(
        activity,
        voortrekker=municipality_organisation,
        partners=[],
        financiers=[municipality_organisation],
        actor=editor,
    )
    assert activity.involvements.count() == 2


def test_a_person_of_the_organisation_can_be_voortrekker(
    activity, editor, make_member, municipality_organisation, other_municipality_organisation
):
    person = make_member(
        municipality_organisation, Role.PARTNER, first_name="Caren", last_name="Julien"
    )
    services.set_roles(
        activity,
        voortrekker=Party(organisation=municipality_organisation, person=person),
        partners=[],
        financiers=[],
        actor=editor,
    )
    lead = activity.involvements.get(role="lead")
    assert lead.person == person
    assert lead.party_label() == f"Caren Julien ({municipality_organisation.name})"

    stranger = make_member(other_municipality_organisation, Role.PARTNER)
    with pytest.raises(ValidationError) as refused:
        services.set_roles(
            activity,
            voortrekker=Party(organisation=municipality_organisation, person=stranger),
            partners=[],
            financiers=[],
            actor=editor,
        )
    assert "werkt niet (meer) voor" in str(refused.value)
    assert activity.involvements.get(role="lead").person == person


def test_a_person_needs_an_organisation(activity):
    person = factories.UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Involvement.objects.create(activity=activity, person=person, party_name="Jan", role="lead")


def test_executors_of_the_text_are_left_alone(activity, editor, municipality_organisation):
    Involvement.objects.create(activity=activity, party_name="consultatiebureaus", role="executor")
    services.set_roles(
        activity, voortrekker=municipality_organisation, partners=[], financiers=[], actor=editor
    )
    assert activity.involvements.filter(role="executor").count() == 1


def test_roles_are_for_activities_and_interventions(agenda, editor, municipality_organisation):
    with pytest.raises(TypeError):
        services.set_roles(
            agenda,
            voortrekker=municipality_organisation,
            partners=[],
            financiers=[],
            actor=editor,
        )


# ------------------------------------------------------------------ who pays


def test_the_financing_page_splits_an_arrangement_per_payer_and_year(
    client, agenda, editor, intervention, municipality_organisation, other_municipality_organisation
):
    """Seed 004's onderwijszorgarrangement: the gemeente circa € 150.000 a year, the
    partners the rest without saying who; here with a second year and a named partner."""
    lines = [
        ("oza-gemeente-2022", 2022, "municipal_education", municipality_organisation, 150_000),
        ("oza-partners-2022", 2022, "partner_contribution", None, 200_000),
        ("oza-gemeente-2023", 2023, "municipal_education", municipality_organisation, 150_000),
        ("oza-partner-2023", 2023, "partner_contribution", other_municipality_organisation, 80_000),
    ]
    for external_id, year, source, payer, amount in lines:
        services.save_item(
            FundingLine(intervention=intervention, external_id=external_id),
            actor=editor,
            year=year,
            source=source,
            payer=payer,
            planned_amount=Decimal(amount),
            is_estimate=True,
        )
    client.force_login(editor)
    response = client.get(f"/agenda/{agenda.slug}/financiering/")
    (split,) = response.context["payer_splits"]
    assert split.years == [2022, 2023]
    assert [(row.label, [split.cells(row)]) for row in split.rows] == [
        (municipality_organisation.name, [[Decimal("150000.00"), Decimal("150000.00")]]),
        (other_municipality_organisation.name, [[None, Decimal("80000.00")]]),
        ("eigen bijdrage partners: niet vastgelegd wie betaalt", [[Decimal("200000.00"), None]]),
    ]
    assert split.year_totals == [Decimal("350000.00"), Decimal("230000.00")]
    text = response.content.decode().replace("\xa0", " ")
    assert "Wie betaalt wat" in text
    assert "circa € 580.000" in text
    assert "niet vastgelegd wie betaalt" in text


def test_the_payer_is_an_organisation_of_the_register(intervention, editor):
    line = services.save_item(
        FundingLine(intervention=intervention, external_id="oza-2022"),
        actor=editor,
        year=2022,
        source="partner_contribution",
        planned_amount=Decimal(200_000),
    )
    assert line.payer is None  # nobody named: allowed, and shown as such
    history = line.history.latest()
    assert history.payer is None


def test_the_activity_page_names_the_person_who_leads(
    client, agenda, editor, activity, make_member, municipality_organisation
):
    person = make_member(
        municipality_organisation, Role.PARTNER, first_name="Caren", last_name="Julien"
    )
    services.set_roles(
        activity,
        voortrekker=Party(organisation=municipality_organisation, person=person),
        partners=["jeugdverpleegkundigen"],
        financiers=[],
        actor=editor,
    )
    client.force_login(editor)
    response = client.get(f"/agenda/{agenda.slug}/activiteiten/{activity.external_id}/")
    text = response.content.decode()
    assert f"Caren Julien ({municipality_organisation.name})" in text
    assert "(voortrekker)" in text and "jeugdverpleegkundigen" in text


def test_the_card_names_the_payer_of_each_line(
    client, agenda, editor, intervention, municipality_organisation
):
    for external_id, payer in (("oza-gemeente-2022", municipality_organisation), ("oza-p", None)):
        services.save_item(
            FundingLine(intervention=intervention, external_id=external_id),
            actor=editor,
            year=2022,
            source="partner_contribution" if payer is None else "municipal_education",
            payer=payer,
            planned_amount=Decimal(150_000 if payer else 200_000),
        )
    client.force_login(editor)
    response = client.get(f"/agenda/{agenda.slug}/interventies/{intervention.external_id}/")
    text = response.content.decode()
    assert "Betaler" in text
    assert municipality_organisation.name in text and "niet vastgelegd" in text
