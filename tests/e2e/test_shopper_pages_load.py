"""What the shopper's pages load, and when, in Chromium: the map's Leaflet only once the map is
wanted (opened on a phone, scrolled into view on a wider screen), the list of the same places
there from the start; the product page does not move while its photo arrives (layout shift,
read from the browser's own PerformanceObserver)."""

import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, Route, expect

from marketplace.catalogue.models import Product
from marketplace.catalogue.services.products import product_create
from marketplace.directory.models import Merchant
from tests.e2e.marketplace_data import TwoShops, two_shops_committed
from tests.e2e.test_small_screens import PHONE
from tests.marketplace.catalogue.conftest import jpeg_upload

pytestmark = pytest.mark.e2e

LEAFLET = "/static/vendor/leaflet/leaflet.js"

# Sums the page's layout shifts not caused by the visitor, from before its first paint.
LAYOUT_SHIFT_SUM = """
window.layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.layoutShift += entry.value;
  }
}).observe({ type: "layout-shift", buffered: true });
"""


def requested(page: Page) -> list[str]:
    """The addresses the page asks for from now on (a list kept up to date)."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    return urls


@pytest.fixture
def located_shops(town_a, committed_user) -> Iterator[TwoShops]:
    with two_shops_committed(town_a, committed_user) as shops:
        with schema_context(town_a.schema_name):
            for shop, latitude in ((shops.grocery, "45.6884"), (shops.bookshop, "45.6890")):
                Merchant.objects.filter(pk=shop.merchant.pk).update(
                    latitude=Decimal(latitude), longitude=Decimal("5.9153")
                )
        yield shops


def test_on_a_phone_the_map_loads_leaflet_only_when_opened(page, live_url, town_a, located_shops):
    page.set_viewport_size(PHONE)
    urls = requested(page)
    page.goto(live_url(town_a, "/carte/"))
    page.wait_for_load_state("networkidle")

    assert not [url for url in urls if url.endswith(LEAFLET)]
    expect(page.locator(".map-list tbody tr")).to_have_count(2)
    opener = page.locator("#town-map button.map-open")
    expect(opener).to_be_visible()

    opener.click()

    expect(page.locator("#town-map .leaflet-marker-icon")).to_have_count(2)
    assert [url for url in urls if url.endswith(LEAFLET)]
    expect(page.locator("#town-map")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_on_a_wide_screen_the_merchant_map_loads_once_scrolled_into_view(
    page, live_url, town_a, located_shops
):
    page.set_viewport_size({"width": 1280, "height": 400})
    urls = requested(page)
    page.goto(live_url(town_a, located_shops.grocery.merchant.get_absolute_url()))
    page.wait_for_load_state("networkidle")
    assert not [url for url in urls if url.endswith(LEAFLET)]

    page.locator("#merchant-map").scroll_into_view_if_needed()

    expect(page.locator("#merchant-map .leaflet-marker-icon")).to_have_count(1)
    assert [url for url in urls if url.endswith(LEAFLET)]


@pytest.fixture
def photographed_product(town_a, committed_user, settings, tmp_path) -> Iterator[Product]:
    settings.MEDIA_ROOT = tmp_path / "media"
    with two_shops_committed(town_a, committed_user) as shops:
        with schema_context(town_a.schema_name):
            product = product_create(
                merchant=shops.grocery.merchant, title="Panier garni du Port", price_cents=4500,
                stock=3, description="Du miel, des confitures et un saucisson.",
                photo=jpeg_upload(size=(1200, 800)), photo_alt="Le panier garni",
            )  # fmt: skip
        yield product


def _photo_arrives_late(route: Route) -> None:
    # Late enough that the page is painted before the photo: its box must already be there.
    time.sleep(0.5)
    route.continue_()


def test_the_product_page_does_not_move_while_its_photo_arrives(
    page, live_url, town_a, photographed_product
):
    page.set_viewport_size(PHONE)
    page.add_init_script(LAYOUT_SHIFT_SUM)
    page.route("**/media/**", _photo_arrives_late)
    page.goto(live_url(town_a, photographed_product.get_absolute_url()))

    photo = page.locator(".product-photos img").first
    expect(photo).to_have_js_property("complete", True)
    assert photo.evaluate("image => image.naturalWidth") == 1200
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => setTimeout(done, 0)))")

    assert page.evaluate("window.layoutShift") < 0.1
