"""The case import has no phase "opslaan" any more: it checks and stages, then switches
in one short transaction (decision 0028). A run still marked "opslaan" was written by an
import of decision 0016 that cannot be running after an upgrade: it becomes a checking
run, which the worker's sweep finds silent and marks failed, deleting its file."""

from django.db import migrations, models


def writing_runs_to_checking(apps, schema_editor):
    ImportRun = apps.get_model("cases", "ImportRun")
    ImportRun.objects.filter(status="opslaan").update(status="controleren")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_import_run_heartbeat"),
    ]

    operations = [
        migrations.RunPython(writing_runs_to_checking, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="importrun",
            name="status",
            field=models.CharField(
                choices=[
                    ("wachtrij", "in de wachtrij"),
                    ("controleren", "bezig met controleren"),
                    ("klaar", "geïmporteerd"),
                    ("afgewezen", "afgewezen: er is niets opgeslagen"),
                    ("mislukt", "mislukt: er is niets opgeslagen"),
                ],
                default="wachtrij",
                max_length=20,
                verbose_name="status",
            ),
        ),
    ]
