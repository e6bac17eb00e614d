import pytest

from marketplace.shoppers.models import Address
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.orders.factories import (
    english_client,
    guest_cart_fill,
    shop_create,
    variant_create,
)

HOME = {
    "label": "Maison",
    "recipient": "Camille Martin",
    "street": "12 avenue du Lac",
    "postcode": "73100",
    "city": "Aix-les-Bains",
    "phone": "",
}


@pytest.fixture
def shopper(town_a):
    return user_create(town_a, "camille@alpha.test")


@pytest.fixture
def client(town_a, shopper):
    return signed_in(english_client(town_a), town_a, shopper.email)


def _addresses(town) -> list[tuple[str, str]]:
    with inside(town):
        return list(Address.objects.order_by("pk").values_list("label", "street"))


@pytest.mark.smoke
def test_addresses_need_signing_in(client_a):
    for path in ("/compte/adresses/", "/compte/adresses/nouvelle/"):
        assert client_a.get(path)["Location"].startswith("/compte/connexion/")


def test_create_edit_and_delete_an_address(town_a, client):
    assert client.post("/compte/adresses/nouvelle/", HOME)["Location"] == "/compte/adresses/"
    with inside(town_a):
        address = Address.objects.get()

    client.post(f"/compte/adresses/{address.pk}/modifier/", {**HOME, "street": "3 rue du Port"})
    page = client.get("/compte/adresses/").content.decode()
    assert "3 rue du Port" in page and _addresses(town_a) == [("Maison", "3 rue du Port")]

    client.post(f"/compte/adresses/{address.pk}/supprimer/")
    assert _addresses(town_a) == []


def test_an_incomplete_address_is_refused(town_a, client):
    response = client.post("/compte/adresses/nouvelle/", {**HOME, "city": ""})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert _addresses(town_a) == []


def test_someone_elses_address_is_a_404_and_stays(town_a, client):
    other = user_create(town_a, "other@alpha.test")
    with inside(town_a):
        address = Address.objects.create(user=other, **HOME)

    assert client.get(f"/compte/adresses/{address.pk}/modifier/").status_code == 404
    assert client.post(f"/compte/adresses/{address.pk}/modifier/", HOME).status_code == 404
    assert client.post(f"/compte/adresses/{address.pk}/supprimer/").status_code == 404
    assert "12 avenue du Lac" not in client.get("/compte/adresses/").content.decode()
    assert _addresses(town_a) == [("Maison", "12 avenue du Lac")]


def test_town_b_shopper_cannot_reach_town_a_addresses(town_a, town_b, shopper):
    with inside(town_a):
        address = Address.objects.create(user=shopper, **HOME)
    user_create(town_b, shopper.email)
    client_b = signed_in(english_client(town_b), town_b, shopper.email)

    assert client_b.get(f"/compte/adresses/{address.pk}/modifier/").status_code == 404
    assert client_b.post(f"/compte/adresses/{address.pk}/supprimer/").status_code == 404
    assert _addresses(town_a) == [("Maison", "12 avenue du Lac")]


def test_checkout_proposes_the_first_saved_address(town_a, client, shopper):
    with inside(town_a):
        Address.objects.create(user=shopper, **HOME)
    shop = shop_create(town_a, local_delivery=True)
    guest_cart_fill(client, [(variant_create(town_a, shop), 1)])

    body = client.get("/commande/").content.decode()

    assert 'value="12 avenue du Lac"' in body and 'value="73100"' in body


def test_addresses_page_queries_do_not_grow(town_a, django_assert_num_queries):
    clients = []
    for count, email in ((1, "one@alpha.test"), (8, "eight@alpha.test")):
        user = user_create(town_a, email)
        with inside(town_a):
            Address.objects.bulk_create(Address(user=user, **HOME) for _ in range(count))
        clients.append(signed_in(english_client(town_a), town_a, email))

    for client in clients:
        client.get("/compte/adresses/")
        # User, addresses, the header's cart count; each after its search_path.
        with django_assert_num_queries(6):
            client.get("/compte/adresses/")


def test_an_address_phone_is_checked_stored_in_e164_and_shown_as_dialled(town_a, client):
    refused = client.post("/compte/adresses/nouvelle/", {**HOME, "phone": "abc"})
    assert refused.status_code == 200
    assert "Enter a valid phone number" in refused.content.decode()
    assert _addresses(town_a) == []

    client.post("/compte/adresses/nouvelle/", {**HOME, "phone": "06 12 34 56 78"})

    with inside(town_a):
        assert Address.objects.get().phone == "+33612345678"
    assert "06 12 34 56 78" in client.get("/compte/adresses/").content.decode()
