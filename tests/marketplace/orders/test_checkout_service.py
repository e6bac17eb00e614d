from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone, translation

from marketplace.catalogue.models import StockMovement, StockReservation, Variant
from marketplace.catalogue.services.stock import InsufficientStock
from marketplace.directory.hours import pickup_slots
from marketplace.directory.models import Merchant
from marketplace.orders.errors import CheckoutInvalid
from marketplace.orders.models import CartLine, Checkout, Order, OrderEvent, OrderLine
from marketplace.orders.selectors import checkout_info_fetch
from marketplace.orders.services.checkout import Contact, FulfilmentChoice, checkout_place
from tests.conftest import inside, user_create
from tests.marketplace.orders.factories import (
    CONTACT,
    RESERVE,
    cart_create,
    member_add,
    shop_create,
    variant_create,
)

Fulfilment = Order.Fulfilment


def _nothing_created(variants: list[Variant], stocks: list[int]) -> None:
    assert Checkout.objects.count() == 0
    assert Order.objects.count() == 0
    assert StockMovement.objects.count() == 0
    assert StockReservation.objects.count() == 0
    assert [Variant.objects.get(pk=v.pk).stock for v in variants] == stocks


def _first_slot(merchant: Merchant):
    return pickup_slots(merchant, after=timezone.now())[0]


def test_checkout_place_makes_one_order_per_shop_takes_stock_and_empties_the_cart(town_a):
    bakery = shop_create(town_a, name="Boulangerie")
    florist = shop_create(town_a, name="Atelier Floral", local_delivery=True, local_fee=450)
    bread = variant_create(town_a, bakery, title="Pain", price_cents=120, stock=10)
    roses = variant_create(town_a, florist, title="Roses", name="Rouge", price_cents=1990, stock=5)
    customer = user_create(town_a, "camille@alpha.test")
    cart = cart_create(town_a, [(bread, 3), (roses, 2)], user=customer)
    with inside(town_a):
        slot = _first_slot(bakery)
        placed = checkout_place(
            info=checkout_info_fetch(cart=cart),
            contact=CONTACT,
            choices_per_merchant={
                bakery.pk: FulfilmentChoice(fulfilment=Fulfilment.CLICK_COLLECT, pickup_at=slot),
                florist.pk: FulfilmentChoice(
                    fulfilment=Fulfilment.LOCAL_DELIVERY,
                    address="12 avenue du Lac",
                    postcode="73100",
                    city="Aix-les-Bains",
                    note="Sonner deux fois",
                ),
            },
            idempotency_key="key-1",
            customer=customer,
        )

        assert placed.redirect_url == ""
        checkout = placed.checkout
        assert checkout.contact_email == "camille@example.org"
        assert checkout.reference.startswith("ACH-")
        orders = {order.merchant_id: order for order in checkout.orders.all()}
        assert set(orders) == {bakery.pk, florist.pk}
        pickup, delivery = orders[bakery.pk], orders[florist.pk]
        assert (pickup.fulfilment, pickup.pickup_at, pickup.delivery_address) == (
            Fulfilment.CLICK_COLLECT,
            slot,
            "",
        )
        assert (pickup.subtotal_cents, pickup.delivery_fee_cents, pickup.total_cents) == (
            360,
            0,
            360,
        )
        assert (delivery.subtotal_cents, delivery.delivery_fee_cents, delivery.total_cents) == (
            3980,
            450,
            4430,
        )
        assert (delivery.delivery_address, delivery.delivery_city, delivery.note) == (
            "12 avenue du Lac",
            "Aix-les-Bains",
            "Sonner deux fois",
        )
        for order in orders.values():
            assert order.status == Order.Status.PLACED
            assert order.customer == customer
            assert order.reference.startswith("CMD-")
            assert order.payment_method == "pay_in_shop"
            assert order.payment_status == Order.PaymentStatus.DUE_IN_SHOP
        assert list(
            OrderLine.objects.filter(order=delivery).values_list(
                "product_title", "variant_name", "sku", "unit_price_cents", "vat_rate", "quantity"
            )
        ) == [("Roses", "Rouge", roses.sku, 1990, 2000, 2)]
        # Placed through a payment awaited first: pay in shop settles it at once.
        assert sorted(
            OrderEvent.objects.values_list("order_id", "from_status", "to_status")
        ) == sorted([(pickup.pk, "pending", "placed"), (delivery.pk, "pending", "placed")])
        assert [Variant.objects.get(pk=v.pk).stock for v in (bread, roses)] == [7, 3]
        assert sorted(
            StockMovement.objects.values_list("variant_id", "delta", "reason", "reference")
        ) == sorted(
            [
                (bread.pk, -3, "sale", pickup.reference),
                (roses.pk, -2, "sale", delivery.reference),
            ]
        )
        assert not StockReservation.objects.exists()
        assert checkout.reserved_until is not None
        assert CartLine.objects.filter(cart=cart).count() == 0


