"""Paying a two-shop cart by card in Chromium, against the offline Stripe: the shopper passes a
3-D Secure challenge on the fake's card page, both merchants see their order paid by card in
/boutique/, one of them refunds a line, and the shopper's tracking page says so.

The fake delivers its signed webhooks to the live server's root host as Stripe would, so the
orders move only through the real intake and handlers."""

import re
import time
from collections.abc import Callable, Iterator

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from billing.models import CardPayment, ConnectAccount, OrderRefund, Transfer
from billing.services.connect import connect_account_create
from marketplace.catalogue.models import Product
from marketplace.orders.models import Order
from tests.billing.builders import WEBHOOK_PATH
from tests.e2e.marketplace_data import Shop, two_shops_committed
from tests.fakes.stripe_server import FakeStripe

pytestmark = pytest.mark.e2e

THREE_D_SECURE_CARD = "4000 0027 6000 3184"


def eventually(check: Callable[[], bool], what: str, *, seconds: float = 10) -> None:
    """The webhooks arrive from the fake's threads: wait for what they change."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting for {what}")
        time.sleep(0.1)


@pytest.fixture
def fake_stripe_live(settings, e2e_server) -> Iterator[FakeStripe]:
    """The offline Stripe, its webhooks posted to the live server's root host, and the pages'
    links built with the live server's port (the card page sends the shopper back by them)."""
    settings.SITE_PORT = str(e2e_server.port)
    fake = FakeStripe(
        secret_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        webhook_url=f"http://127.0.0.1:{e2e_server.port}{WEBHOOK_PATH}",
        webhook_host=f"{settings.ROOT_DOMAIN}:{e2e_server.port}",
    ).start()
    settings.STRIPE_API_BASE = fake.url
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def card_shops(town_a, committed_user, fake_stripe_live) -> Iterator[tuple[Shop, Shop]]:
    """Two shops whose Connect accounts Stripe has opened to charges."""
    with two_shops_committed(town_a, committed_user) as made:
        shops = (made.grocery, made.bookshop)
        with schema_context(town_a.schema_name):
            for shop in shops:
                account = connect_account_create(merchant=shop.merchant)
                fake_stripe_live.account_update(
                    account.stripe_account_id, due=[], deadline=None, enabled=True
                )
        eventually(lambda: _accounts_open(town_a) == 2, "both accounts open to charges")
        try:
            yield shops
        finally:
            _billing_delete(town_a, [shop.merchant.pk for shop in shops])


def _accounts_open(town) -> int:
    with schema_context(town.schema_name):
        return ConnectAccount.objects.filter(charges_enabled=True).count()


def _billing_delete(town, merchant_ids: list[int]) -> None:
    """What the payment left behind, before the shops' own data goes."""
    with schema_context(town.schema_name):
        orders = Order.objects.filter(merchant_id__in=merchant_ids)
        OrderRefund.objects.filter(order__in=orders).delete()
        Transfer.objects.filter(order__in=orders).delete()
        CardPayment.objects.filter(checkout__orders__in=orders).delete()
        ConnectAccount.objects.filter(merchant_id__in=merchant_ids).delete()


def _payments(town, shops: tuple[Shop, Shop]) -> list[tuple[str, str]]:
    with schema_context(town.schema_name):
        return list(
            Order.objects.filter(merchant__in=[shop.merchant for shop in shops])
            .order_by("merchant_id")
            .values_list("status", "payment_status")
        )


def _price(town, product: Product) -> int:
    with schema_context(town.schema_name):
        return product.variants.get().price_cents


def _merchant_sees_paid_order(page: Page, *, town, sign_in, shop: Shop) -> None:
    page.context.clear_cookies()
    sign_in(page, town, shop.owner.email, "/boutique/commandes/")
    orders = page.locator("main table tbody th a")
    expect(orders).to_have_count(1)
    orders.first.click()
    expect(page.locator("main dd", has_text="Payé par carte")).to_be_visible()


