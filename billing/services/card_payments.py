"""A checkout paid by card, "separate charges and transfers": one payment on the platform's
account for every shop of the cart, taken on Stripe Checkout's hosted page.

Starting it creates the Checkout session (its PaymentIntent carries the checkout's reference as
`transfer_group`, and the town and checkout in its metadata) under an idempotency key naming
the town and the checkout, so a double submit or a retry finds the same session. Stripe then
reports the outcome by webhook (services.events routes it here, in the checkout's town):
success places the orders through orders' checkout_payment_succeeded; a success that comes
after the hold ran out is refunded at once. Every handler may run twice, or in any order, and
ends in the same state; Stripe is never called inside a transaction.
"""

import logging

import stripe
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context
from stripe.params.checkout import SessionCreateParams

from billing.errors import StripeUnavailable
from billing.models import CardPayment
from billing.shared.models import CardPaymentTown
from billing.stripe_api import stripe_client
from comptoir.celery import task_after_commit
from comptoir.french import from_name
from comptoir.town import current_town
from marketplace.orders.models import Checkout, Order
from marketplace.orders.services.checkout_payment import (
    PaymentSettled,
    checkout_payment_succeeded,
)
from tenants.models import Town

logger = logging.getLogger(__name__)

CARD = "card"
CURRENCY = "eur"


def card_payment_start(*, checkout: Checkout, orders: list[Order]) -> str:
    """The URL of the card page for `orders` (the checkout's card-paid ones, committed and
    awaiting payment). The public row naming the town is written first, so a webhook arriving
    before this returns is routed; the answer is then recorded. Raises StripeUnavailable."""
    town = current_town()
    amount = sum(order.total_cents for order in orders)
    with schema_context(get_public_schema_name()):
        CardPaymentTown.objects.get_or_create(town=town, checkout_reference=checkout.reference)
    metadata = {"town": town.schema_name, "checkout": checkout.reference}
    confirmation = town.build_url(reverse("orders:confirmation"))
    params: SessionCreateParams = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": order.total_cents,
                    "product_data": {
                        "name": _("Order %(reference)s %(from_shop)s")
                        % {
                            "reference": order.reference,
                            "from_shop": from_name(order.merchant.name),
                        }
                    },
                },
                "quantity": 1,
            }
            for order in orders
        ],
        "payment_intent_data": {"transfer_group": checkout.reference, "metadata": metadata},
        "metadata": metadata,
        "client_reference_id": checkout.reference,
        "customer_email": checkout.contact_email,
        "locale": "fr" if (checkout.language or "fr").startswith("fr") else "en",
        "success_url": confirmation,
        "cancel_url": confirmation,
    }
    try:
        session = stripe_client().v1.checkout.sessions.create(
            params=params,
            options={"idempotency_key": f"card-payment:{town.schema_name}:{checkout.reference}"},
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a card payment for checkout %s: %s", checkout.pk, error)
        raise StripeUnavailable from error
    with transaction.atomic(durable=True):
        payment, created = CardPayment.objects.get_or_create(
            checkout=checkout, defaults={"amount_cents": amount, "session_id": session.id}
        )
        if not created and not payment.session_id:
            payment.session_id = session.id
            payment.save(update_fields=["session_id", "updated_at"])
    return str(session.url)


def card_payment_town(*, intent: stripe.PaymentIntent) -> Town | None:
    """The town a PaymentIntent's metadata names, when the public routing agrees that this
    town started a card payment for that checkout; else None (not ours, or forged)."""
    metadata = intent.metadata.to_dict() if intent.metadata else {}
    schema, reference = metadata.get("town", ""), metadata.get("checkout", "")
    if not (schema and reference):
        return None
    with schema_context(get_public_schema_name()):
        route = (
            CardPaymentTown.objects.filter(town__schema_name=schema, checkout_reference=reference)
            .select_related("town")
            .first()
        )
    return route.town if route else None


def _payment_locked(*, reference: str, intent: stripe.PaymentIntent) -> CardPayment | None:
    """The checkout's card payment, locked, made now if the webhook came before the start's
    answer was recorded; None when the town has no such checkout."""
    checkout = Checkout.objects.filter(reference=reference).first()
    if checkout is None:
        return None
    CardPayment.objects.get_or_create(checkout=checkout, defaults={"amount_cents": intent.amount})
    return CardPayment.objects.select_for_update().get(checkout=checkout)


def card_payment_succeeded(*, intent: stripe.PaymentIntent) -> bool:
    """Stripe took the money of the current town's checkout `intent` pays for: its card-paid
    orders are placed, or, if they were cancelled meanwhile (the hold ran out), the payment is
    refunded. False when this town has no such checkout."""
    reference = intent.metadata["checkout"]
    with transaction.atomic(durable=True):
        payment = _payment_locked(reference=reference, intent=intent)
        if payment is None:
            return False
        if payment.status == CardPayment.Status.OPEN:
            payment.status = CardPayment.Status.SUCCEEDED
        payment.payment_intent_id = intent.id
        payment.charge_id = _charge_id(intent) or payment.charge_id
        payment.last_error = ""
        payment.save()
    settled = checkout_payment_succeeded(reference=reference, payment_method=CARD)
    if settled == PaymentSettled.TOO_LATE:
        card_payment_refund_late(reference=reference)
    else:
        from billing.tasks import card_payment_transfers

        # Outside any transaction: queued now, in this town's schema.
        task_after_commit(card_payment_transfers, reference)
    return True


def card_payment_failed(*, intent: stripe.PaymentIntent) -> bool:
    """A card was refused for the current town's checkout `intent` pays for. The shopper may
    try another one on the same page, so the orders keep waiting (the sweep cancels them when
    the hold runs out); the refusal is recorded unless the payment went through meanwhile.
    False when this town has no such checkout."""
    error = intent.last_payment_error
    with transaction.atomic(durable=True):
        payment = _payment_locked(reference=intent.metadata["checkout"], intent=intent)
        if payment is None:
            return False
        payment.payment_intent_id = intent.id
        if payment.status == CardPayment.Status.OPEN:
            payment.last_error = (error.message or "")[:255] if error else ""
        payment.save()
    return True


def card_payment_refund_late(*, reference: str) -> None:
    """Give back the whole payment of a checkout whose orders were cancelled before it came.
    The idempotency key names the town and the checkout: a replayed webhook or a retried task
    refunds once."""
    town = current_town()
    payment = CardPayment.objects.get(checkout__reference=reference)
    if payment.refund_id:
        return
    try:
        refund = stripe_client().v1.refunds.create(
            params={
                "payment_intent": payment.payment_intent_id,
                "metadata": {"town": town.schema_name, "checkout": reference},
            },
            options={"idempotency_key": f"late-refund:{town.schema_name}:{reference}"},
        )
    except stripe.StripeError as error:
        logger.error("Stripe refused the late refund of checkout %s: %s", reference, error)
        raise StripeUnavailable from error
    with transaction.atomic(durable=True):
        CardPayment.objects.filter(pk=payment.pk).update(
            status=CardPayment.Status.REFUNDED_LATE, refund_id=refund.id
        )
    logger.info("Checkout %s paid after its hold ran out: refunded (%s)", reference, refund.id)


def _charge_id(intent: stripe.PaymentIntent) -> str:
    charge = intent.latest_charge
    if charge is None:
        return ""
    return charge if isinstance(charge, str) else charge.id
