"""Kept files and pulses in the database (decision 0050): a web machine stores what a
worker on another machine reads, and a sweep on any machine sees the pulse of work that
runs on another."""

from __future__ import annotations

from django.db import models


class KeptFile(models.Model):
    """A file the application keeps for at most a day (an upload waiting for the worker,
    a generated document); its bytes are in ``KeptChunk`` rows, encrypted."""

    # What the callers store in their ``stored_file``: "<directory>/<random><suffix>",
    # the same form the paths under MEDIA_ROOT had, so that their rows need no change.
    reference = models.CharField(max_length=200, unique=True)
    directory = models.CharField(max_length=40)
    size = models.BigIntegerField(default=0)
    chunk_count = models.PositiveIntegerField(default=0)
    # Which of FIELD_ENCRYPTION_KEYS encrypted it: a digest of the key, never the key.
    key_id = models.CharField(max_length=16)
    # False while its chunks are written: such a file is not there yet for a reader.
    complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["directory", "created_at"])]

    def __str__(self) -> str:
        return self.reference


class KeptChunk(models.Model):
    """About a mebibyte of a kept file: a nonce and the AES-GCM ciphertext with its tag."""

    file = models.ForeignKey(KeptFile, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file", "index"], name="storage_chunk_once")]

    def __str__(self) -> str:
        return f"{self.file_id}:{self.index}"


class Pulse(models.Model):
    """The last beat of background work, written through a connection of its own
    (``kansrijk.pulse``) so that it commits whatever transaction the work has open."""

    key = models.CharField(max_length=100, unique=True)
    beat_at = models.FloatField()

    def __str__(self) -> str:
        return self.key
