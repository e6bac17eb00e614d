"""Stripe's events, exactly once: the webhook intake, the record of each event, and its
handling in the town that owns it.

The intake verifies the signature on the raw body, ignores an event of the other mode (live
or test), stores its id once in the public schema in one statement, and hands it to its task
once the answer is sent; it never calls Stripe and never touches a town, so it answers at once. The handling locks the
event's row, does the work once, and marks it processed; a replayed or concurrent copy finds
it stored or processed and does nothing.
"""

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import stripe
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context

from billing.errors import WebhookRefused
from billing.models import ConnectAccount
from billing.selectors import connect_account_town
from billing.services.card_payments import (
    card_payment_failed,
    card_payment_succeeded,
    card_payment_town,
)
from billing.services.connect import connect_account_state_apply
from billing.services.order_refunds import card_refunds_sync
from billing.services.payouts import PAYOUT_EVENT_TYPES, payout_state_apply
from billing.services.subscriptions import SUBSCRIPTION_EVENT_TYPES, subscription_event_handle
from billing.shared.models import StripeEvent
from billing.stripe_api import stripe_object
from comptoir.celery import task_after_commit
from tenants.models import Town

logger = logging.getLogger(__name__)

Outcome = StripeEvent.Outcome


def _account_updated(event: stripe.Event) -> str:
    # The library builds an event's object as the class its "object" field names.
    account = cast(stripe.Account, event.data.object)
    if not ConnectAccount.objects.filter(stripe_account_id=account.id).exists():
        logger.warning("account.updated %s: no merchant of this town has %s", event.id, account.id)
        return Outcome.UNROUTED
    applied = connect_account_state_apply(account=account, as_of=event.created, source=event.id)
    return Outcome.APPLIED if applied else Outcome.OUTDATED


def _payment_intent_succeeded(event: stripe.Event) -> str:
    intent = cast(stripe.PaymentIntent, event.data.object)
    return Outcome.APPLIED if card_payment_succeeded(intent=intent) else Outcome.UNROUTED


def _payment_intent_failed(event: stripe.Event) -> str:
    intent = cast(stripe.PaymentIntent, event.data.object)
    return Outcome.APPLIED if card_payment_failed(intent=intent) else Outcome.UNROUTED


def _charge_refunded(event: stripe.Event) -> str:
    # A refund of ours, or one made in Stripe's dashboard (recorded once; replays find it).
    charge = cast(stripe.Charge, event.data.object)
    return Outcome.APPLIED if card_refunds_sync(charge=charge) else Outcome.UNROUTED


def _payout_changed(event: stripe.Event) -> str:
    payout = cast(stripe.Payout, event.data.object)
    account = getattr(event, "account", None) or ""
    if not ConnectAccount.objects.filter(stripe_account_id=account).exists():
        logger.warning("%s %s: no merchant of this town has %s", event.type, event.id, account)
        return Outcome.UNROUTED
    applied = payout_state_apply(
        stripe_account_id=account, payout=payout, as_of=event.created, source=event.id
    )
    return Outcome.APPLIED if applied else Outcome.OUTDATED


# What each event type does on a connected account, in the schema of the town that owns it.
CONNECT_HANDLERS: dict[str, Callable[[stripe.Event], str]] = {
    "account.updated": _account_updated,
    **dict.fromkeys(PAYOUT_EVENT_TYPES, _payout_changed),
}
# What each event type on the platform's own account does for a checkout paid by card, in the
# schema of the checkout's town. These handlers run outside the event's row lock (they call
# orders' durable services, and may call Stripe): each is idempotent by itself.
PAYMENT_HANDLERS: dict[str, Callable[[stripe.Event], str]] = {
    "payment_intent.succeeded": _payment_intent_succeeded,
    "payment_intent.payment_failed": _payment_intent_failed,
    "charge.refunded": _charge_refunded,
}
# What each event type on the platform's own account does that no payment routes: each handler
# finds its town itself, runs outside the event's row lock (it reads Stripe) and is idempotent.
PLATFORM_HANDLERS: dict[str, Callable[[stripe.Event], tuple[str, Town | None]]] = {
    **dict.fromkeys(SUBSCRIPTION_EVENT_TYPES, subscription_event_handle),
}
# The event types this code handles: the webhook endpoint's subscription (see the README), and
# what the reconciliation lists (connected accounts', then the platform's own).
HANDLED_EVENT_TYPES = sorted(CONNECT_HANDLERS)
HANDLED_PAYMENT_EVENT_TYPES = sorted({*PAYMENT_HANDLERS, *PLATFORM_HANDLERS})


