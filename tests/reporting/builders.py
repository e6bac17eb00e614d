"""Visit counts written straight into a town's tables, as the flush writes them."""

from datetime import date

from comptoir.page_seen import PageSeen
from comptoir.town import town_now
from reporting.services import daily_field, increments_upsert
from tenants.models import Town
from tests.conftest import inside


def merchant_page_views_add(town: Town, merchant_id: int, views: int, day: date | None = None) -> None:
    """`views` views of the merchant's page on `day` (today on the town's clock)."""
    with inside(town):
        day = day or town_now().date()
        seen = PageSeen(kind="merchant", merchant_id=merchant_id)
        increments_upsert({daily_field(day, seen, "v"): views, daily_field(day, seen, "e"): views})
