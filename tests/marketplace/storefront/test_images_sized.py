"""Every picture of the shopper's pages says its size before it arrives (width and height), so
nothing moves when it does: the town's logo, the campaign's image, the merchants' logos and
photos, the products' photos and cards, in the cart and the favourites too."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from marketplace.catalogue.services.products import product_create
from marketplace.directory.models import MerchantPhoto
from marketplace.orders.models import Cart, CartLine
from marketplace.shoppers.models import FavouriteMerchant, FavouriteProduct
from tenants.models import Town
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.campaigns.factories import campaign_create_row, merchant_create
from tests.marketplace.catalogue.conftest import jpeg_upload


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))


def images_of(html: str) -> list[dict[str, str | None]]:
    parser = _Images()
    parser.feed(html)
    return parser.images


def unsized(images: list[dict[str, str | None]]) -> list[str]:
    """The images lacking a width or a height in whole pixels (their src)."""
    return [
        str(image.get("src"))
        for image in images
        if not all((image.get(side) or "").isdigit() for side in ("width", "height"))
    ]


@pytest.fixture
def shop_window(town_a: Town, media_root):
    """A town with a logo; a shop with a logo, a photo and a product photographed, featured
    by the running campaign, which has an image; a shopper who likes both, with it in the cart."""
    Town.objects.filter(pk=town_a.pk).update(logo=f"{town_a.schema_name}/branding/logo.png")
    merchant = merchant_create(
        town_a, name="Fromagerie du Lac", logo=f"{town_a.schema_name}/merchants/logo.png",
        description="Tommes et reblochons.",
    )  # fmt: skip
    shopper = user_create(town_a, "camille@alpha.test", full_name="Camille Durand")
    with inside(town_a):
        MerchantPhoto.objects.create(
            merchant=merchant, image=f"{town_a.schema_name}/merchants/photos/devanture.jpg",
            alt_text="La devanture",
        )  # fmt: skip
        product = product_create(
            merchant=merchant, title="Tomme des Bauges", price_cents=1890, stock=5,
            photo=jpeg_upload(), photo_alt="Une tomme entière",
        )  # fmt: skip
        today = timezone.localdate()
        cart = Cart.objects.create(user=shopper)
        CartLine.objects.create(cart=cart, variant=product.variants.get(), quantity=1)
        FavouriteMerchant.objects.create(user=shopper, merchant=merchant)
        FavouriteProduct.objects.create(user=shopper, product=product)
    campaign = campaign_create_row(
        town_a, starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=9),
        merchants=[merchant], products=[product],
        image=f"{town_a.schema_name}/campaigns/affiche.png", image_alt="L'affiche",
    )  # fmt: skip
    return {"merchant": merchant, "product": product, "campaign": campaign, "shopper": shopper}


def test_every_image_of_the_shopper_pages_has_its_width_and_height(client_a, town_a, shop_window):
    signed_in(client_a, town_a, shop_window["shopper"].email)
    with inside(town_a):
        paths = [
            "/",
            "/commerces/",
            shop_window["merchant"].get_absolute_url(),
            shop_window["product"].get_absolute_url(),
            "/recherche/?q=tomme",
            shop_window["campaign"].get_absolute_url(),
            "/panier/",
            "/compte/favoris/",
        ]
    seen, problems = 0, []
    for path in paths:
        response = client_a.get(path)
        assert response.status_code == 200, (path, response.status_code)
        images = images_of(response.content.decode())
        assert images, path  # the town's logo at least
        seen += len(images)
        problems += [f"{path}: {src}" for src in unsized(images)]

    assert problems == []
    assert seen >= 16


def test_the_largest_picture_atop_a_page_is_fetched_first_and_the_cards_below_lazily(
    client_a, town_a, shop_window
):
    """Lighthouse's lcp-lazy-loaded: the merchant's first photo, the first search result and the
    campaign's image are the pages' largest paint; lazy, they would wait for the layout."""
    with inside(town_a):
        pages = {
            shop_window["merchant"].get_absolute_url(): lambda image: "/merchants/photos/" in image["src"],
            "/recherche/?q=tomme": lambda image: image.get("class") == "product-card-photo",
            shop_window["campaign"].get_absolute_url(): lambda image: image.get("class") == "campaign-image",
        }  # fmt: skip
    for path, is_largest in pages.items():
        images = images_of(client_a.get(path).content.decode())
        largest = next(image for image in images if is_largest(image))
        assert (largest.get("fetchpriority"), largest.get("loading")) == ("high", None), path

    home_cards = [
        image
        for image in images_of(client_a.get("/").content.decode())
        if image.get("class") == "product-card-photo"
    ]
    assert home_cards
    assert {(card.get("fetchpriority"), card.get("loading")) for card in home_cards} == {
        (None, "lazy")
    }
