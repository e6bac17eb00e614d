"""Appointments: weekly slot rules, the slots they generate, booking and cancelling.

A slot's `booked` counter changes only while its row is locked (select_for_update), so however
many shoppers book at once, a slot never holds more bookings than its capacity; a database
constraint backs that up. E-mails leave through Celery after commit.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.celery import task_after_commit
from comptoir.town import town_time_zone
from marketplace.appointments.errors import (
    AppointmentInvalid,
    AppointmentNotAllowed,
    AppointmentNotFound,
    SlotUnavailable,
)
from marketplace.appointments.models import Appointment, Slot, SlotRule
from marketplace.directory.models import Merchant, MerchantMember, SpecialHours
from marketplace.directory.selectors import merchants_visible

# How far ahead slots exist; the daily task keeps the horizon moving.
SLOT_HORIZON_DAYS = 28
DURATION_RANGE = (5, 480)
CAPACITY_RANGE = (1, 50)


def _require_member(*, actor: User, merchant_id: int) -> None:
    if not (
        actor.is_authenticated
        and MerchantMember.objects.filter(merchant_id=merchant_id, user_id=actor.pk).exists()
    ):
        raise AppointmentNotAllowed(_("You do not run this shop."))


def slot_rule_add(
    *,
    actor: User,
    merchant_id: int,
    weekday: int,
    starts_at: time,
    ends_at: time,
    duration_minutes: int,
    capacity: int,
) -> SlotRule:
    """Offer slots every `weekday` from `starts_at` to `ends_at`, then generate them.

    Refused: a range that does not hold one slot, a duration or capacity out of bounds, or a
    range overlapping another rule of the same weekday (their slots would collide).
    """
    _require_member(actor=actor, merchant_id=merchant_id)
    if weekday not in range(7):
        raise AppointmentInvalid(_("Choose a day of the week."), field="weekday")
    if not DURATION_RANGE[0] <= duration_minutes <= DURATION_RANGE[1]:
        raise AppointmentInvalid(
            _("A slot lasts between %(min)d and %(max)d minutes.")
            % {"min": DURATION_RANGE[0], "max": DURATION_RANGE[1]},
            field="duration_minutes",
        )
    if not CAPACITY_RANGE[0] <= capacity <= CAPACITY_RANGE[1]:
        raise AppointmentInvalid(
            _("A slot takes between %(min)d and %(max)d people.")
            % {"min": CAPACITY_RANGE[0], "max": CAPACITY_RANGE[1]},
            field="capacity",
        )
    first_end = datetime.combine(date.min, starts_at) + timedelta(minutes=duration_minutes)
    if ends_at <= starts_at or first_end > datetime.combine(date.min, ends_at):
        raise AppointmentInvalid(
            _("The end must come at least one slot after the start."), field="ends_at"
        )
    with transaction.atomic(durable=True):
        # Serialise rule changes of one shop, so two overlapping rules cannot slip in together.
        list(Merchant.objects.select_for_update().filter(pk=merchant_id).values_list("pk"))
        if SlotRule.objects.filter(
            merchant_id=merchant_id, weekday=weekday, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).exists():
            raise AppointmentInvalid(
                _("These hours overlap another rule of the same day."), field="starts_at"
            )
        rule = SlotRule.objects.create(
            merchant_id=merchant_id,
            weekday=weekday,
            starts_at=starts_at,
            ends_at=ends_at,
            duration_minutes=duration_minutes,
            capacity=capacity,
        )
        slots_generate(merchant_id=merchant_id)
    return rule


def slot_rule_delete(*, actor: User, merchant_id: int, rule_id: int) -> None:
    """Stop offering a rule's slots. Slots already booked stay (and their bookings with them)."""
    _require_member(actor=actor, merchant_id=merchant_id)
    with transaction.atomic(durable=True):
        rule = SlotRule.objects.filter(pk=rule_id, merchant_id=merchant_id).first()
        if rule is None:
            raise AppointmentNotFound(_("This rule does not exist."))
        Slot.objects.filter(rule_id=rule.pk, booked=0, starts_at__gt=timezone.now()).delete()
        rule.delete()


