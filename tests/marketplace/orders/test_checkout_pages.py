import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from marketplace.catalogue.models import StockReservation, Variant
from marketplace.catalogue.services.stock import InsufficientStock
from marketplace.directory.hours import pickup_slots
from marketplace.orders.models import CartLine, Checkout, Order
from marketplace.orders.payments import PayInShopProvider
from marketplace.orders.services.checkout_payment import checkout_payment_failed
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.orders.factories import (
    CARD_URL,
    OffsiteProvider,
    english_client,
    guest_cart_fill,
    provider_registered,
    shop_create,
    variant_create,
)

Fulfilment = Order.Fulfilment


def _key(body: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', body)
    assert found is not None, "no idempotency key on the page"
    return found.group(1)


def _contact(key: str) -> dict[str, str]:
    return {
        "name": "Camille Martin",
        "email": "camille@example.org",
        "phone": "",
        "idempotency_key": key,
    }


@pytest.fixture
def bakery(town_a):
    return shop_create(town_a, name="Boulangerie", local_delivery=True, local_fee=300)


@pytest.fixture
def bread(town_a, bakery):
    return variant_create(town_a, bakery, title="Pain de campagne", price_cents=420, stock=5)


@pytest.mark.smoke
def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client_a):
    response = client_a.get("/commande/")

    assert response.status_code == 302
    assert response["Location"] == "/panier/"


def test_checkout_form_offers_each_shops_fulfilments_and_pickup_slots(
    client_a, town_a, bakery, bread
):
    guest_cart_fill(client_a, [(bread, 2)])

    response = client_a.get("/commande/")

    assert response.status_code == 200
    body = response.content.decode()
    prefix = f"shop-{bakery.pk}"
    assert f'name="{prefix}-fulfilment" value="click_collect"' in body
    assert f'name="{prefix}-fulfilment" value="reserve_pay_in_shop"' in body
    assert f'name="{prefix}-fulfilment" value="local_delivery"' in body
    assert "Local delivery (3,00\u00a0€)" in body
    assert f'name="{prefix}-fulfilment" value="postal"' not in body
    assert f'<select name="{prefix}-pickup_at"' in body
    assert "<optgroup" in body
    assert len(_key(body)) >= 32
    assert "8,40\u00a0€" in body


