"""Marketplace benchmark: the shop window's pages on a town of 1,000 merchants and 50,000
products, and checkouts of one SKU under contention.

Run alone: `python -m tests.bench.marketplace` (with `python -m comptoir.devenv` in front when
DATABASE_URL is not set). The town is the search benchmark's (tests/bench/search.py generates it
once in its own database); this benchmark adds what the shop window shows on top of it — opening
hours and a running campaign — without changing its merchants and products.

Printed: the median and p95 server time and the SQL query count of the home, directory, product
and search pages (Django's test client on the town's host, through the whole middleware stack),
their ratio to a minimal view on the same tenant-routed stack (tests/bench/urls.py's ping: one
query, target ≤ 4×) — with a plain
page of the town (the legal notice: base template, no query of its own) for scale — then how many
checkouts per second threads placing one unit each of the same SKU complete, and that exactly
as many units left the stock.
"""

import os
import random
import statistics
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from tests.bench.search import QUERIES, Timing, _measure, _settings_for_bench, town_generate

TARGET_RATIO = 4.0
PRODUCT_PAGES = 40
DIRECTORY_PAGES = 10
SEARCH_QUERIES = 20
CHECKOUT_THREADS = 16
CHECKOUTS_PER_THREAD = 15
CHECKOUT_STOCK = 1_000_000


# --- what the shop window needs on top of the generated town -------------------------------


def shop_window_ensure(town) -> None:
    """Opening hours for every merchant (a few open on Sundays, a few late) and a campaign
    running today, made once."""
    from datetime import time as clock

    from django.utils import timezone
    from django_tenants.utils import schema_context

    from marketplace.campaigns.models import Campaign
    from marketplace.catalogue.models import Product
    from marketplace.directory.models import Merchant, OpeningHours

    with schema_context(town.schema_name):
        if not OpeningHours.objects.exists():
            rows = []
            for merchant_id in Merchant.objects.order_by("pk").values_list("pk", flat=True):
                for day in range(7):
                    if day == 6 and merchant_id % 5:
                        continue
                    closes = clock(21) if merchant_id % 7 == 0 else clock(19)
                    rows += [
                        OpeningHours(merchant_id=merchant_id, weekday=day, opens_at=clock(9, 30), closes_at=clock(12, 30)),
                        OpeningHours(merchant_id=merchant_id, weekday=day, opens_at=clock(14), closes_at=closes),
                    ]  # fmt: skip
            OpeningHours.objects.bulk_create(rows, batch_size=5000)
        today = timezone.localdate()
        if not Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).exists():
            campaign = Campaign.objects.create(
                title="Campagne du banc d'essai",
                slug=f"banc-{today.isoformat()}",
                text="Une campagne qui court pendant la mesure.",
                starts_on=today - timedelta(days=1),
                ends_on=today + timedelta(days=30),
                is_published=True,
            )
            campaign.featured_merchants.set(Merchant.objects.order_by("pk")[:24])
            campaign.featured_products.set(
                Product.objects.filter(is_published=True).order_by("pk")[:24]
            )


# --- pages ---------------------------------------------------------------------------------


PAGES = ("home", "directory", "product", "search")


def pages_measure(town) -> dict[str, Timing]:
    """Each page served from the town's page cache to a visitor without a session (the whole page
    as kept) and to one with a session (their own header around the kept page), and rendered
    (what the first visitor after a change waits for: the cache made stale before each
    request)."""
    from django.test import Client
    from django_tenants.utils import schema_context

    from comptoir.page_cache import shop_window_changed
    from marketplace.catalogue.models import Product

    client = Client(HTTP_HOST=town.primary_domain_name)
    with_session = Client(HTTP_HOST=town.primary_domain_name)
    with schema_context(town.schema_name):
        session = with_session.session  # saved in the town's schema, its cookie set
        session["bench"] = True
        session.save()
    rng = random.Random(11)

    def page(path: str, via: Client = client) -> Callable[[], object]:
        def get() -> object:
            response = via.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return get

    def stale() -> None:
        shop_window_changed(schema=town.schema_name)

    with schema_context(town.schema_name):
        slugs = list(
            Product.objects.filter(is_published=True, merchant__status="approved")
            .order_by("pk")
            .values_list("slug", flat=True)
        )
    products = rng.sample(slugs, PRODUCT_PAGES)
    queries = QUERIES[:SEARCH_QUERIES]
    paths = {
        "home": ("home /", ["/"] * 10),
        "directory": (
            "directory /commerces/",
            [f"/commerces/?page={n}" for n in range(1, DIRECTORY_PAGES + 1)],
        ),
        "product": ("product /produits/…", [f"/produits/{s}/" for s in products]),
        "search": (
            "search /recherche/?q=",
            [f"/recherche/?q={urllib.parse.quote(q)}" for q in queries],
        ),
    }
    timings = {
        "minimal": _measure("minimal view /banc/ping/", [page("/banc/ping/")] * PRODUCT_PAGES),
        "plain": _measure("plain page /mentions-legales/", [page("/mentions-legales/")] * 10),
    }
    for key, (name, urls) in paths.items():
        timings[key] = _measure(f"{name} (cached)", [page(url) for url in urls])
    for key, (name, urls) in paths.items():
        timings[f"{key} session"] = _measure(
            f"{name} (cached, session)", [page(url, via=with_session) for url in urls]
        )
    for key, (name, urls) in paths.items():
        timings[f"{key} rendered"] = _measure(
            f"{name} (rendered)", [page(url) for url in urls], before=stale
        )
    return timings


# --- checkouts on one SKU ------------------------------------------------------------------


@dataclass(frozen=True)
class Contention:
    threads: int
    checkouts: int
    seconds: float
    units_taken: int
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.checkouts / self.seconds


