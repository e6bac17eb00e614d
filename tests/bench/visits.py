"""Visit counting benchmark: what counting a page view adds to a page, measured side by side
with counting off in the same run (issue 11's target: ≤ 0.3 ms median added on a page served
from the cache, and ≤ 10 % of that page's time).

Run: `python -m tests.bench.visits` (with `python -m comptoir.devenv` in front when DATABASE_URL
is not set). It uses a small town of its own ("Bancvisites", 30 merchants) in the search
benchmark's database, made once. Printed, for the home page served from the page cache (a
visitor without a session) and a merchant's page (rendered each time, it is not cached): the
median and p95 of Django's test client on the town's host through the whole middleware stack,
with counting off and on, requests of the two interleaved so both see the same machine; with
Redis (REDIS_URL) and with the database instead (REDIS_URL unset), each request from another
address (a new visitor). The count itself runs after the response is written out (the
response's closers), so a visitor does not wait for it; the test client runs the closers inside
its call, so the figures include it, and the count's own time is printed beside them. Then how
long the flush takes to write what was counted, and, as baselines of the machine at that moment,
one Redis and one PostgreSQL round trip (a count is about one of them plus its Python: on a
machine loaded by other work, each blocking call waits for the processor, and all the figures
grow together).
"""

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.bench.search import _settings_for_bench

TOWN_SLUG = "bench-visits"
MERCHANTS = 30
REQUESTS = 2000
TARGET_ADDED_MS = 0.3
TARGET_SHARE = 0.10
BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


@dataclass(frozen=True)
class Figures:
    name: str
    off: list[float]
    on: list[float]
    # The count alone, run after the response was written out (the visitor does not wait).
    count: list[float]

    @staticmethod
    def _p95(values: list[float]) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]

    def line(self) -> str:
        off, on = statistics.median(self.off), statistics.median(self.on)
        added = on - off
        share = added / off if off else 0.0
        verdict = (
            "within target" if added <= TARGET_ADDED_MS and share <= TARGET_SHARE else "OVER target"
        )
        return (
            f"{self.name:<34} off: median {off:6.3f} ms p95 {self._p95(self.off):6.3f} ms   "
            f"on: median {on:6.3f} ms p95 {self._p95(self.on):6.3f} ms   "
            f"added {added * 1000:6.0f} µs ({share:5.1%}; target ≤ {TARGET_ADDED_MS * 1000:.0f} µs "
            f"and ≤ {TARGET_SHARE:.0%}): {verdict}; the count alone, after the response: "
            f"median {statistics.median(self.count) * 1000:4.0f} µs"
        )


def town_ensure():
    """The bench town with MERCHANTS approved merchants, made once."""
    from django.core.management import call_command
    from django_tenants.utils import schema_context

    from marketplace.directory.models import Category, Merchant
    from tenants.models import Town
    from tenants.services.provisioning import town_provision

    call_command("platform_setup", verbosity=0)
    town = Town.objects.filter(slug=TOWN_SLUG).first()
    if town is None:
        town = town_provision(
            name="Bancvisites", slug=TOWN_SLUG, admin_email="mairie@bancvisites.test"
        )
        Town.objects.filter(pk=town.pk).update(status=Town.Status.ACTIVE)
        town.refresh_from_db()
    with schema_context(town.schema_name):
        if Merchant.objects.count() < MERCHANTS:
            category = Category.objects.filter(parent__isnull=False).order_by("pk").first()
            Merchant.objects.bulk_create(
                Merchant(
                    name=f"Commerce {number}",
                    slug=f"commerce-{number}",
                    category=category,
                    email=f"commerce-{number}@bancvisites.test",
                    status=Merchant.Status.APPROVED,
                )
                for number in range(Merchant.objects.count(), MERCHANTS)
            )
    return town


