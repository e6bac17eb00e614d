"""The demo towns' past month of visits, written into the same aggregate tables as the real
counter (reporting.services.increments_upsert): views and visits per page and per hour (the
evening peak from 20:00 to 23:00 that Châlons saw), where visits came from, visitors' towns and
the unique visitors of each day."""

import random
from collections import Counter
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TypeVar

from comptoir.page_seen import PageSeen
from marketplace.catalogue.models import Product
from marketplace.directory.models import Merchant
from reporting.models import PageKind, Source
from reporting.services import (
    daily_field,
    hourly_field,
    increments_upsert,
    origin_field,
    source_field,
    visitors_field,
)
from reporting.visitors import Origin

VISIT_DAYS = 30
T = TypeVar("T")

# Visitors' towns around each demo town: (department, commune, weight); the town itself first.
_NEIGHBOURS: dict[str, tuple[tuple[str, str, int], ...]] = {
    "aix-les-bains": (
        ("73", "Aix-les-Bains", 50), ("73", "Chambéry", 15), ("74", "Annecy", 8),
        ("73", "Grésy-sur-Aix", 6), ("69", "Lyon", 6), ("75", "Paris", 5), ("59", "Lille", 2),
    ),
    "chalons": (
        ("51", "Châlons-en-Champagne", 55), ("51", "Reims", 12), ("51", "Épernay", 8),
        ("51", "Vitry-le-François", 5), ("75", "Paris", 6), ("10", "Troyes", 3),
    ),
    "bordeaux": (
        ("33", "Bordeaux", 50), ("33", "Mérignac", 10), ("33", "Pessac", 9), ("33", "Talence", 7),
        ("31", "Toulouse", 4), ("75", "Paris", 6), ("17", "La Rochelle", 3),
    ),
}  # fmt: skip
_SOURCES = (
    (Source.DIRECT, 34), (Source.SEARCH_ENGINE, 30), (Source.SOCIAL, 14),
    (Source.NEWSLETTER, 6), (Source.QR_POSTER, 6), (Source.CAMPAIGN, 5), (Source.WEBSITE, 5),
)  # fmt: skip
# The share of a day's visits that starts in each hour: quiet at night, busier at lunch, and the
# evening peak from 20:00 to 23:00.
_HOURS = (1, 1, 0, 0, 0, 1, 2, 4, 5, 6, 7, 8, 9, 7, 6, 6, 7, 8, 9, 10, 14, 15, 13, 6)
# Pages seen in a visit, by kind of page (the merchant and product pages share theirs out).
_KINDS = (
    (PageKind.HOME, 30), (PageKind.DIRECTORY, 14), (PageKind.MERCHANT, 28),
    (PageKind.PRODUCT, 40), (PageKind.SEARCH, 12), (PageKind.CATEGORY, 6), (PageKind.MAP, 4),
)  # fmt: skip


def _draws(rng: random.Random, choices: Sequence[tuple[T, int]], count: int) -> Counter[T]:
    values = [value for value, _weight in choices]
    weights = [weight for _value, weight in choices]
    return Counter(rng.choices(values, weights=weights, k=count))


def demo_visits_create(*, town_slug: str, rng: random.Random, today: date) -> int:
    """A month of visits of the town's approved merchants and their products, before today.
    Returns the page views made. Three queries and one upsert."""
    merchants = list(
        Merchant.objects.filter(status=Merchant.Status.APPROVED)
        .order_by("pk")
        .values_list("pk", "category_id")
    )
    products = list(
        Product.objects.filter(merchant__status=Merchant.Status.APPROVED, is_published=True)
        .order_by("pk")
        .values_list("pk", "merchant_id", "category_id")
    )
    if not merchants:
        return 0
    categories = sorted({category for _merchant, category in merchants})
    category_of = dict(merchants)
    popularity = {merchant: rng.randint(1, 12) for merchant, _category in merchants}
    neighbours = _NEIGHBOURS.get(town_slug, (("", "", 1),))
    counts: Counter[str] = Counter()
    views_made = 0
    for offset in range(1, VISIT_DAYS + 1):
        day = today - timedelta(days=offset)
        # More on Saturdays, fewer on Sundays, a slow rise over the month.
        weekday = {5: 1.4, 6: 0.7}.get(day.weekday(), 1.0)
        visitors = int((40 + len(merchants) * 3) * weekday * (1 - offset / 120))
        visits = int(visitors * rng.uniform(1.15, 1.35))
        counts[visitors_field(day)] += visitors
        for source, number in _draws(rng, _SOURCES, visits).items():
            counts[source_field(day, str(source))] += number
        for (department, commune, _weight), number in _draws(
            rng, [(row, row[2]) for row in neighbours], visits
        ).items():
            origin = Origin(
                country="FR" if department else "", department=department, commune=commune
            )
            counts[origin_field(day, origin)] += number
        hours = _draws(rng, list(enumerate(_HOURS)), visits)
        # Each visit enters on one page and sees about three.
        entries = _draws(rng, _KINDS, visits)
        seen = _draws(rng, _KINDS, int(visits * rng.uniform(2.6, 3.4)))
        for kind in PageKind:
            kind_views, kind_visits = seen[kind] + entries[kind], entries[kind]
            views_made += kind_views
            for hour, number in hours.items():
                share = number / visits
                counts[hourly_field(day, hour, kind, "v")] += round(kind_views * share)
                counts[hourly_field(day, hour, kind, "e")] += round(kind_visits * share)
            pages = _pages_of(
                kind, rng=rng, merchants=popularity, products=products,
                categories=categories, category_of=category_of,
            )  # fmt: skip
            for page, (page_views, page_visits) in _share_out(
                rng, pages, kind_views, kind_visits
            ).items():
                counts[daily_field(day, page, "v")] += page_views
                counts[daily_field(day, page, "e")] += page_visits
    increments_upsert({field: count for field, count in counts.items() if count})
    return views_made


def _pages_of(
    kind: PageKind, *, rng: random.Random, merchants: dict[int, int],
    products: Sequence[tuple[int, int, int | None]], categories: list[int],
    category_of: dict[int, int],
) -> list[tuple[PageSeen, int]]:  # fmt: skip
    """The pages of a kind, each with its weight."""
    if kind == PageKind.MERCHANT:
        return [
            (PageSeen(kind=kind, merchant_id=merchant, category_id=category_of[merchant]), weight)
            for merchant, weight in merchants.items()
        ]
    if kind == PageKind.PRODUCT:
        return [
            (
                PageSeen(
                    kind=kind,
                    product_id=product,
                    merchant_id=merchant,
                    category_id=category or category_of.get(merchant),
                ),
                merchants.get(merchant, 1),
            )
            for product, merchant, category in products
        ]
    if kind == PageKind.CATEGORY:
        return [(PageSeen(kind=kind, category_id=category), 1) for category in categories]
    return [(PageSeen(kind=kind), 1)]


def _share_out(
    rng: random.Random, pages: list[tuple[PageSeen, int]], views: int, visits: int
) -> dict[PageSeen, tuple[int, int]]:
    """Views and visits of a kind shared out among its pages by weight: {page: (views, visits)}."""
    shared: Counter[PageSeen] = Counter()
    result: dict[PageSeen, tuple[int, int]] = {}
    if not pages:
        return result
    visited = rng.choices([page for page, _w in pages], weights=[w for _p, w in pages], k=views)
    for page in visited:
        shared[page] += 1
    remaining = visits
    for page, page_views in shared.most_common():
        page_visits = min(page_views, remaining, round(visits * page_views / max(views, 1)))
        remaining -= page_visits
        result[page] = (page_views, page_visits)
    return result
