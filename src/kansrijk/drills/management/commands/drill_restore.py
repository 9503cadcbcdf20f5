"""``kansrijk drill_restore [--target PAD_OF_URL] [--keep] [--json BESTAND]``: back up the
running database, restore the copy and check it (decision 0046; docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.drills import restore


class Command(BaseCommand):
    help = (
        "Oefening: maakt een backup van de draaiende database, zet die terug in een nieuwe "
        "kopie en controleert de kopie: migraties, aantallen rijen per tabel, elk BSN te "
        "ontsleutelen, de hashketen van de audittrail. Faalt (code 1) bij elke afwijking."
    )

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
        outcome = restore.run(self.stdout.write, target=target, keep=keep)
        if json is not None:
            outcome.write_json(json)
        if not outcome.ok:
            raise CommandError("De herstel-oefening is mislukt.", returncode=1)
