"""The directory's "open now" filter in SQL agrees with hours.is_open_at, moment after moment."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from marketplace.directory.hours import is_open_at
from marketplace.directory.models import Merchant
from marketplace.directory.selectors import (
    merchant_hours_prefetch,
    merchants_open_at,
    merchants_visible,
)
from tests.conftest import inside
from tests.marketplace.directory.conftest import (
    WEEKDAYS_9_TO_19,
    category_create,
    merchant_create,
    special_create,
)

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 3, 23)  # the week clocks go forward, on Sunday 29 March


def test_sql_and_python_agree_on_who_is_open(town_a):
    category = category_create(town_a)
    made = [
        merchant_create(town_a, name="Semaine", category=category, week=WEEKDAYS_9_TO_19),
        merchant_create(
            town_a,
            name="Coupure",
            category=category,
            week=[(day, "09:00", "12:00") for day in range(7)]
            + [(day, "14:00", "19:00") for day in range(7)],
        ),
        merchant_create(
            town_a,
            name="Nuit",
            category=category,
            week=[(4, "22:00", "00:00"), (5, "00:00", "02:00"), (6, "00:00", "00:00")],
        ),
        merchant_create(town_a, name="Fermé", category=category),
    ]
    special_create(town_a, made[0], MONDAY, reason="Congés")
    special_create(town_a, made[3], MONDAY + timedelta(days=1), opens="10:00", closes="11:00")
    special_create(town_a, made[1], MONDAY + timedelta(days=2), opens="20:00", closes="00:00")
    moments = [
        datetime.combine(MONDAY + timedelta(days=day), datetime.min.time(), tzinfo=UTC)
        + timedelta(minutes=minutes)
        for day in range(7)
        for minutes in range(0, 24 * 60, 37)
    ]

    with inside(town_a):
        merchants = list(
            merchants_visible().prefetch_related(
                *merchant_hours_prefetch(since=MONDAY - timedelta(days=1))
            )
        )
        for moment in moments:
            local = moment.astimezone(PARIS)
            in_sql = set(
                merchants_open_at(Merchant.objects.all(), local=local).values_list("pk", flat=True)
            )
            in_python = {m.pk for m in merchants if is_open_at(m, moment, tz=PARIS)}
            assert in_sql == in_python, local
