from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaIntakeConfig(AppConfig):
    name = "kansrijk.agenda_intake"
    label = "agenda_intake"
    verbose_name = _("Agenda uit een document")
