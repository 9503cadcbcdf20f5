"""``kansrijk sweep_imports``: what the worker's sweep does, once, from the command line.

For a server where no worker runs for a while, or from cron as a second safety net:
marks failed the imports whose worker died while checking (case imports,
``cases.import_recovery``; the other uploads' import jobs, ``imports.jobs``), queues
again those that died while saving (decisions 0030 and 0034), deletes the uploaded files
of ended imports and every uploaded file older than ``KANSRIJK_IMPORT_FILE_MAX_AGE_HOURS``,
and fails the policy documents whose reading stopped (``agenda_intake``, decision 0053).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kansrijk.agenda_intake import services as agenda_intake
from kansrijk.cases import import_recovery
from kansrijk.imports import jobs


class Command(BaseCommand):
    help = (
        "Markeert imports waarvan het proces stopte als mislukt (of zet ze opnieuw in de "
        "wachtrij als ze al deels waren opgeslagen) en verwijdert "
        "geüploade bestanden van afgelopen imports en bestanden ouder dan de bewaartijd "
        "(standaard een dag)."
    )

    def handle(self, *args, **options):
        report = import_recovery.sweep()
        job_report = jobs.sweep()
        drafts_failed = agenda_intake.sweep()
        self.stdout.write(
            f"{report.died} onderbroken imports als mislukt gemarkeerd, "
            f"{report.taken_up} deels opgeslagen imports opnieuw in de wachtrij, "
            f"{report.expired} imports over de bewaartijd, "
            f"{report.files_deleted} bestanden verwijderd; "
            f"{job_report['failed']} importtaken als mislukt gemarkeerd, "
            f"{job_report['requeued']} deels opgeslagen importtaken opnieuw in de wachtrij, "
            f"{job_report['deleted']} bestanden van importtaken verwijderd; "
            f"{drafts_failed} documenten waarvan het lezen stilviel als mislukt gemarkeerd."
        )
