"""Refunds of card-paid orders: the whole order or chosen items, by its shop or the town's
administrator, the whole order automatically when it is refused or cancelled, and refunds made
in Stripe's dashboard. One path for all of them (`_refund_locked`).

The refund's transaction locks the order row, checks that what is asked is left to refund
(per line: ordered less already refunded), computes the amount in cents and records the refund
with its lines; Stripe is never called there. After the commit a task makes the Refund on the
checkout's payment and reverses that shop's Transfer only, under idempotency keys naming the
town and the refund (`refund:<schema>:<id>`, `refund-reversal:<schema>:<id>`), so a retried
task refunds and reverses once. The other shops of the checkout keep their money.

Amounts. A refund gives back its items' value; the one that leaves nothing on any line gives
back everything still unrefunded (the delivery fee with it), so an order's refunds never sum
past its total and the last one settles it exactly. The town's commission goes back in
proportion, with cumulative rounding: after refunds worth R of an order of total T on which
the commission was C, the commission given back is round-half-up(C × R / T), each refund taking
the difference from the ones before; the rest of the refund is reversed from the shop. So per
shop, at every moment, Σ transferred − Σ reversed + Σ commission kept == charged − refunded, and
a full refund reverses exactly what the shop was transferred.

Those shares are known once the shop is paid. A refund made before then waits: the shop's
transfer pays the order's whole share (unless the order was refunded in full: never
transferred), and `card_order_refund_after_transfer` fills the shares and reverses.

A reversal Stripe refuses is kept on the refund (its message, the attempts) and shown to the
town's administrator; the beat task `order_refunds_retry` and the administrator's button try
again until it is made. Stripe replays a key's first answer, refusals included, so each
definitive refusal moves the reversal to a new key (`…:<refusals>`); a network failure keeps it.
"""

import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta

import stripe
from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.errors import RefundForbidden, RefundInvalid, StripeUnavailable
from billing.models import CardPayment, OrderRefund, OrderRefundLine, Transfer
from billing.services.card_payments import CARD
from billing.stripe_api import stripe_client, stripe_created
from comptoir.accounts.models import User
from comptoir.celery import task_after_commit
from comptoir.town import current_town
from marketplace.directory.models import MerchantMember
from marketplace.orders.models import Order, OrderLine

logger = logging.getLogger(__name__)

Origin = OrderRefund.Origin
PaymentStatus = Order.PaymentStatus
REFUNDABLE = (PaymentStatus.PAID, PaymentStatus.PARTLY_REFUNDED)
REASON_MAX_LENGTH = 255
# A refund whose Stripe calls have not been made after this long had its task lost: the beat
# task makes them.
RETRY_AFTER = timedelta(minutes=5)


def _half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def order_refund_lines_left(*, order_id: int) -> dict[int, int]:
    """How many items of each line of the order can still be refunded (one query)."""
    lines = OrderLine.objects.filter(order_id=order_id).values_list("pk", "quantity")
    refunded = dict(
        OrderRefundLine.objects.filter(refund__order_id=order_id)
        .values_list("line_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_id", "total")
    )
    return {pk: quantity - refunded.get(pk, 0) for pk, quantity in lines}


def order_refund(
    *,
    order_id: int,
    actor: User,
    quantities: Mapping[int, int],
    reason: str = "",
    as_town_admin: bool = False,
) -> OrderRefund:
    """Refund `quantities` (order line id → how many items) of a card-paid order, for a member
    of its shop or (`as_town_admin`) an administrator of the town. Raises RefundForbidden, or
    RefundInvalid with a translated message when more than is left is asked (nothing changed).
    The Refund and the reversal are made after the commit."""
    with transaction.atomic(durable=True):
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise RefundInvalid(_("This order does not exist."))
        if as_town_admin:
            if not actor.is_town_admin:
                raise RefundForbidden
            origin = Origin.TOWN
        else:
            if not MerchantMember.objects.filter(
                merchant_id=order.merchant_id, user=actor
            ).exists():
                raise RefundForbidden
            origin = Origin.MERCHANT
        return _refund_locked(
            order=order, origin=origin, actor=actor, reason=reason, quantities=quantities
        )


