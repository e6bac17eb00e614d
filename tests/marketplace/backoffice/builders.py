"""Shops, members, products and orders as bare rows in a town's schema, for the back-office,
messaging and appointments tests (no service runs, so each test sets only what it needs)."""

import itertools
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from comptoir.accounts.models import User
from marketplace.catalogue.models import Product, Variant
from marketplace.directory.models import Category, Merchant, MerchantMember
from marketplace.orders.models import Checkout, Order, OrderLine
from tenants.models import Town
from tests.conftest import inside, user_create

_numbers = itertools.count(1)


def shop_create(
    town: Town,
    *,
    name: str = "Fleurs de Lys",
    owner: str | None = None,
    status: str = Merchant.Status.APPROVED,
    **fields: Any,
) -> Merchant:
    """A merchant; `owner` is the e-mail of an owner account made with it."""
    with inside(town):
        number = next(_numbers)
        category = Category.objects.create(name="Commerce", slug=f"bo-cat-{number}")
        merchant = Merchant.objects.create(
            name=name,
            slug=fields.pop("slug", None) or f"bo-shop-{number}",
            category=category,
            status=status,
            sells_online=True,
            offers_click_collect=True,
            **fields,
        )
    if owner:
        member_add(town, merchant, owner, MerchantMember.Role.OWNER)
    return merchant


def member_add(
    town: Town, merchant: Merchant, email: str, role: str = MerchantMember.Role.STAFF
) -> User:
    with inside(town):
        user = User.objects.filter(email=email).first()
    if user is None:
        user = user_create(town, email, full_name=email.split("@")[0].capitalize())
    with inside(town):
        MerchantMember.objects.create(merchant=merchant, user=user, role=role)
    return user


def product_add(
    town: Town,
    merchant: Merchant,
    *,
    title: str = "Bouquet champêtre",
    stocks: tuple[int, ...] = (10,),
    price_cents: int = 2500,
) -> Product:
    with inside(town):
        number = next(_numbers)
        product = Product.objects.create(
            merchant=merchant, title=title, slug=f"bo-product-{number}"
        )
        for index, stock in enumerate(stocks):
            Variant.objects.create(
                product=product,
                sku=f"BO-{number}-{index}",
                name=f"Taille {index}" if len(stocks) > 1 else "",
                price_cents=price_cents,
                stock=stock,
                position=index,
            )
        return product


def order_add(
    town: Town,
    merchant: Merchant,
    *,
    customer: User | None = None,
    status: str = Order.Status.PLACED,
    lines: Iterable[tuple[Variant, int]] = (),
    fulfilment: str = Order.Fulfilment.CLICK_COLLECT,
    pickup_at: datetime | None = None,
    contact_name: str = "Camille Client",
) -> Order:
    """An order with its checkout and lines, as if placed (stock untouched)."""
    with inside(town):
        number = next(_numbers)
        checkout = Checkout.objects.create(
            idempotency_key=f"bo-checkout-{number}-{town.slug}",
            customer=customer,
            contact_name=contact_name,
            contact_email=customer.email if customer else f"client{number}@example.org",
            contact_phone="06 12 34 56 78",
        )
        subtotal = sum(variant.price_cents * quantity for variant, quantity in lines)
        order = Order.objects.create(
            reference=f"BO{town.slug[:1].upper()}{number:06d}",
            checkout=checkout,
            merchant=merchant,
            customer=customer,
            status=status,
            fulfilment=fulfilment,
            pickup_at=pickup_at,
            subtotal_cents=subtotal,
            total_cents=subtotal,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                variant=variant,
                product_title=variant.product.title,
                variant_name=variant.name,
                sku=variant.sku,
                unit_price_cents=variant.price_cents,
                vat_rate=2000,
                quantity=quantity,
            )
            for variant, quantity in lines
        )
        return order


def variants_of(town: Town, product: Product) -> list[Variant]:
    with inside(town):
        return list(product.variants.select_related("product").order_by("position"))


def reload(town: Town, instance):
    with inside(town):
        return type(instance).objects.get(pk=instance.pk)


def stock_of(town: Town, variant: Variant) -> int:
    with inside(town):
        return Variant.objects.values_list("stock", flat=True).get(pk=variant.pk)
