"""Counting what the towns' visitors look at."""

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F

from comptoir.town import town_now
from reporting.models import MerchantDailyVisits


def merchant_visit_record(*, merchant_id: int, day: date | None = None) -> None:
    """Count one view of the merchant's public page for `day` (today on the town's clock).

    An UPDATE with F() first, so concurrent views add up; the day's first view inserts the row,
    and if another view inserted it meanwhile, the unique constraint sends us back to the UPDATE.
    """
    day = day or town_now().date()
    rows = MerchantDailyVisits.objects.filter(merchant_id=merchant_id, day=day)
    if rows.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            MerchantDailyVisits.objects.create(merchant_id=merchant_id, day=day, count=1)
    except IntegrityError:
        rows.update(count=F("count") + 1)
