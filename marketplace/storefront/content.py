"""The town's home page: what it shows below the town's branding, gathered from several parts
of the marketplace.

Each list is bounded, and the number of queries does not depend on how many merchants and
products the town has: lists are fetched with their joins, then the cards' variants, photos and
hours are prefetched once for all the lists together.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import MD5, Coalesce, Concat

from marketplace.campaigns.models import Campaign
from marketplace.campaigns.selectors import campaign_current
from marketplace.catalogue.models import Product
from marketplace.catalogue.selectors import product_cards, products_visible
from marketplace.directory.hours import MIDNIGHT
from marketplace.directory.models import Category, Merchant, OpeningHours, SpecialHours
from marketplace.directory.selectors import merchant_cards, merchants_visible

HOME_CAMPAIGN_PRODUCTS = 8
HOME_CAMPAIGN_MERCHANTS = 6
HOME_FEATURED_MERCHANTS = 6
# Candidates looked at per featured merchant (one without products is passed over).
FEATURED_CANDIDATES_FACTOR = 3
HOME_OPEN_NOW = 6
# Candidates fetched per merchant shown under "open now" (some may be closed exceptionally).
OPEN_NOW_CANDIDATES_FACTOR = 3
HOME_NEWEST_PRODUCTS = 8


@dataclass(frozen=True)
class CategoryCount:
    category: Category
    merchant_count: int


@dataclass
class HomePageContent:
    """What the home page shows below the town's branding; every list may be empty."""

    campaign: Campaign | None = None
    campaign_products: list[Product] = field(default_factory=list)
    campaign_merchants: list[Merchant] = field(default_factory=list)
    featured_merchants: list[Merchant] = field(default_factory=list)
    # The newest product of each featured merchant, in the merchants' order.
    featured_products: list[Product] = field(default_factory=list)
    categories: list[CategoryCount] = field(default_factory=list)
    open_now: list[Merchant] = field(default_factory=list)
    newest_products: list[Product] = field(default_factory=list)


def _daily_order(today: date, *, section: str, field: str = "slug") -> MD5:
    """An order of merchants that changes every day and is the same all day long, so each
    merchant gets its turn on the home page and a reload does not reshuffle it; each section its
    own order. `field` names the merchant's slug from another model."""
    return MD5(Concat(F(field), Value(f"{section}:{today.isoformat()}")))


def _categories_with_counts() -> list[CategoryCount]:
    """Top-level categories that have visible merchants, with how many (theirs and their
    sub-categories'), in one pass over the merchants grouped by their top category."""
    rows = (
        merchants_visible()
        .annotate(
            top_id=Coalesce("category__parent_id", "category_id"),
            top_name=Coalesce("category__parent__name", "category__name"),
            top_slug=Coalesce("category__parent__slug", "category__slug"),
            top_position=Coalesce("category__parent__position", "category__position"),
        )
        .order_by()
        .values("top_id", "top_name", "top_slug", "top_position")
        .annotate(total=Count("pk"))
    )
    return [
        CategoryCount(
            Category(pk=row["top_id"], name=row["top_name"], slug=row["top_slug"]),
            row["total"],
        )
        for row in sorted(rows, key=lambda row: (row["top_position"], row["top_name"]))
    ]


def _featured_newest_products(today: date) -> list[Product]:
    """The newest published product of each featured merchant, in the merchants' order, each
    with its merchant (and the merchant's category) selected: the featured merchants are theirs.

    Featured merchants sell online and have at least one published product, a few each day:
    the day's order picks a few candidates first, so only they are checked for products, and
    the newest product is looked up for the few kept only — one query for the merchants and
    their products together."""
    candidates = (
        merchants_visible()
        .filter(sells_online=True)
        .order_by(_daily_order(today, section="featured"), "pk")
        .values("pk")[: HOME_FEATURED_MERCHANTS * FEATURED_CANDIDATES_FACTOR]
    )
    published = Product.objects.filter(merchant=OuterRef("pk"), is_published=True)
    # PostgreSQL postpones this subquery past the sort and limit: it runs for the merchants kept
    # only, where finding the newest product of all the candidates costs three times as much.
    newest = published.order_by("-created_at", "-pk").values("pk")[:1]
    featured = (
        Merchant.objects.filter(pk__in=candidates)
        .filter(Exists(published))
        .annotate(newest_product_id=Subquery(newest))
        .order_by(_daily_order(today, section="featured"), "pk")
        .values("newest_product_id")[:HOME_FEATURED_MERCHANTS]
    )
    return list(
        Product.objects.filter(pk__in=featured)
        .select_related("merchant__category")
        .order_by(_daily_order(today, section="featured", field="merchant__slug"), "merchant_id")
    )


def _open_now_candidates(now: datetime) -> list[Merchant]:
    """Merchants that may be open now, a few each day: a weekly range covering this moment, or
    exceptional hours today. The cards' is_open_at then decides (an exceptional closure wins),
    so a few more than shown are fetched. Plain IN lists keep the plan cheap on a big town."""
    clock = now.time()
    weekly = OpeningHours.objects.filter(
        Q(closes_at__gt=clock) | Q(closes_at=MIDNIGHT), weekday=now.weekday(), opens_at__lte=clock
    ).values("merchant_id")
    exceptional = SpecialHours.objects.filter(date=now.date()).values("merchant_id")
    return list(
        merchants_visible()
        .filter(Q(pk__in=weekly) | Q(pk__in=exceptional))
        .select_related("category")
        .order_by(_daily_order(now.date(), section="open"), "pk")[
            : HOME_OPEN_NOW * OPEN_NOW_CANDIDATES_FACTOR
        ]
    )


def home_page_content(*, now: datetime) -> HomePageContent:
    """Everything the home page shows at `now` (an aware datetime on the town's clock)."""
    today = now.date()
    content = HomePageContent(campaign=campaign_current(today=today))
    if content.campaign is not None:
        content.campaign_products = list(
            products_visible()
            .filter(campaigns=content.campaign)
            .select_related("merchant")
            .order_by("-created_at", "-pk")[:HOME_CAMPAIGN_PRODUCTS]
        )
        content.campaign_merchants = list(
            merchants_visible()
            .filter(campaigns=content.campaign)
            .select_related("category")
            .order_by("name", "pk")[:HOME_CAMPAIGN_MERCHANTS]
        )
    content.featured_products = _featured_newest_products(today)
    content.featured_merchants = [product.merchant for product in content.featured_products]
    content.categories = _categories_with_counts()
    open_candidates = _open_now_candidates(now)
    # A featured product is not shown twice: ask for enough to drop them and still fill the row.
    featured_ids = {product.pk for product in content.featured_products}
    newest = (
        products_visible()
        .select_related("merchant")
        .order_by("-created_at", "-pk")[: HOME_NEWEST_PRODUCTS + len(featured_ids)]
    )
    content.newest_products = [p for p in newest if p.pk not in featured_ids][:HOME_NEWEST_PRODUCTS]

    product_cards(content.campaign_products + content.featured_products + content.newest_products)
    merchant_cards(
        content.campaign_merchants + content.featured_merchants + open_candidates, now=now
    )
    content.open_now = [m for m in open_candidates if m.open_now][:HOME_OPEN_NOW]
    return content
