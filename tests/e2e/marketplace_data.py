"""Committed marketplace data for the browser tests: two shops of town Alpha open all week,
each with an owner and products found by the French search, and a running campaign featuring
them. Everything made here, and every order, cart and campaign made meanwhile, is deleted after.

A test module makes its fixture from `two_shops_committed(town, committed_user)`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time, timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from comptoir.accounts.models import User
from marketplace.campaigns.models import Campaign
from marketplace.catalogue.models import Product
from marketplace.catalogue.services.products import product_create
from marketplace.catalogue.services.search import products_search_refresh_all
from marketplace.directory.models import Category, Merchant, MerchantMember, OpeningHours
from marketplace.orders.models import Cart, Checkout, Order
from tenants.models import Town


@dataclass
class Shop:
    merchant: Merchant
    owner: User
    products: list[Product]


@dataclass
class TwoShops:
    grocery: Shop
    bookshop: Shop
    campaign: Campaign


def _shop(
    town: Town,
    committed_user: Callable[..., User],
    *,
    name: str,
    slug: str,
    category: Category,
    owner_email: str,
    products: list[tuple[str, int]],
) -> Shop:
    owner = committed_user(town, owner_email, full_name=f"Gérant {name}")
    with schema_context(town.schema_name):
        merchant = Merchant.objects.create(
            name=name,
            slug=slug,
            category=category,
            status=Merchant.Status.APPROVED,
            description=f"{name}, une adresse du centre d'Alpha-sur-Mer.",
            address="3 quai du Port",
            postcode="73100",
            city="Alpha-sur-Mer",
            phone="04 79 00 00 00",
            sells_online=True,
            offers_click_collect=True,
            offers_reserve_pay_in_shop=True,
        )
        # Open all week long, so pickup slots exist whenever the test runs.
        OpeningHours.objects.bulk_create(
            OpeningHours(merchant=merchant, weekday=day, opens_at=time(0), closes_at=time(23, 59))
            for day in range(7)
        )
        MerchantMember.objects.create(merchant=merchant, user=owner, role=MerchantMember.Role.OWNER)
        made = [
            product_create(
                merchant=merchant,
                title=title,
                price_cents=price,
                stock=8,
                description=f"{title} : sélectionné par {name}.",
                category=category,
            )
            for title, price in products
        ]
    return Shop(merchant=merchant, owner=owner, products=made)


@contextmanager
def two_shops_committed(town_a: Town, committed_user: Callable[..., User]) -> Iterator[TwoShops]:
    with schema_context(town_a.schema_name):
        category = Category.objects.create(name="Épiceries et librairies", slug="e2e-boutiques")
        last_cart = Cart.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    grocery = _shop(
        town_a, committed_user, name="Épicerie fine du Port", slug="e2e-epicerie-fine",
        category=category, owner_email="epicerie@alpha.test",
        products=[("Coffret Épicerie fine", 3500), ("Miel de lavande", 850)],
    )  # fmt: skip
    bookshop = _shop(
        town_a, committed_user, name="Librairie des Quais", slug="e2e-librairie",
        category=category, owner_email="librairie@alpha.test",
        products=[("Carnet de voyage relié", 1590)],
    )  # fmt: skip
    with schema_context(town_a.schema_name):
        today = timezone.localdate()
        campaign = Campaign.objects.create(
            title="Noël dans nos commerces",
            slug="e2e-noel",
            text="Des cadeaux près de chez vous.",
            starts_on=today - timedelta(days=3),
            ends_on=today + timedelta(days=20),
            is_published=True,
        )
        campaign.featured_merchants.set([grocery.merchant, bookshop.merchant])
        campaign.featured_products.set(grocery.products + bookshop.products)
    try:
        yield TwoShops(grocery=grocery, bookshop=bookshop, campaign=campaign)
    finally:
        _two_shops_delete(town_a, grocery, bookshop, campaign, category, last_cart)


def _two_shops_delete(
    town_a: Town,
    grocery: Shop,
    bookshop: Shop,
    campaign: Campaign,
    category: Category,
    last_cart: int,
) -> None:
    with schema_context(town_a.schema_name):
        merchants = [grocery.merchant.pk, bookshop.merchant.pk]
        checkouts = list(
            Order.objects.filter(merchant_id__in=merchants).values_list("checkout_id", flat=True)
        )
        Order.objects.filter(merchant_id__in=merchants).delete()
        Checkout.objects.filter(pk__in=checkouts).delete()
        Cart.objects.filter(pk__gt=last_cart).delete()
        campaign.delete()
        Merchant.objects.filter(pk__in=merchants).delete()
        category.delete()
        products_search_refresh_all()  # the lexicon forgets their words
