"""``kansrijk import_hsds FILE [--dry-run]``: read an HSDS 3 export (zip or JSON) into the
sociale kaart, all of it or nothing; records are matched on their HSDS id, so importing the
same file again changes nothing. Every problem names its table, row and column."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.socialmap import hsds


class Command(BaseCommand):
    help = "Leest een HSDS 3-bestand (zip of JSON) in de sociale kaart."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Alleen controleren.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            report = hsds.import_file(
                path.read_bytes(), path.name, actor=None, dry_run=options["dry_run"]
            )
        except hsds.HsdsRejected as rejected:
            raise CommandError(
                "Het bestand is niet ingelezen; er is niets opgeslagen.\n"
                + "\n".join(str(problem) for problem in rejected.problems)
            ) from None
        for line in report.summary_lines():
            self.stdout.write(line)
