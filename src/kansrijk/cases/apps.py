from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "kansrijk.cases"
    verbose_name = _("Thuiszittersregister")

    def ready(self):
        # The register's computed indicators (thuiszitters on a peildatum, offer within
        # three months, median duration) register with the monitor; the monitor never
        # imports the register for them.
        # A regievoerder sees the episode of a child, whatever their role: a second factor.
        from kansrijk.organisations.models import TWO_FACTOR_REASONS

        from . import indicators  # noqa: F401
        from .queries import manages_cases

        if manages_cases not in TWO_FACTOR_REASONS:
            TWO_FACTOR_REASONS.append(manages_cases)
