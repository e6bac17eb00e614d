from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConnectAccount(models.Model):
    """A merchant's Stripe Connect account (Express), and its state as Stripe last told it.

    `state_as_of` and `state_source` say which report the state comes from (an event's
    `created` and id, or a direct read with an empty source): a report is applied only when it
    is newer, so events arriving in any order, or twice, end in the same state.
    """

    merchant = models.OneToOneField(
        "directory.Merchant",
        verbose_name=_("merchant"),
        on_delete=models.CASCADE,
        related_name="connect_account",
    )
    stripe_account_id = models.CharField(_("Stripe account"), max_length=255, unique=True)
    details_submitted = models.BooleanField(_("details submitted"), default=False)
    charges_enabled = models.BooleanField(_("charges enabled"), default=False)
    payouts_enabled = models.BooleanField(_("payouts enabled"), default=False)
    # Stripe's requirement codes ("external_account", "individual.verification.document", …).
    requirements_due = models.JSONField(_("requirements due"), default=list, blank=True)
    requirements_past_due = models.JSONField(_("requirements past due"), default=list, blank=True)
    requirements_deadline = models.DateTimeField(_("requirements deadline"), null=True, blank=True)
    disabled_reason = models.CharField(_("disabled reason"), max_length=100, blank=True)
    state_as_of = models.BigIntegerField(_("state as of (Stripe time)"), default=0)
    state_source = models.CharField(_("state source"), max_length=255, blank=True)
    # The town's commission on this shop's card payments, when it differs from the town's rate.
    commission_bps = models.PositiveIntegerField(
        _("commission (basis points)"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("Connect account")
        verbose_name_plural = _("Connect accounts")

    def __str__(self) -> str:
        return self.stripe_account_id


class CardPayment(models.Model):
    """A checkout's card payment: the Stripe Checkout session the shopper pays on, and what
    Stripe reported of its PaymentIntent. One per checkout; written by the payment's start and
    by the webhooks, in whatever order they come."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting the shopper's card")
        SUCCEEDED = "succeeded", _("paid")
        # Paid after the orders' hold ran out: the whole payment went back to the shopper.
        REFUNDED_LATE = "refunded_late", _("paid too late, refunded")

    checkout = models.OneToOneField(
        "orders.Checkout",
        verbose_name=_("checkout"),
        on_delete=models.PROTECT,
        related_name="card_payment",
    )
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))
    session_id = models.CharField(_("Stripe Checkout session"), max_length=255, blank=True)
    payment_intent_id = models.CharField(_("PaymentIntent"), max_length=255, blank=True)
    charge_id = models.CharField(_("charge"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    # Why the last card tried was refused (Stripe's message), while the shopper may try again.
    last_error = models.CharField(_("last refusal"), max_length=255, blank=True)
    refund_id = models.CharField(_("refund"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("card payment")
        verbose_name_plural = _("card payments")

    def __str__(self) -> str:
        return self.payment_intent_id or self.session_id


class TownCommission(models.Model):
    """The town's commission on card payments, in basis points (100 = 1 %), set by its
    administrator; one row per town's schema. A shop's ConnectAccount.commission_bps, when
    set, overrides it for that shop."""

    rate_bps = models.PositiveIntegerField(_("commission (basis points)"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("town's commission")
        verbose_name_plural = _("town's commissions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rate_bps__lte=10_000), name="town_commission_at_most_all"
            )
        ]


class Transfer(models.Model):
    """The ledger: one row per shop paid from a card payment, what the order came to, the
    town's commission kept and what went to the shop (order = commission + transfer, in
    cents), and Stripe's Transfer (none when the commission took it all)."""

    card_payment = models.ForeignKey(
        CardPayment, verbose_name=_("card payment"), on_delete=models.PROTECT, related_name="+"
    )
    order = models.OneToOneField(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="+"
    )
    merchant = models.ForeignKey(
        "directory.Merchant", verbose_name=_("merchant"), on_delete=models.PROTECT, related_name="+"
    )
    order_cents = models.PositiveIntegerField(_("order (cents)"))
    rate_bps = models.PositiveIntegerField(_("commission (basis points)"))
    commission_cents = models.PositiveIntegerField(_("commission (cents)"))
    transfer_cents = models.PositiveIntegerField(_("transferred (cents)"))
    stripe_transfer_id = models.CharField(_("Stripe transfer"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    order_cents=models.F("commission_cents") + models.F("transfer_cents")
                ),
                name="transfer_books_balance",
            )
        ]

    def __str__(self) -> str:
        return self.stripe_transfer_id or f"{self.order_id}"


