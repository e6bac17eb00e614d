"""The appointments' tasks work in the schema they are sent to, never in another town's."""

from datetime import time

from django.core import mail

from comptoir.send_once.models import SentOnce
from marketplace.appointments.models import Appointment, Slot, SlotRule
from marketplace.appointments.tasks import (
    appointment_cancellation_send,
    appointment_confirmation_send,
    appointment_slots_extend,
    appointment_slots_extend_all,
)
from tests.conftest import inside
from tests.marketplace.appointments.conftest import slot_add


def _appointment(town, shop):
    slot = slot_add(town, shop, booked=1)
    with inside(town):
        return Appointment.objects.create(slot=slot, merchant=shop, name="J", email="j@example.org")


def test_email_tasks_sent_to_town_b_do_not_reach_town_as_appointment(town_a, town_b, salon_a):
    appointment = _appointment(town_a, salon_a)

    with inside(town_b):
        appointment_confirmation_send.apply(args=[appointment.pk])
        appointment_cancellation_send.apply(args=[appointment.pk])

    assert not mail.outbox
    with inside(town_a):
        assert not SentOnce.objects.filter(purpose__startswith="appointments.").exists()


def test_slot_extension_in_town_b_leaves_town_a_alone(town_a, town_b, salon_a):
    with inside(town_a):
        SlotRule.objects.create(merchant=salon_a, weekday=2, starts_at=time(9),
                                ends_at=time(10), duration_minutes=60)  # fmt: skip

    with inside(town_b):
        assert appointment_slots_extend.apply().get() == 0

    with inside(town_a):
        assert not Slot.objects.exists()


def test_the_dispatcher_extends_each_town_in_its_own_schema(town_a, town_b, salon_a):
    with inside(town_a):
        SlotRule.objects.create(merchant=salon_a, weekday=2, starts_at=time(9),
                                ends_at=time(10), duration_minutes=60)  # fmt: skip

    sent = appointment_slots_extend_all.apply().get()

    assert sent >= 2
    with inside(town_a):
        assert Slot.objects.filter(merchant=salon_a).count() >= 3
