"""Reads of the monitor: who sees which indicator and which measurements."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class IndicatorQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def visible_to(self, user):
        """Public indicators for everyone; for members also those owned by an
        organisation of their network (organisations.visible_to)."""
        if not user.is_authenticated:
            return self.public()
        if user.is_superuser:
            return self.all()
        from kansrijk.organisations.models import Organisation

        network = Organisation.objects.visible_to(user).values("pk")
        return self.filter(Q(is_public=True) | Q(owner__in=network) | Q(owner=None))


class MeasurementQuerySet(models.QuerySet):
    def approved(self):
        return self.filter(approval="approved")

    def published(self):
        """What may leave for the public page: approved figures of public indicators."""
        return self.approved().filter(indicator__is_public=True)
