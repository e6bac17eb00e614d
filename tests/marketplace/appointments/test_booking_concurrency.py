"""Booking under real concurrency: committed rows, one connection per thread, real row locks.

These tests commit (no rollback covers several connections), so they clean up after themselves.
"""

from collections.abc import Iterator

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from marketplace.appointments.errors import SlotUnavailable
from marketplace.appointments.models import Appointment, Slot
from marketplace.appointments.services import appointment_book
from marketplace.directory.models import Category, Merchant
from tenants.models import Town
from tests.concurrency import in_threads, town_committed
from tests.conftest import inside
from tests.marketplace.appointments.conftest import slot_add
from tests.marketplace.backoffice.builders import shop_create


@pytest.fixture
def committed_town(django_db_setup, django_db_blocker) -> Iterator[Town]:
    def cleanup() -> None:
        Appointment.objects.filter(merchant__slug__startswith="bo-shop-").delete()
        Merchant.objects.filter(slug__startswith="bo-shop-").delete()
        Category.objects.filter(slug__startswith="bo-cat-").delete()

    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        yield town


def test_twenty_shoppers_on_three_places_book_exactly_three(committed_town):
    shop = shop_create(committed_town, offers_appointments=True)
    slot = slot_add(committed_town, shop, capacity=3)

    def book(index: int) -> None:
        appointment_book(
            merchant_id=shop.pk,
            slot_id=slot.pk,
            shopper=None,
            name=f"Client {index}",
            email=f"client{index}@example.org",
        )

    errors = in_threads(20, book, committed_town)

    with inside(committed_town):
        assert Appointment.objects.filter(slot=slot).count() == 3
        assert Slot.objects.get(pk=slot.pk).booked == 3
    assert len(errors) == 17
    assert all(isinstance(error, SlotUnavailable) for error in errors)


def test_the_database_itself_refuses_an_overbooked_slot(town_a):
    # The last line of defence behind the row lock; its `db` use also lets this module run alone
    # (pytest-django sets the test database up only for sessions with a database test).
    shop = shop_create(town_a, offers_appointments=True)
    slot = slot_add(town_a, shop, capacity=1, booked=1)
    with inside(town_a), pytest.raises(IntegrityError), transaction.atomic():
        Slot.objects.filter(pk=slot.pk).update(booked=F("booked") + 1)