def _side_by_side(name: str, get: Callable[[bool, int], object]) -> Figures:
    """REQUESTS requests with counting off and as many on, alternating, after a warm-up; and
    the time of the count itself (the middleware's closer)."""
    from django.conf import settings
    from django.http import HttpRequest
    from django.test import override_settings

    from comptoir import middleware
    from comptoir.page_seen import PageSeen

    count: list[float] = []
    page_seen_count = middleware.page_seen_count

    def timed(request: HttpRequest, seen: PageSeen, schema_name: str) -> None:
        started = time.perf_counter()
        page_seen_count(request, seen, schema_name)
        if settings.VISITS_COUNTING:
            count.append((time.perf_counter() - started) * 1000)

    middleware.page_seen_count = timed

    for number in range(50):
        with override_settings(VISITS_COUNTING=bool(number % 2)):
            get(bool(number % 2), number)
    off: list[float] = []
    on: list[float] = []
    for number in range(2 * REQUESTS):
        counting = bool(number % 2)
        with override_settings(VISITS_COUNTING=counting):
            started = time.perf_counter()
            get(counting, number)
            (on if counting else off).append((time.perf_counter() - started) * 1000)
    middleware.page_seen_count = page_seen_count
    return Figures(name, off, on, count)


def _round_trips() -> str:
    """One Redis round trip (PING) and one PostgreSQL round trip (SELECT 1), median of 1,000:
    a count costs about one of these plus its Python, and a loaded machine shows here first."""
    import redis
    from django.conf import settings
    from django.db import connection

    def median_ms(call: Callable[[], object]) -> float:
        durations = []
        for _ in range(1000):
            started = time.perf_counter()
            call()
            durations.append((time.perf_counter() - started) * 1000)
        return statistics.median(durations)

    def select_one() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

    figures = [f"PostgreSQL SELECT 1 {median_ms(select_one) * 1000:.0f} µs"]
    if settings.REDIS_URL:
        client = redis.Redis.from_url(settings.REDIS_URL)
        figures.insert(0, f"Redis PING {median_ms(client.ping) * 1000:.0f} µs")
    return ", ".join(figures)


def run() -> list[Figures]:
    from django.conf import settings
    from django.test import Client, override_settings
    from django_tenants.utils import schema_context

    from marketplace.directory.models import Merchant
    from reporting.models import PageViewsDaily
    from reporting.services import visits_flush

    town = town_ensure()
    with schema_context(town.schema_name):
        slug = Merchant.objects.order_by("pk").values_list("slug", flat=True).first()
    client = Client(HTTP_HOST=town.primary_domain_name)

    def page(path: str) -> Callable[[bool, int], object]:
        def get(counting: bool, number: int) -> object:
            # Each request another visitor: the visitors of the day grow as on a real site.
            address = f"100.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
            response = client.get(path, HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address)
            assert response.status_code == 200, (path, response.status_code)
            return response

        return get

    figures: list[Figures] = []
    redis_urls = [("Redis", settings.REDIS_URL)] if settings.REDIS_URL else []
    for backend, url in [*redis_urls, ("database", "")]:
        with override_settings(REDIS_URL=url):
            figures.append(_side_by_side(f"home, from the cache ({backend})", page("/")))
            figures.append(
                _side_by_side(f"merchant page, rendered ({backend})", page(f"/commerces/{slug}/"))
            )
            started = time.perf_counter()
            visits_flush(schema_name=town.schema_name)
            flushed_ms = (time.perf_counter() - started) * 1000
        with schema_context(town.schema_name):
            views = sum(PageViewsDaily.objects.values_list("views", flat=True))
        print(f"flush after the {backend} runs: {flushed_ms:.1f} ms; {views} views counted in all")
    print(f"Baselines on this machine now: {_round_trips()}")
    print(f"Visit counting, {REQUESTS} requests each way, interleaved:")
    for figure in figures:
        print(figure.line())
    return figures


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "comptoir.settings.test"
    _settings_for_bench()
    run()


if __name__ == "__main__":
    main()
