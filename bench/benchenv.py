"""The settings every benchmark runs with, set before Django starts.

Production-like: DEBUG off (cached templates), plain static storage (no collectstatic),
no .env, warnings only. Without DATABASE_URL the benchmark gets a SQLite file of its own
in a fresh temporary directory (or in ``directory``)."""

import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(name: str, directory: Path | None = None) -> Path:
    """Set the environment and start Django; return the benchmark's working directory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kansrijk.settings")
    os.environ.update(
        DEBUG="false",
        SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        FIELD_ENCRYPTION_KEYS="YmVuY2htYXJrLW9ubHktZmllbGQta2V5LTAwMDAwMDA=",
        SECURE_SSL_REDIRECT="false",
        KANSRIJK_STATIC_MANIFEST="false",
        KANSRIJK_ENV_FILE="/nonexistent/.env",
        ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    directory = directory or Path(tempfile.mkdtemp(prefix=f"kansrijk-bench-{name}-"))
    directory.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory / 'bench.sqlite3'}")

    import django

    django.setup()
    return directory
