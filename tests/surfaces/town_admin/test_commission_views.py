"""The town's commission page in /gestion/: its administrator sets the town's rate and a
shop's own; nobody else reaches it, and a bad rate changes nothing."""

import pytest
from django.test import Client

from billing.models import ConnectAccount, TownCommission
from tests.billing.builders import connected
from tests.conftest import host_of, inside, signed_in, user_create
from tests.marketplace.backoffice.builders import shop_create

pytestmark = pytest.mark.django_db

URL = "/gestion/commission/"


@pytest.fixture
def admin_client_a(client_a, town_a, admin_a):
    return signed_in(client_a, town_a, admin_a.email)


def _rate(town) -> int | None:
    with inside(town):
        row = TownCommission.objects.filter(pk=1).first()
        return row.rate_bps if row else None


def test_the_administrator_sets_the_towns_rate_and_a_shops_own(admin_client_a, town_a, fake_stripe):
    shop = shop_create(town_a, name="Fleurs de Lys", owner="owner@alpha.test")
    account = connected(town_a, shop)

    page = admin_client_a.get(URL)
    assert page.status_code == 200
    assert "Fleurs de Lys" in page.content.decode()

    response = admin_client_a.post(URL, {"rate_bps": "850"})
    assert (response.status_code, response["Location"]) == (302, URL)
    response = admin_client_a.post(URL, {"merchant_id": shop.pk, "rate_bps": "300"})
    assert response.status_code == 302

    assert _rate(town_a) == 850
    with inside(town_a):
        assert ConnectAccount.objects.get(pk=account.pk).commission_bps == 300
    # Emptied, the shop goes back to the town's rate.
    admin_client_a.post(URL, {"merchant_id": shop.pk, "rate_bps": ""})
    with inside(town_a):
        assert ConnectAccount.objects.get(pk=account.pk).commission_bps is None


@pytest.mark.parametrize("rate", ["-1", "10001", "8,5", ""])
def test_a_bad_rate_is_refused_and_changes_nothing(admin_client_a, town_a, rate):
    admin_client_a.post(URL, {"rate_bps": "500"})

    response = admin_client_a.post(URL, {"rate_bps": rate})

    assert response.status_code == 400
    assert _rate(town_a) == 500


def test_only_this_towns_administrator_reaches_it(
    client_a, client_b, town_a, town_b, admin_b, fake_stripe
):
    merchant = user_create(town_a, "owner@alpha.test")
    signed_in(client_a, town_a, merchant.email)
    assert client_a.get(URL).status_code == 403
    assert client_a.post(URL, {"rate_bps": "9000"}).status_code == 403

    # Town B's administrator, signed in on B, is a stranger on A's host.
    signed_in(client_b, town_b, admin_b.email)
    assert client_b.get(URL).status_code == 200
    client_b.post(URL, {"rate_bps": "700"})
    # Its session cookie replayed on A's host names no session there: sent to sign in.
    stranger = Client(HTTP_HOST=host_of(town_a))
    stranger.cookies = client_b.cookies
    response = stranger.post(URL, {"rate_bps": "9000"})
    assert response.status_code == 302
    assert response["Location"].split("?")[0] != URL
    assert (_rate(town_a), _rate(town_b)) == (None, 700)
