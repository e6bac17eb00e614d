"""Billing's background jobs; each may run twice without doing its work twice."""

from celery import shared_task

from billing.errors import StripeUnavailable
from billing.services.events import stripe_event_process as stripe_event_process_service
from billing.services.order_refunds import card_order_refund_make, order_refunds_retry
from billing.services.reconcile import billing_reconcile as billing_reconcile_service
from billing.services.subscriptions import (
    commission_months_refresh as commission_months_refresh_service,
)
from billing.services.subscriptions import (
    subscription_unpaid_notify as subscription_unpaid_notify_service,
)
from billing.services.subscriptions import (
    subscriptions_grace_enforce as subscriptions_grace_enforce_service,
)
from billing.services.transfers import card_payment_transfers_make
from tenants.selectors import towns_to_refresh


@shared_task
def stripe_event_process(stripe_id: str) -> str:
    """Handle one stored Stripe event (queued by the webhook intake or the reconciliation)."""
    return stripe_event_process_service(stripe_id=stripe_id)


@shared_task
def billing_reconcile() -> dict[str, int]:
    """Celery beat's hourly repair of missed webhooks."""
    report = billing_reconcile_service()
    return {
        "listed": report.listed,
        "recorded": report.recorded,
        "requeued": report.requeued,
        "failed": report.failed,
        "payouts": report.payouts,
        "payouts_failed": report.payouts_failed,
    }


@shared_task(autoretry_for=(StripeUnavailable,), retry_backoff=True, max_retries=8)
def card_payment_transfers(reference: str) -> int:
    """Pay the shops of a checkout paid by card (in the town's schema, tenant-schemas-celery);
    run again, it pays nobody twice."""
    return card_payment_transfers_make(reference=reference)


@shared_task(autoretry_for=(StripeUnavailable,), retry_backoff=True, max_retries=8)
def card_order_refund(refund_id: int) -> str:
    """Make a refund of a card-paid order at Stripe and reverse its share from that shop's
    transfer; run again, it refunds and reverses once. A refused reversal is recorded and left
    to `card_order_refunds_retry`. The Refund's id."""
    return card_order_refund_make(refund_id=refund_id).stripe_refund_id


@shared_task
def card_order_refunds_retry() -> int:
    """The town's refunds whose reversal Stripe refused, or whose task was lost: again."""
    return order_refunds_retry()


@shared_task
def card_order_refunds_retry_all() -> int:
    """Celery beat: one `card_order_refunds_retry` per town still in use, in its schema."""
    schema_names = list(towns_to_refresh().values_list("schema_name", flat=True))
    for schema_name in schema_names:
        card_order_refunds_retry.apply_async(headers={"_schema_name": schema_name})
    return len(schema_names)


@shared_task(autoretry_for=(Exception,), max_retries=5, default_retry_delay=60)
def subscription_unpaid_notify(invoice_id: str) -> bool:
    """E-mail the town's administrators that its subscription's invoice is unpaid (in the
    town's schema); once per invoice, however often it runs."""
    return subscription_unpaid_notify_service(invoice_id=invoice_id)


@shared_task
def subscriptions_grace_enforce() -> int:
    """Celery beat: towns unpaid past their plan's grace period become read-only."""
    return subscriptions_grace_enforce_service()


@shared_task
def commission_months_refresh() -> int:
    """Celery beat: the console's commission per town and month, counted again."""
    return commission_months_refresh_service()
