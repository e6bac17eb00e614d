"""Stock: one number per variant, changed only here, under a row lock, with its history.

Every change locks the variant rows it touches. Several rows are always locked in one query in
ascending pk order, so two transactions wanting the same rows queue instead of deadlocking.
"""

from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.page_cache import shop_window_changed
from marketplace.catalogue.models import StockMovement, Variant


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
    deltas: dict[int, int],
    reason: str,
    reference: str,
    actor: User | None,
) -> None:
    movements = []
    for variant_id in sorted(deltas):
        variant = variants[variant_id]
        variant.stock += deltas[variant_id]
        movements.append(
            StockMovement(
                variant_id=variant_id,
                delta=deltas[variant_id],
                balance_after=variant.stock,
                reason=reason,
                reference=reference,
                actor=actor,
            )
        )
    Variant.objects.bulk_update([variants[pk] for pk in sorted(deltas)], ["stock"])
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
            deltas={variant_id: delta},
            reason=reason,
            reference=reference,
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
                deltas={variant_id: delta},
                reason=reason,
                reference=reference,
                actor=actor,
            )
        return variant.stock


def stock_take_for_lines(
    *, lines: list[tuple[int, int]], reference: str, actor: User | None = None
) -> None:
    """Take the (variant_id, quantity) lines out of stock, all or nothing (SALE movements).

    Every row is locked first, in one query in ascending pk order; the first variant short of
    stock raises InsufficientStock before any row changes; a variant deleted meanwhile counts
    as none left. The caller holds the transaction
    (the checkout that creates the orders), so the locks last until its commit.
    """
    needs = _summed(lines)
    if not needs:
        return
    with transaction.atomic():
        variants = _locked(list(needs))
        for variant_id in sorted(needs):
            available = variants[variant_id].stock if variant_id in variants else 0
            if available < needs[variant_id]:
                raise InsufficientStock(
                    variant_id=variant_id, available=available, requested=needs[variant_id]
                )
        _apply(
            variants=variants,
            deltas={variant_id: -quantity for variant_id, quantity in needs.items()},
            reason=StockMovement.Reason.SALE,
            reference=reference,
            actor=actor,
        )


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
            deltas={pk: quantity for pk, quantity in needs.items() if pk in variants},
            reason=StockMovement.Reason.CANCELLATION,
            reference=reference,
            actor=actor,
        )
