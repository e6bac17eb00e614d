"""Reads of the visit counts (reporting.services writes them).

Counts reach the tables when the flush task runs (every VISITS_FLUSH_SECONDS with Redis; at
once without): a figure of today may be a minute behind.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from marketplace.orders.models import Order
from reporting.models import PageKind, PageViewsDaily
from reporting.visitors import department_of_postcode


@dataclass(frozen=True)
class Visits:
    today: int
    last_7_days: int
    last_30_days: int


def merchant_visits(*, merchant_id: int, today: date) -> Visits:
    """Views of the shop's public page: today, the last 7 days and 30 days (one query)."""
    figures = PageViewsDaily.objects.filter(
        kind=PageKind.MERCHANT,
        merchant_id=merchant_id,
        day__gt=today - timedelta(days=30),
        day__lte=today,
    ).aggregate(
        today=Coalesce(Sum("views", filter=Q(day=today)), 0),
        week=Coalesce(Sum("views", filter=Q(day__gt=today - timedelta(days=7))), 0),
        month=Coalesce(Sum("views"), 0),
    )
    return Visits(
        today=figures["today"], last_7_days=figures["week"], last_30_days=figures["month"]
    )


# Orders that were never placed, or placed and then refused or cancelled, say nothing of where
# the town's shoppers live.
_ORDERS_NOT_COUNTED = (Order.Status.PENDING, Order.Status.REFUSED, Order.Status.CANCELLED)


def shopper_origins_from_orders(*, start: date, end: date) -> list[tuple[str, str, int]]:
    """Where the shoppers who ordered between `start` and `end` (inclusive) live, by the
    delivery postcodes of their orders: (department, postcode, orders), most orders first.
    Orders collected in the shop carry no postcode and are left out. One query."""
    rows = (
        Order.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
        .exclude(status__in=_ORDERS_NOT_COUNTED)
        .exclude(delivery_postcode="")
        .values_list("delivery_postcode")
        .annotate(orders=Count("pk"))
        .order_by()
    )
    postcodes: Counter[str] = Counter()
    for postcode, orders in rows:
        postcodes[postcode.strip().replace(" ", "")] += orders
    found = [
        (department_of_postcode(postcode), postcode, orders)
        for postcode, orders in postcodes.items()
    ]
    return sorted(found, key=lambda row: (-row[2], row[1]))
