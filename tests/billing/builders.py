"""Connect accounts made through billing's service against the fake, and webhooks delivered
as Stripe delivers them."""

import json
from typing import Any

import stripe
from django.conf import settings
from django.test import Client

from billing.models import ConnectAccount
from billing.services.connect import connect_account_create
from marketplace.directory.models import Merchant
from tenants.models import Town
from tests.conftest import inside
from tests.fakes.stripe_server import Delivery

WEBHOOK_PATH = "/billing/webhooks/stripe/"


def connected(town: Town, merchant: Merchant) -> ConnectAccount:
    """The merchant's Connect account, created through the service against the fake."""
    with inside(town):
        return connect_account_create(merchant=merchant)


def deliver(client: Client, delivery: Delivery) -> int:
    """POST a webhook as Stripe does; the answer's status."""
    response = client.post(
        WEBHOOK_PATH,
        data=delivery.payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=delivery.signature,
    )
    return response.status_code


def signed(event: dict[str, Any], *, timestamp: int | None = None, secret: str = "") -> Delivery:
    """An event signed with the platform's webhook secret (or `secret`) by Stripe's own helper."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )
    return Delivery(event["id"], payload.encode(), header)
