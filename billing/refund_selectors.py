"""Reads of card refunds: an order's refunds, what is left to refund on it, the town's refunds
and the reversals still to make, each in a constant number of queries."""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from billing.models import OrderRefund, OrderRefundLine
from billing.services.card_payments import CARD
from billing.services.order_refunds import REFUNDABLE, order_refund_lines_left
from marketplace.orders.models import Order, OrderLine

TOWN_REFUNDS_LISTED = 100


@dataclass(frozen=True)
class RefundableLine:
    line: OrderLine
    left: int


def order_refundable(order: Order) -> bool:
    return order.payment_method == CARD and order.payment_status in REFUNDABLE


def order_refundable_lines(*, order: Order) -> list[RefundableLine]:
    """The order's lines (prefetched on `order`) with how many items can still be refunded."""
    left = order_refund_lines_left(order_id=order.pk)
    return [RefundableLine(line, left.get(line.pk, 0)) for line in order.lines.all()]


def order_refunds_of(*, order_id: int) -> list[OrderRefund]:
    """An order's refunds, oldest first, with their items and who made them (two queries)."""
    return list(
        OrderRefund.objects.filter(order_id=order_id)
        .select_related("actor")
        .prefetch_related(
            Prefetch("lines", queryset=OrderRefundLine.objects.select_related("line"))
        )
        .order_by("pk")
    )


def order_refunds_shown(*, order: Order) -> list[OrderRefund]:
    """The refunds an order's page lists: none to look for unless it was paid by card."""
    return order_refunds_of(order_id=order.pk) if order.payment_method == CARD else []


def _town_refunds() -> QuerySet[OrderRefund]:
    return OrderRefund.objects.select_related("order__merchant", "actor").order_by("-pk")


def town_refunds_recent() -> list[OrderRefund]:
    """The town's latest refunds, newest first (one query)."""
    return list(_town_refunds()[:TOWN_REFUNDS_LISTED])


def town_refunds_stuck() -> list[OrderRefund]:
    """Refunds Stripe refused to make, the Refund to the customer or the reversal from the
    shop, still to make (one query)."""
    return list(
        _town_refunds().filter(
            Q(reversal_attempts__gt=0, reversal_cents__gt=0, stripe_reversal_id="")
            | (Q(amount_cents__gt=0, stripe_refund_id="") & ~Q(refund_error=""))
        )
    )


def town_order_for_refund(*, reference: str) -> Order | None:
    """Any order of the town, with its lines and its shop, for the administrator's refund."""
    return (
        Order.objects.filter(reference=reference)
        .select_related("merchant")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
        .first()
    )


@dataclass(frozen=True)
class RefundPage:
    """What a refund page shows of an order (its lines prefetched): each line's items left,
    its refunds, and the amount still unrefunded."""

    lines: list[RefundableLine]
    refunds: list[OrderRefund]
    left_cents: int


def order_refund_page(*, order: Order) -> RefundPage:
    refunds = order_refunds_of(order_id=order.pk)
    return RefundPage(
        lines=order_refundable_lines(order=order),
        refunds=refunds,
        left_cents=order.total_cents - sum(refund.amount_cents for refund in refunds),
    )
