from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.response import TemplateResponse

from comptoir.page_cache import shop_window_page
from comptoir.town import town_now
from marketplace.storefront import home_page_content


def vendor_home(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/vendor_home.html")


@shop_window_page
def town_home(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request, "comptoir/town_home.html", {"home": home_page_content(now=town_now())}
    )


def town_legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/town_legal_notice.html")


def town_accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "comptoir/town_accessibility.html")
