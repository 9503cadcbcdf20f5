"""kansrijk reconcile_counts [BESTAND] [--peildatum JJJJ-MM-DD] [--definitie ocw|ocw_5a]
[--dry-run] [-o VERSCHILLEN.csv]"""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.cases import reconciliation
from kansrijk.cases.models import CountDefinition
from kansrijk.imports.terminal import TerminalProgress
from kansrijk.reports.exporting import CsvExporter


class Command(BaseCommand):
    help = (
        "Legt de opgegeven aantallen thuiszitters naast het register (afstemming). Met een "
        "bestand (CSV of XLSX met de kolommen peildatum, brin6, aantal en eventueel "
        "woongemeente) worden eerst die aantallen opgeslagen: elke rij wordt gecontroleerd "
        "en bij één fout wordt niets opgeslagen. Daarna volgen de verschillen per school en "
        "per woongemeente (docs/formats/reconciliation.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV- of XLSX-bestand met opgegeven aantallen")
        parser.add_argument(
            "--peildatum", help="de peildatum (JJJJ-MM-DD); zonder: die van het bestand"
        )
        parser.add_argument("--definitie", default=CountDefinition.OCW, help="ocw of ocw_5a")
        parser.add_argument("--dry-run", action="store_true", help="het bestand alleen controleren")
        parser.add_argument(
            "--output", "-o", help="schrijf de verschillen als CSV naar dit bestand (- = stdout)"
        )

    def handle(self, *args, file, peildatum, definitie, dry_run, output, **options):
        if definitie not in CountDefinition.values:
            raise CommandError(
                f"Onbekende definitie '{definitie}'; kies uit: {', '.join(CountDefinition.values)}."
            )
        day = None
        if peildatum:
            try:
                day = datetime.date.fromisoformat(peildatum)
            except ValueError:
                raise CommandError(
                    f"'{peildatum}' is geen geldige peildatum; schrijf JJJJ-MM-DD."
                ) from None
        peildata: list[datetime.date] = [day] if day else []
        if file:
            path = Path(file)
            if not path.is_file():
                raise CommandError(f"Bestand niet gevonden: {file}")
            try:
                with path.open("rb") as source:
                    report = reconciliation.import_counts(
                        source,
                        path.name,
                        actor=None,
                        dry_run=dry_run,
                        source="opdrachtregel",
                        progress=TerminalProgress(self.stderr),
                    )
            except reconciliation.ImportRejected as rejected:
                for problem in rejected.problems:
                    self.stderr.write(str(problem))
                raise CommandError(
                    "Het bestand is niet ingelezen; er is niets opgeslagen."
                ) from None
            for line in report.summary_lines():
                self.stdout.write(line)
            if dry_run:
                self.stdout.write("Alleen gecontroleerd: er is niets opgeslagen.")
                return
            if not day:
                peildata = sorted(report.peildata)
        if not peildata:
            raise CommandError("Geef een peildatum (--peildatum JJJJ-MM-DD) of een bestand.")
        results = [reconciliation.compare(peildatum=one, definition=definitie) for one in peildata]
        if output:
            rows = [row for result in results for row in result.difference_rows()]
            content = CsvExporter(rows, reconciliation.DIFFERENCE_COLUMNS).render()
            if output == "-":
                sys.stdout.buffer.write(content)
                sys.stdout.flush()
            else:
                Path(output).write_bytes(content)
                self.stderr.write(f"{output}: {len(rows)} verschil(len)")
            return
        for result in results:
            self._print(result)

    def _print(self, result: reconciliation.Reconciliation) -> None:
        write = self.stdout.write
        write(
            f"Peildatum {result.peildatum.isoformat()} ({result.definition}): opgegeven "
            f"{result.reported_total}, in het register {result.register_total}."
        )
        if not result.has_differences:
            write(
                f"Geen verschillen: {result.matching_schools} school/scholen en "
                f"{result.matching_municipalities} woongemeente(n) komen overeen."
            )
        for title, lines in (
            ("Per school", result.school_differences),
            ("Per woongemeente", result.municipality_differences),
        ):
            if not lines:
                continue
            write(f"{title}:")
            for line in lines:
                reported = "–" if line.reported is None else line.reported
                write(
                    f"  {line.code} {line.name}: opgegeven {reported}, register "
                    f"{line.register}, verschil {line.difference:+d} ({line.status_label})"
                )
        if result.unassigned:
            write(f"Opgegeven zonder woongemeente (niet toegewezen): {result.unassigned}")
