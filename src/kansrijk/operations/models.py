from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last sign of life of one task worker process (``kansrijk db_worker``), so the
    readiness check can tell whether anything is taking work off the queue."""

    worker = models.CharField(_("worker"), max_length=255, unique=True)
    last_seen = models.DateTimeField(_("laatst gezien"), db_index=True)

    class Meta:
        verbose_name = _("hartslag van een worker")
        verbose_name_plural = _("hartslagen van workers")

    def __str__(self):
        return f"{self.worker} {self.last_seen:%Y-%m-%d %H:%M:%S}"
