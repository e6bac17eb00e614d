"""Categories, merchants and hours for the directory tests, made directly in a town's schema."""

import itertools
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from typing import Any

import pytest

from comptoir import town as town_clock
from comptoir.accounts.models import User
from marketplace.directory.models import (
    Category,
    Merchant,
    MerchantMember,
    OpeningHours,
    SpecialHours,
)
from tenants.models import Town
from tests.conftest import inside, user_create

_numbers = itertools.count(1)

# A valid SIRET (Luhn checksum holds) and an invalid one.
VALID_SIRET = "73282932000074"
INVALID_SIRET = "73282932000075"


def category_create(
    town: Town,
    *,
    name: str = "Épicerie",
    kind: str = Category.Kind.SHOP,
    parent: Category | None = None,
) -> Category:
    with inside(town):
        return Category.objects.create(
            name=name, slug=f"test-cat-{next(_numbers)}", kind=kind, parent=parent
        )


def hm(value: str) -> time:
    return time.fromisoformat(value)


def merchant_create(
    town: Town,
    *,
    name: str = "Épicerie du Lac",
    status: str = Merchant.Status.APPROVED,
    category: Category | None = None,
    week: Iterable[tuple[int, str, str]] = (),
    **fields: Any,
) -> Merchant:
    """A merchant as bare rows; `week` is (weekday, "09:00", "12:00") ranges."""
    if category is None:
        category = category_create(town, name="Commerce")
    with inside(town):
        merchant = Merchant.objects.create(
            name=name,
            slug=fields.pop("slug", None) or f"test-merchant-{next(_numbers)}",
            category=category,
            status=status,
            **fields,
        )
        OpeningHours.objects.bulk_create(
            OpeningHours(merchant=merchant, weekday=day, opens_at=hm(opens), closes_at=hm(closes))
            for day, opens, closes in week
        )
        return merchant


def special_create(
    town: Town,
    merchant: Merchant,
    day: date,
    *,
    opens: str | None = None,
    closes: str | None = None,
    reason: str = "",
) -> SpecialHours:
    with inside(town):
        return SpecialHours.objects.create(
            merchant=merchant,
            date=day,
            is_closed=opens is None,
            opens_at=hm(opens) if opens else None,
            closes_at=hm(closes) if closes else None,
            reason=reason,
        )


def member_create(
    town: Town, merchant: Merchant, email: str, role: str = MerchantMember.Role.OWNER
) -> User:
    user = user_create(town, email, full_name="Marie Marchande")
    with inside(town):
        MerchantMember.objects.create(merchant=merchant, user=user, role=role)
    return user


WEEKDAYS_9_TO_19 = [(day, "09:00", "19:00") for day in range(6)]


@pytest.fixture
def merchant_a(town_a: Town) -> Merchant:
    return merchant_create(town_a, name="Épicerie du Lac", week=WEEKDAYS_9_TO_19)


@pytest.fixture
def merchant_b(town_b: Town) -> Merchant:
    return merchant_create(town_b, name="Bazar de Beta", week=WEEKDAYS_9_TO_19)


@pytest.fixture
def owner_a(town_a: Town, merchant_a: Merchant) -> User:
    return member_create(town_a, merchant_a, "marie@alpha.test")


@pytest.fixture
def frozen_now(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Stop the town's clock at an aware instant: `frozen_now(datetime(..., tzinfo=UTC))`."""

    def freeze(instant: datetime) -> None:
        class Frozen(datetime):
            @classmethod
            def now(cls, tz=None):
                return instant.astimezone(tz) if tz else instant

        monkeypatch.setattr(town_clock, "datetime", Frozen)

    return freeze


def queries_for(client, url: str) -> int:
    """SQL queries one GET costs when it renders its page, once routing is warm (the host → town
    cache filled) and the page cache empty (a cached page costs none).

    django-tenants' `SET search_path` before each cursor is left out: it is a property of the
    connection settings, not of the page.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import cache_empty

    client.get(url)
    cache_empty()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return sum(
        not query["sql"].startswith("SET search_path") for query in captured.captured_queries
    )
