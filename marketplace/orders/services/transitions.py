"""An order's life: placed → accepted → ready → collected / delivered, or refused / cancelled.

Before it is placed, an order awaits its payment (services.checkout_payment settles it); no
transition here moves it then.

Each transition locks the order row, checks who acts and from which status, records an
OrderEvent, gives the stock back when the order ends unfulfilled, and tells the shopper by
e-mail (and SMS when they left a number) after commit. A refused transition raises a domain
error with a translated message and changes nothing.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.celery import task_after_commit
from marketplace.catalogue.services.stock import stock_return_for_lines
from marketplace.directory.models import MerchantMember
from marketplace.orders.errors import (
    OrderActionForbidden,
    OrderNotFound,
    OrderTransitionRefused,
)
from marketplace.orders.models import Order, OrderEvent
from marketplace.orders.payments import payment_provider_get
from marketplace.orders.tasks import order_cancelled_notify_merchant, order_status_notify

Status = Order.Status
Fulfilment = Order.Fulfilment
Actor = User | AnonymousUser | None

REASON_MAX_LENGTH = 255


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    # Fulfilments the transition applies to (None: any).
    fulfilments: tuple[str, ...] | None = None
    reason_required: bool = False


ACCEPT = Transition("accept", (Status.PLACED,), Status.ACCEPTED)
MARK_READY = Transition("mark_ready", (Status.ACCEPTED,), Status.READY)
MARK_COLLECTED = Transition(
    "mark_collected",
    (Status.READY,),
    Status.COLLECTED,
    fulfilments=(Fulfilment.CLICK_COLLECT, Fulfilment.RESERVE_PAY_IN_SHOP),
)
MARK_DELIVERED = Transition(
    "mark_delivered",
    (Status.READY,),
    Status.DELIVERED,
    fulfilments=(Fulfilment.LOCAL_DELIVERY, Fulfilment.POSTAL),
)
REFUSE = Transition(
    "refuse", (Status.PLACED, Status.ACCEPTED), Status.REFUSED, reason_required=True
)
# The merchant may cancel until the goods are handed over, saying why; the shopper may cancel
# alone while the shop has not accepted yet (see order_cancel).
MERCHANT_CANCEL = Transition(
    "cancel",
    (Status.PLACED, Status.ACCEPTED, Status.READY),
    Status.CANCELLED,
    reason_required=True,
)
SHOPPER_CANCEL = Transition("cancel", (Status.PLACED,), Status.CANCELLED)

MERCHANT_TRANSITIONS = (ACCEPT, MARK_READY, MARK_COLLECTED, MARK_DELIVERED, REFUSE, MERCHANT_CANCEL)


def transition_applies(transition: Transition, order: Order) -> bool:
    return order.status in transition.sources and (
        transition.fulfilments is None or order.fulfilment in transition.fulfilments
    )


def order_merchant_actions(*, order: Order) -> list[str]:
    """Names of the transitions a member of the order's shop may make now, in the order a back
    office offers them ("accept", "mark_ready", "mark_collected", …)."""
    return [t.name for t in MERCHANT_TRANSITIONS if transition_applies(t, order)]


def _is_member(actor: Actor, order: Order) -> bool:
    return (
        isinstance(actor, User)
        and MerchantMember.objects.filter(merchant_id=order.merchant_id, user=actor).exists()
    )


def _locked_order(order_id: int) -> Order:
    order = Order.objects.select_for_update().filter(pk=order_id).first()
    if order is None:
        raise OrderNotFound(_("This order does not exist."))
    return order


def _refused_message(order: Order) -> str:
    return _("This order is %(status)s: it cannot be changed that way.") % {
        "status": order.get_status_display().lower()
    }


def _apply(*, order: Order, transition: Transition, actor: Actor, reason: str) -> Order:
    """Move the locked order along `transition`; the caller checked who acts."""
    reason = reason.strip()
    if not transition_applies(transition, order):
        raise OrderTransitionRefused(_refused_message(order))
    if transition.reason_required and not reason:
        raise OrderTransitionRefused(_("Say why, so the shopper understands."))
    if len(reason) > REASON_MAX_LENGTH:
        raise OrderTransitionRefused(
            _("Keep the reason under %(max)d characters.") % {"max": REASON_MAX_LENGTH}
        )
    from_status = order.status
    order.status = transition.target
    order.status_reason = reason
    order.save(update_fields=["status", "status_reason", "updated_at"])
    user = actor if isinstance(actor, User) else None
    OrderEvent.objects.create(
        order=order, from_status=from_status, to_status=order.status, reason=reason, actor=user
    )
    provider = payment_provider_get(order.payment_method)
    if order.status in (Status.REFUSED, Status.CANCELLED):
        lines = [(line.variant_id, line.quantity) for line in order.lines.all() if line.variant_id]
        stock_return_for_lines(lines=lines, reference=order.reference, actor=user)
        provider.refund(order)
    elif order.status in (Status.COLLECTED, Status.DELIVERED):
        provider.handed_over(order)
    task_after_commit(order_status_notify, order.pk, order.status)
    return order


def _merchant_transition(
    transition: Transition, *, order_id: int, actor: Actor, reason: str
) -> Order:
    with transaction.atomic(durable=True):
        order = _locked_order(order_id)
        if not _is_member(actor, order):
            raise OrderActionForbidden(_("Only the shop's team can do this."))
        return _apply(order=order, transition=transition, actor=actor, reason=reason)


def order_accept(*, order_id: int, actor: Actor, reason: str = "") -> Order:
    return _merchant_transition(ACCEPT, order_id=order_id, actor=actor, reason=reason)


def order_mark_ready(*, order_id: int, actor: Actor, reason: str = "") -> Order:
    return _merchant_transition(MARK_READY, order_id=order_id, actor=actor, reason=reason)


def order_mark_collected(*, order_id: int, actor: Actor, reason: str = "") -> Order:
    return _merchant_transition(MARK_COLLECTED, order_id=order_id, actor=actor, reason=reason)


def order_mark_delivered(*, order_id: int, actor: Actor, reason: str = "") -> Order:
    return _merchant_transition(MARK_DELIVERED, order_id=order_id, actor=actor, reason=reason)


def order_refuse(*, order_id: int, actor: Actor, reason: str = "") -> Order:
    return _merchant_transition(REFUSE, order_id=order_id, actor=actor, reason=reason)


def order_cancel(
    *, order_id: int, actor: Actor, reason: str = "", tracking_token: str = ""
) -> Order:
    """Cancel an order: by its shopper while PLACED (signed in as its customer, or a guest
    holding its tracking token), or by the shop's team until handed over, with a reason."""
    with transaction.atomic(durable=True):
        order = _locked_order(order_id)
        is_customer = (isinstance(actor, User) and order.customer_id == actor.pk) or (
            bool(tracking_token) and constant_time_compare(tracking_token, order.tracking_token)
        )
        if is_customer and order.status == Status.PLACED:
            cancelled = _apply(order=order, transition=SHOPPER_CANCEL, actor=actor, reason=reason)
            task_after_commit(order_cancelled_notify_merchant, order.pk)
            return cancelled
        if _is_member(actor, order):
            return _apply(order=order, transition=MERCHANT_CANCEL, actor=actor, reason=reason)
        if is_customer:
            raise OrderTransitionRefused(
                _("The shop has already accepted this order: contact it to cancel.")
                if order.status in (Status.ACCEPTED, Status.READY)
                else _refused_message(order)
            )
        raise OrderActionForbidden(_("You cannot cancel this order."))
