"""What both drill commands share: where the copy goes, whether it stays, the JSON
report, and exit code 1 on any failure (decision 0046)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class DrillCommand(BaseCommand):
    failed_message = ""

    def run_drill(self, write, *, target, keep):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument(
            "--target",
            metavar="PAD_OF_URL",
            help="waar de kopie komt: een nieuw SQLite-bestand, of de naam of URL van een "
            "nieuwe PostgreSQL-database (standaard een naam met een willekeurig achtervoegsel)",
        )
        parser.add_argument(
            "--keep", action="store_true", help="de kopie na de controles laten staan"
        )
        parser.add_argument(
            "--json", type=Path, metavar="BESTAND", help="de uitslag ook als JSON naar BESTAND"
        )

    def handle(self, *args, target, keep, json, **options):
        outcome = self.run_drill(self.stdout.write, target=target, keep=keep)
        if json is not None:
            outcome.write_json(json)
        if not outcome.ok:
            raise CommandError(self.failed_message, returncode=1)
