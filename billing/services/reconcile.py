"""Repair what a missed webhook left behind: list Stripe's recent events (each connected
account's, and the platform's own payment events) and record any not stored yet; queue again
any stored one whose handling never ran. Recording is the webhook's own, so nothing is handled
twice. Then read each connected account's recent payouts, whose state is applied only when
newer (billing.services.payouts), so a payout whose events are all lost is recorded too."""

import logging
import time
from dataclasses import dataclass
from datetime import timedelta

import stripe
from django.conf import settings
from stripe.params import EventListParams

from billing.selectors import connect_account_ids
from billing.services.events import (
    HANDLED_EVENT_TYPES,
    HANDLED_PAYMENT_EVENT_TYPES,
    stripe_event_record,
    stripe_events_unprocessed,
)
from billing.services.payouts import payouts_reconcile
from billing.stripe_api import stripe_client

logger = logging.getLogger(__name__)

# A stored event not handled after this long lost its task.
UNPROCESSED_GRACE = timedelta(minutes=10)


@dataclass(frozen=True)
class ReconcileReport:
    listed: int
    recorded: int
    requeued: int
    # Accounts whose events Stripe would not list (disconnected, say): the next run tries again.
    failed: int = 0
    # Payouts read from the connected accounts (and accounts whose payouts Stripe would not list).
    payouts: int = 0
    payouts_failed: int = 0


def billing_reconcile(*, window: timedelta | None = None) -> ReconcileReport:
    """List the last `window` of events (STRIPE_RECONCILE_WINDOW) and repair the gaps."""
    from billing.tasks import stripe_event_process

    since = int(time.time() - (window or settings.STRIPE_RECONCILE_WINDOW).total_seconds())
    params: EventListParams = {
        "created": {"gte": since},
        "types": HANDLED_EVENT_TYPES,
        "limit": 100,
    }
    client = stripe_client()
    listed = recorded = failed = 0
    # Connected accounts' events are listed on each account (the Stripe-Account header), the
    # card payments' on the platform's own ("" below).
    for account in ["", *connect_account_ids()]:
        try:
            if account:
                events = client.v1.events.list(params=params, options={"stripe_account": account})
            else:
                events = client.v1.events.list(
                    params={**params, "types": HANDLED_PAYMENT_EVENT_TYPES}
                )
            for event in events.auto_paging_iter():
                listed += 1
                recorded += stripe_event_record(event=event) is not None
        except stripe.StripeError as error:
            logger.warning("Could not list the events of %s: %s", account or "the platform", error)
            failed += 1
    unprocessed = stripe_events_unprocessed(older_than=UNPROCESSED_GRACE)
    for stripe_id in unprocessed:
        stripe_event_process.delay(stripe_id)
    payouts, payouts_failed = payouts_reconcile(since=since)
    return ReconcileReport(
        listed=listed,
        recorded=recorded,
        requeued=len(unprocessed),
        failed=failed,
        payouts=payouts,
        payouts_failed=payouts_failed,
    )
