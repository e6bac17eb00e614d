"""Booking under real concurrency: committed rows, one connection per thread, real row locks.

These tests commit (no rollback covers several connections), so they clean up after themselves.
"""

import threading
from collections.abc import Callable, Iterator

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from marketplace.appointments.errors import SlotUnavailable
from marketplace.appointments.models import Appointment, Slot
from marketplace.appointments.services import appointment_book
from marketplace.directory.models import Category, Merchant
from tenants.models import Town
from tests.conftest import inside
from tests.marketplace.appointments.conftest import slot_add
from tests.marketplace.backoffice.builders import shop_create


@pytest.fixture
def committed_town(django_db_setup, django_db_blocker) -> Iterator[Town]:
    with django_db_blocker.unblock():
        town = Town.objects.get(slug="alpha")
        yield town
        with inside(town):
            Appointment.objects.filter(merchant__slug__startswith="bo-shop-").delete()
            Merchant.objects.filter(slug__startswith="bo-shop-").delete()
            Category.objects.filter(slug__startswith="bo-cat-").delete()
        connection.set_schema_to_public()


def _in_threads(count: int, work: Callable[[int], None], town: Town) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            with inside(town):
                barrier.wait()
                work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


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

    errors = _in_threads(20, book, committed_town)

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
