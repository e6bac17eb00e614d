"""axe-core on the refund pages: the shop's refund of a card-paid order (with a refund made
already), the town's list of refunds with a reversal Stripe refused, and the town's refund of
an order."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from billing.models import CardPayment, OrderRefund, OrderRefundLine
from marketplace.orders.models import Checkout, Order, OrderLine
from tests.e2e.marketplace_data import two_shops_committed

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class RefundedOrder:
    order: Order
    shop_owner_email: str


@pytest.fixture
def refunded(town_a, committed_user) -> Iterator[RefundedOrder]:
    """A card-paid order of the grocery, one item refunded, its reversal refused by Stripe."""
    with two_shops_committed(town_a, committed_user) as shops:
        made = _order_refunded(town_a, shops.grocery.merchant)
        try:
            yield RefundedOrder(made, shops.grocery.owner.email)
        finally:
            with schema_context(town_a.schema_name):
                OrderRefund.objects.filter(order=made).delete()
                CardPayment.objects.filter(checkout_id=made.checkout_id).delete()
                Order.objects.filter(pk=made.pk).delete()
                Checkout.objects.filter(pk=made.checkout_id).delete()


def _order_refunded(town, merchant) -> Order:
    with schema_context(town.schema_name):
        checkout = Checkout.objects.create(
            idempotency_key="e2e-refund", contact_name="Camille", contact_email="c@example.test"
        )
        order = Order.objects.create(
            reference="E2E-REFUND-1",
            checkout=checkout,
            merchant=merchant,
            status=Order.Status.ACCEPTED,
            fulfilment=Order.Fulfilment.CLICK_COLLECT,
            payment_method="card",
            payment_status=Order.PaymentStatus.PARTLY_REFUNDED,
            subtotal_cents=4350,
            total_cents=4350,
        )
        honey = OrderLine.objects.create(
            order=order, product_title="Miel de lavande", sku="MIEL", unit_price_cents=850,
            vat_rate=5, quantity=1,
        )  # fmt: skip
        OrderLine.objects.create(
            order=order, product_title="Coffret Épicerie fine", sku="COFFRET",
            unit_price_cents=3500, vat_rate=20, quantity=1,
        )  # fmt: skip
        payment = CardPayment.objects.create(checkout=checkout, amount_cents=4350)
        refund = OrderRefund.objects.create(
            order=order, card_payment=payment, origin=OrderRefund.Origin.MERCHANT,
            reason="Pot cassé", amount_cents=850, commission_cents=68, reversal_cents=782,
            stripe_refund_id="re_e2e", reversal_attempts=2, reversal_refusals=2,
            reversal_error="Insufficient funds in the connected account to reverse this transfer.",
        )  # fmt: skip
        OrderRefundLine.objects.create(refund=refund, line=honey, quantity=1, amount_cents=850)
    return order


def test_the_shops_refund_page_is_accessible(page, town_a, refunded, sign_in, axe_check):
    path = f"/boutique/commandes/{refunded.order.reference}/rembourser/"
    sign_in(page, town_a, refunded.shop_owner_email, then=path)

    expect(page.locator("main form table tbody tr")).to_have_count(2)
    expect(page.locator("#order-refunds")).to_be_visible()
    axe_check(page)


def test_the_towns_refund_pages_are_accessible(
    page, live_url, town_a, admin_a, refunded, sign_in, axe_check
):
    sign_in(page, town_a, admin_a.email, then="/gestion/remboursements/")

    expect(page.locator("#reversals-failed + p + .table-scroll tbody tr")).to_have_count(1)
    axe_check(page)

    page.goto(live_url(town_a, f"/gestion/remboursements/commandes/{refunded.order.reference}/"))
    expect(page.locator("main form table tbody tr")).to_have_count(2)
    axe_check(page)
