from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from marketplace.appointments.errors import (
    AppointmentInvalid,
    AppointmentNotAllowed,
    AppointmentNotFound,
    SlotUnavailable,
)
from marketplace.appointments.models import Appointment, Slot, SlotRule
from marketplace.appointments.services import (
    appointment_book,
    appointment_cancel_by_merchant,
    appointment_cancel_by_shopper,
    slot_rule_add,
    slot_rule_delete,
    slots_generate,
)
from marketplace.appointments.tasks import appointment_confirmation_send, appointment_slots_extend
from marketplace.directory.models import SpecialHours
from tests.conftest import inside, user_create
from tests.marketplace.appointments.conftest import slot_add
from tests.marketplace.backoffice.builders import reload, shop_create

PARIS = ZoneInfo("Europe/Paris")


def _book(merchant, slot, **fields):
    data = {"name": "Jeanne Martin", "email": "jeanne@example.org", "shopper": None}
    data.update(fields)
    return appointment_book(merchant_id=merchant.pk, slot_id=slot.pk, **data)


def _owner(town, email):
    from comptoir.accounts.models import User

    with inside(town):
        return User.objects.get(email=email)


# --- rules and generation -----------------------------------------------------------------


def test_generation_makes_the_weeks_slots_in_the_towns_time_zone(town_a, salon_a):
    # A Monday, 08:00 in Paris: the Monday rule's slots of that day are all still ahead.
    now = datetime(2030, 3, 4, 8, 0, tzinfo=PARIS)
    with inside(town_a):
        SlotRule.objects.create(
            merchant=salon_a,
            weekday=0,
            starts_at=time(9),
            ends_at=time(10, 45),
            duration_minutes=30,
            capacity=2,
        )
        made = slots_generate(merchant_id=salon_a.pk, now=now, days=14)

        starts = [
            slot.starts_at.astimezone(PARIS)
            for slot in Slot.objects.filter(merchant=salon_a).order_by("starts_at")
        ]
    # Three 30-minute slots fit in 9:00–10:45, on two Mondays.
    assert made == 6
    assert [(s.date(), s.time()) for s in starts] == [
        (date(2030, 3, 4), time(9)),
        (date(2030, 3, 4), time(9, 30)),
        (date(2030, 3, 4), time(10)),
        (date(2030, 3, 11), time(9)),
        (date(2030, 3, 11), time(9, 30)),
        (date(2030, 3, 11), time(10)),
    ]


def test_generation_skips_closed_days_and_past_times_and_is_idempotent(town_a, salon_a):
    now = datetime(2030, 3, 4, 9, 15, tzinfo=PARIS)
    with inside(town_a):
        SlotRule.objects.create(
            merchant=salon_a, weekday=0, starts_at=time(9), ends_at=time(10),
            duration_minutes=30, capacity=1,
        )  # fmt: skip
        SpecialHours.objects.create(merchant=salon_a, date=date(2030, 3, 11), is_closed=True)

        first = slots_generate(merchant_id=salon_a.pk, now=now, days=14)
        again = slots_generate(merchant_id=salon_a.pk, now=now, days=14)

        starts = list(Slot.objects.filter(merchant=salon_a).values_list("starts_at", flat=True))
    assert (first, again) == (1, 0)
    assert [s.astimezone(PARIS).time() for s in starts] == [time(9, 30)]


