import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplace.directory.models import OpeningHours


def new_cancel_token() -> str:
    return secrets.token_urlsafe(24)


class SlotRule(models.Model):
    """A weekly pattern of bookable slots: every Tuesday 9:00–12:00, 30 minutes, 2 people."""

    merchant = models.ForeignKey(
        "directory.Merchant", on_delete=models.CASCADE, related_name="slot_rules"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=OpeningHours.Weekday.choices)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("people per slot"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("slot rule")
        verbose_name_plural = _("slot rules")
        ordering = ["weekday", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="slot_rule_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__gte=1), name="slot_rule_capacity_positive"
            ),
        ]


class Slot(models.Model):
    """A bookable time, generated from a rule. `booked` changes only under this row's lock."""

    merchant = models.ForeignKey(
        "directory.Merchant", on_delete=models.CASCADE, related_name="appointment_slots"
    )
    rule = models.ForeignKey(
        SlotRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="slots"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    booked = models.PositiveSmallIntegerField(_("booked"), default=0)

    class Meta:
        verbose_name = _("appointment slot")
        verbose_name_plural = _("appointment slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["merchant", "starts_at"], name="one_slot_per_merchant_and_start"
            ),
            models.CheckConstraint(
                condition=models.Q(booked__lte=models.F("capacity")),
                name="slot_never_overbooked",
            ),
        ]

    @property
    def places_left(self) -> int:
        return self.capacity - self.booked


class Appointment(models.Model):
    """A booking of one place in a slot, by a shopper (signed in or not)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    class CancelledBy(models.TextChoices):
        SHOPPER = "shopper", _("the customer")
        MERCHANT = "merchant", _("the shop")

    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="appointments")
    merchant = models.ForeignKey(
        "directory.Merchant", on_delete=models.CASCADE, related_name="appointments"
    )
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    name = models.CharField(_("name"), max_length=150)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    note = models.TextField(_("note for the shop"), max_length=1000, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    cancelled_by = models.CharField(
        _("cancelled by"), max_length=10, choices=CancelledBy.choices, blank=True
    )
    cancel_reason = models.CharField(_("reason"), max_length=255, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_token = models.CharField(max_length=64, unique=True, default=new_cancel_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["merchant", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.slot_id})"
