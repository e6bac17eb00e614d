import pytest
from django.test import Client

from marketplace.orders.models import Order
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.orders.factories import (
    english_client,
    order_place,
    shop_create,
    variant_create,
)


@pytest.fixture
def shopper(town_a):
    return user_create(town_a, "camille@alpha.test", full_name="Camille Martin")


@pytest.fixture
def client(town_a, shopper) -> Client:
    return signed_in(english_client(town_a), town_a, shopper.email)


@pytest.fixture
def shop(town_a):
    return shop_create(town_a, name="Épicerie du Lac")


def _orders_for(town, shop, customer, count: int) -> list[Order]:
    variant = variant_create(town, shop, stock=1000, title="Café de Savoie")
    placed = [order_place(town, [(variant, 1)], customer=customer) for _ in range(count)]
    with inside(town):
        return [checkout.orders.get() for checkout in placed]


@pytest.mark.smoke
def test_the_account_needs_signing_in(client_a):
    for path in ("/compte/", "/compte/commandes/CMD-AAAA-AAAA/"):
        response = client_a.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/compte/connexion/?next=")


def test_the_dashboard_lists_my_orders_only_newest_first(town_a, client, shopper, shop):
    mine = _orders_for(town_a, shop, shopper, 2)
    someone_else = _orders_for(town_a, shop, user_create(town_a, "other@alpha.test"), 1)
    guest = _orders_for(town_a, shop, None, 1)

    body = client.get("/compte/").content.decode()

    assert body.index(mine[1].reference) < body.index(mine[0].reference)
    assert someone_else[0].reference not in body and guest[0].reference not in body
    assert "Épicerie du Lac" in body


def test_the_dashboard_is_paginated(town_a, client, shopper, shop):
    orders = _orders_for(town_a, shop, shopper, 12)

    first = client.get("/compte/").content.decode()
    second = client.get("/compte/?page=2").content.decode()

    assert orders[-1].reference in first and orders[0].reference not in first
    assert orders[0].reference in second and "Page 2 of 2" in second


def test_dashboard_queries_do_not_grow_with_orders(town_a, shop, django_assert_num_queries):
    clients = []
    for count, email in ((1, "one@alpha.test"), (20, "twenty@alpha.test")):
        user = user_create(town_a, email)
        _orders_for(town_a, shop, user, count)
        clients.append(signed_in(english_client(town_a), town_a, email))

    for client in clients:
        client.get("/compte/")
        # User, the count for the pages, the page of orders with shops and item
        # numbers, the header's cart count; each after its search_path.
        with django_assert_num_queries(8):
            client.get("/compte/")


def test_order_detail_shows_my_order_and_its_history(town_a, client, shopper, shop):
    [order] = _orders_for(town_a, shop, shopper, 1)

    body = client.get(f"/compte/commandes/{order.reference}/").content.decode()

    assert order.reference in body and "Café de Savoie" in body
    assert "Placed" in body and "Cancel my order" in body


def test_someone_elses_order_is_a_404(town_a, client, shop):
    [order] = _orders_for(town_a, shop, user_create(town_a, "other@alpha.test"), 1)

    assert client.get(f"/compte/commandes/{order.reference}/").status_code == 404
    assert client.post(f"/compte/commandes/{order.reference}/annuler/").status_code == 404
    with inside(town_a):
        assert Order.objects.get(pk=order.pk).status == Order.Status.PLACED


def test_cancelling_my_placed_order_from_the_account(town_a, client, shopper, shop):
    [order] = _orders_for(town_a, shop, shopper, 1)

    response = client.post(
        f"/compte/commandes/{order.reference}/annuler/", {"reason": "Doublon"}, follow=True
    )

    assert "Your order is cancelled." in response.content.decode()
    with inside(town_a):
        order.refresh_from_db()
        assert (order.status, order.status_reason) == (Order.Status.CANCELLED, "Doublon")


def test_town_b_shopper_cannot_see_town_a_orders(town_a, town_b, shopper, shop):
    [order] = _orders_for(town_a, shop, shopper, 1)
    user_create(town_b, shopper.email)
    client_b = signed_in(english_client(town_b), town_b, shopper.email)

    assert order.reference not in client_b.get("/compte/").content.decode()
    assert client_b.get(f"/compte/commandes/{order.reference}/").status_code == 404
    assert client_b.post(f"/compte/commandes/{order.reference}/annuler/").status_code == 404
    with inside(town_a):
        assert Order.objects.get(pk=order.pk).status == Order.Status.PLACED
