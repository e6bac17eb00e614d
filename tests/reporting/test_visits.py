from datetime import timedelta

from comptoir.town import town_now
from reporting.selectors import merchant_visits
from reporting.services import merchant_visit_record
from tests.conftest import inside
from tests.marketplace.directory.conftest import merchant_create


def test_visits_add_up_per_day(town_a):
    merchant = merchant_create(town_a)
    with inside(town_a):
        today = town_now().date()
        for _ in range(3):
            merchant_visit_record(merchant_id=merchant.pk, day=today)
        merchant_visit_record(merchant_id=merchant.pk, day=today - timedelta(days=3))
        merchant_visit_record(merchant_id=merchant.pk, day=today - timedelta(days=20))

        visits = merchant_visits(merchant_id=merchant.pk, today=today)

    assert (visits.today, visits.last_7_days, visits.last_30_days) == (3, 4, 5)
