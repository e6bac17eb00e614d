"""A checkout's payment, once its orders are committed with their stock reserved.

services.checkout commits the orders "awaiting payment", each one's stock held by reservations
until the checkout's `reserved_until`, and lets go of every lock. Only then does each payment
method's provider start (it may call the network, never inside a lock), and its answer, now or
later from the provider, settles the orders here:

- taken (paid, or due in shop): the orders are placed, their reservations become sales, the
  shops and the shopper are told;
- failed, or never finished before the hold ran out (the sweep): the orders are cancelled and
  the held stock goes back to the other shoppers.

Each settlement locks the orders first (then the stock rows, as every stock change does), so it
happens once however often a provider, a retried task or the sweep reports it; a report that
arrives after the orders were cancelled is answered TOO_LATE, for the provider to give the money
back rather than keep it.
"""

from datetime import datetime
from enum import StrEnum
from itertools import groupby

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.celery import task_after_commit
from marketplace.catalogue.services.stock import (
    ReservationExpired,
    stock_reservations_release,
    stock_reservations_take,
)
from marketplace.orders.errors import OrderNotFound
from marketplace.orders.models import Checkout, Order, OrderEvent
from marketplace.orders.payments import payment_provider_get
from marketplace.orders.tasks import (
    checkout_confirmation_send,
    order_placed_notify_merchant,
    order_status_notify,
)

Status = Order.Status
PaymentStatus = Order.PaymentStatus

# How many checkouts one sweep settles; the next run goes on with the rest.
SWEEP_BATCH = 500


class PaymentSettled(StrEnum):
    """Where a reported payment left the orders it pays for."""

    # Placed: now, or by an earlier report of the same payment.
    PLACED = "placed"
    # Cancelled before the payment came (it failed, or the hold ran out): give the money back.
    TOO_LATE = "too_late"


def checkout_payments_start(*, checkout: Checkout) -> str:
    """Start paying the checkout's orders still awaiting payment: one provider call per payment
    method, outside any transaction. Returns where to send the shopper, "" for the confirmation
    page (the first provider that asks for the shopper wins: one checkout, one payment).

    Called again for the same checkout (a double submit), it asks the providers again about the
    orders still awaiting payment only, and they answer the same way.
    """
    pending = list(checkout.orders.filter(status=Status.PENDING).order_by("payment_method", "pk"))
    redirect_url = ""
    for method, orders in groupby(pending, key=lambda order: order.payment_method):
        result = payment_provider_get(method).start(checkout=checkout, orders=list(orders))
        if result.payment_status == PaymentStatus.FAILED:
            _settle_failed(checkout=checkout, payment_method=method, reason=_failed_reason())
        elif result.payment_status != PaymentStatus.AWAITING:
            _settle_taken(
                checkout=checkout, payment_method=method, payment_status=result.payment_status
            )
        redirect_url = redirect_url or result.redirect_url
    return redirect_url


def checkout_payment_succeeded(
    *, reference: str, payment_method: str, payment_status: str = PaymentStatus.PAID
) -> PaymentSettled:
    """The provider took the payment of checkout `reference`'s orders of `payment_method`.

    Places them (their reservations become sales) while the hold runs; once it ran out, or the
    orders were cancelled for a failed payment, they stay cancelled and the answer is TOO_LATE.
    Reporting the same payment again changes nothing and answers the same.
    """
    return _settle_taken(
        checkout=_checkout(reference), payment_method=payment_method, payment_status=payment_status
    )


def checkout_payment_failed(*, reference: str, payment_method: str) -> None:
    """The payment of checkout `reference`'s orders of `payment_method` is over without money
    (refused for good, or abandoned): the orders still awaiting it are cancelled and their stock
    released. Call it when nothing can succeed any more (a declined card the shopper may retry
    is not over); reporting it again changes nothing."""
    _settle_failed(
        checkout=_checkout(reference), payment_method=payment_method, reason=_failed_reason()
    )


