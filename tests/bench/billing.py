"""Billing benchmark: Stripe's webhook intake under load, handled end to end by a real Celery
worker on Redis, and a 3-shop cart's checkout by card against "pay in shop".

Run alone: `python -m tests.bench.billing` (with `python -m comptoir.devenv` in front when
DATABASE_URL is not set). It needs REDIS_URL (the broker of the real worker); without it, it
says so and stops. It works in its own database, `comptoir_bench_billing`, on the server of
DATABASE_URL, and starts, for the run only:
- the offline Stripe (tests/fakes/stripe_server.py), in this process, on a free port;
- the app under gunicorn (the production image's server, `BENCH_WEB_WORKERS` sync workers, 3 by
  default as in deploy/Dockerfile), settings `comptoir.settings.bench`, on a free port;
- a Celery worker (prefork, `BENCH_WORKER_CONCURRENCY`, 2 by default) on a queue of the
  benchmark's own, so no development worker on the same Redis takes its tasks.

Printed, each beside a baseline measured in the same run:
- the baseline: GET /healthz, answered before any routing, sent the same way (same senders,
  same count) — what a request costs this machine at this load;
- the webhook intake: EVENTS signed deliveries (the fake's own signing; Connect
  `account.updated` of the town's three shops, payment events no town started, and one in ten a
  repeat of an earlier delivery, as Stripe's retries are), posted by SENDERS concurrent senders
  to POST /billing/webhooks/stripe/: accepted events/s, the time from sending to the 2xx
  (p50/p95/p99, target p95 < 50 ms) and the server's own time for it (gunicorn's), then the
  events processed per second end to end, from the first post until every stored event is marked
  processed by the worker, and that each event was stored exactly once;
- checkout of a 3-shop cart over HTTP, as a shopper's browser does it: by card (the checkout's
  POST, which creates the Stripe Checkout session, until the shopper is sent to the card page;
  the card page's payment until the orders are paid, through the fake's webhooks, the intake
  and the worker; the whole) against "pay in shop" (the checkout's POST until the
  confirmation, orders placed), alternated so that both meet the same load; median and p95.
"""

import contextlib
import functools
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tenants.models import Town

