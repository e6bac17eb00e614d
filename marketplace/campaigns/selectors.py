"""Reads of campaigns: the one running today, a campaign's page, the administration's list."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, QuerySet

from marketplace.campaigns.models import Campaign
from marketplace.catalogue.models import Product
from marketplace.catalogue.selectors import product_cards, products_visible
from marketplace.directory.models import Merchant
from marketplace.directory.selectors import merchant_cards, merchants_visible

CAMPAIGN_PAGE_ITEMS = 24


def campaigns_running(*, today: date) -> QuerySet[Campaign]:
    """Published campaigns whose dates cover `today`, the latest started first."""
    return Campaign.objects.filter(
        is_published=True, starts_on__lte=today, ends_on__gte=today
    ).order_by("-starts_on", "-pk")


def campaign_current(*, today: date) -> Campaign | None:
    """The campaign the home page shows today, or None."""
    return campaigns_running(today=today).first()


def campaign_public(*, slug: str, today: date) -> Campaign | None:
    """A published campaign that has started (an ended one keeps its page, so links shared
    during it still work), or None: the page answers 404."""
    return Campaign.objects.filter(slug=slug, is_published=True, starts_on__lte=today).first()


def campaign_for_preview(*, slug: str) -> Campaign | None:
    """Any campaign of the town by its slug, for its administrators' preview."""
    return Campaign.objects.filter(slug=slug).first()


def campaigns_for_admin() -> QuerySet[Campaign]:
    """Every campaign, the latest first, with how many merchants and products each features."""
    return Campaign.objects.annotate(
        merchant_count=Count("featured_merchants", distinct=True),
        product_count=Count("featured_products", distinct=True),
    ).order_by("-starts_on", "-pk")


def campaign_for_admin(*, campaign_id: int) -> Campaign | None:
    return (
        Campaign.objects.filter(pk=campaign_id)
        .prefetch_related("featured_merchants", "featured_products")
        .first()
    )


@dataclass
class CampaignPageContent:
    campaign: Campaign
    products: list[Product]
    merchants: list[Merchant]
    is_running: bool
    has_ended: bool


def campaign_page_content(*, campaign: Campaign, now: datetime) -> CampaignPageContent:
    """A campaign's page: the visible merchants and products it features, bounded."""
    today = now.date()
    products = list(
        products_visible()
        .filter(campaigns=campaign)
        .select_related("merchant")
        .order_by("-created_at", "-pk")[:CAMPAIGN_PAGE_ITEMS]
    )
    merchants = list(
        merchants_visible()
        .filter(campaigns=campaign)
        .select_related("category")
        .order_by("name", "pk")[:CAMPAIGN_PAGE_ITEMS]
    )
    return CampaignPageContent(
        campaign=campaign,
        products=product_cards(products),
        merchants=merchant_cards(merchants, now=now),
        is_running=campaign.starts_on <= today <= campaign.ends_on,
        has_ended=campaign.ends_on < today,
    )
