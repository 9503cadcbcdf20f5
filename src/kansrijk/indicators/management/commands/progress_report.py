"""kansrijk progress_report AGENDA --format pdf|docx -o FILE"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.agenda.models import Agenda
from kansrijk.indicators.report import FORMATS, export_report, report_filename


class Command(BaseCommand):
    help = (
        "Schrijft de voortgangsrapportage van een agenda voor de raad: per doel de "
        "indicatoren met grafiek, status en verhaal, en de stand van de activiteiten."
    )

    def add_arguments(self, parser):
        parser.add_argument("agenda", help="korte naam van de agenda")
        parser.add_argument("--format", "-f", choices=FORMATS, default="pdf", dest="fmt")
        parser.add_argument("--output", "-o", help="bestand om te schrijven; - = stdout")

    def handle(self, *args, agenda, fmt, output, **options):
        try:
            item = Agenda.objects.get(slug=agenda)
        except Agenda.DoesNotExist:
            raise CommandError(f"Er is geen agenda met de korte naam {agenda!r}.") from None
        content = export_report(item, fmt)
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        path = Path(output or report_filename(item, fmt))
        path.write_bytes(content)
        self.stdout.write(f"{item.title}: {path} ({len(content):,} bytes, {fmt})")
