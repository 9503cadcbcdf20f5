"""kansrijk progress_report AGENDA --format pdf|docx -o FILE"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.agenda.models import Agenda
from kansrijk.documents.services import build_in_process
from kansrijk.documents.terminal import DocumentProgress
from kansrijk.indicators.report import FORMATS


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
        # In the foreground, through the same builder as the worker's (decision 0047): the
        # command needs no worker, and the operator sees its steps on stderr.
        progress = DocumentProgress(self.stderr)
        built = build_in_process(
            "voortgangsrapportage", {"agenda": item.slug, "fmt": fmt}, progress
        )
        progress.finished()
        content = built.content
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        path = Path(output or built.filename)
        path.write_bytes(content)
        self.stdout.write(f"{item.title}: {path} ({len(content):,} bytes, {fmt})")
