"""Reads of the monitor: who sees which indicator and which measurements."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class IndicatorQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def visible_to(self, user):
        """Public indicators for everyone; for members also those owned by an
        organisation of their network (organisations.visible_to). An indicator that
        measures only goals of agendas the user may not open (a concept agenda of another
        gemeente) is as hidden as those agendas: not in a list, a count, a status, a chart,
        an export or the API."""
        if user.is_superuser:
            return self.all()
        if not user.is_authenticated:
            indicators = self.public()
        else:
            from kansrijk.organisations.models import Organisation

            network = Organisation.objects.visible_to(user).values("pk")
            indicators = self.filter(Q(is_public=True) | Q(owner__in=network) | Q(owner=None))
        return indicators.filter(_measures_an_open_agenda_or_none(user))

    def approvable_by(self, user):
        """The indicators whose figures ``user`` approves: those owned by an organisation
        they work for as beleidsmedewerker or beheerder (``rules.can_edit_indicator``)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from kansrijk.organisations.models import Membership, Role

        owners = Membership.objects.active_for(user, [Role.POLICY_OFFICER, Role.ADMIN])
        return self.filter(owner__in=owners.values("organisation_id"))


def _measures_an_open_agenda_or_none(user) -> Q:
    from kansrijk.agenda.models import Agenda

    from .models import Indicator

    links = Indicator.goals.through.objects
    open_goal_links = links.filter(goal__agenda__in=Agenda.objects.visible_to(user).values("pk"))
    return Q(pk__in=open_goal_links.values("indicator_id")) | ~Q(
        pk__in=links.values("indicator_id")
    )


class MeasurementQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(approval="approved")

    def waiting_for(self, user):
        """Submitted figures ``user`` may approve and did not enter: four eyes, so one's
        own figure waits for a colleague."""
        from .models import Indicator

        return self.filter(
            approval="submitted", indicator__in=Indicator.objects.approvable_by(user)
        ).exclude(entered_by=user)

    def published(self):
        """What may leave for the public page: approved figures of public indicators."""
        return self.approved().filter(indicator__is_public=True)
