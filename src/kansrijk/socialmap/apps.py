from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SocialmapConfig(AppConfig):
    name = "kansrijk.socialmap"
    verbose_name = _("Sociale kaart")

    def ready(self):
        # The sociale kaart registers its computed indicator (participation rate) with
        # the monitor, and its services under the goals of an agenda page; neither the
        # monitor nor the agenda imports the sociale kaart for it.
        from . import agenda_hooks, indicators  # noqa: F401