def _contended_variant(town):
    """The first variant of the first product, on sale with reserve-and-pay-in-shop, its stock
    set high enough that no thread runs out."""
    from django_tenants.utils import schema_context

    from marketplace.catalogue.models import StockMovement, Variant
    from marketplace.catalogue.services.stock import stock_set
    from marketplace.directory.models import Merchant

    with schema_context(town.schema_name):
        variant = (
            Variant.objects.select_related("product__merchant")
            .filter(product__is_published=True, product__sold_in_shop_only=False)
            .order_by("pk")
            .first()
        )
        Merchant.objects.filter(pk=variant.product.merchant_id).update(
            sells_online=True, offers_reserve_pay_in_shop=True
        )
        stock_set(
            variant_id=variant.pk,
            quantity=CHECKOUT_STOCK,
            reason=StockMovement.Reason.MANUAL,
            reference="bench",
        )
        return Variant.objects.select_related("product").get(pk=variant.pk)


def checkouts_measure(town) -> Contention:
    """CHECKOUT_THREADS threads each place CHECKOUTS_PER_THREAD checkouts of one unit of the
    same SKU, through the cart and checkout services, notifications queued (not sent) after
    commit as in production."""
    from django.db import connections
    from django_tenants.utils import schema_context

    from comptoir.celery import app as celery_app
    from comptoir.db import connection
    from marketplace.catalogue.models import Variant
    from marketplace.orders.models import Order
    from marketplace.orders.selectors import checkout_info_fetch
    from marketplace.orders.services.cart import cart_add, cart_get_or_create
    from marketplace.orders.services.checkout import Contact, FulfilmentChoice, checkout_place

    variant = _contended_variant(town)
    merchant_id = variant.product.merchant_id
    # Tasks go to an in-memory broker: a checkout queues its e-mails, a worker sends them.
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    start = threading.Barrier(CHECKOUT_THREADS + 1)
    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def shopper(number: int) -> None:
        try:
            connection.set_tenant(town)
            start.wait()
            for turn in range(CHECKOUTS_PER_THREAD):
                began = time.perf_counter()
                cart = cart_get_or_create(user=None, cart_id=None)
                cart_add(cart=cart, variant_id=variant.pk, quantity=1)
                checkout_place(
                    info=checkout_info_fetch(cart=cart),
                    contact=Contact(name=f"Client {number}", email=f"client{number}@bench.test"),
                    choices_per_merchant={merchant_id: FulfilmentChoice("reserve_pay_in_shop")},
                    idempotency_key=f"bench-{uuid.uuid4().hex}-{turn}",
                )
                with lock:
                    latencies.append((time.perf_counter() - began) * 1000)
        except BaseException as error:  # reported after the run
            errors.append(error)
        finally:
            connections.close_all()

    with schema_context(town.schema_name):
        orders_before = Order.objects.count()
    threads = [threading.Thread(target=shopper, args=(n,)) for n in range(CHECKOUT_THREADS)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    if errors:
        raise errors[0]
    with schema_context(town.schema_name):
        stock_after = Variant.objects.get(pk=variant.pk).stock
        placed = Order.objects.count() - orders_before
    return Contention(
        threads=CHECKOUT_THREADS,
        checkouts=placed,
        seconds=seconds,
        units_taken=CHECKOUT_STOCK - stock_after,
        latencies_ms=sorted(latencies),
    )


# --- the run -------------------------------------------------------------------------------


def run() -> dict[str, object]:
    """Generate (once) and measure; prints the figures and returns them."""
    from django.test import override_settings
    from django_tenants.utils import schema_context

    from marketplace.catalogue.models import Product
    from marketplace.directory.models import Merchant

    town = town_generate()
    shop_window_ensure(town)
    with schema_context(town.schema_name):
        merchants, products = Merchant.objects.count(), Product.objects.count()
    # The town's URLs behind tests.bench.urls, whose ping view is the minimal page: routed to
    # the town, one query so its search path is really set, nothing else.
    with override_settings(ROOT_URLCONF="tests.bench.urls", DEBUG=False):
        timings = pages_measure(town)
    contention = checkouts_measure(town)

    baseline = timings["minimal"]
    print(f"\nMarketplace benchmark — {merchants} merchants, {products} products")
    print(timings["minimal"].line(None))
    print(f"{timings['plain'].line(baseline)}   (town template, no query of its own)")
    for key in PAGES:
        timing = timings[key]
        ratio = timing.median_ms / baseline.median_ms
        verdict = "ok" if ratio <= TARGET_RATIO else "over"
        print(f"{timing.line(baseline)}   {verdict}")
    for key in PAGES:
        print(f"{timings[f'{key} session'].line(baseline)}   (own header)")
    for key in PAGES:
        print(f"{timings[f'{key} rendered'].line(baseline)}   (after a change)")
    latencies = contention.latencies_ms
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
    print(
        f"checkouts of one SKU, {contention.threads} threads: {contention.checkouts} in "
        f"{contention.seconds:.2f} s = {contention.per_second:.1f} checkouts/s "
        f"(median {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms); "
        f"units taken {contention.units_taken} — "
        f"{'exact' if contention.units_taken == contention.checkouts else 'MISMATCH'}"
    )
    print(
        f"target: each page's median ≤ {TARGET_RATIO:.0f}× the minimal view's, as served "
        "(from the page cache); rendering after a change is shown for scale"
    )
    return {"pages": timings, "checkouts": contention}


def main() -> None:
    # The generated town's domain is under the test settings' root domain, whatever the shell says.
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings.test"
    _settings_for_bench()
    run()


if __name__ == "__main__":
    main()
