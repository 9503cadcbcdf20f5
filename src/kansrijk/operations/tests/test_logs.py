"""JSON log lines with a request id, and the id echoed to the caller (decision 0043)."""

import io
import json
import logging

import pytest
from django.test import Client
from django_tasks import task

from kansrijk.operations import logs

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """The lines the console handler writes with KANSRIJK_LOG_FORMAT=json."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    handler.addFilter(logs.RequestContextFilter())
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def access_lines(lines):
    return [line for line in lines if line["logger"] == "kansrijk.access"]


def test_an_access_line_has_the_route_and_the_request_id(json_lines):
    response = Client().get(
        "/thuiszitters/casussen/918273/?bsn=123456782", HTTP_X_REQUEST_ID="lb-7f3a.42_x"
    )
    assert response["X-Request-ID"] == "lb-7f3a.42_x"
    [line] = access_lines(json_lines())
    assert set(line) == {
        "time",
        "level",
        "logger",
        "message",
        "request_id",
        "method",
        "route",
        "status",
        "duration_ms",
    }
    assert line["level"] == "INFO"
    assert line["request_id"] == "lb-7f3a.42_x"
    assert (line["method"], line["route"], line["status"]) == ("GET", "cases:detail", 302)
    assert isinstance(line["duration_ms"], float)
    assert line["time"].endswith("+00:00")
    assert "918273" not in line["message"] and "123456782" not in json.dumps(line)


def test_every_line_of_the_request_carries_its_id(json_lines):
    Client().get("/bestaat/niet/", HTTP_X_REQUEST_ID="abc-123")
    lines = json_lines()
    by_logger = {line["logger"]: line for line in lines}
    assert by_logger["django.request"]["request_id"] == "abc-123"  # "Not Found: ..."
    assert by_logger["kansrijk.access"]["request_id"] == "abc-123"
    logging.getLogger("kansrijk").info("outside any request")
    assert json_lines()[-1]["request_id"] is None


@pytest.mark.parametrize(
    "hostile",
    [
        "abc\ninjected line",
        'x", "level": "CRITICAL',
        "a" * 65,
        "<script>alert(1)</script>",
        "123 456 782",
        "",
    ],
)
def test_a_hostile_request_id_is_replaced(json_lines, hostile):
    response = Client().get("/gezond/live", HTTP_X_REQUEST_ID=hostile)
    given = response["X-Request-ID"]
    assert given != hostile
    assert logs.SANE_REQUEST_ID.fullmatch(given) and len(given) == 32
    [line] = access_lines(json_lines())
    assert line["request_id"] == given
    assert line["level"] == "DEBUG"  # a probe's line is quiet


def test_each_request_gets_its_own_id():
    first, second = Client().get("/gezond/live"), Client().get("/gezond/live")
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_an_exception_is_one_line(json_lines):
    try:
        raise ValueError("kapot")
    except ValueError:
        logging.getLogger("kansrijk.test").exception("it broke")
    [line] = json_lines()
    assert line["message"] == "it broke"
    assert "ValueError: kapot" in line["exception"]


@task()
def log_something():
    logging.getLogger("kansrijk.test").info("inside a task")


def test_a_task_line_carries_the_task_id(json_lines):
    result = log_something.enqueue()
    [line] = [line for line in json_lines() if line["message"] == "inside a task"]
    assert line["task_id"] == str(result.id)
    logging.getLogger("kansrijk.test").info("after the task")
    assert "task_id" not in json_lines()[-1]


def test_the_setting_chooses_the_formatter(settings):
    console = settings.LOGGING["handlers"]["console"]
    assert console["formatter"] in settings.LOGGING["formatters"]
    assert "request_context" in console["filters"]
    assert settings.LOGGING["formatters"]["json"]["()"] == "kansrijk.operations.logs.JsonFormatter"
