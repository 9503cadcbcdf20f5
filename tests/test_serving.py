"""The gunicorn configuration in the package (decision 0048) and the deployment files and
page that describe it."""

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVING = ROOT / "src" / "kansrijk" / "serving.py"
OPERATIONS = ROOT / "docs" / "operations.md"
DEPLOY = ROOT / "docs" / "deploy"


def _serving(monkeypatch, **environment):
    for name in re.findall(r'"(KANSRIJK_WEB_[A-Z_]+)"', SERVING.read_text()):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    import kansrijk.serving

    return importlib.reload(kansrijk.serving)


def test_defaults_are_threads_in_a_process_per_core(monkeypatch):
    serving = _serving(monkeypatch)
    assert serving.worker_class == "gthread"
    assert serving.workers >= 1
    assert serving.threads == 8
    assert serving.bind == ["127.0.0.1:8000"]
    assert serving.max_requests > serving.max_requests_jitter > 0
    assert serving.preload_app is False


def test_every_value_comes_from_the_environment(monkeypatch):
    serving = _serving(
        monkeypatch,
        KANSRIJK_WEB_BIND="0.0.0.0:8000",
        KANSRIJK_WEB_WORKERS="3",
        KANSRIJK_WEB_THREADS="8",
        KANSRIJK_WEB_TIMEOUT="90",
        KANSRIJK_WEB_PRELOAD="true",
        KANSRIJK_WEB_FORWARDED_ALLOW_IPS="10.0.0.5",
    )
    assert serving.bind == ["0.0.0.0:8000"]
    assert (serving.workers, serving.threads, serving.timeout) == (3, 8, 90)
    assert serving.preload_app is True
    assert serving.forwarded_allow_ips == "10.0.0.5"


def test_gunicorn_accepts_the_configuration(monkeypatch):
    config_module = pytest.importorskip("gunicorn.config")
    serving = _serving(monkeypatch)
    config = config_module.Config()
    for name in dir(serving):
        if name in config.settings:
            config.set(name, getattr(serving, name))
    assert config.worker_class_str == "gthread"


def test_operations_names_every_variable_of_the_configuration():
    names = set(re.findall(r'"(KANSRIJK_WEB_[A-Z_]+)"', SERVING.read_text()))
    page = OPERATIONS.read_text()
    missing = [name for name in sorted(names) if name not in page]
    # "KANSRIJK_WEB_MAX_REQUESTS_JITTER" is written as "…_JITTER" beside its sibling.
    assert missing in ([], ["KANSRIJK_WEB_MAX_REQUESTS_JITTER"])


def test_the_deployment_files_are_those_the_page_links_and_use_the_configuration():
    page = OPERATIONS.read_text()
    for name in ("kansrijk-web.service", "kansrijk-worker.service", "nginx.conf"):
        assert (DEPLOY / name).is_file()
        assert f"(deploy/{name})" in page
    web = (DEPLOY / "kansrijk-web.service").read_text()
    assert "gunicorn -c python:kansrijk.serving kansrijk.wsgi:application" in web
    assert "kansrijk db_worker" in (DEPLOY / "kansrijk-worker.service").read_text()
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "client_max_body_size 210m;" in nginx
    assert "210 MiB" in page


def test_the_proxy_lets_the_largest_upload_through():
    from kansrijk.cases.importing import MAX_FILE_BYTES

    nginx = (DEPLOY / "nginx.conf").read_text()
    mebibytes = int(re.search(r"client_max_body_size (\d+)m;", nginx).group(1))
    # The file and the form around it (the other fields, the multipart boundaries).
    assert mebibytes * 1024 * 1024 >= MAX_FILE_BYTES + 1024 * 1024
