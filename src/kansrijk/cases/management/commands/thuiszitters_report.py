"""kansrijk thuiszitters_report --peildatum JJJJ-MM-DD --niveau school|swv|gemeente|rmc
--definitie ocw|ocw_5a --format csv|xlsx|pdf -o BESTAND [--openbaar]"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.cases.exporting import FORMATS
from kansrijk.cases.models import CountDefinition
from kansrijk.cases.reporting import LEVELS
from kansrijk.documents.services import build_in_process
from kansrijk.documents.terminal import DocumentProgress


class Command(BaseCommand):
    help = (
        "Schrijft het kwartaaloverzicht van de thuiszitters op een peildatum, per school, "
        "samenwerkingsverband, gemeente (woongemeente) of RMC-regio, als CSV, XLSX of PDF. "
        "Het overzicht telt het hele register, zonder afscherming; met --openbaar zijn "
        "kleine aantallen afgeschermd zoals voor wie alleen totalen mag zien. De regels "
        "staan in docs/formats/thuiszitters-report.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--peildatum", required=True, help="de peildatum, JJJJ-MM-DD")
        parser.add_argument(
            "--niveau", required=True, help="school, swv, gemeente of rmc (per eenheid een rij)"
        )
        parser.add_argument(
            "--definitie", default=CountDefinition.OCW, help="ocw (standaard) of ocw_5a"
        )
        parser.add_argument("--format", "-f", default="csv", dest="fmt", help="csv, xlsx of pdf")
        parser.add_argument("--output", "-o", required=True, help="bestand; - = stdout")
        parser.add_argument(
            "--openbaar", action="store_true", help="kleine aantallen afschermen ('<5')"
        )

    def handle(self, *args, peildatum, niveau, definitie, fmt, output, openbaar, **options):
        try:
            day = datetime.date.fromisoformat(peildatum)
        except ValueError:
            raise CommandError(
                f"'{peildatum}' is geen geldige peildatum; schrijf JJJJ-MM-DD, bijvoorbeeld "
                "2024-10-01."
            ) from None
        if niveau not in LEVELS:
            raise CommandError(f"Onbekend niveau '{niveau}'; kies uit: {', '.join(LEVELS)}.")
        if definitie not in CountDefinition.values:
            raise CommandError(
                f"Onbekende definitie '{definitie}'; kies uit: {', '.join(CountDefinition.values)}."
            )
        if fmt not in FORMATS:
            raise CommandError(f"Onbekend formaat '{fmt}'; kies uit: {', '.join(FORMATS)}.")
        if output != "-" and not Path(output).parent.is_dir():
            raise CommandError(f"De map van {output} bestaat niet.")
        # In the foreground, through the same builder as the worker's (decision 0047): the
        # command needs no worker, and the operator sees its steps on stderr.
        params = {
            "peildatum": day.isoformat(),
            "niveau": niveau,
            "definitie": definitie,
            "fmt": fmt,
            "openbaar": openbaar,
        }
        progress = DocumentProgress(self.stderr)
        built = build_in_process("kwartaalrapportage", params, progress)
        progress.finished()
        content = built.content
        if output == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
            return
        Path(output).write_bytes(content)
        shielded = ", afgeschermd" if openbaar else ""
        self.stderr.write(f"{output}: {built.summary}{shielded}, {len(content):,} bytes ({fmt})")
