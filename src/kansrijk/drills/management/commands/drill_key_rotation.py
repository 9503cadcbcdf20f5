"""``kansrijk drill_key_rotation [--target PAD_OF_URL] [--keep] [--json BESTAND]``: rotate
the case register's key on a restored copy and check the result (decision 0046;
docs/operations.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.drills import rotation


class Command(BaseCommand):
    help = (
        "Oefening: wisselt de sleutel van het casusregister op een teruggezette kopie "
        "(nooit op de draaiende database) met rotate_case_keys en controleert dat elk nummer "
        "met alleen de nieuwe sleutel te ontsleutelen en terug te vinden is. Meldt de tijden; "
        "faalt (code 1) bij elke afwijking."
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
        outcome = rotation.run(self.stdout.write, target=target, keep=keep)
        if json is not None:
            outcome.write_json(json)
        if not outcome.ok:
            raise CommandError("De sleutel-oefening is mislukt.", returncode=1)
