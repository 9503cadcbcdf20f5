"""The files an older version kept under MEDIA_ROOT move into the database (decision
0050): uploads waiting for the worker (``import-jobs/``, ``imports/``) and generated
documents (``documents/``). Their rows keep the same ``stored_file``: the reference is
the path the file had under MEDIA_ROOT. Each file on disk is deleted once the move has
committed (a case upload holds BSNs in clear there).

Run where MEDIA_ROOT is (before this version, every machine that ran the web or the
worker shared it; docs/operations.md). A file that is not there is simply not moved:
its job fails or expires as if it had been lost, as it always would have."""

import datetime
from pathlib import Path

from django.conf import settings
from django.db import migrations, transaction

DIRECTORIES = ("import-jobs", "imports", "documents")


def _read(path: Path):
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            yield chunk


def move_in(apps, schema_editor):
    from kansrijk import kept_files

    KeptFile = apps.get_model("storage", "KeptFile")
    KeptChunk = apps.get_model("storage", "KeptChunk")
    using = schema_editor.connection.alias
    root = Path(settings.MEDIA_ROOT)
    moved = []
    for directory in DIRECTORIES:
        if not (root / directory).is_dir():
            continue
        for path in sorted((root / directory).iterdir()):
            if not path.is_file():
                continue
            reference = f"{directory}/{path.name}"
            if KeptFile.objects.using(using).filter(reference=reference).exists():
                continue
            kept = KeptFile.objects.using(using).create(
                reference=reference, directory=directory, key_id=kept_files.writing_key_id()
            )
            # Its age on disk, so that the sweeps delete it when they would have.
            modified = datetime.datetime.fromtimestamp(path.stat().st_mtime, tz=datetime.UTC)
            size = count = 0
            for index, data, length in kept_files.sealed(reference, _read(path)):
                KeptChunk.objects.using(using).create(file=kept, index=index, data=data)
                size, count = size + length, index + 1
            KeptFile.objects.using(using).filter(pk=kept.pk).update(
                size=size, chunk_count=count, complete=True, created_at=modified
            )
            moved.append(path)

    def delete_moved():
        for path in moved:
            path.unlink(missing_ok=True)

    transaction.on_commit(delete_moved, using=using)


class Migration(migrations.Migration):
    dependencies = [("storage", "0001_initial")]

    operations = [migrations.RunPython(move_in, migrations.RunPython.noop)]
