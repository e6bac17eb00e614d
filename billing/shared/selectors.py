"""Reads of the towns' subscriptions, for the console and the town's administration; each
names the public schema, where these tables live, whichever host asks."""

from collections import defaultdict
from datetime import date, datetime

from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name, schema_context

from billing.shared.models import (
    SubscriptionInvoice,
    SubscriptionPlan,
    TownCommissionMonth,
    TownSubscription,
)


def plans_offered() -> QuerySet[SubscriptionPlan]:
    return SubscriptionPlan.objects.filter(active=True).order_by("amount_cents", "code")


def town_subscription(*, town_id: int) -> TownSubscription | None:
    """The town's subscription with its plan, or None."""
    with schema_context(get_public_schema_name()):
        return TownSubscription.objects.select_related("plan").filter(town_id=town_id).first()


def subscriptions_by_town(*, town_ids: list[int]) -> dict[int, TownSubscription]:
    """The subscriptions (with their plans) of these towns, in one query."""
    with schema_context(get_public_schema_name()):
        rows = TownSubscription.objects.select_related("plan").filter(town_id__in=town_ids)
        return {row.town_id: row for row in rows}


def subscription_invoices(*, subscription_id: int, limit: int = 24) -> list[SubscriptionInvoice]:
    with schema_context(get_public_schema_name()):
        return list(SubscriptionInvoice.objects.filter(subscription_id=subscription_id)[:limit])


def months_back(*, today: date, count: int) -> list[date]:
    """The first days of this month and the `count - 1` before it, newest first."""
    months, year, month = [], today.year, today.month
    for _step in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


def commissions_by_town(*, town_ids: list[int], months: list[date]) -> dict[int, list[int]]:
    """Each town's commission in cents for each of `months` (0 where none), in one query."""
    found: dict[int, dict[date, int]] = defaultdict(dict)
    with schema_context(get_public_schema_name()):
        rows = TownCommissionMonth.objects.filter(town_id__in=town_ids, month__in=months)
        for town_id, month, cents in rows.values_list("town_id", "month", "commission_cents"):
            found[town_id][month] = cents
    return {pk: [found[pk].get(month, 0) for month in months] for pk in town_ids}


def commissions_counted_at() -> datetime | None:
    """When the commissions were last counted (None: never)."""
    with schema_context(get_public_schema_name()):
        row = TownCommissionMonth.objects.order_by("-refreshed_at").only("refreshed_at").first()
    return row.refreshed_at if row else None
