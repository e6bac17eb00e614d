"""The fake holds to Stripe's contract as the `stripe` library knows it: its answers become the
library's own typed objects, carry only fields the library declares, and carry every field
billing reads; its webhooks pass the library's signature check, and reach a URL."""

import json
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import stripe
from django.conf import settings
from stripe._transfer_reversal import TransferReversal

from billing.stripe_api import stripe_client
from tests.fakes.stripe_server import FakeStripe

# The fields billing reads, per object.
ACCOUNT_READ = {"id", "created", "details_submitted", "charges_enabled", "payouts_enabled"}
REQUIREMENTS_READ = {"currently_due", "past_due", "current_deadline", "disabled_reason"}
EVENT_READ = {"id", "type", "created", "livemode", "account", "data"}


def declared(cls: type) -> set[str]:
    """The fields the library's class declares (its annotations, read without evaluating)."""
    names = set().union(*(vars(klass).get("__annotations__", {}) for klass in cls.__mro__))
    return names - {"OBJECT_NAME"}


def raw(fake: FakeStripe, path: str, **headers: str) -> dict:
    request = urllib.request.Request(
        f"{fake.url}{path}", headers={"Authorization": f"Bearer {fake.secret_key}", **headers}
    )
    with urllib.request.urlopen(request) as answer:
        return json.loads(answer.read())


def fields_of(values: dict) -> set[str]:
    return set(values)


def test_accounts_links_and_events_are_the_librarys_own_objects(fake_stripe):
    client = stripe_client()
    account = client.v1.accounts.create(
        params={
            "type": "express",
            "country": "FR",
            "capabilities": {"transfers": {"requested": True}},
        }
    )
    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "type": "account_onboarding",
            "return_url": "http://alpha.comptoir.test/retour/",
            "refresh_url": "http://alpha.comptoir.test/lien/",
        }
    )
    fake_stripe.account_update(
        account.id, due=["external_account"], deadline=2_000_000_000, enabled=False
    )

    answer = raw(fake_stripe, f"/v1/accounts/{account.id}")
    converted = stripe.convert_to_stripe_object(answer)
    assert isinstance(converted, stripe.Account)
    assert isinstance(converted.requirements, stripe.Account.Requirements)
    assert fields_of(answer) <= declared(stripe.Account)
    assert fields_of(answer) >= ACCOUNT_READ
    assert fields_of(answer["requirements"]) <= declared(stripe.Account.Requirements)
    assert fields_of(answer["requirements"]) >= REQUIREMENTS_READ
    assert converted.requirements.currently_due == ["external_account"]
    assert converted.requirements.current_deadline == 2_000_000_000

    assert isinstance(link, stripe.AccountLink)
    assert link.url.startswith(f"{fake_stripe.url}/connect/onboarding/")
    assert link.expires_at > link.created

    listed = raw(fake_stripe, "/v1/events?limit=10", **{"Stripe-Account": account.id})
    events = stripe.convert_to_stripe_object(listed)
    assert isinstance(events, stripe.ListObject)
    [event] = events.data
    assert isinstance(event, stripe.Event)
    assert fields_of(listed["data"][0]) <= declared(stripe.Event)
    assert fields_of(listed["data"][0]) >= EVENT_READ
    assert isinstance(event.data.object, stripe.Account)
    assert (event.type, event.account, event.livemode) == ("account.updated", account.id, False)


def test_the_library_decodes_the_fakes_errors(fake_stripe):
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client().v1.accounts.retrieve("acct_nobody")
    assert refused.value.http_status == 404
    assert refused.value.code == "resource_missing"

    fake_stripe.secret_key = "sk_test_someone_else"
    with pytest.raises(stripe.AuthenticationError):
        stripe_client().v1.accounts.retrieve("acct_nobody")


def test_an_idempotency_key_gets_the_same_account_twice(fake_stripe):
    client = stripe_client()
    params = {"type": "express", "country": "FR"}
    first = client.v1.accounts.create(params=params, options={"idempotency_key": "k-1"})
    again = client.v1.accounts.create(params=params, options={"idempotency_key": "k-1"})
    other = client.v1.accounts.create(params=params, options={"idempotency_key": "k-2"})

    assert first.id == again.id != other.id
    assert len(fake_stripe.accounts) == 2


