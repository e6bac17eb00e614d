"""Sending each order notification once: claimed in a table before sending, released on failure."""

from django.db import IntegrityError, transaction

from marketplace.orders.models import OrderNotification


def notification_claim(*, order_id: int, kind: str) -> bool:
    """Claim the right to send `kind` about this order: True once, False ever after."""
    try:
        with transaction.atomic():
            OrderNotification.objects.create(order_id=order_id, kind=kind)
    except IntegrityError:
        return False
    return True


def notification_release(*, order_id: int, kind: str) -> None:
    """Give a claim back after a failed send, so the task's retry sends it."""
    OrderNotification.objects.filter(order_id=order_id, kind=kind).delete()
