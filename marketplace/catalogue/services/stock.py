"""Stock: one number per variant, changed only here, under a row lock, with its history; and
reservations, the units held for orders whose payment runs.

Every change locks the variant rows it touches. Several rows are always locked in one query in
ascending pk order, so two transactions wanting the same rows queue instead of deadlocking.
Reservations are rows of their own, written and counted under those same locks: what a shopper
may take is the count less the reservations still running.
"""

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Sum
from django.db.models.functions import Now
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.page_cache import shop_window_changed
from marketplace.catalogue.models import StockMovement, StockReservation, Variant


class ReservationExpired(Exception):
    """A reservation ran out before it was taken; nothing was changed."""


class InsufficientStock(Exception):
    """Asked for more units than a variant has; nothing was changed."""

    def __init__(self, *, variant_id: int, available: int, requested: int) -> None:
        self.variant_id = variant_id
        self.available = available
        self.requested = requested
        super().__init__(
            _("Only %(available)d left in stock (%(requested)d asked).")
            % {"available": available, "requested": requested}
        )


def _summed(lines: list[tuple[int, int]]) -> dict[int, int]:
    """Quantities per variant; the same variant twice in a cart is one need."""
    needs: dict[int, int] = defaultdict(int)
    for variant_id, quantity in lines:
        if quantity <= 0:
            raise ValueError(f"Quantity must be positive, got {quantity}.")
        needs[variant_id] += quantity
    return dict(needs)


def _locked(variant_ids: list[int]) -> dict[int, Variant]:
    """Lock the rows that exist, in ascending pk order, in one query."""
    return {
        variant.pk: variant
        for variant in Variant.objects.select_for_update()
        .filter(pk__in=variant_ids)
        .order_by("pk")
        .only("pk", "stock")
    }


def _apply(
    *,
    variants: dict[int, Variant],
    changes: list[tuple[int, int, str]],
    reason: str,
    actor: User | None,
) -> None:
    """Apply the (variant_id, delta, reference) changes to the locked variants, in that order,
    each recorded as a movement."""
    movements = []
    for variant_id, delta, reference in changes:
        variant = variants[variant_id]
        variant.stock += delta
        movements.append(
            StockMovement(
                variant_id=variant_id,
                delta=delta,
                balance_after=variant.stock,
                reason=reason,
                reference=reference,
                actor=actor,
            )
        )
    changed = sorted({variant_id for variant_id, _delta, _reference in changes})
    Variant.objects.bulk_update([variants[pk] for pk in changed], ["stock"])
    StockMovement.objects.bulk_create(movements)
    shop_window_changed()  # bulk writes send no signal


def stock_adjust(
    *, variant_id: int, delta: int, reason: str, reference: str = "", actor: User | None = None
) -> int:
    """Add `delta` (negative to remove) to a variant's stock; returns the new stock.

    Refuses to go below zero with InsufficientStock and changes nothing then; an unknown
    variant raises Variant.DoesNotExist.
    """
    if reason not in StockMovement.Reason.values:
        raise ValueError(f"Unknown stock movement reason {reason!r}.")
    with transaction.atomic():
        variant = Variant.objects.select_for_update().only("pk", "stock").get(pk=variant_id)
        if delta == 0:
            return variant.stock
        if variant.stock + delta < 0:
            raise InsufficientStock(
                variant_id=variant_id, available=variant.stock, requested=-delta
            )
        _apply(
            variants={variant_id: variant},
            changes=[(variant_id, delta, reference)],
            reason=reason,
            actor=actor,
        )
        return variant.stock


def stock_set(
    *, variant_id: int, quantity: int, reason: str, reference: str = "", actor: User | None = None
) -> int:
    """Set a variant's stock to `quantity` (a count in the shop, an import); returns it.

    The difference is computed under the lock, so a sale made meanwhile is not lost silently:
    the movement records exactly what the count changed.
    """
    if quantity < 0:
        raise ValueError(f"Stock cannot be negative, got {quantity}.")
    if reason not in StockMovement.Reason.values:
        raise ValueError(f"Unknown stock movement reason {reason!r}.")
    with transaction.atomic():
        variant = Variant.objects.select_for_update().only("pk", "stock").get(pk=variant_id)
        delta = quantity - variant.stock
        if delta:
            _apply(
                variants={variant_id: variant},
                changes=[(variant_id, delta, reference)],
                reason=reason,
                actor=actor,
            )
        return variant.stock


