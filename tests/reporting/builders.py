"""Visit counts written straight into a town's tables, as the flush writes them."""

from datetime import date

from comptoir.page_seen import PageSeen
from comptoir.town import town_now
from reporting.services import daily_field, increments_upsert
from tenants.models import Town
from tests.conftest import inside

# A person's browser: the test client sends no user agent, which counts as a robot.
BROWSER = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def merchant_page_views_add(
    town: Town, merchant_id: int, views: int, day: date | None = None
) -> None:
    """`views` views of the merchant's page on `day` (today on the town's clock)."""
    with inside(town):
        day = day or town_now().date()
        seen = PageSeen(kind="merchant", merchant_id=merchant_id)
        increments_upsert({daily_field(day, seen, "v"): views, daily_field(day, seen, "e"): views})
