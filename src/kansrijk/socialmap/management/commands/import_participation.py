"""``kansrijk import_participation FILE [--dry-run]``: participation counts from CSV or XLSX
(columns in socialmap/importing.py), all rows or none."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.imports.terminal import TerminalProgress
from kansrijk.socialmap import importing


class Command(BaseCommand):
    help = "Leest aantallen deelnemers (CSV of XLSX) in de sociale kaart."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            with path.open("rb") as source:
                report = importing.import_participation(
                    source,
                    path.name,
                    actor=None,
                    dry_run=options["dry_run"],
                    progress=TerminalProgress(self.stderr),
                )
        except importing.ImportRejected as rejected:
            raise CommandError(
                "Het bestand is niet ingelezen; er is niets opgeslagen.\n"
                + "\n".join(str(problem) for problem in rejected.problems)
            ) from None
        for line in report.summary_lines():
            self.stdout.write(line)
