"""Background work of the drafts read from a document (django-tasks; decision 0053).

The task takes only the draft's id: the document never passes through the task queue.
"""

from __future__ import annotations

from django_tasks import task


@task()
def read_draft(draft_id: int) -> None:
    from .services import read

    read(draft_id)
