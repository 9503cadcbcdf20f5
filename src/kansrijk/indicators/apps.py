from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    name = "kansrijk.indicators"
    verbose_name = _("Indicatoren")

    def ready(self):
        # Computed indicators register themselves when their module is imported.
        from . import computed  # noqa: F401
