"""POST /billing/webhooks/stripe/ on the root host: only a genuine, fresh event of this mode is
stored, once, and handled; anything else is refused (or ignored) with nothing written."""

import copy
import json
import time

import pytest
from django.conf import settings

from billing.models import ConnectAccount
from billing.shared.models import ConnectAccountTown, StripeEvent
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


@pytest.mark.parametrize(
    "forged",
    [_unsigned, _tampered, _stale, _other_secret, _not_json],
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


def test_the_webhook_takes_posts_only(root_client):
    assert root_client.get(WEBHOOK_PATH).status_code == 405