def test_owner_adds_a_rule_and_its_slots_appear(town_a, salon_a):
    owner = _owner(town_a, "lila@alpha.test")
    with inside(town_a):
        rule = slot_rule_add(
            actor=owner,
            merchant_id=salon_a.pk,
            weekday=2,
            starts_at=time(14),
            ends_at=time(16),
            duration_minutes=60,
            capacity=1,
        )

        # Four Wednesdays in the 28-day horizon, two slots each (fewer if today's are past).
        assert 6 <= Slot.objects.filter(rule=rule).count() <= 8


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_at": time(14)}, "ends_at"),
        ({"ends_at": time(14, 30)}, "ends_at"),
        ({"duration_minutes": 2}, "duration_minutes"),
        ({"capacity": 0}, "capacity"),
        ({"weekday": 7}, "weekday"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_made(town_a, salon_a, fields, field):
    owner = _owner(town_a, "lila@alpha.test")
    data = {"weekday": 2, "starts_at": time(14), "ends_at": time(16), "duration_minutes": 60,
            "capacity": 1}  # fmt: skip
    data.update(fields)
    with inside(town_a):
        with pytest.raises(AppointmentInvalid) as refused:
            slot_rule_add(actor=owner, merchant_id=salon_a.pk, **data)

        assert refused.value.field == field
        assert not SlotRule.objects.exists()
        assert not Slot.objects.exists()


def test_overlapping_rules_of_one_day_are_refused(town_a, salon_a):
    owner = _owner(town_a, "lila@alpha.test")
    with inside(town_a):
        slot_rule_add(actor=owner, merchant_id=salon_a.pk, weekday=2, starts_at=time(14),
                      ends_at=time(16), duration_minutes=60, capacity=1)  # fmt: skip
        with pytest.raises(AppointmentInvalid):
            slot_rule_add(actor=owner, merchant_id=salon_a.pk, weekday=2, starts_at=time(15),
                          ends_at=time(17), duration_minutes=60, capacity=1)  # fmt: skip

        assert SlotRule.objects.count() == 1


def test_a_non_member_cannot_add_or_remove_rules(town_a, salon_a):
    stranger = user_create(town_a, "stranger@alpha.test")
    owner = _owner(town_a, "lila@alpha.test")
    with inside(town_a):
        rule = slot_rule_add(actor=owner, merchant_id=salon_a.pk, weekday=2, starts_at=time(14),
                             ends_at=time(16), duration_minutes=60, capacity=1)  # fmt: skip
        with pytest.raises(AppointmentNotAllowed):
            slot_rule_add(actor=stranger, merchant_id=salon_a.pk, weekday=3, starts_at=time(14),
                          ends_at=time(16), duration_minutes=60, capacity=1)  # fmt: skip
        with pytest.raises(AppointmentNotAllowed):
            slot_rule_delete(actor=stranger, merchant_id=salon_a.pk, rule_id=rule.pk)

        assert list(SlotRule.objects.values_list("pk", flat=True)) == [rule.pk]


def test_removing_a_rule_keeps_the_booked_slots_only(town_a, salon_a):
    owner = _owner(town_a, "lila@alpha.test")
    with inside(town_a):
        rule = slot_rule_add(actor=owner, merchant_id=salon_a.pk, weekday=2, starts_at=time(14),
                             ends_at=time(16), duration_minutes=60, capacity=1)  # fmt: skip
        booked = Slot.objects.filter(rule=rule).order_by("starts_at").first()
        _book(salon_a, booked)

        slot_rule_delete(actor=owner, merchant_id=salon_a.pk, rule_id=rule.pk)

        assert list(Slot.objects.values_list("pk", flat=True)) == [booked.pk]
        assert not SlotRule.objects.exists()


def test_removing_another_shops_rule_is_not_found(town_a, salon_a):
    other = shop_create(town_a, owner="autre@alpha.test")
    owner = _owner(town_a, "lila@alpha.test")
    with inside(town_a):
        rule = SlotRule.objects.create(merchant=other, weekday=1, starts_at=time(9),
                                       ends_at=time(10), duration_minutes=30)  # fmt: skip
        with pytest.raises(AppointmentNotFound):
            slot_rule_delete(actor=owner, merchant_id=salon_a.pk, rule_id=rule.pk)

        assert SlotRule.objects.filter(pk=rule.pk).exists()


def test_the_daily_task_extends_every_shops_slots(town_a, salon_a):
    with inside(town_a):
        SlotRule.objects.create(merchant=salon_a, weekday=4, starts_at=time(9),
                                ends_at=time(10), duration_minutes=60)  # fmt: skip

        made = appointment_slots_extend.apply().get()

        assert made == Slot.objects.filter(merchant=salon_a).count() >= 3


# --- booking ------------------------------------------------------------------------------


def test_booking_takes_a_place_and_emails_the_customer_and_the_shop(
    town_a, salon_a, django_capture_on_commit_callbacks
):
    slot = slot_add(town_a, salon_a, capacity=2)
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        appointment = _book(salon_a, slot, email=" Jeanne@Example.org ", phone="06 00 00 00 00")

    with inside(town_a):
        assert Slot.objects.get(pk=slot.pk).booked == 1
        stored = Appointment.objects.get()
    assert (stored.email, stored.status, stored.merchant_id) == (
        "jeanne@example.org",
        Appointment.Status.CONFIRMED,
        salon_a.pk,
    )
    assert sorted(message.to[0] for message in mail.outbox) == [
        "jeanne@example.org",
        "lila@alpha.test",
    ]
    shopper_mail = next(m for m in mail.outbox if m.to == ["jeanne@example.org"])
    assert f"/commerces/{salon_a.slug}/rendez-vous/{appointment.cancel_token}/" in shopper_mail.body


def test_confirmation_task_sends_once(town_a, salon_a):
    slot = slot_add(town_a, salon_a)
    with inside(town_a):
        appointment = _book(salon_a, slot)
        appointment_confirmation_send.apply(args=[appointment.pk])
        appointment_confirmation_send.apply(args=[appointment.pk])

    assert len(mail.outbox) == 2


def test_a_full_slot_refuses_the_next_booking(town_a, salon_a):
    slot = slot_add(town_a, salon_a, capacity=1)
    with inside(town_a):
        _book(salon_a, slot)
        with pytest.raises(SlotUnavailable):
            _book(salon_a, slot, email="second@example.org")

        assert Appointment.objects.count() == 1
        assert Slot.objects.get(pk=slot.pk).booked == 1


def test_the_same_email_cannot_book_one_slot_twice(town_a, salon_a):
    slot = slot_add(town_a, salon_a, capacity=3)
    with inside(town_a):
        _book(salon_a, slot)
        with pytest.raises(AppointmentInvalid):
            _book(salon_a, slot)

        assert Slot.objects.get(pk=slot.pk).booked == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"name": " "}, "name"), ({"email": "not-an-email"}, "email"), ({"note": "x" * 1001}, "note")],
)
def test_bad_contact_details_are_refused_and_nothing_is_booked(town_a, salon_a, fields, field):
    slot = slot_add(town_a, salon_a)
    with inside(town_a):
        with pytest.raises(AppointmentInvalid) as refused:
            _book(salon_a, slot, **fields)

        assert refused.value.field == field
        assert not Appointment.objects.exists()
        assert Slot.objects.get(pk=slot.pk).booked == 0


