"""A shopper's journey in Chromium: a misspelt French search, a cart across two shops, click &
collect at both, then each merchant accepts in /boutique/ and the tracking pages say so.

Selectors use the pages' structure and the data's own words, not the interface's texts, so the
test holds whatever the French catalogue says.
"""

import re

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from marketplace.orders.models import Order
from tests.e2e.marketplace_data import two_shops_committed

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_shops(town_a, committed_user):
    with two_shops_committed(town_a, committed_user) as made:
        yield made


def add_to_cart(page: Page) -> None:
    page.locator("form.product-buy button[type=submit]").click()
    page.wait_for_load_state()


def accept_order_in_back_office(page: Page, *, live_url, town, sign_in, owner_email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, town, owner_email, "/boutique/commandes/")
    orders = page.locator("main table tbody th a")
    expect(orders).to_have_count(1)
    orders.first.click()
    page.locator("form[action$='/action/accept/'] button[type=submit]").click()
    expect(page.locator("main .badge-order-accepted").first).to_be_visible()


def test_shopper_buys_from_two_shops_and_follows_both_orders(
    page, live_url, town_a, two_shops, sign_in
):
    grocery, bookshop = two_shops.grocery, two_shops.bookshop

    # A misspelt search from the header finds the fine grocery's box.
    page.goto(live_url(town_a, "/"))
    page.locator("#header-q").fill("epicrie")
    page.locator("#header-q").press("Enter")
    page.wait_for_url(re.compile(r"/recherche/\?q=epicrie"))
    result = page.get_by_role("link", name=re.compile(r"Coffret\s+Épicerie\s+fine"))
    expect(result).to_be_visible()
    result.click()
    expect(page.locator("h1")).to_have_text("Coffret Épicerie fine")
    add_to_cart(page)

    # A second product, from the bookshop.
    page.goto(live_url(town_a, bookshop.products[0].get_absolute_url()))
    add_to_cart(page)

    # The cart holds one group per shop; checkout with click & collect at both.
    page.goto(live_url(town_a, "/panier/"))
    expect(page.get_by_text(grocery.merchant.name).first).to_be_visible()
    expect(page.get_by_text(bookshop.merchant.name).first).to_be_visible()
    page.locator("main a[href='/commande/']").click()
    page.wait_for_url(live_url(town_a, "/commande/"))
    page.locator("#id_name").fill("Camille Durand")
    page.locator("#id_email").fill("camille.durand@example.test")
    for shop in (grocery, bookshop):
        prefix = f"shop-{shop.merchant.pk}"
        page.locator(f"input[name='{prefix}-fulfilment'][value='click_collect']").check()
        page.locator(f"select[name='{prefix}-pickup_at']").select_option(index=2)
    page.locator("form.checkout-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/commande/confirmation/"))

    # One order per shop, placed for click & collect; a tracking link for each.
    with schema_context(town_a.schema_name):
        orders = list(
            Order.objects.filter(merchant__in=[grocery.merchant, bookshop.merchant]).order_by(
                "merchant_id"
            )
        )
    assert [(o.merchant_id, o.status, o.fulfilment) for o in orders] == sorted(
        (shop.merchant.pk, Order.Status.PLACED, Order.Fulfilment.CLICK_COLLECT)
        for shop in (grocery, bookshop)
    )
    assert all(order.pickup_at is not None for order in orders)
    tracking = [live_url(town_a, f"/suivi/{order.tracking_token}/") for order in orders]
    for order in orders:
        expect(page.locator(f"a[href='/suivi/{order.tracking_token}/']")).to_be_visible()
    page.goto(tracking[0])
    expect(page.locator(".order-status .badge-order-placed")).to_be_visible()

    # Each merchant signs in to the back office and accepts the order of their shop.
    for shop in (grocery, bookshop):
        accept_order_in_back_office(
            page, live_url=live_url, town=town_a, sign_in=sign_in, owner_email=shop.owner.email
        )

    # The shopper's tracking pages now show both orders accepted.
    page.context.clear_cookies()
    for url in tracking:
        page.goto(url)
        expect(page.locator(".order-status .badge-order-accepted")).to_be_visible()
    with schema_context(town_a.schema_name):
        assert set(
            Order.objects.filter(pk__in=[o.pk for o in orders]).values_list("status", flat=True)
        ) == {Order.Status.ACCEPTED}
