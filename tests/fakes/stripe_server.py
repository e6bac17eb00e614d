"""An offline Stripe: the subset of its REST API that Comptoir calls, over real HTTP.

The real `stripe` library talks to it (settings.STRIPE_API_BASE is its address), so requests are
encoded, sent, decoded and typed exactly as they would be with Stripe. It keeps its state in
memory, answers with Stripe's shapes (tests/billing/test_stripe_fake_contract.py holds it to the
library's own types), honours idempotency keys (replaying a key's first answer, a refusal
too, as Stripe does), and emits each event it creates as a signed webhook (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 with the shared secret), POSTed to
`webhook_url` when one is given and always kept in `deliveries` for tests to hand over.

Endpoints: POST /v1/accounts, GET /v1/accounts/<id>, POST /v1/account_links, POST
/v1/checkout/sessions, GET /v1/checkout/sessions/<id>, GET /v1/payment_intents/<id>, GET
/v1/charges/<id>, POST /v1/refunds, GET /v1/refunds (`charge`, `payment_intent`, `limit`,
`starting_after`), GET /v1/refunds/<id>, POST /v1/transfers,
POST /v1/transfers/<id>/reversals, GET /v1/events
(newest first; `created[gte]`, `type`, `types[]`, `limit`, `starting_after`; a `Stripe-Account`
header lists that connected account's events), GET /v1/events/<id>, GET /v1/payouts and
GET /v1/payouts/<id> (a connected account's, with its `Stripe-Account` header; newest first,
`created[gte]`, `status`, `limit`, `starting_after`); and the hosted onboarding
page an account link leads to, GET/POST /connect/onboarding/<link>, where a person fills in
(or leaves) the account's details and is sent back to the platform's return URL; and the
card page a Checkout session leads to, GET/POST /checkout/pay/<session>, taking Stripe's test
card numbers (a 3-D Secure challenge for 4000 0027 6000 3184, a decline for
4000 0000 0000 0002) and emitting charge.succeeded, payment_intent.succeeded or
payment_intent.payment_failed, and checkout.session.completed.

Payouts: a transfer credits its connected account's available balance (a reversal debits it),
and Stripe's automatic payouts are played by `payout_make` (the whole available balance to the
bank, emitting `payout.created` on that account) and `payout_advance` (`payout.updated` on its
way, `payout.paid`, `payout.failed` which puts the money back, `payout.canceled`). Tests call
them; with `payout_seconds` (STRIPE_FAKE_PAYOUT_SECONDS for `make dev`) the fake does both by
itself: every period it pays out each enabled account's balance and pays the payouts made the
period before.

`python -m tests.fakes.stripe_server` serves it for `make dev`, configured from the Django
settings (its address from STRIPE_API_BASE, the key and secret the app uses, webhooks to the
root host). It lives under tests/ because only development and tests run it: the installed
package and the production image never ship it (`make bench` runs tests.bench the same way).
"""

import base64
import copy
import hashlib
import hmac
import html
import json
import secrets
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

