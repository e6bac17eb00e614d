"""/metrics: what it counts, and that only the cluster's scraper reads it (never through a
town's public host)."""

import uuid
from typing import Any

import pytest
import redis
import sentry_sdk
from django.conf import settings
from django.test import Client
from django.urls import resolve
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from comptoir import metrics
from comptoir.celery import app
from tenants.models import TownStats
from tests.conftest import inside

pytestmark = [pytest.mark.smoke, pytest.mark.django_db]


def scrape(client: Client | None = None, **headers: Any) -> dict[tuple[str, tuple], float]:
    """What a scrape from this machine reads: {(sample name, sorted labels): value}."""
    response = (client or Client()).get("/metrics", **headers)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def home_view_name(town) -> str:
    with inside(town):
        return resolve("/", urlconf=settings.ROOT_URLCONF).view_name


def test_requests_are_counted_by_view_method_and_status(client_a, town_a):
    view = home_view_name(town_a)
    labels = {"view": view, "method": "GET", "status": "200"}
    before = counted("comptoir_http_requests_total", **labels)
    latency_before = counted("comptoir_http_request_duration_seconds_count", view=view)

    assert client_a.get("/").status_code == 200
    assert client_a.get("/").status_code == 200
    client_a.get("/cette-page-n-existe-pas/")

    assert counted("comptoir_http_requests_total", **labels) == before + 2
    assert counted("comptoir_http_request_duration_seconds_count", view=view) == latency_before + 2
    # A 404's path is no label: unbounded paths would be unbounded series.
    assert (
        counted("comptoir_http_requests_total", view="<unresolved>", method="GET", status="404")
        >= 1
    )
    samples = scrape()
    assert samples[("comptoir_http_requests_total", tuple(sorted(labels.items())))] == before + 2
    assert not any("cette-page" in str(key) for key in samples)


def test_no_request_metric_carries_the_town(client_a, client_b):
    client_a.get("/")
    client_b.get("/")
    request_samples = [key for key in scrape() if key[0].startswith("comptoir_http_")]
    assert request_samples
    assert all(
        "town" not in dict(labels) and "alpha" not in str(labels)
        for _name, labels in request_samples
    )


def test_the_page_cache_counts_its_hits_and_misses(client_a):
    misses = counted("comptoir_page_cache_requests_total", result="miss")
    hits = counted("comptoir_page_cache_requests_total", result="hit")

    client_a.get("/")
    client_a.get("/")
    client_a.get("/")

    assert counted("comptoir_page_cache_requests_total", result="miss") == misses + 1
    assert counted("comptoir_page_cache_requests_total", result="hit") == hits + 2


def test_towns_are_counted_by_status_and_each_towns_figures_are_served(town_a, town_b):
    TownStats.objects.update_or_create(
        town=town_a,
        defaults={"merchants": 12, "products": 340, "orders": 56, "refreshed_at": timezone.now()},
    )

    samples = scrape()

    assert samples[("comptoir_town_merchants", (("town", "alpha"),))] == 12
    assert samples[("comptoir_town_products", (("town", "alpha"),))] == 340
    assert samples[("comptoir_town_orders", (("town", "alpha"),))] == 56
    statuses = {
        dict(labels)["status"]: value
        for (name, labels), value in samples.items()
        if name == "comptoir_towns"
    }
    assert sum(statuses.values()) >= 2


def test_per_town_series_stop_at_the_setting(settings, town_a, town_b):
    for town in (town_a, town_b):
        TownStats.objects.update_or_create(
            town=town,
            defaults={"merchants": 1, "products": 1, "orders": 1, "refreshed_at": timezone.now()},
        )
    settings.METRICS_TOWN_SERIES_MAX = 1

    towns = [labels for (name, labels) in scrape() if name == "comptoir_town_merchants"]

    assert towns == [(("town", "alpha"),)]


@pytest.mark.skipif(not settings.REDIS_URL, reason="the queue length is read from Redis")
def test_the_celery_queue_length_is_read_from_redis(settings, monkeypatch):
    queue = f"metrics-test-{uuid.uuid4().hex}"
    client = redis.Redis.from_url(settings.REDIS_URL)
    settings.CELERY_BROKER_URL = settings.REDIS_URL
    monkeypatch.setattr(metrics, "celery_queue_names", lambda: [queue])
    client.rpush(queue, "a", "b", "c")
    client.rpush(f"{queue}\x06\x163", "d")
    try:
        samples = scrape()
    finally:
        client.delete(queue, f"{queue}\x06\x163")

    assert samples[("comptoir_celery_queue_length", (("queue", queue),))] == 4
    assert samples[("comptoir_celery_broker_up", ())] == 1


def test_an_unreachable_broker_is_reported_not_raised(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"

    samples = scrape()

    assert samples[("comptoir_celery_broker_up", ())] == 0
    assert not any(name == "comptoir_celery_queue_length" for name, _labels in samples)


def test_the_default_queue_is_celerys():
    assert metrics.celery_queue_names() == [app.conf.task_default_queue]


def test_a_failed_task_is_counted_by_its_name():
    @app.task(name="tests.deploy.metrics_failing_task")
    def failing_task() -> None:
        raise RuntimeError("no")

    before = counted(
        "comptoir_celery_tasks_total", task="tests.deploy.metrics_failing_task", state="failure"
    )
    result = failing_task.apply(throw=False)

    assert result.failed()
    assert (
        counted(
            "comptoir_celery_tasks_total", task="tests.deploy.metrics_failing_task", state="failure"
        )
        == before + 1
    )


# --- Who may read /metrics ------------------------------------------------------------------


def test_a_request_relayed_by_the_ingress_is_answered_404_on_any_host(client_a, root_client):
    for client in (client_a, root_client, Client()):
        response = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert response.status_code == 404
        assert b"comptoir_" not in response.content


def test_an_address_outside_the_allowed_networks_is_answered_404(settings):
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert Client(REMOTE_ADDR="192.0.2.10").get("/metrics").status_code == 404
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200


def test_the_bearer_token_is_required_when_set(settings):
    settings.METRICS_BEARER_TOKEN = "s3cret-scraper-token"
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    scrape(HTTP_AUTHORIZATION="Bearer s3cret-scraper-token")


def test_a_task_tags_sentry_with_its_town(town_a):
    from comptoir.db import connection

    @app.task(name="tests.deploy.metrics_town_task")
    def town_task() -> str:
        return connection.schema_name

    with sentry_sdk.isolation_scope() as scope, inside(town_a):
        result = town_task.apply()

    assert result.get() == "alpha"
    assert scope._tags["town"] == "alpha"
