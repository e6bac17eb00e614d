"""axe-core on the pages with real content: no serious or critical violation on the home page
(with its campaign, categories, open shops and products), the directory, a merchant, a
product, the cart, the checkout and its confirmation awaiting a payment; on a phone, the header
with its menu open and the map waiting for its button, the back office's product form with its
variants; the town administration's campaign deletion; the back office's card payments page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.marketplace_data import two_shops_committed
from tests.e2e.test_small_screens import PHONE
from tests.marketplace.orders.factories import OffsiteProvider, provider_registered

pytestmark = pytest.mark.e2e


@pytest.fixture
def two_shops(town_a, committed_user):
    with two_shops_committed(town_a, committed_user) as made:
        yield made


def test_home_page_with_content_is_accessible(page, live_url, town_a, two_shops, axe_check):
    page.goto(live_url(town_a, "/"))

    expect(page.locator("#campaign-title")).to_have_text(two_shops.campaign.title)
    expect(page.locator(".home-categories li")).to_have_count(1)
    expect(page.locator(".product-card").first).to_be_visible()
    axe_check(page)


def test_search_page_with_a_correction_is_accessible(page, live_url, town_a, two_shops, axe_check):
    page.goto(live_url(town_a, "/recherche/?q=lavnde"))

    expect(page.locator(".search-correction a")).to_have_text("lavande")
    expect(page.locator(".product-card")).to_have_count(1)
    axe_check(page)


def test_campaign_page_is_accessible(page, live_url, town_a, two_shops, axe_check):
    page.goto(live_url(town_a, two_shops.campaign.get_absolute_url()))

    expect(page.locator("h1")).to_have_text(two_shops.campaign.title)
    expect(page.locator(".product-card")).to_have_count(3)
    axe_check(page)


def test_directory_page_is_accessible(page, live_url, town_a, two_shops, axe_check):
    page.goto(live_url(town_a, "/commerces/"))

    expect(page.locator(f"[data-merchant='{two_shops.grocery.merchant.slug}']")).to_be_visible()
    axe_check(page)


def test_merchant_page_is_accessible(page, live_url, town_a, two_shops, axe_check):
    page.goto(live_url(town_a, two_shops.grocery.merchant.get_absolute_url()))

    expect(page.locator("h1")).to_have_text(two_shops.grocery.merchant.name)
    axe_check(page)


def test_product_page_is_accessible(page, live_url, town_a, two_shops, axe_check):
    product = two_shops.grocery.products[0]
    page.goto(live_url(town_a, product.get_absolute_url()))

    expect(page.locator("h1")).to_have_text(product.title)
    axe_check(page)


def test_cart_and_checkout_pages_are_accessible(page, live_url, town_a, two_shops, axe_check):
    for shop in (two_shops.grocery, two_shops.bookshop):
        page.goto(live_url(town_a, shop.products[0].get_absolute_url()))
        page.locator("form.product-buy button[type=submit]").click()
        page.wait_for_load_state()

    page.goto(live_url(town_a, "/panier/"))
    expect(page.get_by_text(two_shops.bookshop.merchant.name).first).to_be_visible()
    axe_check(page)

    page.goto(live_url(town_a, "/commande/"))
    expect(page.locator("form.checkout-form")).to_be_visible()
    axe_check(page)


def test_phone_header_with_its_menu_open_is_accessible(
    page, live_url, town_a, two_shops, axe_check
):
    page.set_viewport_size(PHONE)
    page.goto(live_url(town_a, "/commerces/"))
    axe_check(page)

    page.locator("header .menu-toggle").click()

    expect(page.locator("#site-menu")).to_be_visible()
    axe_check(page)


def test_phone_map_page_before_the_map_is_opened_is_accessible(
    page, live_url, town_a, two_shops, axe_check
):
    page.set_viewport_size(PHONE)
    page.goto(live_url(town_a, "/carte/"))

    expect(page.locator("#town-map button.map-open")).to_be_visible()
    axe_check(page)


def test_campaign_delete_confirmation_is_accessible(
    page, live_url, town_a, admin_a, two_shops, sign_in, axe_check
):
    campaign = two_shops.campaign
    sign_in(page, town_a, admin_a.email, then=f"/gestion/campagnes/{campaign.pk}/supprimer/")

    expect(page.locator("h1")).to_contain_text(campaign.title)
    expect(page.locator("main form button[type=submit]")).to_be_visible()
    axe_check(page)


def test_town_commission_page_is_accessible(page, live_url, town_a, admin_a, sign_in, axe_check):
    sign_in(page, town_a, admin_a.email, then="/gestion/commission/")

    expect(page.locator("h1")).to_have_text("Commission")
    expect(page.locator("#id_rate_bps")).to_be_visible()
    axe_check(page)


def test_phone_back_office_product_form_with_variants_is_accessible(
    page, live_url, town_a, two_shops, sign_in, axe_check
):
    page.set_viewport_size(PHONE)
    product = two_shops.grocery.products[0]
    sign_in(page, town_a, two_shops.grocery.owner.email, then="/boutique/")
    page.goto(live_url(town_a, f"/boutique/produits/{product.pk}/?variantes=1"))

    expect(page.locator("main form .table-scroll table")).to_be_visible()
    axe_check(page)


def test_back_office_payments_page_is_accessible(
    page, live_url, town_a, two_shops, sign_in, axe_check
):
    sign_in(page, town_a, two_shops.grocery.owner.email, then="/boutique/paiements/")

    expect(page.locator("h1")).to_be_visible()
    expect(page.locator("main form button[type=submit]")).to_be_visible()
    axe_check(page)


def test_a_confirmation_awaiting_payment_is_accessible(
    page, live_url, town_a, two_shops, axe_check
):
    shop = two_shops.grocery
    page.goto(live_url(town_a, shop.products[0].get_absolute_url()))
    page.locator("form.product-buy button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(live_url(town_a, "/commande/"))
    page.locator("#id_name").fill("Camille Durand")
    page.locator("#id_email").fill("camille.durand@example.test")
    page.locator(f"input[name='shop-{shop.merchant.pk}-fulfilment'][value='click_collect']").check()
    page.locator(f"select[name='shop-{shop.merchant.pk}-pickup_at']").select_option(index=1)

    # A payment page that sends the shopper straight back (the browser has no network), under
    # the only method the form offers so far.
    back = OffsiteProvider(
        code="pay_in_shop", url=live_url(town_a, "/commande/confirmation/?retour=1")
    )
    with provider_registered(back):
        page.locator("form.checkout-form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/commande/confirmation/\?retour=1"))

    expect(page.locator(".confirmation-orders .card")).to_have_count(1)
    axe_check(page)


@pytest.fixture
def grocery_paid(town_a, two_shops):
    """The grocery paid by card for two orders, and one payout made: committed for the live
    server, deleted before the shops are."""
    from billing.models import CardPayment, ConnectAccount, Payout, Transfer
    from tests.billing.test_statement import card_sale, payout_of
    from tests.conftest import inside

    merchant = two_shops.grocery.merchant
    card_sale(town_a, merchant, total=3_500, rate_bps=800)
    card_sale(town_a, merchant, total=850, rate_bps=800)
    payout_of(town_a, merchant, amount=4_002, status=Payout.Status.IN_TRANSIT)
    yield merchant
    with inside(town_a):
        payments = list(
            Transfer.objects.filter(merchant=merchant).values_list("card_payment_id", flat=True)
        )
        Transfer.objects.filter(merchant=merchant).delete()
        CardPayment.objects.filter(pk__in=payments).delete()
        Payout.objects.filter(account__merchant=merchant).delete()
        ConnectAccount.objects.filter(merchant=merchant).delete()


def test_back_office_payments_with_sales_payouts_and_statements_is_accessible(
    page, live_url, town_a, two_shops, grocery_paid, sign_in, axe_check
):
    sign_in(page, town_a, two_shops.grocery.owner.email, then="/boutique/paiements/")

    expect(page.locator("#payments-transfers + * table tbody tr")).to_have_count(2)
    expect(page.locator("#payments-payouts + * table tbody tr")).to_have_count(1)
    expect(page.locator("#statement-month option")).to_have_count(1)
    axe_check(page)
