"""Billing's background jobs; each may run twice without doing its work twice."""

from celery import shared_task

from billing.services.events import stripe_event_process as stripe_event_process_service
from billing.services.reconcile import billing_reconcile as billing_reconcile_service


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
    }
