"""The status page of an import job and the fragment it polls (decision 0029).

A job is shown to its uploader and, for an agenda, to whoever may import into that
agenda; anyone else gets 404, the same answer as "does not exist".
"""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from kansrijk.reports.progress import percent_done

from .kinds import KINDS
from .models import ImportJob
from .problems import ImportProblem


def _visible_job(request, pk: int) -> ImportJob:
    jobs = ImportJob.objects.visible_to(request.user).select_related("agenda")
    return get_object_or_404(jobs, pk=pk)


def _context(job: ImportJob) -> dict:
    result = job.result or {}
    problems = [
        ImportProblem(row, column, message) for row, column, message in result.get("problems", [])
    ]
    report = None
    if "summary" in result:
        # The shape includes/import_result.html expects of an importer's report.
        report = SimpleNamespace(
            dry_run=result["dry_run"],
            changed=result["changed"],
            summary_lines=result["summary"],
            warnings=result["warnings"],
            not_in_file=result.get("not_in_file", []),
        )
    return {
        "job": job,
        "title": KINDS[job.kind].title,
        "upload_page": KINDS[job.kind].upload_page(job),
        "percent": percent_done(job.done, job.total),
        "problems": problems,
        "more_problems": max(result.get("problem_count", 0) - len(problems), 0),
        "report": report,
        "error": result.get("error"),
        # Rows saved before the job failed (decision 0030): the page must not say none were.
        "written": result.get("written"),
    }


@require_GET
@login_required
def status(request, pk: int):
    job = _visible_job(request, pk)
    return render(request, "imports/job_status.html", _context(job))


@require_GET
@login_required
def progress(request, pk: int):
    """The fragment the status page polls. The status comes along, so that the live
    region is only updated when it changes, not every second."""
    job = _visible_job(request, pk)
    context = _context(job)
    context["status_changed"] = request.GET.get("status") != job.status
    return render(request, "imports/job_progress.html", context)
