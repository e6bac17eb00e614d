"""Checkouts racing on real PostgreSQL: threads, each on its own connection, committed data.

The test's own connection sits in pytest-django's rolled-back transaction and is never used:
every row is made, raced on and read back from other threads, each on its own autocommit
connection, so what one thread commits the others see. The fixture deletes it all afterwards.
"""

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar
from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from marketplace.catalogue.models import StockMovement, StockReservation, Variant
from marketplace.catalogue.services.stock import InsufficientStock
from marketplace.directory.models import Category, Merchant
from marketplace.orders.models import Cart, Checkout, Order
from marketplace.orders.payments import PayInShopProvider, PaymentResult
from marketplace.orders.selectors import checkout_info_fetch
from marketplace.orders.services.checkout import FulfilmentChoice, checkout_place
from tenants.models import Town
from tests.conftest import inside
from tests.marketplace.orders.factories import (
    CARD,
    CONTACT,
    RESERVE,
    OffsiteProvider,
    cart_create,
    provider_registered,
    shop_create,
    variant_create,
)

WORKERS = 20
KEY_PREFIX = "concurrency-"


@dataclass
class Committed:
    """What a test committed, for the fixture to delete."""

    town: Town
    merchants: list[Merchant] = field(default_factory=list)
    carts: list[Cart] = field(default_factory=list)


_T = TypeVar("_T")


def _on_own_connection(town: Town, work: Callable[[], _T]) -> _T:
    """Run `work` in the town's schema on a fresh thread and connection, committing as it goes."""

    def run() -> _T:
        try:
            with inside(town):
                return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _cleanup(data: "Committed") -> None:
    Order.objects.filter(merchant__in=data.merchants).delete()
    Checkout.objects.filter(idempotency_key__startswith=KEY_PREFIX).delete()
    Cart.objects.filter(pk__in=[cart.pk for cart in data.carts]).delete()
    categories = [merchant.category_id for merchant in data.merchants]
    # Products, variants, their stock movements and the hours go with the shop.
    Merchant.objects.filter(pk__in=[merchant.pk for merchant in data.merchants]).delete()
    Category.objects.filter(pk__in=categories).delete()


@pytest.fixture
def committed(db) -> Iterator[Committed]:
    data = Committed(town=Town.objects.get(slug="alpha"))
    # The e-mails are not what these tests race on; and eager Celery, run from many threads at
    # once, leaves its process-wide "inside a task" flag set for the tests that follow.
    with mock.patch("marketplace.orders.services.checkout_payment.task_after_commit"):
        try:
            yield data
        finally:
            _on_own_connection(data.town, lambda: _cleanup(data))


def _shop(data: Committed, name: str) -> Merchant:
    merchant = _on_own_connection(data.town, lambda: shop_create(data.town, name=name))
    data.merchants.append(merchant)
    return merchant


def _variant(data: Committed, merchant: Merchant, *, title: str, stock: int) -> Variant:
    return _on_own_connection(
        data.town, lambda: variant_create(data.town, merchant, title=title, stock=stock)
    )


def _carts(data: Committed, contents: list[list[tuple[Variant, int]]]) -> list[Cart]:
    carts = _on_own_connection(
        data.town, lambda: [cart_create(data.town, lines) for lines in contents]
    )
    data.carts.extend(carts)
    return carts


def _read(data: Committed, query: Callable[[], object]) -> object:
    return _on_own_connection(data.town, query)


def _in_threads(town: Town, attempts: list[Callable[[], object]]) -> list[object]:
    """Run each attempt in the town's schema on a pool's thread; return results or errors."""

    def run(attempt: Callable[[], object]) -> object:
        try:
            with inside(town):
                return attempt()
        except Exception as error:
            return error
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return list(pool.map(run, attempts))


def _checkout(
    cart: Cart, merchants: list[Merchant], key: str, choice: FulfilmentChoice = RESERVE
) -> Callable[[], Checkout]:
    return lambda: (
        checkout_place(
            info=checkout_info_fetch(cart=cart),
            contact=CONTACT,
            choices_per_merchant={merchant.pk: choice for merchant in merchants},
            idempotency_key=KEY_PREFIX + key,
        ).checkout
    )


def test_200_concurrent_checkouts_on_10_units_sell_exactly_10(committed):
    shop = _shop(committed, "Fromagerie des Alpes")
    variant = _variant(committed, shop, title="Beaufort d'alpage", stock=10)
    carts = _carts(committed, [[(variant, 1)]] * 200)

    results = _in_threads(
        committed.town, [_checkout(cart, [shop], f"sell-{n}") for n, cart in enumerate(carts)]
    )

    unexpected = [r for r in results if not isinstance(r, Checkout | InsufficientStock)]
    assert unexpected == []
    assert sum(isinstance(result, Checkout) for result in results) == 10
    assert sum(isinstance(result, InsufficientStock) for result in results) == 190
    assert _read(
        committed,
        lambda: (
            Order.objects.filter(merchant=shop).count(),
            Variant.objects.get(pk=variant.pk).stock,
            StockMovement.objects.filter(variant=variant, reason=StockMovement.Reason.SALE).count(),
            Checkout.objects.filter(idempotency_key__startswith=KEY_PREFIX).count(),
        ),
    ) == (10, 0, 10, 10)