BENCH_DATABASE = "comptoir_bench_billing"
TOWN_SLUG = "bench-billing"
QUEUE = "bench-billing"
EVENTS = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "1000"))
SENDERS = int(os.environ.get("BENCH_WEBHOOK_SENDERS", "8"))
REPEAT_EVERY = 10
ROUNDS = 5
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "3"))
WORKER_CONCURRENCY = int(os.environ.get("BENCH_WORKER_CONCURRENCY", "2"))
CHECKOUTS = int(os.environ.get("BENCH_CHECKOUTS", "20"))
TARGET_P95_MS = 50.0
WAIT_SECONDS = 120.0
WEBHOOK_PATH = "/billing/webhooks/stripe/"
SHOPS = ("Fleurs de Lys", "Fromagerie du Revard", "Librairie des Thermes")
BASE_DIR = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values` (share in 0–1)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


@dataclass(frozen=True)
class Timing:
    name: str
    values_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values_ms)

    @property
    def p95(self) -> float:
        return percentile(self.values_ms, 0.95)

    @property
    def p99(self) -> float:
        return percentile(self.values_ms, 0.99)

    def line(self, baseline: "Timing | None" = None) -> str:
        text = (
            f"{self.name:<46} median {self.median:7.1f} ms   p95 {self.p95:7.1f} ms   "
            f"p99 {self.p99:7.1f} ms"
        )
        if baseline is not None:
            text += f"   p95 ×{self.p95 / baseline.p95:.1f} the baseline's"
        return text


# --- the services of the run -----------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(**extra: str) -> dict[str, str]:
    """The environment of the served app and the worker: the bench's settings and database,
    Stripe at the fake, a real worker on Redis."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "comptoir.settings.bench",
        "BENCH_DATABASE_NAME": BENCH_DATABASE,
        "BENCH_CELERY_WORKER": "1",
        "PYTHONPATH": str(BASE_DIR),
        **extra,
    }


@contextlib.contextmanager
def _process(
    command: list[str], *, environment: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A subprocess for the run, its output in `log`; stopped (then killed) at the end."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.returncode not in (0, -15):
        print(f"   ({command[0]} ended with {process.returncode}; its log: {log})")


def _wait_until(ready: Callable[[], bool], *, what: str, seconds: float = WAIT_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not done after {seconds:.0f} s")
        time.sleep(0.05)


def _answers(port: int) -> bool:
    try:
        status, _, _ = _request(
            http.client.HTTPConnection("127.0.0.1", port, timeout=2), "GET", "/healthz"
        )
    except OSError:
        return False
    return status == 200


def cpu_seconds(root: int) -> float:
    """The CPU time (user + system) used so far by process `root` and its children."""
    parents: dict[int, int] = {}
    used: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # ended meanwhile
            continue
        pid = int(stat.parent.name)
        parents[pid] = int(fields[1])
        used[pid] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {root}, True
    while grown:
        children = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= children
        grown = bool(children)
    return sum(used.get(pid, 0.0) for pid in tree)


@dataclass(frozen=True)
class Server:
    port: int
    # Gunicorn's access log, each line `path status microseconds`: its time from reading the
    # request to the answer sent.
    access: Path
    web_pid: int
    worker_pid: int

    def logged_since(self) -> int:
        return self.access.stat().st_size

    def server_times(self, path: str, since: int) -> list[float]:
        """Gunicorn's times (ms) of the requests to `path` logged after byte `since`."""
        time.sleep(0.3)  # gunicorn writes its access log after the answer
        with self.access.open("rb") as log:
            log.seek(since)
            lines = log.read().decode().splitlines()
        return [float(line.split()[2]) / 1000 for line in lines if line.split()[0] == path]


@contextlib.contextmanager
def served(*, port: int, stripe_api_base: str, logs: Path) -> Iterator[Server]:
    """The app under gunicorn and a Celery worker."""
    environment = _environment(STRIPE_API_BASE=stripe_api_base)
    access = logs / "access.log"
    gunicorn = [
        str(BIN / "gunicorn"), "comptoir.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(WEB_WORKERS),
        "--access-logfile", str(access), "--access-logformat", "%(U)s %(s)s %(D)s",
    ]  # fmt: skip
    worker = [
        str(BIN / "celery"), "-A", "comptoir", "worker", "--queues", QUEUE,
        "--concurrency", str(WORKER_CONCURRENCY), "--loglevel", "warning",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    with (
        _process(gunicorn, environment=environment, log=logs / "gunicorn.log") as web,
        _process(worker, environment=environment, log=logs / "worker.log") as tasks,
    ):
        _wait_until(lambda: _answers(port), what="gunicorn serving")
        yield Server(port, access, web.pid, tasks.pid)


# --- HTTP as Stripe and a browser send it ----------------------------------------------------


def _request(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    content = response.read()
    if response.will_close:
        connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, content


@dataclass(frozen=True)
class Load:
    seconds: float
    latencies_ms: list[float]
    statuses: dict[int, int]
    started_at: float  # time.time() of the first request

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds


def load_send(
    *, port: int, host: str, requests: list[tuple[str, str, bytes | None, dict[str, str]]]
) -> Load:
    """Send `requests` (method, path, body, headers) from SENDERS threads, each taking the next
    one as soon as its answer is in; the time of each from sending to its answer read."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    pending = iter(requests)
    start = threading.Barrier(SENDERS + 1)
    errors: list[BaseException] = []

    def sender() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        start.wait()
        try:
            while True:
                with lock:
                    item = next(pending, None)
                if item is None:
                    return
                method, path, body, headers = item
                began = time.perf_counter()
                status, _, _ = _request(
                    connection, method, path, body=body, headers={"Host": host, **headers}
                )
                elapsed = (time.perf_counter() - began) * 1000
                with lock:
                    latencies.append(elapsed)
                    statuses[status] = statuses.get(status, 0) + 1
        except BaseException as error:  # reported after the run
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    start.wait()
    started_at, began = time.time(), time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if errors:
        raise errors[0]
    return Load(seconds, latencies, statuses, started_at)


class Browser:
    """A shopper's browser on the town's host: cookies kept, CSRF token sent back."""

    def __init__(self, *, port: int, host: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.host = host
        self.cookies: dict[str, str] = {}

    def send(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        """Status, Location and page of the answer."""
        headers = {"Host": self.host}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **form}
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        page = response.read().decode()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        if response.will_close:
            self.connection.close()
        return response.status, response.getheader("Location", ""), page


def card_page_pay(url: str, card: str = "4242 4242 4242 4242") -> str:
    """Pay on the fake's card page as a browser does; where the shopper is sent next."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        status, headers, _ = _request(
            connection,
            "POST",
            parts.path,
            body=urllib.parse.urlencode({"card": card}).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    finally:
        connection.close()
    assert status == 303, f"the card page answered {status}"
    return headers.get("location", "")


# --- the town --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BenchTown:
    town: "Town"
    host: str
    shop_ids: list[int]
    variant_ids: list[int]


def town_make() -> BenchTown:
    """A fresh town (the previous run's removed: the fake's memory starts empty each run, so
    Connect accounts made last time exist nowhere now) with three shops selling online."""
    from datetime import time as clock

    from django_tenants.utils import schema_context

    from billing.shared.models import StripeEvent
    from marketplace.catalogue.models import Product, Variant
    from marketplace.directory.models import Category, Merchant, OpeningHours
    from tenants.models import Town
    from tenants.services.provisioning import town_provision
    from tests.bench.towns import towns_remove

    towns_remove(slugs=[TOWN_SLUG])
    StripeEvent.objects.all().delete()
    town = town_provision(name="Bancville-Paie", slug=TOWN_SLUG, admin_email="mairie@paie.test")
    Town.objects.filter(pk=town.pk).update(status=Town.Status.ACTIVE)
    town.refresh_from_db()
    with schema_context(town.schema_name):
        category = Category.objects.create(name="Commerce", slug="bench-commerce")
        shop_ids, variant_ids = [], []
        for number, name in enumerate(SHOPS, start=1):
            merchant = Merchant.objects.create(
                name=name,
                slug=f"bench-shop-{number}",
                category=category,
                status=Merchant.Status.APPROVED,
                address="3 rue du Port",
                postcode="73100",
                city="Aix-les-Bains",
                sells_online=True,
                offers_reserve_pay_in_shop=True,
            )
            OpeningHours.objects.bulk_create(
                OpeningHours(
                    merchant=merchant, weekday=day, opens_at=clock(0), closes_at=clock(23, 59)
                )
                for day in range(7)
            )
            product = Product.objects.create(
                merchant=merchant,
                title=f"Article {number}",
                slug=f"bench-article-{number}",
                is_published=True,
            )
            variant = Variant.objects.create(
                product=product,
                sku=f"BENCH-{number}",
                price_cents=1000 + 250 * number,
                stock=1_000_000,
            )
            shop_ids.append(merchant.pk)
            variant_ids.append(variant.pk)
    return BenchTown(town, town.primary_domain_name, shop_ids, variant_ids)


def shops_connect(bench: BenchTown, fake) -> list[str]:
    """Each shop's Connect account, made through billing's service at the fake, then opened to
    charges by Stripe, as its account.updated webhook (through the served intake and the
    worker) tells the town. The accounts' ids."""
    from django_tenants.utils import schema_context

    from billing.models import ConnectAccount
    from billing.services.connect import connect_account_create
    from marketplace.directory.models import Merchant

    with schema_context(bench.town.schema_name):
        accounts = [
            connect_account_create(merchant=merchant).stripe_account_id
            for merchant in Merchant.objects.filter(pk__in=bench.shop_ids).order_by("pk")
        ]
    for account in accounts:
        fake.account_update(account, due=[], deadline=None, enabled=True)

    def opened() -> bool:
        with schema_context(bench.town.schema_name):
            return ConnectAccount.objects.filter(charges_enabled=True).count() == len(accounts)

    _wait_until(opened, what="the shops' accounts opened by webhook")
    return accounts


# --- the webhook intake ----------------------------------------------------------------------


def deliveries_make(fake, accounts: list[str], count: int) -> list:
    """`count` deliveries signed by the fake: most are account.updated of the shops' accounts,
    some payment_intent.succeeded of payments no town started (the handler finds no town), and
    one in REPEAT_EVERY repeats an earlier delivery, as Stripe retries do."""
    import copy

    webhook_url, fake.webhook_url = fake.webhook_url, ""  # kept for posting here, not sent
    try:
        unique: list = []
        deliveries: list = []
        for number in range(count):
            if number % REPEAT_EVERY == REPEAT_EVERY - 1:
                deliveries.append(unique[number // 2])
                continue
            if number % 5 == 4:
                intent = {
                    "id": f"pi_bench{number:06d}", "object": "payment_intent", "amount": 4500,
                    "amount_received": 4500, "currency": "eur", "created": int(time.time()),
                    "last_payment_error": None, "latest_charge": f"ch_bench{number:06d}",
                    "livemode": False, "status": "succeeded", "transfer_group": "NOBODY",
                    "metadata": {"town": "nowhere", "checkout": "NOBODY"},
                }  # fmt: skip
                fake.event_emit("payment_intent.succeeded", intent)
            else:
                account = accounts[number % len(accounts)]
                fake.event_emit(
                    "account.updated",
                    copy.deepcopy(fake.accounts[account]),
                    account=account,
                    previous={"requirements": {}},
                )
            unique.append(fake.deliveries[-1])
            deliveries.append(fake.deliveries[-1])
        return deliveries
    finally:
        fake.webhook_url = webhook_url


def _webhook_requests(deliveries: list) -> list[tuple[str, str, bytes | None, dict[str, str]]]:
    return [
        (
            "POST",
            WEBHOOK_PATH,
            delivery.payload,
            {"Content-Type": "application/json", "Stripe-Signature": delivery.signature},
        )
        for delivery in deliveries
    ]


@dataclass
class Batches:
    """Requests of one kind sent in several batches: their times and the web's CPU for them."""

    latencies_ms: list[float]
    server_ms: list[float]
    seconds: float = 0.0
    cpu_seconds: float = 0.0

    def add(self, load: Load, server_ms: list[float], cpu: float) -> None:
        self.latencies_ms += load.latencies_ms
        self.server_ms += server_ms
        self.seconds += load.seconds
        self.cpu_seconds += cpu

    @property
    def per_second(self) -> float:
        return len(self.latencies_ms) / self.seconds

    @property
    def cpu_ms(self) -> float:
        """The web processes' CPU per request."""
        return self.cpu_seconds * 1000 / len(self.latencies_ms)


def _batch(server: Server, requests: list, path: str, into: Batches) -> Load:
    from django.conf import settings

    since, cpu = server.logged_since(), cpu_seconds(server.web_pid)
    load = load_send(port=server.port, host=settings.ROOT_DOMAIN, requests=requests)
    into.add(load, server.server_times(path, since), cpu_seconds(server.web_pid) - cpu)
    return load


def latency_measure(server: Server, *, fake, accounts: list[str]) -> tuple[Batches, Batches]:
    """ROUNDS rounds of a batch of /healthz then a batch of webhooks, so that both meet the same
    load (the worker handling the webhooks of the rounds before, the other helpers' work)."""
    health, webhooks = Batches([], []), Batches([], [])
    size = EVENTS // ROUNDS
    for _ in range(ROUNDS):
        _batch(server, [("GET", "/healthz", None, {})] * size, "/healthz", health)
        requests = _webhook_requests(deliveries_make(fake, accounts, size))
        _batch(server, requests, WEBHOOK_PATH, webhooks)
    return health, webhooks


@dataclass(frozen=True)
class Throughput:
    accepted: Load
    unique: int
    stored: int
    processed_seconds: float

    @property
    def processed_per_second(self) -> float:
        return self.unique / self.processed_seconds


def _all_processed() -> bool:
    from billing.shared.models import StripeEvent

    return not StripeEvent.objects.filter(processed_at__isnull=True).exists()


def throughput_measure(server: Server, *, fake, accounts: list[str]) -> Throughput:
    """Once the worker is idle, EVENTS deliveries at once: accepted per second, then processed
    per second end to end, from the first post until the worker marked the last one."""
    from django.conf import settings
    from django.db.models import Max

    from billing.shared.models import StripeEvent

    _wait_until(_all_processed, what="the worker idle")
    deliveries = deliveries_make(fake, accounts, EVENTS)
    ids = {delivery.event_id for delivery in deliveries}
    load = load_send(
        port=server.port, host=settings.ROOT_DOMAIN, requests=_webhook_requests(deliveries)
    )
    events = StripeEvent.objects.filter(stripe_id__in=ids)
    _wait_until(
        lambda: events.filter(processed_at__isnull=False).count() == len(ids),
        what="every event processed by the worker",
    )
    last = events.aggregate(last=Max("processed_at"))["last"]
    return Throughput(
        accepted=load,
        unique=len(ids),
        stored=events.count(),
        processed_seconds=last.timestamp() - load.started_at,
    )


# --- checkouts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Checkouts:
    card_post: Timing
    card_paid: Timing
    card_total: Timing
    in_shop: Timing


def _key(page: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    assert found is not None, "no idempotency key on the checkout page"
    return found.group(1)


def _cart_filled(bench: BenchTown, port: int) -> tuple[Browser, dict[str, str]]:
    """A new visitor who put one article of each shop in the cart; the checkout form's data
    (the page shown, its idempotency key read)."""
    browser = Browser(port=port, host=bench.host)
    status, _, _ = browser.send("GET", "/panier/")
    assert status == 200, f"/panier/ answered {status}"
    for variant_id in bench.variant_ids:
        status, _, _ = browser.send(
            "POST", "/panier/ajouter/", {"variant_id": str(variant_id), "quantity": "1"}
        )
        assert status == 302, f"adding to the cart answered {status}"
    status, _, page = browser.send("GET", "/commande/")
    assert status == 200, f"/commande/ answered {status}"
    data = {"name": "Camille Martin", "email": "camille@example.org", "idempotency_key": _key(page)}
    return browser, data


def _orders_paid(bench: BenchTown, idempotency_key: str) -> bool:
    from django_tenants.utils import schema_context

    from marketplace.orders.models import Order

    with schema_context(bench.town.schema_name):
        statuses = set(
            Order.objects.filter(checkout__idempotency_key=idempotency_key).values_list(
                "payment_status", flat=True
            )
        )
    return statuses == {Order.PaymentStatus.PAID}


def checkouts_measure(bench: BenchTown, *, port: int, fake_url: str, count: int) -> Checkouts:
    """`count` checkouts of each kind, alternated."""
    from marketplace.orders.models import Order

    reserve = Order.Fulfilment.RESERVE_PAY_IN_SHOP
    card_post, card_paid, card_total, in_shop = [], [], [], []
    for _ in range(count):
        for method in ("card", "pay_in_shop"):
            browser, data = _cart_filled(bench, port)
            for shop_id in bench.shop_ids:
                data[f"shop-{shop_id}-fulfilment"] = reserve
                data[f"shop-{shop_id}-payment_method"] = method
            began = time.perf_counter()
            status, location, page = browser.send("POST", "/commande/", data)
            posted = time.perf_counter()
            assert status == 302, f"the checkout answered {status}: {page[:500]}"
            if method == "pay_in_shop":
                assert location == "/commande/confirmation/", location
                in_shop.append((posted - began) * 1000)
                continue
            assert location.startswith(f"{fake_url}/checkout/pay/"), location
            paying = time.perf_counter()
            card_page_pay(location)
            _wait_until(
                functools.partial(_orders_paid, bench, data["idempotency_key"]),
                what="a card checkout's orders paid",
            )
            paid = time.perf_counter()
            card_post.append((posted - began) * 1000)
            card_paid.append((paid - paying) * 1000)
            card_total.append((paid - began) * 1000)
    return Checkouts(
        card_post=Timing("card: checkout POST → sent to the card page", card_post),
        card_paid=Timing("card: card paid → orders paid (webhook, worker)", card_paid),
        card_total=Timing("card: the whole (without the shopper typing)", card_total),
        in_shop=Timing("pay in shop: checkout POST → confirmation", in_shop),
    )


# --- the run ---------------------------------------------------------------------------------


def _ms(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 0.5):6.1f} ms   p95 {percentile(values, 0.95):6.1f} ms   "
        f"p99 {percentile(values, 0.99):6.1f} ms"
    )


def report(
    *, health: Batches, webhooks: Batches, throughput: Throughput, checkouts: Checkouts
) -> str:
    p95 = percentile(webhooks.server_ms, 0.95)
    verdict = "ok" if p95 < TARGET_P95_MS else "over"
    accepted = throughput.accepted
    statuses = ", ".join(
        f"{count}× {status}" for status, count in sorted(accepted.statuses.items())
    )
    health_p95 = percentile(health.server_ms, 0.95)
    lines = [
        f"Billing benchmark — {SENDERS} concurrent senders, gunicorn {WEB_WORKERS} sync workers, "
        f"Celery worker concurrency {WORKER_CONCURRENCY}, {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{value:.2f}' for value in os.getloadavg())} at the end",
        f"{ROUNDS} rounds of {EVENTS // ROUNDS} GET /healthz (the baseline) then "
        f"{EVENTS // ROUNDS} webhooks POST (one in {REPEAT_EVERY} a repeat):",
        f"   baseline /healthz  received → answered {_ms(health.server_ms)}",
        f"                      sent → answer read {_ms(health.latencies_ms)}",
        f"                      {health.per_second:5.0f} req/s, web CPU {health.cpu_ms:.2f} ms/request",
        f"   webhooks           received → 2xx     {_ms(webhooks.server_ms)}   {verdict} "
        f"(target p95 < {TARGET_P95_MS:.0f} ms; p95 ×{p95 / health_p95:.1f} the baseline's)",
        f"                      sent → 2xx read    {_ms(webhooks.latencies_ms)}   "
        f"(p95 ×{percentile(webhooks.latencies_ms, 0.95) / percentile(health.latencies_ms, 0.95):.1f}"
        " the baseline's)",
        f"                      {webhooks.per_second:5.0f} accepted/s, web CPU "
        f"{webhooks.cpu_ms:.2f} ms/request (×{webhooks.cpu_ms / health.cpu_ms:.1f} the baseline's)",
        f"{len(accepted.latencies_ms)} webhooks at once ({throughput.unique} events, the rest "
        f"repeats), the worker idle before: {accepted.per_second:.0f} accepted/s ({statuses}), "
        f"sent → 2xx p95 {percentile(accepted.latencies_ms, 0.95):.1f} ms;",
        f"   processed end to end: {throughput.unique} events in "
        f"{throughput.processed_seconds:.2f} s = {throughput.processed_per_second:.0f} events/s; "
        f"stored {throughput.stored} rows for {throughput.unique} events — "
        f"{'exact' if throughput.stored == throughput.unique else 'MISMATCH'}",
        f"checkout of a 3-shop cart, {len(checkouts.in_shop.values_ms)} of each, alternated:",
        f"   {checkouts.in_shop.line()}",
        f"   {checkouts.card_post.line(checkouts.in_shop)}",
        f"   {checkouts.card_paid.line()}",
        f"   {checkouts.card_total.line(checkouts.in_shop)}",
    ]
    return "\n".join(lines)


def run() -> None:
    import redis
    from django.conf import settings
    from django.core.management import call_command

    from tests.fakes.stripe_server import FakeStripe

    call_command("platform_setup", verbosity=0)
    # Tasks an interrupted run left on the benchmark's queue name towns that are gone.
    redis.Redis.from_url(settings.REDIS_URL).delete(QUEUE)
    bench = town_make()
    port = _free_port()
    fake = FakeStripe(
        secret_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
        webhook_host=settings.ROOT_DOMAIN,
    ).start()
    settings.STRIPE_API_BASE = fake.url
    logs = Path(tempfile.mkdtemp(prefix="bench-billing-"))
    try:
        with served(port=port, stripe_api_base=fake.url, logs=logs) as server:
            accounts = shops_connect(bench, fake)
            # Every web worker and the worker's pool warmed before measuring.
            warm = Batches([], [])
            _batch(server, [("GET", "/healthz", None, {})] * 50, "/healthz", warm)
            _batch(
                server, _webhook_requests(deliveries_make(fake, accounts, 50)), WEBHOOK_PATH, warm
            )
            health, webhooks = latency_measure(server, fake=fake, accounts=accounts)
            throughput = throughput_measure(server, fake=fake, accounts=accounts)
            checkouts = checkouts_measure(bench, port=port, fake_url=fake.url, count=CHECKOUTS)
        print(
            report(health=health, webhooks=webhooks, throughput=throughput, checkouts=checkouts),
            flush=True,
        )
    finally:
        fake.stop()
        if not os.environ.get("BENCH_KEEP_LOGS"):
            shutil.rmtree(logs, ignore_errors=True)
        else:
            print(f"   (logs in {logs})")


def main() -> None:
    # Assigned, not defaulted: a developer's shell may hold other settings.
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings.bench"
    os.environ["BENCH_DATABASE_NAME"] = BENCH_DATABASE
    os.environ["BENCH_CELERY_WORKER"] = "1"
    if not os.environ.get("REDIS_URL"):
        print("Billing benchmark skipped: it needs REDIS_URL (a real Celery worker on Redis).")
        return
    from comptoir.devenv import database_ensure
    from tests.bench.__main__ import bench_database_url

    database_ensure(bench_database_url())

    import django

    django.setup()
    run()


if __name__ == "__main__":
    main()
