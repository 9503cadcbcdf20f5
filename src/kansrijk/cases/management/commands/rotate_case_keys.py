"""kansrijk rotate_case_keys [--batch-size N]

Every batch is a transaction of its own. A look-up tries the hash under every configured
key (``crypto.identifier_hashes``), so a register that is half rotated finds every young
person and registers nobody twice; one transaction over the whole register would instead
hold a lock on every row for minutes at national scale (4.5 minutes for 500,000 young
people, bench/RESULTS-operations.md), and every edit of a case would wait for it.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kansrijk.audit import services as audit
from kansrijk.cases import crypto
from kansrijk.cases.models import YoungPerson


class UndecryptableNumber(Exception):
    def __init__(self, pk: int):
        super().__init__(pk)
        self.pk = pk


class Command(BaseCommand):
    help = (
        "Versleutelt elk BSN en onderwijsnummer opnieuw met de eerste sleutel van "
        "FIELD_ENCRYPTION_KEYS en berekent de zoeksleutel (hash) opnieuw met die sleutel. "
        "In porties, elke portie in een eigen transactie, met één auditregel; nogmaals "
        "draaien maakt af wat nog niet gedaan is en verandert verder niets. Daarna kan de "
        "oude sleutel uit de lijst (docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="rijen per portie")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size moet 1 of meer zijn.")
        keys = [key.strip() for key in settings.FIELD_ENCRYPTION_KEYS if key.strip()]
        first = Fernet(keys[0])
        rotated = unchanged = 0
        last_pk = 0
        try:
            while True:
                with transaction.atomic():
                    changed, kept, last_pk = _rotate_batch(first, last_pk, batch_size)
                if last_pk is None:
                    break
                rotated += changed
                unchanged += kept
                self.stderr.write(f"{rotated + unchanged} jongeren nagelopen…")
        except UndecryptableNumber as error:
            if rotated:
                self._record(rotated, unchanged, len(keys), complete=False)
            raise CommandError(
                f"Jongere {error.pk}: geen sleutel in FIELD_ENCRYPTION_KEYS kan het nummer "
                f"ontsleutelen. {rotated} nummer(s) waren al opnieuw versleuteld; dat kan "
                "geen kwaad, want elke sleutel in de lijst leest ze nog. Zet de oude sleutel "
                "terug in de lijst en draai het commando opnieuw."
            ) from None
        self._record(rotated, unchanged, len(keys), complete=True)
        self.stdout.write(
            f"{rotated} nummer(s) opnieuw versleuteld en gehasht met de eerste sleutel; "
            f"{unchanged} stond(en) er al onder."
        )

    def _record(self, rotated: int, unchanged: int, keys: int, *, complete: bool) -> None:
        after = {"rotated": rotated, "unchanged": unchanged, "keys": keys}
        if not complete:
            after["complete"] = False
        with transaction.atomic():
            audit.record(
                "cases.young_person.rotate_keys",
                actor=None,
                after=after,
                reason="kansrijk rotate_case_keys",
            )


def _rotate_batch(first: Fernet, last_pk: int, batch_size: int):
    """The next batch after ``last_pk``, re-encrypted and re-hashed where needed, in the
    caller's transaction: ``(changed, unchanged, last pk of the batch)``, or a last pk of
    ``None`` when no rows are left. The rows are locked while they are rewritten, so an
    edit of a young person in between is never overwritten with the number read before.
    Raises ``UndecryptableNumber`` before it writes anything of the batch."""
    batch = list(
        YoungPerson.objects.select_for_update()
        .filter(pk__gt=last_pk)
        .order_by("pk")
        .only("pk", "identifier_encrypted", "identifier_hash")[:batch_size]
    )
    if not batch:
        return 0, 0, None
    changed = []
    unchanged = 0
    for person in batch:
        try:
            number = crypto.decrypt(person.identifier_encrypted)
        except crypto.DecryptionError:
            raise UndecryptableNumber(person.pk) from None
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
    return len(changed), unchanged, batch[-1].pk


def _under_first_key(first: Fernet, token: str) -> bool:
    try:
        first.decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True
