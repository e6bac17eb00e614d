"""Setting a week of hours and exceptional days: every problem named, nothing changed on error."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.utils import translation

from marketplace.directory.errors import InvalidOpeningHours, NotAllowed
from marketplace.directory.models import OpeningHours, SpecialHours
from marketplace.directory.services.opening_hours import (
    opening_hours_set,
    special_hours_add,
    special_hours_remove,
)
from tests.conftest import inside, user_create
from tests.marketplace.directory.conftest import member_create, merchant_create

TODAY = date(2026, 1, 12)


def t(value: str) -> time:
    return time.fromisoformat(value)


def week_of(town, merchant):
    with inside(town):
        return list(
            OpeningHours.objects.filter(merchant=merchant)
            .order_by("weekday", "opens_at")
            .values_list("weekday", "opens_at", "closes_at")
        )


def specials_of(town, merchant):
    with inside(town):
        return list(
            SpecialHours.objects.filter(merchant=merchant)
            .order_by("date", "opens_at")
            .values_list("date", "is_closed", "opens_at", "closes_at", "reason")
        )


@pytest.fixture(autouse=True)
def _today(frozen_now):
    frozen_now(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))


def test_the_week_is_replaced_with_several_ranges_a_day(town_a, merchant_a, owner_a):
    ranges = [
        (0, t("14:00"), t("19:00")),
        (0, t("09:00"), t("12:00")),
        (5, t("19:00"), t("00:00")),
    ]

    with inside(town_a):
        opening_hours_set(merchant_id=merchant_a.pk, actor=owner_a, ranges=ranges)

    assert week_of(town_a, merchant_a) == [
        (0, t("09:00"), t("12:00")),
        (0, t("14:00"), t("19:00")),
        (5, t("19:00"), t("00:00")),
    ]


def test_an_empty_week_closes_every_day(town_a, merchant_a, owner_a):
    with inside(town_a):
        opening_hours_set(merchant_id=merchant_a.pk, actor=owner_a, ranges=[])

    assert week_of(town_a, merchant_a) == []


def test_overlaps_and_reversed_ranges_are_all_named_and_nothing_changes(
    town_a, merchant_a, owner_a
):
    before = week_of(town_a, merchant_a)
    ranges = [
        (0, t("09:00"), t("13:00")),
        (0, t("12:00"), t("14:00")),
        (2, t("18:00"), t("09:00")),
        (3, t("10:00"), t("10:00")),
        (4, t("00:00"), t("00:00")),
    ]

    with inside(town_a), translation.override("en"), pytest.raises(InvalidOpeningHours) as refused:
        opening_hours_set(merchant_id=merchant_a.pk, actor=owner_a, ranges=ranges)

    assert refused.value.messages == [
        "Monday: 09:00–13:00 and 12:00–14:00 overlap.",
        "Wednesday: the closing time 09:00 must come after the opening time 18:00.",
        "Thursday: the closing time 10:00 must come after the opening time 10:00.",
    ]
    assert week_of(town_a, merchant_a) == before


def test_a_whole_day_from_midnight_to_midnight_is_accepted(town_a, merchant_a, owner_a):
    # 00:00–00:00 reads as "open all day" (closing at the next midnight).
    with inside(town_a):
        opening_hours_set(
            merchant_id=merchant_a.pk, actor=owner_a, ranges=[(6, t("00:00"), t("00:00"))]
        )

    assert week_of(town_a, merchant_a) == [(6, t("00:00"), t("00:00"))]


def test_ranges_that_touch_do_not_overlap(town_a, merchant_a, owner_a):
    with inside(town_a):
        opening_hours_set(
            merchant_id=merchant_a.pk,
            actor=owner_a,
            ranges=[(1, t("09:00"), t("12:00")), (1, t("12:00"), t("14:00"))],
        )

    assert len(week_of(town_a, merchant_a)) == 2


def test_a_bad_weekday_is_refused(town_a, merchant_a, owner_a):
    before = week_of(town_a, merchant_a)

    with inside(town_a), pytest.raises(InvalidOpeningHours):
        opening_hours_set(
            merchant_id=merchant_a.pk, actor=owner_a, ranges=[(7, t("09:00"), t("10:00"))]
        )

    assert week_of(town_a, merchant_a) == before


def test_someone_else_cannot_set_the_hours(town_a, merchant_a):
    stranger = user_create(town_a, "paul@alpha.test")
    other = merchant_create(town_a, name="Autre")
    other_owner = member_create(town_a, other, "autre@alpha.test")
    before = week_of(town_a, merchant_a)

    for actor in (stranger, other_owner):
        with inside(town_a), pytest.raises(NotAllowed):
            opening_hours_set(merchant_id=merchant_a.pk, actor=actor, ranges=[])

    assert week_of(town_a, merchant_a) == before


def test_a_closure_period_adds_one_closed_day_each(town_a, merchant_a, owner_a):
    first = TODAY + timedelta(days=10)

    with inside(town_a):
        special_hours_add(
            merchant_id=merchant_a.pk,
            actor=owner_a,
            date=first,
            until=first + timedelta(days=2),
            reason="Congés d'hiver",
        )

    assert specials_of(town_a, merchant_a) == [
        (first + timedelta(days=offset), True, None, None, "Congés d'hiver") for offset in range(3)
    ]


def test_holiday_hours_take_several_ranges_on_a_day(town_a, merchant_a, owner_a):
    day = TODAY + timedelta(days=3)

    with inside(town_a):
        for opens, closes in (("14:00", "18:00"), ("09:00", "12:00")):
            special_hours_add(
                merchant_id=merchant_a.pk,
                actor=owner_a,
                date=day,
                is_closed=False,
                opens_at=t(opens),
                closes_at=t(closes),
                reason="Jour férié",
            )

    assert specials_of(town_a, merchant_a) == [
        (day, False, t("09:00"), t("12:00"), "Jour férié"),
        (day, False, t("14:00"), t("18:00"), "Jour férié"),
    ]


@pytest.mark.parametrize(
    "arguments",
    [
        {"date": TODAY - timedelta(days=1)},
        {"date": TODAY + timedelta(days=5), "until": TODAY + timedelta(days=4)},
        {"date": TODAY, "until": TODAY + timedelta(days=200)},
        {"date": TODAY + timedelta(days=1000)},
        {"date": TODAY, "is_closed": False, "opens_at": t("10:00")},
        {"date": TODAY, "is_closed": False, "opens_at": t("18:00"), "closes_at": t("10:00")},
    ],
)
def test_bad_exceptional_days_are_refused_and_nothing_changes(
    town_a, merchant_a, owner_a, arguments
):
    with inside(town_a), pytest.raises(InvalidOpeningHours):
        special_hours_add(merchant_id=merchant_a.pk, actor=owner_a, **arguments)

    assert specials_of(town_a, merchant_a) == []


def test_contradicting_or_overlapping_exceptional_days_change_nothing(town_a, merchant_a, owner_a):
    day = TODAY + timedelta(days=2)
    with inside(town_a):
        special_hours_add(
            merchant_id=merchant_a.pk,
            actor=owner_a,
            date=day,
            is_closed=False,
            opens_at=t("10:00"),
            closes_at=t("12:00"),
        )
    before = specials_of(town_a, merchant_a)

    with inside(town_a), pytest.raises(InvalidOpeningHours):
        # A closure from the day before, over a day that has hours: refused as a whole.
        special_hours_add(
            merchant_id=merchant_a.pk, actor=owner_a, date=day - timedelta(days=1), until=day
        )
    with inside(town_a), pytest.raises(InvalidOpeningHours):
        special_hours_add(
            merchant_id=merchant_a.pk,
            actor=owner_a,
            date=day,
            is_closed=False,
            opens_at=t("11:00"),
            closes_at=t("13:00"),
        )

    assert specials_of(town_a, merchant_a) == before


def test_exceptional_days_are_removed_by_their_merchant_only(town_a, merchant_a, owner_a):
    other = merchant_create(town_a, name="Autre")
    other_owner = member_create(town_a, other, "autre@alpha.test")
    with inside(town_a):
        rows = special_hours_add(
            merchant_id=merchant_a.pk, actor=owner_a, date=TODAY, until=TODAY + timedelta(days=1)
        )
        ids = [row.pk for row in rows]

        with pytest.raises(SpecialHours.DoesNotExist):
            special_hours_remove(merchant_id=other.pk, actor=other_owner, special_hours_ids=ids)
        assert SpecialHours.objects.filter(pk__in=ids).count() == 2

        assert (
            special_hours_remove(merchant_id=merchant_a.pk, actor=owner_a, special_hours_ids=ids)
            == 2
        )

    assert specials_of(town_a, merchant_a) == []
