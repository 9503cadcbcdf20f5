from django.db import models
from django.utils.translation import gettext_lazy as _


class ThrottleCounter(models.Model):
    """How often one key (an address, an account, an e-mail address) did one kind of
    thing since its window started. The key is stored as a keyed hash: the counters need
    no readable IP or e-mail address, and keep none."""

    limit_name = models.CharField(_("limiet"), max_length=64)
    key_hash = models.CharField(_("sleutel (gehasht)"), max_length=64)
    window_start = models.DateTimeField(_("begin van de periode"))
    expires_at = models.DateTimeField(_("verloopt"), db_index=True)
    count = models.PositiveIntegerField(_("aantal"), default=0)

    class Meta:
        verbose_name = _("teller")
        verbose_name_plural = _("tellers")
        constraints = [
            models.UniqueConstraint(
                fields=["limit_name", "key_hash"], name="throttle_one_counter_per_key"
            )
        ]

    def __str__(self):
        return f"{self.limit_name} {self.key_hash[:8]}… {self.count}"
