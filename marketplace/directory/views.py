"""The directory's public pages on a town's host: the list, a merchant, the map, the widget,
and the form to apply as a merchant."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from comptoir.http import TownRequest
from comptoir.page_cache import shop_window_page
from comptoir.page_seen import PageSeen, page_seen_mark
from comptoir.town import town_now
from marketplace.directory.errors import DirectoryError
from marketplace.directory.forms import (
    DirectoryFilterForm,
    MerchantRegisterForm,
    form_add_service_error,
)
from marketplace.directory.hooks import merchant_page_sections
from marketplace.directory.hours import is_open_at
from marketplace.directory.models import Category
from marketplace.directory.selectors import (
    DirectoryFilters,
    categories_for_filters,
    merchant_cards,
    merchant_page,
    merchants_directory,
    merchants_on_map,
)
from marketplace.directory.services.merchants import merchant_register

# The directory's tabs, one per kind of entry (the same tree holds shops and the rest).
KIND_TABS = (
    (Category.Kind.SHOP, _("Shops")),
    (Category.Kind.ASSOCIATION, _("Associations")),
    (Category.Kind.PUBLIC_SERVICE, _("Public services")),
    (Category.Kind.TOURISM, _("Tourism and leisure")),
)
DIRECTORY_PAGE_SIZE = 24
WIDGET_PAGE_SIZE = 24


@require_GET
@shop_window_page
def directory(request: TownRequest) -> HttpResponse:
    now = town_now()
    categories = categories_for_filters()
    form = DirectoryFilterForm(request.GET or None, categories=categories)
    filters = form.filters()
    page = Paginator(
        merchants_directory(filters=filters, local_now=now), DIRECTORY_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    merchant_cards(list(page.object_list), now=now)
    category = filters.category
    page_seen_mark(
        request,
        PageSeen(kind="category", category_id=category.pk)
        if category is not None
        else PageSeen(kind="directory"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    return TemplateResponse(
        request,
        "directory/directory.html",
        {
            "form": form,
            "filters": filters,
            "filtered": filters != DirectoryFilters(),
            "page": page,
            "merchants": page.object_list,
            "query": query.urlencode(),
            "kinds": KIND_TABS,
        },
    )


@require_GET
def merchant_detail(request: TownRequest, slug: str) -> HttpResponse:
    now = town_now()
    page = merchant_page(slug=slug, now=now)
    if page is None:
        raise Http404
    merchant = page.merchant
    page_seen_mark(
        request,
        PageSeen(kind="merchant", merchant_id=merchant.pk, category_id=merchant.category_id),
    )
    return render(
        request,
        "directory/merchant_detail.html",
        {
            "merchant": merchant,
            "open_now": page.open_now,
            "today_ranges": page.today_ranges,
            "special_today": page.special_today,
            "week": page.week,
            "periods": page.periods,
            "photos": page.photos,
            # What the apps above the directory add (the catalogue: the merchant's products).
            "sections": [
                render_to_string(section.template_name, section.context(merchant), request)
                for section in merchant_page_sections()
            ],
            "page_url": request.tenant.build_url(merchant.get_absolute_url()),
            "tile_url": settings.LEAFLET_TILE_URL,
            "tile_attribution": settings.LEAFLET_TILE_ATTRIBUTION,
        },
    )


@require_GET
def merchants_map(request: TownRequest) -> HttpResponse:
    now = town_now()
    merchants = merchant_cards(list(merchants_on_map(today=now.date())), now=now)
    page_seen_mark(request, PageSeen(kind="map"))
    return render(
        request,
        "directory/map.html",
        {
            "merchants": merchants,
            "tile_url": settings.LEAFLET_TILE_URL,
            "tile_attribution": settings.LEAFLET_TILE_ATTRIBUTION,
        },
    )


@require_GET
def merchants_map_json(request: TownRequest) -> JsonResponse:
    """Every visible merchant with coordinates, for the map's markers."""
    now = town_now()
    merchants = merchants_on_map(today=now.date())
    return JsonResponse(
        {
            "merchants": [
                {
                    "slug": merchant.slug,
                    "name": merchant.name,
                    "url": merchant.get_absolute_url(),
                    "category": merchant.category.name,
                    "address": " ".join(
                        part
                        for part in (merchant.address, merchant.postcode, merchant.city)
                        if part
                    ),
                    "latitude": float(merchant.latitude),  # type: ignore[arg-type]
                    "longitude": float(merchant.longitude),  # type: ignore[arg-type]
                    "open_now": is_open_at(merchant, now),
                }
                for merchant in merchants
            ]
        }
    )


@require_GET
@xframe_options_exempt
def widget(request: TownRequest) -> HttpResponse:
    """The town's shops, compact, for an iframe on another site (the town's, an association's).

    Framing is allowed on this page only; links open the portal in a new tab.
    """
    now = town_now()
    categories = categories_for_filters()
    slug = request.GET.get("categorie", "")
    category = next((c for c in categories if c.slug == slug), None)
    page = Paginator(
        merchants_directory(filters=DirectoryFilters(category=category), local_now=now),
        WIDGET_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    merchant_cards(list(page.object_list), now=now)
    town = request.tenant
    return render(
        request,
        "directory/widget.html",
        {
            "page": page,
            "merchants": [
                (merchant, town.build_url(merchant.get_absolute_url()))
                for merchant in page.object_list
            ],
            "category": category,
            "portal_url": town.build_url(reverse("directory:directory")),
        },
    )


@require_GET
@cache_control(public=True, max_age=3600)
def widget_script(request: TownRequest) -> HttpResponse:
    """One script tag on another site puts the widget's iframe where the tag is.

    The frame is served from the host the script came from: routing only answers the town's
    own domains, so that host is one of this town's.
    """
    return render(
        request,
        "directory/widget.js",
        {"widget_url": request.build_absolute_uri(reverse("directory:widget"))},
        content_type="text/javascript; charset=utf-8",
    )


@require_GET
def embed_help(request: TownRequest) -> HttpResponse:
    """Copy-paste snippets to show the town's shops on another website."""
    return render(
        request,
        "directory/embed.html",
        {
            "script_url": request.build_absolute_uri(reverse("directory:widget_script")),
            "widget_url": request.build_absolute_uri(reverse("directory:widget")),
            "api_url": request.build_absolute_uri("/api/v1/public/merchants/"),
            "schema_url": request.build_absolute_uri("/api/v1/schema/"),
            "categories": categories_for_filters(),
        },
    )


def merchant_apply(request: TownRequest) -> HttpResponse:
    """A person applies to list their shop: the town approves it before it is shown.

    Signed out, the answer is the same whether or not the e-mail has an account here (the
    service e-mails that account's owner instead), and nobody is signed in by this form."""
    form = MerchantRegisterForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            merchant_register(
                trade_name=data["trade_name"],
                category=data["category"],
                address=data["address"],
                postcode=data["postcode"],
                city=data["city"],
                email=data["email"],
                password=data.get("password"),
                user=request.user if request.user.is_authenticated else None,
                full_name=data.get("full_name", ""),
                phone=data["phone"],
                siret=data["siret"],
            )
        except DirectoryError as error:
            form_add_service_error(form, error)
        else:
            return redirect("directory:apply_done")
    return render(request, "directory/apply.html", {"form": form})


@require_GET
def merchant_apply_done(request: TownRequest) -> HttpResponse:
    return render(request, "directory/apply_done.html")
