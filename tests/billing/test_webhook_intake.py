"""POST /billing/webhooks/stripe/ on the root host: only a genuine, fresh event of this mode is
stored, once, and handled; anything else is refused (or ignored) with nothing written."""

import copy
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import RequestFactory

from billing.models import ConnectAccount
from billing.shared.models import ConnectAccountTown, StripeEvent
from billing.views import stripe_webhook
from tests.billing.builders import WEBHOOK_PATH, connected, deliver, signed
from tests.conftest import inside
from tests.fakes.stripe_server import Delivery, signature_header


def billing_rows(*towns) -> tuple:
    """Every billing row, in the public schema and each town's."""
    public = (
        list(StripeEvent.objects.values_list("stripe_id", "outcome", "processed_at")),
        list(ConnectAccountTown.objects.values_list("stripe_account_id", "town_id")),
    )
    per_town = []
    for town in towns:
        with inside(town):
            per_town.append(list(ConnectAccount.objects.order_by("pk").values()))
    return (*public, *per_town)


@pytest.fixture
def account_updated(fake_stripe, town_a, shop_a) -> tuple[ConnectAccount, dict]:
    """A's shop connected, and Stripe's event saying its account can now take payments."""
    account = connected(town_a, shop_a)
    event = fake_stripe.account_update(
        account.stripe_account_id, due=[], deadline=None, enabled=True
    )
    return account, event


def test_a_genuine_event_is_stored_once_and_handled(
    root_client, town_a, account_updated, django_capture_on_commit_callbacks
):
    account, event = account_updated

    with django_capture_on_commit_callbacks(execute=True):
        status = deliver(root_client, signed(event))

    assert status == 200
    stored = StripeEvent.objects.get()
    assert (stored.stripe_id, stored.type, stored.account) == (
        event["id"],
        "account.updated",
        account.stripe_account_id,
    )
    assert (stored.outcome, stored.town_id) == (StripeEvent.Outcome.APPLIED, town_a.pk)
    with inside(town_a):
        account.refresh_from_db()
    assert account.charges_enabled and account.payouts_enabled and account.details_submitted
    assert account.state_source == event["id"]


def _tampered(event: dict) -> Delivery:
    genuine = signed(event)
    body = json.loads(genuine.payload)
    body["data"]["object"]["charges_enabled"] = False
    return Delivery(genuine.event_id, json.dumps(body).encode(), genuine.signature)


def _unsigned(event: dict) -> Delivery:
    return Delivery(event["id"], json.dumps(event).encode(), "")


def _stale(event: dict) -> Delivery:
    return signed(event, timestamp=int(time.time()) - 301)


def _other_secret(event: dict) -> Delivery:
    return signed(event, secret="whsec_someone_else")


def _not_json(event: dict) -> Delivery:
    """Signed with our secret, but not an event: the body does not parse."""
    body = b"{not json"
    stamp = int(time.time())
    return Delivery(
        event["id"], body, signature_header(body, settings.STRIPE_WEBHOOK_SECRET, stamp)
    )


def _signed_body(event: dict, body: bytes) -> Delivery:
    return Delivery(
        event["id"], body, signature_header(body, settings.STRIPE_WEBHOOK_SECRET, int(time.time()))
    )


def _not_an_event(event: dict) -> Delivery:
    """Signed with our secret, JSON, but not an event (a list Stripe's API would answer)."""
    return _signed_body(event, json.dumps({"object": "list", "data": [event]}).encode())


def _without_created(event: dict) -> Delivery:
    """Signed with our secret, an event, but without the time Stripe created it."""
    body = {key: value for key, value in event.items() if key != "created"}
    return _signed_body(event, json.dumps(body).encode())


