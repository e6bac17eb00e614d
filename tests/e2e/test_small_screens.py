"""Every page, for every role, on a 360 × 740 phone: no horizontal scroll, and the page's own
heading within the first screen; the compact header's menu button, with and without
JavaScript; long words wrap instead of widening the page.

Selectors use the pages' structure, not the interface's texts, so the tests hold whatever the
French catalogue says.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, ViewportSize, expect

from comptoir.accounts.models import User
from marketplace.catalogue.models import Product
from marketplace.catalogue.services.products import VariantInput, product_create
from marketplace.directory.models import Merchant
from marketplace.messaging.models import Conversation
from marketplace.messaging.services import conversation_start_by_shopper
from marketplace.orders.models import Order
from marketplace.shoppers.models import Address, FavouriteMerchant, FavouriteProduct
from tenants.models import Town
from tests.conftest import TEST_PASSWORD
from tests.e2e.marketplace_data import TwoShops, two_shops_committed
from tests.marketplace.orders.factories import order_place

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 360, "height": 740}

# The page's width against the window's, and where its main heading starts in the document.
MEASURE = """() => {
  const heading = document.querySelector("main h1") || document.querySelector("h1");
  const header = document.querySelector("header.site-header");
  return {
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    headingTop: heading ? heading.getBoundingClientRect().top + window.scrollY : null,
    headerBottom: header ? header.getBoundingClientRect().bottom + window.scrollY : 0,
  };
}"""
# The elements sticking out on the right that no scrolling box of their own clips: the cause.
OVERFLOWING = """() => {
  const width = window.innerWidth;
  const clipped = (element) => {
    // A positioned element escapes the scrolling boxes between it and its containing block.
    const positioned = ["absolute", "fixed"].includes(getComputedStyle(element).position);
    for (let box = positioned ? element.offsetParent : element.parentElement; box; box = box.parentElement) {
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(box).overflowX)) return true;
    }
    return false;
  };
  return [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5 && !clipped(element))
    .slice(0, 5)
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
}"""
# A compact header: at most a quarter of the first screen, the rest is the page's own.
HEADER_MAX = PHONE["height"] / 4


def phone_problems(page: Page, url: str) -> list[str]:
    """What is wrong with the page at `url` on a phone: an error answer, a horizontal scroll,
    a header taller than a quarter of the screen, no h1 or one below the first screen. Empty
    when all is well."""
    response = page.goto(url)
    if response is None or response.status >= 400:
        return [f"{url}: answered {response.status if response else 'nothing'}"]
    metrics = page.evaluate(MEASURE)
    problems = []
    if metrics["scrollWidth"] > metrics["innerWidth"]:
        causes = ", ".join(page.evaluate(OVERFLOWING))
        problems.append(
            f"{url}: {metrics['scrollWidth']} px wide on {metrics['innerWidth']} px ({causes})"
        )
    if metrics["headerBottom"] > HEADER_MAX:
        problems.append(f"{url}: the header takes {metrics['headerBottom']:.0f} px")
    if metrics["headingTop"] is None:
        problems.append(f"{url}: no h1")
    elif metrics["headingTop"] >= PHONE["height"]:
        problems.append(f"{url}: h1 at {metrics['headingTop']:.0f} px, below the first screen")
    return problems


@pytest.fixture
def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


@dataclass
class Walk:
    shops: TwoShops
    shopper: User
    product_with_variants: Product
    order: Order
    conversation: Conversation
    address: Address


@pytest.fixture
def walk(town_a: Town, committed_user: Callable[..., User]) -> Iterator[Walk]:
    """Two shops of Alpha, one taking appointments and selling a product in three sizes; a
    shopper with an order there, a conversation about it, an address and favourites."""
    with two_shops_committed(town_a, committed_user) as shops:
        shopper = committed_user(town_a, "camille@alpha.test", full_name="Camille Durand")
        grocery = shops.grocery.merchant
        with schema_context(town_a.schema_name):
            Merchant.objects.filter(pk=grocery.pk).update(offers_appointments=True)
            product = product_create(
                merchant=grocery,
                title="Tablier de cuisine brodé",
                price_cents=2400,
                variants=[
                    VariantInput(size=size, colour="Bleu marine", sku=f"TAB-{size}", stock=3)
                    for size in ("S", "M", "L")
                ],
            )
            variant = shops.grocery.products[0].variants.get()
        checkout = order_place(town_a, [(variant, 1)], customer=shopper)
        with schema_context(town_a.schema_name):
            order = checkout.orders.get()
            message = conversation_start_by_shopper(
                shopper=shopper, merchant_id=grocery.pk, order_id=order.pk, body="Bonjour !"
            )
            address = Address.objects.create(
                user=shopper, label="Maison", recipient="Camille Durand",
                street="3 rue des Lilas", postcode="73100", city="Alpha-sur-Mer",
            )  # fmt: skip
            conversation = message.conversation
            FavouriteMerchant.objects.create(user=shopper, merchant=grocery)
            FavouriteProduct.objects.create(user=shopper, product=shops.grocery.products[0])
        yield Walk(
            shops=shops, shopper=shopper, product_with_variants=product, order=order,
            conversation=conversation, address=address,
        )  # fmt: skip


def assert_every_page_fits(page: Page, urls: list[str]) -> None:
    problems = [problem for url in urls for problem in phone_problems(page, url)]
    assert problems == [], "\n".join(problems)


def test_every_visitor_page_fits_a_phone(phone, live_url, town_a, walk):
    grocery = walk.shops.grocery
    paths = [
        "/",
        "/commerces/",
        grocery.merchant.get_absolute_url(),
        f"/commerces/{grocery.merchant.slug}/rendez-vous/",
        grocery.products[0].get_absolute_url(),
        walk.product_with_variants.get_absolute_url(),
        "/recherche/?q=miel",
        "/recherche/?q=introuvable",
        "/carte/",
        walk.shops.campaign.get_absolute_url(),
        "/panier/",
        f"/suivi/{walk.order.tracking_token}/",
        "/integrer/",
        "/mentions-legales/",
        "/accessibilite/",
        "/compte/connexion/",
        "/compte/inscription/",
        "/compte/mot-de-passe/oublie/",
        "/boutique/inscription/",
    ]
    assert_every_page_fits(phone, [live_url(town_a, path) for path in paths])

    # The cart and the checkout with something in them.
    phone.goto(live_url(town_a, grocery.products[1].get_absolute_url()))
    phone.locator("form.product-buy button[type=submit]").click()
    phone.wait_for_load_state()
    assert_every_page_fits(phone, [live_url(town_a, "/panier/"), live_url(town_a, "/commande/")])


def test_every_shopper_page_fits_a_phone(phone, live_url, town_a, walk, sign_in):
    sign_in(phone, town_a, walk.shopper.email, then="/compte/")
    paths = [
        "/compte/",
        f"/compte/commandes/{walk.order.reference}/",
        "/compte/favoris/",
        "/compte/adresses/",
        "/compte/adresses/nouvelle/",
        f"/compte/adresses/{walk.address.pk}/modifier/",
        "/compte/messages/",
        f"/compte/messages/nouveau/?commerce={walk.shops.bookshop.merchant.slug}",
        f"/compte/messages/{walk.conversation.pk}/",
        "/compte/supprimer/",
        f"/commerces/{walk.shops.grocery.merchant.slug}/rendez-vous/",
    ]
    assert_every_page_fits(phone, [live_url(town_a, path) for path in paths])


def test_every_back_office_page_fits_a_phone(phone, live_url, town_a, walk, sign_in):
    sign_in(phone, town_a, walk.shops.grocery.owner.email, then="/boutique/")
    product = walk.product_with_variants
    with schema_context(town_a.schema_name):
        variant = product.variants.order_by("pk").first()
    paths = [
        "/boutique/",
        "/boutique/produits/",
        "/boutique/produits/nouveau/",
        "/boutique/produits/prix-et-stock/",
        f"/boutique/produits/{product.pk}/",
        f"/boutique/produits/{walk.shops.grocery.products[0].pk}/?variantes=1",
        f"/boutique/produits/variantes/{variant.pk}/stock/",
        "/boutique/commandes/",
        f"/boutique/commandes/{walk.order.reference}/",
        f"/boutique/commandes/{walk.order.reference}/bon/",
        "/boutique/profil/",
        "/boutique/horaires/",
        "/boutique/equipe/",
        "/boutique/messages/",
        "/boutique/paiements/",
        f"/boutique/messages/nouveau/?commande={walk.order.reference}",
        f"/boutique/messages/{walk.conversation.pk}/",
        "/boutique/rendez-vous/",
        "/boutique/rendez-vous/creneaux/",
    ]
    assert_every_page_fits(phone, [live_url(town_a, path) for path in paths])

    # The product form's first field is whole in the first screen, and its variants scroll
    # in their own box.
    phone.goto(live_url(town_a, f"/boutique/produits/{product.pk}/"))
    first_field = phone.locator("main form .field").first
    assert first_field.evaluate("field => field.getBoundingClientRect().bottom") < PHONE["height"]
    variants = phone.locator("main form .table-scroll")
    assert variants.evaluate("box => box.scrollWidth > box.clientWidth")
    assert variants.evaluate("box => box.getBoundingClientRect().right") <= PHONE["width"]


def test_every_town_admin_page_fits_a_phone(phone, live_url, town_a, admin_a, walk, sign_in):
    sign_in(phone, town_a, admin_a.email, then="/gestion/")
    campaign = walk.shops.campaign
    paths = [
        "/gestion/",
        "/gestion/identite-visuelle/",
        "/gestion/commercants/",
        "/gestion/campagnes/",
        "/gestion/campagnes/nouvelle/",
        f"/gestion/campagnes/{campaign.pk}/",
        f"/gestion/campagnes/{campaign.pk}/supprimer/",
        "/gestion/commission/",
    ]
    assert_every_page_fits(phone, [live_url(town_a, path) for path in paths])


def test_every_console_page_fits_a_phone(phone, root_live_url, town_a, committed_user):
    staff = committed_user(None, "staff@comptoir.test", is_staff=True, full_name="Vera Vendor")
    assert_every_page_fits(phone, [root_live_url("/"), root_live_url("/console/connexion/")])
    phone.locator("#id_username").fill(staff.email)
    phone.locator("#id_password").fill(TEST_PASSWORD)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(root_live_url("/console/"))
    paths = [
        "/console/",
        "/console/nouvelle-ville/",
        f"/console/villes/{town_a.slug}/",
        f"/console/villes/{town_a.slug}/supprimer/",
        "/console/sauvegardes/",
        "/console/double-authentification/",
    ]
    assert_every_page_fits(phone, [root_live_url(path) for path in paths])


# --- The compact header ---------------------------------------------------------------------


def test_menu_button_opens_and_closes_the_navigation_by_keyboard(phone, live_url, town_a):
    phone.goto(live_url(town_a, "/commerces/"))
    button = phone.locator("header .menu-toggle")
    menu = phone.locator("#site-menu")
    search = phone.locator("#header-q")

    # Closed at first; the search needs no menu: one tap on it and the visitor types.
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(button).to_have_attribute("aria-controls", "site-menu")
    expect(menu).to_be_hidden()
    expect(search).to_be_in_viewport()
    assert search.evaluate("input => input.getBoundingClientRect().bottom") < PHONE["height"] / 4

    button.focus()
    phone.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(menu.locator("nav a[href='/carte/']")).to_be_visible()
    assert phone.evaluate(MEASURE)["scrollWidth"] <= PHONE["width"]

    phone.keyboard.press("Escape")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_hidden()
    expect(button).to_be_focused()

    phone.keyboard.press("Space")
    expect(menu).to_be_visible()
    button.click()
    expect(menu).to_be_hidden()


def test_without_javascript_the_navigation_is_shown_and_the_button_is_not(
    browser, live_url, town_a
):
    context = browser.new_context(locale="fr-FR", viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(live_url(town_a, "/commerces/"))

        expect(page.locator("header .menu-toggle")).to_be_hidden()
        expect(page.locator("#site-menu nav a[href='/carte/']")).to_be_visible()
        assert page.evaluate(MEASURE)["scrollWidth"] <= PHONE["width"]
    finally:
        context.close()


def test_the_header_is_the_full_menu_on_a_wide_screen(page, live_url, town_a):
    page.goto(live_url(town_a, "/commerces/"))

    expect(page.locator("header .menu-toggle")).to_be_hidden()
    expect(page.locator("#site-menu nav a[href='/carte/']")).to_be_visible()
    expect(page.locator("#header-q")).to_be_visible()


# --- Long words -----------------------------------------------------------------------------


@pytest.fixture
def long_word_product(
    town_a: Town, committed_user: Callable[..., User]
) -> Iterator[tuple[Product, str]]:
    """A product, and its shop, described by one 5,000-character word."""
    word = "Anticonstitutionnellement" * 200
    with two_shops_committed(town_a, committed_user) as shops:
        with schema_context(town_a.schema_name):
            Merchant.objects.filter(pk=shops.grocery.merchant.pk).update(description=word)
            product = product_create(
                merchant=shops.grocery.merchant,
                title="Bocal " + "Confiture" * 15,
                price_cents=900,
                stock=4,
                description=word,
            )
            merchant_url = product.merchant.get_absolute_url()
        yield product, merchant_url


def test_a_five_thousand_character_word_wraps_on_a_phone(
    phone, live_url, town_a, long_word_product
):
    product, merchant_url = long_word_product

    assert_every_page_fits(
        phone,
        [
            live_url(town_a, product.get_absolute_url()),
            live_url(town_a, merchant_url),
            live_url(town_a, f"/recherche/?q={product.title[:40]}"),
        ],
    )
