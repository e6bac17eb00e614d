"""Each request's one log line, its id, and production's JSON log lines."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings

from comptoir.log_filters import TownLogFilter
from comptoir.request_log import request_id_var
from tests.conftest import inside, signed_in

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


@pytest.fixture
def request_lines(caplog) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="comptoir.request")
    return caplog


def only_request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "comptoir.request"]


def test_a_request_is_logged_once_with_its_latency_view_and_user_kind(client_a, request_lines):
    response = client_a.get("/", HTTP_X_REQUEST_ID="ingress-7f3a9c2e")

    (line,) = only_request_lines(request_lines)
    assert response["X-Request-ID"] == "ingress-7f3a9c2e"
    assert line.getMessage() == "GET / 200"
    assert (line.method, line.path, line.status, line.user_kind) == ("GET", "/", 200, "anonymous")
    assert line.request_id == "ingress-7f3a9c2e"
    assert line.schema_name == "alpha"
    assert line.latency_ms > 0
    assert line.view != "<unresolved>"


def test_a_signed_in_administrator_is_logged_as_such(client_a, town_a, admin_a, request_lines):
    signed_in(client_a, town_a, admin_a.email)
    client_a.get("/gestion/")
    kinds = {line.user_kind for line in only_request_lines(request_lines)}
    assert kinds == {"town_admin"}


def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client_a, request_lines):
    first = client_a.get("/", HTTP_X_REQUEST_ID="bad id\nwith a newline")
    second = client_a.get("/")

    ids = [first["X-Request-ID"], second["X-Request-ID"]]
    assert all(len(request_id) == 32 for request_id in ids)
    assert ids[0] != ids[1]
    assert [line.request_id for line in only_request_lines(request_lines)] == ids


def test_health_probes_are_not_logged_unless_they_fail(client_a, request_lines):
    assert client_a.get("/healthz").status_code == 200
    assert only_request_lines(request_lines) == []


def test_every_line_written_during_a_request_carries_its_id(client_a, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client_a.get("/cette-page-n-existe-pas/", HTTP_X_REQUEST_ID="abcdef0123456789")
    (line,) = [record for record in caplog.records if record.name == "django.request"]
    assert response.status_code == 404
    assert line.request_id == "abcdef0123456789"
    assert request_id_var.get() == "-", "the id does not outlive its request"


def json_handler() -> tuple[logging.Handler, io.StringIO]:
    """A handler with the settings' JSON formatter, as production configures the console."""
    stream = io.StringIO()
    configurator = logging.config.DictConfigurator(settings.LOGGING)
    formatter = configurator.configure_formatter(dict(settings.LOGGING["formatters"]["json"]))
    handler = logging.StreamHandler(stream)
    handler.addFilter(TownLogFilter())
    handler.setFormatter(formatter)
    return handler, stream


def test_a_json_line_carries_the_town_the_request_and_the_extras(town_a):
    handler, stream = json_handler()
    logger = logging.getLogger("comptoir.tests.json")
    logger.addHandler(handler)
    logger.propagate = False
    token = request_id_var.set("req-0123456789")
    try:
        with inside(town_a):
            logger.warning("stock low: %s left", 2, extra={"latency_ms": 12.5})
        logger.warning("pool refilled")
    finally:
        request_id_var.reset(token)
        logger.removeHandler(handler)
        logger.propagate = True

    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {
        key: first[key]
        for key in ("level", "logger", "message", "town", "request_id", "latency_ms")
    } == {
        "level": "WARNING",
        "logger": "comptoir.tests.json",
        "message": "stock low: 2 left",
        "town": "alpha",
        "request_id": "req-0123456789",
        "latency_ms": 12.5,
    }
    assert "time" in first
    assert (second["town"], second["request_id"]) == ("public", "req-0123456789")
