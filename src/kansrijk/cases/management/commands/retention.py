"""kansrijk retention [--dry-run]"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kansrijk.cases import retention


class Command(BaseCommand):
    help = (
        "Vernietigt wat zijn bewaartermijn voorbij is, per soort gegeven (leerplichtdossier "
        "19 jaar na de geboorte, kwalificatieplichtdossier 2 jaar na het einde van de "
        "kwalificatieplicht, proces-verbaal 5 jaar, verwijsindexsignaal 2 jaar of op 23 "
        "jaar; docs/decisions/0017). Met --dry-run alleen de lijst, zonder iets te wijzigen. "
        "Zonder --dry-run in één transactie, met één auditregel per soort."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="alleen laten zien wat zou verdwijnen"
        )

    def handle(self, *args, dry_run, **options):
        if dry_run:
            found = retention.plan()
            self.stdout.write(
                f"Alleen de lijst (--dry-run): er is niets verwijderd. "
                f"Bewaartermijnen getoetst op {found.cutoffs.today.isoformat()}."
            )
        else:
            found = retention.purge(actor=None)
            self.stdout.write(
                f"Verwijderd op {found.cutoffs.today.isoformat()}, in één transactie."
            )
        for record_type in retention.RECORD_TYPES:
            record_set = found[record_type]
            line = f"{record_type}: {record_set.count} {record_set.label}"
            if record_set.dossier_ids:
                line += f" — dossiers {', '.join(sorted(set(record_set.dossier_ids)))}"
            if record_set.ids:
                line += f" — ids {', '.join(str(pk) for pk in record_set.ids)}"
            self.stdout.write(line)
        if not found.total:
            self.stdout.write("Niets is zijn bewaartermijn voorbij.")
