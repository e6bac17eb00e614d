"""Opening hours arithmetic, in the town's time zone.

Every function takes a merchant whose `opening_hours` and `special_hours` are prefetched
(`marketplace.directory.selectors.merchant_hours_prefetch`), so they cost no query.

A range closing at midnight is stored as 00:00 (a shop open 19:00–00:00); the functions here
return it as `time.max`, so `opens <= t < closes` holds for every moment of the day.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from comptoir.town import town_time_zone
from marketplace.directory.models import Merchant, OpeningHours, SpecialHours

MIDNIGHT = time(0)


def range_end(closes: time) -> time:
    """The end of a range as `opens <= t < closes` reads it: a stored 00:00 is midnight."""
    return time.max if closes == MIDNIGHT else closes


def opening_ranges_on(merchant: Merchant, day: date) -> list[tuple[time, time]]:
    """The merchant's opening ranges on that day, sorted; exceptional hours replace the week's.

    A day with an exceptional closure has no range; a day with exceptional hours has only them.
    """
    specials = [special for special in merchant.special_hours.all() if special.date == day]
    if specials:
        if any(special.is_closed for special in specials):
            return []
        rows = [(special.opens_at, special.closes_at) for special in specials]
    else:
        weekday = day.weekday()
        rows = [
            (hours.opens_at, hours.closes_at)
            for hours in merchant.opening_hours.all()
            if hours.weekday == weekday
        ]
    return sorted(
        (opens, range_end(closes))
        for opens, closes in rows
        if opens is not None and closes is not None
    )


def is_open_at(merchant: Merchant, moment: datetime, *, tz: tzinfo | None = None) -> bool:
    """Whether the merchant is open at that instant, read on the town's clock."""
    if moment.tzinfo is None:
        raise ValueError("is_open_at needs an aware datetime.")
    local = moment.astimezone(tz or town_time_zone())
    clock = local.time()
    return any(
        opens <= clock < closes for opens, closes in opening_ranges_on(merchant, local.date())
    )


def _wall_clock_to_aware(wall: datetime, tz: tzinfo) -> datetime | None:
    """The instant a wall-clock time names, or None when the clocks skip it (spring forward).

    An ambiguous time (autumn, clocks back) names its first occurrence.
    """
    aware = wall.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        return None
    return aware


def pickup_slots(
    merchant: Merchant,
    *,
    after: datetime,
    days: int = 7,
    step_minutes: int = 30,
    lead_minutes: int = 60,
    tz: tzinfo | None = None,
) -> list[datetime]:
    """Pickup times offered to a shopper: every `step_minutes` from each range's opening, strictly
    before its closing, at least `lead_minutes` after `after`, over `days` days counted from
    `after`'s date on the town's clock. Aware datetimes in the town's time zone, sorted.
    """
    if after.tzinfo is None:
        raise ValueError("pickup_slots needs an aware datetime.")
    if step_minutes <= 0:
        raise ValueError("step_minutes must be positive.")
    tz = tz or town_time_zone()
    earliest = after + timedelta(minutes=lead_minutes)
    step = timedelta(minutes=step_minutes)
    first_day = after.astimezone(tz).date()
    slots: set[datetime] = set()
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for opens, closes in opening_ranges_on(merchant, day):
            wall = datetime.combine(day, opens)
            end = (
                datetime.combine(day + timedelta(days=1), MIDNIGHT)
                if closes == time.max
                else datetime.combine(day, closes)
            )
            while wall < end:
                moment = _wall_clock_to_aware(wall, tz)
                if moment is not None and moment >= earliest:
                    slots.add(moment)
                wall += step
    return sorted(slots)


@dataclass(frozen=True)
class WeekRow:
    """One day of the merchant's usual week, as its page lists it."""

    weekday: int
    label: str
    ranges: list[tuple[time, time]]
    is_today: bool


def week_rows(merchant: Merchant, today: date) -> list[WeekRow]:
    """The usual week, Monday first, each day's ranges sorted; exceptional days left aside."""
    labels = dict(OpeningHours.Weekday.choices)
    rows: dict[int, list[tuple[time, time]]] = {weekday: [] for weekday in labels}
    for hours in merchant.opening_hours.all():
        rows[hours.weekday].append((hours.opens_at, range_end(hours.closes_at)))
    return [
        WeekRow(weekday, str(labels[weekday]), sorted(ranges), weekday == today.weekday())
        for weekday, ranges in rows.items()
    ]


@dataclass(frozen=True)
class ExceptionalPeriod:
    """Consecutive exceptional days that read as one line ("closed from 1 to 15 August")."""

    first: date
    last: date
    is_closed: bool
    ranges: list[tuple[time, time]]
    reason: str


def exceptional_periods(merchant: Merchant) -> list[ExceptionalPeriod]:
    """The prefetched exceptional days in date order; consecutive closures for one reason
    merge into one period, a day of special hours stays a period of its own."""
    by_day: dict[date, list[SpecialHours]] = {}
    for special in merchant.special_hours.all():
        by_day.setdefault(special.date, []).append(special)
    periods: list[ExceptionalPeriod] = []
    for day in sorted(by_day):
        rows = by_day[day]
        is_closed = any(row.is_closed for row in rows)
        ranges = (
            []
            if is_closed
            else sorted(
                (row.opens_at, range_end(row.closes_at))
                for row in rows
                if row.opens_at is not None and row.closes_at is not None
            )
        )
        reason = next((row.reason for row in rows if row.reason), "")
        previous = periods[-1] if periods else None
        if (
            previous is not None
            and is_closed
            and previous.is_closed
            and previous.reason == reason
            and previous.last + timedelta(days=1) == day
        ):
            periods[-1] = ExceptionalPeriod(previous.first, day, True, [], reason)
        else:
            periods.append(ExceptionalPeriod(day, day, is_closed, ranges, reason))
    return periods
