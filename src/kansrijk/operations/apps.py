from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "kansrijk.operations"
    label = "operations"
    verbose_name = _("Bedrijfsvoering")

    def ready(self):
        from django_tasks.signals import task_finished, task_started

        from . import logs

        # The worker's log lines name the task they belong to (decision 0043).
        task_started.connect(logs.task_started, dispatch_uid="operations-task-started")
        task_finished.connect(logs.task_finished, dispatch_uid="operations-task-finished")
