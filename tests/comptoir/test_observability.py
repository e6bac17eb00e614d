"""Log lines and Sentry events say which town they come from."""

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import sentry_sdk
from django.conf import settings
from django.test import Client

from comptoir.log_filters import TownLogFilter
from tests.conftest import inside

pytestmark = pytest.mark.smoke


@pytest.fixture
def town_log() -> Iterator[io.StringIO]:
    """A handler configured like settings.LOGGING's console one, on django.request and ours."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TownLogFilter())
    handler.setFormatter(logging.Formatter("[%(schema_name)s] %(name)s: %(message)s"))
    loggers = [logging.getLogger("django.request"), logging.getLogger("comptoir.tests")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield stream
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def test_the_console_handler_stamps_the_schema():
    config = settings.LOGGING
    assert config["filters"]["town"] == {"()": "comptoir.log_filters.TownLogFilter"}
    assert config["handlers"]["console"]["filters"] == ["town"]
    assert (
        "[%(schema_name)s]"
        in config["formatters"][config["handlers"]["console"]["formatter"]]["format"]
    )


def test_a_line_logged_in_a_town_names_its_schema(town_a, town_log):
    logger = logging.getLogger("comptoir.tests")

    with inside(town_a):
        logger.warning("stock low")
    logger.warning("pool refilled")

    assert town_log.getvalue().splitlines() == [
        "[alpha] comptoir.tests: stock low",
        "[public] comptoir.tests: pool refilled",
    ]


def test_a_request_logs_in_its_towns_schema(client_a, client_b, town_log):
    client_a.get("/cette-page-n-existe-pas/")
    client_b.get("/celle-ci-non-plus/")

    assert town_log.getvalue().splitlines() == [
        "[alpha] django.request: Not Found: /cette-page-n-existe-pas/",
        "[beta] django.request: Not Found: /celle-ci-non-plus/",
    ]


@pytest.mark.parametrize(
    ("host", "tag"),
    [("alpha.comptoir.test", "alpha"), ("beta.comptoir.test", "beta"), ("comptoir.test", "public")],
)
def test_a_request_tags_sentry_with_its_town(town_a, town_b, host, tag):
    with sentry_sdk.isolation_scope() as scope:
        response = Client(HTTP_HOST=host).get("/")

    assert response.status_code == 200
    assert scope._tags["town"] == tag


def test_settings_start_sentry_without_personal_data():
    """With SENTRY_DSN set, loading the settings starts Sentry; it sends no user and no cookie.
    (A fresh interpreter: Sentry starts once per process, and this one must not report.)"""
    script = (
        "import comptoir.settings.test, sentry_sdk; "
        "options = sentry_sdk.get_client().options; "
        "print(options['dsn'], options['data_collection']['user_info'], "
        "options['data_collection']['cookies']['mode'])"
    )
    # Nothing is sent: no event is captured, and the address is this machine's discard port.
    env = {**os.environ, "SENTRY_DSN": "http://key@127.0.0.1:9/1"}

    run = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )

    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["http://key@127.0.0.1:9/1", "False", "off"]
