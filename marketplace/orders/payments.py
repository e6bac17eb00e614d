"""How an order gets paid: a provider per payment method, found in a registry by its code.

Checkout commits a checkout's orders "awaiting payment", their stock reserved, and only then
hands the orders of each payment method to its provider (`start`), outside any transaction: the
provider may call the network there. What `start` answers settles them at once (pay in shop:
due in shop, so the orders are placed), or leaves them awaiting a payment the provider reports
later through services.checkout_payment (`checkout_payment_succeeded`, `…_failed`).

The order transitions call `handed_over` when the goods reach the shopper and `refund` when an
order is refused or cancelled. Those run inside the caller's transaction, with the order row
locked: they change the order's payment fields and leave any network call (a card refund) to a
task after commit.
"""

from dataclasses import dataclass
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from marketplace.orders.errors import PaymentMethodUnknown
from marketplace.orders.models import Checkout, Order


@dataclass(frozen=True)
class PaymentResult:
    """What starting a payment gave.

    `payment_status` is the orders' payment status now: AWAITING while the shopper still has to
    pay (the provider reports the outcome later), FAILED when refused at once, anything else
    (due in shop, paid) places the orders. `redirect_url` is where to send the shopper when the
    provider needs them to act (a card form), else an empty string.
    """

    payment_status: str
    redirect_url: str = ""


class PaymentProvider(Protocol):
    code: str
    label: str | Promise
    # How an order's page says it is paid this way ("Paid by card").
    paid_label: str | Promise

    def offered_to(self, *, merchant_ids: list[int]) -> set[int]:
        """Those of the shops `merchant_ids` whose orders this method may pay (a constant
        number of queries: the checkout asks once for the whole cart)."""
        ...

    def start(self, *, checkout: Checkout, orders: list[Order]) -> PaymentResult:
        """Begin paying the checkout's `orders` of this method, committed and awaiting payment.

        Runs outside any transaction and may call the network; it settles no order itself (the
        answer does), recording only its own side of the payment. A double submit of the checkout calls it again: answer the
        same way (an idempotency key from the checkout's reference).
        """
        ...

    def handed_over(self, order: Order) -> None:
        """The shopper has the goods (collected or delivered)."""
        ...

    def refund(self, order: Order) -> None:
        """The order is refused or cancelled: give back what was paid, if anything."""
        ...


class PayInShopProvider:
    """Reserve online, pay at the counter (or to the person delivering): nothing is taken online.

    The order is due in shop until it is handed over, then paid; refunding an order paid that
    way is the merchant's business at the counter, so it is only recorded.
    """

    code = "pay_in_shop"
    label: str | Promise = _("Pay in shop")
    paid_label: str | Promise = _("Paid")

    def offered_to(self, *, merchant_ids: list[int]) -> set[int]:
        return set(merchant_ids)

    def start(self, *, checkout: Checkout, orders: list[Order]) -> PaymentResult:
        # Nothing to take online: the orders are placed at once, their stock taken.
        return PaymentResult(payment_status=Order.PaymentStatus.DUE_IN_SHOP)

    def handed_over(self, order: Order) -> None:
        if order.payment_status == Order.PaymentStatus.DUE_IN_SHOP:
            order.payment_status = Order.PaymentStatus.PAID
            order.save(update_fields=["payment_status", "updated_at"])

    def refund(self, order: Order) -> None:
        if order.payment_status == Order.PaymentStatus.PAID:
            order.payment_status = Order.PaymentStatus.REFUNDED
            order.save(update_fields=["payment_status", "updated_at"])


_providers: dict[str, PaymentProvider] = {}


def payment_provider_register(provider: PaymentProvider) -> None:
    _providers[provider.code] = provider


def payment_provider_get(code: str) -> PaymentProvider:
    try:
        return _providers[code]
    except KeyError:
        raise PaymentMethodUnknown(
            gettext("This payment method is not available: choose another one.")
        ) from None


def payment_providers() -> list[PaymentProvider]:
    """Every registered provider, in registration order (the checkout offers them so)."""
    return list(_providers.values())


payment_provider_register(PayInShopProvider())
