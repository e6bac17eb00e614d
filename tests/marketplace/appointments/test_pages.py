from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from marketplace.appointments.models import Appointment, Slot
from tests.conftest import host_of, inside, signed_in, user_create
from tests.marketplace.appointments.conftest import slot_add
from tests.marketplace.backoffice.builders import reload, shop_create


def _form(chosen, **fields):
    data = {"slot": str(chosen.pk), "name": "Jeanne Martin", "email": "jeanne@example.org"}
    data.update(fields)
    return data


@pytest.mark.smoke
@pytest.mark.parametrize("count", [1, 6])
def test_booking_page_lists_free_slots_in_constant_queries(
    client_a, town_a, salon_a, count, django_assert_num_queries
):
    for number in range(count):
        slot_add(town_a, salon_a, in_hours=24 + 3 * number)
    slot_add(town_a, salon_a, in_hours=200, booked=1)  # full: not offered
    url = f"/commerces/{salon_a.slug}/rendez-vous/"
    client_a.get(url)

    with django_assert_num_queries(4):
        response = client_a.get(url)

    assert sum(len(day_slots) for _day, day_slots in response.context["days"]) == count


def test_shopper_books_and_lands_on_the_appointment_page(
    client_a, town_a, salon_a, django_capture_on_commit_callbacks
):
    slot = slot_add(town_a, salon_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(f"/commerces/{salon_a.slug}/rendez-vous/", _form(slot))

    with inside(town_a):
        appointment = Appointment.objects.get()
    assert response["Location"] == (
        f"/commerces/{salon_a.slug}/rendez-vous/{appointment.cancel_token}/"
    )
    assert client_a.get(response["Location"]).status_code == 200
    assert len(mail.outbox) == 2


def test_a_signed_in_shopper_finds_the_form_filled_and_the_booking_is_theirs(town_a, salon_a):
    user = user_create(town_a, "lea@alpha.test", full_name="Léa Petit")
    client = signed_in(Client(HTTP_HOST=host_of(town_a)), town_a, user.email)
    slot = slot_add(town_a, salon_a)
    url = f"/commerces/{salon_a.slug}/rendez-vous/"

    assert client.get(url).context["form"].initial == {"name": "Léa Petit", "email": user.email}
    client.post(url, _form(slot, name="Léa Petit", email=user.email))

    with inside(town_a):
        assert Appointment.objects.get().shopper_id == user.pk


def test_booking_a_full_slot_shows_an_error_and_books_nothing(english, client_a, town_a, salon_a):
    slot = slot_add(town_a, salon_a, capacity=1, booked=1)

    response = client_a.post(f"/commerces/{salon_a.slug}/rendez-vous/", _form(slot))

    assert response.status_code == 400
    assert response.context["form"].errors["slot"]
    with inside(town_a):
        assert not Appointment.objects.exists()


def test_booking_without_a_slot_or_email_is_refused(client_a, town_a, salon_a):
    slot = slot_add(town_a, salon_a)

    no_slot = client_a.post(f"/commerces/{salon_a.slug}/rendez-vous/", _form(slot, slot=""))
    bad_email = client_a.post(f"/commerces/{salon_a.slug}/rendez-vous/", _form(slot, email="x"))

    assert no_slot.status_code == bad_email.status_code == 400
    assert reload(town_a, slot).booked == 0


def test_shopper_cancels_from_the_link(english, client_a, town_a, salon_a):
    slot = slot_add(town_a, salon_a)
    client_a.post(f"/commerces/{salon_a.slug}/rendez-vous/", _form(slot))
    with inside(town_a):
        appointment = Appointment.objects.get()
    url = f"/commerces/{salon_a.slug}/rendez-vous/{appointment.cancel_token}/"
    assert client_a.get(url).context["can_cancel"] is True

    response = client_a.post(f"{url}annuler/", {"reason": "Empêchée"}, follow=True)

    assert "Your appointment is cancelled" in response.content.decode()
    assert reload(town_a, appointment).status == Appointment.Status.CANCELLED
    assert reload(town_a, slot).booked == 0
    assert response.context["can_cancel"] is False


def test_a_shop_without_appointments_has_no_booking_page(client_a, town_a):
    plain = shop_create(town_a, offers_appointments=False)
    pending = shop_create(town_a, offers_appointments=True, status="pending")

    assert client_a.get(f"/commerces/{plain.slug}/rendez-vous/").status_code == 404
    assert client_a.get(f"/commerces/{pending.slug}/rendez-vous/").status_code == 404


def test_a_token_under_another_shops_address_or_a_wrong_token_is_not_found(
    client_a, town_a, salon_a
):
    other = shop_create(town_a, offers_appointments=True)
    slot = slot_add(town_a, salon_a)
    with inside(town_a):
        appointment = Appointment.objects.create(
            slot=slot, merchant=salon_a, name="J", email="j@example.org"
        )
        Slot.objects.filter(pk=slot.pk).update(booked=1)

    assert (
        client_a.get(f"/commerces/{other.slug}/rendez-vous/{appointment.cancel_token}/").status_code
        == 404
    )
    assert client_a.get(f"/commerces/{salon_a.slug}/rendez-vous/wrong-token/").status_code == 404
    assert (
        client_a.post(
            f"/commerces/{other.slug}/rendez-vous/{appointment.cancel_token}/annuler/"
        ).status_code
        == 404
    )
    assert reload(town_a, appointment).status == Appointment.Status.CONFIRMED


def test_town_as_booking_pages_do_not_exist_on_town_b(client_b, town_a, salon_a):
    slot = slot_add(town_a, salon_a)
    with inside(town_a):
        appointment = Appointment.objects.create(
            slot=slot, merchant=salon_a, name="J", email="j@example.org"
        )
        Slot.objects.filter(pk=slot.pk).update(booked=1)
    base = f"/commerces/{salon_a.slug}/rendez-vous/"

    assert client_b.get(base).status_code == 404
    assert client_b.post(base, _form(slot)).status_code == 404
    assert client_b.get(f"{base}{appointment.cancel_token}/").status_code == 404
    assert client_b.post(f"{base}{appointment.cancel_token}/annuler/").status_code == 404
    assert reload(town_a, appointment).status == Appointment.Status.CONFIRMED
    assert reload(town_a, slot).booked == 1


def test_slots_beyond_the_horizon_or_past_are_not_offered(client_a, town_a, salon_a):
    slot_add(town_a, salon_a, in_hours=-3)
    far = slot_add(town_a, salon_a, in_hours=int(timedelta(days=40).total_seconds() // 3600))
    soon = slot_add(town_a, salon_a, in_hours=30)

    response = client_a.get(f"/commerces/{salon_a.slug}/rendez-vous/")

    offered = [slot.pk for _day, slots in response.context["days"] for slot in slots]
    assert offered == [soon.pk]
    assert far.pk not in offered


def test_a_phone_that_is_not_a_number_is_refused_on_its_field_and_books_nothing(
    client_a, town_a, salon_a
):
    slot = slot_add(town_a, salon_a)

    response = client_a.post(f"/commerces/{salon_a.slug}/rendez-vous/", _form(slot, phone="abc"))

    assert response.status_code == 400
    assert "Saisissez un numéro de téléphone valide" in response.content.decode()
    assert reload(town_a, slot).booked == 0


def test_the_booked_phone_is_stored_in_e164(client_a, town_a, salon_a):
    slot = slot_add(town_a, salon_a)

    client_a.post(f"/commerces/{salon_a.slug}/rendez-vous/", _form(slot, phone="06 12 34 56 78"))

    with inside(town_a):
        assert Appointment.objects.get().phone == "+33612345678"
