"""The services a view or task calls directly own their transaction (atomic(durable=True)):
wrapped in a caller's transaction by mistake, they refuse to run instead of committing as part
of something larger (their e-mails would then leave at the caller's commit, or never)."""

import pytest
from django.db import transaction

from marketplace.catalogue.models import Product
from marketplace.catalogue.services.products import product_update
from marketplace.orders.models import CartLine
from marketplace.orders.services.cart import cart_add
from tests.conftest import inside
from tests.marketplace.orders.factories import cart_create, shop_create, variant_create

NESTED = "A durable atomic block cannot be nested within another atomic block."


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