def test_events_list_by_account_type_and_date_newest_first_in_pages(fake_stripe):
    client = stripe_client()
    account = client.v1.accounts.create(params={"type": "express"})
    other = client.v1.accounts.create(params={"type": "express"})
    for _ in range(3):
        fake_stripe.account_update(account.id, due=[], deadline=None, enabled=True)
    fake_stripe.account_update(other.id, due=[], deadline=None, enabled=True)
    mine = [e["id"] for e in reversed(fake_stripe.events) if e["account"] == account.id]

    listed = client.v1.events.list(
        params={"limit": 2, "types": ["account.updated"], "created": {"gte": 0}},
        options={"stripe_account": account.id},
    )
    paged = [event.id for event in listed.auto_paging_iter()]
    platform = client.v1.events.list(params={"limit": 100})
    future = client.v1.events.list(
        params={"created": {"gte": int(time.time()) + 60}},
        options={"stripe_account": account.id},
    )

    assert paged == mine
    assert platform.data == []
    assert future.data == []


def test_webhooks_are_signed_for_the_library_and_posted_to_the_url(settings):
    received: list[tuple[bytes, str]] = []
    arrived = threading.Event()

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers["Stripe-Signature"]))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            arrived.set()

        def log_message(self, *args):
            pass

    receiver = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    fake = FakeStripe(
        secret_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        webhook_url=f"http://127.0.0.1:{receiver.server_address[1]}/billing/webhooks/stripe/",
    ).start()
    settings.STRIPE_API_BASE = fake.url
    try:
        account = stripe_client().v1.accounts.create(params={"type": "express"})
        emitted = fake.account_update(account.id, due=[], deadline=None, enabled=True)
        assert arrived.wait(10)
    finally:
        fake.stop()
        receiver.shutdown()
        receiver.server_close()

    [(body, signature)] = received
    assert signature.startswith("t=") and ",v1=" in signature
    event = stripe.Webhook.construct_event(body, signature, settings.STRIPE_WEBHOOK_SECRET)
    assert (event.id, event.type, event.account) == (emitted["id"], "account.updated", account.id)
    assert event.data.object.charges_enabled is True
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_not_ours")


def test_settings_default_to_the_fakes_key_and_secret():
    assert settings.STRIPE_SECRET_KEY == settings.STRIPE_FAKE_SECRET_KEY
    assert settings.STRIPE_WEBHOOK_SECRET == settings.STRIPE_FAKE_WEBHOOK_SECRET
    assert settings.STRIPE_LIVEMODE is False


def test_an_account_gone_from_stripe_cannot_be_listed(fake_stripe):
    with pytest.raises(stripe.PermissionError) as refused:
        stripe_client().v1.events.list(options={"stripe_account": "acct_gone"})
    assert refused.value.http_status == 403


# The fields billing reads of a card payment's objects.
SESSION_READ = {"id", "url"}
INTENT_READ = {"id", "amount", "metadata", "latest_charge", "last_payment_error"}
REFUND_READ = {"id"}
TRANSFER_READ = {"id"}


def _card_session(client, *, unit_amount: int, quantity: int, name: str, **params):
    """A Checkout session of one line, as billing makes them."""
    return client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "line_items": [
                {
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": unit_amount,
                        "product_data": {"name": name},
                    },
                    "quantity": quantity,
                }
            ],
            "success_url": "http://alpha.comptoir.test/commande/confirmation/",
            **params,
        }
    )


def _transfer(client, *, account_id: str, charge_id: str, amount: int):
    return client.v1.transfers.create(
        params={
            "amount": amount,
            "currency": "eur",
            "destination": account_id,
            "source_transaction": charge_id,
        }
    )


