"""Opening hours arithmetic: ranges of a day, open at a moment, pickup slots (pure, no database)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.directory.hours import (
    ExceptionalPeriod,
    exceptional_periods,
    is_open_at,
    opening_ranges_on,
    pickup_slots,
    week_rows,
)
from marketplace.directory.models import Merchant, OpeningHours, SpecialHours

PARIS = ZoneInfo("Europe/Paris")
# 2026: clocks go forward on Sunday 29 March at 02:00, back on Sunday 25 October at 03:00.
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)
MONDAY = date(2026, 1, 12)


def t(value: str) -> time:
    return time.fromisoformat(value)


def merchant_with(
    week: Iterable[tuple[int, str, str]] = (),
    specials: Iterable[tuple[date, str | None, str | None]] = (),
) -> Merchant:
    """A merchant whose hours are 'prefetched' in memory, as the selectors leave them."""
    merchant = Merchant(pk=1, name="Test", slug="test")
    # Django's prefetch cache, private: the stubs do not declare it.
    merchant._prefetched_objects_cache = {  # type: ignore[attr-defined]
        "opening_hours": [
            OpeningHours(weekday=day, opens_at=t(opens), closes_at=t(closes))
            for day, opens, closes in week
        ],
        "special_hours": [
            SpecialHours(
                date=day,
                is_closed=opens is None,
                opens_at=t(opens) if opens else None,
                closes_at=t(closes) if closes else None,
            )
            for day, opens, closes in specials
        ],
    }
    return merchant


def paris(day: date, clock: str) -> datetime:
    return datetime.combine(day, t(clock), tzinfo=PARIS)


# --- opening_ranges_on ---------------------------------------------------------------------


def test_ranges_of_a_day_are_the_weeks_sorted():
    merchant = merchant_with([(0, "14:00", "19:00"), (0, "09:00", "12:00"), (1, "10:00", "18:00")])

    assert opening_ranges_on(merchant, MONDAY) == [
        (t("09:00"), t("12:00")),
        (t("14:00"), t("19:00")),
    ]
    assert opening_ranges_on(merchant, MONDAY + timedelta(days=2)) == []


def test_exceptional_closure_empties_the_day():
    merchant = merchant_with([(0, "09:00", "19:00")], specials=[(MONDAY, None, None)])

    assert opening_ranges_on(merchant, MONDAY) == []
    assert opening_ranges_on(merchant, MONDAY + timedelta(days=7)) == [(t("09:00"), t("19:00"))]


def test_exceptional_hours_replace_the_weeks_ranges():
    sunday = MONDAY + timedelta(days=6)
    merchant = merchant_with(
        [(0, "09:00", "19:00")],
        specials=[
            (MONDAY, "10:00", "12:00"),
            (sunday, "15:00", "18:00"),
            (sunday, "09:00", "12:00"),
        ],
    )

    assert opening_ranges_on(merchant, MONDAY) == [(t("10:00"), t("12:00"))]
    assert opening_ranges_on(merchant, sunday) == [
        (t("09:00"), t("12:00")),
        (t("15:00"), t("18:00")),
    ]


def test_a_range_closing_at_midnight_ends_with_the_day():
    merchant = merchant_with([(0, "19:00", "00:00")])

    assert opening_ranges_on(merchant, MONDAY) == [(t("19:00"), time.max)]


# --- is_open_at ------------------------------------------------------------------------------


def test_open_from_the_opening_minute_to_just_before_closing():
    merchant = merchant_with([(0, "09:00", "12:00")])

    assert not is_open_at(merchant, paris(MONDAY, "08:59:59"), tz=PARIS)
    assert is_open_at(merchant, paris(MONDAY, "09:00"), tz=PARIS)
    assert is_open_at(merchant, paris(MONDAY, "11:59:59"), tz=PARIS)
    assert not is_open_at(merchant, paris(MONDAY, "12:00"), tz=PARIS)


def test_open_is_read_on_the_towns_clock_not_utc():
    merchant = merchant_with([(0, "09:00", "10:00")])
    # 08:30 UTC in January is 09:30 in Paris; 09:30 UTC is 10:30 in Paris.
    assert is_open_at(merchant, datetime(2026, 1, 12, 8, 30, tzinfo=UTC), tz=PARIS)
    assert not is_open_at(merchant, datetime(2026, 1, 12, 9, 30, tzinfo=UTC), tz=PARIS)
    # In summer Paris is UTC+2: 07:30 UTC is 09:30.
    summer_monday = date(2026, 7, 13)
    assert is_open_at(merchant, datetime.combine(summer_monday, t("07:30"), tzinfo=UTC), tz=PARIS)


def test_a_day_that_closes_at_midnight_is_closed_after_midnight():
    merchant = merchant_with([(0, "19:00", "00:00")])
    tuesday = MONDAY + timedelta(days=1)

    assert is_open_at(merchant, paris(MONDAY, "23:59:59"), tz=PARIS)
    assert not is_open_at(merchant, paris(tuesday, "00:00"), tz=PARIS)


def test_a_night_split_in_two_ranges_stays_open_across_midnight():
    merchant = merchant_with([(4, "22:00", "00:00"), (5, "00:00", "02:00")])
    friday = MONDAY + timedelta(days=4)
    saturday = friday + timedelta(days=1)

    assert is_open_at(merchant, paris(friday, "23:59"), tz=PARIS)
    assert is_open_at(merchant, paris(saturday, "00:00"), tz=PARIS)
    assert is_open_at(merchant, paris(saturday, "01:59"), tz=PARIS)
    assert not is_open_at(merchant, paris(saturday, "02:00"), tz=PARIS)


def test_exceptional_closure_wins_over_the_week():
    merchant = merchant_with([(0, "09:00", "19:00")], specials=[(MONDAY, None, None)])

    assert not is_open_at(merchant, paris(MONDAY, "10:00"), tz=PARIS)


def test_open_on_a_spring_forward_night():
    sunday = SPRING_FORWARD
    merchant = merchant_with([(6, "01:00", "04:00")])

    # 01:30 UTC is 03:30 CEST, after the jump.
    assert is_open_at(merchant, datetime.combine(sunday, t("01:30"), tzinfo=UTC), tz=PARIS)
    # 03:00 UTC is 05:00 CEST: closed.
    assert not is_open_at(merchant, datetime.combine(sunday, t("03:00"), tzinfo=UTC), tz=PARIS)


def test_naive_moments_are_refused():
    with pytest.raises(ValueError):
        is_open_at(merchant_with(), datetime(2026, 1, 12, 10, 0), tz=PARIS)


# --- pickup_slots ----------------------------------------------------------------------------


def test_slots_every_step_from_opening_until_before_closing_after_the_lead_time():
    merchant = merchant_with([(0, "09:00", "11:00"), (0, "14:00", "15:00")])

    slots = pickup_slots(
        merchant, after=paris(MONDAY, "08:45"), days=1, step_minutes=30, lead_minutes=60, tz=PARIS
    )

    assert slots == [
        paris(MONDAY, "10:00"),
        paris(MONDAY, "10:30"),
        paris(MONDAY, "14:00"),
        paris(MONDAY, "14:30"),
    ]


def test_slots_skip_closed_days_and_span_the_days_asked():
    merchant = merchant_with([(0, "09:00", "10:00"), (2, "09:00", "10:00")], [(MONDAY, None, None)])

    slots = pickup_slots(
        merchant, after=paris(MONDAY, "07:00"), days=3, step_minutes=30, lead_minutes=0, tz=PARIS
    )

    wednesday = MONDAY + timedelta(days=2)
    assert slots == [paris(wednesday, "09:00"), paris(wednesday, "09:30")]


def test_slots_on_the_spring_forward_night_skip_the_missing_hour():
    merchant = merchant_with([(6, "01:00", "04:00")])

    slots = pickup_slots(
        merchant,
        after=paris(SPRING_FORWARD, "00:00"),
        days=1,
        step_minutes=30,
        lead_minutes=0,
        tz=PARIS,
    )

    local = [slot.strftime("%H:%M %Z") for slot in slots]
    assert local == ["01:00 CET", "01:30 CET", "03:00 CEST", "03:30 CEST"]
    assert all(is_open_at(merchant, slot, tz=PARIS) for slot in slots)


def test_slots_on_the_fall_back_night_name_each_wall_time_once():
    merchant = merchant_with([(6, "01:00", "04:00")])

    slots = pickup_slots(
        merchant, after=paris(FALL_BACK, "00:00"), days=1, step_minutes=30, lead_minutes=0, tz=PARIS
    )

    utc = [slot.astimezone(UTC).strftime("%H:%M") for slot in slots]
    # 01:00 CEST = 23:00 UTC the day before; 02:00 and 02:30 are their first (summer) occurrence.
    assert utc == ["23:00", "23:30", "00:00", "00:30", "02:00", "02:30"]
    assert slots == sorted(slots)


def test_slots_reach_the_last_step_before_midnight():
    merchant = merchant_with([(0, "22:00", "00:00")])

    slots = pickup_slots(
        merchant, after=paris(MONDAY, "12:00"), days=1, step_minutes=30, lead_minutes=0, tz=PARIS
    )

    assert [slot.strftime("%H:%M") for slot in slots] == ["22:00", "22:30", "23:00", "23:30"]


def test_exceptional_hours_give_their_own_slots():
    merchant = merchant_with([(0, "09:00", "19:00")], specials=[(MONDAY, "10:00", "11:00")])

    slots = pickup_slots(
        merchant, after=paris(MONDAY, "06:00"), days=1, step_minutes=30, lead_minutes=0, tz=PARIS
    )

    assert slots == [paris(MONDAY, "10:00"), paris(MONDAY, "10:30")]


# --- pickup_slots, for any week ------------------------------------------------------------


@st.composite
def weeks(draw: st.DrawFn) -> list[tuple[int, str, str]]:
    """Random non-overlapping ranges per weekday, on 5-minute boundaries, some to midnight."""
    ranges: list[tuple[int, str, str]] = []
    for weekday in range(7):
        cuts = sorted(draw(st.sets(st.integers(0, 288), max_size=6)))
        for start, end in zip(cuts[::2], cuts[1::2], strict=False):
            if start == end:
                continue
            opens = f"{start * 5 // 60:02d}:{start * 5 % 60:02d}"
            closes = "00:00" if end == 288 else f"{end * 5 // 60:02d}:{end * 5 % 60:02d}"
            if opens == "24:00":
                continue
            ranges.append((weekday, opens, closes))
    return ranges


moments = st.datetimes(
    min_value=datetime(2026, 3, 20), max_value=datetime(2026, 11, 5), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    week=weeks(),
    after=moments,
    step=st.sampled_from([5, 10, 15, 20, 30, 45, 60]),
    lead=st.integers(0, 24 * 60),
    days=st.integers(1, 9),
    closed_offset=st.none() | st.integers(0, 8),
)
def test_every_slot_is_inside_the_hours_and_after_the_lead_time(
    week, after, step, lead, days, closed_offset
):
    first_day = after.astimezone(PARIS).date()
    specials = (
        [] if closed_offset is None else [(first_day + timedelta(days=closed_offset), None, None)]
    )
    merchant = merchant_with(week, specials)

    slots = pickup_slots(
        merchant, after=after, days=days, step_minutes=step, lead_minutes=lead, tz=PARIS
    )

    earliest = after + timedelta(minutes=lead)
    last_day = first_day + timedelta(days=days - 1)
    assert slots == sorted(set(slots))
    for slot in slots:
        assert slot >= earliest
        assert is_open_at(merchant, slot, tz=PARIS)
        assert first_day <= slot.astimezone(PARIS).date() <= last_day
        assert slot.astimezone(PARIS).date() != specials[0][0] if specials else True


# --- the merchant page's week and exceptional periods ------------------------------------------


def test_the_week_lists_every_day_monday_first_midnight_as_the_end_of_the_day():
    merchant = merchant_with([(4, "19:00", "00:00"), (4, "11:00", "14:00"), (0, "09:00", "12:00")])

    rows = week_rows(merchant, MONDAY + timedelta(days=4))

    assert [row.weekday for row in rows] == list(range(7))
    assert rows[0].ranges == [(t("09:00"), t("12:00"))] and not rows[0].is_today
    assert rows[4].ranges == [(t("11:00"), t("14:00")), (t("19:00"), time.max)]
    assert rows[4].is_today
    assert rows[1].ranges == [] and rows[6].ranges == []


def test_consecutive_closures_for_one_reason_read_as_one_period():
    def closed(day: date, reason: str) -> SpecialHours:
        return SpecialHours(date=day, is_closed=True, reason=reason)

    merchant = merchant_with()
    merchant._prefetched_objects_cache["special_hours"] = [
        closed(MONDAY, "Congés"),
        closed(MONDAY + timedelta(days=1), "Congés"),
        closed(MONDAY + timedelta(days=2), "Inventaire"),
        closed(MONDAY + timedelta(days=4), "Inventaire"),
        SpecialHours(
            date=MONDAY + timedelta(days=5),
            is_closed=False,
            opens_at=t("20:00"),
            closes_at=t("00:00"),
        ),
        SpecialHours(
            date=MONDAY + timedelta(days=5),
            is_closed=False,
            opens_at=t("10:00"),
            closes_at=t("12:00"),
        ),
    ]

    assert exceptional_periods(merchant) == [
        ExceptionalPeriod(MONDAY, MONDAY + timedelta(days=1), True, [], "Congés"),
        ExceptionalPeriod(
            MONDAY + timedelta(days=2), MONDAY + timedelta(days=2), True, [], "Inventaire"
        ),
        ExceptionalPeriod(
            MONDAY + timedelta(days=4), MONDAY + timedelta(days=4), True, [], "Inventaire"
        ),
        ExceptionalPeriod(
            MONDAY + timedelta(days=5),
            MONDAY + timedelta(days=5),
            False,
            [(t("10:00"), t("12:00")), (t("20:00"), time.max)],
            "",
        ),
    ]