class OrderRefund(models.Model):
    """Money given back to the shopper on one card-paid order: the whole order (refused or
    cancelled, automatically) or chosen items (by its shop or the town's administrator), or a
    refund made in Stripe's dashboard. An order may have several; their lines say which items.

    The town's commission goes back in proportion: `commission_cents` of the refund comes from
    the platform, `reversal_cents` (the rest) is taken back from the shop by a reversal of that
    shop's Transfer. Both are known once the shop was paid (null before; an order refunded in
    full before its shop was paid is never transferred). A reversal Stripe refused keeps its
    error and the number of attempts here until a retry succeeds.
    """

    class Origin(models.TextChoices):
        AUTOMATIC = "automatic", _("refused or cancelled")
        MERCHANT = "merchant", _("by the shop")
        TOWN = "town", _("by the town")
        STRIPE = "stripe", _("in Stripe's dashboard")

    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="+"
    )
    card_payment = models.ForeignKey(
        CardPayment, verbose_name=_("card payment"), on_delete=models.PROTECT, related_name="+"
    )
    origin = models.CharField(
        _("made"), max_length=12, choices=Origin.choices, default=Origin.AUTOMATIC
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    amount_cents = models.PositiveIntegerField(_("refunded (cents)"))
    commission_cents = models.PositiveIntegerField(
        _("commission given back (cents)"), null=True, blank=True
    )
    reversal_cents = models.PositiveIntegerField(
        _("taken back from the shop (cents)"), null=True, blank=True
    )
    stripe_refund_id = models.CharField(_("Stripe refund"), max_length=255, blank=True)
    # Why Stripe refused the Refund itself, until a retry makes it.
    refund_error = models.CharField(_("refund refused"), max_length=255, blank=True)
    stripe_reversal_id = models.CharField(_("Stripe transfer reversal"), max_length=255, blank=True)
    reversal_error = models.CharField(_("reversal refused"), max_length=255, blank=True)
    # Every failed attempt; `reversal_refusals` only Stripe's definitive answers (4xx), each of
    # which needs a new idempotency key: Stripe replays a key's first answer, errors included.
    reversal_attempts = models.PositiveIntegerField(_("failed reversal attempts"), default=0)
    reversal_refusals = models.PositiveIntegerField(_("reversals refused"), default=0)
    reversal_failed_at = models.DateTimeField(_("last reversal failure"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("order refund")
        verbose_name_plural = _("order refunds")
        ordering = ["pk"]
        indexes = [models.Index(fields=["order", "id"], name="billing_refund_order_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_refund_id"],
                condition=~models.Q(stripe_refund_id=""),
                name="order_refund_one_per_stripe_refund",
            ),
            models.CheckConstraint(
                condition=models.Q(commission_cents__isnull=True, reversal_cents__isnull=True)
                | models.Q(amount_cents=models.F("commission_cents") + models.F("reversal_cents")),
                name="order_refund_books_balance",
            ),
        ]

    def __str__(self) -> str:
        return self.stripe_refund_id or f"{self.order_id}#{self.pk}"

    @property
    def refund_pending(self) -> bool:
        return bool(self.amount_cents) and not self.stripe_refund_id

    @property
    def reversal_pending(self) -> bool:
        return bool(self.reversal_cents) and not self.stripe_reversal_id


class OrderRefundLine(models.Model):
    """How many items of one order line a refund gives back, and what they came to."""

    refund = models.ForeignKey(
        OrderRefund, verbose_name=_("refund"), on_delete=models.CASCADE, related_name="lines"
    )
    line = models.ForeignKey(
        "orders.OrderLine", verbose_name=_("line"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    amount_cents = models.PositiveIntegerField(_("amount (cents)"))

    class Meta:
        verbose_name = _("refunded line")
        verbose_name_plural = _("refunded lines")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["refund", "line"], name="order_refund_line_once"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="order_refund_line_quantity"
            ),
        ]
