"""Card payments in the back office: the owner connects the shop's Stripe account (Express)
against the offline fake, and every member reads where it stands, in words."""

import http.client
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from billing.models import ConnectAccount
from billing.selectors import merchant_can_take_card_payments
from billing.shared.models import ConnectAccountTown
from tests.billing.builders import deliver
from tests.conftest import host_of, inside, signed_in


def fake_page(url: str, *, submit: str | None = None) -> http.client.HTTPResponse:
    """Open (or submit, as the person on Stripe's page would) the fake's onboarding page."""
    parts = urlsplit(url)
    assert parts.hostname
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    if submit is None:
        connection.request("GET", parts.path)
    else:
        connection.request(
            "POST",
            parts.path,
            body=urlencode({"action": submit}),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    answer = connection.getresponse()
    answer.read()
    return answer


def onboarding(client: Client, *, submit: str) -> str:
    """Start on the back office, fill in Stripe's page; where Stripe sends the person back."""
    started = client.post("/boutique/paiements/stripe/")
    assert started.status_code == 302
    link = started["Location"]
    assert fake_page(link).status == 200
    back = fake_page(link, submit=submit)
    assert back.status == 303
    location = back.getheader("Location")
    assert location
    return location


def test_the_owner_connects_the_shop_end_to_end(
    english, owner_client, root_client, fake_stripe, town_a, shop_a,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    before = owner_client.get("/boutique/paiements/")
    assert "Card payments are not set up." in before.content.decode()
    assert not merchant_can_take_card_payments(merchant_id=shop_a.pk)

    back = onboarding(owner_client, submit="complete")

    parts = urlsplit(back)
    assert parts.netloc == host_of(town_a)
    assert (parts.path, parts.query) == (
        "/boutique/paiements/stripe/retour/",
        f"boutique={shop_a.slug}",
    )
    returned = owner_client.get(f"{parts.path}?{parts.query}")
    page = returned.content.decode()
    assert returned.status_code == 200
    assert "Your shop takes card payments, and Stripe pays them into your bank account." in page
    assert "Card payments: open" in page
    with inside(town_a):
        account = ConnectAccount.objects.get(merchant=shop_a)
        assert merchant_can_take_card_payments(merchant_id=shop_a.pk)
    assert (
        ConnectAccountTown.objects.get(stripe_account_id=account.stripe_account_id).town == town_a
    )
    # Stripe's webhook for the same change arrives afterwards: nothing changes.
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(root_client, fake_stripe.deliveries[-1]) == 200
    dashboard = owner_client.get("/boutique/").content.decode()
    assert (
        "Your shop takes card payments, and Stripe pays them into your bank account." in dashboard
    )


def test_stopping_early_says_what_stripe_still_needs_and_by_when(
    english, owner_client, fake_stripe, town_a, shop_a
):
    back = onboarding(owner_client, submit="partial")

    page = owner_client.get(urlsplit(back).path).content.decode()

    assert "Stripe is checking your details: card payments open once it has verified them." in page
    assert "the bank account payouts go to (IBAN)" in page
    assert "an identity document of the legal representative" in page
    assert "To send before:" in page
    assert "Continue on Stripe" in page
    with inside(town_a):
        assert not merchant_can_take_card_payments(merchant_id=shop_a.pk)


def test_the_state_reads_in_french(owner_client, fake_stripe, shop_a):
    back = onboarding(owner_client, submit="partial")

    page = owner_client.get(urlsplit(back).path).content.decode()

    assert "Paiements par carte" in page
    assert "le compte bancaire où Stripe verse vos paiements (IBAN)" in page


def test_a_used_link_leads_to_the_refresh_page_which_makes_a_new_one(
    owner_client, fake_stripe, shop_a
):
    link = owner_client.post("/boutique/paiements/stripe/")["Location"]
    fake_page(link, submit="partial")

    again = fake_page(link)
    refresh = urlsplit(again.getheader("Location"))
    renewed = owner_client.get(f"{refresh.path}?{refresh.query}")

    assert again.status == 302
    assert refresh.path == "/boutique/paiements/stripe/nouveau-lien/"
    assert renewed.status_code == 302
    assert renewed["Location"] != link
    assert fake_page(renewed["Location"]).status == 200
    assert len(fake_stripe.accounts) == 1


def test_two_clicks_make_one_account(owner_client, fake_stripe, town_a, shop_a):
    owner_client.post("/boutique/paiements/stripe/")
    owner_client.post("/boutique/paiements/stripe/")

    assert len(fake_stripe.accounts) == 1
    with inside(town_a):
        assert ConnectAccount.objects.filter(merchant=shop_a).count() == 1


def test_staff_read_the_state_but_cannot_connect(english, staff_client, fake_stripe, town_a):
    page = staff_client.get("/boutique/paiements/").content.decode()

    assert "The shop's owner connects the shop to Stripe." in page
    assert staff_client.post("/boutique/paiements/stripe/").status_code == 403
    assert staff_client.get("/boutique/paiements/stripe/nouveau-lien/").status_code == 403
    assert fake_stripe.accounts == {}
    with inside(town_a):
        assert not ConnectAccount.objects.exists()


def test_a_shop_that_does_not_sell_online_cannot_connect(
    english, owner_client, fake_stripe, town_a, shop_a
):
    with inside(town_a):
        type(shop_a).objects.filter(pk=shop_a.pk).update(sells_online=False)

    response = owner_client.post("/boutique/paiements/stripe/", follow=True)

    assert "Only the owner of a shop that sells online can connect a Stripe account." in (
        response.content.decode()
    )
    assert fake_stripe.accounts == {}
    with inside(town_a):
        assert not ConnectAccount.objects.exists()


def test_stripe_unreachable_is_said_and_changes_nothing(english, owner_client, settings, town_a):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    response = owner_client.post("/boutique/paiements/stripe/", follow=True)

    assert "Stripe could not be reached." in response.content.decode()
    with inside(town_a):
        assert not ConnectAccount.objects.exists()
    assert not ConnectAccountTown.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/boutique/paiements/"),
        ("post", "/boutique/paiements/stripe/"),
        ("get", "/boutique/paiements/stripe/retour/"),
        ("get", "/boutique/paiements/stripe/nouveau-lien/"),
    ],
)
def test_a_merchant_of_town_b_cannot_reach_town_as_payment_pages(
    town_a, town_b, shop_a, shop_b, fake_stripe, method, path
):
    client = signed_in(Client(HTTP_HOST=host_of(town_b)), town_b, "owner@beta.test")
    assert client.get("/boutique/paiements/").status_code == 200

    client.defaults["HTTP_HOST"] = host_of(town_a)
    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/")
    assert fake_stripe.accounts == {}
    with inside(town_a):
        assert not ConnectAccount.objects.exists()


@pytest.mark.parametrize("connected", [False, True])
def test_the_payments_page_costs_the_same_queries(
    owner_client, fake_stripe, shop_a, connected, django_assert_num_queries
):
    if connected:
        onboarding(owner_client, submit="partial")
    owner_client.get("/boutique/paiements/")

    # 16: the state, and the shop's card payments, payouts and statement months (counted in
    # tests/billing/test_payouts.py whatever their number).
    with django_assert_num_queries(16):
        owner_client.get("/boutique/paiements/")
