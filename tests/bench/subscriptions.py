"""Benchmark: the console's subscriptions with 200 towns.

`python -m comptoir.devenv python -m tests.bench.subscriptions` (its own database,
`comptoir_bench_subscriptions` on the server of DATABASE_URL; towns made once, then reused).
Prints the cost of counting every town's commission per month (one UNION ALL over the towns'
ledgers) beside the same sums read town by town (a query per schema: the baseline), then the
console's subscriptions page beside its towns page: median time and SQL queries.
"""

import os
import random
import statistics
import time
import urllib.parse
from collections.abc import Callable
from datetime import timedelta

BENCH_DATABASE = os.environ.get("BENCH_DATABASE_NAME", "comptoir_bench_subscriptions")
TOWNS = int(os.environ.get("BENCH_TOWNS", "200"))
LEDGER_ROWS = 60  # card payments per town, over the last six months
ROUNDS = 5


def _settings_for_bench() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.test")
    import django

    from comptoir.devenv import database_ensure

    url = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/comptoir"
    bench_url = urllib.parse.urlparse(url)._replace(path=f"/{BENCH_DATABASE}").geturl()
    os.environ["DATABASE_URL"] = bench_url
    database_ensure(bench_url)
    django.setup()


def _ledger_fill(town, rng: random.Random) -> None:
    from django.utils import timezone
    from django_tenants.utils import schema_context

    from billing.models import CardPayment, Transfer
    from marketplace.directory.models import Category, Merchant
    from marketplace.orders.models import Checkout, Order

    with schema_context(town.schema_name):
        if Transfer.objects.exists():
            return
        category = Category.objects.create(name="Commerce", slug="banc-commerce")
        shop = Merchant.objects.create(name="Banc", slug="banc", category=category)
        now = timezone.now()
        checkouts = Checkout.objects.bulk_create(
            Checkout(
                idempotency_key=f"banc-{n}",
                reference=f"BANC{n:06d}",
                contact_name="Banc",
                contact_email="banc@example.org",
                reserved_until=now,
            )
            for n in range(LEDGER_ROWS)
        )
        orders = Order.objects.bulk_create(
            Order(
                reference=f"BO{n:06d}",
                checkout=checkout,
                merchant=shop,
                status=Order.Status.PLACED,
                fulfilment=Order.Fulfilment.RESERVE_PAY_IN_SHOP,
                payment_method="card",
                payment_status=Order.PaymentStatus.PAID,
                subtotal_cents=5_000,
                total_cents=5_000,
            )
            for n, checkout in enumerate(checkouts)
        )
        payments = CardPayment.objects.bulk_create(
            CardPayment(checkout=checkout, amount_cents=5_000) for checkout in checkouts
        )
        transfers = []
        for order, payment in zip(orders, payments, strict=True):
            commission = rng.randint(0, 500)
            transfers.append(
                Transfer(
                    card_payment=payment,
                    order=order,
                    merchant=shop,
                    order_cents=5_000,
                    rate_bps=commission * 2,
                    commission_cents=commission,
                    transfer_cents=5_000 - commission,
                )
            )
        made = Transfer.objects.bulk_create(transfers)
        for transfer in made:
            Transfer.objects.filter(pk=transfer.pk).update(
                created_at=now - timedelta(days=rng.randint(0, 180))
            )


def _subscriptions_ensure(towns) -> None:
    from billing.shared.models import SubscriptionPlan, TownSubscription

    plan, _new = SubscriptionPlan.objects.get_or_create(
        code="banc",
        defaults={"name": "Banc", "amount_cents": 14_900, "stripe_price_id": "price_banc"},
    )
    for town in towns:
        TownSubscription.objects.get_or_create(
            town=town,
            defaults={
                "plan": plan,
                "billing_email": "f@banc.test",
                "stripe_customer_id": f"cus_banc_{town.pk}",
                "state": TownSubscription.State.ACTIVE,
                "next_invoice_cents": 14_900,
            },
        )


def _timed(call: Callable[[], object]) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries = [], 0
    for _round in range(ROUNDS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return statistics.median(times) * 1000, queries


def _per_town_sums(towns) -> None:
    """The baseline: the same sums, one query in each town's schema."""
    from django.db.models import Count, Sum
    from django.db.models.functions import TruncMonth
    from django_tenants.utils import schema_context

    from billing.models import Transfer

    for town in towns:
        with schema_context(town.schema_name):
            list(
                Transfer.objects.annotate(month=TruncMonth("created_at"))
                .values("month")
                .annotate(cents=Sum("commission_cents"), count=Count("pk"))
            )


def run() -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction
    from django.test import Client

    from billing.services.subscriptions import commission_months_refresh
    from billing.shared.models import TownCommissionMonth
    from comptoir.accounts.models import User
    from tenants.services.locks import provisioning_lock
    from tenants.services.template import template_schema_ensure
    from tests.bench.routing import bench_towns_ensure

    started = time.monotonic()
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    with transaction.atomic():
        provisioning_lock()
        template_schema_ensure()
    towns, made = bench_towns_ensure(count=TOWNS, prefix="banc-sub")
    rng = random.Random(10)
    for town in towns:
        _ledger_fill(town, rng)
    _subscriptions_ensure(towns)
    print(
        f"{len(towns)} towns ({made} made now), {LEDGER_ROWS} card payments each, "
        f"ready in {time.monotonic() - started:.0f} s",
        flush=True,
    )

    union_ms, union_queries = _timed(commission_months_refresh)
    baseline_ms, baseline_queries = _timed(lambda: _per_town_sums(towns))
    print(f"commission per town and month, {TownCommissionMonth.objects.count()} rows:")
    print(f"  one UNION ALL (refresh, written too): {union_ms:8.1f} ms, {union_queries} queries")
    print(
        f"  a query per town (baseline, read only): {baseline_ms:8.1f} ms, "
        f"{baseline_queries} queries"
    )

    staff = User.objects.filter(email="banc@comptoir.test").first() or User.objects.create_user(
        "banc@comptoir.test", "banc-banc-banc", is_staff=True
    )
    console = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    console.force_login(staff)

    def page(path: str) -> Callable[[], object]:
        def get() -> object:
            response = console.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return get

    for label, path in (
        ("subscriptions", "/console/abonnements/"),
        ("towns (baseline)", "/console/"),
    ):
        ms, queries = _timed(page(path))
        print(f"  console {label:18} page of 50: {ms:8.1f} ms, {queries} queries")


def main() -> None:
    _settings_for_bench()
    run()


if __name__ == "__main__":
    main()
