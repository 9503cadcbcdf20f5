"""``kansrijk drill_key_rotation [--target PAD_OF_URL] [--keep] [--json BESTAND]``: rotate
the case register's key on a restored copy and check the result (decision 0046;
docs/operations.md)."""

from __future__ import annotations

from kansrijk.drills import rotation
from kansrijk.drills.command import DrillCommand


class Command(DrillCommand):
    help = (
        "Oefening: wisselt de sleutel van het casusregister op een teruggezette kopie "
        "(nooit op de draaiende database) met rotate_case_keys en controleert dat elk nummer "
        "met alleen de nieuwe sleutel te ontsleutelen en terug te vinden is. Meldt de tijden; "
        "faalt (code 1) bij elke afwijking."
    )

    failed_message = "De sleutel-oefening is mislukt."

    def run_drill(self, write, *, target, keep):
        return rotation.run(write, target=target, keep=keep)
