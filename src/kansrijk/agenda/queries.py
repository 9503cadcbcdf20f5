"""Reads of agendas: who may see which agenda, and the aggregates the pages show."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class AgendaQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def visible_to(self, user):
        """Public agendas for everyone; for a logged-in user also the agendas their
        organisations own or take part in (an involvement on an activity or intervention),
        and those of the regions they work in."""
        if not user.is_authenticated:
            return self.public()
        if user.is_superuser:
            return self.all()
        from kansrijk.organisations.models import Membership, Organisation

        own_ids = Membership.objects.organisation_ids_of(user)
        region_ids = set(
            Organisation.served_regions.through.objects.filter(
                organisation_id__in=own_ids
            ).values_list("region_id", flat=True)
        ) | set(
            Organisation.objects.filter(pk__in=own_ids)
            .exclude(municipality=None)
            .values_list("municipality_id", flat=True)
        )
        from .models import Agenda, Involvement

        through = Agenda.regions.through.objects.filter(region_id__in=region_ids)
        owned = Agenda.owners.through.objects.filter(organisation_id__in=own_ids)
        involved = Involvement.objects.filter(organisation_id__in=own_ids)
        return self.filter(
            Q(is_public=True)
            | Q(pk__in=owned.values("agenda_id"))
            | Q(pk__in=through.values("agenda_id"))
            | Q(pk__in=involved.exclude(activity=None).values("activity__agenda_id"))
            | Q(pk__in=involved.exclude(intervention=None).values("intervention__agenda_id"))
        )

    def editable_by(self, user):
        """Agendas a beleidsmedewerker or beheerder of an owning organisation may edit."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        from kansrijk.organisations.models import Membership, Role

        editor_orgs = Membership.objects.filter(
            user=user, is_active=True, role__in=[Role.POLICY_OFFICER, Role.ADMIN]
        ).values("organisation_id")
        from .models import Agenda

        owned = Agenda.owners.through.objects.filter(organisation_id__in=editor_orgs)
        return self.filter(pk__in=owned.values("agenda_id"))


def due_in_month(items, user, month):
    """The activities or interventions (``items``: their queryset) of the agendas ``user``
    may open, planned in ``month`` and involving an organisation ``user`` works for, or in
    an agenda one of them owns (the owner steers all of it, also what nobody leads yet):
    what the "deze maand" page lists and the home page counts. Archived items are not due."""
    from kansrijk.organisations.models import Membership

    from .models import Agenda

    mine = Membership.objects.filter(user=user, is_active=True).values("organisation_id")
    owned = Agenda.owners.through.objects.filter(organisation_id__in=mine).values("agenda_id")
    return items.filter(
        Q(involvements__organisation__in=mine) | Q(agenda__in=owned),
        archived_on=None,
        agenda__in=Agenda.objects.visible_to(user),
        planned_months__month=month,
    ).distinct()


# ------------------------------------------------------------------ what my organisations answer for
# The "deze maand" page and the reminders (decision 0039) ask the same question: which
# evaluation moments and commitments are the business of an organisation.


def _my_organisations(user):
    from kansrijk.organisations.models import Membership

    return Membership.objects.filter(user=user, is_active=True).values("organisation_id")


def evaluations_answered_by(organisations):
    """Evaluation moments of the agendas ``organisations`` (ids or a subquery) own, and
    of the interventions they take part in."""
    from .models import Agenda, EvaluationMoment, Involvement

    owned = Agenda.owners.through.objects.filter(organisation_id__in=organisations)
    involved = Involvement.objects.filter(organisation_id__in=organisations).exclude(
        intervention=None
    )
    return EvaluationMoment.objects.filter(
        Q(agenda__in=owned.values("agenda_id"))
        | Q(intervention__in=involved.values("intervention_id"))
    )


def commitments_answered_by(organisations):
    """Commitments ``organisations`` own, and those without an owner of the agendas they own."""
    from .models import Agenda, Commitment

    owned = Agenda.owners.through.objects.filter(organisation_id__in=organisations)
    return Commitment.objects.filter(
        Q(owner__in=organisations) | Q(owner=None, agenda__in=owned.values("agenda_id"))
    )


def my_evaluations(user):
    from .models import Agenda

    return evaluations_answered_by(_my_organisations(user)).filter(
        agenda__in=Agenda.objects.visible_to(user), archived_on=None, intervention__archived_on=None
    )


def my_commitments(user):
    from .models import Agenda

    return commitments_answered_by(_my_organisations(user)).filter(
        agenda__in=Agenda.objects.visible_to(user)
    )
