"""kansrijk refresh_computed [--indicator CODE ...]"""

from django.core.management.base import BaseCommand, CommandError

from kansrijk.indicators import computed, services
from kansrijk.indicators.models import Indicator, SourceKind


class Command(BaseCommand):
    help = (
        "Brengt de berekende indicatoren (uit het thuiszittersregister en de sociale kaart) "
        "bij: de laatste peildata en kwartalen, en elke periode met deelname. Schrijft alleen "
        "wat veranderd is. Dagelijks draaien: een nieuwe peildatum komt zonder dat er iets in "
        "de gegevens verandert (docs/decisions/0022)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--indicator",
            action="append",
            default=[],
            metavar="CODE",
            help="alleen deze indicator (mag vaker)",
        )

    def handle(self, *args, indicator, **options):
        refreshed = Indicator.objects.filter(
            source_kind=SourceKind.COMPUTED, computed_key__in=list(computed.PLANS)
        )
        unknown = sorted(set(indicator) - set(refreshed.values_list("code", flat=True)))
        if unknown:
            raise CommandError(
                "Geen berekende indicator die wordt bijgehouden: " + ", ".join(unknown)
            )
        result = services.refresh_all(actor=None, codes=indicator or None)
        self.stdout.write(
            f"{result.indicators} berekende indicator(en) bijgewerkt: "
            f"{result.written} cijfer(s) nieuw of gewijzigd, "
            f"{result.withdrawn} ingetrokken, {result.unchanged} ongewijzigd."
        )
