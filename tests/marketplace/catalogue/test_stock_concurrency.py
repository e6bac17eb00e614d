"""Stock under real concurrency: committed rows, one connection per thread, real row locks.

These tests commit (no rollback can cover several connections), so they clean up after
themselves; the conftest's towns stay as they were.
"""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from marketplace.catalogue.models import StockMovement, StockReservation, Variant
from marketplace.catalogue.services.stock import (
    InsufficientStock,
    stock_reservations_take,
    stock_reserve_for_lines,
)
from marketplace.directory.models import Category, Merchant
from tenants.models import Town
from tests.concurrency import in_threads, town_committed
from tests.conftest import inside
from tests.marketplace.catalogue.conftest import merchant_create, product_row_create


@pytest.fixture
def committed_town(django_db_setup, django_db_blocker) -> Iterator[Town]:
    def cleanup() -> None:
        # Products, variants and movements go with their merchant (CASCADE).
        Merchant.objects.filter(slug__startswith="test-merchant-").delete()
        Category.objects.filter(slug__startswith="test-cat-").delete()

    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        yield town


def test_twenty_buyers_of_ten_units_sell_exactly_ten(committed_town):
    merchant = merchant_create(committed_town)
    product = product_row_create(committed_town, merchant, stocks=(10,))
    with inside(committed_town):
        variant_id = product.variants.get().pk
    sold: list[int] = []

    def buy(index: int) -> None:
        # Held first (a payment runs), then taken in a transaction of its own, as checkout does.
        try:
            with transaction.atomic():
                stock_reserve_for_lines(
                    lines={f"T{index}": [(variant_id, 1)]},
                    until=timezone.now() + timedelta(minutes=15),
                )
        except InsufficientStock:
            return
        with transaction.atomic():
            stock_reservations_take(references=[f"T{index}"])
        sold.append(index)

    errors = in_threads(20, buy, committed_town)

    assert errors == []
    assert len(sold) == 10
    with inside(committed_town):
        assert Variant.objects.get(pk=variant_id).stock == 0
        movements = StockMovement.objects.filter(variant_id=variant_id)
        assert movements.count() == 10
        assert set(movements.values_list("reason", "delta")) == {("sale", -1)}
        assert sorted(movements.values_list("balance_after", flat=True)) == list(range(10))
        assert not StockReservation.objects.filter(variant_id=variant_id).exists()


def test_carts_taking_the_same_skus_in_opposite_order_never_deadlock(committed_town):
    merchant = merchant_create(committed_town)
    product = product_row_create(committed_town, merchant, stocks=(1000, 1000))
    with inside(committed_town):
        first, second = product.variants.order_by("pk").values_list("pk", flat=True)
    rounds = 15

    def buy(index: int) -> None:
        lines = [(first, 1), (second, 1)] if index % 2 else [(second, 1), (first, 1)]
        for round_number in range(rounds):
            reference = f"T{index}-{round_number}"
            with transaction.atomic():
                stock_reserve_for_lines(
                    lines={reference: lines}, until=timezone.now() + timedelta(minutes=15)
                )
                # Hold the locks a moment so the two carts really overlap.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_sleep(0.005)")
            with transaction.atomic():
                stock_reservations_take(references=[reference])

    errors = in_threads(2, buy, committed_town)

    assert errors == []
    with inside(committed_town):
        assert list(
            Variant.objects.filter(pk__in=[first, second])
            .order_by("pk")
            .values_list("stock", flat=True)
        ) == [1000 - 2 * rounds, 1000 - 2 * rounds]