def test_card_payment_objects_are_the_librarys_own(fake_stripe):
    client = stripe_client()
    account = client.v1.accounts.create(params={"type": "express", "country": "FR"})
    session = _card_session(
        client,
        unit_amount=1250,
        quantity=2,
        name="Commande A1",
        payment_intent_data={"transfer_group": "CHK1", "metadata": {"checkout": "CHK1"}},
    )
    assert isinstance(session, stripe.checkout.Session)
    assert fields_of(raw(fake_stripe, f"/v1/checkout/sessions/{session.id}")) <= declared(
        stripe.checkout.Session
    )
    fake_stripe.card_submit(session.id, card="4000000000000002")
    fake_stripe.card_submit(session.id, card="4242 4242 4242 4242")

    intent_id = raw(fake_stripe, f"/v1/checkout/sessions/{session.id}")["payment_intent"]
    answer = raw(fake_stripe, f"/v1/payment_intents/{intent_id}")
    intent = stripe.convert_to_stripe_object(answer)
    assert isinstance(intent, stripe.PaymentIntent)
    assert INTENT_READ <= fields_of(answer) <= declared(stripe.PaymentIntent)
    assert (intent.amount, intent.status, intent.transfer_group) == (2500, "succeeded", "CHK1")
    charge = raw(fake_stripe, f"/v1/charges/{intent.latest_charge}")
    assert fields_of(charge) <= declared(stripe.Charge)
    transfer = _transfer(client, account_id=account.id, charge_id=charge["id"], amount=2000)
    assert isinstance(transfer, stripe.Transfer)
    assert TRANSFER_READ <= set(transfer.to_dict()) <= declared(stripe.Transfer)
    refund = client.v1.refunds.create(params={"payment_intent": intent.id})
    assert isinstance(refund, stripe.Refund)
    assert REFUND_READ <= set(refund.to_dict()) <= declared(stripe.Refund)
    types = [event["type"] for event in fake_stripe.events]
    assert types[-5:] == [
        "payment_intent.payment_failed",
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
        "charge.refunded",
    ]
    for delivery in fake_stripe.deliveries:
        event = stripe.Webhook.construct_event(
            delivery.payload, delivery.signature, settings.STRIPE_WEBHOOK_SECRET
        )
        assert event.id == delivery.event_id


REVERSAL_READ = {"id", "amount", "transfer"}


def test_partial_refunds_and_transfer_reversals_are_the_librarys_own(fake_stripe):
    client = stripe_client()
    account = client.v1.accounts.create(params={"type": "express", "country": "FR"})
    session = _card_session(client, unit_amount=3000, quantity=1, name="Commande B1")
    fake_stripe.card_submit(session.id, card="4242 4242 4242 4242")
    intent_id = raw(fake_stripe, f"/v1/checkout/sessions/{session.id}")["payment_intent"]
    charge_id = raw(fake_stripe, f"/v1/payment_intents/{intent_id}")["latest_charge"]
    transfer = _transfer(client, account_id=account.id, charge_id=charge_id, amount=2700)

    refund = client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 1000})
    reversal = client.v1.transfers.reversals.create(transfer.id, params={"amount": 900})

    assert refund.amount == 1000
    assert raw(fake_stripe, f"/v1/charges/{charge_id}")["amount_refunded"] == 1000
    assert isinstance(reversal, TransferReversal)
    assert REVERSAL_READ <= set(reversal.to_dict()) <= declared(TransferReversal)
    assert (reversal.amount, reversal.transfer) == (900, transfer.id)
    assert fake_stripe.transfers[transfer.id]["amount_reversed"] == 900
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.transfers.reversals.create(transfer.id, params={"amount": 1801})
    assert too_much.value.code == "amount_too_large"

    fake_stripe.fail_reversals = True
    with pytest.raises(stripe.InvalidRequestError) as refused:
        client.v1.transfers.reversals.create(transfer.id, params={"amount": 100})
    assert refused.value.code == "insufficient_funds"
    assert fake_stripe.transfers[transfer.id]["amount_reversed"] == 900


# What billing reads of a refund it lists (card_refunds_sync) and of the charge it names.
LISTED_REFUND_READ = {"id", "amount", "metadata", "status", "charge", "payment_intent"}
REFUNDED_CHARGE_READ = {"id", "payment_intent", "metadata"}