def _reserved(variant_ids: list[int]) -> dict[int, int]:
    """Units held by the reservations still running, per variant (one query). The database's
    clock decides what runs, for every process alike."""
    return dict(
        StockReservation.objects.filter(variant_id__in=variant_ids, expires_at__gt=Now())
        .values("variant_id")
        .annotate(units=Sum("quantity"))
        .values_list("variant_id", "units")
    )


def stock_reserve_for_lines(*, lines: dict[str, list[tuple[int, int]]], until: datetime) -> None:
    """Hold the (variant_id, quantity) lines of each reference (an order) until `until`, all or
    nothing; the stock count does not move.

    Every variant of every reference is locked first, in one query in ascending pk order; what
    may be held is the count less the reservations still running. The first variant short
    raises InsufficientStock (with what is available) before anything is written; a variant
    deleted meanwhile counts as none left. The caller holds the transaction (the checkout that
    creates the orders), so the locks last until its commit.
    """
    held = {reference: _summed(reference_lines) for reference, reference_lines in lines.items()}
    needs: dict[int, int] = defaultdict(int)
    for quantities in held.values():
        for variant_id, quantity in quantities.items():
            needs[variant_id] += quantity
    if not needs:
        return
    with transaction.atomic():
        variants = _locked(list(needs))
        reserved = _reserved(list(needs))
        for variant_id in sorted(needs):
            count = variants[variant_id].stock if variant_id in variants else 0
            available = max(count - reserved.get(variant_id, 0), 0)
            if available < needs[variant_id]:
                raise InsufficientStock(
                    variant_id=variant_id, available=available, requested=needs[variant_id]
                )
        StockReservation.objects.bulk_create(
            StockReservation(
                variant_id=variant_id, quantity=quantity, reference=reference, expires_at=until
            )
            for reference, quantities in held.items()
            for variant_id, quantity in sorted(quantities.items())
        )


def stock_reservations_take(*, references: list[str], actor: User | None = None) -> None:
    """Turn the references' reservations into sales: SALE movements, each with its reference,
    and the reservations deleted.

    Raises ReservationExpired, changing nothing, when one of them ran out: by then another
    shopper may have the units. A count lowered below what was held meanwhile (a count in the
    shop) goes to zero, and the movement records what it really changed. References without
    reservations (taken already, or their variant deleted) take nothing.
    """
    with transaction.atomic():
        reservations = list(
            StockReservation.objects.select_for_update()
            .filter(reference__in=references)
            .annotate(running=ExpressionWrapper(Q(expires_at__gt=Now()), BooleanField()))
            .order_by("pk")
        )
        if not reservations:
            return
        if not all(reservation.running for reservation in reservations):
            raise ReservationExpired
        variants = _locked(sorted({reservation.variant_id for reservation in reservations}))
        changes = []
        left = {variant_id: variant.stock for variant_id, variant in variants.items()}
        for reservation in sorted(reservations, key=lambda r: (r.reference, r.variant_id)):
            taken = min(reservation.quantity, left[reservation.variant_id])
            left[reservation.variant_id] -= taken
            if taken:
                changes.append((reservation.variant_id, -taken, reservation.reference))
        if changes:
            _apply(
                variants=variants, changes=changes, reason=StockMovement.Reason.SALE, actor=actor
            )
        StockReservation.objects.filter(pk__in=[r.pk for r in reservations]).delete()


def stock_reservations_release(*, references: list[str]) -> int:
    """Give back what the references hold (a payment failed or abandoned): the reservations go,
    the count never moved. Returns how many there were; releasing again finds none."""
    deleted, _by_model = StockReservation.objects.filter(reference__in=references).delete()
    return deleted


def stock_return_for_lines(
    *, lines: list[tuple[int, int]], reference: str, actor: User | None = None
) -> None:
    """Put the lines back in stock (a cancelled or refused order): CANCELLATION movements.

    Variants deleted since the sale are skipped: there is no shelf to put them back on.
    """
    needs = _summed(lines)
    if not needs:
        return
    with transaction.atomic():
        variants = _locked(list(needs))
        _apply(
            variants=variants,
            changes=[(pk, needs[pk], reference) for pk in sorted(needs) if pk in variants],
            reason=StockMovement.Reason.CANCELLATION,
            actor=actor,
        )
