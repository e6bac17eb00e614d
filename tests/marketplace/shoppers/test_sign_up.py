import pytest

from comptoir.accounts.models import User
from marketplace.orders.models import Cart, CartLine
from marketplace.shoppers.errors import SignUpRefused
from marketplace.shoppers.services import shopper_sign_up
from tests.conftest import inside, signed_in, user_create
from tests.marketplace.orders.factories import guest_cart_fill, shop_create, variant_create

GOOD = {
    "full_name": "Camille Martin",
    "email": "Camille@Example.org",
    "password": "une-tartiflette-au-lac",
    "password_again": "une-tartiflette-au-lac",
}


def _emails(town) -> list[str]:
    with inside(town):
        # The town's administrator, made at provisioning, is not a shopper.
        return list(
            User.objects.exclude(is_town_admin=True).order_by("pk").values_list("email", flat=True)
        )


@pytest.mark.smoke
def test_the_sign_up_page(client_a):
    response = client_a.get("/compte/inscription/")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="email"' in body and 'autocomplete="new-password"' in body


def test_signing_up_creates_the_account_signs_in_and_keeps_the_cart(client_a, town_a):
    variant = variant_create(town_a, shop_create(town_a))
    guest_cart_fill(client_a, [(variant, 2)])

    response = client_a.post("/compte/inscription/", GOOD)

    assert response.status_code == 302 and response["Location"] == "/compte/"
    with inside(town_a):
        user = User.objects.get(email="camille@example.org")
        assert user.full_name == "Camille Martin"
        assert user.check_password("une-tartiflette-au-lac")
        assert list(
            CartLine.objects.filter(cart__user=user).values_list("quantity", flat=True)
        ) == [2]
        assert Cart.objects.count() == 1
    assert "My account" in client_a.get("/compte/").content.decode()


def test_signing_up_goes_to_a_safe_next_page(client_a):
    response = client_a.post("/compte/inscription/?next=/commande/", {**GOOD, "next": "/commande/"})

    assert response["Location"] == "/commande/"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password_again": "autre-chose-encore"}, "The two passwords differ."),
        ({"password": "1234", "password_again": "1234"}, "This password is too short."),
        ({"email": "pas-un-email"}, "Enter a valid email address."),
    ],
)
def test_bad_sign_ups_are_refused_and_create_nothing(client_a, town_a, changes, message):
    response = client_a.post("/compte/inscription/", {**GOOD, **changes})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _emails(town_a) == []


def test_an_e_mail_already_used_in_this_town_is_refused(client_a, town_a):
    user_create(town_a, "camille@example.org")

    response = client_a.post("/compte/inscription/", GOOD)

    assert "An account already exists with this e-mail" in response.content.decode()
    assert _emails(town_a) == ["camille@example.org"]
    with inside(town_a), pytest.raises(SignUpRefused):
        shopper_sign_up(email="CAMILLE@example.org", password="x-y-z-w-1")


def test_the_same_e_mail_in_another_town_is_another_account(client_a, town_a, town_b):
    user_create(town_b, "camille@example.org")

    client_a.post("/compte/inscription/", GOOD)

    assert _emails(town_a) == ["camille@example.org"]
    assert _emails(town_b) == ["camille@example.org"]


def test_a_signed_in_shopper_is_sent_to_the_account(client_a, town_a):
    user_create(town_a, "camille@alpha.test")
    signed_in(client_a, town_a, "camille@alpha.test")

    assert client_a.get("/compte/inscription/")["Location"] == "/compte/"
