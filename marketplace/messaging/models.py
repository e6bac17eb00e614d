from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Side(models.TextChoices):
    """Which end of a conversation wrote a message (or must read it)."""

    SHOPPER = "shopper", _("Shopper")
    MERCHANT = "merchant", _("Shop")


class Conversation(models.Model):
    """A thread between one shopper and one shop: about one order, or general (one per shop).

    Unread counters live on the row, changed with F() as messages arrive and reset when a side
    reads, so the unread badges cost one aggregate whatever the number of messages.
    """

    merchant = models.ForeignKey(
        "directory.Merchant", on_delete=models.CASCADE, related_name="conversations"
    )
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conversations"
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("order"),
    )
    shopper_unread = models.PositiveIntegerField(default=0)
    merchant_unread = models.PositiveIntegerField(default=0)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "shopper"],
                condition=models.Q(order__isnull=True),
                name="one_general_conversation_per_shopper_and_shop",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(order__isnull=False),
                name="one_conversation_per_order",
            ),
        ]
        indexes = [
            models.Index(fields=["merchant", "-last_message_at"]),
            models.Index(fields=["shopper", "-last_message_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.merchant_id}/{self.shopper_id}/{self.order_id or '-'}"


class Message(models.Model):
    """One message of a conversation."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    side = models.CharField(max_length=10, choices=Side.choices)
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
