"""Background work of the monitor (django-tasks; docs/decisions/0016 and 0022).

``refresh_computed_figures`` brings the computed indicators fed by ``sources`` up to date
for the gemeenten a change touched. ``computed.changed`` enqueues it once per committed
transaction; ``kansrijk db_worker`` runs it (the tests and ``KANSRIJK_TASKS_IMMEDIATE``
run it at once). It takes only names and ids: no figure or row passes through the queue.
"""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_computed_figures(sources: list[str], municipality_ids: list[int]) -> dict:
    from . import services

    result = services.refresh_live(
        sources=sources, municipality_ids=set(municipality_ids), actor=None
    )
    return result.as_dict()
