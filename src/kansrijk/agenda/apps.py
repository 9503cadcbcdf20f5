from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "kansrijk.agenda"
    verbose_name = _("Agenda")

    def ready(self):
        # The agenda registers its computed indicator (share of activities on schedule)
        # with the monitor, and links the page for the council of each indicator under
        # the goals it measures; the monitor never imports the agenda for it.
        from . import curve, indicators  # noqa: F401