def checkouts_expired_release(*, now: datetime | None = None) -> int:
    """Cancel the current town's orders whose payment did not come before their hold ran out,
    releasing their stock; returns how many were cancelled. Running it again finds none."""
    now = now or timezone.now()
    expired = (
        Order.objects.filter(status=Status.PENDING, checkout__reserved_until__lte=now)
        .values_list("checkout_id", "payment_method")
        .distinct()
        .order_by("checkout_id", "payment_method")[:SWEEP_BATCH]
    )
    checkouts = Checkout.objects.in_bulk({checkout_id for checkout_id, _method in expired})
    return sum(
        _settle_failed(
            checkout=checkouts[checkout_id],
            payment_method=method,
            reason=_("The payment was not completed in time."),
        )
        for checkout_id, method in expired
    )


def _failed_reason() -> str:
    return _("The payment did not go through.")


def _checkout(reference: str) -> Checkout:
    checkout = Checkout.objects.filter(reference=reference).first()
    if checkout is None:
        raise OrderNotFound(_("This order does not exist."))
    return checkout


def _orders_locked(*, checkout: Checkout, payment_method: str) -> tuple[list[Order], list[Order]]:
    """Every order of the checkout, locked (so two settlements of one checkout queue, and the
    second sees what the first did), and those of `payment_method` still awaiting payment."""
    orders = list(Order.objects.select_for_update().filter(checkout=checkout).order_by("pk"))
    of_method = [order for order in orders if order.payment_method == payment_method]
    if not of_method:
        raise OrderNotFound(_("This order does not exist."))
    return orders, [order for order in of_method if order.status == Status.PENDING]


def _settle_taken(
    *, checkout: Checkout, payment_method: str, payment_status: str
) -> PaymentSettled:
    with transaction.atomic(durable=True):
        orders, pending = _orders_locked(checkout=checkout, payment_method=payment_method)
        if not pending:
            failed = any(
                order.payment_method == payment_method
                and order.payment_status == PaymentStatus.FAILED
                for order in orders
            )
            return PaymentSettled.TOO_LATE if failed else PaymentSettled.PLACED
        try:
            stock_reservations_take(
                references=[order.reference for order in pending], actor=checkout.customer
            )
        except ReservationExpired:
            _cancel(
                checkout=checkout,
                orders=orders,
                pending=pending,
                reason=_("The payment was not completed in time."),
            )
            return PaymentSettled.TOO_LATE
        _move(orders=pending, status=Status.PLACED, payment_status=payment_status)
        for order in pending:
            task_after_commit(order_placed_notify_merchant, order.pk)
        _confirmation_when_settled(checkout, orders)
    return PaymentSettled.PLACED


def _settle_failed(*, checkout: Checkout, payment_method: str, reason: str) -> int:
    with transaction.atomic(durable=True):
        orders, pending = _orders_locked(checkout=checkout, payment_method=payment_method)
        if pending:
            _cancel(checkout=checkout, orders=orders, pending=pending, reason=reason)
        return len(pending)


def _cancel(*, checkout: Checkout, orders: list[Order], pending: list[Order], reason: str) -> None:
    stock_reservations_release(references=[order.reference for order in pending])
    _move(
        orders=pending, status=Status.CANCELLED, payment_status=PaymentStatus.FAILED, reason=reason
    )
    for order in pending:
        task_after_commit(order_status_notify, order.pk, Status.CANCELLED)
    _confirmation_when_settled(checkout, orders)


def _move(*, orders: list[Order], status: str, payment_status: str, reason: str = "") -> None:
    """The locked pending orders go to `status`, each with its history line."""
    now = timezone.now()
    for order in orders:
        order.status = status
        order.payment_status = payment_status
        order.status_reason = reason
        order.updated_at = now
    Order.objects.bulk_update(orders, ["status", "payment_status", "status_reason", "updated_at"])
    OrderEvent.objects.bulk_create(
        OrderEvent(order=order, from_status=Status.PENDING, to_status=status, reason=reason)
        for order in orders
    )


def _confirmation_when_settled(checkout: Checkout, orders: list[Order]) -> None:
    """Once no order of the checkout awaits its payment, the shopper gets one summary (sent
    once: send_once), unless none was placed (each cancellation is told on its own)."""
    states = {order.status for order in orders}
    if Status.PENDING not in states and states != {Status.CANCELLED}:
        task_after_commit(checkout_confirmation_send, checkout.pk)
