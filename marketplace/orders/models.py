import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_tracking_token() -> str:
    return secrets.token_urlsafe(24)


def new_checkout_reference() -> str:
    from marketplace.orders.services.references import checkout_reference_new

    return checkout_reference_new()


class Cart(models.Model):
    """A shopper's cart, across every shop of the town.

    A guest's cart is found through their session (which keeps its id); a signed-in shopper has
    one cart, attached to their account, into which the guest cart is merged at sign-in.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cart",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")


class CartLine(models.Model):
    """How many units of one variant the shopper wants. Prices are read live, never stored."""

    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalogue.Variant", on_delete=models.CASCADE, related_name="cart_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cart line")
        verbose_name_plural = _("cart lines")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="cart_line_one_per_variant"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="cart_line_quantity"),
        ]


class Checkout(models.Model):
    """One shopper's checkout of a cart: one payment, and one order per shop.

    `idempotency_key` comes from the checkout form, so a double submit finds this row again
    instead of creating a second set of orders. The key is bound to the cart that made it: a key
    replayed from another cart (another session, another shopper) finds nothing.
    """

    idempotency_key = models.CharField(max_length=64, unique=True)
    cart = models.ForeignKey(
        "orders.Cart", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Shown on the shopper's pages; names the checkout's one payment at the payment provider.
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_checkout_reference
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    contact_name = models.CharField(_("name"), max_length=150)
    contact_email = models.EmailField(_("e-mail"))
    contact_phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The language the shopper used, so their e-mails speak it too.
    language = models.CharField(max_length=10, blank=True)
    # Until when its orders' stock is held for the payment (their reservations end then too).
    reserved_until = models.DateTimeField(_("stock held until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)


class Order(models.Model):
    """What one shop must prepare for one shopper."""

    class Status(models.TextChoices):
        # Its stock is held while the payment runs; the shop sees it once placed.
        PENDING = "pending", _("Awaiting payment")
        PLACED = "placed", _("Placed")
        ACCEPTED = "accepted", _("Accepted")
        READY = "ready", _("Ready")
        COLLECTED = "collected", _("Collected")
        DELIVERED = "delivered", _("Delivered")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    class Fulfilment(models.TextChoices):
        CLICK_COLLECT = "click_collect", _("Click & collect")
        LOCAL_DELIVERY = "local_delivery", _("Local delivery")
        POSTAL = "postal", _("Delivery by post")
        RESERVE_PAY_IN_SHOP = "reserve_pay_in_shop", _("Reserve online, pay in shop")

    class PaymentStatus(models.TextChoices):
        AWAITING = "awaiting", _("Awaiting payment")
        DUE_IN_SHOP = "due_in_shop", _("To pay in shop")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Payment failed")
        # Some of what was paid went back to the shopper (a line, a few items); the rest kept.
        PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")
        REFUNDED = "refunded", _("Refunded")

    reference = models.CharField(_("reference"), max_length=16, unique=True)
    checkout = models.ForeignKey(Checkout, on_delete=models.PROTECT, related_name="orders")
    merchant = models.ForeignKey(
        "directory.Merchant", on_delete=models.PROTECT, related_name="orders"
    )
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLACED, db_index=True
    )
    fulfilment = models.CharField(_("fulfilment"), max_length=24, choices=Fulfilment.choices)
    pickup_at = models.DateTimeField(_("pickup time"), null=True, blank=True)
    delivery_address = models.CharField(_("delivery address"), max_length=255, blank=True)
    delivery_postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    delivery_city = models.CharField(_("city"), max_length=100, blank=True)
    payment_method = models.CharField(_("payment"), max_length=24, default="pay_in_shop")
    payment_status = models.CharField(
        _("payment status"),
        max_length=16,
        choices=PaymentStatus.choices,
        default=PaymentStatus.DUE_IN_SHOP,
    )
    subtotal_cents = models.PositiveIntegerField(_("subtotal (cents)"))
    delivery_fee_cents = models.PositiveIntegerField(_("delivery fee (cents)"), default=0)
    total_cents = models.PositiveIntegerField(_("total (cents)"))
    note = models.TextField(_("note for the shop"), blank=True)
    status_reason = models.CharField(_("reason"), max_length=255, blank=True)
    tracking_token = models.CharField(max_length=64, unique=True, default=new_tracking_token)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["merchant", "status", "-created_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def payment_display(self) -> str:
        """The payment's state in words, saying how it was paid ("Paid by card")."""
        from marketplace.orders.errors import PaymentMethodUnknown
        from marketplace.orders.payments import payment_provider_get

        if self.payment_status == self.PaymentStatus.PAID:
            try:
                return str(payment_provider_get(self.payment_method).paid_label)
            except PaymentMethodUnknown:
                pass
        return str(self.get_payment_status_display())


class OrderLine(models.Model):
    """A line of an order, with the product's title and price as they were when ordered."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalogue.Variant", on_delete=models.SET_NULL, null=True, related_name="order_lines"
    )
    product_title = models.CharField(max_length=150)
    variant_name = models.CharField(max_length=100, blank=True)
    sku = models.CharField(max_length=64)
    unit_price_cents = models.PositiveIntegerField()
    vat_rate = models.PositiveSmallIntegerField()
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    @property
    def total_cents(self) -> int:
        return self.unit_price_cents * self.quantity


class OrderEvent(models.Model):
    """The order's history: each change of status, who made it and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    reason = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    @property
    def status_label(self) -> str:
        return str(Order.Status(self.to_status).label)
