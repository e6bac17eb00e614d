from datetime import UTC, datetime, timedelta

import pytest

from marketplace.appointments.models import Slot
from marketplace.directory.models import Merchant
from tenants.models import Town
from tests.conftest import inside
from tests.marketplace.backoffice.builders import shop_create


@pytest.fixture
def salon_a(town_a: Town) -> Merchant:
    return shop_create(
        town_a, name="Salon Coiffure Lila", owner="lila@alpha.test", offers_appointments=True
    )


def slot_add(
    town: Town, merchant: Merchant, *, in_hours: int = 48, capacity: int = 1, booked: int = 0
) -> Slot:
    starts = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
        hours=in_hours
    )
    with inside(town):
        return Slot.objects.create(
            merchant=merchant,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=30),
            capacity=capacity,
            booked=booked,
        )