def test_carts_holding_the_same_items_in_opposite_orders_never_deadlock(committed):
    cheese_shop, wine_shop = _shop(committed, "Fromagerie"), _shop(committed, "Cave à vins")
    cheese = _variant(committed, cheese_shop, title="Tomme", stock=1000)
    wine = _variant(committed, wine_shop, title="Mondeuse", stock=1000)
    # Half the carts list the cheese first, half the wine: their lines' order is opposite.
    carts = _carts(
        committed,
        [[(cheese, 1), (wine, 1)] if n % 2 else [(wine, 1), (cheese, 1)] for n in range(60)],
    )

    results = _in_threads(
        committed.town,
        [_checkout(cart, [cheese_shop, wine_shop], f"cross-{n}") for n, cart in enumerate(carts)],
    )

    assert [result for result in results if isinstance(result, Exception)] == []
    assert _read(
        committed,
        lambda: (
            Variant.objects.get(pk=cheese.pk).stock,
            Variant.objects.get(pk=wine.pk).stock,
            Order.objects.filter(merchant__in=[cheese_shop, wine_shop]).count(),
        ),
    ) == (940, 940, 120)


def test_a_double_submitted_checkout_creates_one_set_of_orders(committed):
    bakery, florist = _shop(committed, "Boulangerie"), _shop(committed, "Fleuriste")
    bread = _variant(committed, bakery, title="Baguette", stock=50)
    roses = _variant(committed, florist, title="Roses", stock=50)
    [cart] = _carts(committed, [[(bread, 2), (roses, 3)]])
    both_ready = threading.Barrier(2)
    submit = _checkout(cart, [bakery, florist], "double")

    def click() -> Checkout:
        both_ready.wait(timeout=10)
        return submit()

    first, second = _in_threads(committed.town, [click, click])

    assert isinstance(first, Checkout) and isinstance(second, Checkout), (first, second)
    assert first.pk == second.pk
    assert _read(
        committed,
        lambda: (
            Checkout.objects.filter(idempotency_key__startswith=KEY_PREFIX).count(),
            Order.objects.filter(merchant__in=[bakery, florist]).count(),
            [Variant.objects.get(pk=v.pk).stock for v in (bread, roses)],
        ),
    ) == (1, 2, [48, 47])


@dataclass
class LockProbe(PayInShopProvider):
    """Pay in shop, but its start first looks whether the checkout still holds anything: its
    own connection inside a transaction, and from another connection the stock, cart and order
    rows, which must be free to lock at once (NOWAIT)."""

    town: Town | None = None
    seen: list[tuple[bool, str]] = field(default_factory=list)

    def start(self, *, checkout: Checkout, orders: list[Order]) -> PaymentResult:
        variant_ids = [line.variant_id or 0 for order in orders for line in order.lines.all()]
        cart_id = checkout.cart_id or 0

        def lock_from_elsewhere() -> str:
            try:
                with transaction.atomic():
                    list(Variant.objects.select_for_update(nowait=True).filter(pk__in=variant_ids))
                    list(Cart.objects.select_for_update(nowait=True).filter(pk=cart_id))
                    list(Order.objects.select_for_update(nowait=True).filter(checkout=checkout))
            except DatabaseError as error:
                return f"locked: {error}"
            return "free"

        assert self.town is not None
        self.seen.append(
            (connection.in_atomic_block, str(_on_own_connection(self.town, lock_from_elsewhere)))
        )
        return super().start(checkout=checkout, orders=orders)


def test_no_payment_provider_runs_while_the_checkout_holds_a_lock(committed):
    bakery, florist = _shop(committed, "Boulangerie"), _shop(committed, "Fleuriste")
    bread = _variant(committed, bakery, title="Baguette", stock=5)
    roses = _variant(committed, florist, title="Roses", stock=5)
    [cart] = _carts(committed, [[(bread, 1), (roses, 2)]])
    probe = LockProbe(town=committed.town)

    with provider_registered(probe):
        checkout = _on_own_connection(committed.town, _checkout(cart, [bakery, florist], "probe"))

    assert probe.seen == [(False, "free")]
    assert _read(
        committed,
        lambda: sorted(Order.objects.filter(checkout=checkout).values_list("status", flat=True)),
    ) == ["placed", "placed"]


def test_concurrent_checkouts_of_the_last_units_never_oversell_counting_reservations(committed):
    shop = _shop(committed, "Fromagerie des Alpes")
    variant = _variant(committed, shop, title="Beaufort d'alpage", stock=10)
    carts = _carts(committed, [[(variant, 1)]] * 40)

    # Half pay online (their units held by reservations), half in shop (taken at once).
    with provider_registered(OffsiteProvider()):
        results = _in_threads(
            committed.town,
            [
                _checkout(cart, [shop], f"last-{n}", choice=CARD if n % 2 else RESERVE)
                for n, cart in enumerate(carts)
            ],
        )

    unexpected = [r for r in results if not isinstance(r, Checkout | InsufficientStock)]
    assert unexpected == []
    assert sum(isinstance(result, Checkout) for result in results) == 10
    stock, held, sold, in_shop, online = _read(
        committed,
        lambda: (
            Variant.objects.get(pk=variant.pk).stock,
            StockReservation.objects.filter(variant=variant).aggregate(units=Sum("quantity"))[
                "units"
            ]
            or 0,
            StockMovement.objects.filter(variant=variant, reason=StockMovement.Reason.SALE).count(),
            Order.objects.filter(merchant=shop, status=Order.Status.PLACED).count(),
            Order.objects.filter(merchant=shop, status=Order.Status.PENDING).count(),
        ),
    )
    assert in_shop + online == 10
    assert (stock, sold, held) == (10 - in_shop, in_shop, online)
