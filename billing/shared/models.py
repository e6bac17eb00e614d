from django.db import models
from django.utils.translation import gettext_lazy as _


class StripeEvent(models.Model):
    """A Stripe event, stored once whatever how often it arrives (webhook retries, the
    reconciliation): the unique `stripe_id` is what makes its handling happen once."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        OUTDATED = "outdated", _("older than the state already recorded")
        UNROUTED = "unrouted", _("account owned by no town")
        UNHANDLED = "unhandled", _("type not handled")

    stripe_id = models.CharField(_("Stripe id"), max_length=255, unique=True)
    type = models.CharField(_("type"), max_length=100)
    # The connected account the event happened on; empty for the platform's own events.
    account = models.CharField(_("connected account"), max_length=255, blank=True)
    created = models.DateTimeField(_("created at Stripe"))
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    town = models.ForeignKey(
        "tenants.Town",
        verbose_name=_("town"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        indexes = [
            models.Index(
                fields=["received_at"],
                condition=models.Q(processed_at__isnull=True),
                name="stripe_event_unprocessed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"


class ConnectAccountTown(models.Model):
    """Which town owns a merchant's Connect account. The account's row lives in that town's
    schema; this public row is how a webhook on the root host finds it."""

    stripe_account_id = models.CharField(_("Stripe account"), max_length=255, unique=True)
    town = models.ForeignKey(
        "tenants.Town", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("Connect account's town")
        verbose_name_plural = _("Connect accounts' towns")

    def __str__(self) -> str:
        return self.stripe_account_id


class CardPaymentTown(models.Model):
    """Which town a checkout paid by card belongs to. A PaymentIntent is the platform's own
    (no connected account names the town): its metadata says the town and the checkout, and a
    webhook is handled only when this public row, written before the payment starts, agrees."""

    town = models.ForeignKey(
        "tenants.Town", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )
    checkout_reference = models.CharField(_("checkout"), max_length=16)

    class Meta:
        verbose_name = _("card payment's town")
        verbose_name_plural = _("card payments' towns")
        constraints = [
            models.UniqueConstraint(
                fields=["town", "checkout_reference"], name="card_payment_town_once"
            )
        ]

    def __str__(self) -> str:
        return self.checkout_reference


class SubscriptionPlan(models.Model):
    """What a town pays the vendor: one Stripe Price (by population band), and how long a town
    may stay unpaid before its portal becomes read-only."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=120)
    population_max = models.PositiveIntegerField(
        _("up to this many inhabitants"), null=True, blank=True
    )
    amount_cents = models.PositiveIntegerField(_("price (cents)"))
    interval = models.CharField(_("billed every"), max_length=5, default="month")
    grace_days = models.PositiveSmallIntegerField(_("grace period (days)"), default=14)
    stripe_price_id = models.CharField(_("Stripe price"), max_length=255, unique=True)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("subscription plan")
        verbose_name_plural = _("subscription plans")
        ordering = ["amount_cents", "code"]

    def __str__(self) -> str:
        return self.name


class TownSubscription(models.Model):
    """A town's subscription to the vendor, as Stripe last said it: the Stripe customer is
    the town's finance department; the state drives the town's standing (tenants)."""

    class State(models.TextChoices):
        TRIAL = "trial", _("Trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        CANCELLED = "cancelled", _("Cancelled")
        PENDING = "pending", _("Being created")

    town = models.OneToOneField(
        "tenants.Town", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )
    plan = models.ForeignKey(
        SubscriptionPlan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="+"
    )
    billing_email = models.EmailField(_("finance department's e-mail"))
    stripe_customer_id = models.CharField(_("Stripe customer"), max_length=255, unique=True)
    stripe_subscription_id = models.CharField(_("Stripe subscription"), max_length=255, blank=True)
    stripe_status = models.CharField(_("Stripe status"), max_length=20, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default="pending")
    trial_end = models.DateTimeField(_("trial ends"), null=True, blank=True)
    # The unpaid invoice's finalisation: the grace period counts from there.
    past_due_since = models.DateTimeField(_("unpaid since"), null=True, blank=True)
    next_invoice_at = models.DateTimeField(_("next invoice"), null=True, blank=True)
    next_invoice_cents = models.PositiveIntegerField(_("next invoice (cents)"), null=True)
    # When the state above was read from Stripe: an older read never overwrites a newer one.
    synced_at = models.DateTimeField(_("read from Stripe"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("town subscription")
        verbose_name_plural = _("town subscriptions")

    def __str__(self) -> str:
        return self.stripe_subscription_id or self.stripe_customer_id


class SubscriptionInvoice(models.Model):
    """One of Stripe's invoices to a town, with its hosted page for the finance department."""

    subscription = models.ForeignKey(
        TownSubscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="invoices",
    )
    stripe_invoice_id = models.CharField(_("Stripe invoice"), max_length=255, unique=True)
    number = models.CharField(_("number"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16)
    amount_due_cents = models.PositiveIntegerField(_("amount due (cents)"))
    amount_paid_cents = models.PositiveIntegerField(_("amount paid (cents)"))
    hosted_invoice_url = models.URLField(_("invoice page"), max_length=1000, blank=True)
    invoice_pdf = models.URLField(_("PDF"), max_length=1000, blank=True)
    created = models.DateTimeField(_("issued"))

    class Meta:
        verbose_name = _("subscription invoice")
        verbose_name_plural = _("subscription invoices")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id


class TownCommissionMonth(models.Model):
    """The platform's commission earned in one town in one month (Σ billing.Transfer's
    commission_cents in the town's schema), gathered by a task so the console reads one table."""

    town = models.ForeignKey(
        "tenants.Town", verbose_name=_("town"), on_delete=models.CASCADE, related_name="+"
    )
    month = models.DateField(_("month"))
    commission_cents = models.BigIntegerField(_("commission (cents)"))
    transfers = models.PositiveIntegerField(_("payments"))
    refreshed_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("commission of a month")
        verbose_name_plural = _("commissions by month")
        constraints = [
            models.UniqueConstraint(fields=["town", "month"], name="town_commission_month_once")
        ]

    def __str__(self) -> str:
        return f"{self.town_id} {self.month:%Y-%m}"
