"""An offline Stripe: the subset of its REST API that Comptoir calls, over real HTTP.

The real `stripe` library talks to it (settings.STRIPE_API_BASE is its address), so requests are
encoded, sent, decoded and typed exactly as they would be with Stripe. It keeps its state in
memory, answers with Stripe's shapes (tests/billing/test_stripe_fake_contract.py holds it to the
library's own types), honours idempotency keys, and emits each event it creates as a signed
webhook (`Stripe-Signature: t=…,v1=…`, HMAC-SHA256 with the shared secret), POSTed to
`webhook_url` when one is given and always kept in `deliveries` for tests to hand over.

Endpoints: POST /v1/accounts, GET /v1/accounts/<id>, POST /v1/account_links, GET /v1/events
(newest first; `created[gte]`, `type`, `types[]`, `limit`, `starting_after`; a `Stripe-Account`
header lists that connected account's events), GET /v1/events/<id>; and the hosted onboarding
page an account link leads to, GET/POST /connect/onboarding/<link>, where a person fills in
(or leaves) the account's details and is sent back to the platform's return URL.

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
        return f"http://{host}:{port}"

    def start(self) -> "FakeStripe":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (`make dev`)."""
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

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
                return self._replies[(key, path)]
            reply = HTTPStatus.OK, self._route(method, path, query, form, headers)
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
            case "GET", ["v1", "events"]:
                return self.events_list(query, connected_account=headers.get("Stripe-Account"))
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
        if connected_account is not None and connected_account not in self.accounts:
            raise StripeFakeError(
                HTTPStatus.FORBIDDEN,
                f"The provided key does not have access to account '{connected_account}' (or "
                "that account does not exist). Application access may have been revoked.",
                code="account_invalid",
            )
        limit = min(int(query.get("limit", 10)), 100)
        types = set(query.get("types", [])) | ({query["type"]} if query.get("type") else set())
        created = query.get("created", {})
        matching = [
            event
            for event in reversed(self.events)
            if event.get("account") == connected_account
            and (not types or event["type"] in types)
            and event["created"] >= int(created.get("gte", 0))
        ]
        after = query.get("starting_after")
        if after:
            ids = [event["id"] for event in matching]
            matching = matching[ids.index(after) + 1 :] if after in ids else []
        page = matching[:limit]
        return {
            "object": "list",
            "url": "/v1/events",
            "has_more": len(matching) > limit,
            "data": copy.deepcopy(page),
        }

    # --- What people do on Stripe's pages, and what Stripe does by itself ------------------

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
    )
    print(f"Stripe fake on {fake.url}, webhooks to {webhook_url}")
    fake.serve_forever()


if __name__ == "__main__":
    main()
