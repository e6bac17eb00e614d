"""A merchant's week of opening hours, and its exceptional days (closures, holiday hours)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import time, timedelta
from itertools import pairwise

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.page_cache import shop_window_changed
from comptoir.town import town_now
from marketplace.directory.errors import InvalidOpeningHours
from marketplace.directory.hours import range_end
from marketplace.directory.models import Merchant, OpeningHours, SpecialHours
from marketplace.directory.services.merchants import merchant_require_member

MAX_RANGES_PER_DAY = 6
# An exceptional period (a holiday closure) spans at most this many days, and starts at most
# this far ahead: enough for any real planning, and the page that lists them stays short.
MAX_SPECIAL_PERIOD_DAYS = 92
MAX_SPECIAL_DAYS_AHEAD = 730


def _clock(value: time) -> str:
    return "24:00" if value == time.max else value.strftime("%H:%M")


def _weekday_name(weekday: int) -> str:
    return str(OpeningHours.Weekday(weekday).label)


def _ranges_problems(label: str, ranges: list[tuple[time, time]]) -> list[str]:
    """What is wrong with one day's ranges: empty or reversed ranges, overlaps, too many."""
    problems: list[str] = []
    valid: list[tuple[time, time]] = []
    for opens, closes in ranges:
        if range_end(closes) <= opens:
            problems.append(
                _(
                    "%(day)s: the closing time %(closes)s must come after the opening time %(opens)s."
                )
                % {"day": label, "opens": _clock(opens), "closes": _clock(closes)}
            )
        else:
            valid.append((opens, range_end(closes)))
    valid.sort()
    for (opens_a, closes_a), (opens_b, closes_b) in pairwise(valid):
        if opens_b < closes_a:
            problems.append(
                _("%(day)s: %(first)s and %(second)s overlap.")
                % {
                    "day": label,
                    "first": f"{_clock(opens_a)}–{_clock(closes_a)}",
                    "second": f"{_clock(opens_b)}–{_clock(closes_b)}",
                }
            )
    if len(ranges) > MAX_RANGES_PER_DAY:
        problems.append(
            _("%(day)s: at most %(count)d opening ranges a day.")
            % {"day": label, "count": MAX_RANGES_PER_DAY}
        )
    return problems


def _week_checked(
    ranges: Iterable[tuple[int, time, time]],
) -> tuple[dict[int, list[tuple[time, time]]], list[str]]:
    by_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
    problems: list[str] = []
    for weekday, opens, closes in ranges:
        if weekday not in OpeningHours.Weekday.values:
            problems.append(_("%(value)s is not a day of the week.") % {"value": weekday})
            continue
        by_day[weekday].append((opens, closes))
    for weekday in sorted(by_day):
        problems.extend(_ranges_problems(_weekday_name(weekday), by_day[weekday]))
    return by_day, problems


def opening_hours_problems(ranges: Iterable[tuple[int, time, time]]) -> list[str]:
    """What `opening_hours_set` would refuse in this week of (weekday, opens, closes) ranges."""
    return _week_checked(ranges)[1]


def opening_hours_set_unclaimed(*, weeks: Mapping[int, Sequence[tuple[int, time, time]]]) -> None:
    """Replace the week of each listing the town made and nobody claimed yet (a registry import:
    the caller checked it has no member and its ranges with `opening_hours_problems`), in bulk,
    in the caller's transaction. A merchant given no range keeps its week."""
    weeks = {merchant_id: ranges for merchant_id, ranges in weeks.items() if ranges}
    if not weeks:
        return
    OpeningHours.objects.filter(merchant_id__in=list(weeks)).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(merchant_id=merchant_id, weekday=weekday, opens_at=opens, closes_at=closes)
        for merchant_id, ranges in weeks.items()
        for weekday, opens, closes in sorted(ranges)
    )
    shop_window_changed()  # bulk writes send no signal


