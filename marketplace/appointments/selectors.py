"""Reads of appointments: what a shopper can book, what a shop has booked."""

from datetime import datetime, timedelta
from itertools import groupby

from django.db.models import F, QuerySet

from comptoir.town import town_time_zone
from marketplace.appointments.models import Appointment, Slot, SlotRule
from marketplace.appointments.services import SLOT_HORIZON_DAYS
from marketplace.directory.models import Merchant
from marketplace.directory.selectors import merchants_visible


def merchant_taking_appointments(*, slug: str) -> Merchant | None:
    """A visible merchant offering appointments, or None (its booking page answers 404)."""
    return merchants_visible().filter(slug=slug, offers_appointments=True).first()


def slots_bookable(*, merchant_id: int, now: datetime) -> list[Slot]:
    """Future slots with a place left, soonest first, up to the generation horizon."""
    return list(
        Slot.objects.filter(
            merchant_id=merchant_id,
            starts_at__gt=now,
            starts_at__lt=now + timedelta(days=SLOT_HORIZON_DAYS + 1),
            booked__lt=F("capacity"),
        ).order_by("starts_at", "pk")
    )


def slots_by_day(slots: list[Slot]) -> list[tuple[object, list[Slot]]]:
    """Slots grouped by their day on the town's clock, for the booking form's fieldsets."""
    tz = town_time_zone()
    return [
        (day, list(group))
        for day, group in groupby(slots, key=lambda slot: slot.starts_at.astimezone(tz).date())
    ]


def appointments_of_merchant(*, merchant_id: int, since: datetime) -> QuerySet[Appointment]:
    """The shop's appointments from `since` on (confirmed and cancelled), soonest first."""
    return (
        Appointment.objects.filter(merchant_id=merchant_id, slot__starts_at__gte=since)
        .select_related("slot")
        .order_by("slot__starts_at", "pk")
    )


def appointments_upcoming(*, merchant_id: int, now: datetime) -> QuerySet[Appointment]:
    return appointments_of_merchant(merchant_id=merchant_id, since=now).filter(
        status=Appointment.Status.CONFIRMED
    )


def appointment_by_token(*, cancel_token: str) -> Appointment | None:
    if not cancel_token:
        return None
    return (
        Appointment.objects.filter(cancel_token=cancel_token)
        .select_related("slot", "merchant")
        .first()
    )


def slot_rules_of_merchant(*, merchant_id: int) -> QuerySet[SlotRule]:
    return SlotRule.objects.filter(merchant_id=merchant_id).order_by("weekday", "starts_at", "pk")


def merchants_with_slot_rules() -> list[int]:
    return list(SlotRule.objects.values_list("merchant_id", flat=True).distinct().order_by())
