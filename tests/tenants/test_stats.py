"""Town figures: counted in each town's schema by Celery, recorded in the public schema."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from marketplace.catalogue.models import Product
from marketplace.directory.models import Category, Merchant
from marketplace.orders.models import Checkout, Order
from tenants import hooks
from tenants.models import Town, TownStats
from tenants.services.stats import (
    TownCounts,
    town_stats_collect,
    town_stats_record,
    town_stats_start,
)
from tenants.tasks import town_stats_refresh, town_stats_refresh_all
from tests.conftest import inside


def _shop_create(town: Town, *, merchants: int, products: int, orders: int) -> None:
    with inside(town):
        category = Category.objects.earliest("pk")
        shops = [
            Merchant.objects.create(name=f"Shop {i}", slug=f"shop-{i}", category=category)
            for i in range(merchants)
        ]
        for i in range(products):
            Product.objects.create(merchant=shops[0], title=f"Product {i}", slug=f"product-{i}")
        checkout = Checkout.objects.create(
            idempotency_key="k", contact_name="Zoé", contact_email="zoe@example.fr"
        )
        for i in range(orders):
            Order.objects.create(
                reference=f"R{i}",
                checkout=checkout,
                merchant=shops[0],
                fulfilment=Order.Fulfilment.CLICK_COLLECT,
                subtotal_cents=1000,
                total_cents=1000,
            )


def _figures(town: Town) -> tuple[int, int, int]:
    stats = TownStats.objects.get(town=town)
    return (stats.merchants, stats.products, stats.orders)


def test_collect_counts_the_current_towns_rows(town_a, town_b):
    _shop_create(town_a, merchants=2, products=3, orders=4)

    with inside(town_a):
        alpha = town_stats_collect()
    with inside(town_b):
        beta = town_stats_collect()

    assert alpha == TownCounts(merchants=2, products=3, orders=4)
    assert beta == TownCounts(merchants=0, products=0, orders=0)


def test_collect_fails_loudly_when_no_app_counts_a_figure(town_a, monkeypatch):
    # A deployment without the app that counts orders: the console must not show a false zero.
    monkeypatch.delitem(hooks._figure_counts, "orders")
    _shop_create(town_a, merchants=1, products=0, orders=2)

    with inside(town_a), pytest.raises(ImproperlyConfigured, match="orders"):
        town_stats_collect()


def test_collect_refuses_the_public_schema(db):
    with pytest.raises(RuntimeError):
        town_stats_collect()


def test_record_writes_one_row_per_town_from_a_town_schema(town_a):
    with inside(town_a):
        town_stats_record(town_id=town_a.pk, counts=TownCounts(1, 2, 3))
        town_stats_record(town_id=town_a.pk, counts=TownCounts(4, 5, 6))

    assert TownStats.objects.filter(town=town_a).count() == 1
    assert _figures(town_a) == (4, 5, 6)


def test_start_makes_a_zero_row_and_keeps_an_existing_one(town_a):
    town_stats_start(town_id=town_a.pk)
    assert _figures(town_a) == (0, 0, 0)

    town_stats_record(town_id=town_a.pk, counts=TownCounts(1, 2, 3))
    town_stats_start(town_id=town_a.pk)

    assert _figures(town_a) == (1, 2, 3)


def test_refresh_task_runs_in_the_schema_of_its_header_and_is_idempotent(town_a, town_b):
    _shop_create(town_a, merchants=2, products=1, orders=1)

    for _ in range(2):
        result = town_stats_refresh.apply_async(headers={"_schema_name": "alpha"})

    assert result.get() == {"merchants": 2, "products": 1, "orders": 1}
    assert TownStats.objects.count() == 1
    assert _figures(town_a) == (2, 1, 1)
    assert connection.schema_name == "public"


def test_refresh_task_refuses_to_run_in_the_public_schema(db):
    with pytest.raises(RuntimeError):
        town_stats_refresh.apply_async(headers={"_schema_name": "public"})

    assert not TownStats.objects.exists()


def test_refresh_all_records_each_towns_own_figures(town_a, town_b, monkeypatch):
    _shop_create(town_a, merchants=3, products=2, orders=1)
    _shop_create(town_b, merchants=1, products=0, orders=0)
    sent: list[str] = []
    real_apply_async = town_stats_refresh.apply_async

    def apply_async_spy(*args: object, **kwargs: dict) -> object:
        sent.append(kwargs["headers"]["_schema_name"])
        return real_apply_async(*args, **kwargs)

    monkeypatch.setattr(town_stats_refresh, "apply_async", apply_async_spy)

    assert town_stats_refresh_all.delay().get() == 2

    assert sent == ["alpha", "beta"]
    assert _figures(town_a) == (3, 2, 1)
    assert _figures(town_b) == (1, 0, 0)
    assert connection.schema_name == "public"


def test_refresh_all_leaves_archived_towns_as_they_were(town_a, town_b):
    Town.objects.filter(pk=town_b.pk).update(status=Town.Status.ARCHIVED)
    town_stats_record(town_id=town_b.pk, counts=TownCounts(9, 9, 9))
    _shop_create(town_b, merchants=1, products=0, orders=0)

    assert town_stats_refresh_all.delay().get() == 1

    assert _figures(town_b) == (9, 9, 9)
    assert _figures(town_a) == (0, 0, 0)
