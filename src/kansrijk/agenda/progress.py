"""Progress of an agenda, rolled up from its activities to goals, speerpunten and the
agenda itself (docs/decisions/0039-progress-roll-up-and-reminders.md).

The rule, in the words the pages use:

- An activity's **own value** is the percentage entered for it; without one, *afgerond*
  counts as 100%. Anything else without a percentage (gepland, lopend, uitgesteld) has
  **no value**: it is left out, never counted as 0%. A new activity is *gepland* by
  default, so that status says nothing about how far the work is.
- A *vervallen* (cancelled) activity does not count at all, nor does anything under it.
- An activity with sub-activities takes the **mean of its sub-activities that have a
  value**; when none has one, its own value.
- A goal is the mean of its activities (each main activity with what rolled up under it),
  a speerpunt the mean of its goals, the agenda the mean of its speerpunten and of the
  goals outside a speerpunt: **each child weighs the same**, and a child without a value
  is left out.
- Beside every value stands how many activities under it have a value of their own, so
  that "100%" of one activity in four reads as what it is.

The tree of a few hundred items is fetched once (three queries, or the rows a page has
already fetched) and walked in memory; no query per item.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from .models import ActivityKind, WorkStatus

# Lines of a planning table are not work of their own: they never count.
COUNTED_KINDS = frozenset({ActivityKind.MAIN, ActivityKind.SUB})


@dataclass(frozen=True)
class Progress:
    """A rolled-up percentage (``None``: nothing under it has a value) and how many of
    the activities under it (``total``, cancelled ones left out) have a value of their own."""

    value: int | None
    with_value: int = 0
    total: int = 0

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def is_partial(self) -> bool:
        return self.known and self.with_value < self.total


NO_PROGRESS = Progress(None)


def own_value(status: str, progress: int | None) -> float | None:
    """An activity's own value: the number entered, else 100 when afgerond, else none."""
    if progress is not None:
        return float(progress)
    if status == WorkStatus.DONE:
        return 100.0
    return None


def _mean(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return sum(known) / len(known) if known else None


def _percent(value: float | None) -> int | None:
    # Half up, as a reader rounds (Python's round() would give 0.5 → 0).
    return None if value is None else math.floor(value + 0.5)


@dataclass
class _Node:
    value: float | None
    with_value: int
    total: int


@dataclass
class AgendaProgress:
    """Progress of every activity, goal and speerpunt (by primary key) and of the agenda."""

    agenda: Progress = NO_PROGRESS
    spearheads: dict[int, Progress] = field(default_factory=dict)
    goals: dict[int, Progress] = field(default_factory=dict)
    activities: dict[int, Progress] = field(default_factory=dict)


def _combine(nodes: list[_Node]) -> _Node:
    return _Node(
        _mean(n.value for n in nodes),
        sum(n.with_value for n in nodes),
        sum(n.total for n in nodes),
    )


def _as_progress(node: _Node) -> Progress:
    return Progress(_percent(node.value), node.with_value, node.total)


def roll_up(spearheads, goals, activities) -> AgendaProgress:
    """Walk the tree once. ``spearheads`` need ``pk``; ``goals`` ``pk`` and
    ``spearhead_id``; ``activities`` ``pk``, ``goal_id``, ``parent_id``, ``kind``,
    ``status`` and ``progress`` (model instances or any objects with those attributes)."""
    counted = [
        a for a in activities if a.kind in COUNTED_KINDS and a.status != WorkStatus.CANCELLED
    ]
    by_pk = {a.pk: a for a in counted}
    children: dict[int, list] = defaultdict(list)
    top_by_goal: dict[int, list] = defaultdict(list)
    for activity in counted:
        if activity.parent_id in by_pk:
            children[activity.parent_id].append(activity)
        elif activity.parent_id is None and activity.goal_id is not None:
            top_by_goal[activity.goal_id].append(activity)
        # An activity under a cancelled parent goes with its parent; one without goal
        # or parent belongs to no goal and is not counted.

    nodes: dict[int, _Node] = {}

    def walk(activity, seen: frozenset) -> _Node:
        if activity.pk in nodes:
            return nodes[activity.pk]
        own = own_value(activity.status, activity.progress)
        kids = [
            walk(kid, seen | {activity.pk}) for kid in children[activity.pk] if kid.pk not in seen
        ]
        below = _combine(kids) if kids else _Node(None, 0, 0)
        node = _Node(
            below.value if below.value is not None else own,
            below.with_value + (own is not None),
            below.total + 1,
        )
        nodes[activity.pk] = node
        return node

    result = AgendaProgress()
    goal_nodes: dict[int, _Node] = {}
    goals_by_spearhead: dict[int | None, list[_Node]] = defaultdict(list)
    for goal in goals:
        node = _combine([walk(a, frozenset()) for a in top_by_goal[goal.pk]])
        goal_nodes[goal.pk] = node
        goals_by_spearhead[goal.spearhead_id].append(node)
        result.goals[goal.pk] = _as_progress(node)
    top_level = []
    for spearhead in spearheads:
        node = _combine(goals_by_spearhead[spearhead.pk])
        result.spearheads[spearhead.pk] = _as_progress(node)
        top_level.append(node)
    top_level.extend(goals_by_spearhead[None])
    result.agenda = _as_progress(_combine(top_level))
    # Activities reached from no goal still get their own figure (the activity page).
    for activity in counted:
        walk(activity, frozenset())
    result.activities = {pk: _as_progress(node) for pk, node in nodes.items()}
    return result


def agenda_progress(agenda) -> AgendaProgress:
    """The whole agenda in three queries, whatever its size."""
    return roll_up(
        agenda.spearheads.values_list("pk", named=True),
        agenda.goals.values_list("pk", "spearhead_id", named=True),
        agenda.activities.values_list(
            "pk", "goal_id", "parent_id", "kind", "status", "progress", named=True
        ),
    )


def activity_progress(activity, children) -> Progress:
    """One activity and its (already fetched) sub-activities, by the same rule."""
    kids = [c for c in children if c.status != WorkStatus.CANCELLED]
    own = own_value(activity.status, activity.progress)
    values = [own_value(c.status, c.progress) for c in kids]
    below = _mean(values)
    with_value = sum(v is not None for v in values) + (own is not None)
    return Progress(_percent(below if below is not None else own), with_value, len(kids) + 1)
