"""kansrijk export_measurements INDICATOR --format csv|xlsx|sdmx -o FILE"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.indicators.disclosure import Disclosure
from kansrijk.indicators.exporting import FORMATS, export_rows, measurement_rows
from kansrijk.indicators.models import Indicator, Measurement


class Command(BaseCommand):
    help = (
        "Schrijft de metingen van een indicator (of van alle indicatoren: --all) als CSV, "
        "XLSX of SDMX-CSV. Met --public alleen gepubliceerde cijfers, met kleine aantallen "
        "afgeschermd. Cijfers die mensen tellen in het thuiszittersregister of de sociale "
        "kaart zijn altijd afgeschermd."
    )

    def add_arguments(self, parser):
        parser.add_argument("indicator", nargs="?", help="code van de indicator")
        parser.add_argument("--all", action="store_true", help="alle indicatoren")
        parser.add_argument("--format", "-f", choices=FORMATS, default="csv", dest="fmt")
        parser.add_argument("--public", action="store_true", help="zoals het publiek het ziet")
        parser.add_argument("--output", "-o", default="-", help="bestand; - = stdout")

    def handle(self, *args, indicator, all, fmt, public, output, **options):
        queryset = Measurement.objects.all()
        if not all:
            if not indicator:
                raise CommandError("Geef de code van een indicator, of --all.")
            if not Indicator.objects.filter(code=indicator).exists():
                raise CommandError(f"Er is geen indicator met de code {indicator!r}.")
            queryset = queryset.filter(indicator__code=indicator)
        if public:
            queryset = queryset.published()
        content = export_rows(measurement_rows(queryset, disclosure=Disclosure(public=public)), fmt)
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        Path(output).write_bytes(content)
        self.stderr.write(f"{output}: {len(content):,} bytes ({fmt})")
