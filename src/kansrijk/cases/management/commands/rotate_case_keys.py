"""kansrijk rotate_case_keys [--batch-size N]"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kansrijk.audit import services as audit
from kansrijk.cases import crypto
from kansrijk.cases.models import YoungPerson


class Command(BaseCommand):
    help = (
        "Versleutelt elk BSN en onderwijsnummer opnieuw met de eerste sleutel van "
        "FIELD_ENCRYPTION_KEYS en berekent de zoeksleutel (hash) opnieuw met die sleutel. "
        "In één transactie, in porties, met één auditregel; nogmaals draaien verandert "
        "niets. Daarna kan de oude sleutel uit de lijst (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="rijen per portie")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size moet 1 of meer zijn.")
        keys = [key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
        first = Fernet(keys[0])
        rotated = unchanged = 0
        with transaction.atomic():
            last_pk = 0
            while True:
                batch = list(
                    YoungPerson.objects.filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", "identifier_encrypted", "identifier_hash")[:batch_size]
                )
                if not batch:
                    break
                last_pk = batch[-1].pk
                changed = []
                for person in batch:
                    try:
                        number = crypto.decrypt(person.identifier_encrypted)
                    except crypto.DecryptionError:
                        raise CommandError(
                            f"Jongere {person.pk}: geen sleutel in FIELD_ENCRYPTION_KEYS kan "
                            "het nummer ontsleutelen. Er is niets gewijzigd; zet de oude "
                            "sleutel terug in de lijst."
                        ) from None
                    new_hash = crypto.identifier_hash(number)
                    if _under_first_key(first, person.identifier_encrypted) and (
                        person.identifier_hash == new_hash
                    ):
                        unchanged += 1
                        continue
                    person.identifier_encrypted = crypto.rotate(person.identifier_encrypted)
                    person.identifier_hash = new_hash
                    changed.append(person)
                YoungPerson.objects.bulk_update(
                    changed, ["identifier_encrypted", "identifier_hash"], batch_size=batch_size
                )
                rotated += len(changed)
                self.stderr.write(f"{rotated + unchanged} jongeren nagelopen…")
            audit.record(
                "cases.young_person.rotate_keys",
                actor=None,
                after={"rotated": rotated, "unchanged": unchanged, "keys": len(keys)},
                reason="kansrijk rotate_case_keys",
            )
        self.stdout.write(
            f"{rotated} nummer(s) opnieuw versleuteld en gehasht met de eerste sleutel; "
            f"{unchanged} stond(en) er al onder."
        )


def _under_first_key(first: Fernet, token: str) -> bool:
    try:
        first.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True
