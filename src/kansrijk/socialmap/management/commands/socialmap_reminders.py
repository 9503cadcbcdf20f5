"""``kansrijk socialmap_reminders [--repeat-after DAYS] [--base-url URL]``: remind providers
of published entries not verified for twelve months (run it daily, e.g. from cron).

Idempotent: an entry is reminded once, and again only after ``--repeat-after`` days while
it stays unverified, so running it twice the same day sends nothing the second time."""

from django.core.management.base import BaseCommand

from kansrijk.socialmap import services


class Command(BaseCommand):
    help = "Herinnert aanbieders aan aanbod dat langer dan twaalf maanden niet is gecontroleerd."

    def add_arguments(self, parser):
        parser.add_argument("--repeat-after", type=int, default=30, metavar="DAGEN")
        parser.add_argument(
            "--base-url",
            default="",
            help="Het adres van Kansrijk voor de links in de mail, bijv. https://kansrijk.gemeente.nl",
        )

    def handle(self, *args, **options):
        report = services.send_reminders(
            actor=None,
            repeat_after_days=options["repeat_after"],
            base_url=options["base_url"],
        )
        self.stdout.write(f"{report.services} aanbod herinnerd in {report.mails} e-mail(s).")
        for name in report.skipped_without_recipients:
            self.stdout.write(f"Geen ontvanger voor: {name}")
