"""A checkout's payment: orders placed awaiting it with their stock held, then settled by what
the provider reports (taken, failed, too late) or by the sweep once the hold ran out."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone

from marketplace.catalogue.models import StockMovement, StockReservation, Variant
from marketplace.catalogue.services.stock import InsufficientStock
from marketplace.orders.errors import OrderNotFound
from marketplace.orders.models import CartLine, Checkout, Order, OrderEvent
from marketplace.orders.selectors import checkout_info_fetch
from marketplace.orders.services.checkout import checkout_place
from marketplace.orders.services.checkout_payment import (
    PaymentSettled,
    checkout_payment_failed,
    checkout_payment_succeeded,
    checkouts_expired_release,
)
from tests.conftest import inside
from tests.marketplace.orders.factories import (
    CARD,
    CARD_URL,
    CONTACT,
    RESERVE,
    OffsiteProvider,
    cart_create,
    member_add,
    order_place,
    provider_registered,
    shop_create,
    variant_create,
)

Status = Order.Status
PaymentStatus = Order.PaymentStatus


@pytest.fixture
def provider() -> Iterator[OffsiteProvider]:
    offsite = OffsiteProvider()
    with provider_registered(offsite):
        yield offsite


def _held() -> list[tuple[int, int, str]]:
    return sorted(StockReservation.objects.values_list("variant_id", "quantity", "reference"))


def _stock(variant: Variant) -> int:
    return Variant.objects.get(pk=variant.pk).stock


def _expire(checkout: Checkout) -> None:
    """The hold ran out a second ago."""
    past = timezone.now() - timedelta(seconds=1)
    Checkout.objects.filter(pk=checkout.pk).update(reserved_until=past)
    StockReservation.objects.filter(
        reference__in=checkout.orders.values_list("reference", flat=True)
    ).update(expires_at=past)


def test_a_card_checkout_is_placed_awaiting_payment_with_its_stock_held(
    town_a, provider, mailoutbox, django_capture_on_commit_callbacks
):
    shop = shop_create(town_a, email="shop@example.org")
    variant = variant_create(town_a, shop, stock=5)
    cart = cart_create(town_a, [(variant, 2)])
    with inside(town_a):
        before = timezone.now()
        with django_capture_on_commit_callbacks(execute=True):
            placed = checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={shop.pk: CARD},
                idempotency_key="card-1",
            )

        checkout = placed.checkout
        order = checkout.orders.get()
        assert placed.redirect_url == CARD_URL
        assert provider.calls == [(checkout.reference, [order.reference])]
        assert (order.status, order.payment_method, order.payment_status) == (
            "pending",
            "test_card",
            "awaiting",
        )
        assert before + timedelta(minutes=15) <= checkout.reserved_until
        assert checkout.reserved_until <= timezone.now() + timedelta(minutes=15)
        assert _held() == [(variant.pk, 2, order.reference)]
        assert set(StockReservation.objects.values_list("expires_at", flat=True)) == {
            checkout.reserved_until
        }
        assert _stock(variant) == 5
        assert not StockMovement.objects.exists()
        assert not OrderEvent.objects.exists()
        assert CartLine.objects.filter(cart=cart).count() == 0
    # Nobody is told before the payment: not the shop, not the shopper.
    assert mailoutbox == []


def test_a_double_submit_of_a_card_checkout_asks_the_provider_again_and_holds_once(
    town_a, provider
):
    variant = variant_create(town_a, shop_create(town_a), stock=5)
    cart = cart_create(town_a, [(variant, 2)])
    with inside(town_a):

        def submit():
            return checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={variant.product.merchant_id: CARD},
                idempotency_key="card-twice",
            )

        first, second = submit(), submit()

        assert first == second
        assert second.redirect_url == CARD_URL
        assert len(provider.calls) == 2 and provider.calls[0] == provider.calls[1]
        assert len(_held()) == 1 and Order.objects.count() == 1


def test_held_stock_is_refused_to_other_shoppers_until_the_hold_runs_out(town_a, provider):
    variant = variant_create(town_a, shop_create(town_a), stock=2)
    holder = order_place(town_a, [(variant, 2)], choice=CARD)

    with inside(town_a), pytest.raises(InsufficientStock) as short:
        order_place(town_a, [(variant, 1)])
    assert (short.value.available, short.value.requested) == (0, 1)
    with inside(town_a):
        assert Checkout.objects.count() == 1
        _expire(holder)

    # Before any sweep: an expired hold counts for nothing.
    later = order_place(town_a, [(variant, 1)])
    with inside(town_a):
        assert later.orders.get().status == Status.PLACED
        assert _stock(variant) == 1


def test_a_payment_taken_places_the_orders_sells_the_stock_and_tells_everyone_once(
    town_a, provider, mailoutbox, django_capture_on_commit_callbacks
):
    bakery = shop_create(town_a, name="Boulangerie")
    florist = shop_create(town_a, name="Atelier Floral", email="fleurs@example.org")
    member_add(town_a, bakery, "boulanger@alpha.test")
    bread = variant_create(town_a, bakery, title="Pain", stock=4)
    roses = variant_create(town_a, florist, title="Roses", stock=3)
    checkout = order_place(town_a, [(bread, 2), (roses, 3)], choice=CARD)
    with inside(town_a):
        with django_capture_on_commit_callbacks(execute=True):
            first = checkout_payment_succeeded(
                reference=checkout.reference, payment_method="test_card"
            )
        with django_capture_on_commit_callbacks(execute=True):
            again = checkout_payment_succeeded(
                reference=checkout.reference, payment_method="test_card"
            )

        assert first == again == PaymentSettled.PLACED
        orders = {order.merchant_id: order for order in checkout.orders.all()}
        assert {(o.status, o.payment_status) for o in orders.values()} == {("placed", "paid")}
        assert (_stock(bread), _stock(roses)) == (2, 0)
        assert sorted(StockMovement.objects.values_list("variant_id", "delta", "reference")) == [
            (bread.pk, -2, orders[bakery.pk].reference),
            (roses.pk, -3, orders[florist.pk].reference),
        ]
        assert _held() == []
        assert sorted(OrderEvent.objects.values_list("from_status", "to_status")) == [
            ("pending", "placed"),
            ("pending", "placed"),
        ]
    assert sorted(tuple(mail.to) for mail in mailoutbox) == [
        ("boulanger@alpha.test",),
        ("camille@example.org",),
        ("fleurs@example.org",),
    ]


def test_a_failed_payment_cancels_the_orders_and_gives_their_stock_back(
    town_a, provider, mailoutbox, django_capture_on_commit_callbacks
):
    shop = shop_create(town_a, email="shop@example.org")
    variant = variant_create(town_a, shop, stock=2)
    checkout = order_place(town_a, [(variant, 2)], choice=CARD)
    with inside(town_a):
        with django_capture_on_commit_callbacks(execute=True):
            checkout_payment_failed(reference=checkout.reference, payment_method="test_card")
        checkout_payment_failed(reference=checkout.reference, payment_method="test_card")

        order = checkout.orders.get()
        assert (order.status, order.payment_status, order.status_reason) == (
            "cancelled",
            "failed",
            "The payment did not go through.",
        )
        assert list(OrderEvent.objects.values_list("from_status", "to_status")) == [
            ("pending", "cancelled")
        ]
        assert _held() == []
        assert _stock(variant) == 2
        assert not StockMovement.objects.exists()
        # A success reported after that is too late: the provider gives the money back.
        assert (
            checkout_payment_succeeded(reference=checkout.reference, payment_method="test_card")
            == PaymentSettled.TOO_LATE
        )
        assert checkout.orders.get().status == Status.CANCELLED
        assert _stock(variant) == 2
    # The shopper hears of the cancellation; the shop never heard of the order.
    assert [mail.to for mail in mailoutbox] == [["camille@example.org"]]
    assert "cancelled" in mailoutbox[0].subject

    other = order_place(town_a, [(variant, 2)])
    with inside(town_a):
        assert other.orders.get().status == Status.PLACED


def test_a_payment_taken_after_the_hold_ran_out_is_too_late_and_sells_nothing(town_a, provider):
    variant = variant_create(town_a, shop_create(town_a), stock=3)
    checkout = order_place(town_a, [(variant, 3)], choice=CARD)
    with inside(town_a):
        _expire(checkout)

        settled = checkout_payment_succeeded(
            reference=checkout.reference, payment_method="test_card"
        )

        assert settled == PaymentSettled.TOO_LATE
        order = checkout.orders.get()
        assert (order.status, order.payment_status, order.status_reason) == (
            "cancelled",
            "failed",
            "The payment was not completed in time.",
        )
        assert _held() == []
        assert _stock(variant) == 3
        assert not StockMovement.objects.exists()


def test_the_sweep_cancels_only_the_expired_checkouts_and_twice_changes_nothing(town_a, provider):
    variant = variant_create(town_a, shop_create(town_a), stock=10)
    expired = order_place(town_a, [(variant, 2)], choice=CARD)
    running = order_place(town_a, [(variant, 3)], choice=CARD)
    in_shop = order_place(town_a, [(variant, 1)])
    with inside(town_a):
        _expire(expired)
        Checkout.objects.filter(pk=in_shop.pk).update(reserved_until=timezone.now())

        assert checkouts_expired_release() == 1
        assert checkouts_expired_release() == 0

        assert expired.orders.get().status == Status.CANCELLED
        assert running.orders.get().status == Status.PENDING
        assert in_shop.orders.get().status == Status.PLACED
        assert _held() == [(variant.pk, 3, running.orders.get().reference)]
        assert _stock(variant) == 9


def test_one_checkout_pays_one_shop_in_shop_and_the_other_online(
    town_a, provider, mailoutbox, django_capture_on_commit_callbacks
):
    bakery = shop_create(town_a, name="Boulangerie")
    florist = shop_create(town_a, name="Atelier Floral")
    bread = variant_create(town_a, bakery, title="Pain", stock=5)
    roses = variant_create(town_a, florist, title="Roses", stock=5)
    cart = cart_create(town_a, [(bread, 1), (roses, 2)])
    with inside(town_a):
        with django_capture_on_commit_callbacks(execute=True):
            placed = checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={bakery.pk: RESERVE, florist.pk: CARD},
                idempotency_key="mixed",
            )
        orders = {order.merchant_id: order for order in placed.checkout.orders.all()}

        assert placed.redirect_url == CARD_URL
        assert provider.calls == [(placed.checkout.reference, [orders[florist.pk].reference])]
        assert (orders[bakery.pk].status, orders[bakery.pk].payment_status) == (
            "placed",
            "due_in_shop",
        )
        assert (orders[florist.pk].status, orders[florist.pk].payment_status) == (
            "pending",
            "awaiting",
        )
        assert (_stock(bread), _stock(roses)) == (4, 5)
        assert _held() == [(roses.pk, 2, orders[florist.pk].reference)]
        # The shopper's summary waits for the whole checkout.
        assert [mail.to for mail in mailoutbox] == []

        with django_capture_on_commit_callbacks(execute=True):
            checkout_payment_succeeded(
                reference=placed.checkout.reference, payment_method="test_card"
            )

        assert _stock(roses) == 3
    summaries = [mail for mail in mailoutbox if mail.to == ["camille@example.org"]]
    assert len(summaries) == 1
    for order in orders.values():
        assert order.reference in summaries[0].body


def test_a_provider_refusing_at_once_cancels_and_releases(town_a):
    variant = variant_create(town_a, shop_create(town_a), stock=1)
    with provider_registered(OffsiteProvider(answer=PaymentStatus.FAILED)):
        checkout = order_place(town_a, [(variant, 1)], choice=CARD)
    with inside(town_a):
        assert checkout.orders.get().payment_status == PaymentStatus.FAILED
        assert _held() == []
        assert _stock(variant) == 1


def test_a_payment_reported_for_an_unknown_checkout_or_method_is_not_found(town_a, provider):
    variant = variant_create(town_a, shop_create(town_a), stock=1)
    checkout = order_place(town_a, [(variant, 1)], choice=CARD)
    with inside(town_a):
        with pytest.raises(OrderNotFound):
            checkout_payment_succeeded(reference="ACH-2222-3333", payment_method="test_card")
        with pytest.raises(OrderNotFound):
            checkout_payment_failed(reference=checkout.reference, payment_method="pay_in_shop")
        assert checkout.orders.get().status == Status.PENDING
        assert len(_held()) == 1
