"""``kansrijk audit_verify``: walk the audit trail's hash chain; exit 1 and name every
place where it breaks (docs/operations.md, the audit trail)."""

from datetime import timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kansrijk.audit import verification

LISTED = 50


class Command(BaseCommand):
    help = "Controleer de hashketen van de audittrail; faalt en noemt waar hij breekt."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchors",
            type=Path,
            action="append",
            default=[],
            metavar="BESTAND",
            help="ankerbestand of log van audit_anchor (mag vaker): vangt een herschreven keten",
        )
        parser.add_argument(
            "--clock-tolerance",
            type=int,
            default=int(verification.DEFAULT_CLOCK_TOLERANCE.total_seconds()),
            metavar="SECONDEN",
            help="hoeveel een tijdstip terug mag lopen langs de keten (klokverschil tussen servers)",
        )

    def handle(self, *args, anchors, clock_tolerance, **options):
        found = []
        for path in anchors:
            try:
                with path.open(encoding="utf-8", errors="replace") as file:
                    found += verification.read_anchors(file)
            except OSError as error:
                raise CommandError(f"Ankerbestand {path} niet te lezen: {error}") from error
        report = verification.verify(anchors=found, tolerance=timedelta(seconds=clock_tolerance))
        self.stdout.write(
            f"{report.rows} regels in de keten, laatste volgnummer {report.last_sequence}, "
            f"hash {report.last_hash}; {report.anchors_checked} van {len(found)} ankers getoetst."
        )
        if report.ok:
            self.stdout.write("De audittrail is ongeschonden.")
            return
        for problem in report.problems[:LISTED]:
            self.stderr.write(str(problem))
        if report.problem_count > LISTED:
            self.stderr.write(f"… en nog {report.problem_count - LISTED} problemen.")
        raise CommandError(
            f"De audittrail is niet ongeschonden: {report.problem_count} problemen, "
            f"het eerste: {report.problems[0]}",
            returncode=1,
        )
