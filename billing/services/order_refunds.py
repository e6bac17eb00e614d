"""A card-paid order refused by its shop or cancelled is given back in full, automatically.

The refusal's transaction only records the refund (the order's row is locked there, and Stripe
is never called under a lock); a Celery task then makes the Refund on the checkout's payment and
reverses that shop's Transfer, each under an idempotency key naming the town and the order, so
a retried task refunds and reverses once. The other shops of the checkout keep their money.

Whole order, so the town's commission on it goes back too: the shop returns everything it was
transferred (the order's total less the commission) and the platform's balance the commission.
An order refunded before its shop was paid is never transferred (the transfers pay only paid
orders); one whose transfer was being made at that moment is reversed once its ledger row is
written (card_payment_transfers_make calls back here).
"""

from django.db import transaction

from billing.errors import StripeUnavailable
from billing.models import CardPayment, OrderRefund, Transfer
from billing.stripe_api import stripe_client, stripe_created
from comptoir.celery import task_after_commit
from comptoir.town import current_town
from marketplace.orders.models import Order


def card_order_refund_record(order: Order) -> None:
    """Inside the refusal's transaction: the paid order is refunded from now on, and the
    Stripe calls are queued for after the commit. An order not paid yet needs nothing (its
    hold runs out, or a late payment is refunded whole)."""
    if order.payment_status != Order.PaymentStatus.PAID:
        return
    payment = CardPayment.objects.get(checkout_id=order.checkout_id)
    OrderRefund.objects.get_or_create(
        order=order, defaults={"card_payment": payment, "amount_cents": order.total_cents}
    )
    order.payment_status = Order.PaymentStatus.REFUNDED
    order.save(update_fields=["payment_status", "updated_at"])
    from billing.tasks import card_order_refund

    task_after_commit(card_order_refund, order.reference)


def card_order_refund_make(*, reference: str) -> OrderRefund:
    """Refund order `reference` at Stripe and reverse its shop's transfer, whichever is not
    done yet. Raises StripeUnavailable (the task retries) with the refusal recorded."""
    refund = OrderRefund.objects.select_related("card_payment", "order").get(
        order__reference=reference
    )
    schema = current_town().schema_name
    if not refund.stripe_refund_id:
        refund_id = stripe_created(
            lambda: (
                stripe_client()
                .v1.refunds.create(
                    params={
                        "payment_intent": refund.card_payment.payment_intent_id,
                        "amount": refund.amount_cents,
                        "metadata": {"town": schema, "order": reference},
                    },
                    options={"idempotency_key": f"order-refund:{schema}:{reference}"},
                )
                .id
            ),
            what=f"refund of order {reference}",
        )
        with transaction.atomic(durable=True):
            OrderRefund.objects.filter(pk=refund.pk).update(stripe_refund_id=refund_id)
    transfer = Transfer.objects.filter(order_id=refund.order_id).first()
    if transfer is None or not transfer.stripe_transfer_id or refund.stripe_reversal_id:
        return OrderRefund.objects.get(pk=refund.pk)
    try:
        reversal_id = stripe_created(
            lambda: (
                stripe_client()
                .v1.transfers.reversals.create(
                    transfer.stripe_transfer_id,
                    params={
                        "amount": transfer.transfer_cents,
                        "metadata": {"town": schema, "order": reference},
                    },
                    options={"idempotency_key": f"order-reversal:{schema}:{reference}"},
                )
                .id
            ),
            what=f"reversal of the transfer for order {reference}",
        )
    except StripeUnavailable as refused:
        with transaction.atomic(durable=True):
            OrderRefund.objects.filter(pk=refund.pk).update(
                reversal_error=str(refused.__cause__)[:255]
            )
        raise
    with transaction.atomic(durable=True):
        OrderRefund.objects.filter(pk=refund.pk).update(
            stripe_reversal_id=reversal_id,
            reversed_cents=transfer.transfer_cents,
            reversal_error="",
        )
    return OrderRefund.objects.get(pk=refund.pk)


def card_order_refund_after_transfer(order: Order) -> None:
    """A shop was just paid for `order`: if the order was refunded meanwhile, reverse it."""
    if OrderRefund.objects.filter(order=order, stripe_reversal_id="").exists():
        from billing.tasks import card_order_refund

        task_after_commit(card_order_refund, order.reference)
