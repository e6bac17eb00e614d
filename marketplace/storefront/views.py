from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from comptoir.page_cache import shop_window_page
from comptoir.town import town_now
from marketplace.storefront.content import home_page_content


@shop_window_page
def town_home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "storefront/town_home.html", {"home": home_page_content(now=town_now())}
    )
