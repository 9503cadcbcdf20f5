from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kansrijk.accounts"
    verbose_name = _("Inloggen en tweestapsverificatie")

    def ready(self):
        from . import signals  # noqa: F401
