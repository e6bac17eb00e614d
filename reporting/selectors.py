"""Reads of the visit counts."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.db.models.functions import Coalesce

from reporting.models import MerchantDailyVisits


@dataclass(frozen=True)
class Visits:
    today: int
    last_7_days: int
    last_30_days: int


def merchant_visits(*, merchant_id: int, today: date) -> Visits:
    """Views of the shop's public page: today, the last 7 days and 30 days (one query)."""
    figures = MerchantDailyVisits.objects.filter(
        merchant_id=merchant_id, day__gt=today - timedelta(days=30), day__lte=today
    ).aggregate(
        today=Coalesce(Sum("count", filter=Q(day=today)), 0),
        week=Coalesce(Sum("count", filter=Q(day__gt=today - timedelta(days=7))), 0),
        month=Coalesce(Sum("count"), 0),
    )
    return Visits(
        today=figures["today"], last_7_days=figures["week"], last_30_days=figures["month"]
    )