def card_order_refund_record(order: Order) -> None:
    """Inside the refusal's (or cancellation's) transaction, the order row locked: whatever is
    still unrefunded of a paid order goes back, through the same path as any refund. An order
    not paid yet needs nothing (its hold runs out, or a late payment is refunded whole)."""
    if order.payment_status not in REFUNDABLE:
        return
    _refund_locked(
        order=order,
        origin=Origin.AUTOMATIC,
        actor=None,
        reason=order.status_reason,
        quantities=order_refund_lines_left(order_id=order.pk),
    )


def _refund_locked(
    *,
    order: Order,
    origin: str,
    actor: User | None,
    reason: str,
    quantities: Mapping[int, int],
    amount_cents: int | None = None,
    stripe_refund_id: str = "",
) -> OrderRefund:
    """Record a refund of the locked `order`: the items `quantities`, or (a refund Stripe made
    already) `amount_cents` without items; queue its Stripe calls after the commit."""
    if order.payment_method != CARD or order.payment_status not in REFUNDABLE:
        raise RefundInvalid(
            _("Only an order paid by card, not yet refunded in full, can be refunded.")
        )
    reason = reason.strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise RefundInvalid(
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}
        )
    lines = {line.pk: line for line in OrderLine.objects.filter(order_id=order.pk)}
    left = order_refund_lines_left(order_id=order.pk)
    refunded = (
        OrderRefund.objects.filter(order_id=order.pk).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    unrefunded = order.total_cents - refunded
    chosen = _chosen(quantities, lines=lines, left=left) if amount_cents is None else {}
    if amount_cents is None:
        whole = all(chosen.get(pk, 0) == count for pk, count in left.items())
        value = sum(lines[pk].unit_price_cents * count for pk, count in chosen.items())
        amount = unrefunded if whole else min(value, unrefunded)
    else:
        if not 0 < amount_cents <= unrefunded:
            raise RefundInvalid(_("This refund is more than is left to refund on the order."))
        amount, whole = amount_cents, amount_cents == unrefunded
    refund = OrderRefund.objects.create(
        order=order,
        card_payment=CardPayment.objects.get(checkout_id=order.checkout_id),
        origin=origin,
        actor=actor,
        reason=reason,
        amount_cents=amount,
        stripe_refund_id=stripe_refund_id,
    )
    OrderRefundLine.objects.bulk_create(
        OrderRefundLine(
            refund=refund,
            line_id=pk,
            quantity=count,
            amount_cents=lines[pk].unit_price_cents * count,
        )
        for pk, count in sorted(chosen.items())
    )
    order.payment_status = PaymentStatus.REFUNDED if whole else PaymentStatus.PARTLY_REFUNDED
    order.save(update_fields=["payment_status", "updated_at"])
    _shares_fill(order_id=order.pk)
    from billing.tasks import card_order_refund

    task_after_commit(card_order_refund, refund.pk)
    return refund


def _chosen(
    quantities: Mapping[int, int], *, lines: Mapping[int, OrderLine], left: Mapping[int, int]
) -> dict[int, int]:
    chosen: dict[int, int] = {}
    for pk, count in quantities.items():
        if pk not in lines:
            raise RefundInvalid(_("This item is not part of the order."))
        if not isinstance(count, int) or count < 0:
            raise RefundInvalid(_("A quantity to refund is a whole number, 0 or more."))
        if count > left[pk]:
            raise RefundInvalid(
                _("Only %(left)d × “%(title)s” can still be refunded.")
                % {"left": left[pk], "title": lines[pk].product_title}
            )
        if count:
            chosen[pk] = count
    if not chosen:
        raise RefundInvalid(_("Choose at least one item to refund."))
    return chosen


def _shares_fill(*, order_id: int) -> list[OrderRefund]:
    """Once the order's shop was paid: split each refund not split yet into the commission
    given back and what is reversed from the shop (cumulative rounding, see the module). The
    refunds split now."""
    transfer = Transfer.objects.filter(order_id=order_id).first()
    if transfer is None:
        return []
    refunded = commission_back = 0
    split: list[OrderRefund] = []
    for refund in OrderRefund.objects.filter(order_id=order_id).order_by("pk"):
        refunded += refund.amount_cents
        if refund.commission_cents is None:
            owed = (
                _half_up(transfer.commission_cents * refunded, transfer.order_cents)
                if transfer.order_cents
                else 0
            )
            refund.commission_cents = owed - commission_back
            refund.reversal_cents = refund.amount_cents - refund.commission_cents
            refund.save(update_fields=["commission_cents", "reversal_cents", "updated_at"])
            split.append(refund)
        commission_back += refund.commission_cents or 0
    return split


def card_order_refund_after_transfer(order: Order) -> None:
    """A shop was just paid for `order`: the refunds made meanwhile get their shares, and
    their reversals are made."""
    if not OrderRefund.objects.filter(order=order, commission_cents__isnull=True).exists():
        return
    from billing.tasks import card_order_refund

    with transaction.atomic(durable=True):
        Order.objects.select_for_update().filter(pk=order.pk).first()
        for refund in _shares_fill(order_id=order.pk):
            task_after_commit(card_order_refund, refund.pk)


def card_order_refund_make(*, refund_id: int) -> OrderRefund:
    """Make refund `refund_id` at Stripe and reverse its share from the shop's transfer,
    whichever is not done yet. A refused Refund raises StripeUnavailable (the task retries); a
    refused reversal is recorded on the refund and left to the retries."""
    refund = OrderRefund.objects.select_related("card_payment", "order").get(pk=refund_id)
    schema = current_town().schema_name
    if refund.refund_pending:
        stripe_refund_id = _refund_create(refund=refund, schema=schema)
        with transaction.atomic(durable=True):
            OrderRefund.objects.filter(pk=refund.pk, stripe_refund_id="").update(
                stripe_refund_id=stripe_refund_id, refund_error=""
            )
    if refund.reversal_pending:
        transfer = Transfer.objects.filter(order_id=refund.order_id).first()
        if transfer is not None and transfer.stripe_transfer_id:
            _reversal_make(refund=refund, transfer=transfer, schema=schema)
    return OrderRefund.objects.get(pk=refund.pk)


def _refund_create(*, refund: OrderRefund, schema: str) -> str:
    """The Refund's id at Stripe; a refusal is recorded on the refund, then raised."""
    reference = refund.order.reference
    try:
        return stripe_created(
            lambda: (
                stripe_client()
                .v1.refunds.create(
                    params={
                        "payment_intent": refund.card_payment.payment_intent_id,
                        "amount": refund.amount_cents,
                        "metadata": {"town": schema, "order": reference, "refund": str(refund.pk)},
                    },
                    options={"idempotency_key": f"refund:{schema}:{refund.pk}"},
                )
                .id
            ),
            what=f"refund {refund.pk} of order {reference}",
        )
    except StripeUnavailable as refused:
        cause = refused.__cause__
        message = getattr(cause, "user_message", None) or str(cause or refused)
        with transaction.atomic(durable=True):
            OrderRefund.objects.filter(pk=refund.pk, stripe_refund_id="").update(
                refund_error=message[:255]
            )
        raise


def _reversal_make(*, refund: OrderRefund, transfer: Transfer, schema: str) -> None:
    key = f"refund-reversal:{schema}:{refund.pk}"
    if refund.reversal_refusals:
        key = f"{key}:{refund.reversal_refusals}"
    try:
        reversal = stripe_client().v1.transfers.reversals.create(
            transfer.stripe_transfer_id,
            params={
                "amount": refund.reversal_cents or 0,
                "metadata": {
                    "town": schema,
                    "order": refund.order.reference,
                    "refund": str(refund.pk),
                },
            },
            options={"idempotency_key": key},
        )
    except stripe.StripeError as error:
        status = error.http_status or 0
        refused = 400 <= status < 500 and status not in (409, 429)
        logger.warning("Stripe refused the reversal of refund %s: %s", refund.pk, error)
        with transaction.atomic(durable=True):
            OrderRefund.objects.filter(pk=refund.pk, stripe_reversal_id="").update(
                reversal_error=(error.user_message or str(error))[:255],
                reversal_attempts=F("reversal_attempts") + 1,
                reversal_refusals=F("reversal_refusals") + int(refused),
                reversal_failed_at=timezone.now(),
            )
        return
    with transaction.atomic(durable=True):
        OrderRefund.objects.filter(pk=refund.pk, stripe_reversal_id="").update(
            stripe_reversal_id=reversal.id, reversal_error=""
        )


def order_refunds_retry(*, older_than: timedelta = RETRY_AFTER) -> int:
    """The town's refunds whose Stripe calls are still to make (a reversal refused, a task
    lost): try each again. How many were tried."""
    for order_id in (
        OrderRefund.objects.filter(commission_cents__isnull=True)
        .filter(order_id__in=Transfer.objects.values("order_id"))
        .values_list("order_id", flat=True)
        .distinct()
    ):
        # A shop paid while its refunds' task was lost: their shares were never filled.
        with transaction.atomic(durable=True):
            Order.objects.select_for_update().filter(pk=order_id).first()
            _shares_fill(order_id=order_id)
    cutoff = timezone.now() - older_than
    due = (
        OrderRefund.objects.filter(
            Q(amount_cents__gt=0, stripe_refund_id="")
            | Q(reversal_cents__gt=0, stripe_reversal_id="")
        )
        .filter(Q(created_at__lt=cutoff) | Q(reversal_attempts__gt=0))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    tried = 0
    for refund_id in list(due):
        tried += 1
        try:
            card_order_refund_make(refund_id=refund_id)
        except Exception:
            logger.exception("Refund %s: its Stripe calls failed again", refund_id)
    return tried


def order_refund_retry(*, refund_id: int, actor: User) -> OrderRefund:
    """The town's administrator tries a refund's Stripe calls again now. Raises
    RefundForbidden, RefundInvalid for an unknown refund, StripeUnavailable when Stripe
    refuses the Refund itself."""
    if not actor.is_town_admin:
        raise RefundForbidden
    if not OrderRefund.objects.filter(pk=refund_id).exists():
        raise RefundInvalid(_("This refund does not exist."))
    return card_order_refund_make(refund_id=refund_id)


def card_refunds_sync(*, charge: stripe.Charge) -> bool:
    """Stripe says `charge` was refunded (charge.refunded): record the refunds it lists that
    this town did not make (made in Stripe's dashboard), once each, and attach to ours the ids
    their task had not written yet. False when no payment of this town has that charge."""
    intent_id = charge.payment_intent if isinstance(charge.payment_intent, str) else ""
    payment = (
        CardPayment.objects.filter(Q(charge_id=charge.id) | Q(payment_intent_id=intent_id or "-"))
        .order_by("pk")
        .first()
    )
    if payment is None:
        return False
    schema = current_town().schema_name
    listed = stripe_client().v1.refunds.list(params={"charge": charge.id, "limit": 100})
    for stripe_refund in listed.auto_paging_iter():
        if stripe_refund.status in ("failed", "canceled"):
            continue
        _stripe_refund_record(payment=payment, stripe_refund=stripe_refund, schema=schema)
    return True


def _stripe_refund_record(
    *, payment: CardPayment, stripe_refund: stripe.Refund, schema: str
) -> None:
    metadata = stripe_refund.metadata.to_dict() if stripe_refund.metadata else {}
    if metadata.get("town") == schema:
        # Ours: an order's refund (its id written now if its task has not yet), or the late
        # refund of a whole payment (written by its own path).
        ours = str(metadata.get("refund", ""))
        if ours.isdigit():
            with transaction.atomic(durable=True):
                OrderRefund.objects.filter(
                    pk=int(ours), card_payment=payment, stripe_refund_id=""
                ).update(stripe_refund_id=stripe_refund.id)
        return
    if stripe_refund.id == payment.refund_id:
        return
    with transaction.atomic(durable=True):
        # Concurrent copies of the event wait here, then find the refund recorded.
        CardPayment.objects.select_for_update().get(pk=payment.pk)
        if OrderRefund.objects.filter(stripe_refund_id=stripe_refund.id).exists():
            return
        order = _order_for_refund(payment=payment, amount_cents=stripe_refund.amount)
        if order is None:
            logger.error(
                "Refund %s of payment %s: no order of its checkout has %s cents left to refund",
                stripe_refund.id,
                payment.pk,
                stripe_refund.amount,
            )
            return
        _refund_locked(
            order=order,
            origin=Origin.STRIPE,
            actor=None,
            reason="",
            quantities={},
            amount_cents=stripe_refund.amount,
            stripe_refund_id=stripe_refund.id,
        )


def _order_for_refund(*, payment: CardPayment, amount_cents: int) -> Order | None:
    """The first card order of the payment's checkout with `amount_cents` left to refund,
    locked: a refund made in Stripe's dashboard names a charge, not a shop."""
    orders: Iterable[Order] = (
        Order.objects.select_for_update()
        .filter(checkout_id=payment.checkout_id, payment_method=CARD, payment_status__in=REFUNDABLE)
        .order_by("pk")
    )
    for order in orders:
        refunded = (
            OrderRefund.objects.filter(order=order).aggregate(total=Sum("amount_cents"))["total"]
            or 0
        )
        if order.total_cents - refunded >= amount_cents:
            return order
    return None
