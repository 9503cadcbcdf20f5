"""``kansrijk load_reference_data [--directory DIR]``: load or refresh the reference data.

The summary goes to stdout; progress lines go to stderr (quiet with ``-v 0``).
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kansrijk.organisations.reference_data import (
    KIND_LABELS,
    ReferenceDataError,
    load_reference_data,
)


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        "Laadt de referentiegegevens: provincies, gemeenten met hun herindelingen, "
        "RMC-regio's, samenwerkingsverbanden en schoolvestigingen (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory",
            type=Path,
            default=None,
            help="Map met de CSV-bestanden (standaard KANSRIJK['REFERENCE_DATA_DIR']).",
        )

    def handle(self, *args, directory=None, verbosity=1, **options):
        directory = Path(directory or settings.KANSRIJK["REFERENCE_DATA_DIR"])

        def progress(step: str, done: int, total: int) -> None:
            if verbosity >= 1:
                self.stderr.write(f"  {step}: {done}/{total}", style_func=_plain)

        try:
            report = load_reference_data(directory, progress=progress)
        except ReferenceDataError as error:
            raise CommandError(
                f"Referentiegegevens niet geladen (er is niets gewijzigd): {error}"
            ) from error

        seconds = f"{report.seconds:.1f}".replace(".", ",")
        self.stdout.write(f"Referentiegegevens geladen uit {directory} in {seconds} s:")
        for kind, (singular, plural) in KIND_LABELS.items():
            counts = report.counts[kind]
            label = singular if counts.total == 1 else plural
            line = (
                f"  {counts.total} {label} ({counts.created} nieuw, {counts.updated} bijgewerkt, "
                f"{counts.unchanged} ongewijzigd"
            )
            if counts.removed:
                line += f", {counts.removed} verwijderd"
            self.stdout.write(line + ")")

        if report.ambiguous:
            self.stdout.write(
                f"{len(report.ambiguous)} gemeenten zonder RMC-regio, want niet eenduidig "
                "(te controleren bij DUO/OCW):"
            )
            for flagged in report.ambiguous:
                candidates = " of ".join(
                    f"{int(code[3:])} {name}" for code, name in flagged.candidates
                )
                self.stdout.write(f"  {flagged.code} {flagged.name}: kandidaten {candidates}")
        if report.to_verify:
            self.stdout.write(
                f"{len(report.to_verify)} gemeenten in een RMC-regio geplaatst via een "
                "herindelingshint (te controleren):"
            )
            for flagged in report.to_verify:
                self.stdout.write(f"  {flagged.code} {flagged.name}: RMC {flagged.rmc_region}")
        if report.rmc_2015_not_placed:
            self.stdout.write(
                f"{len(report.rmc_2015_not_placed)} namen in de RMC-regeling 2015 van gemeenten "
                "die vóór 2014 zijn opgeheven (geen lidmaatschap):"
            )
            self.stdout.write(f"  {', '.join(report.rmc_2015_not_placed)}")
        if report.warnings:
            self.stdout.write(f"{len(report.warnings)} waarschuwingen:")
            for warning in report.warnings:
                self.stdout.write(f"  {warning}")
        else:
            self.stdout.write("Geen waarschuwingen.")