def test_placing_a_click_and_collect_order_from_the_page(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 2)])
    key = _key(client_a.get("/commande/").content.decode())
    with inside(town_a):
        slot = pickup_slots(bakery, after=timezone.now())[2]

    response = client_a.post(
        "/commande/",
        {
            **_contact(key),
            f"shop-{bakery.pk}-fulfilment": Fulfilment.CLICK_COLLECT,
            f"shop-{bakery.pk}-pickup_at": slot.isoformat(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/commande/confirmation/"
    with inside(town_a):
        order = Order.objects.get()
        assert (order.fulfilment, order.pickup_at, order.total_cents) == (
            Fulfilment.CLICK_COLLECT,
            slot,
            840,
        )
        assert order.customer is None
        assert Variant.objects.get(pk=bread.pk).stock == 3
        assert CartLine.objects.count() == 0
    page = client_a.get("/commande/confirmation/").content.decode()
    assert order.reference in page
    assert f"/suivi/{order.tracking_token}/" in page
    assert "camille@example.org" in page


def test_a_double_submit_of_the_form_places_one_order(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())
    data = {**_contact(key), f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP}

    first = client_a.post("/commande/", data)
    # The second click arrives once the cart is emptied: the key still finds the first checkout.
    guest_cart_fill(client_a, [(bread, 1)])
    second = client_a.post("/commande/", data)

    assert first["Location"] == second["Location"] == "/commande/confirmation/"
    with inside(town_a):
        assert Checkout.objects.count() == 1
        assert Order.objects.count() == 1


def test_a_delivery_needs_an_address(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())

    response = client_a.post(
        "/commande/", {**_contact(key), f"shop-{bakery.pk}-fulfilment": Fulfilment.LOCAL_DELIVERY}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Your order is not placed yet" in body
    assert body.count("Needed for a delivery.") == 3
    assert _key(body) == key
    with inside(town_a):
        assert Order.objects.count() == 0
        assert Variant.objects.get(pk=bread.pk).stock == 5


def test_an_expired_pickup_slot_is_refused_clearly(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())

    response = client_a.post(
        "/commande/",
        {
            **_contact(key),
            f"shop-{bakery.pk}-fulfilment": Fulfilment.CLICK_COLLECT,
            f"shop-{bakery.pk}-pickup_at": "2020-01-01T10:00:00+01:00",
        },
    )

    assert "This pickup time is no longer available: choose another one." in (
        response.content.decode()
    )
    with inside(town_a):
        assert Order.objects.count() == 0


def test_stock_sold_before_the_submit_sends_back_to_the_cart(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 3)])
    key = _key(client_a.get("/commande/").content.decode())
    with inside(town_a):
        Variant.objects.filter(pk=bread.pk).update(stock=2)

    response = client_a.post(
        "/commande/",
        {**_contact(key), f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP},
    )

    # The cart now shows the line as short: checkout sends the shopper back to fix it.
    assert response.status_code == 302 and response["Location"] == "/panier/"
    with inside(town_a):
        assert Order.objects.count() == 0
        assert Variant.objects.get(pk=bread.pk).stock == 2


def test_stock_sold_during_the_submit_is_named_on_the_form(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())
    sold_out = InsufficientStock(variant_id=bread.pk, available=0, requested=1)

    with mock.patch("marketplace.orders.views.checkout_place", side_effect=sold_out):
        response = client_a.post(
            "/commande/",
            {**_contact(key), f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP},
        )

    assert response.status_code == 200
    assert "Pain de campagne: Only 0 left in stock (1 asked)." in response.content.decode()


def test_a_signed_in_shopper_gets_prefilled_contact_and_the_order_on_their_account(
    town_a, bakery, bread
):
    user_create(town_a, "camille@alpha.test", full_name="Camille Martin")
    client = signed_in(english_client(town_a), town_a, "camille@alpha.test")
    guest_cart_fill(client, [(bread, 1)])

    body = client.get("/commande/").content.decode()
    assert 'value="camille@alpha.test"' in body and 'value="Camille Martin"' in body
    client.post(
        "/commande/",
        {
            **_contact(_key(body)),
            "email": "camille@alpha.test",
            f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP,
        },
    )

    with inside(town_a):
        assert Order.objects.get().customer.email == "camille@alpha.test"


def test_two_shops_make_two_orders_and_the_confirmation_lists_both(client_a, town_a, bakery, bread):
    florist = shop_create(town_a, name="Atelier Floral", click_collect=False)
    roses = variant_create(town_a, florist, title="Roses")
    guest_cart_fill(client_a, [(bread, 1), (roses, 1)])
    key = _key(client_a.get("/commande/").content.decode())

    client_a.post(
        "/commande/",
        {
            **_contact(key),
            f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP,
            f"shop-{florist.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP,
        },
    )

    page = client_a.get("/commande/confirmation/").content.decode()
    with inside(town_a):
        orders = list(Order.objects.order_by("pk"))
    assert len(orders) == 2
    for order in orders:
        assert order.reference in page and f"/suivi/{order.tracking_token}/" in page


def test_checkout_page_queries_do_not_grow_with_lines_or_shops(town_a, django_assert_num_queries):
    shops = [shop_create(town_a, name=f"Boutique {n}") for n in range(3)]
    one = english_client(town_a)
    guest_cart_fill(one, [(variant_create(town_a, shops[0]), 1)])
    ten = english_client(town_a)
    guest_cart_fill(ten, [(variant_create(town_a, shops[n % 3]), 1) for n in range(10)])

    # Cart, lines (with their shops), photos, the shops' week and exceptional hours, which
    # shops take cards; each after its search_path.
    with django_assert_num_queries(12):
        one.get("/commande/")
    with django_assert_num_queries(12):
        ten.get("/commande/")


def test_placing_a_checkout_reads_the_shops_hours_once(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())

    with CaptureQueriesContext(connection) as queries:
        response = client_a.post(
            "/commande/",
            {**_contact(key), f"shop-{bakery.pk}-fulfilment": "reserve_pay_in_shop"},
        )

    assert response.status_code == 302
    hours_reads = [q["sql"] for q in queries if 'FROM "directory_openinghours"' in q["sql"]]
    assert len(hours_reads) == 1  # the page and the service share one CheckoutInfo
    with inside(town_a):
        assert Order.objects.filter(merchant=bakery).count() == 1


def test_the_confirmation_page_is_only_for_the_session_that_placed_it(
    client_a, client_b, town_a, bakery, bread
):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())
    client_a.post(
        "/commande/", {**_contact(key), f"shop-{bakery.pk}-fulfilment": "reserve_pay_in_shop"}
    )
    stranger = english_client(town_a)

    assert stranger.get("/commande/confirmation/")["Location"] == "/panier/"
    # Town B's session, sent to town A's host, is a stranger too.
    client_b.cookies = client_a.cookies
    assert client_b.get("/commande/confirmation/")["Location"] == "/panier/"


def test_town_a_checkout_key_replayed_on_town_b_creates_nothing_in_either(
    client_a, client_b, town_a, town_b, bakery, bread
):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())

    response = client_b.post(
        "/commande/", {**_contact(key), f"shop-{bakery.pk}-fulfilment": "reserve_pay_in_shop"}
    )

    assert response["Location"] == "/panier/"
    for town in (town_a, town_b):
        with inside(town):
            assert Order.objects.count() == 0


