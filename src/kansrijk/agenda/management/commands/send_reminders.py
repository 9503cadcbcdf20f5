"""``kansrijk send_reminders [--today YYYY-MM-DD] [--base-url URL]``: send the agenda's
reminders for commitments and evaluation moments that fall due this month (decision
0039). The worker does this every hour by itself; the command is for cron without a
worker, and for tests. Running it twice sends nothing the second time."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from kansrijk.agenda.reminders import send_due_reminders


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"'{value}' is geen datum; schrijf JJJJ-MM-DD.") from error


class Command(BaseCommand):
    help = (
        "Stuurt herinneringen voor afspraken en evaluatiemomenten die deze maand vallen, "
        "elke herinnering één keer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", metavar="JJJJ-MM-DD", help="Doe alsof het vandaag deze dag is."
        )
        parser.add_argument(
            "--base-url",
            default=None,
            help="Het adres van Kansrijk voor de links in de mail, bijv. "
            "https://kansrijk.gemeente.nl (standaard: KANSRIJK_BASE_URL).",
        )

    def handle(self, *args, **options):
        today = _day(options["today"]) if options["today"] else None
        report = send_due_reminders(today=today, base_url=options["base_url"])
        self.stdout.write(
            f"{report.sent} herinnering(en) verstuurd, {report.already_sent} al eerder "
            f"verstuurd, {report.failed} mislukt."
        )
        for name in report.without_recipients:
            self.stdout.write(f"Geen ontvanger voor: {name}")
