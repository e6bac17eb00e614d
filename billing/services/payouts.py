"""Shops' payouts: Stripe pays a Connect account's balance into the shop's bank account by
itself (the account's payout schedule); billing records each payout as Stripe reports it.

Reports come from the account's `payout.*` events and from the reconciliation, which lists
each account's recent payouts at Stripe (so a missed webhook, or one older than Stripe keeps
events, is repaired). Each is applied only when newer than the one recorded: ordered by
(Stripe time, how far along the status is, event id), so the same reports in any order end in
the same row, one applied twice changes nothing, and a payout paid in the second it was created
ends paid whichever event is handled last.
"""

import logging
import time
from datetime import UTC, date, datetime

import stripe
from django.db import transaction
from django_tenants.utils import schema_context
from stripe.params import PayoutListParams

from billing.models import ConnectAccount, Payout
from billing.selectors import connect_account_routes
from billing.stripe_api import stripe_client

logger = logging.getLogger(__name__)

Status = Payout.Status
# How far along a payout is; a later report of the same second wins by it.
STATUS_RANK: dict[str, int] = {
    Status.PENDING.value: 0,
    Status.IN_TRANSIT.value: 1,
    Status.PAID.value: 2,
    Status.FAILED.value: 3,
    Status.CANCELED.value: 3,
}
PAYOUT_EVENT_TYPES = (
    "payout.created",
    "payout.updated",
    "payout.paid",
    "payout.failed",
    "payout.canceled",
)


_STATE_FIELDS = ("amount_cents", "currency", "status", "arrival_date", "created", "failure_message")


def _rank(status: str) -> int:
    return STATUS_RANK.get(status, 0)


def _arrival(timestamp: int | None, created: int) -> date:
    return datetime.fromtimestamp(timestamp or created, tz=UTC).date()


def payout_state_apply(
    *, stripe_account_id: str, payout: stripe.Payout, as_of: int, source: str
) -> bool:
    """Record the payout of connected account `stripe_account_id` as Stripe reported it at
    `as_of` (Unix time), by event `source` (empty for a direct read), unless a newer report is
    recorded. Runs in the caller's transaction and locks the row. Whether it changed the
    payout (False too when no shop of this town has the account)."""
    account = ConnectAccount.objects.filter(stripe_account_id=stripe_account_id).first()
    if account is None:
        return False
    reported = Payout(
        stripe_payout_id=payout.id,
        account=account,
        amount_cents=payout.amount,
        currency=payout.currency,
        status=payout.status,
        arrival_date=_arrival(payout.arrival_date, payout.created),
        created=datetime.fromtimestamp(payout.created, tz=UTC),
        failure_message=(payout.failure_message or "")[:255],
        state_as_of=as_of,
        state_source=source,
    )
    # The first report makes the row (a concurrent first report of the same payout waits for
    # this one's commit, then finds it); every report then competes on the locked row.
    Payout.objects.bulk_create([reported], ignore_conflicts=True)
    row = Payout.objects.select_for_update().get(stripe_payout_id=payout.id)
    recorded = (row.state_as_of, _rank(row.status), row.state_source)
    key = (as_of, _rank(reported.status), source)
    if key == recorded:
        return True  # this very report, just inserted (event ids are unique)
    if key < recorded:
        return False
    if all(getattr(row, field) == getattr(reported, field) for field in _STATE_FIELDS):
        # Newer but the same: only the report's mark moves (a reconciliation reading an
        # unchanged payout again writes nothing else).
        Payout.objects.filter(pk=row.pk).update(state_as_of=as_of, state_source=source)
        return False
    reported.pk = row.pk
    reported.save()
    return True


def payouts_reconcile(*, since: int) -> tuple[int, int]:
    """Read every town's connected accounts' payouts made since `since` (Unix time) at Stripe
    and record their current state. (payouts read, accounts Stripe would not list)."""
    client = stripe_client()
    read = failed = 0
    params: PayoutListParams = {"created": {"gte": since}, "limit": 100}
    for stripe_account_id, schema_name in connect_account_routes():
        try:
            as_of = int(time.time())
            listed = client.v1.payouts.list(
                params=params, options={"stripe_account": stripe_account_id}
            )
            payouts = list(listed.auto_paging_iter())
        except stripe.StripeError as error:
            logger.warning("Could not list the payouts of %s: %s", stripe_account_id, error)
            failed += 1
            continue
        with schema_context(schema_name), transaction.atomic(durable=True):
            for payout in payouts:
                payout_state_apply(
                    stripe_account_id=stripe_account_id, payout=payout, as_of=as_of, source=""
                )
        read += len(payouts)
    return read, failed
