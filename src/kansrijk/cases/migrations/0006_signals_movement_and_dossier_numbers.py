"""Signals by the law (decision 0032): ``Case.last_movement_on``, the day anything was last
recorded on a case, and one counter of dossier numbers per year (``TZ-2026-00123``).
Existing dossier numbers stay as they are."""

from django.db import migrations, models


def agreements_are_movement(apps, schema_editor):
    """Agreements made or resolved after the latest timeline event were movement on the
    case, but only the timeline counted: carry their latest date over."""
    Agreement = apps.get_model("cases", "Agreement")
    Case = apps.get_model("cases", "Case")
    latest: dict[int, object] = {}
    rows = Agreement.objects.values_list("case_id", "created_at", "resolved_on")
    for case_id, created_at, resolved_on in rows.iterator(chunk_size=2000):
        for day in (created_at.date() if created_at else None, resolved_on):
            if day is not None and (case_id not in latest or day > latest[case_id]):
                latest[case_id] = day
    changed = []
    for case in Case.objects.filter(pk__in=list(latest)).only("pk", "last_event_on"):
        day = latest[case.pk]
        if case.last_event_on is None or day > case.last_event_on:
            case.last_movement_on = day
            changed.append(case)
    Case.objects.bulk_update(changed, ["last_movement_on"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_import_run_saved_in_batches"),
    ]

    operations = [
        migrations.CreateModel(
            name="DossierNumberSequence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(unique=True, verbose_name="jaar")),
                (
                    "last_number",
                    models.PositiveIntegerField(default=0, verbose_name="laatste nummer"),
                ),
            ],
            options={
                "verbose_name": "reeks dossiernummers",
                "verbose_name_plural": "reeksen dossiernummers",
            },
        ),
        migrations.AddField(
            model_name="case",
            name="last_movement_on",
            field=models.DateField(blank=True, null=True, verbose_name="laatste beweging"),
        ),
        migrations.RunPython(agreements_are_movement, migrations.RunPython.noop),
    ]
