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
from typing import Any
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


class FakeStripe:
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
    fake.serve_forever()


if __name__ == "__main__":
    main()
