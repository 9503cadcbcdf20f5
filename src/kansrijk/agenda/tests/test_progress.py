"""Progress rolled up from activities to goals, speerpunten and the agenda (decision 0039):
the rule on plain rows, the "lopend" activity whose sub-activities have no value, and the
agenda page that shows it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from kansrijk.agenda import services
from kansrijk.agenda.models import Activity, ActivityKind, WorkStatus
from kansrijk.agenda.progress import Progress, activity_progress, agenda_progress, roll_up
from kansrijk.agenda.tests.test_views import (
    SLUG,
    build_network,
    load_sample_agenda,
    main_text,
    url,
)

MAIN, SUB, PLANNING = ActivityKind.MAIN, ActivityKind.SUB, ActivityKind.PLANNING
PLANNED, RUNNING, DONE = WorkStatus.PLANNED, WorkStatus.RUNNING, WorkStatus.DONE
POSTPONED, CANCELLED = WorkStatus.POSTPONED, WorkStatus.CANCELLED


def row(pk, *, goal=None, parent=None, kind=MAIN, status=PLANNED, progress=None):
    return SimpleNamespace(
        pk=pk, goal_id=goal, parent_id=parent, kind=kind, status=status, progress=progress
    )


def spearhead(pk):
    return SimpleNamespace(pk=pk)


def goal(pk, spearhead=None):
    return SimpleNamespace(pk=pk, spearhead_id=spearhead)


# ------------------------------------------------------------------ the rule


def test_a_running_activity_with_empty_sub_activities_is_not_zero():
    """The case of the issue: 'lopend', three sub-activities without a value. Before, the
    page said 'Voortgang: 0 %'; now the progress is not known."""
    activities = [
        row(1, goal=10, status=RUNNING),
        row(2, parent=1, kind=SUB),
        row(3, parent=1, kind=SUB),
        row(4, parent=1, kind=SUB, status=RUNNING),
    ]
    result = roll_up([], [goal(10)], activities)
    assert result.activities[1] == Progress(None, 0, 4)
    assert result.goals[10].value is None
    assert result.agenda.value is None and not result.agenda.known


def test_the_running_activity_keeps_its_own_number_when_its_children_are_empty():
    activities = [
        row(1, goal=10, status=RUNNING, progress=30),
        row(2, parent=1, kind=SUB),
        row(3, parent=1, kind=SUB, status=POSTPONED),
    ]
    assert roll_up([], [goal(10)], activities).goals[10] == Progress(30, 1, 3)


def test_empty_values_are_left_out_and_done_counts_as_100():
    activities = [
        row(1, goal=10, status=RUNNING),
        row(2, parent=1, kind=SUB, status=DONE),  # 100
        row(3, parent=1, kind=SUB, status=RUNNING, progress=40),
        row(4, parent=1, kind=SUB),  # planned, no number: left out, not 0
        row(5, parent=1, kind=SUB, status=CANCELLED, progress=0),  # does not count at all
    ]
    progress = roll_up([], [goal(10)], activities).activities[1]
    assert progress == Progress(70, 2, 4)
    assert progress.is_partial


def test_each_child_weighs_the_same_at_every_level():
    """Goal 10 has one activity at 100; goal 11 has three at 0, 0 and 30. The speerpunt is
    the mean of its goals (100 + 10) / 2 = 55, not of its four activities (32.5)."""
    goals = [goal(10, spearhead=1), goal(11, spearhead=1), goal(12)]
    activities = [
        row(1, goal=10, status=DONE),
        row(2, goal=11, progress=0),
        row(3, goal=11, progress=0),
        row(4, goal=11, progress=30),
        row(5, goal=12, progress=80),  # a goal outside a speerpunt weighs as one speerpunt
    ]
    result = roll_up([spearhead(1)], goals, activities)
    assert result.goals[10].value == 100
    assert result.goals[11].value == 10
    assert result.spearheads[1] == Progress(55, 4, 4)
    assert result.agenda == Progress(68, 5, 5)  # (55 + 80) / 2 = 67.5, half up


def test_a_goal_without_activities_with_a_value_is_left_out_of_the_speerpunt():
    goals = [goal(10, spearhead=1), goal(11, spearhead=1)]
    activities = [row(1, goal=10, progress=50), row(2, goal=11)]
    result = roll_up([spearhead(1)], goals, activities)
    assert result.goals[11] == Progress(None, 0, 1)
    assert result.spearheads[1] == Progress(50, 1, 2)


def test_planning_lines_cancelled_branches_and_loose_activities_do_not_count():
    activities = [
        row(1, goal=10, kind=PLANNING, status=DONE),
        row(2, goal=10, status=CANCELLED),
        row(3, parent=2, kind=SUB, status=DONE),  # under a cancelled parent
        row(4, status=DONE),  # no goal, no parent
        row(5, goal=10, progress=20),
    ]
    result = roll_up([], [goal(10)], activities)
    assert result.goals[10] == Progress(20, 1, 1)
    assert result.agenda == Progress(20, 1, 1)


def test_an_empty_agenda_has_no_progress():
    result = roll_up([spearhead(1)], [goal(10, spearhead=1)], [])
    assert result.agenda == Progress(None, 0, 0)
    assert result.spearheads[1].total == 0


def test_the_activity_page_reads_the_same_rule():
    parent = row(1, goal=10, status=RUNNING)
    assert activity_progress(parent, [row(2, kind=SUB), row(3, kind=SUB)]).value is None
    children = [row(2, kind=SUB, status=DONE), row(3, kind=SUB, progress=50)]
    assert activity_progress(parent, children).value == 75


# ------------------------------------------------------------------ in the database


@pytest.fixture
def agenda(tmp_path, municipality_organisation):
    """The sample agenda of the view tests (seed 002 and 004 in their own words)."""
    return load_sample_agenda(tmp_path, build_network(municipality_organisation))


@pytest.mark.django_db
def test_the_lopend_activity_page_no_longer_says_zero(client, user_trio, agenda):
    member = user_trio()["member"]
    parent = services.save_item(
        Activity(agenda=agenda, external_id="lopend"),
        actor=member,
        goal=agenda.goals.get(external_id="doel-07"),
        kind=ActivityKind.MAIN,
        title="Werkgroep schoolaanwezigheid",
        status=WorkStatus.RUNNING,
    )
    for number in range(3):
        services.save_item(
            Activity(agenda=agenda, external_id=f"lopend-{number}"),
            actor=member,
            parent=parent,
            kind=ActivityKind.SUB,
            title=f"Stap {number}",
        )
    client.force_login(member)
    response = client.get(url("activity", SLUG, "lopend"))
    text = main_text(response)
    assert response.context["progress"] is None
    assert "Voortgang: 0%" not in text
    assert "Nog geen voortgang bekend." in text


@pytest.mark.django_db
def test_agenda_progress_in_three_queries(agenda, django_assert_num_queries):
    with django_assert_num_queries(3):
        result = agenda_progress(agenda)
    goals = {g.external_id: g.pk for g in agenda.goals.all()}
    # Goal 2: its main activity is running without a number; its sub-activities are done
    # (100) and running at 40, the cancelled one left out: 70.
    assert result.goals[goals["doel-02"]] == Progress(70, 2, 3)
    # Goal 7: one main activity, planned, no number.
    assert result.goals[goals["doel-07"]] == Progress(None, 0, 1)
    # Goal 1 has only a line of the planning table, which is no work of its own.
    assert result.goals[goals["doel-01"]] == Progress(None, 0, 0)
    assert result.agenda == Progress(70, 2, 4)


@pytest.mark.django_db
def test_the_agenda_page_shows_progress_of_agenda_speerpunt_and_goal(client, user_trio, agenda):
    client.force_login(user_trio()["member"])
    response = client.get(url("detail", SLUG))
    html = response.content.decode()
    text = main_text(response)
    assert "De hele agenda: 70%" in text
    assert "2 van 4 activiteiten hebben een voortgang" in text
    assert (
        '<progress class="kansrijk-progress" id="agenda-progress-bar" max="100" value="70">' in html
    )
    assert 'for="speerpunt-sp1-voortgang">Voortgang van dit speerpunt: <strong>70%' in html
    assert 'for="doel-doel-02-voortgang">Voortgang: <strong>70%' in html
    # Goal 7 says it is not known, not 0%.
    assert (
        "Voortgang van dit speerpunt: nog niet bekend (de activiteit heeft nog geen voortgang)"
        in text
    )
    assert "Hoe de voortgang wordt berekend" in text
    # In the table the row of goal 7 stays quiet; its speerpunt says it.
    assert 'id="doel-doel-07-voortgang"' not in html
