"""The site serves while Redis is down: the cache misses, sessions come from their table, a task
the broker cannot take runs in the process, and the outage is logged once per interval.

Each test starts a Redis server of its own, so stopping it touches no other test."""

import logging
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core import mail
from django.test import Client

from comptoir.celery import app as celery_app
from tests.conftest import TEST_PASSWORD, host_of, user_create
from tests.marketplace.orders.factories import shop_create, variant_create

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(
    not Path(REDIS_SERVER).exists(), reason="redis-server is not installed on this machine"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server on a free port, keeping its snapshot (only when told to SAVE) in `where`."""

    def __init__(self, where: Path) -> None:
        self.where = where
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.where)),
            ],
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _attempt in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self, *, keep_data: bool = False) -> None:
        if keep_data:
            redis.Redis(port=self.port).save()
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None


@pytest.fixture
def redis_server(tmp_path, settings) -> Iterator[RedisServer]:
    """A Redis of this test's own as the cache and the Celery broker, tried again at every call
    once it fails (so every call meets the outage, not only the first)."""
    server = RedisServer(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "comptoir.cache.ResilientRedisCache",
            "LOCATION": server.url,
            "KEY_FUNCTION": "django_tenants.cache.make_key",
            "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.REDIS_DOWN_RETRY_SECONDS = 0
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url")}
    celery_app.conf.update(task_always_eager=False, broker_url=server.url)
    celery_app._after_fork()  # the producers connect to this broker from now on
    try:
        yield server
    finally:
        server.stop()
        celery_app.conf.update(saved)
        celery_app._after_fork()


@pytest.fixture
def outage_log(caplog) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="comptoir.outage")
    return caplog


def _outage_reports(log: pytest.LogCaptureFixture, service: str) -> list[str]:
    return [
        record.getMessage()
        for record in log.records
        if record.name == "comptoir.outage" and record.getMessage().startswith(service)
    ]


@pytest.fixture
def shop_window(town_a):
    shop = shop_create(town_a, name="Savonnerie du Lac")
    variant = variant_create(town_a, shop, title="Savon au lait d'ânesse")
    shopper = user_create(town_a, "lea@alpha.test")
    return shop, variant, shopper


def _walk(town, shop_window, run_after_commit, *, contact: str) -> dict[str, int]:
    """A visitor's way through the town, page by page: what each answered."""
    shop, variant, shopper = shop_window
    # A page that fails answers its 500, so the assertion names every page that failed.
    visitor = Client(HTTP_HOST=host_of(town), raise_request_exception=False)
    answers = {
        name: visitor.get(path).status_code
        for name, path in (
            ("home", "/"),
            ("directory", "/commerces/"),
            ("merchant", f"/commerces/{shop.slug}/"),
            ("product", f"/produits/{variant.product.slug}/"),
            ("search", "/recherche/?q=savon"),
            ("api merchants", "/api/v1/public/merchants/"),
            ("api products", "/api/v1/public/products/?q=savon"),
        )
    }
    added = visitor.post("/panier/ajouter/", {"variant_id": variant.pk, "quantity": 1})
    answers["add to cart"] = added.status_code
    answers["home with a cart"] = visitor.get("/").status_code
    form = visitor.get("/commande/")
    answers["checkout form"] = form.status_code
    found = re.search(r'name="idempotency_key" value="([^"]+)"', form.content.decode())
    with run_after_commit(execute=True):
        placed = visitor.post(
            "/commande/",
            {
                "name": "Camille Martin",
                "email": contact,
                "phone": "",
                "idempotency_key": found.group(1) if found else "",
                f"shop-{shop.pk}-fulfilment": "reserve_pay_in_shop",
            },
        )
    answers["checkout"] = placed.status_code
    shopper_client = Client(HTTP_HOST=host_of(town), raise_request_exception=False)
    signed_in = shopper_client.post(
        "/compte/connexion/", {"username": shopper.email, "password": TEST_PASSWORD}
    )
    answers["sign in"] = signed_in.status_code
    answers["home signed in"] = shopper_client.get("/").status_code
    answers["account"] = shopper_client.get("/compte/").status_code
    return answers


WALKED = {
    "home": 200,
    "directory": 200,
    "merchant": 200,
    "product": 200,
    "search": 200,
    "api merchants": 200,
    "api products": 200,
    "add to cart": 302,
    "home with a cart": 200,
    "checkout form": 200,
    "checkout": 302,
    "sign in": 302,
    "home signed in": 200,
    "account": 200,
}


def test_the_town_serves_before_and_after_redis_stops(
    town_a, shop_window, redis_server, outage_log, django_capture_on_commit_callbacks
):
    def walk(contact: str) -> dict[str, int]:
        return _walk(town_a, shop_window, django_capture_on_commit_callbacks, contact=contact)

    assert walk("up@example.org") == WALKED
    # The confirmation went to the broker, which no worker reads here.
    assert [message.to for message in mail.outbox] == []
    assert _outage_reports(outage_log, "The cache's Redis") == []

    redis_server.stop()

    assert walk("down@example.org") == WALKED
    # No broker: the confirmation was sent from the process, after the commit.
    assert ["down@example.org"] in [message.to for message in mail.outbox]
    # Once each, however many calls met the outage.
    cache_reports = _outage_reports(outage_log, "The cache's Redis")
    broker_reports = _outage_reports(outage_log, "The Celery broker")
    assert len(cache_reports) == 1 and len(broker_reports) == 1
    assert f"127.0.0.1:{redis_server.port}" in cache_reports[0]


def test_the_next_report_comes_after_the_interval_and_counts_the_calls_since(
    town_a, client_a, redis_server, outage_log, settings
):
    redis_server.stop()
    for _request in range(5):
        assert client_a.get("/").status_code == 200
    assert len(_outage_reports(outage_log, "The cache's Redis")) == 1

    settings.REDIS_DOWN_REPORT_SECONDS = 0.01
    time.sleep(0.02)
    assert client_a.get("/").status_code == 200

    reports = _outage_reports(outage_log, "The cache's Redis")
    assert len(reports) >= 2
    calls = int(re.search(r" (\d+) call\(s\) did without it", reports[1]).group(1))
    assert calls > 5  # every cache call of the five requests, not one per report


def test_a_session_signed_out_while_redis_was_away_stays_signed_out(
    town_a, shop_window, redis_server
):
    _shop, _variant, shopper = shop_window
    browser = Client(HTTP_HOST=host_of(town_a))
    browser.post("/compte/connexion/", {"username": shopper.email, "password": TEST_PASSWORD})
    assert browser.get("/compte/").status_code == 200
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME].value

    # Redis goes away with the session in it, and comes back with it (a network cut, say).
    redis_server.stop(keep_data=True)
    assert browser.post("/compte/deconnexion/").status_code == 302
    redis_server.start()

    replayed = Client(HTTP_HOST=host_of(town_a))
    replayed.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replayed.get("/compte/")
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
