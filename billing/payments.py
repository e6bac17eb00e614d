"""Card payment as one of orders' payment methods (registered in BillingConfig.ready())."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from billing.selectors import merchants_taking_card_payments
from billing.services.card_payments import CARD, card_payment_start
from billing.services.order_refunds import card_order_refund_record
from marketplace.orders.models import Checkout, Order
from marketplace.orders.payments import PaymentResult


class CardProvider:
    """Pay online by card, on Stripe's page, for every shop of the cart whose Connect account
    can take charges: one payment for the checkout, the shops paid by transfer afterwards."""

    code = CARD
    label: str | Promise = _("Pay online by card")
    paid_label: str | Promise = _("Paid by card")

    def offered_to(self, *, merchant_ids: list[int]) -> set[int]:
        return merchants_taking_card_payments(merchant_ids=merchant_ids)

    def start(self, *, checkout: Checkout, orders: list[Order]) -> PaymentResult:
        return PaymentResult(
            payment_status=Order.PaymentStatus.AWAITING,
            redirect_url=card_payment_start(checkout=checkout, orders=orders),
        )

    def handed_over(self, order: Order) -> None:
        """Paid before it was prepared: nothing is left to take."""

    def refund(self, order: Order) -> None:
        """Refused or cancelled after it was paid: given back in full, that shop's transfer
        reversed (after the commit; see services.order_refunds)."""
        card_order_refund_record(order)
