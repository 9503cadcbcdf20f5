"""Writing an agenda through the services: start, copy, change, move, archive, roles, a
goal's indicator and a new concept of an adopted agenda; each audited and in history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kansrijk.agenda import authoring, services
from kansrijk.agenda.models import (
    Activity,
    ActivityKind,
    Agenda,
    AgendaKind,
    AgendaStatus,
    FundingLine,
    Goal,
    Intervention,
    Involvement,
    InvolvementRole,
    Spearhead,
)
from kansrijk.agenda.tests.test_views import SLUG, load_sample_agenda
from kansrijk.audit.models import AuditEvent
from kansrijk.indicators.models import Indicator

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted(tmp_path, network):
    agenda = load_sample_agenda(tmp_path, network)
    services.save_version(agenda, actor=None, label="Vastgesteld")
    return agenda


def activity(agenda, external_id) -> Activity:
    return Activity.objects.get(agenda=agenda, external_id=external_id)


def test_an_agenda_starts_empty_as_a_concept_of_the_users_organisation(network, editor):
    agenda = authoring.start_agenda(
        actor=editor,
        owner=network["gemeente"],
        title="Uitvoeringsnota onderwijskansen Maassluis",
        kind=AgendaKind.EDUCATIONAL_OPPORTUNITIES,
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2022, 12, 31),
    )
    assert agenda.slug == "uitvoeringsnota-onderwijskansen-maassluis-2019-2022"
    assert agenda.status == AgendaStatus.CONCEPT
    assert list(agenda.owners.all()) == [network["gemeente"]]
    assert network["region"] in agenda.regions.all()
    assert AuditEvent.objects.filter(action="agenda.create", target_id=str(agenda.pk)).exists()
    again = authoring.start_agenda(
        actor=editor,
        owner=network["gemeente"],
        title="Uitvoeringsnota onderwijskansen Maassluis",
        kind=AgendaKind.EDUCATIONAL_OPPORTUNITIES,
        period_start=datetime.date(2019, 1, 1),
        period_end=datetime.date(2022, 12, 31),
    )
    assert again.slug == "uitvoeringsnota-onderwijskansen-maassluis-2019-2022-2"


def test_a_copy_carries_the_living_tree_with_its_parents_months_roles_and_money(
    concept, network, editor
):
    authoring.archive(Goal.objects.get(agenda=concept, external_id="doel-07"), actor=editor)
    copy = authoring.start_agenda(
        actor=editor,
        owner=network["gemeente"],
        title="Uitvoeringsagenda 2025-2027",
        kind=AgendaKind.EXECUTION_AGENDA,
        period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2027, 12, 31),
        copy_of=concept,
    )
    assert copy.pk != concept.pk and copy.status == AgendaStatus.CONCEPT
    assert set(copy.spearheads.values_list("external_id", flat=True)) == {"sp1", "sp2"}
    # The archived goal and its activities stay behind.
    assert set(copy.goals.values_list("external_id", flat=True)) == {"doel-01", "doel-02"}
    sub = activity(copy, "doel-02-sub-1")
    assert sub.parent.agenda_id == copy.pk and sub.parent.external_id == "doel-02-hoofd-1"
    original_main = activity(concept, "doel-02-hoofd-1")
    main = activity(copy, "doel-02-hoofd-1")
    assert list(main.planned_months.values_list("month", flat=True)) == list(
        original_main.planned_months.values_list("month", flat=True)
    )
    assert (
        main.involvements.filter(role=InvolvementRole.LEAD).get().organisation
        == (network["gemeente"])
    )
    peuterplus = Intervention.objects.get(agenda=copy, external_id="peuterplus")
    assert peuterplus.funding_lines.count() == 5
    assert copy.evaluation_moments.count() == concept.evaluation_moments.count()
    # The original is untouched.
    assert concept.activities.count() == Activity.objects.filter(agenda=concept).count()
    assert AuditEvent.objects.filter(action="agenda.copy").count() == 1


def test_an_adopted_agenda_is_not_changed_in_place(adopted, editor):
    goal = Goal.objects.get(agenda=adopted, external_id="doel-02")
    with pytest.raises(authoring.NotEditable):
        authoring.save_item(goal, actor=editor, text="Anders")
    with pytest.raises(authoring.NotEditable):
        authoring.move(goal, actor=editor, direction="up")
    with pytest.raises(authoring.NotEditable):
        authoring.archive(goal, actor=editor)


def test_new_items_go_last_and_move_up_and_down(concept, editor):
    goal = Goal.objects.get(agenda=concept, external_id="doel-02")
    first = activity(concept, "doel-02-hoofd-1")
    new = authoring.save_item(
        Activity(agenda=concept, goal=goal, kind=ActivityKind.MAIN, external_id="nieuw"),
        actor=editor,
        title="Kijkje in elkaars keuken",
    )
    order = lambda: [a.external_id for a in authoring.siblings(first)]  # noqa: E731
    assert order()[-1] == "nieuw"
    assert authoring.move(new, actor=editor, direction="up")
    assert order().index("nieuw") == len(order()) - 2
    top = authoring.siblings(first).first()
    assert authoring.move(top, actor=editor, direction="up") is False
    assert new.history.count() >= 2


def test_a_main_activity_moves_to_another_goal_with_its_sub_activities(concept, editor):
    main = activity(concept, "doel-02-hoofd-1")
    goal_7 = Goal.objects.get(agenda=concept, external_id="doel-07")
    authoring.move_to(main, goal_7, actor=editor)
    main.refresh_from_db()
    assert main.goal == goal_7
    assert set(main.children.values_list("goal_id", flat=True)) == {goal_7.pk}
    assert main.history.first().history_user == editor


def test_a_sub_activity_moves_to_another_main_activity(concept, editor):
    sub = activity(concept, "doel-02-sub-1")
    other_main = activity(concept, "doel-07-hoofd-1")
    authoring.move_to(sub, other_main, actor=editor)
    sub.refresh_from_db()
    assert sub.parent == other_main and sub.goal == other_main.goal


def test_a_goal_moves_to_another_spearhead_or_to_none(concept, editor):
    goal = Goal.objects.get(agenda=concept, external_id="doel-02")
    sp2 = Spearhead.objects.get(agenda=concept, external_id="sp2")
    authoring.move_to(goal, sp2, actor=editor)
    assert Goal.objects.get(pk=goal.pk).spearhead == sp2
    authoring.move_to(goal, None, actor=editor)
    assert Goal.objects.get(pk=goal.pk).spearhead is None


def test_an_item_does_not_move_where_it_cannot_go(concept, editor, tmp_path, network):
    other = load_sample_agenda(tmp_path, network, slug="andere-agenda", status="concept")
    main = activity(concept, "doel-02-hoofd-1")
    with pytest.raises(ValidationError):
        authoring.move_to(main, Goal.objects.get(agenda=other, external_id="doel-07"), actor=editor)


def test_archiving_a_goal_archives_its_activities_and_keeps_them(concept, editor):
    goal = Goal.objects.get(agenda=concept, external_id="doel-02")
    authoring.archive(goal, actor=editor, on=datetime.date(2026, 12, 7))
    assert Goal.objects.get(pk=goal.pk).archived_on == datetime.date(2026, 12, 7)
    assert not concept.activities.filter(goal=goal, archived_on=None).exists()
    assert concept.activities.filter(goal=goal).exists()
    # Archived items count as removed in the diff to an earlier version.
    assert "goal:doel-02" not in authoring.current_snapshot(concept)


def test_roles_name_one_voortrekker_and_keep_parties_named_as_text(concept, network, editor):
    main = activity(concept, "doel-02-hoofd-1")
    audited = AuditEvent.objects.filter(action="agenda.activity.roles", actor=editor)
    changed = authoring.set_roles(
        main,
        actor=editor,
        lead=network["library"],
        partners=[network["swv"]],
        funders=[network["gemeente"]],
    )
    assert changed
    roles = set(main.involvements.exclude(organisation=None).values_list("role", "organisation"))
    assert roles == {
        ("lead", network["library"].pk),
        ("partner", network["swv"].pk),
        ("funder", network["gemeente"].pk),
    }
    assert main.involvements.filter(party_name="jeugdteams").exists()
    assert not authoring.set_roles(
        main,
        actor=editor,
        lead=network["library"],
        partners=[network["swv"]],
        funders=[network["gemeente"]],
    )
    assert audited.count() == 1


def test_a_goal_gets_an_indicator_with_baseline_and_target(concept, network, editor):
    goal = Goal.objects.get(agenda=concept, external_id="doel-02")
    indicator = authoring.add_goal_indicator(
        goal,
        actor=editor,
        name="Bereik VVE",
        unit="percentage",
        baseline_value=Decimal(72),
        baseline_year=2019,
        target_value=Decimal(90),
        target_year=2021,
    )
    assert list(indicator.goals.all()) == [goal]
    assert (
        indicator.baselines.get().value == 72 and indicator.baselines.get().period_label == "2019"
    )
    assert indicator.targets.get().value == 90
    assert indicator.baselines.get().region == network["region"]
    authoring.remove_goal_indicator(goal, indicator, actor=editor)
    assert Indicator.objects.filter(pk=indicator.pk).exists() and not goal.indicators.exists()


def test_an_adopted_agenda_changes_in_a_new_concept_and_shows_the_diff(adopted, editor):
    services.set_publication(adopted, actor=editor, is_public=True)
    version = authoring.open_new_concept(adopted, actor=editor)
    adopted.refresh_from_db()
    assert adopted.status == AgendaStatus.CONCEPT and not adopted.is_public
    assert authoring.last_adopted_version(adopted) == version
    main = activity(adopted, "doel-07-hoofd-1")
    authoring.save_item(main, actor=editor, title="Schoolaanwezigheid monitoren per kwartaal")
    changes = authoring.changes_since_adoption(adopted)
    changed = {item["key"]: item for item in changes["diff"]["changed"]}
    assert ("title", main.title) in [
        (change.field, change.after) for change in changed["activity:doel-07-hoofd-1"]["fields"]
    ]
    with pytest.raises(ValidationError):
        authoring.open_new_concept(adopted, actor=editor)


def test_external_ids_of_new_items_are_free(concept):
    assert authoring.next_external_id(concept, Goal, "doel") not in set(
        concept.goals.values_list("external_id", flat=True)
    )
    assert authoring.next_external_id(concept, FundingLine, "financiering") == "financiering-6"


def test_involvements_are_replaced_not_added(concept, network, editor):
    main = activity(concept, "doel-02-hoofd-1")
    authoring.set_roles(main, actor=editor, lead=network["swv"])
    assert Involvement.objects.filter(activity=main, role="lead").count() == 1
    assert Agenda.objects.get(pk=concept.pk).status == AgendaStatus.CONCEPT
    assert concept.slug == SLUG
