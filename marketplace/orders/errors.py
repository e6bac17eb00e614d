"""The orders' domain errors; each carries a translated message shown as is at the edge."""


class OrdersError(Exception):
    """Base of the orders' domain errors: `message` is translated, ready to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CartRefused(OrdersError):
    """The cart cannot take (or keep) that item; nothing was changed."""


class CheckoutInvalid(OrdersError):
    """The checkout cannot be placed as asked; nothing was created, no stock was taken."""


class OrderNotFound(OrdersError):
    """No such order (or not one this person may see: we do not say which)."""


class OrderTransitionRefused(OrdersError):
    """The order cannot go to that status from where it is; nothing was changed."""


class OrderActionForbidden(OrdersError):
    """This person may not do that to this order; nothing was changed."""


class PaymentMethodUnknown(OrdersError):
    """No payment provider is registered under that code."""
