from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kansrijk.cases"
    verbose_name = _("Thuiszittersregister")

    def ready(self):
        # The register's computed indicators (thuiszitters on a peildatum, offer within
        # three months, median duration) register with the monitor; the monitor never
        # imports the register for them.
        from . import indicators  # noqa: F401
