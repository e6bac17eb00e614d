from datetime import time

import pytest

from marketplace.appointments.models import Appointment, Slot, SlotRule
from tests.conftest import inside
from tests.marketplace.appointments.conftest import slot_add
from tests.marketplace.backoffice.builders import reload


def _booked(town, shop, *, in_hours=48, email="jeanne@example.org"):
    slot = slot_add(town, shop, in_hours=in_hours, booked=1)
    with inside(town):
        return Appointment.objects.create(slot=slot, merchant=shop, name="Jeanne", email=email)


@pytest.mark.smoke
@pytest.mark.parametrize("count", [1, 4])
def test_appointments_page_costs_the_same_queries(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    for number in range(count):
        _booked(town_a, shop_a, in_hours=24 + number)
    owner_client.get("/boutique/rendez-vous/")

    with django_assert_num_queries(12):
        response = owner_client.get("/boutique/rendez-vous/")

    assert len(response.context["page"].object_list) == count


def test_past_appointments_are_not_listed(owner_client, town_a, shop_a):
    coming = _booked(town_a, shop_a, in_hours=5)
    _booked(town_a, shop_a, in_hours=-5, email="old@example.org")

    response = owner_client.get("/boutique/rendez-vous/")

    assert [a.pk for a in response.context["page"].object_list] == [coming.pk]


def test_merchant_cancels_an_appointment_with_a_reason(owner_client, town_a, shop_a):
    appointment = _booked(town_a, shop_a)

    refused = owner_client.post(f"/boutique/rendez-vous/{appointment.pk}/annuler/", {"reason": ""})
    assert reload(town_a, appointment).status == Appointment.Status.CONFIRMED

    owner_client.post(
        f"/boutique/rendez-vous/{appointment.pk}/annuler/", {"reason": "Fermeture exceptionnelle"}
    )

    stored = reload(town_a, appointment)
    assert refused.status_code == 302
    assert (stored.status, stored.cancel_reason) == ("cancelled", "Fermeture exceptionnelle")
    assert reload(town_a, stored.slot).booked == 0


@pytest.mark.parametrize("count", [1, 3])
def test_rules_page_costs_the_same_queries(
    owner_client, town_a, shop_a, count, django_assert_num_queries
):
    with inside(town_a):
        for weekday in range(count):
            SlotRule.objects.create(merchant=shop_a, weekday=weekday, starts_at=time(9),
                                    ends_at=time(12), duration_minutes=30)  # fmt: skip
    owner_client.get("/boutique/rendez-vous/creneaux/")

    with django_assert_num_queries(10):
        response = owner_client.get("/boutique/rendez-vous/creneaux/")

    assert len(response.context["rules"]) == count


def test_owner_adds_a_rule_and_removes_it(owner_client, town_a, shop_a):
    response = owner_client.post(
        "/boutique/rendez-vous/creneaux/",
        {"weekday": "3", "starts_at": "10:00", "ends_at": "12:00", "duration_minutes": "30",
         "capacity": "2"},
    )  # fmt: skip

    assert response.status_code == 302
    with inside(town_a):
        rule = SlotRule.objects.get(merchant=shop_a)
        assert Slot.objects.filter(rule=rule, capacity=2).exists()

    owner_client.post(f"/boutique/rendez-vous/creneaux/{rule.pk}/supprimer/")
    with inside(town_a):
        assert not SlotRule.objects.exists()
        assert not Slot.objects.exists()


def test_a_rule_ending_before_it_starts_is_refused(english, owner_client, town_a, shop_a):
    response = owner_client.post(
        "/boutique/rendez-vous/creneaux/",
        {"weekday": "3", "starts_at": "12:00", "ends_at": "10:00", "duration_minutes": "30",
         "capacity": "1"},
    )  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors["ends_at"]
    with inside(town_a):
        assert not SlotRule.objects.exists()


def test_another_shops_appointments_and_rules_answer_404(rival_client, town_a, shop_a):
    appointment = _booked(town_a, shop_a)
    with inside(town_a):
        rule = SlotRule.objects.create(merchant=shop_a, weekday=1, starts_at=time(9),
                                       ends_at=time(10), duration_minutes=30)  # fmt: skip

    cancel = rival_client.post(
        f"/boutique/rendez-vous/{appointment.pk}/annuler/", {"reason": "Intrus"}
    )
    remove = rival_client.post(f"/boutique/rendez-vous/creneaux/{rule.pk}/supprimer/")

    assert cancel.status_code == remove.status_code == 404
    assert reload(town_a, appointment).status == Appointment.Status.CONFIRMED
    with inside(town_a):
        assert SlotRule.objects.filter(pk=rule.pk).exists()
    assert list(rival_client.get("/boutique/rendez-vous/").context["page"].object_list) == []
