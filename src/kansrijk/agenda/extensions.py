"""Sections that other modules add under the goals of the agenda page (for example the
services of the sociale kaart that serve a goal).

A module registers a function ``(user, goals) -> {goal_pk: GoalSection}`` from its
``AppConfig.ready()``; the agenda calls every registered function once per page, so the
number of queries does not grow with the number of goals. The agenda never imports the
modules that register here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass
class GoalSection:
    title: str
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)


GoalSectionProvider = Callable[..., dict[int, GoalSection]]
GOAL_SECTIONS: list[GoalSectionProvider] = []


def register_goal_section(function: GoalSectionProvider) -> GoalSectionProvider:
    if function not in GOAL_SECTIONS:
        GOAL_SECTIONS.append(function)
    return function


def goal_sections(user, goals: Iterable) -> dict[int, list[GoalSection]]:
    goals = list(goals)
    sections: dict[int, list[GoalSection]] = defaultdict(list)
    if not goals:
        return sections
    for provider in GOAL_SECTIONS:
        for goal_pk, section in provider(user, goals).items():
            sections[goal_pk].append(section)
    return sections
