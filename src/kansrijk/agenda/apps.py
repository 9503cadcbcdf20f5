from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    name = "kansrijk.agenda"
    verbose_name = _("Agenda")
