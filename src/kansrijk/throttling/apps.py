from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThrottlingConfig(AppConfig):
    name = "kansrijk.throttling"
    verbose_name = _("Pogingen beperken")

    def ready(self):
        from . import signals  # noqa: F401