def test_refunds_are_listed_per_charge_and_amounts_left_hold_for_both(fake_stripe):
    client = stripe_client()
    account = client.v1.accounts.create(params={"type": "express", "country": "FR"})
    session = _card_session(client, unit_amount=3000, quantity=1, name="Commande C1")
    fake_stripe.card_submit(session.id, card="4242 4242 4242 4242")
    intent_id = raw(fake_stripe, f"/v1/checkout/sessions/{session.id}")["payment_intent"]
    charge_id = raw(fake_stripe, f"/v1/payment_intents/{intent_id}")["latest_charge"]
    transfer = _transfer(client, account_id=account.id, charge_id=charge_id, amount=2700)
    ours = client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 1000, "metadata": {"refund": "7"}},
        options={"idempotency_key": "refund:alpha:7"},
    )
    dashboard = fake_stripe.dashboard_refund(intent_id, 500)

    listed = list(
        client.v1.refunds.list(params={"charge": charge_id, "limit": 1}).auto_paging_iter()
    )
    assert [refund.id for refund in listed] == [dashboard["id"], ours.id]
    for refund in listed:
        assert isinstance(refund, stripe.Refund)
        assert LISTED_REFUND_READ <= set(refund.to_dict()) <= declared(stripe.Refund)
    assert client.v1.refunds.retrieve(ours.id).metadata.to_dict() == {"refund": "7"}
    [event] = [e for e in fake_stripe.events if e["type"] == "charge.refunded"][-1:]
    charge = stripe.convert_to_stripe_object(event["data"]["object"])
    assert isinstance(charge, stripe.Charge)
    assert REFUNDED_CHARGE_READ <= set(charge.to_dict()) <= declared(stripe.Charge)
    assert charge.amount_refunded == 1500

    # One rule for refunds and reversals: never more than is left (1,500 of the charge, 2,700
    # of the transfer), never nothing.
    for create, left in (
        (
            lambda amount: client.v1.refunds.create(
                params={"payment_intent": intent_id, "amount": amount}
            ),
            1500,
        ),
        (
            lambda amount: client.v1.transfers.reversals.create(
                transfer.id, params={"amount": amount}
            ),
            2700,
        ),
    ):
        for amount in (left + 1, 0):
            with pytest.raises(stripe.InvalidRequestError) as refused:
                create(amount)
            assert refused.value.code == "amount_too_large"
        assert create(left).amount == left

    # A key's refusal is its answer from then on, as at Stripe.
    fake_stripe.fail_reversals = True
    options = {"idempotency_key": "refund-reversal:alpha:7"}
    other = _transfer(client, account_id=account.id, charge_id=charge_id, amount=300)
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.transfers.reversals.create(other.id, params={"amount": 100}, options=options)
    fake_stripe.fail_reversals = False
    with pytest.raises(stripe.InvalidRequestError) as replayed:
        client.v1.transfers.reversals.create(other.id, params={"amount": 100}, options=options)
    assert replayed.value.code == "insufficient_funds"


# The fields billing reads of a payout.
PAYOUT_READ = {"id", "amount", "currency", "status", "arrival_date", "created", "failure_message"}