def opening_hours_set(
    *, merchant_id: int, actor: User, ranges: Iterable[tuple[int, time, time]]
) -> list[OpeningHours]:
    """Replace the merchant's whole week with these (weekday, opens, closes) ranges; a closing
    time of 00:00 means midnight. Days without a range are closed.

    Every problem is reported at once (InvalidOpeningHours) and then nothing changes.
    """
    merchant_require_member(actor=actor, merchant_id=merchant_id)
    by_day, problems = _week_checked(ranges)
    if problems:
        raise InvalidOpeningHours(*problems)
    with transaction.atomic(durable=True):
        Merchant.objects.select_for_update().only("pk").get(pk=merchant_id)
        OpeningHours.objects.filter(merchant_id=merchant_id).delete()
        rows = OpeningHours.objects.bulk_create(
            OpeningHours(merchant_id=merchant_id, weekday=weekday, opens_at=opens, closes_at=closes)
            for weekday in sorted(by_day)
            for opens, closes in sorted(by_day[weekday])
        )
    shop_window_changed()  # bulk writes send no signal
    return rows


def _date_label(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def special_hours_add(
    *,
    merchant_id: int,
    actor: User,
    date: dt.date,
    until: dt.date | None = None,
    is_closed: bool = True,
    opens_at: time | None = None,
    closes_at: time | None = None,
    reason: str = "",
) -> list[SpecialHours]:
    """Mark the days from `date` to `until` (or `date` alone) as closed, or as open only from
    `opens_at` to `closes_at` (call again to add a second range to a day).

    Refused, changing nothing: days in the past, a period too long, a range that ends before it
    starts, and a day whose exceptional hours it would contradict or overlap.
    """
    merchant_require_member(actor=actor, merchant_id=merchant_id)
    until = until or date
    today = town_now().date()
    problems: list[str] = []
    if date < today:
        problems.append(_("Choose a day from today onwards."))
    if until < date:
        problems.append(_("The last day must not come before the first."))
    elif (until - date).days + 1 > MAX_SPECIAL_PERIOD_DAYS:
        problems.append(
            _("A period lasts at most %(count)d days.") % {"count": MAX_SPECIAL_PERIOD_DAYS}
        )
    if date > today + timedelta(days=MAX_SPECIAL_DAYS_AHEAD):
        problems.append(_("Choose a day within the next two years."))
    if is_closed:
        opens_at = closes_at = None
    elif opens_at is None or closes_at is None:
        problems.append(_("Give the opening and the closing time, or mark the day closed."))
    else:
        problems.extend(_ranges_problems(_date_label(date), [(opens_at, closes_at)]))
    reason = reason.strip()[:120]
    if problems:
        raise InvalidOpeningHours(*problems)

    days = [date + timedelta(days=offset) for offset in range((until - date).days + 1)]
    with transaction.atomic(durable=True):
        Merchant.objects.select_for_update().only("pk").get(pk=merchant_id)
        existing: dict[dt.date, list[SpecialHours]] = defaultdict(list)
        for row in SpecialHours.objects.filter(merchant_id=merchant_id, date__in=days):
            existing[row.date].append(row)
        for each_day in days:
            rows = existing.get(each_day, [])
            if not rows:
                continue
            if is_closed or any(row.is_closed for row in rows):
                problems.append(
                    _("%(date)s already has exceptional hours: remove them first.")
                    % {"date": _date_label(each_day)}
                )
                continue
            assert opens_at is not None and closes_at is not None
            day_ranges = [(opens_at, closes_at)]
            day_ranges += [
                (row.opens_at, row.closes_at)
                for row in rows
                if row.opens_at is not None and row.closes_at is not None
            ]
            problems.extend(_ranges_problems(_date_label(each_day), day_ranges))
        if problems:
            raise InvalidOpeningHours(*problems)
        shop_window_changed()  # bulk writes send no signal
        return SpecialHours.objects.bulk_create(
            SpecialHours(
                merchant_id=merchant_id,
                date=each_day,
                is_closed=is_closed,
                opens_at=opens_at,
                closes_at=closes_at,
                reason=reason,
            )
            for each_day in days
        )


def special_hours_remove(*, merchant_id: int, actor: User, special_hours_ids: Sequence[int]) -> int:
    """Remove some of the merchant's exceptional days (a whole closure period at once, say).

    Rows of another merchant are never touched: they count as not found.
    """
    merchant_require_member(actor=actor, merchant_id=merchant_id)
    removed, _details = SpecialHours.objects.filter(
        merchant_id=merchant_id, pk__in=list(special_hours_ids)
    ).delete()
    if not removed:
        raise SpecialHours.DoesNotExist
    return removed