def stripe_webhook_receive(*, payload: bytes, signature: str) -> StripeEvent | None:
    """Take a webhook's raw body and Stripe-Signature header and store the event once. The new
    event's row, else None (already received, or of the other mode). Raises WebhookRefused when
    it does not hold.

    Its handling is not queued here: the caller hands the row to `stripe_event_hand_over` once
    Stripe has its answer, so the broker's publish is no part of the time to the 2xx. Stored
    first, the event is never lost: if the hand-over never comes (the process killed in
    between), the reconciliation queues it again as a lost task.
    """
    try:
        # The check `stripe.Webhook.construct_event` makes (HMAC of the raw body, tolerance),
        # then the body read as the plain JSON it is: the library's object tree, which nothing
        # here reads, is built by the task from the stored payload instead.
        stripe.WebhookSignature.verify_header(
            payload, signature, settings.STRIPE_WEBHOOK_SECRET, settings.STRIPE_WEBHOOK_TOLERANCE
        )
        text = payload.decode()
        values = json.loads(text)
        if not isinstance(values, dict) or values.get("object") != "event":
            raise ValueError("The body is not a Stripe event.")
    except (ValueError, stripe.SignatureVerificationError) as error:
        logger.warning("Stripe webhook refused: %s", error)
        raise WebhookRefused from error
    return _stripe_event_store(values=values, payload=text)


def stripe_event_hand_over(*, event: StripeEvent) -> None:
    """Queue the handling of a stored event, after the caller's transaction commits if any."""
    from billing.tasks import stripe_event_process

    with schema_context(get_public_schema_name()):
        task_after_commit(stripe_event_process, event.stripe_id)


def stripe_event_record(*, event: stripe.Event) -> StripeEvent | None:
    """Store a verified event (one the reconciliation listed) once and queue its handling;
    the new row, else None."""
    values = event.to_dict()
    row = _stripe_event_store(values=values, payload=json.dumps(values))
    if row is not None:
        stripe_event_hand_over(event=row)
    return row


def _stripe_event_store(*, values: dict[str, Any], payload: str) -> StripeEvent | None:
    """Store the event of `values` (its JSON text `payload`) once, in one statement; the new
    row, else None (already stored, or of the other mode).

    INSERT … ON CONFLICT DO NOTHING RETURNING: a copy delivered twice at once, or again later,
    finds the unique stripe_id taken and inserts nothing, in one round trip, without the
    transaction, select and savepoint of get_or_create. The statement is atomic by itself, and
    joins the caller's transaction if there is one.
    """
    try:
        stripe_id, event_type = str(values["id"]), str(values["type"])
        created = datetime.fromtimestamp(int(values["created"]), tz=UTC)
    except (KeyError, TypeError, ValueError, OverflowError) as error:
        logger.warning("Stripe event refused: %s", error)
        raise WebhookRefused from error
    if bool(values.get("livemode")) != settings.STRIPE_LIVEMODE:
        logger.info("Stripe event %s ignored: not of this platform's mode", stripe_id)
        return None
    row = StripeEvent(
        stripe_id=stripe_id,
        type=event_type,
        account=values.get("account") or "",
        created=created,
        payload=values,
        received_at=timezone.now(),
    )
    quote = connection.ops.quote_name
    table = f"{quote(get_public_schema_name())}.{quote(StripeEvent._meta.db_table)}"
    columns = ", ".join(
        quote(column)
        for column in ("stripe_id", "type", "account", "created", "payload", "received_at")
    )
    connection.ensure_connection()
    # The driver's own cursor on Django's connection (its transaction, if any, included), not
    # Django's: through django-tenants' backend every statement costs a `SET search_path` round
    # trip first, which a table named with its schema does not need.
    with connection.connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}, {quote('outcome')}) "  # noqa: S608 - our names
            "VALUES (%s, %s, %s, %s, %s::jsonb, %s, '') "
            f"ON CONFLICT ({quote('stripe_id')}) DO NOTHING RETURNING {quote('id')}",
            [row.stripe_id, row.type, row.account, row.created, payload, row.received_at],
        )
        inserted = cursor.fetchone()
    if inserted is None:
        return None
    row.pk = inserted[0]
    row._state.adding = False
    row._state.db = connection.alias
    return row


