"""The flush from Redis into each town's tables: idempotent when it dies halfway, and one
town's counts never reach another's tables."""

import pytest
from django.db.models import Sum

from reporting import services
from reporting.models import PageViewsDaily, VisitFlush
from reporting.tasks import visits_flush_all
from tests.conftest import inside
from tests.reporting.builders import BROWSER
from tests.reporting.conftest import views_counted


@pytest.fixture
def with_redis(settings) -> services._Counter:
    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL is not set: nothing is flushed without Redis.")
    counter = services._counter()
    assert counter is not None
    return counter


def _views(town) -> int:
    with inside(town):
        return PageViewsDaily.objects.aggregate(total=Sum("views"))["total"] or 0


def _pending(counter, town) -> list[bytes]:
    """The town's counts and batches waiting in Redis (not its visitors of the day)."""
    keys = counter.client.scan_iter(match=f"visits:*:{town.schema_name}:*")
    return [key for key in keys if b":seen:" not in key]


def test_the_flush_keeps_each_towns_counts_in_its_own_tables(
    client_a, client_b, town_a, town_b, with_redis
):
    client_a.get("/", HTTP_USER_AGENT=BROWSER)
    client_a.get("/commerces/", HTTP_USER_AGENT=BROWSER)
    client_b.get("/", HTTP_USER_AGENT=BROWSER)

    assert (_views(town_a), _views(town_b)) == (0, 0)  # still in Redis

    assert services.visits_flush(schema_name=town_a.schema_name) == 1
    assert (_views(town_a), _views(town_b)) == (2, 0)
    assert services.visits_flush(schema_name=town_a.schema_name) == 0  # nothing new
    assert services.visits_flush(schema_name=town_b.schema_name) == 1
    assert (_views(town_a), _views(town_b)) == (2, 1)
    assert _pending(with_redis, town_a) == _pending(with_redis, town_b) == []


def test_the_beat_task_flushes_every_town_in_its_own_schema(
    client_a, client_b, town_a, town_b, with_redis
):
    client_a.get("/", HTTP_USER_AGENT=BROWSER)
    client_b.get("/", HTTP_USER_AGENT=BROWSER)
    client_b.get("/", HTTP_USER_AGENT=BROWSER)

    visits_flush_all.apply()  # Celery runs each town's task in-process, in its schema

    assert (_views(town_a), _views(town_b)) == (1, 2)


def test_a_flush_that_dies_after_writing_does_not_count_twice(
    client_a, town_a, with_redis, monkeypatch
):
    client_a.get("/", HTTP_USER_AGENT=BROWSER)
    client_a.get("/", HTTP_USER_AGENT=BROWSER)
    drop = with_redis.drop

    def killed(*args, **kwargs):
        raise SystemExit("worker killed between the commit and the deletion")

    monkeypatch.setattr(with_redis, "drop", killed)
    with pytest.raises(SystemExit):
        services.visits_flush(schema_name=town_a.schema_name)
    assert _views(town_a) == 2
    client_a.get("/", HTTP_USER_AGENT=BROWSER)  # counted meanwhile, in a new pending hash

    monkeypatch.setattr(with_redis, "drop", drop)
    # The batch left behind is recorded: only deleted; then the pending view is written.
    assert services.visits_flush(schema_name=town_a.schema_name) == 1
    assert _views(town_a) == 3
    assert services.visits_flush(schema_name=town_a.schema_name) == 0
    assert _views(town_a) == 3
    with inside(town_a):
        assert VisitFlush.objects.count() == 2


def test_a_flush_that_dies_before_writing_loses_nothing(client_a, town_a, with_redis, monkeypatch):
    client_a.get("/", HTTP_USER_AGENT=BROWSER)
    write = services._batch_write

    def killed(**kwargs):
        raise SystemExit("worker killed before the commit")

    monkeypatch.setattr(services, "_batch_write", killed)
    with pytest.raises(SystemExit):
        services.visits_flush(schema_name=town_a.schema_name)
    assert _views(town_a) == 0

    monkeypatch.setattr(services, "_batch_write", write)
    assert views_counted(town_a) == 1
    assert views_counted(town_a) == 1


def test_a_flush_without_redis_writes_nothing_and_fails_not(town_a, settings):
    settings.REDIS_URL = ""

    assert services.visits_flush(schema_name=town_a.schema_name) == 0
