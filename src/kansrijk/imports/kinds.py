"""What each kind of import job runs, and where its upload page is.

The importers stay where they are (each keeps only its own column rules, decision
0027); this module only calls them, imported late so that the pipeline does not depend
on the apps that use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import ImportJob, JobKind
from .readers import Progress


def _agenda(job: ImportJob, source, progress: Progress):
    from kansrijk.agenda import importing

    return importing.import_file(
        job.agenda,
        source,
        job.original_name,
        actor=job.uploaded_by,
        dry_run=job.dry_run,
        progress=progress,
    )


def _measurements(job: ImportJob, source, progress: Progress):
    from kansrijk.indicators import importing

    return importing.import_file(
        source, job.original_name, actor=job.uploaded_by, dry_run=job.dry_run, progress=progress
    )


def _participation(job: ImportJob, source, progress: Progress):
    from kansrijk.socialmap import importing

    return importing.import_participation(
        source, job.original_name, actor=job.uploaded_by, dry_run=job.dry_run, progress=progress
    )


def _needs(job: ImportJob, source, progress: Progress):
    from kansrijk.socialmap import importing

    return importing.import_needs(
        source, job.original_name, actor=job.uploaded_by, dry_run=job.dry_run, progress=progress
    )


def _counts(job: ImportJob, source, progress: Progress):
    from kansrijk.cases import reconciliation

    return reconciliation.import_counts(
        source, job.original_name, actor=job.uploaded_by, dry_run=job.dry_run, progress=progress
    )


def _agenda_page(job: ImportJob) -> str:
    return reverse("agenda_io:import", args=[job.agenda.slug])


def _counts_page(job: ImportJob) -> str:
    url = reverse("cases_oversight:reconciliation")
    peildata = job.result.get("peildata") or []
    # One peildatum in the file: show the comparison for it, as the page did before.
    return f"{url}?peildatum={peildata[0]}" if len(peildata) == 1 else url


@dataclass(frozen=True)
class Kind:
    title: Any
    run: Callable[[ImportJob, Any, Progress], Any]
    upload_page: Callable[[ImportJob], str]


KINDS: dict[str, Kind] = {
    JobKind.AGENDA: Kind(_("Agenda bijwerken met een rekenblad"), _agenda, _agenda_page),
    JobKind.MEASUREMENTS: Kind(
        _("Metingen importeren"), _measurements, lambda job: reverse("indicators_io:import")
    ),
    JobKind.PARTICIPATION: Kind(
        _("Deelname importeren"),
        _participation,
        lambda job: reverse("socialmap:participation_import"),
    ),
    JobKind.NEEDS: Kind(
        _("Behoeften importeren"), _needs, lambda job: reverse("socialmap:need_import")
    ),
    JobKind.COUNTS: Kind(_("Aantallen thuiszitters importeren"), _counts, _counts_page),
}
