"""The services a view or task calls directly own their transaction (atomic(durable=True)):
wrapped in a caller's transaction by mistake, they refuse to run instead of committing as part
of something larger (their e-mails would then leave at the caller's commit, or never)."""

import pytest
from django.db import transaction

from marketplace.catalogue.models import Product
from marketplace.catalogue.services.products import product_update
from marketplace.orders.models import CartLine, Checkout
from marketplace.orders.selectors import checkout_info_fetch
from marketplace.orders.services.cart import cart_add
from marketplace.orders.services.checkout import checkout_place
from tests.conftest import inside
from tests.marketplace.orders.factories import (
    CONTACT,
    RESERVE,
    cart_create,
    shop_create,
    variant_create,
)

NESTED = "A durable atomic block cannot be nested within another atomic block."


def test_a_checkout_cannot_be_placed_inside_a_callers_transaction(town_a):
    shop = shop_create(town_a)
    variant = variant_create(town_a, shop, stock=5)
    cart = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        info = checkout_info_fetch(cart=cart)

        with pytest.raises(RuntimeError, match=NESTED), transaction.atomic():
            checkout_place(
                info=info, contact=CONTACT, choices_per_merchant={shop.pk: RESERVE},
                idempotency_key="nested",
            )  # fmt: skip

        assert not Checkout.objects.exists()
        assert CartLine.objects.filter(cart=cart).count() == 1


def test_cart_and_catalogue_writes_refuse_a_callers_transaction(town_a):
    shop = shop_create(town_a)
    variant = variant_create(town_a, shop, title="Miel", stock=5)
    cart = cart_create(town_a, [])
    with inside(town_a):
        with pytest.raises(RuntimeError, match=NESTED), transaction.atomic():
            cart_add(cart=cart, variant_id=variant.pk)
        with pytest.raises(RuntimeError, match=NESTED), transaction.atomic():
            product_update(merchant=shop, product_id=variant.product_id, title="Autre")

        assert not CartLine.objects.filter(cart=cart).exists()
        assert Product.objects.get(pk=variant.product_id).title == "Miel"
