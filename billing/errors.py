"""Billing's domain errors, turned into translated messages at the edge."""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


class BillingError(Exception):
    message = _("The payment service refused this.")

    def __str__(self) -> str:
        return str(self.message)


class WebhookRefused(BillingError):
    """A webhook whose body or signature does not hold (or is too old): answered 400."""

    message = _("This webhook is not signed by Stripe with our secret, or is too old.")


class MerchantCannotConnect(BillingError):
    message = _("Only the owner of a shop that sells online can connect a Stripe account.")


class StripeUnavailable(BillingError):
    message = _("Stripe could not be reached. Nothing was changed; please try again in a moment.")


class CommissionInvalid(BillingError):
    message = _("A commission is a whole number of basis points from 0 to 10,000 (100 %).")


class SubscriptionInvalid(BillingError):
    """A town's subscription cannot be made or changed so; the message says why."""

    PLAN = _("Choose one of the plans offered.")
    TRIAL = _("A trial lasts from 0 to 90 days.")
    EXISTS = _("This town already has a running subscription: change its plan instead.")
    NONE = _("This town has no running subscription.")

    def __init__(self, message: "_StrPromise") -> None:
        super().__init__(message)
        self.message = message


class RefundInvalid(BillingError):
    """A refund asked for more than is left, for nothing, or of an order that cannot be
    refunded; its message says which (nothing was changed)."""

    message = _("This refund cannot be made.")

    def __init__(self, message: object = None) -> None:
        super().__init__()
        if message is not None:
            self.message = message  # type: ignore[assignment]


class RefundForbidden(BillingError):
    message = _("Only the order's shop or the town's administrators can refund it.")
