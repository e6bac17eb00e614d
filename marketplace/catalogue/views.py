"""Public pages of the catalogue on a town's host: a product, and the search."""

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from comptoir.http import TownRequest
from comptoir.page_cache import shop_window_page
from comptoir.page_seen import PageSeen, page_seen_mark
from comptoir.town import town_now
from marketplace.catalogue.models import Product
from marketplace.catalogue.selectors import (
    Availability,
    product_for_page,
    products_search,
    query_normalised,
    variant_availability,
)
from marketplace.directory.hours import is_open_at, opening_ranges_on
from tenants.models import Town

SEARCH_PER_PAGE = 24


def absolute_media_url(town: Town, url: str) -> str:
    """Media on local storage has a path; share cards and the API need a whole address."""
    return town.build_url(url) if url.startswith("/") else url


def _share_links(*, url: str, title: str) -> list[dict[str, str]]:
    u, t = quote(url, safe=""), quote(title, safe="")
    return [
        {"name": _("E-mail"), "href": f"mailto:?subject={t}&body={u}", "key": "email"},
        {
            "name": "Facebook",
            "href": f"https://www.facebook.com/sharer/sharer.php?u={u}",
            "key": "facebook",
        },
        {"name": "X", "href": f"https://x.com/intent/tweet?url={u}&text={t}", "key": "x"},
        {"name": "WhatsApp", "href": f"https://wa.me/?text={t}%20{u}", "key": "whatsapp"},
    ]


def _og_price(cents: int | None) -> str:
    return "" if cents is None else f"{cents // 100}.{cents % 100:02d}"


@shop_window_page
def product_detail(request: TownRequest, slug: str) -> HttpResponse:
    now = town_now()
    product: Product | None = product_for_page(slug=slug, today=now.date())
    if product is None:
        raise Http404(_("This product is not on sale here."))
    page_seen_mark(
        request,
        PageSeen(
            kind="product",
            product_id=product.pk,
            merchant_id=product.merchant_id,
            category_id=product.category_id or product.merchant.category_id,
        ),
    )
    town = request.tenant
    page_url = town.build_url(request.path)
    sold_online = product.merchant.sells_online and not product.sold_in_shop_only
    variants = [
        (variant, variant_availability(variant) if sold_online else Availability.SHOP_ONLY)
        for variant in product.variants.all()
    ]
    photos = list(product.photos.all())
    buyable = [
        variant
        for variant, availability in variants
        if availability in (Availability.IN_STOCK, Availability.LOW)
    ]
    context = {
        "product": product,
        "sold_online": sold_online,
        "merchant": product.merchant,
        "variants": variants,
        "photos": photos,
        "buyable": buyable,
        "open_now": is_open_at(product.merchant, now),
        "today_ranges": opening_ranges_on(product.merchant, now.date()),
        "page_url": page_url,
        "share_links": _share_links(url=page_url, title=product.title),
        "og_image": absolute_media_url(town, photos[0].image.url) if photos else "",
        "og_price": _og_price(product.lowest_price_cents),
    }
    return TemplateResponse(request, "catalogue/product_detail.html", context)


def _page_number(raw: str | None) -> int:
    try:
        return max(1, int(raw or 1))
    except ValueError:
        return 1


@shop_window_page
def search(request: TownRequest) -> HttpResponse:
    q = query_normalised(request.GET.get("q", ""))
    category = request.GET.get("categorie", "").strip() or None
    merchant = request.GET.get("commerce", "").strip() or None
    searched = bool(q or category or merchant)
    results = (
        products_search(
            q=q,
            category=category,
            merchant=merchant,
            page=_page_number(request.GET.get("page")),
            per_page=SEARCH_PER_PAGE,
        )
        if searched
        else None
    )
    if results is not None and results.page > results.num_pages:
        # A page beyond the last (the results changed since the link was made): the last one.
        query = request.GET.copy()
        query["page"] = str(results.num_pages)
        return redirect(f"{request.path}?{query.urlencode()}")
    page_seen_mark(request, PageSeen(kind="search"))
    context = {
        "q": q,
        "results": results,
        "category": category,
        "merchant": merchant,
        "searched": searched,
    }
    return TemplateResponse(request, "catalogue/search.html", context)
