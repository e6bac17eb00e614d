"""After a card payment: each shop's share goes to its Connect account, less the town's
commission ("separate charges and transfers").

One Transfer per shop, `source_transaction` = the payment's charge (so Stripe moves the money
once the charge's funds are available), `transfer_group` = the checkout's reference, made by a
Celery task under an idempotency key naming the town, the checkout and the shop: a task that
dies after Stripe answered and runs again gets the same Transfer back. A ledger row records
each one: the order's total = the commission kept + the amount transferred, in cents.

Rounding: a shop's commission is its order's total times the rate in basis points, divided by
10,000 and rounded half up, in integers; the shop gets the rest. So per shop, and over the
checkout, Σ transfers + Σ commissions == the amount charged, to the cent.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction

from billing.errors import CommissionInvalid
from billing.models import CardPayment, ConnectAccount, TownCommission, Transfer
from billing.services.card_payments import CARD, CURRENCY
from billing.services.order_refunds import card_order_refund_after_transfer
from billing.stripe_api import stripe_client, stripe_created
from comptoir.accounts.models import User
from comptoir.town import current_town
from marketplace.orders.models import Order

ALL_BPS = 10_000


@dataclass(frozen=True)
class Share:
    order_cents: int
    rate_bps: int
    commission_cents: int

    @property
    def transfer_cents(self) -> int:
        return self.order_cents - self.commission_cents


def commission_share(*, order_cents: int, rate_bps: int) -> Share:
    """A shop's share of a payment: the commission rounded half up to the cent, the rest the
    shop's."""
    if not 0 <= rate_bps <= ALL_BPS or order_cents < 0:
        raise CommissionInvalid
    return Share(order_cents, rate_bps, (order_cents * rate_bps + ALL_BPS // 2) // ALL_BPS)


def town_commission_bps() -> int:
    row = TownCommission.objects.filter(pk=1).first()
    return row.rate_bps if row else 0


def _admin_check(actor: User) -> None:
    if not actor.is_town_admin:
        raise PermissionDenied


def town_commission_set(*, rate_bps: int, actor: User) -> None:
    """The town's commission on card payments from now on (an administrator of the town)."""
    _admin_check(actor)
    commission_share(order_cents=0, rate_bps=rate_bps)
    with transaction.atomic(durable=True):
        TownCommission.objects.update_or_create(pk=1, defaults={"rate_bps": rate_bps})


def merchant_commission_set(*, merchant_id: int, rate_bps: int | None, actor: User) -> None:
    """One shop's own commission rate, or back to the town's with None."""
    _admin_check(actor)
    if rate_bps is not None:
        commission_share(order_cents=0, rate_bps=rate_bps)
    with transaction.atomic(durable=True):
        ConnectAccount.objects.filter(merchant_id=merchant_id).update(commission_bps=rate_bps)


def card_payment_transfers_make(*, reference: str) -> int:
    """Pay each shop of checkout `reference` its share of the card payment, once; how many
    ledger rows were written now. Nothing before the payment succeeded and its charge is
    known; a shop already paid is skipped, and Stripe answers a retried call with the same
    Transfer (the idempotency key)."""
    payment = CardPayment.objects.filter(
        checkout__reference=reference, status=CardPayment.Status.SUCCEEDED
    ).first()
    if payment is None or not payment.charge_id:
        return 0
    town = current_town()
    paid = set(Transfer.objects.filter(card_payment=payment).values_list("merchant_id", flat=True))
    orders = list(
        Order.objects.filter(
            checkout_id=payment.checkout_id,
            payment_method=CARD,
            # A partly refunded order's shop is paid its whole share, the refunds then reversed.
            payment_status__in=(Order.PaymentStatus.PAID, Order.PaymentStatus.PARTLY_REFUNDED),
        )
        .exclude(merchant_id__in=paid)
        .select_related("merchant__connect_account")
        .order_by("pk")
    )
    default_bps = town_commission_bps()
    made = 0
    for order in orders:
        account = order.merchant.connect_account
        rate = default_bps if account.commission_bps is None else account.commission_bps
        share = commission_share(order_cents=order.total_cents, rate_bps=rate)
        transfer_id = ""
        if share.transfer_cents:
            transfer_id = _transfer_create(
                town_schema=town.schema_name,
                reference=reference,
                order=order,
                account=account,
                charge_id=payment.charge_id,
                amount=share.transfer_cents,
            )
        made += _transfer_record(payment=payment, order=order, share=share, stripe_id=transfer_id)
        card_order_refund_after_transfer(order)
    return made


def _transfer_create(
    *,
    town_schema: str,
    reference: str,
    order: Order,
    account: ConnectAccount,
    charge_id: str,
    amount: int,
) -> str:
    return stripe_created(
        lambda: (
            stripe_client()
            .v1.transfers.create(
                params={
                    "amount": amount,
                    "currency": CURRENCY,
                    "destination": account.stripe_account_id,
                    "source_transaction": charge_id,
                    "transfer_group": reference,
                    "metadata": {
                        "town": town_schema,
                        "checkout": reference,
                        "order": order.reference,
                    },
                },
                options={
                    "idempotency_key": f"transfer:{town_schema}:{reference}:{order.merchant_id}"
                },
            )
            .id
        ),
        what=f"transfer for order {order.reference}",
    )


def _transfer_record(*, payment: CardPayment, order: Order, share: Share, stripe_id: str) -> int:
    with transaction.atomic(durable=True):
        _row, created = Transfer.objects.get_or_create(
            order=order,
            defaults={
                "card_payment": payment,
                "merchant_id": order.merchant_id,
                "order_cents": share.order_cents,
                "rate_bps": share.rate_bps,
                "commission_cents": share.commission_cents,
                "transfer_cents": share.transfer_cents,
                "stripe_transfer_id": stripe_id,
            },
        )
    return int(created)
