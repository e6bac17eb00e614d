"""The production settings under gunicorn, against the real PostgreSQL and Redis: the release
(`platform_setup`) on an empty database of its own, a demo town, then a shopper's journey over
HTTP as the ingress would relay it: home, search, product, cart, checkout paid in shop, and
the order's page. Then what the platform says of it: JSON log lines with the town and request
id, the tasks queued in Redis, the counters every gunicorn worker kept."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connections

from comptoir.db import connection
from tests.deploy.browser import Browser, forms_of, links
from tests.deploy.test_production_settings import production_env

ROOT = Path(__file__).resolve().parents[2]
TOWN = "aix-les-bains"
ROOT_DOMAIN = "comptoir-smoke.example"
METRICS_TOKEN = "smoke-metrics-token"

pytestmark = [
    pytest.mark.skipif(not settings.REDIS_URL, reason="the smoke test runs against the real Redis"),
    # pytest-django sets up the test database only for a module that asks for it: it is copied.
    pytest.mark.django_db,
]


@dataclass
class Served:
    port: int
    log: Path
    queue: str
    redis_url: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _admin_connection() -> psycopg.Connection:
    database = settings.DATABASES["default"]
    return psycopg.connect(
        host=database["HOST"],
        port=database["PORT"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _manage(env: dict[str, str], *args: str, timeout: int = 600) -> None:
    run = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert run.returncode == 0, f"manage.py {' '.join(args)}:\n{run.stdout}\n{run.stderr}"


def _database_create(name: str, *, like: str) -> None:
    """A copy of the test database (migrated, two towns): the release then has little to do and
    the test takes seconds, not the minute a first migration of every app takes. When the copy
    cannot be made (someone else is connected to it), an empty database: the release migrates
    it all."""
    with _admin_connection() as admin:
        try:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{like}"')
        except psycopg.errors.ObjectInUse:
            admin.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="module")
def _public_schema_first() -> None:
    """As the suite's autouse fixture does before each test: the test database's set-up (the
    towns Alpha and Beta) reads the public schema, whatever the migrations left selected."""
    connection.set_schema_to_public()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory, _public_schema_first, django_db_setup, django_db_blocker
) -> Iterator[Served]:
    database = settings.DATABASES["default"]
    name = f"comptoir_smoke_{uuid.uuid4().hex[:8]}"
    queue = f"smoke-{uuid.uuid4().hex[:8]}"
    data = tmp_path_factory.mktemp("smoke")
    port = _free_port()
    env = production_env(
        DATABASE_URL=(
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT']}/{name}"
        ),
        REDIS_URL=settings.REDIS_URL,
        ROOT_DOMAIN=ROOT_DOMAIN,
        CELERY_DEFAULT_QUEUE=queue,
        COMPTOIR_DATA_DIR=str(data),
        PROMETHEUS_MULTIPROC_DIR=str(data / "metrics"),
        METRICS_BEARER_TOKEN=METRICS_TOKEN,
        PORT=str(port),
        WEB_CONCURRENCY="2",
        SPARE_SCHEMA_POOL_SIZE="0",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="INFO",
    )
    with django_db_blocker.unblock():
        connections.close_all()
    _database_create(name, like=database["NAME"])
    server = None
    log = data / "gunicorn.log"
    try:
        # What the image's build does, then what the release Job does, then a town to shop in.
        _manage(env, "collectstatic", "--noinput")
        _manage(env, "platform_setup")
        _manage(env, "seed_demo", "--town", TOWN, "--size", "small")
        with log.open("w") as output:
            server = subprocess.Popen(
                [
                    str(Path(sys.executable).parent / "gunicorn"),
                    "--config",
                    "deploy/gunicorn.conf.py",
                    "comptoir.wsgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text()
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        yield Served(port=port, log=log, queue=queue, redis_url=settings.REDIS_URL)
    finally:
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        redis.Redis.from_url(settings.REDIS_URL).delete(queue)
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _checkout_choices(form) -> dict[str, str]:
    chosen = {
        "name": "Camille Smoke",
        "email": "camille.smoke@exemple.fr",
        "phone": "06 12 34 56 78",
    }
    for name, values in form.choices.items():
        if name.endswith("-fulfilment"):
            chosen[name] = "click_collect" if "click_collect" in values else values[0]
            if chosen[name] != "click_collect":
                prefix = name.removesuffix("fulfilment")
                chosen.update(
                    {
                        f"{prefix}address": "1 place du Marché",
                        f"{prefix}postcode": "73100",
                        f"{prefix}city": "Aix-les-Bains",
                    }
                )
        elif name.endswith("-pickup_at"):
            chosen[name] = next(value for value in values if value)
        elif name.endswith("-payment_method"):
            assert "pay_in_shop" in values, values
            chosen[name] = "pay_in_shop"
    return chosen


def test_a_shopper_buys_and_pays_in_shop_through_gunicorn(served):
    browser = Browser(port=served.port, host=f"{TOWN}.{ROOT_DOMAIN}")

    home = browser.get("/")
    assert home.status == 200, home.text[:500]
    assert "Aix-les-Bains" in home.text
    assert home.headers["Strict-Transport-Security"].startswith(
        "max-age=31536000; includeSubDomains"
    )
    product_paths = links(home, r"/produits/[\w-]+/")
    assert product_paths, "the home page shows products"

    word = product_paths[0].split("/")[2].split("-")[0]
    search = browser.get(f"/recherche/?q={urllib.parse.quote(word)}")
    assert search.status == 200
    found = links(search, r"/produits/[\w-]+/")
    assert found, f"searching {word!r} finds products"

    for path in found:
        product = browser.get(path)
        assert product.status == 200
        adding = [form for form in forms_of(product) if "/panier/ajouter/" in form.action]
        if adding:
            break
    else:
        pytest.fail("no product found can be added to the cart")
    added = browser.submit(product, adding[0], adding[0].data())
    assert added.status == 200, added.text[:500]

    cart = browser.get("/panier/")
    assert cart.status == 200
    assert path in cart.text

    checkout = browser.get("/commande/")
    assert checkout.status == 200
    (form,) = [
        f
        for f in forms_of(checkout)
        if f.method == "post" and any(n == "email" for n, _ in f.fields)
    ]
    confirmation = browser.submit(checkout, form, form.data(**_checkout_choices(form)))
    assert confirmation.status == 200, confirmation.text[:2000]
    tracking_paths = links(confirmation, r"/suivi/[\w-]+/")
    assert tracking_paths, confirmation.text[:2000]

    order = browser.get(tracking_paths[0])
    assert order.status == 200
    assert re.search(r"Camille|Pay in shop|Paiement en boutique|boutique", order.text)
    assert all(page.status < 500 for page in browser.pages)
    assert all("X-Request-ID" in page.headers for page in browser.pages)


def test_the_release_and_the_journey_left_their_marks(served):
    # The order's notifications went to Redis, on the queue this deployment's workers read.
    assert redis.Redis.from_url(served.redis_url).llen(served.queue) > 0

    lines = [
        json.loads(line) for line in served.log.read_text().splitlines() if line.startswith("{")
    ]
    requests = [line for line in lines if line.get("logger") == "comptoir.request"]
    assert {line["path"] for line in requests} >= {"/", "/panier/", "/commande/"}
    checkout = next(
        line for line in requests if line["path"] == "/commande/" and line["method"] == "POST"
    )
    assert re.fullmatch(r"aix[\w-]*", checkout["town"]), checkout  # the demo town's schema
    assert len(checkout["request_id"]) == 32
    assert checkout["status"] == 302
    assert checkout["latency_ms"] > 0
    assert any(line.get("logger") == "gunicorn.error" for line in lines), (
        "gunicorn's own lines are JSON"
    )


def test_metrics_sum_every_gunicorn_worker_and_refuse_the_ingress(served):
    def scrape(**headers: str) -> tuple[int, str]:
        client = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        client.request("GET", "/metrics", headers={"Host": f"127.0.0.1:{served.port}", **headers})
        response = client.getresponse()
        return response.status, response.read().decode()

    assert scrape()[0] == 404, "no token"
    relayed = scrape(Authorization=f"Bearer {METRICS_TOKEN}", **{"X-Forwarded-For": "203.0.113.9"})
    assert relayed[0] == 404
    status, text = scrape(Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200
    checkout = re.search(
        r'^comptoir_http_requests_total\{method="POST",status="302",view="orders:checkout"\} (\S+)$',
        text,
        re.MULTILINE,
    )
    assert checkout and float(checkout[1]) >= 1, text[:3000]
    towns = re.findall(r'^comptoir_towns\{status="\w+"\} (\S+)$', text, re.MULTILINE)
    assert sum(float(count) for count in towns) >= 1
    assert re.search(r'^comptoir_town_merchants\{town="aix[\w-]*"\} [1-9]', text, re.MULTILINE), (
        text
    )
    assert re.search(
        rf'^comptoir_celery_queue_length\{{queue="{served.queue}"\}} [1-9]', text, re.MULTILINE
    )
    assert os.environ.get("PROMETHEUS_MULTIPROC_DIR") is None, (
        "the test process itself is not in multiprocess mode"
    )
