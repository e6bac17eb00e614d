import pytest

from marketplace.directory.models import Merchant
from marketplace.shoppers.models import FavouriteMerchant, FavouriteProduct
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.orders.factories import english_client, shop_create, variant_create


@pytest.fixture
def shopper(town_a):
    return user_create(town_a, "camille@alpha.test")


@pytest.fixture
def client(town_a, shopper):
    return signed_in(english_client(town_a), town_a, shopper.email)


def _favourites(town) -> tuple[list[int], list[int]]:
    with inside(town):
        return (
            list(FavouriteMerchant.objects.values_list("merchant_id", flat=True)),
            list(FavouriteProduct.objects.values_list("product_id", flat=True)),
        )


@pytest.mark.smoke
def test_favourites_need_signing_in(client_a, town_a):
    shop = shop_create(town_a)

    assert client_a.get("/compte/favoris/")["Location"].startswith("/compte/connexion/")
    response = client_a.post(f"/compte/favoris/commerces/{shop.pk}/ajouter/")
    assert response["Location"].startswith("/compte/connexion/")
    assert _favourites(town_a) == ([], [])


def test_adding_and_removing_favourite_shops_and_products(town_a, client):
    shop = shop_create(town_a, name="Fromagerie Bouvier")
    variant = variant_create(town_a, shop, title="Reblochon fermier", price_cents=990)
    product_id = variant.product_id

    client.post(f"/compte/favoris/commerces/{shop.pk}/ajouter/")
    client.post(f"/compte/favoris/commerces/{shop.pk}/ajouter/")
    response = client.post(
        f"/compte/favoris/produits/{product_id}/ajouter/", {"next": "/produits/reblochon/"}
    )

    assert response["Location"] == "/produits/reblochon/"
    assert _favourites(town_a) == ([shop.pk], [product_id])
    page = client.get("/compte/favoris/").content.decode()
    assert "Fromagerie Bouvier" in page and "Reblochon fermier" in page and "9,90\u00a0€" in page

    client.post(f"/compte/favoris/commerces/{shop.pk}/retirer/")
    client.post(f"/compte/favoris/produits/{product_id}/retirer/")
    assert _favourites(town_a) == ([], [])


def test_only_what_the_public_sees_can_be_a_favourite(town_a, client):
    pending = shop_create(town_a, status=Merchant.Status.PENDING)
    hidden = variant_create(town_a, shop_create(town_a), is_published=False)

    refused = client.post(f"/compte/favoris/commerces/{pending.pk}/ajouter/", follow=True)
    client.post(f"/compte/favoris/produits/{hidden.product_id}/ajouter/")

    assert "This shop is not on the portal." in refused.content.decode()
    assert _favourites(town_a) == ([], [])


def test_favourites_page_queries_do_not_grow(town_a, django_assert_num_queries):
    clients = []
    for count, email in ((1, "one@alpha.test"), (6, "six@alpha.test")):
        user = user_create(town_a, email)
        for n in range(count):
            shop = shop_create(town_a, name=f"Boutique {n}")
            variant = variant_create(town_a, shop)
            with inside(town_a):
                FavouriteMerchant.objects.create(user=user, merchant=shop)
                FavouriteProduct.objects.create(user=user, product_id=variant.product_id)
        clients.append(signed_in(english_client(town_a), town_a, email))

    for client in clients:
        client.get("/compte/favoris/")
        # User, shops, products with their shop and price, their photos, the header's
        # cart count; each after its search_path.
        with django_assert_num_queries(10):
            client.get("/compte/favoris/")


def test_town_b_shopper_cannot_favourite_town_a_shops(town_a, town_b):
    shop_a = shop_create(town_a)
    user_create(town_b, "bruno@beta.test")
    client_b = signed_in(english_client(town_b), town_b, "bruno@beta.test")

    response = client_b.post(f"/compte/favoris/commerces/{shop_a.pk}/ajouter/", follow=True)

    assert "This shop is not on the portal." in response.content.decode()
    assert _favourites(town_a) == ([], [])
    assert _favourites(town_b) == ([], [])
