"""``kansrijk export_hsds --format zip|json -o FILE [--all-links]``: the published catalogue
in Open Referral HSDS 3 (docs/formats/hsds.md)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from kansrijk.socialmap import hsds
from kansrijk.socialmap.models import Service


class Command(BaseCommand):
    help = "Schrijft het gepubliceerde aanbod van de sociale kaart als HSDS 3 (zip of JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["zip", "json"], default="zip")
        parser.add_argument("-o", "--output", required=True)
        parser.add_argument(
            "--all-links",
            action="store_true",
            help="Ook koppelingen met agenda's die niet openbaar zijn (een volledige kopie).",
        )

    def handle(self, *args, **options):
        tables = hsds.export_tables(
            Service.objects.published(), public_links_only=not options["all_links"]
        )
        content = hsds.write_json(tables) if options["format"] == "json" else hsds.write_zip(tables)
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"{len(tables['service'])} aanbod geschreven naar {options['output']}.")