def stripe_event_process(*, stripe_id: str) -> str:
    """Handle a stored event once: in the schema of the town owning its connected account.
    Returns its outcome; a processed event keeps the outcome it had."""
    public = get_public_schema_name()
    with schema_context(public):
        row = StripeEvent.objects.filter(stripe_id=stripe_id).first()
    if row and row.processed_at is None and not row.account and row.type in PAYMENT_HANDLERS:
        return _payment_event_process(row)
    if row and row.processed_at is None and not row.account and row.type in PLATFORM_HANDLERS:
        handled, owner = PLATFORM_HANDLERS[row.type](cast(stripe.Event, stripe_object(row.payload)))
        return _outcome_record(row, handled, owner)
    with schema_context(public), transaction.atomic(durable=True):
        row = StripeEvent.objects.select_for_update().filter(stripe_id=stripe_id).first()
        if row is None:
            raise LookupError(f"No Stripe event {stripe_id} is stored.")
        if row.processed_at is not None:
            return row.outcome
        event = stripe_object(row.payload)
        handler = CONNECT_HANDLERS.get(row.type) if row.account else None
        town = connect_account_town(stripe_account_id=row.account) if handler else None
        if handler is None:
            outcome: str = Outcome.UNHANDLED
        elif town is None:
            logger.warning("Stripe event %s: no town owns account %s", row.stripe_id, row.account)
            outcome = Outcome.UNROUTED
        else:
            with schema_context(town.schema_name):
                outcome = handler(event)  # type: ignore[arg-type]
        row.outcome = outcome
        row.town = town
        row.processed_at = timezone.now()
        row.save(update_fields=["outcome", "town", "processed_at"])
    return outcome


def _payment_event_process(row: StripeEvent) -> str:
    """Handle a payment event in the town its PaymentIntent names (once the public routing
    agrees), then record the outcome unless a concurrent copy did first."""
    event = cast(stripe.Event, stripe_object(row.payload))
    # A PaymentIntent, or a Charge (which carries its PaymentIntent's metadata).
    intent = cast(stripe.PaymentIntent, event.data.object)
    town = card_payment_town(intent=intent)
    if town is None:
        logger.warning("Stripe event %s: no town started payment %s", row.stripe_id, intent.id)
        outcome: str = Outcome.UNROUTED
    else:
        with schema_context(town.schema_name):
            outcome = PAYMENT_HANDLERS[row.type](event)
    return _outcome_record(row, outcome, town)


def _outcome_record(row: StripeEvent, outcome: str, town: Town | None) -> str:
    """Record a handled event's outcome, unless a concurrent copy did first (its outcome)."""
    with schema_context(get_public_schema_name()), transaction.atomic(durable=True):
        locked = StripeEvent.objects.select_for_update().get(pk=row.pk)
        if locked.processed_at is not None:
            return locked.outcome
        locked.outcome = outcome
        locked.town = town
        locked.processed_at = timezone.now()
        locked.save(update_fields=["outcome", "town", "processed_at"])
    return outcome


def stripe_events_unprocessed(*, older_than: timedelta) -> list[str]:
    """Events stored but still not handled after `older_than` (their task was lost)."""
    with schema_context(get_public_schema_name()):
        return list(
            StripeEvent.objects.filter(
                processed_at__isnull=True, received_at__lt=timezone.now() - older_than
            )
            .order_by("received_at")
            .values_list("stripe_id", flat=True)[:1000]
        )