def test_payouts_of_a_connected_account_are_the_librarys_own(fake_stripe):
    client = stripe_client()
    account = client.v1.accounts.create(params={"type": "express", "country": "FR"})
    other = client.v1.accounts.create(params={"type": "express", "country": "FR"})
    session = _card_session(client, unit_amount=3000, quantity=1, name="Commande C1")
    fake_stripe.card_submit(session.id, card="4242 4242 4242 4242")
    intent_id = raw(fake_stripe, f"/v1/checkout/sessions/{session.id}")["payment_intent"]
    charge_id = raw(fake_stripe, f"/v1/payment_intents/{intent_id}")["latest_charge"]
    transfer = _transfer(client, account_id=account.id, charge_id=charge_id, amount=2700)
    client.v1.transfers.reversals.create(transfer.id, params={"amount": 200})
    # A transfer credits the account's balance, a reversal debits it; a payout empties it.
    assert fake_stripe.balances[account.id] == 2500
    made = fake_stripe.payout_make(account.id)
    assert made is not None and fake_stripe.payout_make(account.id) is None
    fake_stripe.payout_advance(made["id"], "paid")
    fake_stripe.balances[account.id] = 400
    failed = fake_stripe.payout_make(account.id)
    assert failed is not None
    fake_stripe.payout_advance(failed["id"], "failed")

    answer = raw(fake_stripe, "/v1/payouts?limit=1", **{"Stripe-Account": account.id})
    listed = client.v1.payouts.list(
        params={"created": {"gte": 0}, "limit": 1}, options={"stripe_account": account.id}
    )
    paid = client.v1.payouts.retrieve(made["id"], options={"stripe_account": account.id})

    assert isinstance(stripe.convert_to_stripe_object(answer), stripe.ListObject)
    assert PAYOUT_READ <= fields_of(answer["data"][0]) <= declared(stripe.Payout)
    assert [payout.id for payout in listed.auto_paging_iter()] == [failed["id"], made["id"]]
    assert all(isinstance(payout, stripe.Payout) for payout in listed.data)
    assert (paid.amount, paid.status, paid.currency) == (2500, "paid", "eur")
    assert paid.arrival_date >= paid.created
    # A failed payout puts its money back, and says why.
    assert fake_stripe.balances[account.id] == 400
    assert raw(fake_stripe, f"/v1/payouts/{failed['id']}", **{"Stripe-Account": account.id})[
        "failure_message"
    ]
    assert client.v1.payouts.list(options={"stripe_account": other.id}).data == []
    assert client.v1.payouts.list().data == []  # the platform's own: none here
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.payouts.retrieve(made["id"], options={"stripe_account": other.id})
    with pytest.raises(stripe.PermissionError):
        client.v1.payouts.list(options={"stripe_account": "acct_gone"})
    events = [event for event in fake_stripe.events if event["type"].startswith("payout.")]
    assert [event["type"] for event in events] == [
        "payout.created",
        "payout.paid",
        "payout.created",
        "payout.failed",
    ]
    for delivery in fake_stripe.deliveries[-4:]:
        event = stripe.Webhook.construct_event(
            delivery.payload, delivery.signature, settings.STRIPE_WEBHOOK_SECRET
        )
        assert event.account == account.id
        assert isinstance(event.data.object, stripe.Payout)
        assert fields_of(event.data.object.to_dict()) <= declared(stripe.Payout)


def test_the_fake_pays_out_by_itself_every_period(settings):
    fake = FakeStripe(
        secret_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        payout_seconds=0.05,
    ).start()
    try:
        account = fake.account_create({"type": "express"})["id"]
        fake.account_update(account, due=[], deadline=None, enabled=True)
        fake.balances[account] = 1_000
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(
            payout["status"] == "paid" for payout in fake.payouts.values()
        ):
            time.sleep(0.02)
    finally:
        fake.stop()

    [payout] = fake.payouts.values()
    assert (payout["amount"], payout["status"]) == (1_000, "paid")
    assert fake.balances[account] == 0


# --- Towns' subscriptions (Stripe Billing) ------------------------------------------------

PRICE_READ = {"id", "unit_amount", "recurring", "lookup_key"}
SUBSCRIPTION_READ = {"id", "status", "customer", "created", "trial_end", "items"}
SUBSCRIPTION_ITEM_READ = {"id", "price", "quantity", "current_period_end"}
INVOICE_READ = {
    "id",
    "customer",
    "number",
    "status",
    "amount_due",
    "amount_paid",
    "hosted_invoice_url",
    "invoice_pdf",
    "created",
    "parent",
    "status_transitions",
}
PORTAL_READ = {"url", "customer", "return_url"}


