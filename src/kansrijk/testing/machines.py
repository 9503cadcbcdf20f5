"""Two machines in one test: each with a ``MEDIA_ROOT`` and a progress cache of its own,
as a web machine and a worker on another machine have, sharing nothing but the
database and the key (decision 0050)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from django.conf import settings
from django.test import override_settings


@contextlib.contextmanager
def machine(root: Path):
    """Run the block as on the machine whose own disk is ``root`` (made empty)."""
    root.mkdir(parents=True, exist_ok=True)
    progress = {**settings.CACHES["progress"], "LOCATION": str(root / "cache" / "progress")}
    with override_settings(
        MEDIA_ROOT=root / "media", CACHES={**settings.CACHES, "progress": progress}
    ):
        yield root


def files_on(root: Path) -> list[Path]:
    """The files the machine left on its own disk under MEDIA_ROOT: none belong there."""
    return [path for path in (root / "media").rglob("*") if path.is_file()]