def test_past_slots_and_other_shops_slots_cannot_be_booked(town_a, salon_a):
    past = slot_add(town_a, salon_a, in_hours=-2)
    other = shop_create(town_a, offers_appointments=True)
    foreign = slot_add(town_a, other)
    with inside(town_a):
        for merchant, slot in ((salon_a, past), (salon_a, foreign)):
            with pytest.raises(SlotUnavailable):
                _book(merchant, slot)

        assert not Appointment.objects.exists()


def test_a_shop_without_appointments_or_not_approved_takes_no_booking(town_a):
    closed = shop_create(town_a, offers_appointments=False)
    pending = shop_create(town_a, offers_appointments=True, status="pending")
    slots = [slot_add(town_a, closed), slot_add(town_a, pending)]
    with inside(town_a):
        for merchant, slot in zip((closed, pending), slots, strict=True):
            with pytest.raises(SlotUnavailable):
                _book(merchant, slot)

        assert not Appointment.objects.exists()


# --- cancelling ---------------------------------------------------------------------------


def test_shopper_cancels_with_the_link_and_the_place_frees(
    town_a, salon_a, django_capture_on_commit_callbacks
):
    slot = slot_add(town_a, salon_a)
    with inside(town_a):
        appointment = _book(salon_a, slot)
    with inside(town_a), django_capture_on_commit_callbacks(execute=True):
        appointment_cancel_by_shopper(cancel_token=appointment.cancel_token, reason="Malade")

    stored = reload(town_a, appointment)
    assert (stored.status, stored.cancelled_by, stored.cancel_reason) == (
        Appointment.Status.CANCELLED,
        Appointment.CancelledBy.SHOPPER,
        "Malade",
    )
    assert reload(town_a, slot).booked == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["jeanne@example.org", "lila@alpha.test"]
    assert all("annul" in m.subject.lower() or "cancel" in m.subject.lower() for m in mail.outbox)


