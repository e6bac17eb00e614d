import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.orders.models import Cart, CartLine
from tests.conftest import TEST_PASSWORD, host_of, inside, signed_in, user_create
from tests.marketplace.orders.factories import (
    english_client,
    guest_cart_fill,
    shop_create,
    variant_create,
)


def _lines(town) -> list[tuple[int, int]]:
    with inside(town):
        return list(CartLine.objects.order_by("pk").values_list("variant_id", "quantity"))


@pytest.mark.smoke
def test_an_empty_cart_page(client_a):
    response = client_a.get("/panier/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Your cart is empty." in body
    assert '<span class="cart-count" id="cart-count">0</span>' in body


@pytest.mark.smoke
def test_adding_without_javascript_redirects_with_a_message_and_fills_the_header(client_a, town_a):
    variant = variant_create(town_a, shop_create(town_a), title="Tomme de Savoie", price_cents=890)

    response = client_a.post("/panier/ajouter/", {"variant_id": variant.pk, "quantity": 2})

    assert response.status_code == 302
    assert response["Location"] == "/panier/"
    page = client_a.get("/panier/").content.decode()
    assert "Added to your cart (2 in it)." in page
    assert "Tomme de Savoie" in page
    assert "17,80\u00a0€" in page
    assert '<span class="cart-count" id="cart-count">2</span>' in page
    assert _lines(town_a) == [(variant.pk, 2)]


def test_adding_goes_back_to_a_safe_next_page_only(client_a, town_a):
    variant = variant_create(town_a, shop_create(town_a))

    back = client_a.post("/panier/ajouter/", {"variant_id": variant.pk, "next": "/produits/savon/"})
    away = client_a.post(
        "/panier/ajouter/", {"variant_id": variant.pk, "next": "https://evil.example/"}
    )

    assert back["Location"] == "/produits/savon/"
    assert away["Location"] == "/panier/"
    assert _lines(town_a) == [(variant.pk, 2)]


def test_adding_with_htmx_answers_a_fragment_and_the_new_count(client_a, town_a):
    variant = variant_create(town_a, shop_create(town_a))

    response = client_a.post(
        "/panier/ajouter/", {"variant_id": variant.pk, "quantity": 3}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Added to your cart (3 in it)." in body
    assert '<span class="cart-count" id="cart-count" hx-swap-oob="true">3</span>' in body
    assert "<html" not in body


def test_a_refused_add_says_why_and_changes_nothing(client_a, town_a):
    variant = variant_create(town_a, shop_create(town_a), sold_in_shop_only=True)

    response = client_a.post("/panier/ajouter/", {"variant_id": variant.pk}, HTTP_HX_REQUEST="true")
    plain = client_a.post("/panier/ajouter/", {"variant_id": "abc"}, follow=True)

    assert "This product is sold in the shop only." in response.content.decode()
    assert '<span class="cart-count" id="cart-count" hx-swap-oob="true">0</span>' in (
        response.content.decode()
    )
    assert "Choose a product and a quantity between 1 and 99." in plain.content.decode()
    assert _lines(town_a) == []
    with inside(town_a):
        assert Cart.objects.count() <= 1


def test_update_and_remove_forms(client_a, town_a):
    shop = shop_create(town_a)
    soap, honey = (
        variant_create(town_a, shop, title="Savon"),
        variant_create(town_a, shop, title="Miel"),
    )
    guest_cart_fill(client_a, [(soap, 1), (honey, 1)])

    client_a.post("/panier/modifier/", {"variant_id": soap.pk, "quantity": 4})
    client_a.post("/panier/retirer/", {"variant_id": honey.pk})
    refused = client_a.post(
        "/panier/modifier/", {"variant_id": soap.pk, "quantity": 11}, follow=True
    )

    assert "Only 10 left in stock." in refused.content.decode()
    assert _lines(town_a) == [(soap.pk, 4)]


def test_the_cart_page_groups_by_shop_and_flags_what_cannot_be_ordered(client_a, town_a):
    bakery, florist = shop_create(town_a, name="Boulangerie"), shop_create(town_a, name="Fleurs")
    bread = variant_create(town_a, bakery, title="Pain", price_cents=120, stock=3)
    roses = variant_create(town_a, florist, title="Roses", price_cents=1990)
    guest_cart_fill(client_a, [(bread, 3), (roses, 1)])
    with inside(town_a):
        type(bread).objects.filter(pk=bread.pk).update(stock=1)

    body = client_a.get("/panier/").content.decode()

    assert body.index("Boulangerie") < body.index("Fleurs")
    assert "3,60\u00a0€" in body and "19,90\u00a0€" in body and "23,50\u00a0€" in body
    assert "Only 1 left in stock." in body
    assert 'href="/commande/"' not in body


def test_cart_page_queries_do_not_grow_with_lines_or_shops(town_a, django_assert_num_queries):
    shops = [shop_create(town_a, name=f"Boutique {n}") for n in range(3)]
    one = english_client(town_a)
    guest_cart_fill(one, [(variant_create(town_a, shops[0]), 1)])
    ten = english_client(town_a)
    guest_cart_fill(ten, [(variant_create(town_a, shops[n % 3]), 1) for n in range(10)])

    # Cart, its lines with products and shops, their photos; each after its
    # search_path.
    with django_assert_num_queries(6):
        one.get("/panier/")
    with django_assert_num_queries(6):
        ten.get("/panier/")


def test_cart_page_queries_for_a_signed_in_shopper(town_a, django_assert_num_queries):
    shop = shop_create(town_a)
    user_create(town_a, "camille@alpha.test")
    client = signed_in(english_client(town_a), town_a, "camille@alpha.test")
    guest_cart_fill(client, [(variant_create(town_a, shop), 1) for _ in range(4)])

    # User, cart, lines, photos; each after its search_path.
    with django_assert_num_queries(8):
        client.get("/panier/")


def test_the_guest_cart_is_merged_at_sign_in(client_a, town_a):
    shop = shop_create(town_a)
    soap, honey = variant_create(town_a, shop), variant_create(town_a, shop)
    user = user_create(town_a, "camille@alpha.test")
    with inside(town_a):
        own = Cart.objects.create(user=user)
        CartLine.objects.create(cart=own, variant=honey, quantity=1)
    guest_cart_fill(client_a, [(soap, 2), (honey, 1)])

    response = client_a.post(
        "/compte/connexion/", {"username": "camille@alpha.test", "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    with inside(town_a):
        assert sorted(
            CartLine.objects.filter(cart__user=user).values_list("variant_id", "quantity")
        ) == sorted([(soap.pk, 2), (honey.pk, 2)])
        assert Cart.objects.count() == 1
    assert (
        '<span class="cart-count" id="cart-count">4</span>'
        in client_a.get("/panier/").content.decode()
    )


def test_town_b_session_is_anonymous_on_town_a_and_sees_no_cart(client_a, client_b, town_a, town_b):
    variant_b = variant_create(town_b, shop_create(town_b, name="Bazar de Beta"), title="Parapluie")
    guest_cart_fill(client_b, [(variant_b, 2)])
    user_create(town_b, "bruno@beta.test")
    signed_in(client_b, town_b, "bruno@beta.test")

    # Town B's cookies, sent to town A's host.
    client_b.defaults["HTTP_HOST"] = host_of(town_a)
    body = client_b.get("/panier/").content.decode()

    assert "Your cart is empty." in body and "Parapluie" not in body
    assert "Sign out" not in body
    assert _lines(town_a) == []


def test_town_b_cannot_put_town_a_variants_in_its_cart(client_b, town_a, town_b):
    variant_a = variant_create(town_a, shop_create(town_a), stock=10)

    response = client_b.post("/panier/ajouter/", {"variant_id": variant_a.pk}, follow=True)

    assert "This product is no longer available." in response.content.decode()
    assert _lines(town_b) == []
    assert _lines(town_a) == []


@pytest.mark.parametrize("path", ["/panier/modifier/", "/panier/retirer/"])
def test_changing_another_towns_cart_line_through_the_forms_changes_nothing(client_b, town_a, path):
    variant_a = variant_create(town_a, shop_create(town_a))
    client_a = english_client(town_a)
    guest_cart_fill(client_a, [(variant_a, 1)])

    client_b.post(path, {"variant_id": variant_a.pk, "quantity": 5})

    assert _lines(town_a) == [(variant_a.pk, 1)]


def test_the_header_count_costs_one_query_on_other_pages(client_a, town_a):
    guest_cart_fill(client_a, [(variant_create(town_a, shop_create(town_a)), 3)])

    with CaptureQueriesContext(connection) as queries:
        body = client_a.get("/mentions-legales/").content.decode()

    assert '<span class="cart-count" id="cart-count">3</span>' in body
    assert [q["sql"] for q in queries if "orders_cart" in q["sql"]] == [
        next(q["sql"] for q in queries if "SUM" in q["sql"])
    ]


def test_the_root_host_has_no_cart(root_client):
    response = root_client.get("/")

    assert response.status_code == 200
    assert "cart_count" not in response.context
