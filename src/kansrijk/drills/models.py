"""The record of the two-worker drill (decision 0046): each run of its task leaves one row.

The task's key is unique and every further run of the same key adds to ``runs``, so a
task that two workers both ran shows as ``runs`` 2 (or as a refused insert), never as two
rows that look fine.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerDrillRun(models.Model):
    key = models.CharField(_("sleutel"), max_length=64)
    runs = models.PositiveIntegerField(_("keer uitgevoerd"), default=1)
    worker_pid = models.PositiveIntegerField(_("proces van de worker"))
    finished_at = models.DateTimeField(_("klaar om"), auto_now=True)

    class Meta:
        verbose_name = _("run van de worker-oefening")
        verbose_name_plural = _("runs van de worker-oefening")
        constraints = [models.UniqueConstraint(fields=["key"], name="one_worker_drill_run_per_key")]

    def __str__(self) -> str:
        return self.key
