"""kansrijk import_measurements FILE [--approve] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.imports.terminal import TerminalProgress
from kansrijk.indicators.importing import ImportRejected, import_file


class Command(BaseCommand):
    help = (
        "Leest metingen uit een CSV- of XLSX-bestand. Elke rij wordt gecontroleerd; is er "
        "één fout, dan wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--approve", action="store_true", help="meteen goedkeuren")
        parser.add_argument("--dry-run", action="store_true", help="alleen controleren")

    def handle(self, *args, file, approve, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Bestand niet gevonden: {file}")
        try:
            with path.open("rb") as source:
                report = import_file(
                    source,
                    path.name,
                    actor=None,
                    approve=approve,
                    dry_run=dry_run,
                    progress=TerminalProgress(self.stderr),
                )
        except ImportRejected as rejected:
            for problem in rejected.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                "Het bestand is niet geïmporteerd; er is niets opgeslagen."
            ) from None
        for line in report.summary_lines():
            self.stdout.write(line)
        for warning in report.warnings:
            self.stderr.write(f"Let op: {warning}")
        if dry_run:
            self.stdout.write("Alleen gecontroleerd: er is niets opgeslagen.")