def test_another_shoppers_key_replayed_from_another_session_reveals_nothing(
    client_a, town_a, bakery, bread
):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())
    data = {**_contact(key), f"shop-{bakery.pk}-fulfilment": "reserve_pay_in_shop"}
    client_a.post("/commande/", data)
    with inside(town_a):
        victims = Order.objects.get()
    # An attacker with a cart of their own posts the victim's key.
    attacker = english_client(town_a)
    guest_cart_fill(attacker, [(bread, 1)])

    response = attacker.post("/commande/", {**data, "email": "attacker@example.org"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "This form has expired: please reload the page." in page
    assert "camille@example.org" not in page and victims.tracking_token not in page
    assert attacker.get("/commande/confirmation/")["Location"] == "/panier/"
    with inside(town_a):
        assert Checkout.objects.count() == 1 and Order.objects.count() == 1


def test_a_phone_that_is_not_a_number_is_refused_on_its_field_and_nothing_is_created(
    client_a, town_a, bakery, bread
):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())

    response = client_a.post(
        "/commande/",
        {
            **_contact(key),
            "phone": "abc",
            f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP,
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_phone_error"' in body
    assert "Enter a valid phone number, like 06 12 34 56 78" in body
    with inside(town_a):
        assert Checkout.objects.count() == 0
        assert Order.objects.count() == 0
        assert Variant.objects.get(pk=bread.pk).stock == 5


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("06 12 34 56 78", "+33612345678"), ("+44 20 7946 0958", "+442079460958")],
)
def test_a_french_or_international_phone_is_stored_in_e164_and_shown_as_dialled(
    client_a, town_a, bakery, bread, typed, stored
):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())

    response = client_a.post(
        "/commande/",
        {
            **_contact(key),
            "phone": typed,
            f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP,
        },
    )

    assert response.status_code == 302
    with inside(town_a):
        assert Checkout.objects.get().contact_phone == stored


def _offsite_in_place_of_pay_in_shop():
    """The form offers pay in shop only so far: the test provider takes its code."""
    return provider_registered(OffsiteProvider(code=PayInShopProvider.code))


def test_the_shopper_is_sent_where_the_payment_provider_says(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 2)])
    key = _key(client_a.get("/commande/").content.decode())

    with _offsite_in_place_of_pay_in_shop():
        response = client_a.post(
            "/commande/",
            {**_contact(key), f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP},
        )

    assert response.status_code == 302
    assert response["Location"] == CARD_URL
    with inside(town_a):
        order = Order.objects.get()
        assert (order.status, order.payment_status) == ("pending", "awaiting")
        assert Variant.objects.get(pk=bread.pk).stock == 5
        assert list(StockReservation.objects.values_list("variant_id", "quantity")) == [
            (bread.pk, 2)
        ]
    # Back from the provider's page, before its answer: the checkout says what it waits for.
    page = client_a.get("/commande/confirmation/").content.decode()
    assert "Your payment is awaited" in page
    assert order.checkout.reference in page
    assert "<dd>Awaiting payment</dd>" in page
    assert "Thank you, your order is placed" not in page


def test_the_confirmation_says_when_the_payment_did_not_go_through(client_a, town_a, bakery, bread):
    guest_cart_fill(client_a, [(bread, 1)])
    key = _key(client_a.get("/commande/").content.decode())
    with _offsite_in_place_of_pay_in_shop():
        client_a.post(
            "/commande/",
            {**_contact(key), f"shop-{bakery.pk}-fulfilment": Fulfilment.RESERVE_PAY_IN_SHOP},
        )
        with inside(town_a):
            checkout = Checkout.objects.get()
            checkout_payment_failed(reference=checkout.reference, payment_method="pay_in_shop")

    page = client_a.get("/commande/confirmation/").content.decode()

    assert "Your payment did not go through" in page
    assert "<dd>Payment failed</dd>" in page
    assert "A summary is on its way" not in page
    with inside(town_a):
        assert Variant.objects.get(pk=bread.pk).stock == 5
        assert not StockReservation.objects.exists()


def test_placing_a_checkout_costs_the_same_queries_for_one_line_or_ten_in_three_shops(town_a):
    shops = [shop_create(town_a, name=f"Boutique {n}", click_collect=False) for n in range(3)]
    counts = []
    for lines in (1, 10):
        client = english_client(town_a)
        guest_cart_fill(client, [(variant_create(town_a, shops[n % 3]), 1) for n in range(lines)])
        key = _key(client.get("/commande/").content.decode())
        data = {**_contact(key)}
        for shop in shops[:lines]:
            data[f"shop-{shop.pk}-fulfilment"] = Fulfilment.RESERVE_PAY_IN_SHOP

        with CaptureQueriesContext(connection) as queries:
            response = client.post("/commande/", data)

        assert response.status_code == 302, response.content.decode()
        counts.append(len(queries))

    # Each after its search_path: the session and the cart as the page reads it (which shops
    # take cards included); the checkout
    # inserted with its orders, lines and reservations in bulk; then, committed, the payment
    # settled in bulk too (orders locked, reservations sold, events written).
    assert counts == [80, 80]
