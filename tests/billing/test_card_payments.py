"""A multi-shop cart paid by card, "separate charges and transfers": the checkout offers card
payment for shops that can take it, one Stripe Checkout session pays every card-paid order, and
Stripe's webhooks settle the orders once, in the checkout's town only; a success after the hold
ran out is refunded."""

import re
import urllib.parse
import urllib.request
from datetime import timedelta
from fractions import Fraction
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from billing.errors import CommissionInvalid
from billing.models import CardPayment, ConnectAccount, TownCommission, Transfer
from billing.services import transfers
from billing.services.events import stripe_event_process
from billing.services.transfers import commission_share
from billing.shared.models import CardPaymentTown, StripeEvent
from billing.tasks import card_payment_transfers
from marketplace.directory.models import Merchant
from marketplace.orders.errors import CheckoutInvalid
from marketplace.orders.models import Checkout, Order
from marketplace.orders.services.checkout import FulfilmentChoice
from marketplace.orders.services.checkout_payment import checkouts_expired_release
from tests.billing.builders import connected, deliver, signed
from tests.conftest import inside
from tests.fakes.stripe_server import FakeStripe
from tests.marketplace.orders.factories import (
    guest_cart_fill,
    order_place,
    shop_create,
    variant_create,
)

Fulfilment = Order.Fulfilment


def card_shop(town, fake: FakeStripe, root: Client, capture, *, name: str):
    """A shop whose Connect account Stripe has opened to charges, as its webhook told."""
    shop = shop_create(town, name=name)
    account = connected(town, shop)
    fake.account_update(account.stripe_account_id, due=[], deadline=None, enabled=True)
    with capture(execute=True):
        assert deliver(root, fake.deliveries[-1]) == 200
    return shop, account


def _key(body: str) -> str:
    found = re.search(r'name="idempotency_key" value="([^"]+)"', body)
    assert found is not None, "no idempotency key on the page"
    return found.group(1)


def checkout_by_card(client: Client, shops, *, pay_by_card=None) -> str:
    """Post the checkout form, each shop reserved to pay in shop and paid by card (or as
    `pay_by_card` says per shop); where the shopper is sent."""
    body = client.get("/commande/").content.decode()
    key = _key(body)
    data = {"name": "Camille Martin", "email": "camille@example.org", "idempotency_key": key}
    for shop in shops:
        data[f"shop-{shop.pk}-fulfilment"] = Fulfilment.RESERVE_PAY_IN_SHOP
        by_card = pay_by_card is None or shop in pay_by_card
        data[f"shop-{shop.pk}-payment_method"] = "card" if by_card else "pay_in_shop"
    response = client.post("/commande/", data)
    assert response.status_code == 302, response.content.decode()
    return response["Location"]


