from django.http import HttpResponse
from django.template.response import TemplateResponse

from comptoir.http import TownRequest
from comptoir.page_cache import shop_window_page
from comptoir.page_seen import PageSeen, page_seen_mark
from comptoir.town import town_now
from marketplace.storefront.content import home_page_content


@shop_window_page
def town_home(request: TownRequest) -> HttpResponse:
    page_seen_mark(request, PageSeen(kind="home"))
    return TemplateResponse(
        request, "storefront/town_home.html", {"home": home_page_content(now=town_now())}
    )