API_VERSION = "2026-10-28.endive"
LINK_LIFETIME = 300
# What Stripe asks of a new Express account in France before it may take charges.
NEW_ACCOUNT_DUE = [
    "business_profile.mcc",
    "business_profile.url",
    "business_type",
    "external_account",
    "representative.first_name",
    "representative.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]
# Left due when the person stops before the end: Stripe then sets a deadline for them.
PARTIAL_DUE = ["external_account", "representative.verification.document"]
PARTIAL_DEADLINE_DAYS = 14
# Stripe's test cards (https://docs.stripe.com/testing): paid at once, declined, or paid after
# a 3-D Secure challenge.
ACCEPTED_CARDS = {"4242424242424242", "5555555555554444"}
DECLINED_CARDS = {
    "4000000000000002": "generic_decline",
    "4000000000009995": "insufficient_funds_decline",
}
THREE_D_SECURE_CARD = "4000002760003184"
CARD_ERRORS = {
    "generic_decline": "Your card was declined.",
    "insufficient_funds_decline": "Your card has insufficient funds.",
    "incorrect_number": "Your card number is incorrect.",
    "payment_intent_authentication_failure": "We are unable to authenticate your payment method.",
}


class StripeFakeError(Exception):
    def __init__(self, status: int, message: str, *, code: str = "", param: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {
                "type": "invalid_request_error",
                "message": message,
                **({"code": code} if code else {}),
                **({"param": param} if param else {}),
            }
        }

    @classmethod
    def replayed(cls, status: int, body: dict[str, Any]) -> "StripeFakeError":
        error = cls(status, body["error"]["message"])
        error.body = body
        return error


def form_decode(body: str) -> dict[str, Any]:
    """Stripe's form encoding back into nested values: `a[b][c]=1`, `a[0]=x` (lists)."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node: Any = result
        for part, after in zip(parts, [*parts[1:], None], strict=True):
            if after is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists_from_indexes(result)


def _lists_from_indexes(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if value and all(key.isdigit() for key in value):
        return [_lists_from_indexes(value[key]) for key in sorted(value, key=int)]
    return {key: _lists_from_indexes(item) for key, item in value.items()}


def _truthy(value: object) -> bool:
    return value in (True, "true")


def _amount_within(asked: object, *, total: int, taken: int, refused: str) -> int:
    """The amount a refund (of a charge) or a reversal (of a transfer) may take: what is asked,
    else all that is left; refused as Stripe does when it is more than is left, or nothing."""
    left = total - taken
    amount = int(str(asked)) if asked else left
    if not 0 < amount <= left:
        raise StripeFakeError(
            HTTPStatus.BAD_REQUEST,
            refused.format(amount=amount, left=left),
            code="amount_too_large",
            param="amount",
        )
    return amount


def _list_page(
    matching: list[dict[str, Any]], query: dict[str, Any], *, url: str
) -> dict[str, Any]:
    """One page of a Stripe list (`limit`, `starting_after`) of objects newest first."""
    limit = min(int(query.get("limit", 10)), 100)
    after = query.get("starting_after")
    if after:
        ids = [item["id"] for item in matching]
        matching = matching[ids.index(after) + 1 :] if after in ids else []
    return {
        "object": "list",
        "url": url,
        "has_more": len(matching) > limit,
        "data": copy.deepcopy(matching[:limit]),
    }


def signature_header(payload: bytes, secret: str, timestamp: int) -> str:
    """Stripe's `Stripe-Signature` header for a webhook body."""
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class Delivery:
    """One webhook as the fake sends it: the raw body and its signature header."""

    event_id: str
    payload: bytes
    signature: str


# --- Towns' subscriptions to the platform (Stripe Billing) -------------------------------
#
# Customers, products and prices, subscriptions (with a trial), their invoices with a hosted
# page, and the customer portal (billing_portal sessions, a simple hosted page). A town's
# card works or not (`customer_card_set`); the period ends when a test (or the portal's "end
# the period now" button in `make dev`) says so (`subscription_period_end`), as a test clock
# would advance it. Every change emits the events Stripe sends: customer.subscription.created
# / updated / deleted, invoice.finalized, invoice.paid, invoice.payment_failed.

HOSTED_BILLING_PREFIXES = ("/invoices/", "/billing/portal/")
DAY = 86400


class FakeSubscriptions:
    """The Billing part of the fake, mixed into FakeStripe (which owns the clock, the lock,
    the events and the server)."""

    if TYPE_CHECKING:
        clock: Callable[[], float]
        livemode: bool
        _lock: threading.RLock

        @property
        def url(self) -> str: ...

        def event_emit(
            self,
            event_type: str,
            obj: dict[str, Any],
            *,
            account: str | None = None,
            previous: dict[str, Any] | None = None,
        ) -> dict[str, Any]: ...

        def _found(
            self, objects: dict[str, dict[str, Any]], key: str, name: str
        ) -> dict[str, Any]: ...

    def _subscriptions_init(self) -> None:
        self.customers: dict[str, dict[str, Any]] = {}
        self.products: dict[str, dict[str, Any]] = {}
        self.prices: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.invoices: dict[str, dict[str, Any]] = {}
        self.portal_sessions: dict[str, dict[str, Any]] = {}
        # Whether each customer's card pays (a new customer's does).
        self.cards_working: dict[str, bool] = {}
        self._invoice_numbers = 0

    def subscriptions_route(
        self, method: str, parts: list[str], query: dict[str, Any], form: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The answer when the request is one of Billing's, else None."""
        match method, parts:
            case "POST", ["v1", "customers"]:
                return self.customer_create(form)
            case "GET", ["v1", "customers", customer_id]:
                return copy.deepcopy(self._found(self.customers, customer_id, "customer"))
            case "POST", ["v1", "products"]:
                return self.product_create(form)
            case "GET", ["v1", "products", product_id]:
                return copy.deepcopy(self._found(self.products, product_id, "product"))
            case "POST", ["v1", "prices"]:
                return self.price_create(form)
            case "GET", ["v1", "prices"]:
                keys = set(query.get("lookup_keys", []))
                found = [p for p in self.prices.values() if not keys or p["lookup_key"] in keys]
                return self._list("/v1/prices", found, query)
            case "GET", ["v1", "prices", price_id]:
                return copy.deepcopy(self._found(self.prices, price_id, "price"))
            case "POST", ["v1", "subscriptions"]:
                return self.subscription_create(form)
            case "GET", ["v1", "subscriptions"]:
                found = [
                    s
                    for s in self.subscriptions.values()
                    if s["customer"] == query.get("customer", s["customer"])
                    and (query.get("status") == "all" or s["status"] != "canceled")
                ]
                return self._list("/v1/subscriptions", found, query)
            case "GET", ["v1", "subscriptions", subscription_id]:
                return copy.deepcopy(self._subscription(subscription_id))
            case "POST", ["v1", "subscriptions", subscription_id]:
                return self.subscription_update(subscription_id, form)
            case "DELETE", ["v1", "subscriptions", subscription_id]:
                return self.subscription_cancel(subscription_id)
            case "GET", ["v1", "invoices"]:
                found = [
                    i
                    for i in self.invoices.values()
                    if i["customer"] == query.get("customer", i["customer"])
                    and _invoice_subscription(i)
                    == query.get("subscription", _invoice_subscription(i))
                ]
                return self._list("/v1/invoices", found, query)
            case "GET", ["v1", "invoices", invoice_id]:
                return copy.deepcopy(self._found(self.invoices, invoice_id, "invoice"))
            case "POST", ["v1", "invoices", invoice_id, "pay"]:
                return self.invoice_attempt(invoice_id)
            case "POST", ["v1", "billing_portal", "sessions"]:
                return self.portal_session_create(form)
        return None

    def _list(self, url: str, found: list[dict[str, Any]], query: dict[str, Any]) -> dict[str, Any]:
        # Newest first; of the same second, the last made first (as Stripe lists them).
        made = sorted(enumerate(found), key=lambda n: (n[1]["created"], n[0]), reverse=True)
        newest = [obj for _n, obj in made]
        limit = min(int(query.get("limit", 10)), 100)
        return {
            "object": "list",
            "url": url,
            "has_more": len(newest) > limit,
            "data": copy.deepcopy(newest[:limit]),
        }

    def _subscription(self, subscription_id: str) -> dict[str, Any]:
        return self._found(self.subscriptions, subscription_id, "subscription")

    def customer_create(self, form: dict[str, Any]) -> dict[str, Any]:
        customer = {
            "id": f"cus_{secrets.token_hex(7)}",
            "object": "customer",
            "created": int(self.clock()),
            "delinquent": False,
            "email": form.get("email"),
            "livemode": self.livemode,
            "metadata": form.get("metadata", {}),
            "name": form.get("name"),
            "preferred_locales": form.get("preferred_locales", []),
        }
        self.customers[customer["id"]] = customer
        self.cards_working[customer["id"]] = True
        return copy.deepcopy(customer)

    def product_create(self, form: dict[str, Any]) -> dict[str, Any]:
        if not form.get("name"):
            raise StripeFakeError(HTTPStatus.BAD_REQUEST, "Missing required param: name.")
        product = {
            "id": f"prod_{secrets.token_hex(7)}",
            "object": "product",
            "active": True,
            "created": int(self.clock()),
            "livemode": self.livemode,
            "metadata": form.get("metadata", {}),
            "name": form["name"],
        }
        self.products[product["id"]] = product
        return copy.deepcopy(product)

    def price_create(self, form: dict[str, Any]) -> dict[str, Any]:
        self._found(self.products, form.get("product", ""), "product")
        lookup_key = form.get("lookup_key")
        if lookup_key and any(p["lookup_key"] == lookup_key for p in self.prices.values()):
            raise StripeFakeError(
                HTTPStatus.BAD_REQUEST,
                f"A price (`{lookup_key}`) already uses that lookup key.",
                param="lookup_key",
            )
        recurring = form.get("recurring") or {}
        price = {
            "id": f"price_{secrets.token_hex(7)}",
            "object": "price",
            "active": True,
            "billing_scheme": "per_unit",
            "created": int(self.clock()),
            "currency": form.get("currency", "eur"),
            "livemode": self.livemode,
            "lookup_key": lookup_key,
            "metadata": form.get("metadata", {}),
            "nickname": form.get("nickname"),
            "product": form["product"],
            "recurring": {
                "interval": recurring.get("interval", "month"),
                "interval_count": int(recurring.get("interval_count", 1)),
                "usage_type": "licensed",
            },
            "type": "recurring",
            "unit_amount": int(form["unit_amount"]),
        }
        self.prices[price["id"]] = price
        return copy.deepcopy(price)

    def _period_seconds(self, price: dict[str, Any]) -> int:
        return 365 * DAY if price["recurring"]["interval"] == "year" else 30 * DAY

    def subscription_create(self, form: dict[str, Any]) -> dict[str, Any]:
        customer = self._found(self.customers, form.get("customer", ""), "customer")
        items = form.get("items") or []
        if len(items) != 1:
            raise StripeFakeError(HTTPStatus.BAD_REQUEST, "One price per subscription here.")
        price = self._found(self.prices, items[0].get("price", ""), "price")
        now = int(self.clock())
        trial_days = int(form.get("trial_period_days") or 0)
        subscription_id = f"sub_{secrets.token_hex(7)}"
        end = now + (trial_days * DAY if trial_days else self._period_seconds(price))
        subscription: dict[str, Any] = {
            "id": subscription_id,
            "object": "subscription",
            "cancel_at_period_end": False,
            "canceled_at": None,
            "collection_method": "charge_automatically",
            "created": now,
            "currency": price["currency"],
            "customer": customer["id"],
            "ended_at": None,
            "items": {
                "object": "list",
                "url": f"/v1/subscription_items?subscription={subscription_id}",
                "has_more": False,
                "data": [
                    {
                        "id": f"si_{secrets.token_hex(7)}",
                        "object": "subscription_item",
                        "created": now,
                        "current_period_start": now,
                        "current_period_end": end,
                        "metadata": {},
                        "price": copy.deepcopy(price),
                        "quantity": 1,
                        "subscription": subscription_id,
                    }
                ],
            },
            "latest_invoice": None,
            "livemode": self.livemode,
            "metadata": form.get("metadata", {}),
            "start_date": now,
            "status": "trialing" if trial_days else "incomplete",
            "trial_end": end if trial_days else None,
            "trial_start": now if trial_days else None,
        }
        with self._lock:
            self.subscriptions[subscription_id] = subscription
            self.event_emit("customer.subscription.created", subscription)
            if not trial_days:
                self._invoice_issue(subscription, reason="subscription_create")
        return copy.deepcopy(subscription)

    def subscription_update(self, subscription_id: str, form: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            subscription = self._subscription(subscription_id)
            if subscription["status"] == "canceled":
                raise StripeFakeError(
                    HTTPStatus.BAD_REQUEST,
                    "A canceled subscription can only update its cancellation_details.",
                )
            previous: dict[str, Any] = {}
            item = subscription["items"]["data"][0]
            for change in form.get("items") or []:
                if change.get("id") not in (None, item["id"]):
                    raise StripeFakeError(HTTPStatus.BAD_REQUEST, "No such subscription item.")
                price = self._found(self.prices, change.get("price", ""), "price")
                previous["items"] = copy.deepcopy(subscription["items"])
                item["price"] = copy.deepcopy(price)
            if "cancel_at_period_end" in form:
                previous["cancel_at_period_end"] = subscription["cancel_at_period_end"]
                subscription["cancel_at_period_end"] = _truthy(form["cancel_at_period_end"])
            if "metadata" in form:
                subscription["metadata"].update(form["metadata"])
            self.event_emit("customer.subscription.updated", subscription, previous=previous)
            return copy.deepcopy(subscription)

    def subscription_cancel(self, subscription_id: str) -> dict[str, Any]:
        with self._lock:
            subscription = self._subscription(subscription_id)
            if subscription["status"] != "canceled":
                now = int(self.clock())
                subscription.update(status="canceled", canceled_at=now, ended_at=now)
                for invoice in self.invoices.values():
                    if (
                        _invoice_subscription(invoice) == subscription_id
                        and invoice["status"] == "open"
                    ):
                        invoice.update(next_payment_attempt=None)
                self.event_emit("customer.subscription.deleted", subscription)
            return copy.deepcopy(subscription)

    def customer_card_set(self, customer_id: str, *, works: bool) -> None:
        """The town's finance department gives a card that pays, or one that fails."""
        self.cards_working[customer_id] = works

    def subscription_period_end(self, subscription_id: str) -> dict[str, Any]:
        """The trial or the period ends (a test clock advanced past it): the next period
        starts and its invoice is finalised and charged. The new invoice."""
        with self._lock:
            subscription = self._subscription(subscription_id)
            item = subscription["items"]["data"][0]
            start = item["current_period_end"]
            item["current_period_start"] = start
            item["current_period_end"] = start + self._period_seconds(item["price"])
            return self._invoice_issue(subscription, reason="subscription_cycle")

    def _invoice_issue(self, subscription: dict[str, Any], *, reason: str) -> dict[str, Any]:
        item = subscription["items"]["data"][0]
        now = int(self.clock())
        self._invoice_numbers += 1
        invoice_id = f"in_{secrets.token_hex(7)}"
        amount = item["price"]["unit_amount"] * item["quantity"]
        invoice: dict[str, Any] = {
            "id": invoice_id,
            "object": "invoice",
            "amount_due": amount,
            "amount_paid": 0,
            "amount_remaining": amount,
            "attempt_count": 0,
            "attempted": False,
            "billing_reason": reason,
            "collection_method": "charge_automatically",
            "created": now,
            "currency": item["price"]["currency"],
            "customer": subscription["customer"],
            "hosted_invoice_url": f"{self.url}/invoices/{invoice_id}",
            "invoice_pdf": f"{self.url}/invoices/{invoice_id}/pdf",
            "livemode": self.livemode,
            "metadata": {},
            "next_payment_attempt": None,
            "number": f"FAKE-{self._invoice_numbers:04d}",
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {
                    "metadata": copy.deepcopy(subscription["metadata"]),
                    "subscription": subscription["id"],
                },
            },
            "period_end": item["current_period_end"],
            "period_start": item["current_period_start"],
            "status": "open",
            "status_transitions": {
                "finalized_at": now,
                "marked_uncollectible_at": None,
                "paid_at": None,
                "voided_at": None,
            },
            "total": amount,
        }
        self.invoices[invoice_id] = invoice
        subscription["latest_invoice"] = invoice_id
        self.event_emit("invoice.finalized", invoice)
        self.invoice_attempt(invoice_id)
        return copy.deepcopy(self.invoices[invoice_id])

    def invoice_attempt(self, invoice_id: str) -> dict[str, Any]:
        """Charge the customer's card for an open invoice (a retry, or POST …/pay)."""
        with self._lock:
            invoice = self._found(self.invoices, invoice_id, "invoice")
            if invoice["status"] != "open":
                return copy.deepcopy(invoice)
            invoice["attempt_count"] += 1
            invoice["attempted"] = True
            if self.cards_working.get(invoice["customer"], True):
                return self.invoice_pay(invoice_id)
            invoice["next_payment_attempt"] = int(self.clock()) + 3 * DAY
            self.event_emit("invoice.payment_failed", invoice)
            subscription = self.subscriptions[_invoice_subscription(invoice)]
            if subscription["status"] in ("trialing", "active", "incomplete"):
                previous = {"status": subscription["status"]}
                subscription["status"] = (
                    "incomplete" if subscription["status"] == "incomplete" else "past_due"
                )
                self.event_emit("customer.subscription.updated", subscription, previous=previous)
            return copy.deepcopy(invoice)

    def invoice_pay(self, invoice_id: str) -> dict[str, Any]:
        """The open invoice is paid (its hosted page, the portal, or a retry that worked)."""
        with self._lock:
            invoice = self._found(self.invoices, invoice_id, "invoice")
            if invoice["status"] != "open":
                return copy.deepcopy(invoice)
            invoice.update(
                status="paid",
                amount_paid=invoice["amount_due"],
                amount_remaining=0,
                next_payment_attempt=None,
            )
            invoice["status_transitions"]["paid_at"] = int(self.clock())
            self.event_emit("invoice.paid", invoice)
            subscription = self.subscriptions[_invoice_subscription(invoice)]
            still_open = any(
                _invoice_subscription(other) == subscription["id"] and other["status"] == "open"
                for other in self.invoices.values()
            )
            if subscription["status"] not in ("active", "canceled") and not still_open:
                previous = {"status": subscription["status"]}
                subscription["status"] = "active"
                self.event_emit("customer.subscription.updated", subscription, previous=previous)
            return copy.deepcopy(invoice)

    def portal_session_create(self, form: dict[str, Any]) -> dict[str, Any]:
        customer = self._found(self.customers, form.get("customer", ""), "customer")
        session_id = f"bps_{secrets.token_hex(8)}"
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": "bpc_fake",
            "created": int(self.clock()),
            "customer": customer["id"],
            "flow": None,
            "livemode": self.livemode,
            "locale": form.get("locale"),
            "on_behalf_of": None,
            "return_url": form.get("return_url"),
            "url": f"{self.url}/billing/portal/{session_id}",
        }
        self.portal_sessions[session_id] = session
        return copy.deepcopy(session)

    # The hosted pages: an invoice's, and the customer portal's.

    def hosted_billing_page(
        self, method: str, path: str, form: dict[str, Any]
    ) -> tuple[int, bytes, str, dict[str, str]]:
        parts = path.strip("/").split("/")
        html_type = "text/html; charset=utf-8"
        match parts:
            case ["invoices", invoice_id] if invoice_id in self.invoices:
                if method == "POST":
                    self.invoice_pay(invoice_id)
                    return HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": path}
                return HTTPStatus.OK, self._invoice_page(invoice_id).encode(), html_type, {}
            case ["billing", "portal", session_id] if session_id in self.portal_sessions:
                customer = self.portal_sessions[session_id]["customer"]
                if method == "POST":
                    if form.get("action") == "card_ok":
                        self.customer_card_set(customer, works=True)
                        for invoice in list(self.invoices.values()):
                            if invoice["customer"] == customer and invoice["status"] == "open":
                                self.invoice_attempt(invoice["id"])
                    elif form.get("action") == "period_end":
                        for subscription in list(self.subscriptions.values()):
                            if (
                                subscription["customer"] == customer
                                and subscription["status"] != "canceled"
                            ):
                                self.subscription_period_end(subscription["id"])
                    elif form.get("action") == "card_fails":
                        self.customer_card_set(customer, works=False)
                    return HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": path}
                return HTTPStatus.OK, self._portal_page(session_id).encode(), html_type, {}
        return HTTPStatus.NOT_FOUND, b"Unknown page", "text/plain", {}

    def _invoice_page(self, invoice_id: str) -> str:
        invoice = self.invoices[invoice_id]
        action = (
            '<form method="post"><button type="submit">Payer la facture</button></form>'
            if invoice["status"] == "open"
            else "<p>Cette facture est réglée.</p>"
        )
        return INVOICE_PAGE.format(
            number=html.escape(invoice["number"]),
            amount=_euros(invoice["amount_due"]),
            status=html.escape(invoice["status"]),
            action=action,
        )

    def _portal_page(self, session_id: str) -> str:
        session = self.portal_sessions[session_id]
        customer = self.customers[session["customer"]]
        rows = "".join(
            f'<li><a href="{html.escape(i["hosted_invoice_url"])}">{html.escape(i["number"])}</a>'
            f" — {_euros(i['amount_due'])} € — {html.escape(i['status'])}</li>"
            for i in sorted(self.invoices.values(), key=lambda i: i["created"], reverse=True)
            if i["customer"] == customer["id"]
        )
        back = session["return_url"] or ""
        return PORTAL_PAGE.format(
            name=html.escape(customer["name"] or customer["id"]),
            rows=rows or "<li>Aucune facture pour l’instant.</li>",
            card="qui fonctionne" if self.cards_working.get(customer["id"], True) else "refusée",
            back=html.escape(back),
        )


def dev_plans_setup() -> None:
    """`make dev`: the towns' plans made again as prices of this fake, whose state is in
    memory (the plans' rows then name these prices)."""
    from billing.services.subscriptions import plans_default_setup

    for plan in plans_default_setup():
        print(f"stripe fake: plan {plan.code} is {plan.stripe_price_id}")


def _invoice_subscription(invoice: dict[str, Any]) -> str:
    return str(invoice["parent"]["subscription_details"]["subscription"])


def _euros(cents: int) -> str:
    return f"{cents / 100:.2f}".replace(".", ",")


INVOICE_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Facture {number} (Stripe simulé)</title></head>
<body><main>
<h1>Facture {number} : {amount} €</h1>
<p>État : {status}. Cette page remplace la facture hébergée de Stripe en développement.</p>
{action}
</main></body></html>
"""

PORTAL_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Espace de facturation (Stripe simulé)</title></head>
<body><main>
<h1>Espace de facturation : {name}</h1>
<p>Cette page remplace le portail client de Stripe en développement. Carte enregistrée : {card}.</p>
<h2>Factures</h2>
<ul>{rows}</ul>
<form method="post"><input type="hidden" name="action" value="card_ok">
<button type="submit">Enregistrer une carte qui fonctionne et payer les factures en attente</button></form>
<form method="post"><input type="hidden" name="action" value="card_fails">
<button type="submit">Enregistrer une carte refusée (essai)</button></form>
<form method="post"><input type="hidden" name="action" value="period_end">
<button type="submit">Finir la période maintenant (essai)</button></form>
<p><a href="{back}">Revenir au portail</a></p>
</main></body></html>
"""


class FakeStripe(FakeSubscriptions):
    """The fake's state and behaviour; `start()` serves it over HTTP on `host:port`."""

    def __init__(
        self,
        *,
        secret_key: str,
        webhook_secret: str,
        webhook_url: str = "",
        webhook_host: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
        livemode: bool = False,
        clock: Callable[[], float] = time.time,
        payout_seconds: float = 0,
    ) -> None:
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.webhook_url = webhook_url
        # The Host header of webhook POSTs, when the receiver routes by host name.
        self.webhook_host = webhook_host
        self.livemode = livemode
        self.clock = clock
        self.accounts: dict[str, dict[str, Any]] = {}
        self.account_links: dict[str, dict[str, Any]] = {}
        self.checkout_sessions: dict[str, dict[str, Any]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.transfers: dict[str, dict[str, Any]] = {}
        self.transfer_reversals: dict[str, dict[str, Any]] = {}
        # Payouts: each connected account's available balance (cents, eur), its payouts, and
        # the automatic payout period (0: only when a test calls payout_make).
        self.balances: dict[str, int] = {}
        self.payouts: dict[str, dict[str, Any]] = {}
        self._payout_accounts: dict[str, str] = {}
        self.payout_seconds = payout_seconds
        self._stopped = threading.Event()
        # Set by a test to make every transfer reversal fail the way Stripe refuses one.
        self.fail_reversals = False
        # What the card page asks, per session: a 3-D Secure challenge awaiting its answer.
        self._challenges: set[str] = set()
        self._session_intent_data: dict[str, dict[str, Any]] = {}
        self._subscriptions_init()
        self.events: list[dict[str, Any]] = []
        self.deliveries: list[Delivery] = []
        self.requests: list[tuple[str, str]] = []
        self._replies: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
        self._lock = threading.RLock()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- Serving -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "FakeStripe":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self._payout_schedule_start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (`make dev`)."""
        self._payout_schedule_start()
        self._server.serve_forever()

    def stop(self) -> None:
        self._stopped.set()
        self._server.shutdown()
        self._server.server_close()

    def _payout_schedule_start(self) -> None:
        if self.payout_seconds > 0:
            threading.Thread(target=self._payout_schedule, daemon=True).start()

    def _payout_schedule(self) -> None:
        while not self._stopped.wait(self.payout_seconds):
            self.payouts_run()

    # --- The API -------------------------------------------------------------------------

    def handle(
        self, method: str, path: str, query: dict[str, Any], form: dict[str, Any], headers: Any
    ) -> tuple[int, dict[str, Any]]:
        basic = base64.b64encode(f"{self.secret_key}:".encode()).decode()
        if headers.get("Authorization") not in (f"Bearer {self.secret_key}", f"Basic {basic}"):
            raise StripeFakeError(HTTPStatus.UNAUTHORIZED, "Invalid API Key provided.")
        self.requests.append((method, path))
        key = headers.get("Idempotency-Key")
        with self._lock:
            if method == "POST" and key and (key, path) in self._replies:
                status, body = self._replies[(key, path)]
                if status != HTTPStatus.OK:
                    raise StripeFakeError.replayed(status, body)
                return status, body
            try:
                reply = HTTPStatus.OK, self._route(method, path, query, form, headers)
            except StripeFakeError as error:
                # Stripe keeps a key's first answer, a refusal too: the same key gets it again.
                if method == "POST" and key and error.status < HTTPStatus.INTERNAL_SERVER_ERROR:
                    self._replies[(key, path)] = error.status, error.body
                raise
            if method == "POST" and key:
                self._replies[(key, path)] = reply
            return reply

    def _route(
        self, method: str, path: str, query: dict[str, Any], form: dict[str, Any], headers: Any
    ) -> dict[str, Any]:
        parts = path.strip("/").split("/")
        billing = self.subscriptions_route(method, parts, query, form)
        if billing is not None:
            return billing
        match method, parts:
            case "POST", ["v1", "accounts"]:
                return self.account_create(form)
            case "GET", ["v1", "accounts", account_id]:
                return copy.deepcopy(self._account(account_id))
            case "POST", ["v1", "account_links"]:
                return self.account_link_create(form)
            case "POST", ["v1", "checkout", "sessions"]:
                return self.checkout_session_create(form)
            case "GET", ["v1", "checkout", "sessions", session_id]:
                return copy.deepcopy(self._found(self.checkout_sessions, session_id, "session"))
            case "GET", ["v1", "payment_intents", intent_id]:
                return copy.deepcopy(self._found(self.payment_intents, intent_id, "payment_intent"))
            case "GET", ["v1", "charges", charge_id]:
                return copy.deepcopy(self._found(self.charges, charge_id, "charge"))
            case "POST", ["v1", "refunds"]:
                return self.refund_create(form)
            case "GET", ["v1", "refunds"]:
                return self.refunds_list(query)
            case "GET", ["v1", "refunds", refund_id]:
                return copy.deepcopy(self._found(self.refunds, refund_id, "refund"))
            case "POST", ["v1", "transfers"]:
                return self.transfer_create(form)
            case "POST", ["v1", "transfers", transfer_id, "reversals"]:
                return self.transfer_reversal_create(transfer_id, form)
            case "GET", ["v1", "events"]:
                return self.events_list(query, connected_account=headers.get("Stripe-Account"))
            case "GET", ["v1", "payouts"]:
                return self.payouts_list(query, connected_account=headers.get("Stripe-Account"))
            case "GET", ["v1", "payouts", payout_id]:
                return self.payout_retrieve(payout_id, headers.get("Stripe-Account"))
            case "GET", ["v1", "events", event_id]:
                for event in self.events:
                    if event["id"] == event_id:
                        return copy.deepcopy(event)
                raise StripeFakeError(
                    HTTPStatus.NOT_FOUND, f"No such event: '{event_id}'", code="resource_missing"
                )
        raise StripeFakeError(HTTPStatus.NOT_FOUND, f"Unrecognized request URL ({method}: {path}).")

    def _account(self, account_id: str) -> dict[str, Any]:
        try:
            return self.accounts[account_id]
        except KeyError:
            raise StripeFakeError(
                HTTPStatus.NOT_FOUND,
                f"No such account: '{account_id}'",
                code="resource_missing",
                param="account",
            ) from None

    def _found(self, objects: dict[str, dict[str, Any]], key: str, name: str) -> dict[str, Any]:
        try:
            return objects[key]
        except KeyError:
            raise StripeFakeError(
                HTTPStatus.NOT_FOUND, f"No such {name}: '{key}'", code="resource_missing"
            ) from None

    def account_create(self, form: dict[str, Any]) -> dict[str, Any]:
        if form.get("type") not in ("express", "standard", "custom"):
            raise StripeFakeError(HTTPStatus.BAD_REQUEST, "Invalid type.", param="type")
        requested = form.get("capabilities", {})
        account = {
            "id": f"acct_{secrets.token_hex(8)}",
            "object": "account",
            "type": form["type"],
            "country": form.get("country", "FR"),
            "email": form.get("email"),
            "default_currency": "eur",
            "created": int(self.clock()),
            "business_profile": {
                "name": form.get("business_profile", {}).get("name"),
                "mcc": None,
                "url": None,
            },
            "business_type": None,
            "capabilities": {
                name: "inactive" for name, asked in requested.items() if _truthy(asked["requested"])
            },
            "charges_enabled": False,
            "payouts_enabled": False,
            "details_submitted": False,
            "metadata": form.get("metadata", {}),
            "requirements": {
                "alternatives": [],
                "current_deadline": None,
                "currently_due": list(NEW_ACCOUNT_DUE),
                "disabled_reason": "requirements.past_due",
                "errors": [],
                "eventually_due": list(NEW_ACCOUNT_DUE),
                "past_due": list(NEW_ACCOUNT_DUE),
                "pending_verification": [],
            },
        }
        self.accounts[account["id"]] = account
        return copy.deepcopy(account)

    def account_link_create(self, form: dict[str, Any]) -> dict[str, Any]:
        for field in ("account", "refresh_url", "return_url", "type"):
            if not form.get(field):
                raise StripeFakeError(
                    HTTPStatus.BAD_REQUEST, f"Missing required param: {field}.", param=field
                )
        self._account(form["account"])
        link_id = secrets.token_urlsafe(12)
        created = int(self.clock())
        self.account_links[link_id] = {
            "account": form["account"],
            "refresh_url": form["refresh_url"],
            "return_url": form["return_url"],
            "expires_at": created + LINK_LIFETIME,
            "used": False,
        }
        return {
            "object": "account_link",
            "created": created,
            "expires_at": created + LINK_LIFETIME,
            "url": f"{self.url}/connect/onboarding/{link_id}",
        }

    def events_list(
        self, query: dict[str, Any], *, connected_account: str | None
    ) -> dict[str, Any]:
        self._connected_check(connected_account)
        types = set(query.get("types", [])) | ({query["type"]} if query.get("type") else set())
        created = query.get("created", {})
        matching = [
            event
            for event in reversed(self.events)
            if event.get("account") == connected_account
            and (not types or event["type"] in types)
            and event["created"] >= int(created.get("gte", 0))
        ]
        return _list_page(matching, query, url="/v1/events")

    def _connected_check(self, connected_account: str | None) -> None:
        if connected_account is not None and connected_account not in self.accounts:
            raise StripeFakeError(
                HTTPStatus.FORBIDDEN,
                f"The provided key does not have access to account '{connected_account}' (or "
                "that account does not exist). Application access may have been revoked.",
                code="account_invalid",
            )

    def payouts_list(
        self, query: dict[str, Any], *, connected_account: str | None
    ) -> dict[str, Any]:
        """A connected account's payouts, newest first (the platform's own: none here)."""
        self._connected_check(connected_account)
        created = query.get("created", {})
        matching = [
            payout
            for payout in reversed(self.payouts.values())
            if self._payout_accounts[payout["id"]] == connected_account
            and payout["created"] >= int(created.get("gte", 0))
            and query.get("status", payout["status"]) == payout["status"]
        ]
        return _list_page(matching, query, url="/v1/payouts")

    def payout_retrieve(self, payout_id: str, connected_account: str | None) -> dict[str, Any]:
        payout = self.payouts.get(payout_id)
        if payout is None or self._payout_accounts[payout_id] != connected_account:
            raise StripeFakeError(
                HTTPStatus.NOT_FOUND, f"No such payout: '{payout_id}'", code="resource_missing"
            )
        return copy.deepcopy(payout)

    def checkout_session_create(self, form: dict[str, Any]) -> dict[str, Any]:
        """A hosted payment page (mode "payment"); its PaymentIntent is made when the shopper
        first submits a card, as Stripe does, with `payment_intent_data`'s fields."""
        for field in ("mode", "success_url", "line_items"):
            if not form.get(field):
                raise StripeFakeError(
                    HTTPStatus.BAD_REQUEST, f"Missing required param: {field}.", param=field
                )
        currencies = {line["price_data"]["currency"] for line in form["line_items"]}
        if len(currencies) != 1:
            raise StripeFakeError(HTTPStatus.BAD_REQUEST, "One currency per session.")
        amount = sum(
            int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1))
            for line in form["line_items"]
        )
        session_id = f"cs_test_{secrets.token_hex(12)}"
        created = int(self.clock())
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_total": amount,
            "cancel_url": form.get("cancel_url"),
            "client_reference_id": form.get("client_reference_id"),
            "created": created,
            "currency": currencies.pop(),
            "expires_at": int(form.get("expires_at") or created + 86400),
            "livemode": self.livemode,
            "metadata": form.get("metadata", {}),
            "mode": form["mode"],
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": form["success_url"],
            "url": f"{self.url}/checkout/pay/{session_id}",
        }
        self.checkout_sessions[session_id] = session
        self._session_intent_data[session_id] = form.get("payment_intent_data", {})
        return copy.deepcopy(session)

    def refund_create(self, form: dict[str, Any]) -> dict[str, Any]:
        intent = self._found(self.payment_intents, form.get("payment_intent", ""), "payment_intent")
        charge = self.charges.get(intent["latest_charge"] or "")
        if charge is None:
            raise StripeFakeError(
                HTTPStatus.BAD_REQUEST,
                "This PaymentIntent does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        amount = _amount_within(
            form.get("amount"),
            total=charge["amount"],
            taken=charge["amount_refunded"],
            refused="Refund amount ({amount}) is greater than unrefunded amount on charge ({left})",
        )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        refund = {
            "id": f"re_{secrets.token_hex(12)}",
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": int(self.clock()),
            "currency": charge["currency"],
            "metadata": form.get("metadata", {}),
            "payment_intent": intent["id"],
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        self.event_emit("charge.refunded", charge)
        return copy.deepcopy(refund)

    def refunds_list(self, query: dict[str, Any]) -> dict[str, Any]:
        """A charge's (or PaymentIntent's) refunds, newest first, as Stripe pages them."""
        matching = [
            refund
            for refund in reversed(self.refunds.values())
            if (not query.get("charge") or refund["charge"] == query["charge"])
            and (
                not query.get("payment_intent")
                or refund["payment_intent"] == query["payment_intent"]
            )
        ]
        return _list_page(matching, query, url="/v1/refunds")

    def dashboard_refund(self, payment_intent: str, amount: int) -> dict[str, Any]:
        """Someone refunds `amount` of a payment in Stripe's dashboard (no metadata of ours)."""
        with self._lock:
            return self.refund_create({"payment_intent": payment_intent, "amount": str(amount)})

    def transfer_create(self, form: dict[str, Any]) -> dict[str, Any]:
        self._account(form.get("destination", ""))
        amount = int(form.get("amount") or 0)
        source = form.get("source_transaction")
        if source is not None:
            charge = self._found(self.charges, source, "charge")
            taken = sum(
                transfer["amount"]
                for transfer in self.transfers.values()
                if transfer["source_transaction"] == source
            )
            if taken + amount > charge["amount"]:
                raise StripeFakeError(
                    HTTPStatus.BAD_REQUEST,
                    "Transfers from this charge exceed its amount.",
                    code="insufficient_funds",
                )
        if amount <= 0:
            raise StripeFakeError(HTTPStatus.BAD_REQUEST, "Invalid integer.", param="amount")
        transfer = {
            "id": f"tr_{secrets.token_hex(12)}",
            "object": "transfer",
            "amount": amount,
            "amount_reversed": 0,
            "created": int(self.clock()),
            "currency": form.get("currency", "eur"),
            "destination": form["destination"],
            "livemode": self.livemode,
            "metadata": form.get("metadata", {}),
            "reversed": False,
            "source_transaction": source,
            "transfer_group": form.get("transfer_group"),
        }
        self.transfers[transfer["id"]] = transfer
        self.balances[transfer["destination"]] = (
            self.balances.get(transfer["destination"], 0) + amount
        )
        return copy.deepcopy(transfer)

    def transfer_reversal_create(self, transfer_id: str, form: dict[str, Any]) -> dict[str, Any]:
        transfer = self._found(self.transfers, transfer_id, "transfer")
        if self.fail_reversals:
            raise StripeFakeError(
                HTTPStatus.BAD_REQUEST,
                "Insufficient funds in the connected account to reverse this transfer.",
                code="insufficient_funds",
            )
        amount = _amount_within(
            form.get("amount"),
            total=transfer["amount"],
            taken=transfer["amount_reversed"],
            refused="Reversal amount ({amount}) is greater than the transfer's unreversed amount"
            " ({left})",
        )
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        reversal = {
            "id": f"trr_{secrets.token_hex(12)}",
            "object": "transfer_reversal",
            "amount": amount,
            "created": int(self.clock()),
            "currency": transfer["currency"],
            "metadata": form.get("metadata", {}),
            "transfer": transfer["id"],
        }
        self.transfer_reversals[reversal["id"]] = reversal
        self.balances[transfer["destination"]] = (
            self.balances.get(transfer["destination"], 0) - amount
        )
        return copy.deepcopy(reversal)

    # --- What people do on Stripe's pages, and what Stripe does by itself ------------------

    def card_submit(self, session_id: str, *, card: str = "", challenge: str = "") -> str:
        """The shopper pays session `session_id` with `card` (Stripe's test numbers), or answers
        its 3-D Secure challenge ("pass"/"fail"). The URL to send them to next: the platform's
        success URL once paid, "" to show the card page again (declined, or challenged)."""
        with self._lock:
            session = self.checkout_sessions.get(session_id)
            if session is None or session["status"] != "open":
                return session["success_url"] if session else ""
            intent = self._session_intent(session)
            number = card.replace(" ", "")
            if challenge:
                if session_id not in self._challenges:
                    return ""
                self._challenges.discard(session_id)
                if challenge != "pass":
                    self._intent_fail(intent, "payment_intent_authentication_failure")
                    return ""
            elif number == THREE_D_SECURE_CARD:
                self._challenges.add(session_id)
                intent["status"] = "requires_action"
                return ""
            elif number in DECLINED_CARDS or number not in ACCEPTED_CARDS:
                self._intent_fail(intent, DECLINED_CARDS.get(number, "incorrect_number"))
                return ""
            self._intent_succeed(intent)
            session.update(status="complete", payment_status="paid")
            self.event_emit("checkout.session.completed", session)
            return str(session["success_url"]).replace("{CHECKOUT_SESSION_ID}", session_id)

    def card_challenged(self, session_id: str) -> bool:
        return session_id in self._challenges

    def _session_intent(self, session: dict[str, Any]) -> dict[str, Any]:
        if session["payment_intent"]:
            return self.payment_intents[session["payment_intent"]]
        data = self._session_intent_data.get(session["id"], {})
        intent = {
            "id": f"pi_{secrets.token_hex(12)}",
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_received": 0,
            "created": int(self.clock()),
            "currency": session["currency"],
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": self.livemode,
            "metadata": data.get("metadata", {}),
            "status": "requires_payment_method",
            "transfer_group": data.get("transfer_group"),
        }
        self.payment_intents[intent["id"]] = intent
        session["payment_intent"] = intent["id"]
        return intent

    def _intent_fail(self, intent: dict[str, Any], code: str) -> None:
        intent["status"] = "requires_payment_method"
        intent["last_payment_error"] = {
            "type": "card_error",
            "code": "card_declined" if code.endswith("decline") else code,
            "decline_code": code if code.endswith("decline") else None,
            "message": CARD_ERRORS.get(code, CARD_ERRORS["generic_decline"]),
        }
        self.event_emit("payment_intent.payment_failed", intent)

    def _intent_succeed(self, intent: dict[str, Any]) -> None:
        charge = {
            "id": f"ch_{secrets.token_hex(12)}",
            "object": "charge",
            "amount": intent["amount"],
            "amount_refunded": 0,
            "created": int(self.clock()),
            "currency": intent["currency"],
            "livemode": self.livemode,
            "metadata": intent["metadata"],
            "paid": True,
            "payment_intent": intent["id"],
            "refunded": False,
            "status": "succeeded",
            "transfer_group": intent["transfer_group"],
        }
        self.charges[charge["id"]] = charge
        intent.update(
            status="succeeded",
            amount_received=intent["amount"],
            latest_charge=charge["id"],
            last_payment_error=None,
        )
        self.event_emit("charge.succeeded", charge)
        self.event_emit("payment_intent.succeeded", intent)

    def payout_make(self, account_id: str, *, arrival_days: int = 2) -> dict[str, Any] | None:
        """Stripe's automatic payout: the account's whole available balance to its bank, due
        `arrival_days` later; emits payout.created. None when there is nothing to pay out."""
        with self._lock:
            self._account(account_id)
            amount = self.balances.get(account_id, 0)
            if amount <= 0:
                return None
            created = int(self.clock())
            payout: dict[str, Any] = {
                "id": f"po_{secrets.token_hex(12)}",
                "object": "payout",
                "amount": amount,
                "arrival_date": (created // 86400 + arrival_days) * 86400,
                "automatic": True,
                "balance_transaction": f"txn_{secrets.token_hex(12)}",
                "created": created,
                "currency": "eur",
                "description": "STRIPE PAYOUT",
                "destination": f"ba_{account_id.removeprefix('acct_')}",
                "failure_balance_transaction": None,
                "failure_code": None,
                "failure_message": None,
                "livemode": self.livemode,
                "metadata": {},
                "method": "standard",
                "source_type": "card",
                "statement_descriptor": None,
                "status": "pending",
                "type": "bank_account",
            }
            self.balances[account_id] = 0
            self.payouts[payout["id"]] = payout
            self._payout_accounts[payout["id"]] = account_id
            self.event_emit("payout.created", payout, account=account_id)
            return copy.deepcopy(payout)

    def payout_advance(self, payout_id: str, status: str) -> dict[str, Any]:
        """The bank's side of a payout: "in_transit" (payout.updated), "paid", "failed" (the
        money goes back to the balance) or "canceled"; the event emitted."""
        events = {
            "in_transit": "payout.updated",
            "paid": "payout.paid",
            "failed": "payout.failed",
            "canceled": "payout.canceled",
        }
        with self._lock:
            payout = self._found(self.payouts, payout_id, "payout")
            account_id = self._payout_accounts[payout_id]
            previous = {"status": payout["status"]}
            payout["status"] = status
            if status == "failed":
                payout.update(
                    failure_code="account_closed",
                    failure_message="The bank account has been closed.",
                    failure_balance_transaction=f"txn_{secrets.token_hex(12)}",
                )
            if status in ("failed", "canceled"):
                self.balances[account_id] = self.balances.get(account_id, 0) + payout["amount"]
            return self.event_emit(events[status], payout, account=account_id, previous=previous)

    def payouts_run(self) -> None:
        """One period of automatic payouts: those made before are paid, then each account
        that may be paid out gets its balance."""
        with self._lock:
            for payout in list(self.payouts.values()):
                if payout["status"] in ("pending", "in_transit"):
                    self.payout_advance(payout["id"], "paid")
            for account_id, account in list(self.accounts.items()):
                if account["payouts_enabled"]:
                    self.payout_make(account_id)

    def onboarding_submit(self, link_id: str, *, complete: bool) -> str:
        """Someone filled in the link's account (all of it, or stopped early); the URL Stripe
        sends them to next."""
        with self._lock:
            link = self.account_links.get(link_id)
            if link is None or link["used"] or link["expires_at"] < self.clock():
                return link["refresh_url"] if link else ""
            link["used"] = True
            if complete:
                self.account_update(link["account"], due=[], deadline=None, enabled=True)
            else:
                deadline = int(self.clock()) + PARTIAL_DEADLINE_DAYS * 86400
                self.account_update(
                    link["account"], due=list(PARTIAL_DUE), deadline=deadline, enabled=False
                )
            return link["return_url"]

    def account_update(
        self, account_id: str, *, due: list[str], deadline: int | None, enabled: bool
    ) -> dict[str, Any]:
        """Change an account's state as Stripe's verification would, and emit account.updated."""
        with self._lock:
            account = self._account(account_id)
            previous = {"requirements": copy.deepcopy(account["requirements"])}
            account["details_submitted"] = True
            account["charges_enabled"] = enabled
            account["payouts_enabled"] = enabled
            account["business_type"] = "individual"
            account["capabilities"] = dict.fromkeys(
                account["capabilities"], "active" if enabled else "pending"
            )
            account["requirements"].update(
                currently_due=list(due),
                eventually_due=list(due),
                past_due=[],
                current_deadline=deadline,
                disabled_reason=None if enabled else "requirements.pending_verification",
            )
            return self.event_emit(
                "account.updated", account, account=account_id, previous=previous
            )

    def event_emit(
        self,
        event_type: str,
        obj: dict[str, Any],
        *,
        account: str | None = None,
        previous: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record an event and deliver it as a signed webhook."""
        event: dict[str, Any] = {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": API_VERSION,
            "created": int(self.clock()),
            "data": {"object": copy.deepcopy(obj)},
            "livemode": self.livemode,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        if previous is not None:
            event["data"]["previous_attributes"] = previous
        if account is not None:
            event["account"] = account
        with self._lock:
            self.events.append(event)
            delivery = self.delivery_sign(event)
            self.deliveries.append(delivery)
        if self.webhook_url:
            threading.Thread(target=self._post, args=(delivery,), daemon=True).start()
        return copy.deepcopy(event)

    def delivery_sign(self, event: dict[str, Any], *, timestamp: int | None = None) -> Delivery:
        payload = json.dumps(event, indent=2).encode()
        stamp = int(self.clock()) if timestamp is None else timestamp
        return Delivery(event["id"], payload, signature_header(payload, self.webhook_secret, stamp))

    def _post(self, delivery: Delivery) -> None:
        headers = {"Content-Type": "application/json", "Stripe-Signature": delivery.signature}
        if self.webhook_host:
            headers["Host"] = self.webhook_host
        request = urllib.request.Request(
            self.webhook_url, data=delivery.payload, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except OSError as error:
            # Stripe would retry for three days; the platform's reconciliation repairs it.
            print(f"stripe fake: webhook {delivery.event_id} not delivered: {error}")

    # --- The hosted onboarding page ------------------------------------------------------

    def onboarding_page(self, link_id: str) -> str:
        link = self.account_links.get(link_id)
        if link is None:
            return ""
        account = self.accounts[link["account"]]
        name = html.escape(account["business_profile"]["name"] or account["id"])
        return ONBOARDING_PAGE.format(name=name, link=html.escape(link_id))

    # --- The hosted card page (Stripe Checkout's stand-in) ---------------------------------

    def card_page(self, session_id: str) -> str:
        session = self.checkout_sessions.get(session_id)
        if session is None:
            return ""
        intent = self.payment_intents.get(session["payment_intent"] or "")
        error = (intent or {}).get("last_payment_error") or {}
        amount = f"{session['amount_total'] / 100:.2f}".replace(".", ",")
        if session_id in self._challenges:
            return CHALLENGE_PAGE.format(amount=amount)
        notice = (
            f'<p role="alert">Paiement refusé : {html.escape(error["message"])}</p>'
            if error
            else ""
        )
        cancel = session["cancel_url"]
        back = f'<p><a href="{html.escape(cancel)}">Revenir au site</a></p>' if cancel else ""
        return CARD_PAGE.format(amount=amount, notice=notice, back=back)


CARD_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Paiement (Stripe simulé)</title></head>
<body><main>
<h1>Payer {amount} € (Stripe simulé)</h1>
<p>Cette page remplace Stripe Checkout en développement : rien ne quitte votre machine.
Cartes de test : 4242 4242 4242 4242 (acceptée), 4000 0027 6000 3184 (3-D Secure),
4000 0000 0000 0002 (refusée).</p>
{notice}
<form method="post">
<label for="card">Numéro de carte</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required>
<button type="submit">Payer</button>
</form>
{back}
</main></body></html>
"""

CHALLENGE_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>3-D Secure (simulé)</title></head>
<body><main>
<h1>Authentification 3-D Secure (simulée)</h1>
<p>Votre banque vous demande de confirmer ce paiement de {amount} €.</p>
<form method="post"><input type="hidden" name="challenge" value="pass">
<button type="submit">Confirmer le paiement</button></form>
<form method="post"><input type="hidden" name="challenge" value="fail">
<button type="submit">Refuser</button></form>
</main></body></html>
"""

ONBOARDING_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Stripe (simulé) — {name}</title></head>
<body><main>
<h1>Stripe Express (simulé) : {name}</h1>
<p>Cette page remplace celle de Stripe en développement : rien ne quitte votre machine.</p>
<form method="post"><input type="hidden" name="action" value="complete">
<button type="submit">Envoyer toutes les informations</button></form>
<form method="post"><input type="hidden" name="action" value="partial">
<button type="submit">Finir plus tard</button></form>
</main></body></html>
"""


def _handler_for(fake: FakeStripe) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: tests and `make dev` read the fake's state, not its access log."""

        def _body(self) -> str:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length).decode() if length else ""

        def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _api(self, method: str) -> None:
            split = urlsplit(self.path)
            body = self._body()
            if split.path.startswith("/connect/onboarding/"):
                self._onboarding(method, split.path.rsplit("/", 1)[-1], body)
                return
            if split.path.startswith(HOSTED_BILLING_PREFIXES):
                status, page, kind, extra = fake.hosted_billing_page(
                    method, split.path, form_decode(body)
                )
                self._send(status, page, kind, **extra)
                return
            if split.path.startswith("/checkout/pay/"):
                self._card(method, split.path.rsplit("/", 1)[-1], body)
                return
            try:
                status, answer = fake.handle(
                    method, split.path, form_decode(split.query), form_decode(body), self.headers
                )
            except StripeFakeError as error:
                status, answer = error.status, error.body
            self._send(
                status,
                json.dumps(answer).encode(),
                "application/json",
                **{"Request-Id": f"req_{secrets.token_hex(7)}", "Stripe-Version": API_VERSION},
            )

        def _onboarding(self, method: str, link_id: str, body: str) -> None:
            if method == "POST":
                complete = form_decode(body).get("action") == "complete"
                target = fake.onboarding_submit(link_id, complete=complete)
                if target:
                    self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", Location=target)
                    return
            else:
                link = fake.account_links.get(link_id)
                if link and (link["used"] or link["expires_at"] < fake.clock()):
                    self._send(HTTPStatus.FOUND, b"", "text/plain", Location=link["refresh_url"])
                    return
                page = fake.onboarding_page(link_id)
                if page:
                    self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
                    return
            self._send(HTTPStatus.NOT_FOUND, b"Unknown link", "text/plain")

        def _card(self, method: str, session_id: str, body: str) -> None:
            if method == "POST":
                form = form_decode(body)
                target = fake.card_submit(
                    session_id, card=form.get("card", ""), challenge=form.get("challenge", "")
                )
                if target:
                    self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", Location=target)
                    return
            page = fake.card_page(session_id)
            if page:
                self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
                return
            self._send(HTTPStatus.NOT_FOUND, b"Unknown session", "text/plain")

        def do_GET(self) -> None:
            self._api("GET")

        def do_POST(self) -> None:
            self._api("POST")

        def do_DELETE(self) -> None:
            self._api("DELETE")

    return Handler


def main() -> None:
    """Serve the fake for `make dev`, on the address and with the secrets the settings name."""
    import django
    from django.conf import settings

    django.setup()
    address = urlsplit(settings.STRIPE_API_BASE)
    port = settings.SITE_PORT or "8000"
    webhook_url = f"http://127.0.0.1:{port}/billing/webhooks/stripe/"
    fake = FakeStripe(
        secret_key=settings.STRIPE_SECRET_KEY,
        webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
        webhook_url=webhook_url,
        webhook_host=f"{settings.ROOT_DOMAIN}:{port}",
        host=address.hostname or "127.0.0.1",
        port=address.port or 12111,
        payout_seconds=float(getattr(settings, "STRIPE_FAKE_PAYOUT_SECONDS", 0)),
    )
    print(f"Stripe fake on {fake.url}, webhooks to {webhook_url}")
    fake.start()
    dev_plans_setup()
    assert fake._thread is not None
    fake._thread.join()


if __name__ == "__main__":
    main()