def card_page_submit(url: str, **fields: str) -> tuple[int, str, str]:
    """Submit the fake's card page as a browser would: status, redirect target, page."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(
        url, data=urllib.parse.urlencode(fields).encode(), method="POST"
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request) as answer:
            return answer.status, "", answer.read().decode()
    except urllib.error.HTTPError as redirect:
        return redirect.code, redirect.headers.get("Location", ""), ""


def deliver_all(fake: FakeStripe, root: Client, capture, *, since: int = 0) -> None:
    with capture(execute=True):
        for delivery in fake.deliveries[since:]:
            assert deliver(root, delivery) == 200


def orders_of(town, checkout_reference: str) -> list[tuple[str, str, str]]:
    with inside(town):
        return list(
            Order.objects.filter(checkout__reference=checkout_reference)
            .order_by("merchant__name")
            .values_list("merchant__name", "status", "payment_status")
        )


def _two_shop_cart(town_a, client_a, fake_stripe, root_client, capture):
    florist, _ = card_shop(town_a, fake_stripe, root_client, capture, name="Fleurs de Lys")
    cheese, _ = card_shop(town_a, fake_stripe, root_client, capture, name="Fromagerie")
    roses = variant_create(town_a, florist, title="Roses", price_cents=1250, stock=5)
    comte = variant_create(town_a, cheese, title="Comté", price_cents=890, stock=5)
    guest_cart_fill(client_a, [(roses, 2), (comte, 1)])
    return florist, cheese


def test_card_payment_is_offered_only_for_shops_whose_account_takes_charges(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    ready, _ = card_shop(
        town_a, fake_stripe, root_client, django_capture_on_commit_callbacks, name="Fleurs de Lys"
    )
    unready = shop_create(town_a, name="Bazar")
    connected(town_a, unready)  # created, but Stripe has not opened it to charges
    guest_cart_fill(
        client_a,
        [
            (variant_create(town_a, ready, title="Roses", stock=3), 1),
            (variant_create(town_a, unready, title="Ficelle", stock=3), 1),
        ],
    )

    body = client_a.get("/commande/").content.decode()

    assert f'name="shop-{ready.pk}-payment_method" value="card"' in body
    # One way is chosen already, so the shopper who does not choose is not sent back.
    chosen = re.findall(rf'name="shop-{ready.pk}-payment_method" value="(\w+)"[^>]*checked', body)
    assert chosen == ["pay_in_shop"]
    assert f'name="shop-{unready.pk}-payment_method"' not in body
    # Asked of the service directly (a forged form cannot even name it), card payment for the
    # shop that cannot take it is refused, and nothing is placed.
    with pytest.raises(CheckoutInvalid, match="Bazar ne peut pas être payé de cette façon"):
        order_place(
            town_a,
            [(variant_create(town_a, unready, title="Baguette", stock=3), 1)],
            choice=FulfilmentChoice(
                fulfilment=Fulfilment.RESERVE_PAY_IN_SHOP, payment_method="card"
            ),
        )
    with inside(town_a):
        assert not Checkout.objects.exists()
    assert fake_stripe.checkout_sessions == {}


def test_a_two_shop_cart_paid_by_card_places_both_orders_once(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    florist, cheese = _two_shop_cart(town_a, client_a, fake_stripe, root_client, capture)
    # The town keeps 8 %; the cheese shop has its own rate, 5.25 %.
    with inside(town_a):
        TownCommission.objects.create(pk=1, rate_bps=800)
        ConnectAccount.objects.filter(merchant=cheese).update(commission_bps=525)
    before = len(fake_stripe.deliveries)

    card_url = checkout_by_card(client_a, _shops_of(town_a))

    assert card_url.startswith(f"{fake_stripe.url}/checkout/pay/cs_test_")
    with inside(town_a):
        checkout = Checkout.objects.get()
        payment = CardPayment.objects.get()
    [session] = fake_stripe.checkout_sessions.values()
    assert session["id"] == payment.session_id
    assert session["amount_total"] == payment.amount_cents == 2 * 1250 + 890
    assert session["metadata"] == {"town": town_a.schema_name, "checkout": checkout.reference}
    assert orders_of(town_a, checkout.reference) == [
        ("Fleurs de Lys", "pending", "awaiting"),
        ("Fromagerie", "pending", "awaiting"),
    ]
    # A declined card first: the shopper stays on the page, told why; the orders wait.
    status, _, page = card_page_submit(card_url, card="4000 0000 0000 0002")
    assert status == 200 and "Paiement refusé" in page
    deliver_all(fake_stripe, root_client, capture, since=before)
    with inside(town_a):
        assert CardPayment.objects.get().last_error == "Your card was declined."
    assert orders_of(town_a, checkout.reference)[0][1:] == ("pending", "awaiting")

    # Then 3-D Secure: challenged, confirmed, sent back to the confirmation page.
    before = len(fake_stripe.deliveries)
    status, _, page = card_page_submit(card_url, card="4000 0027 6000 3184")
    assert status == 200 and "3-D Secure" in page
    status, location, _ = card_page_submit(card_url, challenge="pass")
    assert (status, location) == (303, town_a.build_url("/commande/confirmation/"))
    [intent] = fake_stripe.payment_intents.values()
    assert (intent["transfer_group"], intent["amount"]) == (checkout.reference, 3390)
    deliver_all(fake_stripe, root_client, capture, since=before)

    assert orders_of(town_a, checkout.reference) == [
        ("Fleurs de Lys", "placed", "paid"),
        ("Fromagerie", "placed", "paid"),
    ]
    with inside(town_a):
        payment = CardPayment.objects.get()
    assert (payment.status, payment.payment_intent_id, payment.charge_id, payment.last_error) == (
        "succeeded",
        intent["id"],
        intent["latest_charge"],
        "",
    )
    page = client_a.get("/commande/confirmation/").content.decode()
    assert page.count("Payé par carte") == 2
    # Each shop paid from the charge, less its commission: 2500 − 200, 890 − 46.73 → 47.
    transfers = sorted(
        (t["destination"], t["amount"], t["source_transaction"], t["transfer_group"])
        for t in fake_stripe.transfers.values()
    )
    accounts = {a.merchant_id: a.stripe_account_id for a in _accounts(town_a, [florist, cheese])}
    charge = intent["latest_charge"]
    assert transfers == sorted(
        [
            (accounts[florist.pk], 2300, charge, checkout.reference),
            (accounts[cheese.pk], 843, charge, checkout.reference),
        ]
    )
    with inside(town_a):
        ledger = sorted(
            Transfer.objects.values_list(
                "merchant__name", "order_cents", "commission_cents", "transfer_cents"
            )
        )
    assert ledger == [("Fleurs de Lys", 2500, 200, 2300), ("Fromagerie", 890, 47, 843)]


def _accounts(town, shops):
    with inside(town):
        return list(ConnectAccount.objects.filter(merchant__in=shops))


def _shops_of(town):
    with inside(town):
        return list(Merchant.objects.order_by("name"))


def _paid_intent(town_a, client_a, fake_stripe, root_client, capture) -> tuple[str, dict]:
    """A 2-shop cart paid by card at the fake, its webhooks not delivered yet."""
    _two_shop_cart(town_a, client_a, fake_stripe, root_client, capture)
    card_url = checkout_by_card(client_a, _shops_of(town_a))
    card_page_submit(card_url, card="4242424242424242")
    [intent] = fake_stripe.payment_intents.values()
    return intent["metadata"]["checkout"], intent


def _delivery_of(fake: FakeStripe, event_type: str):
    [event] = [event for event in fake.events if event["type"] == event_type]
    return next(d for d in fake.deliveries if d.event_id == event["id"])


def test_a_success_delivered_ten_times_and_reprocessed_places_the_orders_once(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks, mailoutbox
):
    capture = django_capture_on_commit_callbacks
    reference, _intent = _paid_intent(town_a, client_a, fake_stripe, root_client, capture)
    succeeded = _delivery_of(fake_stripe, "payment_intent.succeeded")
    mailoutbox.clear()

    with capture(execute=True):
        statuses = [deliver(root_client, succeeded) for _ in range(10)]
    # And the task run again, as a retried worker would.
    assert stripe_event_process(stripe_id=succeeded.event_id) == StripeEvent.Outcome.APPLIED

    assert statuses == [200] * 10
    assert orders_of(town_a, reference) == [
        ("Fleurs de Lys", "placed", "paid"),
        ("Fromagerie", "placed", "paid"),
    ]
    with inside(town_a):
        # One history line per order: placed once.
        assert (
            Order.objects.filter(events__to_status="placed").count(),
            CardPayment.objects.get().status,
        ) == (2, "succeeded")
    # One Transfer per shop at Stripe, one ledger row each.
    assert len(fake_stripe.transfers) == 2
    with inside(town_a):
        assert Transfer.objects.count() == 2
    # The shopper's one summary (the shops of this test have no one to notify).
    assert [mail.to for mail in mailoutbox] == [["camille@example.org"]]


def test_a_refusal_arriving_after_the_success_changes_nothing(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    _two_shop_cart(town_a, client_a, fake_stripe, root_client, capture)
    card_url = checkout_by_card(client_a, _shops_of(town_a))
    card_page_submit(card_url, card="4000000000000002")
    card_page_submit(card_url, card="4242424242424242")
    failed = _delivery_of(fake_stripe, "payment_intent.payment_failed")
    succeeded = _delivery_of(fake_stripe, "payment_intent.succeeded")
    reference = next(iter(fake_stripe.payment_intents.values()))["metadata"]["checkout"]

    # Stripe's order of delivery is not guaranteed: the success first, the refusal after.
    with capture(execute=True):
        assert deliver(root_client, succeeded) == 200
        assert deliver(root_client, failed) == 200

    assert {status[1:] for status in orders_of(town_a, reference)} == {("placed", "paid")}
    with inside(town_a):
        assert (CardPayment.objects.get().status, CardPayment.objects.get().last_error) == (
            "succeeded",
            "",
        )


def test_a_success_after_the_hold_ran_out_is_refunded_once(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    reference, intent = _paid_intent(town_a, client_a, fake_stripe, root_client, capture)
    # The sweep ran before the webhook came: the hold was over, the orders cancelled.
    with inside(town_a):
        Checkout.objects.filter(reference=reference).update(
            reserved_until=timezone.now() - timedelta(minutes=1)
        )
        with capture(execute=True):
            assert checkouts_expired_release() == 2
    succeeded = _delivery_of(fake_stripe, "payment_intent.succeeded")

    with capture(execute=True):
        for _ in range(3):
            deliver(root_client, succeeded)
    stripe_event_process(stripe_id=succeeded.event_id)

    assert {status[1:] for status in orders_of(town_a, reference)} == {("cancelled", "failed")}
    [refund] = fake_stripe.refunds.values()
    assert (refund["payment_intent"], refund["amount"]) == (intent["id"], 3390)
    assert fake_stripe.charges[intent["latest_charge"]]["refunded"] is True
    with inside(town_a):
        payment = CardPayment.objects.get()
    assert (payment.status, payment.refund_id) == ("refunded_late", refund["id"])


def test_a_payment_webhook_for_town_a_never_touches_town_b(
    client_a, town_a, town_b, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    reference, intent = _paid_intent(town_a, client_a, fake_stripe, root_client, capture)
    # Town B has a checkout of the same reference, awaiting a card payment.
    shop_b = shop_create(town_b, name="Bazar de Beta")
    _checkout_pending_in(town_b, reference=reference, merchant=shop_b)
    # A forged copy naming town B in its metadata, signed as Stripe would sign it.
    [event] = [e for e in fake_stripe.events if e["type"] == "payment_intent.succeeded"]
    forged = {
        **event,
        "id": "evt_forged_for_beta",
        "data": {
            "object": {**intent, "metadata": {"town": town_b.schema_name, "checkout": reference}}
        },
    }

    with capture(execute=True):
        assert deliver(root_client, signed(forged)) == 200
        assert deliver(root_client, _delivery_of(fake_stripe, "payment_intent.succeeded")) == 200

    # Town B started no card payment for that checkout: the forged event is not routed there.
    with schema_context("public"):
        assert StripeEvent.objects.get(stripe_id="evt_forged_for_beta").outcome == "unrouted"
        assert StripeEvent.objects.get(stripe_id=event["id"]).town_id == town_a.pk
    assert orders_of(town_b, reference) == [("Bazar de Beta", "pending", "awaiting")]
    with inside(town_b):
        assert not CardPayment.objects.exists()
    assert {status[1:] for status in orders_of(town_a, reference)} == {("placed", "paid")}


def _checkout_pending_in(town, *, reference: str, merchant) -> None:
    with inside(town):
        checkout = Checkout.objects.create(
            idempotency_key=f"b-{reference}",
            reference=reference,
            contact_name="Dominique",
            contact_email="dominique@example.org",
            reserved_until=timezone.now() + timedelta(minutes=15),
        )
        Order.objects.create(
            reference=f"B{reference[:10]}",
            checkout=checkout,
            merchant=merchant,
            status=Order.Status.PENDING,
            fulfilment=Fulfilment.RESERVE_PAY_IN_SHOP,
            payment_method="card",
            payment_status=Order.PaymentStatus.AWAITING,
            subtotal_cents=100,
            total_cents=100,
        )


def test_the_public_routing_is_written_before_the_payment_starts(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    reference, _ = _paid_intent(
        town_a, client_a, fake_stripe, root_client, django_capture_on_commit_callbacks
    )

    with schema_context("public"):
        assert list(CardPaymentTown.objects.values_list("town_id", "checkout_reference")) == [
            (town_a.pk, reference)
        ]


def test_a_transfer_task_that_dies_after_stripe_answered_transfers_once_when_retried(
    client_a, town_a, fake_stripe, root_client, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    reference, intent = _paid_intent(town_a, client_a, fake_stripe, root_client, capture)
    real_record = transfers._transfer_record
    calls: list[str] = []

    def dies_once(**kwargs):
        # The worker is killed after Stripe made the first Transfer, before the ledger row.
        calls.append(kwargs["order"].reference)
        if len(calls) == 1:
            raise RuntimeError("worker lost")
        return real_record(**kwargs)

    with mock.patch.object(transfers, "_transfer_record", side_effect=dies_once):
        # The task's failure is logged (the webhook's own work is done and answered 200).
        deliver_all(fake_stripe, root_client, capture)
        assert len(fake_stripe.transfers) == 1
        with inside(town_a):
            assert not Transfer.objects.exists()
            # Celery retries the task.
            assert card_payment_transfers(reference) == 2
            assert card_payment_transfers(reference) == 0

    assert len(fake_stripe.transfers) == 2
    assert sum(t["amount"] for t in fake_stripe.transfers.values()) == intent["amount"]
    with inside(town_a):
        assert Transfer.objects.count() == 2


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    totals=st.lists(st.integers(min_value=0, max_value=5_000_000), min_size=1, max_size=6),
    rates=st.lists(st.integers(min_value=0, max_value=10_000), min_size=6, max_size=6),
)
def test_the_books_balance_to_the_cent_whatever_the_amounts_and_rates(totals, rates):
    shares = [
        commission_share(order_cents=total, rate_bps=rate)
        for total, rate in zip(totals, rates, strict=False)
    ]

    charged = sum(totals)
    assert sum(s.transfer_cents for s in shares) + sum(s.commission_cents for s in shares) == (
        charged
    )
    for share in shares:
        assert 0 <= share.commission_cents <= share.order_cents
        # Rounded half up: within half a cent of the exact commission.
        exact = Fraction(share.order_cents * share.rate_bps, 10_000)
        assert abs(share.commission_cents - exact) <= Fraction(1, 2)


@pytest.mark.parametrize("rate", [-1, 10_001])
def test_a_commission_out_of_range_is_refused(rate):
    with pytest.raises(CommissionInvalid):
        commission_share(order_cents=100, rate_bps=rate)
