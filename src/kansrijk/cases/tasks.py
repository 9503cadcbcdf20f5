"""Background work of the register (django-tasks; docs/decisions/0016).

``run_case_import`` imports a file uploaded in the web. The web enqueues it once the
upload's ``ImportRun`` is committed; ``kansrijk db_worker`` runs it (the tests run it at
once with the immediate backend). The task takes only the run's id: the file's rows
never pass through the task queue.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_case_import(run_id: int) -> None:
    from .importing import run_stored_import

    run_stored_import(run_id)
