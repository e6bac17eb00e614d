import pytest

from marketplace.orders.errors import PaymentMethodUnknown
from marketplace.orders.models import Order
from marketplace.orders.payments import (
    PayInShopProvider,
    PaymentResult,
    payment_provider_get,
    payment_providers,
)
from tests.conftest import inside
from tests.marketplace.orders.factories import order_place, shop_create, variant_create


@pytest.fixture
def order(town_a) -> Order:
    checkout = order_place(town_a, [(variant_create(town_a, shop_create(town_a)), 1)])
    with inside(town_a):
        return checkout.orders.get()


def test_pay_in_shop_is_registered_and_found_by_its_code():
    provider = payment_provider_get("pay_in_shop")

    assert isinstance(provider, PayInShopProvider)
    # Billing registers card payment from its AppConfig.ready(), after orders' own.
    assert [p.code for p in payment_providers()] == ["pay_in_shop", "card"]
    with pytest.raises(PaymentMethodUnknown):
        payment_provider_get("cheque")


def test_pay_in_shop_answers_due_in_shop_at_once_then_is_paid_when_handed_over(town_a, order):
    provider = PayInShopProvider()
    with inside(town_a):
        assert provider.start(checkout=order.checkout, orders=[order]) == PaymentResult(
            payment_status="due_in_shop", redirect_url=""
        )
        # The checkout settled it from that answer: placed, due in shop.
        order.refresh_from_db()
        assert (order.status, order.payment_method, order.payment_status) == (
            "placed",
            "pay_in_shop",
            "due_in_shop",
        )

        provider.handed_over(order)
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.PAID


def test_pay_in_shop_refund_records_a_refund_only_for_a_paid_order(town_a, order):
    provider = PayInShopProvider()
    with inside(town_a):
        provider.refund(order)
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.DUE_IN_SHOP

        Order.objects.filter(pk=order.pk).update(payment_status=Order.PaymentStatus.PAID)
        order.refresh_from_db()
        provider.refund(order)
        order.refresh_from_db()
        assert order.payment_status == Order.PaymentStatus.REFUNDED
