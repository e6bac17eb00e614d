"""Twenty visitors at the same instant: twenty views, with Redis and without. Real commits,
one connection per thread; the test deletes what it counted."""

from collections.abc import Iterator

import pytest
from django.db.models import Sum
from django.test import Client

from marketplace.directory.models import Category, Merchant
from reporting import services
from reporting.models import (
    PageViewsDaily,
    PageViewsHourly,
    VisitFlush,
    VisitorsDaily,
    VisitorSeen,
    VisitSalt,
    VisitsByOrigin,
    VisitsBySource,
)
from tenants.models import Town
from tests.concurrency import in_threads, town_committed
from tests.conftest import host_of, inside
from tests.marketplace.directory.conftest import WEEKDAYS_9_TO_19, merchant_create
from tests.reporting.builders import BROWSER


@pytest.fixture
def committed_town(django_db_setup, django_db_blocker) -> Iterator[Town]:
    def cleanup() -> None:
        for model in (
            PageViewsDaily, PageViewsHourly, VisitsBySource, VisitsByOrigin, VisitorsDaily,
            VisitorSeen, VisitSalt, VisitFlush,
        ):  # fmt: skip
            model.objects.all().delete()
        Merchant.objects.filter(slug__startswith="test-visits-").delete()
        Category.objects.filter(slug__startswith="test-cat-").delete()

    with town_committed(django_db_blocker, cleanup=cleanup) as town:
        yield town


def test_twenty_simultaneous_views_are_twenty_views(committed_town, counting):
    merchant = merchant_create(
        committed_town, name="Très vu", slug="test-visits-tres-vu", week=WEEKDAYS_9_TO_19
    )
    url = f"/commerces/{merchant.slug}/"
    statuses: list[int] = []

    def view(index: int) -> None:
        client = Client(HTTP_HOST=host_of(committed_town))
        response = client.get(url, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=f"198.51.100.{index}")
        statuses.append(response.status_code)

    errors = in_threads(20, view, committed_town)

    assert errors == []
    assert statuses == [200] * 20
    services.visits_flush(schema_name=committed_town.schema_name)
    with inside(committed_town):
        row = PageViewsDaily.objects.get(merchant_id=merchant.pk)
        assert (row.views, row.visits) == (20, 20)
        assert VisitorsDaily.objects.aggregate(Sum("visitors"))["visitors__sum"] == 20