def test_checkout_place_twice_with_the_same_key_returns_the_first_and_creates_nothing(town_a):
    variant = variant_create(town_a, shop_create(town_a), stock=10)
    cart = cart_create(town_a, [(variant, 2)])
    with inside(town_a):
        choices = {variant.product.merchant_id: RESERVE}
        first = checkout_place(
            info=checkout_info_fetch(cart=cart),
            contact=CONTACT,
            choices_per_merchant=choices,
            idempotency_key="same",
        )
        CartLine.objects.create(cart=cart, variant=variant, quantity=1)

        again = checkout_place(
            info=checkout_info_fetch(cart=cart),
            contact=CONTACT,
            choices_per_merchant=choices,
            idempotency_key="same",
        )

        assert again == first
        assert first.redirect_url == ""
        assert Order.objects.count() == 1
        assert Variant.objects.get(pk=variant.pk).stock == 8
        assert CartLine.objects.filter(cart=cart).count() == 1


def test_checkout_place_refuses_when_stock_is_short_and_changes_nothing(town_a):
    shop = shop_create(town_a)
    plenty = variant_create(town_a, shop, stock=10)
    scarce = variant_create(town_a, shop, stock=1)
    cart = cart_create(town_a, [(plenty, 2), (scarce, 2)])
    with inside(town_a):
        with pytest.raises(InsufficientStock) as short:
            checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={shop.pk: RESERVE},
                idempotency_key="k",
            )

        assert (short.value.variant_id, short.value.available, short.value.requested) == (
            scarce.pk,
            1,
            2,
        )
        _nothing_created([plenty, scarce], [10, 1])
        assert CartLine.objects.filter(cart=cart).count() == 2


@pytest.mark.parametrize(
    ("shop_fields", "choice", "message"),
    [
        ({}, None, "Choose how to receive your order from Épicerie du Lac."),
        (
            {"reserve": False},
            FulfilmentChoice(fulfilment=Fulfilment.RESERVE_PAY_IN_SHOP),
            "Épicerie du Lac does not offer this way of receiving an order",
        ),
        (
            {},
            FulfilmentChoice(fulfilment=Fulfilment.CLICK_COLLECT),
            "Choose a pickup time at Épicerie du Lac.",
        ),
        (
            {"local_delivery": True},
            FulfilmentChoice(fulfilment=Fulfilment.LOCAL_DELIVERY, address="1 rue", city="Aix"),
            "Give the delivery address for Épicerie du Lac.",
        ),
        (
            {},
            FulfilmentChoice(fulfilment=Fulfilment.RESERVE_PAY_IN_SHOP, payment_method="bitcoin"),
            "This payment method is not available",
        ),
    ],
)
def test_checkout_place_refuses_a_bad_fulfilment_choice(town_a, shop_fields, choice, message):
    shop = shop_create(town_a, **shop_fields)
    variant = variant_create(town_a, shop, stock=5)
    cart = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        with pytest.raises(CheckoutInvalid) as invalid:
            checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={shop.pk: choice} if choice else {},
                idempotency_key="k",
            )

        assert message in invalid.value.message
        _nothing_created([variant], [5])


def test_checkout_place_refuses_a_pickup_time_outside_the_slots(town_a):
    shop = shop_create(town_a)
    variant = variant_create(town_a, shop, stock=5)
    cart = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        gone = _first_slot(shop) - timedelta(days=1)
        with pytest.raises(CheckoutInvalid) as invalid:
            checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={
                    shop.pk: FulfilmentChoice(fulfilment=Fulfilment.CLICK_COLLECT, pickup_at=gone)
                },
                idempotency_key="k",
            )

        assert "This pickup time at Épicerie du Lac is no longer available" in invalid.value.message
        _nothing_created([variant], [5])


def test_checkout_place_refuses_an_item_whose_shop_stopped_selling(town_a):
    shop = shop_create(town_a)
    variant = variant_create(town_a, shop, title="Miel", stock=5)
    cart = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        Merchant.objects.filter(pk=shop.pk).update(status=Merchant.Status.SUSPENDED)
        with pytest.raises(CheckoutInvalid) as invalid:
            checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={shop.pk: RESERVE},
                idempotency_key="k",
            )

        assert (
            invalid.value.message
            == "Miel: Épicerie du Lac is not open on the portal at the moment."
        )
        _nothing_created([variant], [5])


