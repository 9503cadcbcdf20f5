"""Background work of the import jobs (django-tasks; decisions 0016 and 0029).

The task takes only the job's id: the file's rows never pass through the task queue.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_import_job(job_id: int) -> None:
    from .jobs import run

    run(job_id)