def test_shopper_pays_two_shops_by_card_with_3d_secure_and_sees_a_refund(
    page, live_url, town_a, card_shops, fake_stripe_live, sign_in
):
    grocery = card_shops[0]
    page.route(f"{fake_stripe_live.url}/**", lambda route: route.continue_())

    # The grocery's two products and the bookshop's, then the checkout: click & collect, by card.
    for product in [*grocery.products, card_shops[1].products[0]]:
        page.goto(live_url(town_a, product.get_absolute_url()))
        page.locator("form.product-buy button[type=submit]").click()
        page.wait_for_load_state()
    page.goto(live_url(town_a, "/commande/"))
    page.locator("#id_name").fill("Camille Durand")
    page.locator("#id_email").fill("camille.durand@example.test")
    for shop in card_shops:
        prefix = f"shop-{shop.merchant.pk}"
        page.locator(f"input[name='{prefix}-fulfilment'][value='click_collect']").check()
        page.locator(f"select[name='{prefix}-pickup_at']").select_option(index=2)
        page.locator(f"input[name='{prefix}-payment_method'][value='card']").check()
    page.locator("form.checkout-form button[type=submit]").click()

    # Stripe's page (the fake's): one payment for both shops, then the bank's challenge.
    page.wait_for_url(re.compile(re.escape(fake_stripe_live.url) + "/checkout/pay/"))
    total = sum(
        _price(town_a, product) for product in [*grocery.products, card_shops[1].products[0]]
    )
    expect(page.locator("h1")).to_contain_text(f"{total / 100:.2f}".replace(".", ","))
    assert _payments(town_a, card_shops) == [("pending", "awaiting")] * 2
    page.locator("#card").fill(THREE_D_SECURE_CARD)
    page.get_by_role("button", name="Payer").click()
    expect(page.locator("h1")).to_contain_text("3-D Secure")
    page.get_by_role("button", name="Confirmer le paiement").click()

    # Back on the town's site; the webhooks mark both orders paid.
    page.wait_for_url(live_url(town_a, "/commande/confirmation/"))
    eventually(
        lambda: _payments(town_a, card_shops) == [("placed", "paid")] * 2, "both orders paid"
    )
    page.reload()
    expect(page.get_by_text("Payé par carte")).to_have_count(2)
    with schema_context(town_a.schema_name):
        tracking = Order.objects.get(merchant=grocery.merchant).tracking_token
    eventually(lambda: len(fake_stripe_live.transfers) == 2, "one transfer per shop")

    for shop in card_shops:
        _merchant_sees_paid_order(page, town=town_a, sign_in=sign_in, shop=shop)

    # The grocer has no more honey: they refund that line alone, from the order's refund page.
    page.context.clear_cookies()
    sign_in(page, town_a, grocery.owner.email, "/boutique/commandes/")
    page.locator("main table tbody th a").first.click()
    page.locator("main a[href$='/rembourser/']").click()
    honey = grocery.products[1]
    page.locator("main tbody tr", has_text=honey.title).locator("input[type=number]").fill("1")
    page.locator("#id_reason").fill("Plus de miel, toutes nos excuses.")
    page.locator("main form button.button-primary[type=submit]").click()
    eventually(lambda: len(fake_stripe_live.refunds) == 1, "the refund at Stripe")
    [refund] = fake_stripe_live.refunds.values()
    assert refund["amount"] == _price(town_a, honey)
    eventually(
        lambda: len(fake_stripe_live.transfer_reversals) == 1, "the grocer's transfer reversed"
    )
    assert _payments(town_a, card_shops) == [("placed", "partly_refunded"), ("placed", "paid")]

    # The shopper's tracking page says so; the bookshop's order is untouched.
    page.context.clear_cookies()
    page.goto(live_url(town_a, f"/suivi/{tracking}/"))
    expect(page.locator("main dd", has_text="Partiellement remboursée")).to_be_visible()