@pytest.mark.parametrize(
    "forged",
    [_unsigned, _tampered, _stale, _other_secret, _not_json, _not_an_event, _without_created],
    ids=lambda forge: forge.__name__.strip("_"),
)
def test_a_webhook_that_does_not_hold_is_refused_and_writes_nothing(
    root_client, town_a, town_b, account_updated, forged, django_capture_on_commit_callbacks
):
    _, event = account_updated
    before = billing_rows(town_a, town_b)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        status = deliver(root_client, forged(event))

    assert status == 400
    assert queued == []
    assert billing_rows(town_a, town_b) == before


def test_an_event_of_the_other_mode_is_ignored_and_writes_nothing(
    root_client, town_a, town_b, account_updated, django_capture_on_commit_callbacks
):
    _, event = account_updated
    live = copy.deepcopy(event) | {"livemode": True}
    before = billing_rows(town_a, town_b)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        status = deliver(root_client, signed(live))

    assert status == 200
    assert queued == []
    assert billing_rows(town_a, town_b) == before


def test_the_webhook_lives_on_the_root_host_only(client_a, account_updated):
    _, event = account_updated
    delivery = signed(event)

    response = client_a.post(
        WEBHOOK_PATH,
        data=delivery.payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=delivery.signature,
    )

    assert response.status_code == 404
    assert not StripeEvent.objects.exists()


def test_the_webhook_is_answered_right_after_routing(root_client, account_updated):
    """Nothing of the stack after routing runs for it (sessions, CSRF, users…): the last
    middleware's mark, the frame-options header every other page carries, is absent."""
    _, event = account_updated
    delivery = signed(event)

    response = root_client.post(
        WEBHOOK_PATH,
        data=delivery.payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=delivery.signature,
    )

    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "X-Frame-Options" in root_client.get("/")
    assert StripeEvent.objects.filter(stripe_id=event["id"]).exists()


def test_the_webhook_takes_posts_only(root_client):
    assert root_client.get(WEBHOOK_PATH).status_code == 405


def test_a_repeated_delivery_answers_200_and_stores_one_row_handled_once(
    root_client, town_a, account_updated, django_capture_on_commit_callbacks
):
    _, event = account_updated
    delivery = signed(event)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        statuses = [deliver(root_client, delivery) for _ in range(3)]

    assert statuses == [200, 200, 200]
    assert len(queued) == 1
    assert list(StripeEvent.objects.values_list("stripe_id", "outcome")) == [
        (event["id"], StripeEvent.Outcome.APPLIED)
    ]


def test_the_event_is_stored_as_delivered(root_client, account_updated):
    account, event = account_updated
    delivery = signed(event)

    assert deliver(root_client, delivery) == 200

    stored = StripeEvent.objects.get()
    assert stored.payload == json.loads(delivery.payload)
    assert (stored.type, stored.account, int(stored.created.timestamp())) == (
        "account.updated",
        account.stripe_account_id,
        event["created"],
    )
    assert (stored.processed_at, stored.outcome, stored.town_id) == (None, "", None)


@contextmanager
def request_finished_quiet() -> Iterator[None]:
    """As Django's test client closes a response: without closing the test's connection (and
    its transaction) at the end of the request."""
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_finished.connect(close_old_connections)


def test_the_event_is_handed_to_its_task_only_once_the_answer_is_sent(
    town_a, account_updated, django_capture_on_commit_callbacks
):
    account, event = account_updated
    delivery = signed(event)
    request = RequestFactory().post(
        WEBHOOK_PATH,
        data=delivery.payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=delivery.signature,
    )

    with django_capture_on_commit_callbacks(execute=True) as before:
        response = stripe_webhook(request)

    # Answered, the event stored, its task not queued yet: the broker is no part of the 2xx.
    assert response.status_code == 200
    assert before == []
    assert StripeEvent.objects.filter(stripe_id=event["id"], processed_at=None).exists()

    with django_capture_on_commit_callbacks(execute=True) as after, request_finished_quiet():
        response.close()  # what the WSGI server does once the answer is sent

    assert len(after) == 1
    assert StripeEvent.objects.get().outcome == StripeEvent.Outcome.APPLIED
    with inside(town_a):
        account.refresh_from_db()
    assert account.charges_enabled