@pytest.mark.parametrize(
    ("contact", "key", "message"),
    [
        (Contact(name=" ", email="a@b.fr"), "k", "Give your name"),
        (Contact(name="Léa", email="nope"), "k", "Give an e-mail address"),
        (Contact(name="Léa", email="a@b.fr", phone="abc"), "k", "Enter a valid phone number"),
        (Contact(name="Léa", email="a@b.fr", phone="06 12"), "k", "Enter a valid phone number"),
        (CONTACT, "", "This form has expired"),
    ],
)
def test_checkout_place_refuses_missing_contact_or_key(town_a, contact, key, message):
    variant = variant_create(town_a, shop_create(town_a), stock=5)
    cart = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        with pytest.raises(CheckoutInvalid) as invalid:
            checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=contact,
                choices_per_merchant={variant.product.merchant_id: RESERVE},
                idempotency_key=key,
            )
        assert message in invalid.value.message
        _nothing_created([variant], [5])


def test_checkout_place_refuses_an_empty_cart(town_a):
    cart = cart_create(town_a, [])
    with inside(town_a):
        with pytest.raises(CheckoutInvalid) as invalid:
            checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={},
                idempotency_key="k",
            )
        assert invalid.value.message == "Your cart is empty."
        assert Checkout.objects.count() == 0


def test_checkout_place_e_mails_the_shopper_once_and_each_shops_team_after_commit(
    town_a, mailoutbox, django_capture_on_commit_callbacks
):
    bakery = shop_create(town_a, name="Boulangerie")
    florist = shop_create(town_a, name="Atelier Floral", email="fleurs@example.org")
    member_add(town_a, bakery, "boulanger@alpha.test")
    bread = variant_create(town_a, bakery, title="Pain", price_cents=120)
    roses = variant_create(town_a, florist, title="Roses", price_cents=1990)
    cart = cart_create(town_a, [(bread, 1), (roses, 1)])
    with inside(town_a):
        with django_capture_on_commit_callbacks(execute=True):
            checkout = checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={bakery.pk: RESERVE, florist.pk: RESERVE},
                idempotency_key="k",
            ).checkout
            assert mailoutbox == []

        orders = list(checkout.orders.order_by("merchant__name"))
    recipients = sorted(tuple(mail.to) for mail in mailoutbox)
    assert recipients == [
        ("boulanger@alpha.test",),
        ("camille@example.org",),
        ("fleurs@example.org",),
    ]
    summary = next(mail for mail in mailoutbox if mail.to == ["camille@example.org"])
    assert checkout.reference in summary.subject
    for order in orders:
        assert f"http://alpha.comptoir.test/suivi/{order.tracking_token}/" in summary.body
        assert order.reference in summary.body
    shop_mail = next(mail for mail in mailoutbox if mail.to == ["boulanger@alpha.test"])
    assert orders[1].reference in shop_mail.subject
    assert "Pain" in shop_mail.body and "Roses" not in shop_mail.body
    assert (
        f"http://alpha.comptoir.test/boutique/commandes/{orders[1].reference}/"
        f"?boutique={bakery.slug}" in shop_mail.body
    )


def test_a_twin_submit_landing_between_look_up_and_insert_returns_the_twins_checkout(town_a):
    variant = variant_create(town_a, shop_create(town_a), stock=5)
    cart = cart_create(town_a, [(variant, 1)])
    with inside(town_a):
        twins: list[Checkout] = []

        def twin_lands(contact):
            twins.append(
                Checkout.objects.create(
                    idempotency_key="k",
                    cart=cart,
                    contact_name="Twin",
                    contact_email="twin@example.org",
                )
            )
            return ""

        with mock.patch(
            "marketplace.orders.services.checkout._contact_phone", side_effect=twin_lands
        ):
            result = checkout_place(
                info=checkout_info_fetch(cart=cart),
                contact=CONTACT,
                choices_per_merchant={variant.product.merchant_id: RESERVE},
                idempotency_key="k",
            )

        assert result.checkout == twins[0]
        assert Order.objects.count() == 0
        assert Variant.objects.get(pk=variant.pk).stock == 5
        assert CartLine.objects.filter(cart=cart).count() == 1


def test_a_key_another_cart_used_is_refused_as_expired_and_creates_nothing(town_a):
    variant = variant_create(town_a, shop_create(town_a), stock=5)
    victims_cart = cart_create(town_a, [(variant, 1)])
    attackers_cart = cart_create(town_a, [(variant, 1)])
    choices = {variant.product.merchant_id: RESERVE}
    with inside(town_a):
        checkout_place(
            info=checkout_info_fetch(cart=victims_cart),
            contact=CONTACT,
            choices_per_merchant=choices,
            idempotency_key="demo-checkout-1",
        )

        with translation.override("en"), pytest.raises(CheckoutInvalid, match="expired"):
            checkout_place(
                info=checkout_info_fetch(cart=attackers_cart),
                contact=CONTACT,
                choices_per_merchant=choices,
                idempotency_key="demo-checkout-1",
            )

        assert Checkout.objects.count() == 1 and Order.objects.count() == 1
        assert CartLine.objects.filter(cart=attackers_cart).count() == 1
