"""Log lines and Sentry events say which town they come from."""

import io
import logging
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
