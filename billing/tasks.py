"""Billing's background jobs; each may run twice without doing its work twice."""

from celery import shared_task

from billing.errors import StripeUnavailable
from billing.services.events import stripe_event_process as stripe_event_process_service
from billing.services.order_refunds import card_order_refund_make
from billing.services.reconcile import billing_reconcile as billing_reconcile_service
from billing.services.transfers import card_payment_transfers_make


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
def card_order_refund(reference: str) -> str:
    """Give back a card-paid order refused or cancelled, and reverse its shop's transfer; run
    again, it refunds and reverses once. The Refund's id."""
    return card_order_refund_make(reference=reference).stripe_refund_id
