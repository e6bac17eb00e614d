"""Prometheus metrics: requests and latency by view and status, the page cache's hits, Celery's
queues and task failures, and the platform's figures per town.

Labels stay bounded: a request is labelled by its URL pattern's name (never its path) and its
status; no request or task metric carries the town (thousands of towns times views times
statuses would be millions of series). The per-town figures are one series per town and figure,
read from the public schema's `TownStats` at scrape time, and left out past
METRICS_TOWN_SERIES_MAX towns.

Under gunicorn every worker process counts in PROMETHEUS_MULTIPROC_DIR (deploy/gunicorn.conf.py
sets it) and a scrape of any worker sums them; without it (development, tests) this process's
own registry is served. `/metrics` answers only a scraper inside the cluster (see
`metrics_allowed`), never a request that came through the ingress.
"""

import ipaddress
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import redis
import sentry_sdk
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from comptoir.db import connection

METRICS_PATH = "/metrics"

REQUESTS = Counter(
    "comptoir_http_requests",
    "HTTP requests answered, by URL pattern, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "comptoir_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL pattern.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PAGE_CACHE = Counter(
    "comptoir_page_cache_requests",
    "Shop-window pages asked of the page cache, by result (hit or miss).",
    ["result"],
)
TASKS = Counter(
    "comptoir_celery_tasks",
    "Celery tasks finished, by task name and state (success, failure, retry).",
    ["task", "state"],
)


def request_observed(*, view: str, method: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "other"
    REQUESTS.labels(view=view, method=method, status=str(status)).inc()
    LATENCY.labels(view=view).observe(seconds)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def page_cache_observed(*, hit: bool) -> None:
    PAGE_CACHE.labels(result="hit" if hit else "miss").inc()


def task_observed(*, task: str, state: str) -> None:
    TASKS.labels(task=task, state=state).inc()


def view_label(request: HttpRequest) -> str:
    """The URL pattern's name, bounded whatever the path: `<unresolved>` for a 404 and the
    answers given before URL resolution (health, unknown host, suspended town)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {"/healthz": "healthz", "/readyz": "readyz"}.get(request.path_info, "<unresolved>")
    return match.view_name or match._func_path


# --- Gauges read at scrape time -----------------------------------------------------------


def celery_queue_names() -> list[str]:
    from comptoir.celery import app

    names = {app.conf.task_default_queue}
    names.update(queue.name for queue in app.conf.task_queues or ())
    return sorted(names)


def redis_queue_keys(queue: str) -> list[str]:
    """The Redis lists kombu keeps a queue in: the queue's name, and one per priority step
    (`<queue>\\x06\\x16<priority>`) for messages sent with a priority."""
    return [queue] + [f"{queue}\x06\x16{step}" for step in (1, 2, 3, 4, 5, 6, 7, 8, 9)]


class CeleryQueueCollector(Collector):
    """Messages waiting in each Celery queue (the length KEDA scales the workers on)."""

    def collect(self) -> Iterator[Metric]:
        broker = settings.CELERY_BROKER_URL
        if not broker.startswith(("redis://", "rediss://")):
            return
        family = GaugeMetricFamily(
            "comptoir_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        up = GaugeMetricFamily("comptoir_celery_broker_up", "Whether the broker answered.")
        try:
            client = redis.Redis.from_url(broker, socket_timeout=1, socket_connect_timeout=1)
            with client.pipeline(transaction=False) as pipe:
                queues = celery_queue_names()
                for queue in queues:
                    for key in redis_queue_keys(queue):
                        pipe.llen(key)
                lengths = pipe.execute()
        except redis.RedisError:
            up.add_metric([], 0)
            yield up
            return
        per_queue = len(redis_queue_keys(""))
        for index, queue in enumerate(queues):
            family.add_metric([queue], sum(lengths[index * per_queue : (index + 1) * per_queue]))
        up.add_metric([], 1)
        yield up
        yield family


class TownFiguresCollector(Collector):
    """Towns by status, and each town's merchants, products and orders (its `stats`, refreshed
    by beat every 15 minutes): two queries, in the public schema. The platform reaches the town
    model through django-tenants' setting, as routing does, never by importing `tenants`."""

    def collect(self) -> Iterator[Metric]:
        from django.db.models import Count
        from django_tenants.utils import get_tenant_model

        town_model = get_tenant_model()
        connection.set_schema_to_public()
        by_status = GaugeMetricFamily("comptoir_towns", "Towns, by status.", labels=["status"])
        for row in town_model.objects.order_by().values("status").annotate(count=Count("pk")):
            by_status.add_metric([row["status"]], row["count"])
        yield by_status
        figures = ("merchants", "products", "orders")
        families = [
            GaugeMetricFamily(
                f"comptoir_town_{figure}", f"A town's {figure}, as last counted.", labels=["town"]
            )
            for figure in figures
        ]
        rows = (
            town_model.objects.filter(stats__isnull=False)
            .order_by("schema_name")
            .values_list("schema_name", *(f"stats__{figure}" for figure in figures))
        )[: settings.METRICS_TOWN_SERIES_MAX]
        for schema, *values in rows:
            for family, value in zip(families, values, strict=True):
                family.add_metric([schema], value)
        yield from families


class _Scrape(Collector):
    """What one scrape of this process serves beside the counters."""

    def __init__(self, collectors: Iterable[Collector]) -> None:
        self.collectors = list(collectors)

    def collect(self) -> Iterator[Metric]:
        for collector in self.collectors:
            yield from collector.collect()


def exposition(*, platform: bool = True) -> bytes:
    """The text a scrape reads: every process's counters (multiprocess mode) or this one's, and,
    for the web, the gauges read now."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        counters = CollectorRegistry()
        MultiProcessCollector(counters)
    else:
        counters = REGISTRY
    text = generate_latest(counters)
    if platform:
        gauges = CollectorRegistry(auto_describe=False)
        gauges.register(_Scrape([CeleryQueueCollector(), TownFiguresCollector()]))
        text += generate_latest(gauges)
    return text


# --- Who may scrape -------------------------------------------------------------------------


def _client_address(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return None


def metrics_allowed(request: HttpRequest) -> bool:
    """A scraper inside the cluster: its address in METRICS_ALLOWED_NETWORKS, with the bearer
    token when METRICS_BEARER_TOKEN is set, and never a request relayed by a proxy (the ingress
    adds X-Forwarded-For), so no town's public host serves the metrics."""
    if "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META:
        return False
    address = _client_address(request)
    if address is None or not any(
        address in ipaddress.ip_network(network, strict=False)
        for network in settings.METRICS_ALLOWED_NETWORKS
    ):
        return False
    token = settings.METRICS_BEARER_TOKEN
    if token:
        given = request.META.get("HTTP_AUTHORIZATION", "")
        return secrets.compare_digest(given.encode(), f"Bearer {token}".encode())
    return True


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        # The same answer as any path the site does not have: nothing says metrics live here.
        return HttpResponseNotFound()
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


class MetricsMiddleware:
    """Outermost: answers `/metrics` to the cluster's scraper, and counts every other request
    by the URL pattern that answered it, its method, status and time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == METRICS_PATH:
            return metrics_view(request)
        started = time.perf_counter()
        response = self.get_response(request)
        request_observed(
            view=view_label(request),
            method=request.method or "",
            status=response.status_code,
            seconds=time.perf_counter() - started,
        )
        return response


# --- Celery -----------------------------------------------------------------------------


def celery_signals_connect() -> None:
    """Count every task's end in the process that ran it, and tag Sentry with its town; a worker
    started with CELERY_METRICS_PORT serves its processes' counters there (the web serves the
    queues)."""
    from celery import signals

    def succeeded(sender: Any = None, **kwargs: object) -> None:
        task_observed(task=getattr(sender, "name", "unknown"), state="success")

    def failed(sender: Any = None, **kwargs: object) -> None:
        task_observed(task=getattr(sender, "name", "unknown"), state="failure")

    def retried(sender: Any = None, **kwargs: object) -> None:
        task_observed(task=getattr(sender, "name", "unknown"), state="retry")

    def town_tagged(**kwargs: object) -> None:
        # The task runs in its town's schema (tenant-schemas-celery set it): Sentry's events
        # from it carry the town, as a request's do.
        sentry_sdk.set_tag("town", connection.schema_name)

    def worker_serves(**kwargs: object) -> None:
        port = os.environ.get("CELERY_METRICS_PORT")
        if port:
            celery_metrics_serve(port=int(port))

    signals.task_prerun.connect(town_tagged, weak=False)
    signals.task_success.connect(succeeded, weak=False)
    signals.task_failure.connect(failed, weak=False)
    signals.task_retry.connect(retried, weak=False)
    signals.worker_init.connect(worker_serves, weak=False)


def celery_metrics_serve(*, port: int) -> None:
    """Serve this worker's task counters (all its processes') on `port`, for the pod monitor."""
    from prometheus_client import start_http_server

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    start_http_server(port, registry=registry)
