"""Rows for the campaigns and home page tests, made directly in a town's schema."""

import io
import itertools
from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from marketplace.campaigns.models import Campaign
from marketplace.catalogue.models import Product, ProductPhoto, Variant
from marketplace.directory.models import Category, Merchant, OpeningHours
from tenants.models import Town
from tests.conftest import inside

_numbers = itertools.count(1)


def category_create(
    town: Town,
    *,
    name: str = "Alimentation",
    parent: Category | None = None,
    kind: str = Category.Kind.SHOP,
    position: int = 50,
) -> Category:
    with inside(town):
        return Category.objects.create(
            name=name,
            slug=f"test-cat-{next(_numbers)}",
            parent=parent,
            kind=kind,
            position=position,
        )


def merchant_create(
    town: Town,
    *,
    name: str = "Épicerie du Lac",
    category: Category | None = None,
    status: str = Merchant.Status.APPROVED,
    opens: time | None = time(9),
    closes: time | None = time(19),
    **fields: Any,
) -> Merchant:
    """A merchant selling online, open every day from `opens` to `closes` (None: no hours)."""
    if category is None:
        category = category_create(town)
    with inside(town):
        merchant = Merchant.objects.create(
            name=name,
            slug=f"test-merchant-{next(_numbers)}",
            category=category,
            status=status,
            sells_online=fields.pop("sells_online", True),
            offers_click_collect=True,
            city=town.name,
            **fields,
        )
        if opens is not None and closes is not None:
            OpeningHours.objects.bulk_create(
                OpeningHours(merchant=merchant, weekday=day, opens_at=opens, closes_at=closes)
                for day in range(7)
            )
        return merchant


def product_create(
    town: Town,
    merchant: Merchant,
    *,
    title: str = "Miel de lavande",
    price_cents: int = 850,
    stock: int = 10,
    photo: bool = False,
    **fields: Any,
) -> Product:
    with inside(town):
        product = Product.objects.create(
            merchant=merchant, title=title, slug=f"test-product-{next(_numbers)}", **fields
        )
        Variant.objects.create(
            product=product, sku=f"SKU-{product.pk}", price_cents=price_cents, stock=stock
        )
        if photo:
            ProductPhoto.objects.create(
                product=product, image=f"{town.schema_name}/products/{product.slug}.jpg"
            )
        return product


def campaign_create_row(
    town: Town,
    *,
    title: str = "Noël dans nos commerces",
    starts_on: date,
    ends_on: date,
    is_published: bool = True,
    merchants: Iterable[Merchant] = (),
    products: Iterable[Product] = (),
    **fields: Any,
) -> Campaign:
    with inside(town):
        campaign = Campaign.objects.create(
            title=title,
            slug=fields.pop("slug", None) or f"campagne-{next(_numbers)}",
            starts_on=starts_on,
            ends_on=ends_on,
            is_published=is_published,
            **fields,
        )
        campaign.featured_merchants.set(merchants)
        campaign.featured_products.set(products)
        return campaign


def image_upload(
    name: str = "affiche.png", size: tuple[int, int] = (320, 180)
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 30, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
