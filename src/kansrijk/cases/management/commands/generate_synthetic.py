"""``kansrijk generate_synthetic --scale region|national --seed N [--years 5] [--until DATE]
[--replace]``: labelled synthetic data for the demo and the benchmarks (``cases.synthetic``).

The summary goes to stdout; progress lines go to stderr (quiet with ``-v 0``).
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from kansrijk.cases.synthetic import SCALES, SyntheticDataError, generate


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"'{text}' is geen datum: schrijf JJJJ-MM-DD.") from None


def _plain(text: str) -> str:
    return text


class Command(BaseCommand):
    help = (
        "Maakt synthetische, als zodanig gemarkeerde jongeren en casussen op de echte "
        "referentiegegevens (alleen voor demo- en benchmarkdatabases: de BSN's zijn "
        "synthetisch maar kunnen van echte mensen zijn)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, required=True, help="region of national")
        parser.add_argument("--seed", type=int, required=True, help="Zelfde seed, zelfde gegevens.")
        parser.add_argument("--years", type=int, default=5, help="Aantal jaren (standaard 5).")
        parser.add_argument(
            "--until", type=_date, default=None, help="Laatste dag, JJJJ-MM-DD (standaard vandaag)."
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=None,
            help="Ander aantal casussen dan de schaal plant (om uit te proberen).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Verwijder eerst alle bestaande synthetische gegevens.",
        )

    def handle(self, *args, scale, seed, years, until, cases, replace, verbosity=1, **options):
        last_shown = [-1]

        def progress(step: str, done: int, total: int) -> None:
            percent = done * 100 // total if total else 100
            if verbosity >= 1 and percent // 10 != last_shown[0]:
                last_shown[0] = percent // 10
                self.stderr.write(f"  {step}: {done}/{total} ({percent} %)", style_func=_plain)

        try:
            report = generate(
                scale=scale,
                seed=seed,
                years=years,
                until=until,
                replace=replace,
                cases=cases,
                progress=progress,
            )
        except SyntheticDataError as error:
            raise CommandError(str(error)) from error
        if report.deleted:
            removed = ", ".join(f"{count} {label}" for label, count in report.deleted.items())
            self.stdout.write(f"Eerst verwijderd: {removed}.")
        seconds = f"{report.seconds:.1f}".replace(".", ",")
        self.stdout.write(
            f"Synthetische gegevens ({scale}, seed {seed}, {report.first_day:%d-%m-%Y} t/m "
            f"{report.until:%d-%m-%Y}) gemaakt in {seconds} s:"
        )
        for label, count in (
            ("casussen", report.cases),
            ("jongeren", report.young_people),
            ("inschrijvingen", report.enrolments),
            ("verzuimmeldingen", report.absence_reports),
            ("vrijstellingen", report.exemptions),
            ("gebeurtenissen", report.events),
            ("afspraken", report.agreements),
        ):
            self.stdout.write(f"  {count} {label}")
        self.stdout.write(
            "Alle records zijn gemarkeerd als synthetisch (dossiernummers SYN-…). De BSN's zijn "
            "synthetisch maar kunnen van echte mensen zijn: gebruik deze database alleen voor "
            "demo en benchmark."
        )
