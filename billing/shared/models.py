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
