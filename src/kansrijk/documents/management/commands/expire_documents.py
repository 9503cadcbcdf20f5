"""``kansrijk expire_documents``: what the worker's sweep does for the documents, once,
from the command line (decision 0047): deletes the files of documents past their expiry,
marks failed the documents whose worker died, and deletes stray files."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kansrijk.documents.services import expire_documents


class Command(BaseCommand):
    help = (
        "Verwijdert gemaakte documenten waarvan de bewaartijd voorbij is (standaard een "
        "dag) en markeert documenten waarvan het proces stopte als mislukt."
    )

    def handle(self, *args, **options):
        report = expire_documents()
        self.stdout.write(
            f"{report['expired']} documenten verlopen en verwijderd, "
            f"{report['failed']} documenten als mislukt gemarkeerd, "
            f"{report['deleted']} losse bestanden verwijderd."
        )
