"""kansrijk import_agenda SLUG FILE [--user NAME] [--dry-run]"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kansrijk.agenda.importing import ImportRejected, import_file
from kansrijk.agenda.models import Agenda
from kansrijk.imports.terminal import TerminalProgress


class Command(BaseCommand):
    help = (
        "Werkt een agenda bij uit een rekenblad (xlsx of csv, het formaat van export_agenda). "
        "Bestaande onderdelen worden op extern id bijgewerkt, nieuwe toegevoegd, niets "
        "verwijderd. Met één foute regel wordt niets opgeslagen."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="korte naam van de agenda")
        parser.add_argument("file", help="het .xlsx- of .csv-bestand")
        parser.add_argument(
            "--user", help="gebruikersnaam die in de geschiedenis en het auditlog komt"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="alleen controleren, niets opslaan"
        )

    def handle(self, *args, slug, file, user, dry_run, **options):
        try:
            agenda = Agenda.objects.get(slug=slug)
        except Agenda.DoesNotExist:
            raise CommandError(f"Er is geen agenda met de korte naam {slug!r}.") from None
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"Er is geen gebruiker {user!r}.") from None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Bestand {file} niet gevonden.")
        try:
            with path.open("rb") as source:
                report = import_file(
                    agenda,
                    source,
                    path.name,
                    actor=actor,
                    dry_run=dry_run,
                    progress=TerminalProgress(self.stderr),
                )
        except ImportRejected as rejected:
            lines = ["Het bestand is niet geïmporteerd; er is niets opgeslagen."]
            lines += [f"- {problem}" for problem in rejected.problems]
            raise CommandError("\n".join(lines)) from None
        if dry_run:
            self.stdout.write("Het bestand is in orde; er is nog niets opgeslagen (--dry-run).")
        for line in report.summary_lines():
            self.stdout.write(line)
        for warning in report.warnings:
            self.stdout.write(f"Let op: {warning}")
        if report.not_in_file:
            self.stdout.write(
                f"Niet in het bestand (niet verwijderd): {len(report.not_in_file)} onderdelen"
            )
            for item in report.not_in_file:
                self.stdout.write(f"- {item}")
