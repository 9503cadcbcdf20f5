"""``kansrijk audit_anchor``: write the head of the audit trail's hash chain to the log
and, when configured, append it to an anchor file outside the database. Run it from a
timer (docs/operations.md); ``audit_verify --anchors`` then also finds a rewritten chain."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from kansrijk.audit import verification


class Command(BaseCommand):
    help = "Schrijf de kop van de auditketen naar het log en naar het ankerbestand."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file",
            type=Path,
            default=None,
            metavar="BESTAND",
            help="ankerbestand (standaard KANSRIJK_AUDIT_ANCHOR_FILE); er wordt een regel aan toegevoegd",
        )

    def handle(self, *args, file, **options):
        configured = settings.KANSRIJK.get("AUDIT_ANCHOR_FILE")
        path = file or (Path(configured) if configured else None)
        found = verification.anchor(path)
        self.stdout.write(
            json.dumps({"sequence": found.sequence, "hash": found.hash, "at": found.at})
        )
        if path is None:
            self.stderr.write(
                "Alleen naar het log geschreven: geef --file of KANSRIJK_AUDIT_ANCHOR_FILE."
            )
