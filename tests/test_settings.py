"""Production settings: `kansrijk check --deploy` is clean, and secrets are required."""

import os
import subprocess
import sys

import pytest

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-deploy-check-0123456789abcdef",
    "FIELD_ENCRYPTION_KEYS": "c2VjcmV0LWZpZWxkLWtleS1mb3ItdGhlLWNoZWNrLTA=",
    "ALLOWED_HOSTS": "kansrijk.example.nl",
}


@pytest.fixture
def production_env(tmp_path):
    """The production settings with a data directory and database of the test's own: two
    runs on one machine (or two workers of one run) never share a fixed path."""
    return {
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        "KANSRIJK_VAR_DIR": str(tmp_path / "var"),
    }


def run_kansrijk(*args, env):
    clean_env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "-m", "kansrijk.manage", *args],
        env={
            **clean_env,
            **env,
            # A developer's .env must not fill in what production leaves out.
            "KANSRIJK_ENV_FILE": "/nonexistent/.env",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_production_settings(production_env):
    result = run_kansrijk("check", "--deploy", "--fail-level", "WARNING", env=production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_to_start_without_a_key(missing, production_env):
    env = {k: v for k, v in production_env.items() if k != missing}
    result = run_kansrijk("check", env=env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_refuses_a_malformed_encryption_key(production_env):
    result = run_kansrijk("check", env={**production_env, "FIELD_ENCRYPTION_KEYS": "abc"})
    assert result.returncode != 0
    assert "not a Fernet key" in result.stderr


def test_sqlite_is_set_up_for_a_web_process_and_a_worker_side_by_side(tmp_path, production_env):
    script = (
        "from django.db import connection\n"
        "cursor = connection.cursor()\n"
        "cursor.execute('PRAGMA journal_mode'); print(cursor.fetchone()[0])\n"
        "cursor.execute('PRAGMA busy_timeout'); print(cursor.fetchone()[0])\n"
    )
    env = {**production_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'wal.sqlite3'}"}
    result = run_kansrijk("shell", "--no-imports", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    journal_mode, busy_timeout = result.stdout.split()
    assert journal_mode == "wal"
    assert int(busy_timeout) >= 5000


def test_the_interface_is_dutch_even_for_an_english_browser(client, db):
    response = client.get("/account/inloggen/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "nl"


def test_english_is_a_choice_that_is_remembered(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/account/inloggen/"})
    response = client.get("/account/inloggen/")
    assert response.headers["Content-Language"] == "en"
