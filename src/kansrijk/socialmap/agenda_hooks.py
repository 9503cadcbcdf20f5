"""The services of the sociale kaart under each goal of an agenda page: those that serve
the goal, and those that carry out an intervention linked to it. Registered with
``kansrijk.agenda.extensions`` from ``SocialmapConfig.ready()``; two queries per page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from kansrijk.agenda.extensions import GoalSection, register_goal_section

from .models import Service


@register_goal_section
def services_of_goals(user, goals) -> dict[int, GoalSection]:
    goal_ids = [goal.pk for goal in goals]
    visible = Service.objects.visible_to(user).values("pk")
    direct = Service.goals.through.objects.filter(
        goal_id__in=goal_ids, service_id__in=visible
    ).values_list("goal_id", "service__uuid", "service__name")
    through_interventions = Service.interventions.through.objects.filter(
        intervention__goals__in=goal_ids, service_id__in=visible
    ).values_list("intervention__goals", "service__uuid", "service__name")
    links: dict[int, dict] = {}
    for goal_id, uuid, name in [*direct, *through_interventions]:
        links.setdefault(goal_id, {})[uuid] = name
    return {
        goal_id: GoalSection(
            title=_("Aanbod op de sociale kaart"),
            links=[
                (name, reverse("socialmap:detail", args=[uuid]))
                for uuid, name in sorted(services.items(), key=lambda item: item[1])
            ],
        )
        for goal_id, services in links.items()
    }
