"""Merchants and products for the catalogue tests, made directly in a town's schema."""

import itertools

import pytest

from marketplace.catalogue.models import Product, Variant
from marketplace.directory.models import Category, Merchant
from tenants.models import Town
from tests.conftest import inside

_numbers = itertools.count(1)


def category_create(town: Town, *, name: str = "Épicerie", parent: Category | None = None):
    with inside(town):
        return Category.objects.create(name=name, slug=f"test-cat-{next(_numbers)}", parent=parent)


def merchant_create(
    town: Town,
    *,
    name: str = "Au Bon Marché",
    status: str = Merchant.Status.APPROVED,
    category: Category | None = None,
) -> Merchant:
    with inside(town):
        if category is None:
            category = Category.objects.create(name="Commerce", slug=f"test-cat-{next(_numbers)}")
        return Merchant.objects.create(
            name=name,
            slug=f"test-merchant-{next(_numbers)}",
            category=category,
            status=status,
            sells_online=True,
            offers_click_collect=True,
        )


def product_row_create(
    town: Town,
    merchant: Merchant,
    *,
    title: str = "Savon au lait d'ânesse",
    stocks: tuple[int, ...] = (10,),
    price_cents: int = 1250,
    **fields: object,
) -> Product:
    """A product and its variants as bare rows (no service, no search vector)."""
    with inside(town):
        product = Product.objects.create(
            merchant=merchant, title=title, slug=f"test-product-{next(_numbers)}", **fields
        )
        for index, stock in enumerate(stocks):
            Variant.objects.create(
                product=product,
                sku=f"SKU-{product.pk}-{index}",
                name=f"Taille {index}" if len(stocks) > 1 else "",
                price_cents=price_cents,
                stock=stock,
                position=index,
            )
        return product


@pytest.fixture
def merchant_a(town_a: Town) -> Merchant:
    return merchant_create(town_a, name="Épicerie du Lac")


@pytest.fixture
def merchant_b(town_b: Town) -> Merchant:
    return merchant_create(town_b, name="Bazar de Beta")


def jpeg_upload(name: str = "photo.jpg", size: tuple[int, int] = (1200, 800), mode: str = "RGB"):
    """A real image made with Pillow, as an upload."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    image_format = "PNG" if name.endswith(".png") else "JPEG"
    Image.new(mode, size, (200, 120, 40, 128) if mode == "RGBA" else (200, 120, 40)).save(
        buffer, image_format
    )
    content_type = "image/png" if image_format == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)
