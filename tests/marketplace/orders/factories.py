"""Shops, products, carts and orders for the orders and shoppers tests, made as plain rows in a
town's schema (the directory's and catalogue's models only; orders through their services)."""

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import time
from unittest import mock

from django.test import Client

from comptoir.accounts.models import User
from marketplace.catalogue.models import Product, Variant
from marketplace.directory.models import Category, Merchant, MerchantMember, OpeningHours
from marketplace.orders import payments
from marketplace.orders.models import Cart, CartLine, Checkout, Order
from marketplace.orders.payments import PaymentResult
from marketplace.orders.selectors import checkout_info_fetch
from marketplace.orders.services.checkout import Contact, FulfilmentChoice, checkout_place
from tenants.models import Town
from tests.conftest import host_of, inside, user_create

_numbers = itertools.count(1)

CONTACT = Contact(name="Camille Martin", email="camille@example.org", phone="06 12 34 56 78")
RESERVE = FulfilmentChoice(fulfilment=Order.Fulfilment.RESERVE_PAY_IN_SHOP)
CARD_URL = "https://pay.example.test/session/1"


@dataclass
class OffsiteProvider:
    """A payment the shopper makes on the provider's own page, as a card payment: `start` sends
    them there and the outcome comes later (or, with `answer`, at once). Records its calls."""

    code: str = "test_card"
    label: str = "Test card"
    paid_label: str = "Paid by test card"
    answer: str = Order.PaymentStatus.AWAITING
    url: str = CARD_URL
    calls: list[tuple[str, list[str]]] = field(default_factory=list)

    def offered_to(self, *, merchant_ids: list[int]) -> set[int]:
        return set(merchant_ids)

    def start(self, *, checkout: Checkout, orders: list[Order]) -> PaymentResult:
        self.calls.append((checkout.reference, [order.reference for order in orders]))
        awaiting = self.answer == Order.PaymentStatus.AWAITING
        return PaymentResult(payment_status=self.answer, redirect_url=self.url if awaiting else "")

    def handed_over(self, order: Order) -> None:
        pass

    def refund(self, order: Order) -> None:
        pass


@contextmanager
def provider_registered(provider: object) -> Iterator[None]:
    """The registry with `provider` under its code (replacing a provider of that code)."""
    with mock.patch.dict(payments._providers, {provider.code: provider}):  # type: ignore[attr-defined]
        yield


# A shop's part paid online, through the test provider.
CARD = FulfilmentChoice(fulfilment=Order.Fulfilment.RESERVE_PAY_IN_SHOP, payment_method="test_card")


def shop_create(
    town: Town,
    *,
    name: str = "Épicerie du Lac",
    status: str = Merchant.Status.APPROVED,
    sells_online: bool = True,
    click_collect: bool = True,
    reserve: bool = True,
    local_delivery: bool = False,
    postal: bool = False,
    local_fee: int = 0,
    postal_fee: int = 0,
    open_every_day: bool = True,
    email: str = "",
) -> Merchant:
    """A shop, open 9:00–19:00 every day unless told otherwise (so pickup slots always exist)."""
    number = next(_numbers)
    with inside(town):
        category = Category.objects.create(name="Commerce", slug=f"orders-cat-{number}")
        merchant = Merchant.objects.create(
            name=name,
            slug=f"orders-shop-{number}",
            category=category,
            status=status,
            address="3 rue du Port",
            postcode="73100",
            city="Aix-les-Bains",
            email=email,
            sells_online=sells_online,
            offers_click_collect=click_collect,
            offers_reserve_pay_in_shop=reserve,
            offers_local_delivery=local_delivery,
            local_delivery_fee_cents=local_fee,
            offers_postal_delivery=postal,
            postal_delivery_fee_cents=postal_fee,
        )
        if open_every_day:
            OpeningHours.objects.bulk_create(
                OpeningHours(
                    merchant=merchant, weekday=weekday, opens_at=time(9), closes_at=time(19)
                )
                for weekday in range(7)
            )
        return merchant


def member_add(town: Town, merchant: Merchant, email: str) -> User:
    user = user_create(town, email, full_name="Marchand")
    with inside(town):
        MerchantMember.objects.create(merchant=merchant, user=user, role=MerchantMember.Role.OWNER)
    return user


def variant_create(
    town: Town,
    merchant: Merchant,
    *,
    title: str = "Savon au lait d'ânesse",
    stock: int = 10,
    price_cents: int = 1250,
    is_published: bool = True,
    sold_in_shop_only: bool = False,
    name: str = "",
) -> Variant:
    number = next(_numbers)
    with inside(town):
        product = Product.objects.create(
            merchant=merchant,
            title=title,
            slug=f"orders-product-{number}",
            is_published=is_published,
            sold_in_shop_only=sold_in_shop_only,
        )
        return Variant.objects.create(
            product=product, sku=f"SKU-{number}", name=name, price_cents=price_cents, stock=stock
        )


def cart_create(town: Town, lines: list[tuple[Variant, int]], *, user: User | None = None) -> Cart:
    with inside(town):
        cart = Cart.objects.create(user=user)
        CartLine.objects.bulk_create(
            CartLine(cart=cart, variant=variant, quantity=quantity) for variant, quantity in lines
        )
        return cart


def order_place(
    town: Town,
    lines: list[tuple[Variant, int]],
    *,
    customer: User | None = None,
    key: str | None = None,
    contact: Contact = CONTACT,
    choice: FulfilmentChoice = RESERVE,
) -> Checkout:
    """A checkout of those lines, every shop reserving to pay in shop (or as `choice` says)."""
    cart = cart_create(town, lines)
    with inside(town):
        merchant_ids = {variant.product.merchant_id for variant, _quantity in lines}
        return checkout_place(
            info=checkout_info_fetch(cart=cart),
            contact=contact,
            choices_per_merchant=dict.fromkeys(merchant_ids, choice),
            idempotency_key=key or f"key-{next(_numbers)}",
            customer=customer,
        ).checkout


def guest_cart_fill(client: Client, lines: list[tuple[Variant, int]]) -> None:
    """Put the lines in the client's cart through the page, as a shopper does."""
    for variant, quantity in lines:
        response = client.post("/panier/ajouter/", {"variant_id": variant.pk, "quantity": quantity})
        assert response.status_code == 302


def english_client(town: Town) -> Client:
    """A browser on the town's host that asks for English pages."""
    return Client(HTTP_HOST=host_of(town), HTTP_ACCEPT_LANGUAGE="en")
