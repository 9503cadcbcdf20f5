"""Background work of the documents (django-tasks; decision 0047). The task takes only
the job's id: what to build is on the job."""

from __future__ import annotations

from django_tasks import task


@task()
def run_document_job(job_id: int) -> None:
    from .services import run_document_job as run

    run(job_id)
