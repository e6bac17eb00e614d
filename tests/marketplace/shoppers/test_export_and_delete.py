import json

import pytest

from comptoir.accounts.models import User
from marketplace.orders.models import Cart, Checkout, Order, OrderLine
from marketplace.orders.services.transitions import (
    order_accept,
    order_mark_collected,
    order_mark_ready,
)
from marketplace.shoppers.models import Address, FavouriteMerchant
from tests.conftest import TEST_PASSWORD, inside, signed_in, user_create
from tests.marketplace.orders.factories import (
    CARD,
    OffsiteProvider,
    cart_create,
    english_client,
    member_add,
    order_place,
    provider_registered,
    shop_create,
    variant_create,
)


@pytest.fixture
def shopper(town_a):
    return user_create(town_a, "camille@alpha.test", full_name="Camille Martin")


@pytest.fixture
def client(town_a, shopper):
    return signed_in(english_client(town_a), town_a, shopper.email)


@pytest.fixture
def shop(town_a):
    return shop_create(town_a, name="Épicerie du Lac")


def _collected_order(town, shop, customer) -> Order:
    member = member_add(town, shop, "owner@alpha.test")
    variant = variant_create(town, shop, title="Miel de montagne", price_cents=1100)
    checkout = order_place(town, [(variant, 2)], customer=customer)
    with inside(town):
        order = checkout.orders.get()
        for move in (order_accept, order_mark_ready, order_mark_collected):
            move(order_id=order.pk, actor=member)
        return order


@pytest.mark.smoke
def test_export_and_delete_need_signing_in(client_a):
    for path in ("/compte/export/", "/compte/supprimer/"):
        assert client_a.get(path)["Location"].startswith("/compte/connexion/")


def test_the_export_is_a_json_download_of_my_data_only(town_a, client, shopper, shop):
    order = _collected_order(town_a, shop, shopper)
    other = user_create(town_a, "other@alpha.test")
    with inside(town_a):
        Address.objects.create(
            user=shopper,
            label="Maison",
            recipient="Camille",
            street="12 avenue du Lac",
            postcode="73100",
            city="Aix-les-Bains",
        )
        Address.objects.create(
            user=other, label="Autre", recipient="X", street="1 rue", postcode="1", city="Y"
        )
        FavouriteMerchant.objects.create(user=shopper, merchant=shop)

    response = client.get("/compte/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-alpha-')
    data = json.loads(response.content)
    assert data["town"] == "Alpha-sur-Mer"
    assert data["profile"]["email"] == "camille@alpha.test"
    assert [a["street"] for a in data["addresses"]] == ["12 avenue du Lac"]
    assert [f["name"] for f in data["favourite_merchants"]] == ["Épicerie du Lac"]
    assert data["favourite_products"] == []
    [exported] = data["orders"]
    assert (exported["reference"], exported["status"], exported["total_cents"]) == (
        order.reference,
        "collected",
        2200,
    )
    assert exported["lines"] == [
        {
            "product": "Miel de montagne",
            "variant": "",
            "sku": exported["lines"][0]["sku"],
            "unit_price_cents": 1100,
            "vat_rate_basis_points": 2000,
            "quantity": 2,
        }
    ]


def test_export_queries_do_not_grow_with_orders(town_a, shop, django_assert_num_queries):
    variant = variant_create(town_a, shop, stock=100)
    clients = []
    for count, email in ((1, "one@alpha.test"), (5, "five@alpha.test")):
        user = user_create(town_a, email)
        for _ in range(count):
            order_place(town_a, [(variant, 1)], customer=user)
        clients.append(signed_in(english_client(town_a), town_a, email))

    for client in clients:
        client.get("/compte/export/")
        # User, addresses, both favourites, orders, their lines; each after its
        # search_path.
        with django_assert_num_queries(12):
            client.get("/compte/export/")


def test_deleting_the_account_keeps_the_orders_anonymised(town_a, client, shopper, shop):
    order = _collected_order(town_a, shop, shopper)
    cart_create(town_a, [], user=shopper)

    page = client.get("/compte/supprimer/")
    response = client.post("/compte/supprimer/", {"password": TEST_PASSWORD})

    assert page.status_code == 200
    assert response["Location"] == "/"
    with inside(town_a):
        assert not User.objects.filter(email="camille@alpha.test").exists()
        order.refresh_from_db()
        assert (order.customer_id, order.delivery_address, order.note) == (None, "", "")
        assert order.status == Order.Status.COLLECTED and order.total_cents == 2200
        checkout = Checkout.objects.get(pk=order.checkout_id)
        assert (checkout.customer_id, checkout.contact_name, checkout.contact_email) == (
            None,
            "",
            "",
        )
        assert checkout.contact_phone == ""
        assert list(
            OrderLine.objects.filter(order=order).values_list("product_title", flat=True)
        ) == ["Miel de montagne"]
        assert Cart.objects.filter(user__isnull=False).count() == 0
    assert client.get("/compte/")["Location"].startswith("/compte/connexion/")


@pytest.mark.parametrize(
    ("setup", "password", "message"),
    [
        (None, "wrong-password", "This is not your password."),
        ("order_in_progress", TEST_PASSWORD, "You have orders in progress"),
        ("order_awaiting_payment", TEST_PASSWORD, "You have orders in progress"),
        ("runs_a_shop", TEST_PASSWORD, "This account runs a shop on the portal"),
    ],
)
def test_deleting_is_refused_and_changes_nothing(
    town_a, client, shopper, shop, setup, password, message
):
    if setup == "order_in_progress":
        order_place(town_a, [(variant_create(town_a, shop), 1)], customer=shopper)
    elif setup == "order_awaiting_payment":
        with provider_registered(OffsiteProvider()):
            order_place(town_a, [(variant_create(town_a, shop), 1)], customer=shopper, choice=CARD)
    elif setup == "runs_a_shop":
        with inside(town_a):
            shop.members.create(user=shopper)

    response = client.post("/compte/supprimer/", {"password": password})

    assert response.status_code == 200
    assert message in response.content.decode()
    with inside(town_a):
        assert User.objects.filter(pk=shopper.pk).exists()
        assert Checkout.objects.filter(contact_name="").count() == 0


def test_a_town_administrator_cannot_delete_their_account_here(town_a, admin_a):
    client = signed_in(english_client(town_a), town_a, admin_a.email)

    response = client.post("/compte/supprimer/", {"password": TEST_PASSWORD})

    assert "This account administers the town" in response.content.decode()
    with inside(town_a):
        assert User.objects.filter(pk=admin_a.pk).exists()


def test_town_b_session_cannot_export_or_delete_on_town_a(town_a, town_b, shopper):
    user_create(town_b, shopper.email)
    client_b = signed_in(english_client(town_b), town_b, shopper.email)
    client_b.defaults["HTTP_HOST"] = town_a.primary_domain_name

    assert client_b.get("/compte/export/")["Location"].startswith("/compte/connexion/")
    assert client_b.post("/compte/supprimer/", {"password": TEST_PASSWORD})["Location"].startswith(
        "/compte/connexion/"
    )
    with inside(town_a):
        assert User.objects.filter(pk=shopper.pk).exists()
