"""``kansrijk drill_restore [--target PAD_OF_URL] [--keep] [--json BESTAND]``: back up the
running database, restore the copy and check it (decision 0046; docs/operations.md)."""

from __future__ import annotations

from kansrijk.drills import restore
from kansrijk.drills.command import DrillCommand


class Command(DrillCommand):
    help = (
        "Oefening: maakt een backup van de draaiende database, zet die terug in een nieuwe "
        "kopie en controleert de kopie: migraties, aantallen rijen per tabel, elk BSN te "
        "ontsleutelen, de hashketen van de audittrail. Faalt (code 1) bij elke afwijking."
    )

    failed_message = "De herstel-oefening is mislukt."

    def run_drill(self, write, *, target, keep):
        return restore.run(write, target=target, keep=keep)
