"""Files the application keeps for a while under ``MEDIA_ROOT``: an import job's upload
until the worker has read it (decision 0029), a generated document until it expires
(decision 0047). Random names, readable by the application only; a sweep deletes what no
row claims any more."""

from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings


def directory(name: str) -> Path:
    path = Path(settings.MEDIA_ROOT) / name
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def keep(name: str, original_name: str, chunks: Iterable[bytes]) -> str:
    """Write ``chunks`` to a new file in the directory ``name``; returns its path relative
    to ``MEDIA_ROOT``, as the rows store it."""
    stored = f"{secrets.token_hex(16)}{Path(original_name).suffix.lower()}"
    descriptor = os.open(directory(name) / stored, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as kept:
        for chunk in chunks:
            kept.write(chunk)
    return f"{name}/{stored}"


def delete_unclaimed(name: str, claimed: Iterable[str], old_before: datetime.datetime) -> int:
    """Delete the files of directory ``name`` older than ``old_before`` that no row
    (``claimed``: paths relative to ``MEDIA_ROOT``) refers to; returns how many."""
    path = Path(settings.MEDIA_ROOT) / name
    if not path.is_dir():
        return 0
    claimed = set(claimed)
    deleted = 0
    for entry in path.iterdir():
        modified = datetime.datetime.fromtimestamp(entry.stat().st_mtime, tz=datetime.UTC)
        if f"{name}/{entry.name}" not in claimed and modified < old_before:
            entry.unlink(missing_ok=True)
            deleted += 1
    return deleted