def test_subscription_objects_are_the_librarys_own(fake_stripe):
    client = stripe_client()
    product = client.v1.products.create(params={"name": "Ville"})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "eur",
            "unit_amount": 14_900,
            "recurring": {"interval": "month"},
            "lookup_key": "comptoir-town-ville",
        }
    )
    customer = client.v1.customers.create(params={"name": "Alpha", "email": "f@alpha.test"})
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}], "trial_period_days": 14}
    )
    fake_stripe.customer_card_set(customer.id, works=False)
    fake_stripe.subscription_period_end(subscription.id)
    session = client.v1.billing_portal.sessions.create(
        params={"customer": customer.id, "return_url": "http://alpha.comptoir.test/gestion/"}
    )

    found = client.v1.prices.list(params={"lookup_keys": ["comptoir-town-ville"]})
    assert [p.id for p in found.data] == [price.id]
    answer = raw(fake_stripe, f"/v1/prices/{price.id}")
    assert isinstance(stripe.convert_to_stripe_object(answer), stripe.Price)
    assert PRICE_READ <= fields_of(answer) <= declared(stripe.Price)
    assert fields_of(answer["recurring"]) <= declared(stripe.Price.Recurring)
    assert fields_of(raw(fake_stripe, f"/v1/customers/{customer.id}")) <= declared(stripe.Customer)
    assert fields_of(raw(fake_stripe, f"/v1/products/{product.id}")) <= declared(stripe.Product)

    answer = raw(fake_stripe, f"/v1/subscriptions/{subscription.id}")
    read = stripe.convert_to_stripe_object(answer)
    assert isinstance(read, stripe.Subscription)
    assert SUBSCRIPTION_READ <= fields_of(answer) <= declared(stripe.Subscription)
    item = answer["items"]["data"][0]
    assert SUBSCRIPTION_ITEM_READ <= fields_of(item) <= declared(stripe.SubscriptionItem)
    assert read["items"].data[0].price.id == price.id
    assert read.status == "past_due"

    listed = raw(fake_stripe, f"/v1/invoices?customer={customer.id}")
    invoice = listed["data"][0]
    converted = stripe.convert_to_stripe_object(invoice)
    assert isinstance(converted, stripe.Invoice)
    assert INVOICE_READ <= fields_of(invoice) <= declared(stripe.Invoice)
    assert fields_of(invoice["parent"]) <= declared(stripe.Invoice.Parent)
    assert fields_of(invoice["parent"]["subscription_details"]) <= declared(
        stripe.Invoice.Parent.SubscriptionDetails
    )
    assert fields_of(invoice["status_transitions"]) <= declared(stripe.Invoice.StatusTransitions)
    assert converted.parent.subscription_details.subscription == subscription.id
    assert converted.status == "open"
    assert invoice["hosted_invoice_url"].startswith(f"{fake_stripe.url}/invoices/")

    assert isinstance(session, stripe.billing_portal.Session)
    assert PORTAL_READ <= set(session.to_dict()) <= declared(stripe.billing_portal.Session)
    with urllib.request.urlopen(session.url) as page:
        assert "Espace de facturation" in page.read().decode()

    types = [event["type"] for event in fake_stripe.events]
    assert types == [
        "customer.subscription.created",
        "invoice.finalized",
        "invoice.payment_failed",
        "customer.subscription.updated",
    ]
    for event in fake_stripe.events:
        assert fields_of(event["data"]["object"]) <= declared(
            stripe.Subscription if event["type"].startswith("customer.") else stripe.Invoice
        )


def test_a_subscription_is_cancelled_with_delete(fake_stripe):
    client = stripe_client()
    product = client.v1.products.create(params={"name": "Ville"})
    price = client.v1.prices.create(
        params={
            "product": product.id,
            "currency": "eur",
            "unit_amount": 100,
            "recurring": {"interval": "month"},
        }
    )
    customer = client.v1.customers.create(params={"name": "Alpha"})
    subscription = client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}]}
    )
    assert subscription.status == "active"

    cancelled = client.v1.subscriptions.cancel(subscription.id)

    assert cancelled.status == "canceled"
    assert fake_stripe.events[-1]["type"] == "customer.subscription.deleted"
