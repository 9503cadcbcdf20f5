"""kansrijk export_agenda SLUG --format docx|pdf|xlsx|csv -o FILE"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.agenda.exporting import FORMATS
from kansrijk.agenda.models import Agenda
from kansrijk.documents.services import build_in_process
from kansrijk.documents.terminal import DocumentProgress


class Command(BaseCommand):
    help = (
        "Schrijft een agenda als document (docx, pdf) of als rekenblad (xlsx, csv) "
        "uit de actuele gegevens."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="korte naam van de agenda")
        parser.add_argument("--format", "-f", choices=FORMATS, default="docx", dest="fmt")
        parser.add_argument(
            "--output", "-o", help="bestand om te schrijven (standaard: SLUG.FORMAT); - = stdout"
        )

    def handle(self, *args, slug, fmt, output, **options):
        try:
            agenda = Agenda.objects.get(slug=slug)
        except Agenda.DoesNotExist:
            raise CommandError(f"Er is geen agenda met de korte naam {slug!r}.") from None
        # In the foreground, through the same builder as the worker's (decision 0047): the
        # command needs no worker, and the operator sees its steps on stderr.
        progress = DocumentProgress(self.stderr)
        built = build_in_process("agenda", {"agenda": agenda.slug, "fmt": fmt}, progress)
        progress.finished()
        content = built.content
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        path = Path(output or built.filename)
        path.write_bytes(content)
        self.stdout.write(f"{agenda.title}: {path} ({len(content):,} bytes, {fmt})")
