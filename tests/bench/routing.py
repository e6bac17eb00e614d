"""Benchmark b: what host → town routing costs a request, among many towns.

The same minimal page is asked for through the full WSGI handler and middleware stack, once with
TownRoutingMiddleware finding the town from the Host header (its per-process cache warm), once
with the routing replaced by a middleware handed the town with the request, which only calls
connection.set_tenant: the baseline. Every request goes to a town picked at random.
"""

import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import set_urlconf

from comptoir.db import connection
from comptoir.http import PlatformRequest
from tenants.models import Town
from tenants.services.provisioning import ProvisioningMethod, town_provision
from tenants.services.template import migrations_applied_in, migrations_on_disk
from tests.bench.towns import schemas_named, towns_remove

BENCH_URLCONF = "tests.bench.urls"
PING_PATH = "/banc/ping/"
TOWN_KEY = "comptoir.bench.town"
RATIO_TARGET = 1.2


class KnownTownMiddleware:
    """The baseline's stand-in for routing: the town comes with the request, no host lookup."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: PlatformRequest) -> HttpResponse:
        town = request.META[TOWN_KEY]
        request.tenant = town
        connection.set_tenant(town)
        request.urlconf = settings.ROOT_URLCONF
        set_urlconf(request.urlconf)
        return self.get_response(request)


def bench_towns_ensure(*, count: int, prefix: str = "bench-town") -> tuple[list[Town], int]:
    """`count` committed towns made by cloning the template, each with its own schema. Towns of
    an earlier run are kept when their schema is current. Returns the towns and how many were made."""
    slugs = [f"{prefix}-{number:03d}" for number in range(1, count + 1)]
    kept = {town.slug: town for town in Town.objects.filter(slug__in=slugs)}
    present = schemas_named(town.schema_name for town in kept.values())
    stale = [
        slug
        for slug, town in kept.items()
        if town.schema_name not in present
        or not migrations_applied_in(town.schema_name) >= migrations_on_disk()
    ]
    towns_remove(slugs=stale)
    made = 0
    for slug in slugs:
        if slug in kept and slug not in stale:
            continue
        town_provision(
            name=f"Banc {slug}",
            slug=slug,
            admin_email=f"mairie@{slug}.test",
            method=ProvisioningMethod.CLONE,
        )
        made += 1
    return list(Town.objects.filter(slug__in=slugs).order_by("slug")), made


@dataclass(frozen=True)
class RoutingFigures:
    towns: int
    requests: int
    routed_us: tuple[float, ...]
    known_us: tuple[float, ...]

    @property
    def routed_median(self) -> float:
        return statistics.median(self.routed_us)

    @property
    def known_median(self) -> float:
        return statistics.median(self.known_us)

    @property
    def ratio(self) -> float:
        return self.routed_median / self.known_median


def _environ(town: Town) -> dict[str, object]:
    environ = RequestFactory().get(PING_PATH, HTTP_HOST=town.primary_domain_name).environ
    environ[TOWN_KEY] = town
    return environ


def _timed_request(handler: WSGIHandler, town: Town) -> float:
    """The request's time in µs; its answer is checked (untimed) to come from its town."""
    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return lambda data: None  # the WSGI write() callable, which Django never calls

    environ = _environ(town)
    started = time.perf_counter_ns()
    response = handler(environ, start_response)
    body = b"".join(response)
    response.close()
    elapsed = (time.perf_counter_ns() - started) / 1000
    if statuses != ["200 OK"] or body.decode() != town.schema_name:
        raise AssertionError(f"{town.primary_domain_name} answered {statuses} {body[:200]!r}")
    return elapsed


def routing_bench(*, towns: list[Town], requests: int, rounds: int = 5) -> RoutingFigures:
    """`requests` requests per round and per variant. The variants take turns request by
    request, the first of each pair alternating, so the machine's load weighs on both alike."""
    picks = random.Random(20240601).choices(towns, k=requests)
    known_middleware = [
        "tests.bench.routing.KnownTownMiddleware"
        if name.endswith(".TownRoutingMiddleware")
        else name
        for name in settings.MIDDLEWARE
    ]
    routed_us: list[float] = []
    known_us: list[float] = []
    with override_settings(ROOT_URLCONF=BENCH_URLCONF):
        routed = WSGIHandler()
        with override_settings(MIDDLEWARE=known_middleware):
            known = WSGIHandler()
        # Warm: every host once through the routing cache, and both handlers' code paths.
        for town in towns:
            _timed_request(routed, town)
            _timed_request(known, town)
        variants = ((routed, routed_us), (known, known_us))
        for _round in range(rounds):
            for index, town in enumerate(picks):
                for handler, timings in variants if index % 2 else variants[::-1]:
                    timings.append(_timed_request(handler, town))
    connection.set_schema_to_public()
    return RoutingFigures(
        towns=len(towns),
        requests=len(routed_us),
        routed_us=tuple(routed_us),
        known_us=tuple(known_us),
    )


def routing_report(figures: RoutingFigures, *, made: int) -> str:
    def quantile(values: tuple[float, ...], q: int) -> float:
        return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]

    verdict = "met" if figures.ratio <= RATIO_TARGET else "NOT MET"
    return "\n".join(
        [
            f"b. Tenant routing: {figures.towns} towns in one database, each with its own schema "
            f"cloned from the template ({made} made by this run, {figures.towns - made} kept from "
            "an earlier one).",
            f"   {figures.requests} requests per variant to a minimal page (one SELECT 1) through the",
            "   full WSGI handler and middleware stack, a random town each time, routing cache warm.",
            "",
            f"   {'variant':<44}{'median':>10}{'p90':>10}",
            f"   {'routing by Host (TownRoutingMiddleware)':<44}"
            f"{figures.routed_median:>8.0f}µs{quantile(figures.routed_us, 90):>8.0f}µs",
            f"   {'baseline: town handed over, set_tenant only':<44}"
            f"{figures.known_median:>8.0f}µs{quantile(figures.known_us, 90):>8.0f}µs",
            f"   ratio {figures.ratio:.2f}× (routing adds "
            f"{figures.routed_median - figures.known_median:.0f} µs)   "
            f"target ≤ {RATIO_TARGET}×: {verdict}",
        ]
    )