def test_cancelling_twice_or_with_a_wrong_token_changes_nothing(town_a, salon_a):
    slot = slot_add(town_a, salon_a, capacity=2)
    with inside(town_a):
        appointment = _book(salon_a, slot)
        _book(salon_a, slot, email="autre@example.org")
        appointment_cancel_by_shopper(cancel_token=appointment.cancel_token)
        with pytest.raises(AppointmentInvalid):
            appointment_cancel_by_shopper(cancel_token=appointment.cancel_token)
        with pytest.raises(AppointmentNotAllowed):
            appointment_cancel_by_shopper(cancel_token="wrong")

        assert Slot.objects.get(pk=slot.pk).booked == 1


def test_shopper_cannot_cancel_once_begun(town_a, salon_a):
    slot = slot_add(town_a, salon_a, in_hours=-1)
    with inside(town_a):
        appointment = Appointment.objects.create(
            slot=slot, merchant=salon_a, name="Jeanne", email="jeanne@example.org"
        )
        Slot.objects.filter(pk=slot.pk).update(booked=1)
        with pytest.raises(AppointmentInvalid):
            appointment_cancel_by_shopper(cancel_token=appointment.cancel_token)

        assert Appointment.objects.get().status == Appointment.Status.CONFIRMED


def test_merchant_cancels_with_a_reason(town_a, salon_a):
    owner = _owner(town_a, "lila@alpha.test")
    slot = slot_add(town_a, salon_a)
    with inside(town_a):
        appointment = _book(salon_a, slot)
        with pytest.raises(AppointmentInvalid):
            appointment_cancel_by_merchant(
                actor=owner, merchant_id=salon_a.pk, appointment_id=appointment.pk, reason=" "
            )
        assert Appointment.objects.get().status == Appointment.Status.CONFIRMED

        appointment_cancel_by_merchant(
            actor=owner, merchant_id=salon_a.pk, appointment_id=appointment.pk, reason="Fermé"
        )

        stored = Appointment.objects.get()
        assert (stored.status, stored.cancelled_by) == ("cancelled", "merchant")
        assert Slot.objects.get(pk=slot.pk).booked == 0


def test_merchant_cannot_cancel_another_shops_appointment(town_a, salon_a):
    owner = _owner(town_a, "lila@alpha.test")
    other = shop_create(town_a, offers_appointments=True)
    slot = slot_add(town_a, other)
    with inside(town_a):
        appointment = _book(other, slot)
        with pytest.raises(AppointmentNotFound):
            appointment_cancel_by_merchant(
                actor=owner, merchant_id=salon_a.pk, appointment_id=appointment.pk, reason="x"
            )
        with pytest.raises(AppointmentNotAllowed):
            appointment_cancel_by_merchant(
                actor=owner, merchant_id=other.pk, appointment_id=appointment.pk, reason="x"
            )

        assert Appointment.objects.get().status == Appointment.Status.CONFIRMED


def test_dst_spring_forward_skips_the_missing_hour(town_a, salon_a):
    # 2030-03-31 is the last Sunday of March: Paris clocks jump from 02:00 to 03:00.
    now = datetime(2030, 3, 30, 12, 0, tzinfo=UTC)
    with inside(town_a):
        SlotRule.objects.create(merchant=salon_a, weekday=6, starts_at=time(1),
                                ends_at=time(4), duration_minutes=60)  # fmt: skip
        slots_generate(merchant_id=salon_a.pk, now=now, days=2)

        local = [
            s.astimezone(PARIS).time()
            for s in Slot.objects.order_by("starts_at").values_list("starts_at", flat=True)
        ]
    assert local == [time(1), time(3)]
