"""The fixed taxonomies (themes, audiences, features) with ids derived from their codes."""

from django.db import migrations


def create(apps, schema_editor):
    from kansrijk.socialmap.taxonomy import create_taxonomies

    create_taxonomies(
        apps.get_model("socialmap", "Taxonomy"), apps.get_model("socialmap", "TaxonomyTerm")
    )


class Migration(migrations.Migration):
    dependencies = [("socialmap", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