def _wall_clock_to_aware(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """The instant a local time names, or None when the clocks skip it (spring forward)."""
    aware = wall.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return aware


def slots_generate(
    *, merchant_id: int, now: datetime | None = None, days: int = SLOT_HORIZON_DAYS
) -> int:
    """Create the missing future slots of the merchant's rules over the next `days` days, in the
    town's time zone, skipping the days the shop declared closed. Returns how many were made;
    running it again makes none (one slot per merchant and start time)."""
    tz = town_time_zone()
    now = now or timezone.now()
    first_day = now.astimezone(tz).date()
    last_day = first_day + timedelta(days=days - 1)
    rules = list(SlotRule.objects.filter(merchant_id=merchant_id))
    if not rules:
        return 0
    closed_days = set(
        SpecialHours.objects.filter(
            merchant_id=merchant_id, is_closed=True, date__range=(first_day, last_day)
        ).values_list("date", flat=True)
    )
    slots = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        if day in closed_days:
            continue
        for rule in rules:
            if rule.weekday != day.weekday():
                continue
            step = timedelta(minutes=rule.duration_minutes)
            wall = datetime.combine(day, rule.starts_at)
            end = datetime.combine(day, rule.ends_at)
            while wall + step <= end:
                starts = _wall_clock_to_aware(wall, tz)
                if starts is not None and starts > now:
                    slots.append(
                        Slot(
                            merchant_id=merchant_id,
                            rule=rule,
                            starts_at=starts,
                            ends_at=starts + step,
                            capacity=rule.capacity,
                        )
                    )
                wall += step
    existing = set(
        Slot.objects.filter(
            merchant_id=merchant_id, starts_at__in=[slot.starts_at for slot in slots]
        ).values_list("starts_at", flat=True)
    )
    created = Slot.objects.bulk_create(
        [slot for slot in slots if slot.starts_at not in existing], ignore_conflicts=True
    )
    return len(created)


def _clean_contact(*, name: str, email: str, phone: str, note: str) -> dict[str, str]:
    name, email, phone, note = name.strip(), email.strip().lower(), phone.strip(), note.strip()
    if not name:
        raise AppointmentInvalid(_("Give your name."), field="name")
    if len(name) > 150:
        raise AppointmentInvalid(_("The name is too long."), field="name")
    try:
        validate_email(email)
    except ValidationError:
        raise AppointmentInvalid(_("Enter a valid e-mail address."), field="email") from None
    if len(phone) > 30:
        raise AppointmentInvalid(_("The phone number is too long."), field="phone")
    if len(note) > 1000:
        raise AppointmentInvalid(_("The note is at most 1000 characters long."), field="note")
    return {"name": name, "email": email, "phone": phone, "note": note}


def appointment_book(
    *,
    merchant_id: int,
    slot_id: int,
    shopper: User | AnonymousUser | None,
    name: str,
    email: str,
    phone: str = "",
    note: str = "",
) -> Appointment:
    """Book one place in a future slot of a visible shop that offers appointments.

    The slot row is locked while its places are counted, so concurrent bookings queue and the
    last place goes to exactly one of them. The same e-mail cannot book one slot twice (a
    double-submitted form books once).
    """
    from marketplace.appointments.tasks import appointment_confirmation_send

    contact = _clean_contact(name=name, email=email, phone=phone, note=note)
    if not merchants_visible().filter(pk=merchant_id, offers_appointments=True).exists():
        raise SlotUnavailable(_("This shop does not take appointments online."))
    with transaction.atomic(durable=True):
        slot = Slot.objects.select_for_update().filter(pk=slot_id, merchant_id=merchant_id).first()
        if slot is None or slot.starts_at <= timezone.now():
            raise SlotUnavailable(_("This slot is no longer offered: choose another one."))
        if Appointment.objects.filter(
            slot_id=slot.pk, email=contact["email"], status=Appointment.Status.CONFIRMED
        ).exists():
            raise AppointmentInvalid(
                _("You have already booked this slot: check your e-mails."), field="slot"
            )
        if slot.booked >= slot.capacity:
            raise SlotUnavailable(_("This slot has just been fully booked: choose another one."))
        appointment = Appointment.objects.create(
            slot=slot,
            merchant_id=merchant_id,
            shopper=shopper if shopper is not None and shopper.is_authenticated else None,
            **contact,
        )
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
    task_after_commit(appointment_confirmation_send, appointment.pk)
    return appointment


def _cancel(*, appointment_id: int, cancelled_by: str, reason: str) -> Appointment:
    from marketplace.appointments.tasks import appointment_cancellation_send

    reason = reason.strip()
    if len(reason) > 255:
        raise AppointmentInvalid(_("The reason is at most 255 characters long."), field="reason")
    with transaction.atomic(durable=True):
        slot_id = (
            Appointment.objects.filter(pk=appointment_id).values_list("slot_id", flat=True).first()
        )
        if slot_id is None:
            # Deleted since the caller found it (with its shop, or its shopper's account).
            raise AppointmentNotFound(_("This appointment does not exist."))
        # Slot first, then the appointment: the order booking takes its locks in.
        slot = Slot.objects.select_for_update().get(pk=slot_id)
        appointment = Appointment.objects.select_for_update().get(pk=appointment_id)
        if appointment.status != Appointment.Status.CONFIRMED:
            raise AppointmentInvalid(_("This appointment is already cancelled."))
        if cancelled_by == Appointment.CancelledBy.SHOPPER and slot.starts_at <= timezone.now():
            raise AppointmentInvalid(_("This appointment has already begun: call the shop."))
        appointment.status = Appointment.Status.CANCELLED
        appointment.cancelled_by = cancelled_by
        appointment.cancel_reason = reason
        appointment.cancelled_at = timezone.now()
        appointment.save(update_fields=["status", "cancelled_by", "cancel_reason", "cancelled_at"])
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") - 1)
    task_after_commit(appointment_cancellation_send, appointment.pk)
    return appointment


def appointment_cancel_by_shopper(*, cancel_token: str, reason: str = "") -> Appointment:
    """Cancel with the secret link of the confirmation e-mail, before the appointment begins."""
    appointment_id = (
        Appointment.objects.filter(cancel_token=cancel_token).values_list("pk", flat=True).first()
        if cancel_token
        else None
    )
    if appointment_id is None:
        raise AppointmentNotAllowed(_("This cancellation link is not valid."))
    return _cancel(
        appointment_id=appointment_id,
        cancelled_by=Appointment.CancelledBy.SHOPPER,
        reason=reason,
    )


def appointment_cancel_by_merchant(
    *, actor: User, merchant_id: int, appointment_id: int, reason: str
) -> Appointment:
    """A member of the shop cancels one of its appointments; the customer is told why."""
    _require_member(actor=actor, merchant_id=merchant_id)
    if not Appointment.objects.filter(pk=appointment_id, merchant_id=merchant_id).exists():
        raise AppointmentNotFound(_("This appointment does not exist."))
    if not reason.strip():
        raise AppointmentInvalid(_("Tell the customer why you cancel."), field="reason")
    return _cancel(
        appointment_id=appointment_id,
        cancelled_by=Appointment.CancelledBy.MERCHANT,
        reason=reason,
    )
